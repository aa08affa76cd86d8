package unreleased

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// The rules by which the resource walk leaves a value alone (doc.go,
// "Files, connections, rows, transactions and responses").

// capturedElsewhere reports whether a function literal of the body
// refers to the variable, other than a deferred one that releases it.
func (h *held) capturedElsewhere(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.DeferStmt:
			if lit, ok := n.Call.Fun.(*ast.FuncLit); ok && h.releasesIn(lit.Body) {
				return false // a deferred release: paths handles it
			}
		case *ast.FuncLit:
			if mentionsVar(h.pass.TypesInfo, n.Body, h.v) {
				found = true
			}
			return false
		}
		return true
	})
	return found
}

// deferredBefore reports whether a deferred release of the variable
// comes before the acquire: `var f *os.File; defer func() { if f !=
// nil { f.Close() } }()` closes whatever f holds when the function
// returns.
func (h *held) deferredBefore(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found || n == nil || n.Pos() >= h.assign.Pos() {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if d, ok := n.(*ast.DeferStmt); ok {
			if h.isRelease(d.Call) {
				found = true
			} else if lit, ok := d.Call.Fun.(*ast.FuncLit); ok && h.releasesIn(lit.Body) {
				found = true
			}
			return false
		}
		return true
	})
	return found
}

// flagged reports whether a release of the variable is guarded by a
// boolean variable (if didOpen { f.Close() }): the function keeps track
// of whether it owns the value, which the walk does not follow.
func (h *held) flagged(body *ast.BlockStmt) bool {
	info := h.pass.TypesInfo
	found := false
	var conds []ast.Expr
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.IfStmt:
			if n.Init != nil {
				ast.Inspect(n.Init, visit)
			}
			conds = append(conds, n.Cond)
			ast.Inspect(n.Body, visit)
			conds = conds[:len(conds)-1]
			if n.Else != nil {
				conds = append(conds, n.Cond)
				ast.Inspect(n.Else, visit)
				conds = conds[:len(conds)-1]
			}
			return false
		case *ast.CallExpr:
			if !h.isRelease(n) {
				return true
			}
			for _, c := range conds {
				ast.Inspect(c, func(m ast.Node) bool {
					id, ok := m.(*ast.Ident)
					if !ok {
						return true
					}
					if v, ok := info.Uses[id].(*types.Var); ok && v != h.v && v != h.err && !v.IsField() {
						if b, ok := v.Type().Underlying().(*types.Basic); ok && b.Kind() == types.Bool {
							found = true
						}
					}
					return true
				})
			}
		}
		return true
	}
	ast.Inspect(body, visit)
	return found
}

// retried reports whether the acquire sits in a loop and assigns a
// variable declared outside it: a retry loop (for { resp, err = Do();
// if err != nil { continue }; ...; break }) whose state after the loop
// the walk cannot tell apart.
func (h *held) retried(fn ast.Node) bool {
	body, _ := bodyAndGraph(h.flow, fn)
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found || n == nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		var loop ast.Node
		switch n := n.(type) {
		case *ast.ForStmt:
			loop = n.Body
		case *ast.RangeStmt:
			loop = n.Body
		}
		if loop != nil && loop.Pos() <= h.assign.Pos() && h.assign.End() <= loop.End() &&
			!(loop.Pos() <= h.v.Pos() && h.v.Pos() < loop.End()) {
			found = true
		}
		return true
	})
	return found
}

// harmlessUse reports whether the use of the variable at the top of the
// stack leaves the resource with this function: a method call, a field
// read, a comparison with nil, or an argument to a standard function
// that cannot close it. Anything else (a return, a store, an argument
// to the package's own or another module's function) hands it on.
func (h *held) harmlessUse(stack []ast.Node) bool {
	info := h.pass.TypesInfo
	at := len(stack) - 1
	use := stack[at].(ast.Expr)
	parent := func(i int) ast.Node {
		if i < 0 {
			return nil
		}
		return stack[i]
	}
	p := parent(at - 1)
	if pe, ok := p.(*ast.ParenExpr); ok {
		use, at, p = pe, at-1, parent(at-2)
	}
	switch p := p.(type) {
	case *ast.SelectorExpr:
		sel := info.Selections[p]
		if sel == nil {
			return false
		}
		if call, ok := parent(at - 2).(*ast.CallExpr); ok && call.Fun == p {
			return true // a method call: v.Read(...), v.Close()
		}
		if sel.Kind() != types.FieldVal {
			return false // a method value: v.Close may run anywhere
		}
		// A field (resp.Body): read here, or given to a call.
		switch gp := parent(at - 2).(type) {
		case *ast.SelectorExpr:
			return true // resp.Body.Close(), resp.Header.Get(...)
		case *ast.CallExpr:
			if !canClose(info.TypeOf(p)) {
				return true // resp.Status, resp.Header: data, not the body
			}
			return h.keptByCall(gp, p)
		case *ast.AssignStmt, *ast.ReturnStmt, *ast.CompositeLit, *ast.KeyValueExpr, *ast.SendStmt, *ast.UnaryExpr:
			return false
		}
		return true
	case *ast.BinaryExpr:
		return true // v == nil, v != other
	case *ast.CallExpr:
		return h.keptByCall(p, use)
	}
	return false
}

// ownersOfArgs are standard functions that take over what they are
// given, though the parameter has no Close method.
var ownersOfArgs = map[string]bool{
	"net/http.NewRequest":            true, // the client closes the body
	"net/http.NewRequestWithContext": true,
	"runtime.SetFinalizer":           true,
	"runtime.AddCleanup":             true,
}

// keptByCall reports whether passing arg to call leaves the resource
// with the caller: a standard function whose parameter has no Close
// method (io.Reader, io.Writer...) only reads or writes it.
func (h *held) keptByCall(call *ast.CallExpr, arg ast.Expr) bool {
	if call.Fun == arg {
		return false
	}
	fn, ok := typeutil.Callee(h.pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Pkg() == nil || !isStd(fn.Pkg().Path()) || ownersOfArgs[fn.FullName()] {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok {
		return false
	}
	idx := -1
	for k, a := range call.Args {
		if a == arg {
			idx = k
		}
	}
	if idx < 0 {
		return false
	}
	var pt types.Type
	switch {
	case sig.Variadic() && idx >= sig.Params().Len()-1:
		pt = sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
	case idx < sig.Params().Len():
		pt = sig.Params().At(idx).Type()
	default:
		return false
	}
	if it, ok := pt.Underlying().(*types.Interface); ok && it.Empty() {
		return false // any: stored (sync.Map, context values) as likely as printed
	}
	obj, _, _ := types.LookupFieldOrMethod(pt, true, nil, "Close")
	return obj == nil
}

// canClose reports whether a value of type t may be closed: an
// interface, or a type with a Close method.
func canClose(t types.Type) bool {
	if t == nil {
		return true
	}
	if _, ok := t.Underlying().(*types.Interface); ok {
		return true
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Close")
	return obj != nil
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
