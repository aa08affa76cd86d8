package deferloop_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/silentfail/silentfail/checks/deferloop"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Form(t, deferloop.Analyzer, "pileup")
	checktest.Run(t, analysistest.TestData(), deferloop.Analyzer, "a", "b")
}

// TestDefaultForm: without -deferloop.pileup, only locks are reported.
func TestDefaultForm(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), deferloop.Analyzer, "core")
}

// TestCgo needs cgo and a C compiler, which a machine with only Go
// installed may lack.
func TestCgo(t *testing.T) {
	out, err := exec.Command("go", "env", "CGO_ENABLED", "CC").Output()
	fields := strings.Fields(string(out))
	if err != nil || len(fields) < 2 || fields[0] != "1" {
		t.Skip("cgo is disabled")
	}
	if _, err := exec.LookPath(fields[1]); err != nil {
		t.Skipf("no C compiler (%s)", fields[1])
	}
	checktest.Form(t, deferloop.Analyzer, "pileup")
	analysistest.Run(t, analysistest.TestData(), deferloop.Analyzer, "cgo")
}
