package a

import (
	"errors"
	"fmt"
	liberrors "lib/errors"
)

type event struct{ ok bool }

func newEvent(ok bool) event { return event{ok} }
func publish(e event)        { fmt.Println(e.ok) }
func register(id string) error {
	if id == "" {
		return errors.New("empty id")
	}
	return nil
}

// rule "wrapping keeps nil-ness": err is only wrapped where it is
// already non-nil, so err == nil is the same at the defer and at return.
func Register(id string) error {
	err := register(id)
	defer publish(newEvent(err == nil))
	if err != nil {
		err = fmt.Errorf("register %s: %w", id, err)
	}
	return err
}

// rule "wrapping keeps nil-ness": the else branch of err == nil, with an
// errors package's Wrap.
func RegisterWrapped(id string) error {
	err := register(id)
	defer publish(newEvent(nil != err))
	if err == nil {
		fmt.Println("registered", id)
	} else {
		err = liberrors.Wrap(err, "register")
	}
	return err
}

// rule "wrapping keeps nil-ness": errors.Join with err.
func RegisterJoined(id string, cleanup func() error) error {
	err := register(id)
	defer publish(newEvent(err == nil))
	if err != nil {
		err = errors.Join(err, cleanup())
	}
	return err
}

func ignoreEmpty(err error) error { return nil }

// A filter may turn a non-nil error into nil: the answer changes.
func RegisterFiltered(id string) error {
	err := register(id)
	defer publish(newEvent(err == nil)) // want `deferred publish\(newEvent\(err == nil\)\) receives err as it is now`
	if err != nil {
		err = ignoreEmpty(err)
	}
	return err
}

// Unguarded, fmt.Errorf makes a nil error non-nil.
func RegisterAlways(id string) error {
	err := register(id)
	defer publish(newEvent(err == nil)) // want `deferred publish\(newEvent\(err == nil\)\) receives err as it is now`
	err = fmt.Errorf("register %s: %v", id, err)
	return err
}

func logErr(err error) { fmt.Println(err) }

// The argument is the error itself, not whether it is nil: the wrapped
// one is what the log should show.
func RegisterLogged(id string) error {
	err := register(id)
	defer logErr(err) // want `deferred logErr\(err\) receives err as it is now`
	if err != nil {
		err = fmt.Errorf("register %s: %w", id, err)
	}
	return err
}

// rule "wrapping keeps nil-ness": an if on another condition inside the
// err != nil branch keeps the write in that branch.
func RegisterNested(id string, verbose bool) error {
	err := register(id)
	defer publish(newEvent(err == nil))
	if err != nil {
		if verbose {
			err = fmt.Errorf("register %s (verbose): %w", id, err)
		}
	}
	return err
}

// A wrap in a function literal may run where err is nil.
func RegisterLater(id string) (func(), error) {
	err := register(id)
	defer publish(newEvent(err == nil)) // want `deferred publish\(newEvent\(err == nil\)\) receives err as it is now`
	if err != nil {
		return func() { err = fmt.Errorf("late: %w", err) }, err
	}
	return nil, err
}
