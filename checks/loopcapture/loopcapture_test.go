package loopcapture_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/loopcapture"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	// The fixtures are modules at go 1.21 and go 1.22: never let the go
	// command look for another toolchain.
	t.Setenv("GOTOOLCHAIN", "local")
	for _, dir := range []string{"go121", "go122"} {
		t.Run(dir, func(t *testing.T) {
			checktest.Run(t, analysistest.TestData()+"/"+dir, loopcapture.Analyzer, "./...")
		})
	}
}
