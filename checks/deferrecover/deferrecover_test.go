package deferrecover_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/silentfail/silentfail/checks/deferrecover"
	"github.com/silentfail/silentfail/internal/checktest"
)

func Test(t *testing.T) {
	checktest.Form(t, deferrecover.Analyzer, "bare")
	checktest.Form(t, deferrecover.Analyzer, "called")
	checktest.Run(t, analysistest.TestData(), deferrecover.Analyzer, "a", "a/testutil")
}

// TestDefaultForm: without -deferrecover.bare a bare defer recover() is
// not reported, nor without -deferrecover.called a recover() in a
// function nothing defers; a recovery wrapper whose recover() is called
// by a deferred function, not deferred itself, still is.
func TestDefaultForm(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), deferrecover.Analyzer, "core")
}
