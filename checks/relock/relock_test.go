package relock_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/relock"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Form(t, relock.Analyzer, "read")
	checktest.Form(t, relock.Analyzer, "calls")
	checktest.Run(t, analysistest.TestData(), relock.Analyzer, "a", "quiet/...")
}

// TestTestsForm: -relock.tests also reports relocks in test code.
func TestTestsForm(t *testing.T) {
	checktest.Form(t, relock.Analyzer, "read")
	checktest.Form(t, relock.Analyzer, "calls")
	checktest.Form(t, relock.Analyzer, "tests")
	checktest.Run(t, analysistest.TestData(), relock.Analyzer, "tests/...")
}

// TestDefaultForm: without -relock.read a second read lock is not
// reported, nor without -relock.calls a lock taken again through a
// call; a Lock written again under the lock still is.
func TestDefaultForm(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), relock.Analyzer, "core")
}
