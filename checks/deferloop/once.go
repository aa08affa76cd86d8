package deferloop

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// guardedOnce reports whether the defer at cur runs in at most one
// iteration of loop because an if statement guards it with a condition
// that turns false for good once its branch has run:
//
//	if f == nil { f = open(); defer f.Close() }   // lazy initialization
//	if !started { started = true; defer stop() }  // a first-time flag
//	if i == 0 { defer ... }                        // the first iteration
//	for _, kind := range []string{"heap", "cpu"} { // one element
//		if kind == "cpu" { mu.Lock(); defer mu.Unlock() }
func guardedOnce(pass *analysis.Pass, cur inspector.Cursor, loop ast.Stmt) bool {
	body := astq.LoopBody(loop)
	fn := enclosingBody(cur)
	for c := cur; c.Node() != body; c = c.Parent() {
		p := c.Parent()
		if !p.Valid() {
			return false
		}
		ifs, ok := p.Node().(*ast.IfStmt)
		if !ok || c.Node() != ifs.Body {
			continue
		}
		for _, e := range conjuncts(ifs.Cond) {
			if firstIteration(pass, e, loop) || flipped(pass, e, ifs, loop) || oneElement(pass, e, loop, fn) {
				return true
			}
		}
	}
	return false
}

// enclosingBody returns the body of the function that holds cur.
func enclosingBody(cur inspector.Cursor) *ast.BlockStmt {
	for c := cur; c.Valid(); c = c.Parent() {
		switch n := c.Node().(type) {
		case *ast.FuncLit:
			return n.Body
		case *ast.FuncDecl:
			return n.Body
		}
	}
	return nil
}

// oneElement reports whether e is `v == c` with v the value of a range
// over a list of constants in which c appears once (rule "one
// element's branch"): the branch runs on one iteration only. The list
// is a slice or array literal, written in the range statement or held by
// a variable of fn that is set to it once and is only ranged over or
// measured (len, cap) afterwards, so no element can change or repeat.
func oneElement(pass *analysis.Pass, e ast.Expr, loop ast.Stmt, fn *ast.BlockStmt) bool {
	rng, ok := loop.(*ast.RangeStmt)
	if !ok || rng.Tok != token.DEFINE || rng.Value == nil || fn == nil {
		return false
	}
	id, c, ok := equalsConstant(pass, e)
	if !ok {
		return false
	}
	v := pass.TypesInfo.ObjectOf(id)
	if v == nil || !isVar(pass, rng.Value, v) || assigns(pass, rng.Body, v) {
		return false
	}
	lit := constantList(pass, rng, fn)
	if lit == nil {
		return false
	}
	n := 0
	for _, elt := range lit.Elts {
		tv := pass.TypesInfo.Types[elt]
		if _, kv := elt.(*ast.KeyValueExpr); kv || tv.Value == nil {
			return false
		}
		if constant.Compare(tv.Value, token.EQL, c) {
			n++
		}
	}
	return n == 1
}

// constantList returns the slice or array literal rng ranges over,
// directly or through a variable of fn that nothing else can change.
func constantList(pass *analysis.Pass, rng *ast.RangeStmt, fn *ast.BlockStmt) *ast.CompositeLit {
	isList := func(e ast.Expr) *ast.CompositeLit {
		lit, ok := ast.Unparen(e).(*ast.CompositeLit)
		if !ok {
			return nil
		}
		switch pass.TypesInfo.TypeOf(lit).Underlying().(type) {
		case *types.Slice, *types.Array:
			return lit
		}
		return nil
	}
	if lit := isList(rng.X); lit != nil {
		return lit
	}
	id, ok := ast.Unparen(rng.X).(*ast.Ident)
	if !ok {
		return nil
	}
	list, ok := pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || !astq.DeclaredIn(list, fn) {
		return nil // not a local of this function
	}
	var lit *ast.CompositeLit
	bad := false
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				lid, ok := ast.Unparen(l).(*ast.Ident)
				if !ok || pass.TypesInfo.ObjectOf(lid) != list {
					continue
				}
				if n.Tok != token.DEFINE || len(n.Lhs) != len(n.Rhs) || isList(n.Rhs[i]) == nil {
					bad = true
				} else {
					lit = isList(n.Rhs[i])
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if pass.TypesInfo.Defs[name] == list {
					if len(n.Values) != len(n.Names) || isList(n.Values[i]) == nil {
						bad = true
					} else {
						lit = isList(n.Values[i])
					}
				}
			}
		case *ast.RangeStmt:
			if n == rng {
				// ranging over the list reads it
				ast.Inspect(n.Body, func(m ast.Node) bool {
					if u, ok := m.(*ast.Ident); ok && pass.TypesInfo.Uses[u] == list {
						bad = true
					}
					return true
				})
				return false
			}
		case *ast.CallExpr:
			if fid, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && (fid.Name == "len" || fid.Name == "cap") && pass.TypesInfo.Types[n.Fun].IsBuiltin() {
				return false // measuring the list reads it
			}
		case *ast.Ident:
			if pass.TypesInfo.Uses[n] == list {
				bad = true // any other use may change an element
			}
		}
		return true
	})
	if bad {
		return nil
	}
	return lit
}

// conjuncts splits a && b && c.
func conjuncts(e ast.Expr) []ast.Expr {
	if b, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && b.Op == token.LAND {
		return append(conjuncts(b.X), conjuncts(b.Y)...)
	}
	return []ast.Expr{e}
}

// equalsConstant splits `v == c` (either way round) into the variable's
// identifier and the constant.
func equalsConstant(pass *analysis.Pass, e ast.Expr) (*ast.Ident, constant.Value, bool) {
	b, ok := ast.Unparen(e).(*ast.BinaryExpr)
	if !ok || b.Op != token.EQL {
		return nil, nil, false
	}
	x, y := b.X, b.Y
	if pass.TypesInfo.Types[x].Value != nil {
		x, y = y, x
	}
	c := pass.TypesInfo.Types[y].Value
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok || c == nil {
		return nil, nil, false
	}
	return id, c, true
}

// firstIteration reports whether e is `i == c` with i a counter of loop
// that takes a different value in each iteration and c a constant.
func firstIteration(pass *analysis.Pass, e ast.Expr, loop ast.Stmt) bool {
	id, _, ok := equalsConstant(pass, e)
	if !ok {
		return false
	}
	v := pass.TypesInfo.ObjectOf(id)
	if v == nil || assigns(pass, astq.LoopBody(loop), v) {
		return false
	}
	switch l := loop.(type) {
	case *ast.RangeStmt:
		if l.Tok != token.DEFINE || !isVar(pass, l.Key, v) {
			return false
		}
		t := pass.TypesInfo.TypeOf(l.X)
		if t == nil {
			return false
		}
		switch t.Underlying().(type) {
		case *types.Map, *types.Chan, *types.Signature:
			return false // keys may repeat, or are not indexes at all
		}
		return true
	case *ast.ForStmt:
		init, ok := l.Init.(*ast.AssignStmt)
		if !ok || len(init.Lhs) != 1 || !isVar(pass, init.Lhs[0], v) {
			return false
		}
		_, ok = stepOf(pass, l.Post, v)
		return ok
	}
	return false
}

// flipped reports whether e tests a variable declared outside loop for
// its initial state (x == nil, x == c, !x, x) and the branch guarded by
// it moves x out of that state (x = open(...), x = true, x = false),
// with no other assignment of x in the loop body to move it back.
func flipped(pass *analysis.Pass, e ast.Expr, ifs *ast.IfStmt, loop ast.Stmt) bool {
	var x ast.Expr
	var moves func(rhs ast.Expr) bool // rhs leaves the tested state
	isConst := func(r ast.Expr, want constant.Value) bool {
		tv := pass.TypesInfo.Types[r]
		return tv.Value != nil && constant.Compare(tv.Value, token.EQL, want)
	}
	switch c := ast.Unparen(e).(type) {
	case *ast.UnaryExpr: // !started
		if c.Op != token.NOT {
			return false
		}
		x = c.X
		moves = func(r ast.Expr) bool { return isConst(r, constant.MakeBool(true)) }
	case *ast.BinaryExpr: // f == nil, n == 0, name == ""
		if c.Op != token.EQL {
			return false
		}
		x, y := c.X, c.Y
		if astq.IsNil(pass, x) || pass.TypesInfo.Types[x].Value != nil {
			x, y = y, x
		}
		switch {
		case astq.IsNil(pass, y):
			moves = func(r ast.Expr) bool { return r != nil && !astq.IsNil(pass, r) }
		case pass.TypesInfo.Types[y].Value != nil:
			val := pass.TypesInfo.Types[y].Value
			moves = func(r ast.Expr) bool {
				tv := pass.TypesInfo.Types[r]
				return tv.Value != nil && !constant.Compare(tv.Value, token.EQL, val)
			}
		default:
			return false
		}
		return flippedVar(pass, x, moves, ifs, loop)
	case *ast.Ident, *ast.SelectorExpr: // pending
		x = c
		moves = func(r ast.Expr) bool { return isConst(r, constant.MakeBool(false)) }
	default:
		return false
	}
	return flippedVar(pass, x, moves, ifs, loop)
}

func flippedVar(pass *analysis.Pass, x ast.Expr, moves func(ast.Expr) bool, ifs *ast.IfStmt, loop ast.Stmt) bool {
	switch ast.Unparen(x).(type) {
	case *ast.Ident, *ast.SelectorExpr:
	default:
		return false
	}
	v := astq.RootObject(pass, x)
	if v == nil || loop.Pos() <= v.Pos() && v.Pos() < loop.End() {
		return false // declared in the loop: reset each iteration
	}
	moved, other := false, false
	eachAssign(pass, astq.LoopBody(loop), x, func(at ast.Node, rhs ast.Expr) {
		if ifs.Body.Pos() <= at.Pos() && at.End() <= ifs.Body.End() {
			moved = moved || rhs != nil && moves(rhs)
		} else {
			other = true
		}
	})
	return moved && !other
}

// eachAssign calls f for each assignment of x in n, outside function
// literals, with the assigned value when there is one (nil for x++,
// a, b = f() or &x).
func eachAssign(pass *analysis.Pass, n ast.Node, x ast.Expr, f func(at ast.Node, rhs ast.Expr)) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			// A closure may assign x at any time.
			ast.Inspect(n.Body, func(m ast.Node) bool {
				switch m := m.(type) {
				case *ast.AssignStmt:
					for _, l := range m.Lhs {
						if astq.SameExpr(pass, l, x) {
							f(m, nil)
						}
					}
				}
				return true
			})
			return false
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if !astq.SameExpr(pass, l, x) {
					continue
				}
				var rhs ast.Expr
				if len(n.Lhs) == len(n.Rhs) && n.Tok == token.ASSIGN {
					rhs = n.Rhs[i]
				} else if n.Tok == token.ASSIGN && len(n.Rhs) == 1 {
					// f, err = os.Open(name): a call result, not nil
					// on success.
					if _, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); ok {
						rhs = n.Rhs[0]
					}
				}
				f(n, rhs)
			}
		case *ast.IncDecStmt:
			if astq.SameExpr(pass, n.X, x) {
				f(n, nil)
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && astq.SameExpr(pass, n.X, x) {
				f(n, nil)
			}
		}
		return true
	})
}
