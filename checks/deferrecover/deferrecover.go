package deferrecover

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports recover calls that cannot stop a panic.
var Analyzer = &analysis.Analyzer{
	Name:     "deferrecover",
	Doc:      astq.ExtractDoc(doc, "deferrecover"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferrecover",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	decls := make(map[*types.Func]*ast.FuncDecl)
	hasRecover := false
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.CallExpr)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.FuncDecl:
			if fn, ok := pass.TypesInfo.Defs[n.Name].(*types.Func); ok && n.Body != nil {
				decls[fn] = n
			}
		case *ast.CallExpr:
			if isRecover(pass, n) {
				hasRecover = true
			}
		}
	}
	if !hasRecover {
		return nil, nil // nothing in this package calls recover
	}
	pass = suppress.Filter(pass)

	// recoverers are the package's functions that call recover directly.
	recoverers := make(map[*types.Func]bool)
	for fn, decl := range decls {
		if callsDirectly(pass, decl.Body, func(c *ast.CallExpr) bool { return isRecover(pass, c) }) {
			recoverers[fn] = true
		}
	}

	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		def := cur.Node().(*ast.DeferStmt)
		if isRecover(pass, def.Call) {
			pass.Report(analysis.Diagnostic{
				Pos: def.Pos(),
				End: def.End(),
				Message: "defer recover() does not stop a panic: recover is the deferred call itself, not called by a deferred function, so it returns nil and the panic goes on " +
					"(call it inside a deferred function literal and handle what it returns)",
			})
			continue
		}
		var body *ast.BlockStmt
		deferredName := ""
		switch fun := ast.Unparen(def.Call.Fun).(type) {
		case *ast.FuncLit:
			body = fun.Body
			deferredName = "a deferred closure"
		default:
			if fn := astq.Callee(pass, def.Call); fn != nil && decls[fn] != nil && !recoverers[fn] {
				body = decls[fn].Body
				deferredName = fmt.Sprintf("%s, which is deferred,", fn.Name())
			}
		}
		if body == nil {
			continue
		}
		callsDirectly(pass, body, func(c *ast.CallExpr) bool {
			fn := astq.Callee(pass, c)
			if fn == nil || !recoverers[fn] {
				return false
			}
			d := analysis.Diagnostic{
				Pos: c.Pos(),
				End: c.End(),
				Message: fmt.Sprintf("%s() is called from %s instead of being deferred itself: its recover() returns nil and the panic keeps crashing the process (defer %s(...) directly)",
					fn.Name(), deferredName, fn.Name()),
			}
			if lit, ok := ast.Unparen(def.Call.Fun).(*ast.FuncLit); ok && len(def.Call.Args) == 0 {
				if fix, ok := deferDirectly(pass, cur, lit, c); ok {
					d.SuggestedFixes = []analysis.SuggestedFix{fix}
				}
			}
			pass.Report(d)
			return false
		})
	}
	return nil, nil
}

// isRecover reports whether call is a call of the builtin recover.
func isRecover(pass *analysis.Pass, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	return ok && b.Name() == "recover"
}

// callsDirectly calls match for each call made by the function body
// itself: not in nested function literals (another function), and not
// the calls of its own defer statements (those are deferred functions
// in their own right). It reports whether match returned true once.
func callsDirectly(pass *analysis.Pass, body *ast.BlockStmt, match func(*ast.CallExpr) bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			// The deferred call's arguments are evaluated here, by
			// this function; the call itself is not.
			for _, a := range n.Call.Args {
				ast.Inspect(a, func(m ast.Node) bool {
					if c, ok := m.(*ast.CallExpr); ok && match(c) {
						found = true
					}
					_, lit := m.(*ast.FuncLit)
					return !lit
				})
			}
			return false
		case *ast.CallExpr:
			if match(n) {
				found = true
			}
		}
		return true
	})
	return found
}

// deferDirectly offers to rewrite `defer func() { h(args) }()` as
// `defer h(args)` when the closure holds only that call and deferring it
// evaluates the same values: every argument, and the receiver of a
// method, is a constant or a variable not assigned after the defer.
func deferDirectly(pass *analysis.Pass, cur inspector.Cursor, lit *ast.FuncLit, call *ast.CallExpr) (analysis.SuggestedFix, bool) {
	if len(lit.Body.List) != 1 {
		return analysis.SuggestedFix{}, false
	}
	stmt, ok := lit.Body.List[0].(*ast.ExprStmt)
	if !ok || ast.Unparen(stmt.X) != call {
		return analysis.SuggestedFix{}, false
	}
	fc, _, fbody := astq.EnclosingFunc(cur)
	if !fc.Valid() {
		return analysis.SuggestedFix{}, false
	}
	// In a loop, a variable assigned before the defer statement may
	// still change before the return; keep it simple and offer nothing.
	for c := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch c.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			if fc.Contains(c) {
				return analysis.SuggestedFix{}, false
			}
		}
	}
	def := cur.Node().(*ast.DeferStmt)
	exprs := append([]ast.Expr{}, call.Args...)
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if _, isMethod := pass.TypesInfo.Selections[sel]; isMethod {
			exprs = append(exprs, sel.X)
		}
	}
	for _, e := range exprs {
		if !stable(pass, e, fbody, def.End()) {
			return analysis.SuggestedFix{}, false
		}
	}
	return analysis.SuggestedFix{
		Message: "Defer the recovering function directly",
		TextEdits: []analysis.TextEdit{{
			Pos:     def.Call.Pos(),
			End:     def.Call.End(),
			NewText: []byte(types.ExprString(call)),
		}},
	}, true
}

// stable reports whether e has the same value at every point after pos
// in body: a constant, or a chain of fields of a variable that nothing
// assigns (or takes the address of) after pos.
func stable(pass *analysis.Pass, e ast.Expr, body *ast.BlockStmt, pos token.Pos) bool {
	if tv, ok := pass.TypesInfo.Types[e]; ok && tv.Value != nil {
		return true
	}
	for x := ast.Unparen(e); ; {
		switch y := x.(type) {
		case *ast.SelectorExpr:
			x = ast.Unparen(y.X)
			continue
		case *ast.Ident:
			v, ok := pass.TypesInfo.Uses[y].(*types.Var)
			if !ok {
				return false
			}
			return !assignedAfter(pass, v, body, pos)
		}
		return false
	}
}

func assignedAfter(pass *analysis.Pass, v *types.Var, body *ast.BlockStmt, pos token.Pos) bool {
	assigned := false
	is := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && pass.TypesInfo.ObjectOf(id) == v
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil || assigned {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Pos() > pos {
				for _, l := range n.Lhs {
					if is(l) {
						assigned = true
					}
				}
			}
		case *ast.IncDecStmt:
			if n.Pos() > pos && is(n.X) {
				assigned = true
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && is(n.X) {
				assigned = true // may be changed through the pointer
			}
		case *ast.RangeStmt:
			if n.Pos() > pos && (is(n.Key) || (n.Value != nil && is(n.Value))) {
				assigned = true
			}
		}
		return true
	})
	return assigned
}
