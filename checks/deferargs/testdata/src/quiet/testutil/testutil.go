// Package testutil is test support: only tests import it.
package testutil

import (
	"log"
	"time"
)

func step() {}

// rule "test code is opt-in": quiet without deferargs.tests.
func Timed(name string) {
	start := time.Now()
	step()
	defer log.Printf("%s took %v", name, time.Since(start))
	step()
}
