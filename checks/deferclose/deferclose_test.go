package deferclose_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/deferclose"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), deferclose.Analyzer, "a", "a2", "b", "b/testutil")
}
