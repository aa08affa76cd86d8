package poolput

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/flow"
	"github.com/silentfail/silentfail/internal/pools"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports sync.Pool Puts of values that are not pointers,
// objects used after they were put back, and objects put back twice.
var Analyzer = &analysis.Analyzer{
	Name:     "poolput",
	Doc:      astq.ExtractDoc(doc, "poolput"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/poolput",
	Requires: []*analysis.Analyzer{inspect.Analyzer, flow.Analyzer},
	Run:      run,
}

type checker struct {
	pass     *analysis.Pass
	ins      *inspector.Inspector
	pl       *pools.Pools
	cfgs     *flow.CFGs
	reported map[token.Pos]bool
	// written holds the fields of the package that code assigns after
	// construction; built on demand (rule "a field set only at
	// construction").
	written map[*types.Var]bool
}

// value turns on the opt-in form: a Put of a value that is not
// pointer-shaped (an allocation per Put). The default form reports a
// use after Put and a second Put, which hand one object to two users.
var value bool

func init() {
	Analyzer.Flags.BoolVar(&value, "value", false,
		"also report Puts of non-pointer values (opt-in: the allocation is a slice header, small next to the pooled buffer)")
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	pl := pools.Of(pass, ins)
	if !pl.Any() {
		return nil, nil
	}
	c := &checker{pass: pass, ins: ins, pl: pl, cfgs: pass.ResultOf[flow.Analyzer].(*flow.CFGs), reported: make(map[token.Pos]bool)}
	for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		if value {
			// Rule "value Put is opt-in": the allocation is small next
			// to what a pool usually holds.
			c.boxed(cur.Node().(*ast.CallExpr))
		}
	}
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var g *cfg.CFG
		var body *ast.BlockStmt
		switch fn := cur.Node().(type) {
		case *ast.FuncDecl:
			g, body = c.cfgs.FuncDecl(fn), fn.Body
		case *ast.FuncLit:
			g, body = c.cfgs.FuncLit(fn), fn.Body
		}
		if g != nil && !astq.IsTestFile(pass, cur.Node().Pos()) {
			// A test that looks at an object after its Put checks
			// what the Put did, on one goroutine: nobody else Gets it.
			c.afterPut(pools.NewGraph(g, body))
		}
	}
	return nil, nil
}

// boxed reports a Put of a value that is not pointer-shaped.
func (c *checker) boxed(call *ast.CallExpr) {
	put, ok := c.pl.PutOf(call)
	if !ok {
		return
	}
	if put.Via != nil {
		// A helper is checked at its own Put, unless the helper is
		// generic and the type is only known here.
		if _, isParam := c.pass.TypesInfo.TypeOf(put.Via.Inner.Args[0]).(*types.TypeParam); !isParam {
			return
		}
	}
	tv, ok := c.pass.TypesInfo.Types[put.Arg]
	if !ok || tv.Value != nil || tv.IsNil() || !boxes(tv.Type) {
		return
	}
	t := tv.Type
	what := types.TypeString(t, types.RelativeTo(c.pass.Pkg))
	var cost, advice string
	switch u := t.Underlying().(type) {
	case *types.Slice:
		cost = "converting it to an interface copies its header to the heap on every Put"
		advice = fmt.Sprintf("pool a *%s and keep the slice behind it", what)
		if types.Identical(u.Elem(), types.Typ[types.Byte]) && !isNamed(t) {
			advice = "pool a *[]byte: bp := pool.Get().(*[]byte); b := (*bp)[:0]; ...; *bp = b; pool.Put(bp)"
		}
	case *types.Struct:
		cost = "converting it to an interface copies the whole struct to the heap on every Put, and every Get returns a copy"
		advice = fmt.Sprintf("pool *%s instead", what)
	case *types.Array:
		cost = "converting it to an interface copies the whole array to the heap on every Put, and every Get returns a copy"
		advice = fmt.Sprintf("pool *%s instead", what)
	default:
		cost = "converting it to an interface allocates on every Put"
		advice = fmt.Sprintf("pool *%s instead", what)
	}
	msg := fmt.Sprintf("%s stores a %s by value: %s, the allocation the pool was meant to save (%s)",
		astq.Render(&ast.CallExpr{Fun: call.Fun, Args: call.Args}), what, cost, advice)
	c.pass.Report(analysis.Diagnostic{Pos: put.Arg.Pos(), End: put.Arg.End(), Message: msg, Category: "value"})
}

func isNamed(t types.Type) bool {
	_, ok := types.Unalias(t).(*types.Named)
	return ok
}

// boxes reports whether storing a value of type t in an interface
// allocates: it is not pointer-shaped (pointer, map, chan, func,
// unsafe.Pointer, interface, or a struct or one-element array of one
// of these) and not of size zero.
func boxes(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Pointer, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return false
	case *types.TypeParam:
		return false
	case *types.Basic:
		return u.Kind() != types.UnsafePointer && u.Kind() != types.UntypedNil && u.Kind() != types.Invalid
	case *types.Struct:
		n := 0
		var only types.Type
		for f := range u.Fields() {
			if isZeroSize(f.Type()) {
				continue
			}
			n++
			only = f.Type()
		}
		if n == 0 {
			return false
		}
		return n > 1 || boxes(only)
	case *types.Array:
		if u.Len() == 0 || isZeroSize(u.Elem()) {
			return false
		}
		return u.Len() > 1 || boxes(u.Elem())
	case *types.Slice:
		return true
	}
	return false
}

func isZeroSize(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for f := range u.Fields() {
			if !isZeroSize(f.Type()) {
				return false
			}
		}
		return true
	case *types.Array:
		return u.Len() == 0 || isZeroSize(u.Elem())
	}
	return false
}

// shared reports whether a value of type t still points at what the
// pool holds after a Put: using it afterwards races with the next Get.
func shared(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Map, *types.Slice, *types.Interface, *types.Chan:
		return true
	case *types.Basic:
		return t.Underlying().(*types.Basic).Kind() == types.UnsafePointer
	}
	return false
}

type evKind int

const (
	evUse evKind = iota
	evPut
	evAssign
)

type event struct {
	kind evKind
	node ast.Node
}

// events returns, in evaluation order, what node n does to the target:
// a use, a Put, or a new value.
func (c *checker) events(n ast.Node, t *pools.Target) []event {
	var evs []event
	add := func(k evKind, n ast.Node) { evs = append(evs, event{k, n}) }
	root := rootOf(c.pass, t)
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.DeferStmt:
			return false
		case *ast.FuncLit:
			if t.Mentions(n.Body) {
				add(evUse, n)
			}
			return false
		case *ast.AssignStmt:
			for _, r := range n.Rhs {
				ast.Inspect(r, visit)
			}
			for _, l := range n.Lhs {
				if t.Is(l) || (t.Expr != nil && root != nil && isObj(c.pass, l, root)) {
					add(evAssign, l)
				} else if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
					continue
				} else {
					ast.Inspect(l, visit)
				}
			}
			return false
		case *ast.ValueSpec:
			for _, r := range n.Values {
				ast.Inspect(r, visit)
			}
			for _, id := range n.Names {
				if t.Is(id) {
					add(evAssign, id) // var b []byte, run again each turn of a loop
				}
			}
			return false
		case *ast.SelectorExpr:
			// Rule "a field set only at construction": whoever gets the
			// object next keeps that field's value (w.pool, the owner a
			// worker was built for), so reading it is not a use.
			if t.Is(n.X) && c.constructionOnly(n) {
				return false
			}
		case *ast.CallExpr:
			if put, ok := c.pl.PutOf(n); ok && t.Is(put.Arg) {
				add(evPut, n)
				return false
			}
			if isBuiltin(c.pass, n, "len", "cap") && len(n.Args) == 1 && t.Is(n.Args[0]) {
				return false
			}
			if t.Expr != nil && root != nil && !t.Mentions(n) && mentionsObj(c.pass, n, root) {
				add(evAssign, n) // e.reset() may give e.buf a new value
				return false
			}
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				// Comparing a pointer (with nil, or with another one)
				// asks which object a name holds, and reads none of it.
				switch {
				case t.Is(n.X) && isPointer(c.pass, n.X):
					ast.Inspect(n.Y, visit)
					return false
				case t.Is(n.Y) && isPointer(c.pass, n.Y):
					ast.Inspect(n.X, visit)
					return false
				case nilCompared(c.pass, n, t.Is):
					return false
				}
			}
		case ast.Expr:
			if t.Is(n) {
				add(evUse, n)
				return false
			}
		}
		return true
	}
	ast.Inspect(n, visit)
	return evs
}

func isPointer(pass *analysis.Pass, e ast.Expr) bool {
	t := pass.TypesInfo.TypeOf(e)
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}

func rootOf(pass *analysis.Pass, t *pools.Target) types.Object {
	if t.Expr == nil {
		return nil
	}
	return astq.RootObject(pass, t.Expr)
}

func isObj(pass *analysis.Pass, e ast.Expr, obj types.Object) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && pass.TypesInfo.ObjectOf(id) == obj
}

func mentionsObj(pass *analysis.Pass, n ast.Node, obj types.Object) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok && pass.TypesInfo.Uses[id] == obj {
			found = true
		}
		return !found
	})
	return found
}

func isBuiltin(pass *analysis.Pass, call *ast.CallExpr, names ...string) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	if !ok {
		return false
	}
	for _, n := range names {
		if b.Name() == n {
			return true
		}
	}
	return false
}

// afterPut follows the paths from every Put of the function and
// reports a use of the object, or a second Put, before it gets a new
// value. It also reports a Put on a path where a deferred Put of the
// same object will run again at return.
func (c *checker) afterPut(g *pools.Graph) {
	for _, b := range g.CFG.Blocks {
		if !b.Live {
			continue
		}
		for i, n := range b.Nodes {
			ast.Inspect(n, func(m ast.Node) bool {
				switch m := m.(type) {
				case *ast.FuncLit:
					return false
				case *ast.DeferStmt:
					c.deferred(g, b, i, m)
					return false
				case *ast.CallExpr:
					// A helper promoted from an embedded field puts back
					// the field's value, which PutOf does not follow
					// (rule "a promoted Put").
					put, ok := c.pl.PutOf(m)
					if !ok {
						return true
					}
					t := pools.NewExprTarget(c.pass, put.Arg)
					if !shared(t.Type) || (t.Expr != nil && rootOf(c.pass, t) == nil) {
						return true
					}
					c.follow(g, b, i, put, t)
				}
				return true
			})
		}
	}
}

// walk visits the nodes that follow node i of block b on every path,
// calling visit for each event until it returns true (stop this path).
// It returns whether some path reached the function's end without
// being stopped.
func (c *checker) walk(g *pools.Graph, b *cfg.Block, i int, t *pools.Target, stop func(event) bool) bool {
	// facts holds what the path knows of operands equal to constants
	// (pools.Facts). Rule "flag cleared with the Put": after
	// `pool.Put(x); ok = false`, the later `if ok { use(x) }` is a
	// branch this path cannot take. Rule "exclusive conditions": after a
	// Put under `if kind == Video`, a later `if kind == Audio` is not
	// entered.
	type item struct {
		b     *cfg.Block
		start int
		facts pools.Facts
	}
	seen := make(map[string]bool) // block and the path's facts
	stack := []item{{b, i + 1, g.FactsAt(c.pass, b, i)}}
	reachedEnd := false
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stopped := false
	nodes:
		for j := it.start; j < len(it.b.Nodes); j++ {
			it.facts = it.facts.After(c.pass, g, it.b.Nodes[j])
			if n := it.b.Nodes[j]; g.RangeVar[n] {
				if (t.Is(n.(ast.Expr)) || isVarIn(c.pass, n, t.Vars())) && stop(event{evAssign, n}) {
					stopped = true
					break nodes
				}
				continue
			} else if g.Rebinds(c.pass, n, t.Vars()) && stop(event{evAssign, n}) {
				stopped = true
				break nodes
			}
			for _, ev := range c.events(it.b.Nodes[j], t) {
				if stop(ev) {
					stopped = true
					break nodes
				}
			}
		}
		if stopped {
			continue
		}
		if len(it.b.Succs) == 0 {
			reachedEnd = true
		}
		for _, s := range it.facts.Feasible(c.pass, it.b) {
			facts := it.facts.Branch(c.pass, it.b, s)
			key := fmt.Sprint(s.Index, facts.Key())
			if seen[key] || !s.Live || pools.RangeAssigns(c.pass, s, t.Vars()) {
				continue
			}
			seen[key] = true
			stack = append(stack, item{s, 0, facts})
		}
	}
	return reachedEnd
}

func (c *checker) follow(g *pools.Graph, b *cfg.Block, i int, put pools.Put, t *pools.Target) {
	line := c.pass.Fset.Position(put.Call.Pos()).Line
	putStr := astq.Render(put.Call)
	var first *event
	c.walk(g, b, i, t, func(ev event) bool {
		switch ev.kind {
		case evAssign:
			return true
		case evUse, evPut:
			if first == nil || ev.node.Pos() < first.node.Pos() {
				e := ev
				first = &e
			}
			return true
		}
		return false
	})
	if first == nil || c.reported[first.node.Pos()] {
		return
	}
	if first.kind == evPut && first.node.Pos() == put.Call.Pos() && c.guardedPerIteration(put.Call) {
		return // rule "one iteration's guard"
	}
	c.reported[first.node.Pos()] = true
	var msg string
	if first.kind == evPut {
		msg = fmt.Sprintf("%s is put back a second time on this path (first by %s at line %d): two later Gets return the same object and two requests write into it at once (remove one of the Puts)",
			t.Name, putStr, line)
	} else {
		msg = fmt.Sprintf("%s is used after %s (line %d) put it back: another goroutine may already have it from Get and be writing into it, so this request reads or sends someone else's data (use it before the Put, or defer the Put)",
			t.Name, putStr, line)
	}
	c.pass.Report(analysis.Diagnostic{Pos: first.node.Pos(), End: first.node.End(), Message: msg})
}

// deferred handles `defer pool.Put(x)` and `defer func() { ...; pool.Put(x) }()`:
// an explicit Put of x on a path after the defer puts it back twice,
// once more when the function returns.
func (c *checker) deferred(g *pools.Graph, b *cfg.Block, i int, d *ast.DeferStmt) {
	var targets []*pools.Target
	direct := false
	if put, ok := c.pl.PutOf(d.Call); ok {
		t := pools.NewExprTarget(c.pass, put.Arg)
		if shared(t.Type) && t.Objs != nil {
			targets, direct = append(targets, t), true
		}
	} else if lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok {
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				return false
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			put, ok := c.pl.PutOf(call)
			if !ok {
				return true
			}
			id, ok := ast.Unparen(put.Arg).(*ast.Ident)
			if !ok {
				return true
			}
			obj := c.pass.TypesInfo.Uses[id]
			if obj == nil || (obj.Pos() >= lit.Pos() && obj.Pos() < lit.End()) {
				return true
			}
			t := pools.NewExprTarget(c.pass, put.Arg)
			if shared(t.Type) {
				targets = append(targets, t)
			}
			return true
		})
	}
	dline := c.pass.Fset.Position(d.Pos()).Line
	for _, t := range targets {
		c.walk(g, b, i, t, func(ev event) bool {
			switch ev.kind {
			case evAssign:
				return true
			case evPut:
				call := ev.node.(*ast.CallExpr)
				if !direct && !c.reachesEndUnassigned(g, call, t) {
					return true
				}
				if c.reported[call.Pos()] {
					return true
				}
				c.reported[call.Pos()] = true
				c.pass.Report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: fmt.Sprintf(
					"%s is put back here and again by the deferred Put (line %d) when the function returns: two later Gets return the same object and two requests write into it at once (drop this Put, or the defer)",
					t.Name, dline)})
				return true
			}
			return false
		})
	}
}

// reachesEndUnassigned reports whether some path from call reaches the
// end of the function without assigning the target (a deferred closure
// then puts the same object back).
func (c *checker) reachesEndUnassigned(g *pools.Graph, call *ast.CallExpr, t *pools.Target) bool {
	b, i, ok := g.NodeOf(call)
	if !ok {
		return false
	}
	return c.walk(g, b, i, t, func(ev event) bool { return ev.kind == evAssign })
}

func isVarIn(pass *analysis.Pass, n ast.Node, vars map[types.Object]bool) bool {
	id, ok := n.(*ast.Ident)
	return ok && vars[pass.TypesInfo.ObjectOf(id)]
}

// nilCompared reports whether n compares with nil an operand that is
// tracked.
func nilCompared(pass *analysis.Pass, n *ast.BinaryExpr, tracked func(ast.Expr) bool) bool {
	x, _, ok := astq.NilComparison(pass, n)
	return ok && tracked(x)
}

// guardedPerIteration reports whether call, in a loop, runs under an if
// (or a case of a switch) whose condition reads a variable of one
// iteration: the loop's own variables (range key and value, those its
// init declares or its post statement assigns) or one declared in its
// body. Rule "one iteration's guard": the same Put reached again around
// the loop needs that condition true on two iterations (a search
// through sizes or keys where one matches), which the check cannot
// tell; an unguarded Put in a loop, or one under a condition the loop
// does not change, repeats on the next iteration.
func (c *checker) guardedPerIteration(call *ast.CallExpr) bool {
	cur, ok := c.ins.Root().FindNode(call)
	if !ok {
		return false
	}
	var guards []ast.Expr
	for enc := range cur.Enclosing() {
		switch n := enc.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return false
		case *ast.IfStmt:
			guards = append(guards, n.Cond)
		case *ast.CaseClause:
			guards = append(guards, n.List...) // a case of a switch, like an if
		case *ast.SwitchStmt:
			if n.Tag != nil {
				guards = append(guards, n.Tag)
			}
		case *ast.ForStmt, *ast.RangeStmt:
			vars := c.iterationVars(n)
			for _, g := range guards {
				reads := false
				ast.Inspect(g, func(m ast.Node) bool {
					reads = reads || isVarIn(c.pass, m, vars)
					return !reads
				})
				if reads {
					return true
				}
			}
			return false
		}
	}
	return false
}

// iterationVars returns the variables that take a new value on each
// iteration of loop: its range key and value, the variables its init
// declares or its post statement assigns, and those its body declares.
func (c *checker) iterationVars(loop ast.Node) map[types.Object]bool {
	vars := make(map[types.Object]bool)
	addIdent := func(e ast.Expr) {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if obj := c.pass.TypesInfo.ObjectOf(id); obj != nil {
				vars[obj] = true
			}
		}
	}
	var body *ast.BlockStmt
	switch l := loop.(type) {
	case *ast.RangeStmt:
		if l.Key != nil {
			addIdent(l.Key)
		}
		if l.Value != nil {
			addIdent(l.Value)
		}
		body = l.Body
	case *ast.ForStmt:
		for _, st := range []ast.Stmt{l.Init, l.Post} {
			switch st := st.(type) {
			case *ast.AssignStmt:
				for _, lhs := range st.Lhs {
					addIdent(lhs)
				}
			case *ast.IncDecStmt:
				addIdent(st.X)
			}
		}
		body = l.Body
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.Ident:
			if obj, ok := c.pass.TypesInfo.Defs[n].(*types.Var); ok {
				vars[obj] = true
			}
		}
		return true
	})
	return vars
}

// constructionOnly reports whether sel reads an unexported field of a
// type of this package that nothing assigns after a composite literal
// sets it: no assignment, increment or address of the field, and no
// assignment or address of a whole value of the struct. Another package
// cannot write an unexported field, so its value is the one the object
// was built with, the same for every user of the object.
func (c *checker) constructionOnly(sel *ast.SelectorExpr) bool {
	s := c.pass.TypesInfo.Selections[sel]
	if s == nil || s.Kind() != types.FieldVal {
		return false
	}
	f, ok := s.Obj().(*types.Var)
	if !ok || f.Exported() || f.Pkg() != c.pass.Pkg {
		return false
	}
	if c.written == nil {
		c.written = writtenFields(c.pass)
	}
	return !c.written[f.Origin()] // a field of a generic type is one field
}

// writtenFields returns the fields of the package's structs that its
// code may write after construction.
func writtenFields(pass *analysis.Pass) map[*types.Var]bool {
	out := make(map[*types.Var]bool)
	mark := func(e ast.Expr) {
		e = ast.Unparen(e)
		if sel, ok := e.(*ast.SelectorExpr); ok {
			if s := pass.TypesInfo.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
				out[s.Obj().(*types.Var).Origin()] = true
			}
		}
		// A whole struct written or lent out writes every field.
		if t := pass.TypesInfo.TypeOf(e); t != nil {
			if st, ok := t.Underlying().(*types.Struct); ok {
				for f := range st.Fields() {
					out[f.Origin()] = true
				}
			}
		}
	}
	for _, file := range pass.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if n.Tok != token.DEFINE { // a new variable is built, not written
					for _, l := range n.Lhs {
						mark(l)
					}
				}
			case *ast.IncDecStmt:
				mark(n.X)
			case *ast.RangeStmt:
				if n.Key != nil {
					mark(n.Key)
				}
				if n.Value != nil {
					mark(n.Value)
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					if _, lit := ast.Unparen(n.X).(*ast.CompositeLit); !lit {
						mark(n.X)
					}
				}
			}
			return true
		})
	}
	return out
}
