package quiet

import (
	"fmt"
	"testing"
)

func report(name string, err error) { fmt.Println(name, err) }

// rule "test code is opt-in": a helper of a _test.go file; quiet without
// deferargs.tests.
func runCase(name string) (err error) {
	defer report(name, err)
	err = do(name)
	return err
}

func TestCase(t *testing.T) {
	if err := runCase("x"); err != nil {
		t.Fatal(err)
	}
}
