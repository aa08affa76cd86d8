package defergo

import (
	_ "embed"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/silentfail/silentfail/internal/astq"
)

//go:embed doc.go
var doc string

// Analyzer is the defergo check.
var Analyzer = &analysis.Analyzer{
	Name:     "defergo",
	Doc:      astq.ExtractDoc(doc, "defergo"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/defergo",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	return nil, nil
}
