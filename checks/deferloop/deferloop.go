package deferloop

import (
	_ "embed"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/silentfail/silentfail/internal/astq"
)

//go:embed doc.go
var doc string

// Analyzer is the deferloop check.
var Analyzer = &analysis.Analyzer{
	Name:     "deferloop",
	Doc:      astq.ExtractDoc(doc, "deferloop"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferloop",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	return nil, nil
}
