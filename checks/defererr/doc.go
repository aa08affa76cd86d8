// Package defererr defines an Analyzer that reports deferred closures
// that overwrite the function's error result unconditionally.
//
// # Analyzer defererr
//
// defererr: a deferred closure that overwrites the error being returned
//
// A deferred closure runs after the return statement has set the
// results. Assigning the named error result there without looking at it
// replaces whatever the function was returning:
//
//	func Save(path string, data []byte) (err error) {
//		f, err := os.Create(path)
//		if err != nil {
//			return err
//		}
//		defer func() { err = f.Close() }()
//		if _, err := f.Write(data); err != nil {
//			return err // replaced by Close's nil: the caller sees success
//		}
//		return nil
//	}
//
// The write failed, Close succeeded, and Save returns nil: the caller
// goes on with a truncated file and nothing is logged. The same happens
// with `err = tx.Commit()`, `err = nil` and any other plain assignment.
//
// The check reports an assignment to a named error result, in a closure
// deferred by that function, that runs whatever the current error is:
// at the top level of the closure, in a loop, in the init of an if
// statement, or under a mere presence check (`if f != nil`, `if f ==
// nil { return }`). It is silent when the assignment is guarded by a
// test of err (`if err == nil { err = ... }`, or an earlier `if err !=
// nil { ...; return }` in the closure), combines the old value
// (`errors.Join(err, f.Close())`, `fmt.Errorf("...: %w", err)`, a local
// computed from err, or (rule "accumulator seeded with the error") a
// method of an accumulator seeded with it:
// `errs := multierror.New(err); ...; err = errs.Err()`), sits in the
// recover branch (`if r := recover(); r != nil`) or under any other
// condition the author chose, or stores
// only a failure (`if cerr := f.Close(); cerr != nil { err = cerr }`,
// `err = fmt.Errorf(...)`, `err = ErrClosed`: one error may replace
// another, but the function still fails). It is also silent when the
// function cannot be returning an error when the closure runs: every
// return after the defer statement returns nil for it (or is a bare
// return with nothing assigning it in between), and no closure deferred
// later sets it; the deferred assignment is then how the function
// reports failure.
//
// Bad:
//
//	defer func() { err = tx.Commit() }()
//
// Good:
//
//	defer func() {
//		if err != nil {
//			tx.Rollback()
//			return
//		}
//		err = tx.Commit()
//	}()
//
// No fix is suggested: guarding the assignment changes what the
// function returns, which is the point, but it is a decision for the
// author (keep the first error, or join both).
package defererr
