package defererr_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/silentfail/silentfail/checks/defererr"
	"github.com/silentfail/silentfail/internal/checktest"
)

func Test(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), defererr.Analyzer, "a")
}
