package ctxcancel_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/ctxcancel"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Form(t, ctxcancel.Analyzer, "root")
	checktest.Run(t, analysistest.TestData(), ctxcancel.Analyzer, "a", "a/testutil", "b")
}

// TestDefaultForm: without -ctxcancel.root, contexts made on
// Background() are not reported; those under a parent are.
func TestDefaultForm(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), ctxcancel.Analyzer, "core")
}

// TestDiscarded: -ctxcancel.discarded reports `_ = cancel`.
func TestDiscarded(t *testing.T) {
	checktest.Form(t, ctxcancel.Analyzer, "discarded")
	checktest.Run(t, analysistest.TestData(), ctxcancel.Analyzer, "discarded")
}
