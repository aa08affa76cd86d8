package deferloop

import (
	"go/ast"
	"go/token"
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
// closes w, and the condition of `for rows.Next() { … }` with no break
// for defer rows.Close() (see readToEnd). Nil when there is nothing to
// look for.
func explicitRelease(pass *analysis.Pass, def *ast.DeferStmt, loop ast.Stmt) func(ast.Node) bool {
	exhausted := readToEnd(pass, def, loop)
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
		if exhausted[call] {
			return true
		}
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

// readToEnd (rule "rows read to the end") finds, for defer rows.Close() on a *sql.Rows (or a type
// embedding one), the loops `for rows.Next() { … }` in the body of loop
// that nothing breaks out of, and returns their conditions. Leaving such
// a loop other than by return or panic means Next returned false, and
// database/sql closes the rows then, handing the connection back: the
// deferred Close that piles up is a no-op.
func readToEnd(pass *analysis.Pass, def *ast.DeferStmt, loop ast.Stmt) map[*ast.CallExpr]bool {
	sel, ok := ast.Unparen(def.Call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Close" || !isSQLRows(pass.TypesInfo.TypeOf(sel.X)) {
		return nil
	}
	var out map[*ast.CallExpr]bool
	ast.Inspect(astq.LoopBody(loop), func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		f, ok := n.(*ast.ForStmt)
		if !ok || f.Init != nil || f.Post != nil {
			return true
		}
		cond, ok := ast.Unparen(f.Cond).(*ast.CallExpr)
		if !ok || len(cond.Args) != 0 {
			return true
		}
		next, ok := ast.Unparen(cond.Fun).(*ast.SelectorExpr)
		if !ok || next.Sel.Name != "Next" || !astq.SameExpr(pass, next.X, sel.X) || leftEarly(f) {
			return true
		}
		if out == nil {
			out = make(map[*ast.CallExpr]bool)
		}
		out[cond] = true
		return true
	})
	return out
}

// isSQLRows reports whether t is *sql.Rows or a pointer to a struct
// embedding it (sqlx.Rows).
func isSQLRows(t types.Type) bool {
	if astq.IsNamedType(t, "database/sql", "Rows") {
		return true
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for f := range st.Fields() {
		if f.Embedded() && astq.IsNamedType(f.Type(), "database/sql", "Rows") {
			return true
		}
	}
	return false
}

// leftEarly reports whether a break or goto can leave loop f before its
// condition is false: an unlabeled break not inside a nested for, range,
// switch or select, a break or continue naming any label, or any goto.
func leftEarly(f *ast.ForStmt) bool {
	found := false
	var walk func(n ast.Node, nested bool)
	walk = func(n ast.Node, nested bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			if found || m == nil {
				return false
			}
			switch m := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if m != n {
					walk(m, true)
					return false
				}
			case *ast.BranchStmt:
				switch {
				case m.Tok == token.GOTO, m.Tok == token.BREAK && (m.Label != nil || !nested),
					m.Tok == token.CONTINUE && m.Label != nil:
					found = true
				}
			}
			return true
		})
	}
	walk(f.Body, false)
	return found
}
