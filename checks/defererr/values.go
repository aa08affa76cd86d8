package defererr

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

// derivedFrom reports whether rhs is a variable of the closure that is
// computed from res: `wrapped := fmt.Errorf("...: %w", err); err =
// wrapped` keeps the old error.
//
// Rule "accumulator seeded with the error": a method called on such a
// variable keeps it too: `errs := multierror.New(err); errs.Add(cerr);
// err = errs.Err()`.
func derivedFrom(pass *analysis.Pass, body *ast.BlockStmt, rhs ast.Expr, res *types.Var) bool {
	if call, ok := ast.Unparen(rhs).(*ast.CallExpr); ok {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			if _, isMethod := pass.TypesInfo.Selections[sel]; isMethod {
				rhs = sel.X
			}
		}
	}
	id, ok := ast.Unparen(rhs).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || !astq.DeclaredIn(v, body) {
		return false
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				lid, ok := ast.Unparen(l).(*ast.Ident)
				if !ok || pass.TypesInfo.ObjectOf(lid) != v {
					continue
				}
				switch {
				case len(n.Rhs) == len(n.Lhs):
					found = found || reads(pass, n.Rhs[i], res)
				case len(n.Rhs) == 1:
					found = found || reads(pass, n.Rhs[0], res)
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if pass.TypesInfo.Defs[name] == v && i < len(n.Values) && reads(pass, n.Values[i], res) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// nonNil reports whether e is surely a non-nil error, so that the
// function still fails, with another error: fmt.Errorf, errors.New, a
// composite literal or its address, or a package-level error variable
// (a sentinel such as io.ErrUnexpectedEOF).
func nonNil(pass *analysis.Pass, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		return true
	case *ast.UnaryExpr:
		_, lit := ast.Unparen(e.X).(*ast.CompositeLit)
		return e.Op == token.AND && lit
	case *ast.CallExpr:
		fn := astq.Callee(pass, e)
		return astq.IsFunc(fn, "fmt", "Errorf") || astq.IsFunc(fn, "errors", "New")
	case *ast.Ident:
		return sentinel(pass, e)
	case *ast.SelectorExpr:
		if _, isField := pass.TypesInfo.Selections[e]; isField {
			return false
		}
		return sentinel(pass, e.Sel)
	}
	return false
}

// sentinel reports whether id is a package-level variable.
func sentinel(pass *analysis.Pass, id *ast.Ident) bool {
	v, ok := pass.TypesInfo.Uses[id].(*types.Var)
	return ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope()
}
