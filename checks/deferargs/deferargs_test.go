package deferargs_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/deferargs"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), deferargs.Analyzer, "a")
}
