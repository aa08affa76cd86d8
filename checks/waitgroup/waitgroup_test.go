package waitgroup_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/waitgroup"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), waitgroup.Analyzer, "a")
}
