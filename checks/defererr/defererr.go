package defererr

import (
	_ "embed"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/silentfail/silentfail/internal/astq"
)

//go:embed doc.go
var doc string

// Analyzer is the defererr check.
var Analyzer = &analysis.Analyzer{
	Name:     "defererr",
	Doc:      astq.ExtractDoc(doc, "defererr"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/defererr",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	return nil, nil
}
