package lockorder

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/locks"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports two mutexes taken in opposite orders.
var Analyzer = &analysis.Analyzer{
	Name:     "lockorder",
	Doc:      astq.ExtractDoc(doc, "lockorder"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/lockorder",
	Requires: []*analysis.Analyzer{inspect.Analyzer, locks.Analyzer},
	Run:      run,
}

// An order is one place where `first` is held while `second` is taken.
type order struct {
	first, second string // lock classes
	at            token.Pos
	fn            string
	readOnly      bool // both taken as read locks
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	res := pass.ResultOf[locks.Analyzer].(*locks.Result)

	var orders []order
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		fn := cur.Node()
		if !res.MayLock(fn) || astq.InTestBody(pass, cur) {
			continue // rule "test bodies" too
		}
		name := astq.FuncName(cur)
		res.Acquisitions(fn, func(a locks.Acquisition, held map[locks.Key]locks.Held) {
			second, ok := res.Class(a.Key) // rule "locals have no order"
			if !ok {
				return
			}
			for k, h := range held {
				first, ok := res.Class(k)
				if !ok || first == second {
					continue // rule "one type, one order"
				}
				orders = append(orders, order{first: first, second: second, at: a.Call.Pos(), fn: name,
					readOnly: h.Mode == locks.Read && a.Mode == locks.Read})
			}
		})
	}
	// Report each pair once, at the later place, naming the earlier one.
	sort.Slice(orders, func(i, j int) bool { return orders[i].at < orders[j].at })
	seen := map[[2]string]order{}
	reported := map[[2]string]bool{}
	for _, o := range orders {
		if o.readOnly {
			continue
		}
		if _, ok := seen[[2]string{o.first, o.second}]; !ok {
			seen[[2]string{o.first, o.second}] = o
		}
	}
	for _, o := range orders {
		if o.readOnly {
			continue // rule "readers share"
		}
		pair := [2]string{o.first, o.second}
		other, ok := seen[[2]string{o.second, o.first}]
		if !ok || reported[pair] || reported[[2]string{o.second, o.first}] || other.at > o.at {
			continue
		}
		reported[pair] = true
		p := pass.Fset.Position(other.at)
		pass.Report(analysis.Diagnostic{
			Pos: o.at,
			Message: fmt.Sprintf("%s takes %s while holding %s, but %s takes them the other way round (%s:%d): two goroutines running both can each hold one and wait for the other forever (take them in one order everywhere, or release %s first)",
				o.fn, o.second, o.first, other.fn, filepath.Base(p.Filename), p.Line, o.first),
		})
	}
	return nil, nil
}
