// Package testutil is test support: only tests import it.
package testutil

import (
	"log"
	"time"
)

func step() {}

// rule "test code is opt-in": reported by deferargs.tests.
func Timed(name string) {
	start := time.Now()
	step()
	defer log.Printf("%s took %v", name, time.Since(start)) // want `time.Since\(start\) is evaluated when the defer statement runs`
	step()
}
