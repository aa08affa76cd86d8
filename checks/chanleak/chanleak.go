package chanleak

import (
	_ "embed"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/flow"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports goroutines left blocked forever on a channel that the
// function owning it stops serving.
var Analyzer = &analysis.Analyzer{
	Name:     "chanleak",
	Doc:      astq.ExtractDoc(doc, "chanleak"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/chanleak",
	Requires: []*analysis.Analyzer{inspect.Analyzer, flow.Analyzer},
	Run:      run,
}

type checker struct {
	pass  *analysis.Pass
	ins   *inspector.Inspector
	cfgs  *flow.CFGs
	decls map[*types.Func]inspector.Cursor
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	hasGo := false
	for range ins.Root().Preorder((*ast.GoStmt)(nil)) {
		hasGo = true
		break
	}
	if !hasGo {
		return nil, nil
	}
	c := &checker{
		pass:  pass,
		ins:   ins,
		cfgs:  pass.ResultOf[flow.Analyzer].(*flow.CFGs),
		decls: make(map[*types.Func]inspector.Cursor),
	}
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil)) {
		d := cur.Node().(*ast.FuncDecl)
		if fn, ok := pass.TypesInfo.Defs[d.Name].(*types.Func); ok && d.Body != nil {
			c.decls[fn] = cur
		}
	}
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		c.owner(cur)
	}
	return nil, nil
}

// channel is a channel variable made in the function that owns it.
type channel struct {
	obj   *types.Var
	make  *ast.CallExpr
	owner inspector.Cursor
	body  *ast.BlockStmt
	ops   []op
	esc   bool
}

type opKind int

const (
	opSend opKind = iota
	opRecv
	opRange
	opClose
)

// op is one operation on a channel: in the owner's own code, or in a
// same-package function the channel is passed to (then site is the
// argument at the call in the owner's code).
type op struct {
	kind   opKind
	node   ast.Node // the send statement, receive expression, range statement or close call
	site   ast.Node // the identifier in the owner's code through which the op happens
	wayOut bool     // a send or receive in a select that can go on without it
	loop   bool     // the op is in a loop inside its goroutine
	nested bool     // the op runs in a function literal of a callee, somewhere else
	goCall *ast.GoStmt
}

// owner looks for channels made in the function at cur.
func (c *checker) owner(cur inspector.Cursor) {
	var body *ast.BlockStmt
	switch fn := cur.Node().(type) {
	case *ast.FuncDecl:
		body = fn.Body
	case *ast.FuncLit:
		body = fn.Body
	}
	if body == nil {
		return
	}
	for mc := range cur.Preorder((*ast.CallExpr)(nil)) {
		call := mc.Node().(*ast.CallExpr)
		obj := c.madeChan(mc, call)
		if obj == nil {
			continue
		}
		if f, _, _ := astq.EnclosingFunc(mc); f != cur {
			continue
		}
		ch := &channel{obj: obj, make: call, owner: cur, body: body}
		c.collect(ch, cur, obj, nil, nil, 0, map[types.Object]bool{})
		if ch.esc {
			continue
		}
		c.judge(ch)
	}
}

// madeChan returns the local variable that call, make(chan T[, n]),
// initializes, or nil.
func (c *checker) madeChan(cur inspector.Cursor, call *ast.CallExpr) *types.Var {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok || len(call.Args) == 0 {
		return nil
	}
	if b, ok := c.pass.TypesInfo.Uses[id].(*types.Builtin); !ok || b.Name() != "make" {
		return nil
	}
	if _, ok := c.pass.TypesInfo.TypeOf(call.Args[0]).Underlying().(*types.Chan); !ok {
		return nil
	}
	var lhs ast.Expr
	switch p := cur.Parent().Node().(type) {
	case *ast.AssignStmt:
		if len(p.Lhs) != len(p.Rhs) || p.Tok != token.DEFINE {
			return nil // `ch = make(...)` on a declared variable: made on some paths only
		}
		for i, r := range p.Rhs {
			if r == call {
				lhs = p.Lhs[i]
			}
		}
	case *ast.ValueSpec:
		if len(p.Names) != len(p.Values) {
			return nil
		}
		for i, r := range p.Values {
			if r == call {
				lhs = p.Names[i]
			}
		}
	}
	id, ok = lhs.(*ast.Ident)
	if !ok {
		return nil
	}
	v, ok := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
	if !ok || v.IsField() || v.Parent() == nil || v.Parent() == c.pass.Pkg.Scope() {
		return nil
	}
	return v
}

// collect records the uses of v (the channel, or a parameter it was
// passed as) in the code under root. via is the call in the owner's
// code that passed it (nil in the owner itself), goCall the go
// statement that started that call.
func (c *checker) collect(ch *channel, root inspector.Cursor, v types.Object, via ast.Node, goCall *ast.GoStmt, depth int, seen map[types.Object]bool) {
	if seen[v] || depth > 4 {
		ch.esc = true
		return
	}
	seen[v] = true
	defer delete(seen, v)
	info := c.pass.TypesInfo
	for idc := range root.Preorder((*ast.Ident)(nil)) {
		id := idc.Node().(*ast.Ident)
		if info.Uses[id] != v {
			if info.Defs[id] == v && via == nil && id.Pos() != v.Pos() {
				ch.esc = true
			}
			continue
		}
		site := ast.Node(id)
		if via != nil {
			site = via
		}
		nested := via != nil && c.inLit(idc, root)
		pc := idc.Parent()
		switch p := pc.Node().(type) {
		case *ast.SendStmt:
			if p.Chan != id {
				ch.esc = true
				return
			}
			ch.ops = append(ch.ops, op{kind: opSend, node: p, site: site, wayOut: inSelectWithWayOut(pc), loop: inLoop(pc), nested: nested, goCall: goCall})
		case *ast.UnaryExpr:
			if p.Op != token.ARROW {
				ch.esc = true
				return
			}
			ch.ops = append(ch.ops, op{kind: opRecv, node: p, site: site, wayOut: inSelectWithWayOut(pc.Parent()) || inSelectWithWayOut(pc.Parent().Parent()), nested: nested, goCall: goCall})
		case *ast.RangeStmt:
			if p.X != id {
				ch.esc = true
				return
			}
			ch.ops = append(ch.ops, op{kind: opRange, node: p, site: site, nested: nested, goCall: goCall})
		case *ast.BinaryExpr:
			if _, _, ok := astq.NilComparison(c.pass, p); !ok {
				ch.esc = true
				return
			}
		case *ast.ParenExpr:
			ch.esc = true
			return
		case *ast.CallExpr:
			if p.Fun == id {
				ch.esc = true
				return
			}
			if !c.callArg(ch, pc, p, id, site, via, goCall, depth, seen) {
				ch.esc = true
				return
			}
		case *ast.AssignStmt:
			// Only the definition by make.
			if via != nil || !isLhs(p, id) || !assignsMake(p, id, ch.make) {
				ch.esc = true
				return
			}
		default:
			ch.esc = true
			return
		}
	}
}

func isLhs(a *ast.AssignStmt, id *ast.Ident) bool {
	for _, l := range a.Lhs {
		if l == id {
			return true
		}
	}
	return false
}

func assignsMake(a *ast.AssignStmt, id *ast.Ident, mk *ast.CallExpr) bool {
	for i, l := range a.Lhs {
		if l == id && i < len(a.Rhs) && a.Rhs[i] == mk {
			return true
		}
	}
	return false
}

// callArg handles the channel passed as an argument: close, len and
// cap; a function literal called in place or by go; a function or
// method of the package. It reports false for any other call (the
// channel escapes).
func (c *checker) callArg(ch *channel, pc inspector.Cursor, call *ast.CallExpr, id *ast.Ident, site, via ast.Node, goCall *ast.GoStmt, depth int, seen map[types.Object]bool) bool {
	info := c.pass.TypesInfo
	if fid, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[fid].(*types.Builtin); ok {
			switch b.Name() {
			case "close":
				ch.ops = append(ch.ops, op{kind: opClose, node: call, site: site, goCall: goCall})
				return true
			case "len", "cap":
				return true
			}
			return false
		}
	}
	idx := -1
	for i, a := range call.Args {
		if a == id {
			idx = i
		}
	}
	if idx < 0 || call.Ellipsis.IsValid() {
		return false
	}
	g := goCall
	if gs, ok := pc.Parent().Node().(*ast.GoStmt); ok && gs.Call == call {
		g = gs
	}
	callSite := site
	if via == nil {
		callSite = call
	}
	// A function literal called in place or by go.
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		params := paramVars(info, lit.Type)
		if idx >= len(params) || params[idx] == nil {
			return false
		}
		lc, ok := pc.FindNode(lit)
		if !ok {
			return false
		}
		if via == nil && g == nil {
			// Uses inside the literal are visited by the owner's own walk.
			c.collect(ch, lc, params[idx], nil, nil, depth+1, seen)
			return true
		}
		c.collect(ch, lc, params[idx], callSite, g, depth+1, seen)
		return true
	}
	fn := astq.Callee(c.pass, call)
	if fn == nil {
		return false
	}
	fn = fn.Origin()
	dc, ok := c.decls[fn]
	if !ok {
		return false // another package's function: someone else may receive
	}
	decl := dc.Node().(*ast.FuncDecl)
	params := paramVars(info, decl.Type)
	if idx >= len(params) || params[idx] == nil {
		return false
	}
	if decl.Type.Params.List[len(decl.Type.Params.List)-1].Type != nil {
		if _, ok := decl.Type.Params.List[len(decl.Type.Params.List)-1].Type.(*ast.Ellipsis); ok && idx >= len(params)-1 {
			return false
		}
	}
	c.collect(ch, dc, params[idx], callSite, g, depth+1, seen)
	return true
}

// paramVars lists the parameter objects of a function type in order.
func paramVars(info *types.Info, ft *ast.FuncType) []types.Object {
	var out []types.Object
	for _, f := range ft.Params.List {
		if len(f.Names) == 0 {
			out = append(out, nil)
			continue
		}
		for _, n := range f.Names {
			out = append(out, info.Defs[n])
		}
	}
	return out
}

// inLit reports whether the use at cur lies in a function literal
// inside root (a callee's declaration).
func (c *checker) inLit(cur, root inspector.Cursor) bool {
	for p := cur.Parent(); p.Valid() && p != root; p = p.Parent() {
		if _, ok := p.Node().(*ast.FuncLit); ok {
			return true
		}
	}
	return false
}

// inSelectWithWayOut reports whether cur is the communication of a
// select case that has a default or another receiving case.
func inSelectWithWayOut(cur inspector.Cursor) bool {
	if !cur.Valid() {
		return false
	}
	cc, ok := cur.Parent().Node().(*ast.CommClause)
	if !ok || cc.Comm != cur.Node() {
		return false
	}
	sel := cur.Parent().Parent().Parent().Node().(*ast.SelectStmt)
	recv := false
	for _, st := range sel.Body.List {
		cc2 := st.(*ast.CommClause)
		if cc2.Comm == nil {
			return true
		}
		if cc2 == cc {
			continue
		}
		if _, send := cc2.Comm.(*ast.SendStmt); !send {
			recv = true
		}
	}
	return recv
}

// inLoop reports whether cur is in a for or range statement of its
// function.
func inLoop(cur inspector.Cursor) bool {
	for p := cur.Parent(); p.Valid(); p = p.Parent() {
		switch p.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncLit, *ast.FuncDecl:
			return false
		}
	}
	return false
}

// region tells where code at a site of the owner runs.
type regionKind int

const (
	inOwner    regionKind = iota // the owner's own goroutine, in order
	inGo                         // a goroutine started by a go statement of the owner
	inDeferred                   // a deferred function literal of the owner
	inOther                      // a function literal handed to someone else
)

// regionOf returns where the code at n (in the owner's tree) runs, and
// the go statement for inGo.
func (c *checker) regionOf(ch *channel, o op) (regionKind, *ast.GoStmt) {
	if o.nested {
		return inOther, nil
	}
	if o.goCall != nil {
		return inGo, o.goCall
	}
	cur, ok := ch.owner.FindNode(o.site)
	if !ok {
		return inOther, nil
	}
	for p := cur.Parent(); p.Valid() && p != ch.owner; p = p.Parent() {
		lit, ok := p.Node().(*ast.FuncLit)
		if !ok {
			continue
		}
		call, ok := p.Parent().Node().(*ast.CallExpr)
		if !ok || ast.Unparen(call.Fun) != lit {
			return inOther, nil
		}
		switch s := p.Parent().Parent().Node().(type) {
		case *ast.GoStmt:
			return inGo, s
		case *ast.DeferStmt:
			return inDeferred, nil
		}
		// called in place: runs where its caller runs
	}
	return inOwner, nil
}

// capacity returns the constant capacity of the make call, or -1 with
// the expression when it is not constant.
func (c *checker) capacity(mk *ast.CallExpr) (int64, ast.Expr) {
	if len(mk.Args) < 2 {
		return 0, nil
	}
	tv := c.pass.TypesInfo.Types[mk.Args[1]]
	if tv.Value != nil {
		if n, ok := constant.Int64Val(constant.ToInt(tv.Value)); ok {
			return n, nil
		}
	}
	return -1, mk.Args[1]
}
