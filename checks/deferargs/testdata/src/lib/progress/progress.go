// Package progress stands for another package whose functions a
// deferred call reaches: some read their error argument, some do not.
package progress

import "log"

// OneOff starts a step and returns the func that completes it; the
// func does not record the error yet.
func OneOff(id string) func(err error) error {
	log.Println("start", id)
	return func(err error) error {
		log.Println("done", id)
		return err
	}
}

// Step returns a func that logs the step's error.
func Step(id string) func(err error) {
	return func(err error) {
		log.Println(id, err)
	}
}

// Either returns one of two funcs; the second reads the error.
func Either(quiet bool) func(err error) {
	if quiet {
		return func(err error) { log.Println("done") }
	}
	return func(err error) { log.Println("done:", err) }
}

// Finish ends a named step; it never looks at err.
func Finish(name string, err error) {
	log.Println("finished", name)
}

// Record logs the outcome.
func Record(err error) {
	if err != nil {
		log.Println("failed:", err)
	}
}

// Ignore is a stand-in that a later version may fill in.
func Ignore(err error) {}

// Shadowed declares its own err, which the check without types cannot
// tell from the parameter.
func Shadowed(err error) {
	for _, err := range []error{nil} {
		log.Println(err)
	}
}
