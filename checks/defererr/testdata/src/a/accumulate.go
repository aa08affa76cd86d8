package a

import "io"

// multi collects errors, as tsdb_errors.Multi and multierror do.
type multi struct{ errs []error }

func newMulti(errs ...error) *multi {
	m := &multi{}
	for _, e := range errs {
		m.add(e)
	}
	return m
}

func (m *multi) add(err error) {
	if err != nil {
		m.errs = append(m.errs, err)
	}
}

func (m *multi) Err() error {
	if len(m.errs) == 0 {
		return nil
	}
	return m.errs[0]
}

// Rule "accumulator seeded with the error": errs starts from err, so
// errs.Err() keeps the error being returned.
func CompactAll(closers []io.Closer, run func() error) (err error) {
	defer func() {
		errs := newMulti(err)
		for _, c := range closers {
			errs.add(c.Close())
		}
		err = errs.Err()
	}()
	return run()
}

// Reported: the accumulator starts empty, so the error being returned
// is replaced by the closers' result.
func CompactAllEmpty(closers []io.Closer, run func() error) (err error) {
	defer func() {
		errs := newMulti()
		for _, c := range closers {
			errs.add(c.Close())
		}
		err = errs.Err() // want `deferred closure assigns err = errs.Err\(\) unconditionally`
	}()
	return run()
}
