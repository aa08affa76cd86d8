// The events of one statement for one pooled object, and the walks along
// the control-flow graph that find the first use after a Get and the
// last write before a Put.

package poolreset

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/pools"
)

type evKind int

type event struct {
	kind evKind
	node ast.Node
}

// events returns, in evaluation order, what node n does to the target.
// Deferred statements and function literals that are not called
// immediately are left out (they run later), except that a function
// literal mentioning the target is a use.
func (c *checker) events(n ast.Node, t *pools.Target, k kind) []event {
	if e, ok := n.(ast.Expr); ok && k == mapKind {
		if r := c.rangeOfX(e); r != nil && c.deletesAll(r, t) {
			return []event{{evReset, n}}
		}
	}
	var evs []event
	add := func(kind evKind, n ast.Node) { evs = append(evs, event{kind, n}) }
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.DeferStmt:
			return false
		case *ast.FuncLit:
			if k != slice && t.Mentions(n.Body) {
				add(evUse, n)
			}
			return false
		case *ast.AssignStmt:
			for i, r := range n.Rhs {
				if t.Is(r) && len(n.Lhs) == len(n.Rhs) && !t.Is(n.Lhs[i]) {
					add(evEscape, r) // stored elsewhere: not followed
					continue
				}
				ast.Inspect(r, visit)
			}
			for i, l := range n.Lhs {
				var r ast.Expr
				if len(n.Rhs) == len(n.Lhs) {
					r = n.Rhs[i]
				} else if len(n.Rhs) == 1 {
					r = n.Rhs[0]
				}
				c.assign(l, r, n.Tok, t, k, add, visit)
			}
			return false
		case *ast.ValueSpec:
			for _, r := range n.Values {
				ast.Inspect(r, visit)
			}
			return false
		case *ast.RangeStmt:
			if c.deletesAll(n, t) {
				add(evReset, n)
				return false
			}
			ast.Inspect(n.X, visit)
			return false
		case *ast.CallExpr:
			if put, ok := c.pl.PutOf(n); ok && t.Is(put.Arg) {
				add(evPut, n)
				return false
			}
			if c.isReset(n, t) {
				add(evReset, n)
				return false
			}
			if isBuiltin(c.pass, n, "append") && len(n.Args) > 0 && t.IsDeref(n.Args[0]) {
				add(evUse, n)
				for _, a := range n.Args[1:] {
					ast.Inspect(a, visit)
				}
				return false
			}
			if isBuiltin(c.pass, n, "len", "cap") && len(n.Args) == 1 && t.Rooted(n.Args[0]) {
				return false // sizes leak nothing
			}
			if recv, ok := astq.ReceiverExpr(n); ok && k == fields && c.builtInField(recv, t) {
				// p.parser.Parse(l): a helper object the pool's New
				// built into the struct, reused as designed.
				for _, a := range n.Args {
					ast.Inspect(a, visit)
				}
				return false
			}
			if recv, ok := astq.ReceiverExpr(n); ok && t.Is(recv) && statelessMethod(astq.Callee(c.pass, n)) {
				for _, a := range n.Args {
					ast.Inspect(a, visit)
				}
				return false
			}
		case *ast.SliceExpr:
			if truncated(c.pass, n, t) {
				add(evReset, n)
				return false
			}
			if c.wholeCapacity(n, t) {
				return false // b.Bytes()[:b.Cap()]: scratch memory, see wholeCapacity
			}
			if k == fields && isFieldOf(c.pass, n.X, t) {
				// p.data[:n]: reuses the field's capacity
				for _, e := range []ast.Expr{n.Low, n.High, n.Max} {
					if e != nil {
						ast.Inspect(e, visit)
					}
				}
				return false
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && k == fields && isFieldOf(c.pass, n.X, t) {
				add(evFieldWrite, ast.Unparen(n.X)) // &p.f handed to a callee that fills it
				return false
			}
		case *ast.BinaryExpr:
			if x, _, ok := astq.NilComparison(c.pass, n); ok && t.Rooted(x) {
				return false
			}
		case *ast.TypeAssertExpr:
			if t.Is(n.X) {
				return false
			}
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				if t.Is(r) {
					add(evEscape, r)
				} else {
					ast.Inspect(r, visit)
				}
			}
			return false
		case *ast.CompositeLit:
			for _, e := range n.Elts {
				v := e
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					v = kv.Value
				}
				if t.Is(v) {
					add(evEscape, v)
				} else {
					ast.Inspect(e, visit)
				}
			}
			return false
		case *ast.SelectorExpr:
			if (k == fields || k == resets || k == buffer) && t.Is(n.X) {
				if sel, ok := c.pass.TypesInfo.Selections[n]; ok && sel.Kind() == types.FieldVal {
					add(evUse, n)
					return false
				}
			}
		case *ast.StarExpr:
			if (k == fields || k == resets || k == buffer) && t.Is(n.X) {
				add(evUse, n)
				return false
			}
		case *ast.IndexExpr:
			if k == mapKind && t.Is(n.X) {
				add(evUse, n)
				return false
			}
		case ast.Expr:
			if (k == buffer || k == resets || k == mapKind) && t.Is(n) {
				add(evUse, n)
				return false
			}
		}
		return true
	}
	if rs, ok := n.(*ast.RangeStmt); ok {
		ast.Inspect(rs.X, visit)
	} else {
		ast.Inspect(n, visit)
	}
	if _, ok := n.(*ast.AssignStmt); ok {
		// gz.zr, gz.err = zr, zr.Reset(body): the statement resets.
		for _, ev := range evs {
			if ev.kind == evReset {
				return []event{ev}
			}
		}
	}
	return evs
}

// assign classifies the assignment of r to l.
func (c *checker) assign(l, r ast.Expr, tok token.Token, t *pools.Target, k kind, add func(evKind, ast.Node), visit func(ast.Node) bool) {
	switch {
	case t.Is(l):
		switch {
		case r == nil:
			add(evAssign, l)
		case truncatedExpr(c.pass, r, t):
			add(evReset, l)
		case isGet(c, r):
			add(evOrigin, l)
		case isAppend(c.pass, r) && t.Mentions(r):
			// b = append(b, ...): an update of the same object
		default:
			// A new value, or what a function made of the object
			// (huff, err = ReadTable(in, huff)): not followed further.
			add(evAssign, l)
		}
	case isStar(l) && t.Is(l.(*ast.StarExpr).X):
		if k != slice || r == nil || astq.IsNil(c.pass, r) || truncatedExpr(c.pass, r, t) || isMake(c.pass, r) || truncatedAny(c.pass, r) || c.replacesWhole(r, t) {
			add(evReset, l)
		} else {
			add(evUse, l)
		}
	case t.Rooted(l) && isField(c.pass, l):
		if r != nil && (isZero(c.pass, r) || truncatedAny(c.pass, r)) {
			add(evReset, l)
		} else if sel := ast.Unparen(l).(*ast.SelectorExpr); k == fields && t.Is(sel.X) {
			add(evFieldWrite, sel)
		} else if k != slice && k != opaque {
			add(evUse, l)
		}
	case t.Rooted(l):
		if k == mapKind || k == fields || k == resets || k == buffer {
			add(evUse, l)
		}
	default:
		ast.Inspect(l, visit)
	}
}

func isGet(c *checker, e ast.Expr) bool {
	_, ok := c.pl.GetOf(e)
	return ok
}

// isFieldOf reports whether e is a field selection t.f.
func isFieldOf(pass *analysis.Pass, e ast.Expr, t *pools.Target) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	return ok && t.Is(sel.X) && isField(pass, sel)
}

func isStar(e ast.Expr) bool {
	_, ok := e.(*ast.StarExpr)
	return ok
}

func isField(pass *analysis.Pass, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	s, ok := pass.TypesInfo.Selections[sel]
	return ok && s.Kind() == types.FieldVal
}

// rangeOfX returns the range statement whose operand is e, or nil.
func (c *checker) rangeOfX(e ast.Expr) *ast.RangeStmt {
	if c.rangeOf == nil {
		c.rangeOf = make(map[ast.Expr]*ast.RangeStmt)
		for _, f := range c.pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if r, ok := n.(*ast.RangeStmt); ok {
					c.rangeOf[r.X] = r
				}
				return true
			})
		}
	}
	return c.rangeOf[e]
}

// forward follows the paths from node i of block b (the Get) and
// returns the first use of the target that no reset precedes, or nil.
// A field read saved in a variable (`bw := p.bw`) and followed by a
// reset is how code keeps one field across the reset: it is a use only
// if no reset follows.
func (c *checker) forward(f *funcInfo, b *cfg.Block, i int, t *pools.Target, k kind) ast.Node {
	var first ast.Node
	found := func(n ast.Node) {
		if first == nil || n.Pos() < first.Pos() {
			first = n
		}
	}
	nfields := 0
	if k == fields {
		nfields = numFields(t.Type)
	}
	type item struct {
		b       *cfg.Block
		start   int
		pending ast.Node       // a saving read or field write waiting for a reset
		written []types.Object // fields set so far on this path
	}
	seen := make(map[*cfg.Block]bool)
	stack := []item{{b, i + 1, nil, nil}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pending, written := it.pending, it.written
		stopped := false
	nodes:
		for j := it.start; j < len(it.b.Nodes); j++ {
			n := it.b.Nodes[j]
			if f.graph.RangeVar[n] {
				if t.Is(n.(ast.Expr)) {
					stopped = true
					break nodes
				}
				continue
			}
			if f.graph.Rebinds(c.pass, n, t.Objs) {
				stopped = true
				break nodes
			}
			for _, ev := range c.events(n, t, k) {
				switch {
				case ev.kind == evReset:
					pending = nil
				case ev.kind == evFieldWrite:
					fld := c.pass.TypesInfo.ObjectOf(ev.node.(*ast.SelectorExpr).Sel)
					if !slices.Contains(written, fld) {
						written = append(slices.Clip(written), fld)
					}
					if len(written) < nfields {
						continue
					}
					pending = nil // every field set: a full overwrite
				case ev.kind == evUse && k == fields:
					// A struct leaks through the fields read before
					// this request sets them.
					if sel, ok := ev.node.(*ast.SelectorExpr); ok {
						if slices.Contains(written, c.pass.TypesInfo.ObjectOf(sel.Sel)) {
							continue
						}
						if pending == nil && savingRead(n, ev.node) {
							pending = ev.node
							continue
						}
					}
					found(ev.node)
				case ev.kind == evUse:
					found(ev.node)
				}
				if pending != nil {
					found(pending)
				}
				stopped = true
				break nodes
			}
		}
		if stopped {
			continue
		}
		if len(it.b.Succs) == 0 && pending != nil {
			found(pending)
		}
		for _, s := range it.b.Succs {
			if seen[s] || !s.Live || pools.RangeAssigns(c.pass, s, t.Objs) {
				continue
			}
			seen[s] = true
			stack = append(stack, item{s, 0, pending, written})
		}
	}
	return first
}

// numFields returns the number of fields of the struct t or *t.
func numFields(t types.Type) int {
	u := t.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		u = p.Elem().Underlying()
	}
	if st, ok := u.(*types.Struct); ok {
		return st.NumFields()
	}
	return 0
}

// savingRead reports whether use is the whole right-hand side of a
// single assignment node n: `bw := p.bw`.
func savingRead(n, use ast.Node) bool {
	as, ok := n.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return false
	}
	sel, ok := ast.Unparen(as.Rhs[0]).(*ast.SelectorExpr)
	return ok && sel == use
}

// backward follows the paths that lead to the Put at pos in node i of
// block b and tells whether the object may be put back used since its
// last reset (putDirty), is always reset or untouched since its Get
// (putClean), or comes from the caller unreset (putUnknown, only when
// inHelper).
func (c *checker) backward(f *funcInfo, b *cfg.Block, i int, pos token.Pos, t *pools.Target, k kind, inHelper bool) putState {
	state := putClean
	type item struct {
		b   *cfg.Block
		end int // nodes before this index
		pos token.Pos
	}
	seen := make(map[*cfg.Block]bool)
	stack := []item{{b, i + 1, pos}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stopped := false
	nodes:
		for j := it.end - 1; j >= 0; j-- {
			if n := it.b.Nodes[j]; f.graph.RangeVar[n] {
				if t.Is(n.(ast.Expr)) {
					stopped = true // a new value each iteration
					break nodes
				}
				continue
			}
			if f.graph.Rebinds(c.pass, it.b.Nodes[j], t.Objs) {
				stopped = true
				break nodes
			}
			evs := c.events(it.b.Nodes[j], t, k)
			for e := len(evs) - 1; e >= 0; e-- {
				ev := evs[e]
				if it.pos.IsValid() && ev.node.Pos() >= it.pos {
					continue
				}
				switch ev.kind {
				case evUse, evEscape, evFieldWrite:
					return putDirty
				}
				stopped = true
				break nodes
			}
		}
		if stopped {
			continue
		}
		if it.b == f.graph.CFG.Blocks[0] {
			// Reached the function's entry.
			if t.Local(f.body) {
				continue
			}
			if inHelper {
				state = putUnknown
				continue
			}
			if outer, ok := c.deferredIn(f); ok {
				if c.backwardFromExits(outer, t, k) {
					return putDirty
				}
				continue
			}
			return putDirty
		}
		if rangeAssigns(c.pass, it.b, t) {
			continue
		}
		for _, p := range f.graph.Preds[it.b] {
			if seen[p] || !p.Live {
				continue
			}
			seen[p] = true
			stack = append(stack, item{p, len(p.Nodes), token.NoPos})
		}
	}
	return state
}

// rangeAssigns reports whether b is a range body that assigns the
// target.
func rangeAssigns(pass *analysis.Pass, b *cfg.Block, t *pools.Target) bool {
	return pools.RangeAssigns(pass, b, t.Vars())
}

// backwardFromExits tells whether the target may be dirty when f
// returns (where its deferred calls run).
func (c *checker) backwardFromExits(f *funcInfo, t *pools.Target, k kind) bool {
	for _, ex := range f.graph.Exits() {
		if c.backward(f, ex, len(ex.Nodes)-1, token.NoPos, t, k, false) == putDirty {
			return true
		}
	}
	return false
}

// deferredIn returns the function whose deferred call f is, when f is
// a function literal called by a defer statement.
func (c *checker) deferredIn(f *funcInfo) (*funcInfo, bool) {
	lit, ok := f.node.(*ast.FuncLit)
	if !ok {
		return nil, false
	}
	call, ok := f.cur.Parent().Node().(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) != lit {
		return nil, false
	}
	if _, ok := f.cur.Parent().Parent().Node().(*ast.DeferStmt); !ok {
		return nil, false
	}
	outer, _, _ := astq.EnclosingFunc(f.cur)
	if !outer.Valid() {
		return nil, false
	}
	of := c.funcOf(outer)
	return of, of != nil
}
