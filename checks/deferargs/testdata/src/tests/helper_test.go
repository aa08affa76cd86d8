package tests

import (
	"fmt"
	"testing"
)

func report(name string, err error) { fmt.Println(name, err) }

// rule "test code is opt-in": a helper of a _test.go file; reported by
// deferargs.tests.
func runCase(name string) (err error) {
	defer report(name, err) // want `deferred [a-zA-Z.]+\(name, err\) receives err as it is now \(nil\)`
	err = do(name)
	return err
}

func TestCase(t *testing.T) {
	if err := runCase("x"); err != nil {
		t.Fatal(err)
	}
}
