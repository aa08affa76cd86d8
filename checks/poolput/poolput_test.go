package poolput_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/poolput"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Form(t, poolput.Analyzer, "value")
	checktest.Run(t, analysistest.TestData(), poolput.Analyzer, "a")
}

// TestDefaultForm: without -poolput.value, a Put of a non-pointer is
// not reported; uses after Put still are.
func TestDefaultForm(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), poolput.Analyzer, "core")
}
