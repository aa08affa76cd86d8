package loopcapture

import (
	_ "embed"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/silentfail/silentfail/internal/astq"
)

//go:embed doc.go
var doc string

// Analyzer is the loopcapture check.
var Analyzer = &analysis.Analyzer{
	Name:     "loopcapture",
	Doc:      astq.ExtractDoc(doc, "loopcapture"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/loopcapture",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	return nil, nil
}
