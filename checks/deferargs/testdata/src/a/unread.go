package a

import "log"

type buffer struct{ data []byte }

// Release frees the buffer; it hands its argument back unread.
func (b *buffer) Release(e error) error {
	b.data = nil
	return e
}

func (b *buffer) Done(_ error) { b.data = nil }

func (b *buffer) Flush(reason string, err error) {
	b.data = nil
	log.Println(reason)
}

func encode(b *buffer) error { return nil }

// Rule "argument the callee never reads": Release only returns e, and a
// deferred call's results are discarded; Done's parameter is blank and
// Flush never uses err. Their value at the defer does not matter.
func (b *buffer) Write() (err error) {
	defer b.Release(err)
	defer b.Done(err)
	defer b.Flush("write", err)
	if err = encode(b); err != nil {
		return err
	}
	return nil
}

type releaser interface{ Release(error) error }

func recordOutcome(e error) {
	if e != nil {
		log.Println("failed:", e)
	}
}

// Reported: recordOutcome reads its argument, which is nil at the defer.
func WriteRecorded(b *buffer) (err error) {
	defer recordOutcome(err) // want `deferred recordOutcome\(err\) receives err as it is now \(nil\)`
	err = encode(b)
	return err
}

// Reported: an interface method may read its argument (another
// implementation does).
func WriteThrough(r releaser, b *buffer) (err error) {
	defer r.Release(err) // want `deferred r.Release\(err\) receives err as it is now \(nil\)`
	err = encode(b)
	return err
}

// Reported: the reason is read, and a return that wraps the parameter
// reads it too.
func wrap(e error) error { return &wrapped{e} }

type wrapped struct{ err error }

func (w *wrapped) Error() string { return w.err.Error() }

func WriteWrapped(b *buffer) (err error) {
	defer wrap(err) // want `deferred wrap\(err\) receives err as it is now \(nil\)`
	err = encode(b)
	return err
}

func (b *buffer) store() error { return nil }

// updateStatus takes err but uses the name as its own scratch variable:
// every path assigns it before reading it.
func (b *buffer) updateStatus(err error) {
	if len(b.data) == 0 {
		return
	}
	if err = b.store(); err != nil {
		log.Println("store:", err)
		err = nil
	}
}

// Rule "argument the callee never reads": updateStatus overwrites err
// before any read, so the caller's value never matters.
func (b *buffer) Sync() (err error) {
	defer b.updateStatus(err)
	err = encode(b)
	return err
}

// updateOnce reads err on the path that skips the assignment.
func (b *buffer) updateOnce(err error) {
	if len(b.data) == 0 {
		log.Println("empty:", err)
		return
	}
	err = b.store()
	log.Println(err)
}

// Reported: one path of updateOnce reads the caller's value.
func (b *buffer) SyncOnce() (err error) {
	defer b.updateOnce(err) // want `deferred b.updateOnce\(err\) receives err as it is now \(nil\)`
	err = encode(b)
	return err
}
