package ctxreplace_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/ctxreplace"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), ctxreplace.Analyzer, "a", "mainpkg")
}

// TestGo120 checks a module at go 1.20, where context.WithoutCancel
// does not exist and is not suggested.
func TestGo120(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	checktest.Run(t, analysistest.TestData()+"/go120", ctxreplace.Analyzer, "./...")
}
