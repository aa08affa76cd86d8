package deferargs_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/deferargs"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), deferargs.Analyzer, "a", "quiet/...")
}

// TestTestsForm: -deferargs.tests also reports deferred calls in test
// code.
func TestTestsForm(t *testing.T) {
	checktest.Form(t, deferargs.Analyzer, "tests")
	checktest.Run(t, analysistest.TestData(), deferargs.Analyzer, "tests/...")
}
