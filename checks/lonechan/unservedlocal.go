package lonechan

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// A local channel nobody serves: made in the function, received from,
// and given only to the package's own functions that themselves only
// receive from it. Nothing can ever send on it or close it, so a
// receive outside a select waits forever, buffered or not.

type use int

const (
	useHarmless use = iota
	useRecv         // a blocking receive or range
	useServed       // a send or close
	useHanded       // anything that may reach someone who sends or closes
)

// useOfVar says how the mention of a channel variable at cur is used;
// for a call argument of the package's own function it follows the
// parameter into the callee, one level deep (depth).
func useOfVar(pass *analysis.Pass, ins *inspector.Inspector, cur inspector.Cursor, comms map[ast.Node]bool, decls map[*types.Func]*ast.FuncDecl, depth int) (use, ast.Node) {
	me, parent := outsideParens(cur)
	switch p := parent.Node().(type) {
	case *ast.SendStmt:
		if p.Chan == me {
			return useServed, p
		}
	case *ast.UnaryExpr:
		if p.Op == token.ARROW {
			if comms[p] {
				return useHarmless, p
			}
			return useRecv, p
		}
	case *ast.RangeStmt:
		if p.X == me {
			return useRecv, p
		}
	case *ast.BinaryExpr:
		if pass.TypesInfo.Types[p.X].IsNil() || pass.TypesInfo.Types[p.Y].IsNil() {
			return useHarmless, nil
		}
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l == me {
				return useHanded, nil // reassigned: another channel from here on
			}
		}
	case *ast.CallExpr:
		if id, ok := ast.Unparen(p.Fun).(*ast.Ident); ok {
			if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok {
				switch b.Name() {
				case "close":
					return useServed, p
				case "len", "cap":
					return useHarmless, nil
				}
			}
		}
		if depth > 0 {
			break
		}
		fn := typeutil.StaticCallee(pass.TypesInfo, p)
		d := decls[fn]
		if d == nil || d.Body == nil {
			break
		}
		sig := fn.Type().(*types.Signature)
		if sig.Variadic() {
			break
		}
		for i, a := range p.Args {
			if a != me || i >= sig.Params().Len() {
				continue
			}
			param := sig.Params().At(i)
			return paramUse(pass, ins, d, param, comms, decls), nil
		}
	}
	return useHanded, nil
}

// paramUse sums up what a callee does with a channel parameter: served
// if it sends or closes, handed if it may give it on, harmless if it
// only receives (its own receives are its business).
func paramUse(pass *analysis.Pass, ins *inspector.Inspector, d *ast.FuncDecl, param *types.Var, comms map[ast.Node]bool, decls map[*types.Func]*ast.FuncDecl) use {
	if param.Name() == "" || param.Name() == "_" {
		return useHarmless
	}
	worst := useHarmless
	root, ok := ins.Root().FindNode(d)
	if !ok {
		return useHanded
	}
	for cur := range root.Preorder((*ast.Ident)(nil)) {
		if pass.TypesInfo.Uses[cur.Node().(*ast.Ident)] != types.Object(param) {
			continue
		}
		u, _ := useOfVar(pass, ins, cur, comms, decls, 1)
		switch u {
		case useServed:
			return useServed
		case useHanded:
			worst = useHanded
		}
	}
	return worst
}

// checkUnservedLocals reports blocking receives from a channel made in
// a function when nothing can ever send on it or close it (rule
// "nobody can serve it": any send, close, or use that may hand it to
// code that could, keeps it quiet).
func checkUnservedLocals(pass *analysis.Pass, ins *inspector.Inspector, comms map[ast.Node]bool, reported map[token.Pos]bool) {
	var decls map[*types.Func]*ast.FuncDecl
	for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		mk := cur.Node().(*ast.CallExpr)
		if !isMake(pass, mk) {
			continue
		}
		v := madeInto(pass, cur.Parent().Node(), mk)
		if v == nil {
			continue
		}
		fn, ok := enclosingDecl(cur)
		if !ok {
			continue
		}
		if decls == nil {
			decls = map[*types.Func]*ast.FuncDecl{}
			for c := range ins.Root().Preorder((*ast.FuncDecl)(nil)) {
				d := c.Node().(*ast.FuncDecl)
				if f, ok := pass.TypesInfo.Defs[d.Name].(*types.Func); ok {
					decls[f] = d
				}
			}
		}
		var recvs []ast.Node
		served := false
		for c := range fn.Preorder((*ast.Ident)(nil)) {
			id := c.Node().(*ast.Ident)
			if pass.TypesInfo.Uses[id] != types.Object(v) {
				continue
			}
			u, n := useOfVar(pass, ins, c, comms, decls, 0)
			switch u {
			case useRecv:
				recvs = append(recvs, n)
			case useServed, useHanded:
				served = true
			}
			if served {
				break
			}
		}
		if served {
			continue
		}
		for _, r := range recvs {
			pos := r.Pos()
			if rs, ok := r.(*ast.RangeStmt); ok {
				pos = rs.X.Pos()
			}
			if !reported[pos] { // already reported as alone
				reportUnservedLocal(pass, v, mk, r)
			}
		}
	}
}

// isMake reports whether call is make of a channel type.
func isMake(pass *analysis.Pass, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	if !ok || b.Name() != "make" || len(call.Args) == 0 {
		return false
	}
	_, ok = pass.TypesInfo.TypeOf(call.Args[0]).Underlying().(*types.Chan)
	return ok
}

func enclosingDecl(cur inspector.Cursor) (inspector.Cursor, bool) {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		return c, true
	}
	return inspector.Cursor{}, false
}

func reportUnservedLocal(pass *analysis.Pass, v *types.Var, mk *ast.CallExpr, r ast.Node) {
	what := "this receive from " + v.Name()
	if _, ok := r.(*ast.RangeStmt); ok {
		what = "this range over " + v.Name()
	}
	pass.Report(analysis.Diagnostic{
		Pos: r.Pos(),
		End: r.Pos() + token.Pos(len("<-")),
		Message: fmt.Sprintf("%s waits forever: %s (made at line %d) is only received from, here and in the functions it is given to; nothing can send on it or close it (close it where the wait should end, e.g. defer close(%s) in the goroutine that finishes)",
			what, v.Name(), pass.Fset.Position(mk.Pos()).Line, v.Name()),
	})
}

// outsideParens returns the expression at cur with the parentheses
// around it, and the cursor of what holds them.
func outsideParens(cur inspector.Cursor) (ast.Node, inspector.Cursor) {
	me, parent := cur.Node(), cur.Parent()
	for {
		if _, ok := parent.Node().(*ast.ParenExpr); !ok {
			return me, parent
		}
		me, parent = parent.Node(), parent.Parent()
	}
}
