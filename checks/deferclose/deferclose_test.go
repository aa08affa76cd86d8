package deferclose_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/deferclose"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Form(t, deferclose.Analyzer, "dropped")
	checktest.Form(t, deferclose.Analyzer, "tests")
	checktest.Run(t, analysistest.TestData(), deferclose.Analyzer, "a", "a2", "b", "b/testutil", "cmdtool")
}

// TestDefaultForm: without -deferclose.dropped, dropped Close errors are
// not reported, nor early defers in test code; early defers elsewhere
// still are.
func TestDefaultForm(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), deferclose.Analyzer, "core")
}
