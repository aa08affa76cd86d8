package poolreset

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
	"github.com/silentfail/silentfail/internal/flow"
	"github.com/silentfail/silentfail/internal/pools"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports pooled objects used before they are reset, taken
// from a pool that also gets objects back without a reset.
var Analyzer = &analysis.Analyzer{
	Name:     "poolreset",
	Doc:      astq.ExtractDoc(doc, "poolreset"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/poolreset",
	Requires: []*analysis.Analyzer{inspect.Analyzer, flow.Analyzer, decls.Analyzer},
	Run:      run,
}

// kind is what state a pooled object can carry from one use to the
// next, and so which references count as using it.
type kind int

const (
	opaque  kind = iota // no reset method, no fields we can see: never reported
	buffer              // Write + Reset(): bytes.Buffer, strings.Builder, hashes
	resets              // other types with a reset method (gzip.Writer, own types)
	fields              // a struct without a reset method: its fields
	slice               // []T, *[]T, arrays: append keeps old elements
	mapKind             // maps: entries
)

type funcInfo struct {
	node  ast.Node
	cur   inspector.Cursor
	body  *ast.BlockStmt
	graph *pools.Graph
}

type checker struct {
	decls      *decls.Index
	firstReset map[types.Object]bool
	// changedFields holds the fields the package assigns (see
	// builtInField), computed on first use.
	changedFields map[*types.Var]bool
	pass          *analysis.Pass
	pl            *pools.Pools
	cfgs          *flow.CFGs
	funcs         map[ast.Node]*funcInfo
	gets          map[types.Object][]dirtyGet
	puts          map[types.Object][]token.Pos
	putter        map[*pools.Putter]putState
	// rangeOf maps the operand of each range statement to the
	// statement (control-flow graphs hold the operand as a node of
	// its own), computed on first use.
	rangeOf map[ast.Expr]*ast.RangeStmt
}

type dirtyGet struct {
	f    *funcInfo
	get  pools.Get
	stmt ast.Stmt // the statement assigning the object
	t    *pools.Target
	kind kind
	use  ast.Node
}

type putState int

const (
	putUnknown putState = iota // depends on the object at the call site
	putClean
	putDirty
)

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	pl := pools.Of(pass, ins)
	if !pl.Any() {
		return nil, nil
	}
	c := &checker{
		pass:   pass,
		pl:     pl,
		cfgs:   pass.ResultOf[flow.Analyzer].(*flow.CFGs),
		funcs:  make(map[ast.Node]*funcInfo),
		gets:   make(map[types.Object][]dirtyGet),
		puts:   make(map[types.Object][]token.Pos),
		putter: make(map[*pools.Putter]putState),
		decls:  pass.ResultOf[decls.Analyzer].(*decls.Index),

		firstReset: make(map[types.Object]bool),
	}
	var order []*funcInfo
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		if f := c.funcOf(cur); f != nil {
			order = append(order, f)
		}
	}
	for _, f := range order {
		c.scan(f)
	}
	var pools []types.Object
	for p := range c.gets {
		pools = append(pools, p)
	}
	slices.SortFunc(pools, func(a, b types.Object) int { return int(a.Pos() - b.Pos()) })
	for _, p := range pools {
		puts := c.puts[p]
		if len(puts) == 0 {
			continue
		}
		slices.Sort(puts)
		for _, g := range c.gets[p] {
			c.report(g, puts)
		}
	}
	return nil, nil
}

func (c *checker) funcOf(cur inspector.Cursor) *funcInfo {
	if f, ok := c.funcs[cur.Node()]; ok {
		return f
	}
	var g *cfg.CFG
	var body *ast.BlockStmt
	switch fn := cur.Node().(type) {
	case *ast.FuncDecl:
		g, body = c.cfgs.FuncDecl(fn), fn.Body
	case *ast.FuncLit:
		g, body = c.cfgs.FuncLit(fn), fn.Body
	}
	if g == nil {
		c.funcs[cur.Node()] = nil
		return nil
	}
	f := &funcInfo{node: cur.Node(), cur: cur, body: body, graph: pools.NewGraph(g, body)}
	c.funcs[cur.Node()] = f
	return f
}

// scan finds the Gets and Puts of one function (not of the function
// literals in it, which are scanned on their own).
func (c *checker) scan(f *funcInfo) {
	for _, b := range f.graph.CFG.Blocks {
		if !b.Live {
			continue
		}
		for i, n := range b.Nodes {
			ast.Inspect(n, func(m ast.Node) bool {
				switch m := m.(type) {
				case *ast.FuncLit:
					return false
				case *ast.AssignStmt:
					if len(m.Rhs) == 1 && len(m.Lhs) >= 1 {
						c.getSite(f, b, i, m, m.Lhs[0], m.Rhs[0])
					}
				case *ast.ValueSpec:
					if len(m.Values) == 1 && len(m.Names) >= 1 {
						c.getSite(f, b, i, nil, m.Names[0], m.Values[0])
					}
				case *ast.CallExpr:
					c.putSite(f, b, i, n, m)
				}
				return true
			})
		}
	}
}

func (c *checker) getSite(f *funcInfo, b *cfg.Block, i int, stmt *ast.AssignStmt, lhs, rhs ast.Expr) {
	get, ok := c.pl.GetOf(rhs)
	if !ok || get.Pool == nil || c.pl.InHelper(get.Call) || (get.Via != nil && get.Via.Prepares) {
		return
	}
	if astq.IsTestFile(c.pass, get.Call.Pos()) {
		return // tests and benchmarks serve no other user
	}
	id, ok := lhs.(*ast.Ident)
	if !ok || id.Name == "_" {
		return
	}
	v := c.pass.TypesInfo.ObjectOf(id)
	if v == nil {
		return
	}
	t := pools.NewVarTarget(c.pass, v, f.body)
	k := c.kindOf(t.Type)
	if k == opaque || k == mapKind && c.memoMap(f, v) {
		return
	}
	use := c.forward(f, b, i, t, k)
	if use == nil {
		return
	}
	var s ast.Stmt
	if stmt != nil {
		s = stmt
	}
	c.gets[get.Pool] = append(c.gets[get.Pool], dirtyGet{f: f, get: get, stmt: s, t: t, kind: k, use: use})
}

func (c *checker) putSite(f *funcInfo, b *cfg.Block, i int, node ast.Node, call *ast.CallExpr) {
	put, ok := c.pl.PutOf(call)
	if !ok || put.Pool == nil || c.pl.InHelper(call) {
		return
	}
	if astq.IsTestFile(c.pass, call.Pos()) {
		return // a test's Put does not happen in production
	}
	if put.Via != nil {
		switch c.putterState(put.Via) {
		case putClean:
			return
		case putDirty:
			c.puts[put.Pool] = append(c.puts[put.Pool], put.Via.Inner.Pos())
			return
		}
	}
	t := pools.NewExprTarget(c.pass, put.Arg)
	k := c.kindOf(t.Type)
	if k == opaque {
		return
	}
	var dirty bool
	if def, ok := node.(*ast.DeferStmt); ok && def.Call == call {
		dirty = c.backwardFromExits(f, t, k)
	} else {
		dirty = c.backward(f, b, i, call.Pos(), t, k, false) == putDirty
	}
	if dirty {
		c.puts[put.Pool] = append(c.puts[put.Pool], call.Pos())
	}
}

// putterState tells whether a Put helper resets its parameter before
// putting it back (clean), uses it (dirty), or leaves it as its caller
// gave it (unknown: each call site decides).
func (c *checker) putterState(pt *pools.Putter) putState {
	if s, ok := c.putter[pt]; ok {
		return s
	}
	c.putter[pt] = putUnknown
	var f *funcInfo
	for _, fi := range c.funcs {
		if fi != nil && fi.node == pt.Decl {
			f = fi
		}
	}
	if f == nil {
		return putUnknown
	}
	b, i, ok := f.graph.NodeOf(pt.Inner)
	if !ok {
		return putUnknown
	}
	t := pools.NewVarTarget(c.pass, pt.Param, nil)
	k := c.kindOf(t.Type)
	s := c.backward(f, b, i, pt.Inner.Pos(), t, k, true)
	c.putter[pt] = s
	return s
}

// kindOf classifies the type of a pooled object.
func (c *checker) kindOf(t types.Type) kind {
	if t == nil {
		return opaque
	}
	if _, ok := t.(*types.TypeParam); ok {
		return opaque
	}
	u := t.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		switch p.Elem().Underlying().(type) {
		case *types.Slice, *types.Array:
			return slice
		}
	}
	switch u.(type) {
	case *types.Slice, *types.Array:
		return slice
	case *types.Map:
		return mapKind
	}
	if m := resetMethod(c.pass, t); m != nil {
		if hasMethod(c.pass, t, "Write") && m.Signature().Params().Len() == 0 {
			return buffer
		}
		return resets
	}
	elem := u
	if p, ok := u.(*types.Pointer); ok {
		elem = p.Elem().Underlying()
	}
	if _, ok := elem.(*types.Struct); ok {
		return fields
	}
	return opaque
}

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

type evKind int

const (
	evUse        evKind = iota
	evReset             // the object is reset (wholly, or a field is cleaned)
	evPut               // put back
	evOrigin            // assigned from a Get
	evAssign            // assigned a fresh value
	evEscape            // returned or stored elsewhere
	evFieldWrite        // a field of a struct set (a use, unless all are set)
)

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
			if (n.Op == token.EQL || n.Op == token.NEQ) &&
				(pools.IsNil(c.pass, n.X) && t.Rooted(n.Y) || pools.IsNil(c.pass, n.Y) && t.Rooted(n.X)) {
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

// builtInField reports whether e is a field of t that the package sets
// only in composite literals (the pool's New builds it in) and never
// assigns or takes the address of, and whose type has no Reset method:
// a helper object such as a generated parser, which every request
// reuses as it is, not state one request leaves for the next.
func (c *checker) builtInField(e ast.Expr, t *pools.Target) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok || !t.Is(sel.X) {
		return false
	}
	s := c.pass.TypesInfo.Selections[sel]
	if s == nil || s.Kind() != types.FieldVal {
		return false
	}
	field := s.Obj().(*types.Var)
	if resetMethod(c.pass, field.Type()) != nil || hasMethod(c.pass, field.Type(), "Write") {
		return false
	}
	if c.changedFields == nil {
		c.changedFields = c.fieldsChanged()
	}
	return !c.changedFields[field]
}

// fieldsChanged returns the fields the package assigns, increments or
// takes the address of.
func (c *checker) fieldsChanged() map[*types.Var]bool {
	changed := make(map[*types.Var]bool)
	note := func(e ast.Expr) {
		if sel, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
			if s := c.pass.TypesInfo.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
				changed[s.Obj().(*types.Var)] = true
			}
		}
	}
	for _, f := range c.pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					note(l)
				}
			case *ast.IncDecStmt:
				note(n.X)
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					note(n.X)
				}
			}
			return true
		})
	}
	return changed
}

// wholeCapacity reports whether s is b.Bytes()[:b.Cap()] for the
// pooled buffer b: its memory taken whole as scratch space, which the
// code fills before it reads, as it does with a pooled slice (see the
// scratch buffers in the package documentation).
func (c *checker) wholeCapacity(s *ast.SliceExpr, t *pools.Target) bool {
	isMethodOf := func(e ast.Expr, name string) bool {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return false
		}
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		return ok && sel.Sel.Name == name && t.Is(sel.X)
	}
	return s.Low == nil && s.High != nil && isMethodOf(s.X, "Bytes") && isMethodOf(s.High, "Cap")
}

// statelessMethod reports whether fn is a method documented to depend
// on nothing an earlier call left in its receiver: zstd's EncodeAll and
// DecodeAll, made for encoders and decoders shared or pooled as they are.
func statelessMethod(fn *types.Func) bool {
	const zstd = "github.com/klauspost/compress/zstd"
	return astq.IsMethod(fn, zstd, "Encoder", "EncodeAll") || astq.IsMethod(fn, zstd, "Decoder", "DecodeAll")
}

// memoMap reports whether the map v, taken from a pool, serves f as a
// cache that the pool lets the garbage collector reclaim: f only looks
// keys up, stores m[k] = v, asks its length and puts it back. What an
// earlier user left in it is then what this one would compute for the
// same key, not a leak.
func (c *checker) memoMap(f *funcInfo, v types.Object) bool {
	stores := 0
	for cur := range f.cur.Preorder((*ast.Ident)(nil)) {
		if c.pass.TypesInfo.Uses[cur.Node().(*ast.Ident)] != v {
			continue
		}
		parent := cur.Parent()
		switch p := parent.Node().(type) {
		case *ast.IndexExpr:
			if k, _ := cur.ParentEdge(); k != edge.IndexExpr_X {
				return false
			}
			switch gp := parent.Parent().Node().(type) {
			case *ast.AssignStmt:
				if k, _ := parent.ParentEdge(); k == edge.AssignStmt_Lhs {
					if gp.Tok != token.ASSIGN {
						return false // m[k] += n keeps counting what was there
					}
					stores++
				}
			case *ast.IncDecStmt:
				return false
			}
		case *ast.CallExpr:
			if put, ok := c.pl.PutOf(p); ok && put.Arg == cur.Node() {
				continue
			}
			if !isBuiltin(c.pass, p, "len") {
				return false
			}
		default:
			return false
		}
	}
	return stores > 0
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
		if k != slice || r == nil || pools.IsNil(c.pass, r) || truncatedExpr(c.pass, r, t) || isMake(c.pass, r) || truncatedAny(c.pass, r) || c.replacesWhole(r, t) {
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

func (c *checker) report(g dirtyGet, puts []token.Pos) {
	pass := c.pass
	putPos := puts[0]
	for _, p := range puts {
		if pass.Fset.File(p) == pass.Fset.File(g.use.Pos()) {
			putPos = p
			break
		}
	}
	pp := pass.Fset.Position(putPos)
	where := fmt.Sprintf("line %d", pp.Line)
	if pp.Filename != pass.Fset.Position(g.use.Pos()).Filename {
		where = fmt.Sprintf("%s:%d", filepath.Base(pp.Filename), pp.Line)
	}
	name := g.t.Name
	from := astq.Render(g.get.Call)
	pool := g.get.Name
	var what, effect, advice string
	switch g.kind {
	case buffer:
		what = "written to or read"
		effect = "bytes an earlier request wrote are still in it and go out with this one: a response can carry another user's data"
		advice = fmt.Sprintf("call %s.Reset() right after Get", name)
	case resets:
		what = "used"
		effect = "it still holds an earlier request's state, which this request sees or sends on"
		call := "()"
		m := resetMethod(pass, g.t.Type)
		if m.Signature().Params().Len() > 0 {
			call = "(...)"
		}
		advice = fmt.Sprintf("call %s.%s%s right after Get", name, m.Name(), call)
	case fields:
		what = "used"
		effect = "fields set by an earlier request are still set: this request can read another request's data (a previous user's identity or token)"
		advice = fmt.Sprintf("clear it right after Get: *%s = %s{}", name, typeName(pass, g.t.Type))
	case slice:
		what = "appended to"
		effect = "append adds after the elements an earlier request left: they go out with this request's data"
		if _, ok := g.t.Type.Underlying().(*types.Pointer); ok {
			advice = fmt.Sprintf("truncate it first: (*%s)[:0]", name)
		} else {
			advice = fmt.Sprintf("truncate it first: %s = %s[:0]", name, name)
		}
	case mapKind:
		what = "used"
		effect = "entries an earlier request left are still in it"
		advice = fmt.Sprintf("clear(%s) right after Get", name)
	}
	msg := fmt.Sprintf("%s from %s is %s before it is reset, and %s also takes objects back unreset (Put at %s): %s (%s)",
		name, from, what, pool, where, effect, advice)
	if sel, ok := g.use.(*ast.SelectorExpr); ok && g.kind == fields {
		msg = fmt.Sprintf("%s is read before this request sets it: %s from %s is not reset, and %s also takes objects back unreset (Put at %s): the value an earlier request left is used, so this request can act on another request's data (%s)",
			astq.Render(sel), name, from, pool, where, advice)
	}
	d := analysis.Diagnostic{Pos: g.use.Pos(), End: g.use.End(), Message: msg}
	if fix, ok := c.resetFix(g); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	pass.Report(d)
}

func typeName(pass *analysis.Pass, t types.Type) string {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	return types.TypeString(t, types.RelativeTo(pass.Pkg))
}

// resetFix inserts `x.Reset()` right after the statement that takes a
// buffer-like object (Write and Reset() methods) from the pool. It
// changes the program only by dropping what an earlier user left.
func (c *checker) resetFix(g dirtyGet) (analysis.SuggestedFix, bool) {
	as, ok := g.stmt.(*ast.AssignStmt)
	if g.kind != buffer || !ok || len(as.Lhs) != 1 || len(g.t.Objs) != 1 {
		return analysis.SuggestedFix{}, false
	}
	if _, isIface := g.t.Type.Underlying().(*types.Interface); isIface {
		return analysis.SuggestedFix{}, false
	}
	m := resetMethod(c.pass, g.t.Type)
	if m == nil || m.Name() != "Reset" || m.Signature().Params().Len() != 0 || m.Signature().Results().Len() != 0 {
		return analysis.SuggestedFix{}, false
	}
	if !inList(g.f.body, as) {
		return analysis.SuggestedFix{}, false // an if, for or switch init
	}
	col := c.pass.Fset.Position(as.Pos()).Column
	indent := strings.Repeat("\t", col-1)
	return analysis.SuggestedFix{
		Message: fmt.Sprintf("Reset %s right after Get", g.t.Name),
		TextEdits: []analysis.TextEdit{{
			Pos:     as.End(),
			End:     as.End(),
			NewText: []byte("\n" + indent + g.t.Name + ".Reset()"),
		}},
	}, true
}

// inList reports whether s is a statement of a block or clause in body.
func inList(body *ast.BlockStmt, s ast.Stmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		}
		if slices.Contains(list, s) {
			found = true
		}
		return !found
	})
	return found
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
