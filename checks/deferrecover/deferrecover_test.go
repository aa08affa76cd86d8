package deferrecover_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/silentfail/silentfail/checks/deferrecover"
	"github.com/silentfail/silentfail/internal/checktest"
)

func Test(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), deferrecover.Analyzer, "a", "a/testutil")
}
