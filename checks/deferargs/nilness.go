package deferargs

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/silentfail/silentfail/internal/astq"
)

// Rule "wrapping keeps nil-ness": a deferred call that only asks
// whether an error is nil (defer publish(newEvent(err == nil))) gets
// the right answer at the defer statement when every later write of
// the error wraps it where it is already non-nil:
//
//	err := r.register(u)
//	defer publish(event(err == nil, start))
//	if err != nil {
//		err = fmt.Errorf("register %v: %w", u, err)
//	}
//
// A wrapper returns a non-nil error for a non-nil one, and the branch
// never runs for a nil one, so err == nil has one value from the defer
// to the return. A write that may turn a non-nil error into nil (a
// filter such as ignoreNotFound(err), a plain assignment) or that runs
// whatever the error (an unguarded fmt.Errorf) still counts.

// nilComparedOnly returns the error variables that the arguments read
// only as an operand of == nil or != nil.
func (c *checker) nilComparedOnly(args []ast.Expr) map[*types.Var]bool {
	inCmp := make(map[*ast.Ident]bool)
	for _, arg := range args {
		inspectNoLits(arg, func(n ast.Node) bool {
			if v, _ := c.nilComparison(n); v != nil {
				inCmp[v] = true
			}
			return true
		})
	}
	only := make(map[*types.Var]bool)
	other := make(map[*types.Var]bool)
	for _, arg := range args {
		inspectNoLits(arg, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			v, ok := c.pass.TypesInfo.Uses[id].(*types.Var)
			if !ok || !astq.IsErrorType(v.Type()) {
				return true
			}
			if inCmp[id] {
				only[v] = true
			} else {
				other[v] = true
			}
			return true
		})
	}
	for v := range other {
		delete(only, v)
	}
	return only
}

// nilComparison returns the identifier compared with nil by n (x == nil,
// nil != x) and the operator, or nil.
func (c *checker) nilComparison(n ast.Node) (*ast.Ident, token.Token) {
	e, ok := n.(ast.Expr)
	if !ok {
		return nil, 0 // inspectNoLits also visits fields and the like
	}
	x, op, ok := astq.NilComparison(c.pass, e)
	if !ok {
		return nil, 0
	}
	id, ok := x.(*ast.Ident)
	if !ok {
		return nil, 0
	}
	return id, op
}

// wrapsWhenNonNil reports whether the write w of v assigns a wrapper
// of v (see isWrap) inside the branch where v is non-nil: the body of
// `if v != nil` or the else of `if v == nil`, the nearest if around the
// write that compares v with nil (ifs on other conditions in between,
// if x { err = wrap(err) } inside it, keep the write in that branch).
func (c *checker) wrapsWhenNonNil(v *types.Var, w write) bool {
	if w.rhs == nil || !c.isWrap(v, w.rhs) {
		return false
	}
	at, ok := c.fn.FindByPos(w.pos, w.pos)
	if !ok {
		return false
	}
	for ifc := range at.Enclosing((*ast.IfStmt)(nil), (*ast.FuncLit)(nil)) {
		ifs, ok := ifc.Node().(*ast.IfStmt)
		if !ok {
			return false // a function literal may run anywhere
		}
		if ifs.Init != nil && ifs.Init.Pos() <= w.pos && w.pos < ifs.Init.End() {
			continue
		}
		id, op := c.nilComparison(ast.Unparen(ifs.Cond))
		if id == nil || c.pass.TypesInfo.Uses[id] != v {
			continue
		}
		inBody := ifs.Body.Pos() <= w.pos && w.pos < ifs.Body.End()
		inElse := ifs.Else != nil && ifs.Else.Pos() <= w.pos && w.pos < ifs.Else.End()
		return (op == token.NEQ && inBody) || (op == token.EQL && inElse)
	}
	return false
}

// wrapNames are the wrapping functions of the common error packages
// (github.com/pkg/errors, github.com/cockroachdb/errors, juju and
// pingcap's errors): each returns a non-nil error for a non-nil first
// argument.
var wrapNames = map[string]bool{
	"Wrap": true, "Wrapf": true, "WithMessage": true, "WithMessagef": true,
	"WithStack": true, "Annotate": true, "Annotatef": true, "Trace": true,
}

// isWrap reports whether e returns a non-nil error whenever v is
// non-nil: fmt.Errorf (never nil) or errors.Join with v among the
// arguments, or a wrapping function of an errors package (see
// wrapNames) with v as its first argument.
func (c *checker) isWrap(v *types.Var, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn := astq.Callee(c.pass, call)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	isV := func(a ast.Expr) bool {
		id, ok := ast.Unparen(a).(*ast.Ident)
		return ok && c.pass.TypesInfo.Uses[id] == v
	}
	path, name := fn.Pkg().Path(), fn.Name()
	switch {
	case path == "fmt" && name == "Errorf", path == "errors" && name == "Join":
		for _, a := range call.Args {
			if isV(a) {
				return true
			}
		}
		return false
	case (path == "errors" || strings.HasSuffix(path, "/errors")) && wrapNames[name]:
		return len(call.Args) > 0 && isV(call.Args[0])
	}
	return false
}
