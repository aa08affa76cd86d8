package ctxreplace_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/ctxreplace"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

// withBackground runs the test with the opt-in form on: the fixtures
// a, mainpkg and go120 hold both forms.
func withBackground(t *testing.T) {
	t.Helper()
	if err := ctxreplace.Analyzer.Flags.Set("background", "true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctxreplace.Analyzer.Flags.Set("background", "false") })
}

func Test(t *testing.T) {
	withBackground(t)
	checktest.Run(t, analysistest.TestData(), ctxreplace.Analyzer, "a", "mainpkg")
}

// TestDefaultForm checks the default form alone: context.TODO() is
// reported where a context is at hand, context.Background() is not.
func TestDefaultForm(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), ctxreplace.Analyzer, "core")
}

// TestGo120 checks a module at go 1.20, where context.WithoutCancel
// does not exist and is not suggested.
func TestGo120(t *testing.T) {
	withBackground(t)
	t.Setenv("GOTOOLCHAIN", "local")
	checktest.Run(t, analysistest.TestData()+"/go120", ctxreplace.Analyzer, "./...")
}
