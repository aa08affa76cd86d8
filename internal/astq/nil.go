package astq

import (
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"
)

// IsNil reports whether e is the untyped nil (parentheses aside).
func IsNil(pass *analysis.Pass, e ast.Expr) bool {
	if e == nil {
		return false
	}
	tv, ok := pass.TypesInfo.Types[ast.Unparen(e)]
	return ok && tv.IsNil()
}

// NilComparison reports whether e compares an operand with nil (x ==
// nil, nil != x, parentheses aside), and returns that operand without
// its parentheses and the operator, token.EQL or token.NEQ.
func NilComparison(pass *analysis.Pass, e ast.Expr) (x ast.Expr, op token.Token, ok bool) {
	b, isBin := ast.Unparen(e).(*ast.BinaryExpr)
	if !isBin || (b.Op != token.EQL && b.Op != token.NEQ) {
		return nil, 0, false
	}
	x, y := ast.Unparen(b.X), ast.Unparen(b.Y)
	if IsNil(pass, x) {
		x, y = y, x
	}
	if !IsNil(pass, y) || IsNil(pass, x) {
		return nil, 0, false
	}
	return x, b.Op, true
}
