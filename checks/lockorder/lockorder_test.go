package lockorder_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/lockorder"
	"github.com/silentfail/silentfail/internal/checktest"
	"golang.org/x/tools/go/analysis/analysistest"
)

func Test(t *testing.T) {
	checktest.Run(t, analysistest.TestData(), lockorder.Analyzer, "a")
}
