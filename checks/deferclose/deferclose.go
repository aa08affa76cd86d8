package deferclose

import (
	_ "embed"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/silentfail/silentfail/internal/astq"
)

//go:embed doc.go
var doc string

// Analyzer is the deferclose check.
var Analyzer = &analysis.Analyzer{
	Name:     "deferclose",
	Doc:      astq.ExtractDoc(doc, "deferclose"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferclose",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	return nil, nil
}
