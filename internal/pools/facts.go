package pools

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"
)

// Facts holds what a path knows about values equal to constants: a
// branch taken on `kind == Video` (or on a bool `ok`), or an assignment
// `ok = false`, means kind is Video (ok is false) until it changes. A
// path that entered `if kind == Video` cannot also enter a later
// `if kind == Audio`, and one that set `ok = false` does not enter
// `if ok`, while the operand is unchanged. Keys are
// the compared operand, a variable or a chain of fields of one
// (b.codecType). A fact ends where the operand (or what holds it) is
// assigned or its address taken; a fact about a field, a package-level
// variable or a variable a function literal may assign ends at any call
// as well, since the callee may write it. Maps are copied before a
// change: paths share them.
type Facts map[string]fact

type fact struct {
	op operand
	c  constant.Value
}

// operand is a compared operand the facts can follow: a variable, or a
// chain of field selections on one.
type operand struct {
	key   string
	root  *types.Var
	field bool // a selection on root, not root itself
}

// FactsAt returns the facts that hold when node i of b starts: the
// conditions of the ifs and loops whose branch the block is reached by
// alone (a chain of blocks with one predecessor each), less those that
// the nodes in between change.
func (g *Graph) FactsAt(pass *analysis.Pass, b *cfg.Block, i int) Facts {
	type step struct {
		from *cfg.Block // the conditional block, or nil
		then bool
		b    *cfg.Block
		upTo int // nodes of b processed before the start
	}
	chain := []step{{b: b, upTo: i}}
	seen := map[*cfg.Block]bool{b: true}
	for cur := b; len(chain) < 16; {
		preds := g.Preds[cur]
		if len(preds) != 1 || seen[preds[0]] {
			break
		}
		p := preds[0]
		seen[p] = true
		if len(p.Succs) == 2 && p.Succs[0] != p.Succs[1] {
			chain[len(chain)-1].from, chain[len(chain)-1].then = p, p.Succs[0] == cur
		}
		chain = append(chain, step{b: p, upTo: len(p.Nodes)})
		cur = p
	}
	var f Facts
	for k := len(chain) - 1; k >= 0; k-- {
		s := chain[k]
		if s.from != nil { // the branch into s.b, taken before its nodes run
			if cond, ok := condOf(s.from); ok {
				f = f.learn(pass, cond, s.then)
			}
		}
		for _, n := range s.b.Nodes[:s.upTo] {
			f = f.After(pass, g, n)
		}
	}
	return f
}

func condOf(b *cfg.Block) (ast.Expr, bool) {
	if len(b.Nodes) == 0 {
		return nil, false
	}
	e, ok := b.Nodes[len(b.Nodes)-1].(ast.Expr)
	return e, ok
}

// learn adds what taking the then (or else) branch of cond tells.
func (f Facts) learn(pass *analysis.Pass, cond ast.Expr, then bool) Facts {
	cond = ast.Unparen(cond)
	if u, ok := cond.(*ast.UnaryExpr); ok && u.Op == token.NOT {
		return f.learn(pass, u.X, !then)
	}
	be, ok := cond.(*ast.BinaryExpr)
	if !ok {
		if op, ok := boolOperand(pass, cond); ok {
			return f.with(op, constant.MakeBool(then))
		}
		return f
	}
	switch {
	case be.Op == token.LAND && then, be.Op == token.LOR && !then:
		return f.learn(pass, be.X, then).learn(pass, be.Y, then)
	case be.Op == token.EQL && then, be.Op == token.NEQ && !then:
		if op, c, ok := comparison(pass, be); ok {
			f = f.with(op, c)
		}
	}
	return f
}

func (f Facts) with(op operand, c constant.Value) Facts {
	g := make(Facts, len(f)+1)
	maps.Copy(g, f)
	g[op.key] = fact{op, c}
	return g
}

// eval says whether cond is known true or false under f.
func (f Facts) eval(pass *analysis.Pass, cond ast.Expr) (value, known bool) {
	cond = ast.Unparen(cond)
	if u, ok := cond.(*ast.UnaryExpr); ok && u.Op == token.NOT {
		v, k := f.eval(pass, u.X)
		return !v, k
	}
	be, ok := cond.(*ast.BinaryExpr)
	if !ok {
		if op, ok := boolOperand(pass, cond); ok {
			if have, ok := f[op.key]; ok && have.c.Kind() == constant.Bool {
				return constant.BoolVal(have.c), true
			}
		}
		return false, false
	}
	switch be.Op {
	case token.LAND, token.LOR:
		x, kx := f.eval(pass, be.X)
		y, ky := f.eval(pass, be.Y)
		short := be.Op == token.LOR // the value that decides alone
		if (kx && x == short) || (ky && y == short) {
			return short, true
		}
		return !short, kx && ky
	case token.EQL, token.NEQ:
		op, c, ok := comparison(pass, be)
		if !ok {
			return false, false
		}
		have, ok := f[op.key]
		if !ok {
			return false, false
		}
		eq := constant.Compare(have.c, token.EQL, c)
		return eq == (be.Op == token.EQL), true
	}
	return false, false
}

// Feasible returns the successors of b a path with facts f can take.
func (f Facts) Feasible(pass *analysis.Pass, b *cfg.Block) []*cfg.Block {
	if len(f) == 0 || len(b.Succs) != 2 {
		return b.Succs
	}
	cond, ok := condOf(b)
	if !ok {
		return b.Succs
	}
	v, known := f.eval(pass, cond)
	switch {
	case !known:
		return b.Succs
	case v:
		return b.Succs[:1]
	default:
		return b.Succs[1:]
	}
}

// Branch returns the facts of a path that goes from b to its successor
// succ: f and what b's condition tells on that branch.
func (f Facts) Branch(pass *analysis.Pass, b, succ *cfg.Block) Facts {
	if len(b.Succs) != 2 || b.Succs[0] == b.Succs[1] {
		return f
	}
	cond, ok := condOf(b)
	if !ok {
		return f
	}
	return f.learn(pass, cond, succ == b.Succs[0])
}

// After returns the facts after node n: f less those n may change, plus
// what n's assignments of constants tell.
func (f Facts) After(pass *analysis.Pass, g *Graph, n ast.Node) Facts {
	var out Facts
	drop := func(pred func(fact) bool) {
		for k, v := range f {
			if _, kept := out[k]; out != nil && !kept {
				continue // already dropped from the copy
			}
			if pred(v) {
				if out == nil {
					out = maps.Clone(f)
				}
				delete(out, k)
			}
		}
	}
	written := func(e ast.Expr) {
		op, ok := operandOf(pass, e)
		if !ok {
			drop(func(fact) bool { return true }) // a write we cannot name
			return
		}
		drop(func(v fact) bool { return v.op.key == op.key || strings.HasPrefix(v.op.key, op.key+".") })
	}
	if len(f) > 0 {
		if g.RangeVar[n] {
			written(n.(ast.Expr))
		}
		f.inspectWrites(pass, g, n, written, drop)
	}
	if out == nil {
		out = f
	}
	// x = c: the path knows x's value until x changes again.
	if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) && (as.Tok == token.ASSIGN || as.Tok == token.DEFINE) {
		for i, l := range as.Lhs {
			tv := pass.TypesInfo.Types[as.Rhs[i]]
			if op, ok := operandOf(pass, l); ok && tv.Value != nil {
				out = out.with(op, tv.Value)
			}
		}
	}
	return out
}

// inspectWrites calls written for each assignment, increment, address
// or declaration in n, and drops the facts a call may change.
func (f Facts) inspectWrites(pass *analysis.Pass, g *Graph, n ast.Node, written func(ast.Expr), drop func(func(fact) bool)) {
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt: // := too: a loop's declaration runs again
			for _, l := range m.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); !ok || id.Name != "_" {
					written(l)
				}
			}
		case *ast.ValueSpec:
			for _, id := range m.Names {
				if id.Name != "_" {
					written(id)
				}
			}
		case *ast.IncDecStmt:
			written(m.X)
		case *ast.UnaryExpr:
			if m.Op == token.AND {
				written(m.X)
			}
		case *ast.CallExpr:
			if tv, ok := pass.TypesInfo.Types[m.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
				return true
			}
			drop(func(v fact) bool { return !g.callProof(pass, v.op) })
		}
		return true
	})
}

// Key names f for a seen set: the same block with other facts is
// another path.
func (f Facts) Key() string {
	keys := slices.Sorted(maps.Keys(f))
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(k + "=" + f[k].c.ExactString() + ";")
	}
	return sb.String()
}

// boolOperand names cond when it is a bool variable or field chain.
func boolOperand(pass *analysis.Pass, cond ast.Expr) (operand, bool) {
	tt := pass.TypesInfo.TypeOf(cond)
	if tt == nil {
		return operand{}, false
	}
	t, ok := tt.Underlying().(*types.Basic)
	if !ok || t.Info()&types.IsBoolean == 0 {
		return operand{}, false
	}
	return operandOf(pass, cond)
}

// comparison splits `operand == constant` (either side) into its parts.
func comparison(pass *analysis.Pass, be *ast.BinaryExpr) (operand, constant.Value, bool) {
	for _, pair := range [2][2]ast.Expr{{be.X, be.Y}, {be.Y, be.X}} {
		tv, ok := pass.TypesInfo.Types[pair[1]]
		if !ok || tv.Value == nil {
			continue
		}
		if op, ok := operandOf(pass, pair[0]); ok {
			return op, tv.Value, true
		}
	}
	return operand{}, nil, false
}

// operandOf names e when it is a variable or a chain of field
// selections on one.
func operandOf(pass *analysis.Pass, e ast.Expr) (operand, bool) {
	var fields []string
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			v, ok := pass.TypesInfo.ObjectOf(x).(*types.Var)
			if !ok || v.IsField() {
				return operand{}, false
			}
			slices.Reverse(fields)
			key := x.Name + "@" + pass.Fset.Position(v.Pos()).String()
			for _, f := range fields {
				key += "." + f
			}
			return operand{key: key, root: v, field: len(fields) > 0}, true
		case *ast.SelectorExpr:
			sel := pass.TypesInfo.Selections[x]
			if sel == nil || sel.Kind() != types.FieldVal {
				return operand{}, false
			}
			fields = append(fields, x.Sel.Name)
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return operand{}, false
		}
	}
}

// callProof reports whether a fact about op survives a call: op is a
// local variable itself (not a field of one) whose address is never
// taken and that no function literal assigns, so no callee can reach it.
func (g *Graph) callProof(pass *analysis.Pass, op operand) bool {
	v := op.root
	if op.field || v.Parent() == nil || v.Pkg() == nil || v.Parent() == v.Pkg().Scope() {
		return false
	}
	if g.reachable == nil {
		g.reachable = reachableVars(pass, g.Body)
	}
	return !g.reachable[v]
}

// reachableVars returns the variables of body that code elsewhere may
// write: those whose address is taken, and those a function literal
// assigns.
func reachableVars(pass *analysis.Pass, body *ast.BlockStmt) map[*types.Var]bool {
	out := make(map[*types.Var]bool)
	mark := func(e ast.Expr) {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var); ok {
				out[v] = true
			}
		}
	}
	var inLit func(n ast.Node, lit bool)
	inLit = func(n ast.Node, lit bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.FuncLit:
				if !lit {
					inLit(m.Body, true)
					return false
				}
			case *ast.UnaryExpr:
				if m.Op == token.AND {
					mark(m.X)
				}
			case *ast.AssignStmt:
				if lit {
					for _, l := range m.Lhs {
						mark(l)
					}
				}
			case *ast.IncDecStmt:
				if lit {
					mark(m.X)
				}
			}
			return true
		})
	}
	inLit(body, false)
	return out
}
