package poolreset

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
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

const (
	evUse        evKind = iota
	evReset             // the object is reset (wholly, or a field is cleaned)
	evPut               // put back
	evOrigin            // assigned from a Get
	evAssign            // assigned a fresh value
	evEscape            // returned or stored elsewhere
	evFieldWrite        // a field of a struct set (a use, unless all are set)
)
