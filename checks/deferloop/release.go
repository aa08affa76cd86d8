package deferloop

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
)

// releaseNames are the methods that release what a deferred call
// releases, by the name of the deferred method: a committed
// transaction needs no rollback.
var releaseNames = map[string][]string{
	"Rollback": {"Rollback", "Commit"},
}

// releaseMethods are the method names that, called inside a deferred
// function literal, say what the literal releases.
var releaseMethods = []string{"Close", "Unlock", "RUnlock", "Rollback", "Stop", "Release", "End", "Finish", "Done", "Cancel"}

type target struct {
	recv  ast.Expr // x in x.Close(); nil for a function value
	names []string
	fun   types.Object // cancel in cancel()
}

// explicitRelease returns a predicate that recognizes, in a statement
// of the loop body, an explicit call releasing what def releases:
// f.Close() for defer f.Close(), tx.Commit() for defer tx.Rollback(),
// cancel() for defer cancel(), w.Close() for a deferred literal that
// closes w. Nil when there is nothing to look for.
func explicitRelease(pass *analysis.Pass, def *ast.DeferStmt) func(ast.Node) bool {
	var targets []target
	add := func(call *ast.CallExpr, fromLit bool) {
		switch fun := ast.Unparen(call.Fun).(type) {
		case *ast.SelectorExpr:
			if _, isMethod := pass.TypesInfo.Selections[fun]; !isMethod {
				return
			}
			name := fun.Sel.Name
			if fromLit && !slices.Contains(releaseMethods, name) {
				return
			}
			names := releaseNames[name]
			if names == nil {
				names = []string{name}
			}
			targets = append(targets, target{recv: fun.X, names: names})
		case *ast.Ident:
			if v, ok := pass.TypesInfo.Uses[fun].(*types.Var); ok {
				targets = append(targets, target{fun: v})
			}
		}
	}
	if lit, ok := ast.Unparen(def.Call.Fun).(*ast.FuncLit); ok {
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				add(n, true)
			}
			return true
		})
	} else {
		add(def.Call, false)
	}
	if len(targets) == 0 {
		return nil
	}
	matches := func(call *ast.CallExpr) bool {
		for _, t := range targets {
			switch fun := ast.Unparen(call.Fun).(type) {
			case *ast.SelectorExpr:
				if t.recv != nil && slices.Contains(t.names, fun.Sel.Name) && astq.SameExpr(pass, fun.X, t.recv) {
					return true
				}
			case *ast.Ident:
				if t.fun != nil && pass.TypesInfo.Uses[fun] == t.fun {
					return true
				}
			}
		}
		return false
	}
	return func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit, *ast.DeferStmt, *ast.GoStmt:
				return false
			case *ast.CallExpr:
				found = found || matches(n)
			}
			return !found
		})
		return found
	}
}

// repeatsUnreleased is repeats, except that a path that explicitly
// releases what the defer releases (f.Close() before the next
// iteration, the defer being a safety net for the early returns) does
// not count: on that path nothing piles up but an empty deferred call.
func (g *graph) repeatsUnreleased(from *cfg.Block, def *ast.DeferStmt, loop ast.Stmt, released func(ast.Node) bool) bool {
	if released == nil {
		return true
	}
	after := false
	for _, n := range from.Nodes {
		if after && released(n) {
			return false
		}
		after = after || n == def
	}
	body := astq.LoopBody(loop)
	seen := make(map[*cfg.Block]bool)
	stack := append([]*cfg.Block(nil), from.Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if isHead(b, loop) {
			return true
		}
		if !inside(b, loop, body) || slices.ContainsFunc(b.Nodes, released) {
			continue
		}
		stack = append(stack, b.Succs...)
	}
	return false
}
