package deferrecover

import (
	_ "embed"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/silentfail/silentfail/internal/astq"
)

//go:embed doc.go
var doc string

// Analyzer is the deferrecover check.
var Analyzer = &analysis.Analyzer{
	Name:     "deferrecover",
	Doc:      astq.ExtractDoc(doc, "deferrecover"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferrecover",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	return nil, nil
}
