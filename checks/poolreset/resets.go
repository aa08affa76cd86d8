// What counts as a reset: a Reset-like method, clear, truncation, a
// whole-value assignment, a helper that resets first.

package poolreset

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/pools"
)

func resetMethod(pass *analysis.Pass, t types.Type) *types.Func {
	for _, name := range []string{"Reset", "reset"} {
		obj, _, _ := types.LookupFieldOrMethod(t, true, pass.Pkg, name)
		if fn, ok := obj.(*types.Func); ok {
			return fn
		}
	}
	return nil
}

func hasMethod(pass *analysis.Pass, t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, pass.Pkg, name)
	_, ok := obj.(*types.Func)
	return ok
}

// resetName reports whether a method name says it puts the object back
// in a clean state: Reset, reset, resetState, Init, init, Clear, clear.
func resetName(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "reset") || l == "init" || l == "clear"
}

// isReset recognizes a call that resets the target or one of its
// fields: t.Reset(), t.Reset(w), t.reset(), t.init(...), t.f.Reset(),
// t.Truncate(0), clear(t).
func (c *checker) isReset(call *ast.CallExpr, t *pools.Target) bool {
	if isBuiltin(c.pass, call, "clear") && len(call.Args) == 1 {
		return t.Rooted(call.Args[0])
	}
	if c.resetsArgFirst(call, t) {
		return true
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || !t.Rooted(sel.X) {
		return false
	}
	fn := astq.Callee(c.pass, call)
	if fn == nil {
		return false
	}
	if t.Is(sel.X) && c.resetsFirst(fn) {
		return true
	}
	if fn.Name() == "Truncate" && len(call.Args) == 1 {
		tv := c.pass.TypesInfo.Types[call.Args[0]]
		return tv.Value != nil && constant.Sign(tv.Value) == 0
	}
	return resetName(fn.Name())
}

func isBuiltin(pass *analysis.Pass, call *ast.CallExpr, names ...string) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	return ok && slices.Contains(names, b.Name())
}

func isMake(pass *analysis.Pass, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && isBuiltin(pass, call, "make")
}

// truncated reports whether s is t[:0] or (*t)[:0].
func truncated(pass *analysis.Pass, s *ast.SliceExpr, t *pools.Target) bool {
	return t.Rooted(s.X) && zeroLen(pass, s)
}

func isAppend(pass *analysis.Pass, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && isBuiltin(pass, call, "append")
}

func truncatedExpr(pass *analysis.Pass, e ast.Expr, t *pools.Target) bool {
	s, ok := ast.Unparen(e).(*ast.SliceExpr)
	return ok && truncated(pass, s, t)
}

// truncatedAny reports whether e is x[:0] for any x.
func truncatedAny(pass *analysis.Pass, e ast.Expr) bool {
	s, ok := ast.Unparen(e).(*ast.SliceExpr)
	return ok && zeroLen(pass, s)
}

func zeroLen(pass *analysis.Pass, s *ast.SliceExpr) bool {
	if s.High == nil {
		return false
	}
	tv := pass.TypesInfo.Types[s.High]
	return tv.Value != nil && constant.Sign(tv.Value) == 0
}

// isZero reports whether e is a zero value: nil, 0, "", false, T{}.
func isZero(pass *analysis.Pass, e ast.Expr) bool {
	e = ast.Unparen(e)
	tv := pass.TypesInfo.Types[e]
	if tv.IsNil() {
		return true
	}
	if tv.Value != nil {
		switch tv.Value.Kind() {
		case constant.Bool:
			return !constant.BoolVal(tv.Value)
		case constant.String:
			return constant.StringVal(tv.Value) == ""
		case constant.Int, constant.Float, constant.Complex:
			return constant.Sign(tv.Value) == 0
		}
	}
	if cl, ok := e.(*ast.CompositeLit); ok && len(cl.Elts) == 0 {
		return true
	}
	return false
}

// resetsFirst reports whether fn is a method of this package whose
// first statement that refers to the receiver resets it:
// `func (c *Compressor) CompressBlock(...) { c.reset(); ... }`.
func (c *checker) resetsFirst(fn *types.Func) bool {
	d := c.decls.Of(fn)
	if d == nil || d.Body == nil || d.Recv == nil || len(d.Recv.List) != 1 || len(d.Recv.List[0].Names) != 1 {
		return false
	}
	return c.resetsParamFirst(d, c.pass.TypesInfo.Defs[d.Recv.List[0].Names[0]])
}

// resetsArgFirst reports whether call passes the target to a function
// of this package whose first statement that refers to that parameter
// resets it: `render(b, v)` with `func render(b *bytes.Buffer, v any) { b.Reset(); ... }`.
func (c *checker) resetsArgFirst(call *ast.CallExpr, t *pools.Target) bool {
	if !slices.ContainsFunc(call.Args, t.Is) {
		return false
	}
	fn := astq.Callee(c.pass, call)
	if fn == nil {
		return false
	}
	d := c.decls.Of(fn)
	if d == nil || d.Body == nil {
		return false
	}
	var params []types.Object
	for _, f := range d.Type.Params.List {
		for _, n := range f.Names {
			params = append(params, c.pass.TypesInfo.Defs[n])
		}
	}
	for i, a := range call.Args {
		if t.Is(a) && i < len(params) && c.resetsParamFirst(d, params[i]) {
			return true
		}
	}
	return false
}

func (c *checker) resetsParamFirst(d *ast.FuncDecl, v types.Object) bool {
	if v == nil {
		return false
	}
	if r, ok := c.firstReset[v]; ok {
		return r
	}
	r := c.resetsParamFirstUncached(d, v)
	c.firstReset[v] = r
	return r
}

func (c *checker) resetsParamFirstUncached(d *ast.FuncDecl, v types.Object) bool {
	t := pools.NewVarTarget(c.pass, v, nil)
	for _, st := range d.Body.List {
		if !t.Mentions(st) {
			continue
		}
		switch st := st.(type) {
		case *ast.RangeStmt:
			return c.deletesAll(st, t)
		case *ast.ExprStmt:
			call, ok := ast.Unparen(st.X).(*ast.CallExpr)
			if !ok {
				return false
			}
			if isBuiltin(c.pass, call, "clear") && len(call.Args) == 1 {
				return t.Is(call.Args[0])
			}
			sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
			m := astq.Callee(c.pass, call)
			return ok && m != nil && t.Is(sel.X) && resetName(m.Name())
		case *ast.AssignStmt:
			if savesFields(st, t) {
				continue // traces := req.Traces; req.Reset(); req.Traces = traces[:0]
			}
			return len(st.Lhs) == 1 && isStar(st.Lhs[0]) && t.Is(st.Lhs[0].(*ast.StarExpr).X)
		}
		return false
	}
	return false
}

// savesFields reports whether st only copies fields of t into new
// variables (bw := p.bw), to put them back after a full reset.
func savesFields(st *ast.AssignStmt, t *pools.Target) bool {
	if st.Tok != token.DEFINE || len(st.Lhs) != len(st.Rhs) {
		return false
	}
	for _, r := range st.Rhs {
		sel, ok := ast.Unparen(r).(*ast.SelectorExpr)
		if !ok || !t.Is(sel.X) {
			return false
		}
	}
	return true
}

// replacesWhole reports whether r, assigned to *p, is a new value that
// owes nothing to the pooled object: a conversion or a composite literal
// that does not mention it (*c = Chunk(b), *s = Slice{x}). This is
// rule "whole value replaced": the old contents are unreachable after.
func (c *checker) replacesWhole(r ast.Expr, t *pools.Target) bool {
	if t.Mentions(r) {
		return false
	}
	switch r := ast.Unparen(r).(type) {
	case *ast.CompositeLit:
		return true
	case *ast.CallExpr:
		tv, ok := c.pass.TypesInfo.Types[r.Fun]
		return ok && tv.IsType() && len(r.Args) == 1
	}
	return false
}

// deletesAll recognizes `for k := range m { delete(m, k) }` on the
// target: rule "delete loop empties the map", the form of clear(m)
// that predates Go 1.21.
func (c *checker) deletesAll(r *ast.RangeStmt, t *pools.Target) bool {
	if !t.Is(r.X) || r.Key == nil || len(r.Body.List) != 1 {
		return false
	}
	es, ok := r.Body.List[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := ast.Unparen(es.X).(*ast.CallExpr)
	if !ok || !isBuiltin(c.pass, call, "delete") || len(call.Args) != 2 || !t.Is(call.Args[0]) {
		return false
	}
	key, ok := ast.Unparen(r.Key).(*ast.Ident)
	arg, ok2 := ast.Unparen(call.Args[1]).(*ast.Ident)
	return ok && ok2 && c.pass.TypesInfo.ObjectOf(key) != nil && c.pass.TypesInfo.ObjectOf(key) == c.pass.TypesInfo.ObjectOf(arg)
}
