package a

import "errors"

func check() error { return errors.New("x") }

func wait(c chan error) { c <- nil }

// The send happens before anyone can hold errC.
func Wait() <-chan error {
	errC := make(chan error)
	if err := check(); err != nil {
		errC <- err // want `this send on errC blocks forever: errC is unbuffered \(made at line 11\)`
		return errC
	}
	go wait(errC)
	return errC
}

// A receive on a channel nobody else has.
func Recv() int {
	done := make(chan int, 0)
	v := <-done // want `this receive from done blocks forever`
	return v
}

// A range over a channel nobody else has.
func Range() {
	var items = make(chan string)
	for s := range items { // want `this range over items blocks forever`
		_ = s
	}
}

// Len and nil comparisons do not hand it over.
func Probe() {
	ch := make(chan struct{})
	if ch != nil && len(ch) == 0 {
		ch <- struct{}{} // want `this send on ch blocks forever`
	}
}
