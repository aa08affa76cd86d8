package ctxcancel

import (
	"cmp"
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/flow"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports context cancel funcs stored where nothing calls them.
var Analyzer = &analysis.Analyzer{
	Name:     "ctxcancel",
	Doc:      astq.ExtractDoc(doc, "ctxcancel"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/ctxcancel",
	Requires: []*analysis.Analyzer{inspect.Analyzer, flow.Analyzer},
	Run:      run,
}

// constructors are the context functions whose second result is a
// cancel func; the value says whether the context also holds a timer.
var constructors = map[string]bool{
	"WithCancel":        false,
	"WithCancelCause":   false,
	"WithTimeout":       true,
	"WithTimeoutCause":  true,
	"WithDeadline":      true,
	"WithDeadlineCause": true,
}

// root turns on the opt-in form: cancel funcs of contexts made on
// context.Background() or TODO(), which no parent holds.
var root bool

// discard turns on the opt-in form ctxcancel.discarded: `_ = cancel`.
var discard bool

func init() {
	Analyzer.Flags.BoolVar(&root, "root", false,
		"also report stored, never-called cancel funcs of contexts made on Background() or TODO() (opt-in: no parent holds them)")
	Analyzer.Flags.BoolVar(&discard, "discarded", false,
		"also report cancel funcs thrown away with `_ = cancel`, which go vet counts as a use (opt-in: not yet measured)")
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	if !astq.Imports(pass, "context") {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{
		pass:    pass,
		cfgs:    pass.ResultOf[flow.Analyzer].(*flow.CFGs),
		refs:    make(map[*types.Var][]inspector.Cursor),
		sources: make(map[*types.Var][]source),
		params:  make(map[*types.Var]bool),
	}
	c.collect(ins)
	if discard {
		c.discarded(ins)
	}

	// Candidate stores: a cancel func fresh from a context constructor
	// that goes into a field, a package variable, a container held by
	// one of them, or a context value.
	var cands []candidate
	for cur := range ins.Root().Preorder((*ast.AssignStmt)(nil)) {
		as := cur.Node().(*ast.AssignStmt)
		if len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			continue
		}
		ctor, ok := c.constructor(as.Rhs[0])
		if !ok {
			continue
		}
		lhs := ast.Unparen(as.Lhs[1])
		if id, ok := lhs.(*ast.Ident); ok {
			if v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var); ok && isLocal(pass, v) {
				continue // a local: followed below through its uses
			}
		}
		d := c.target(as.Lhs[1])
		if d.kind == toVar && !isLocal(pass, d.v) {
			cands = append(cands, candidate{stmt: as, at: as, d: d, ctor: ctor})
		}
	}
	for v, srcs := range c.sources {
		ctor, ok := c.fresh(v, srcs)
		if !ok {
			continue
		}
		for _, r := range c.refs[v] {
			d := c.dest(r)
			if (d.kind == toVar && !isLocal(pass, d.v)) || d.kind == toKey {
				at := stmtOf(r)
				if r.ParentEdgeKind() == edge.KeyValueExpr_Value {
					at = r.Parent().Node() // the line of the field in a multi-line literal
				}
				cands = append(cands, candidate{local: v, ref: r, stmt: stmtOf(r), at: at, d: d, ctor: ctor})
			}
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}

	c.solve(ins)
	slices.SortFunc(cands, func(a, b candidate) int { return cmp.Compare(a.at.Pos(), b.at.Pos()) })
	reported := make(map[token.Pos]bool)
	for _, cd := range cands {
		// Rule "test code": a test's contexts die with the test binary.
		if reported[cd.stmt.Pos()] || astq.IsTestCode(pass, cd.stmt.Pos()) {
			continue
		}
		if c.live(cd.d) {
			continue
		}
		if cd.local != nil && c.handedOn(cd) {
			continue // called or handed on through the local as well
		}
		d := analysis.Diagnostic{Pos: cd.at.Pos(), End: cd.at.End(), Message: c.message(cd)}
		if strings.Contains(cd.ctor, " on context.") {
			// Rule "root contexts are opt-in": no parent holds the
			// context; it leaks only through what waits on it.
			if !root {
				continue
			}
			d.Category = "root"
		}
		reported[cd.stmt.Pos()] = true
		pass.Report(d)
	}
	return nil, nil
}

type candidate struct {
	local *types.Var       // the local holding the cancel func, or nil
	ref   inspector.Cursor // the local's reference that is stored
	stmt  ast.Node         // the statement that stores it
	at    ast.Node         // where to report: the statement, or the field of a literal
	d     dest
	ctor  string // "context.WithTimeout"
}

type source struct {
	ctor string   // constructor name when the value comes from one
	expr ast.Expr // otherwise the assigned expression (nil: declared without value)
}

type checker struct {
	pass    *analysis.Pass
	cfgs    *flow.CFGs
	refs    map[*types.Var][]inspector.Cursor // reads and writes of func-like vars, fields and containers
	sources map[*types.Var][]source           // what each local func-typed variable is assigned
	params  map[*types.Var]bool               // parameters, results and receivers
	keys    map[types.Object]bool             // context keys referenced outside WithValue key position
	used    map[*types.Var]bool
}

// collect records the references of every variable or field whose type
// can hold a cancel func (a func, or a map, slice or array of them), the
// assignments to local func-typed variables, and the parameters.
func (c *checker) collect(ins *inspector.Inspector) {
	info := c.pass.TypesInfo
	for cur := range ins.Root().Preorder((*ast.Ident)(nil), (*ast.SelectorExpr)(nil), (*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.FuncType)(nil), (*ast.RangeStmt)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.SelectorExpr:
			sel, ok := info.Selections[n]
			if !ok || sel.Kind() != types.FieldVal {
				continue
			}
			if v := sel.Obj().(*types.Var).Origin(); c.tracked(v) {
				c.refs[v] = append(c.refs[v], cur)
			}
		case *ast.Ident:
			v, ok := info.Uses[n].(*types.Var)
			if !ok || v.IsField() || !c.tracked(v) {
				continue
			}
			c.refs[v] = append(c.refs[v], cur)
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok {
					if v, ok := info.ObjectOf(id).(*types.Var); ok && isLocal(c.pass, v) {
						c.sources[v] = append(c.sources[v], source{expr: n.X})
					}
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				id, ok := ast.Unparen(lhs).(*ast.Ident)
				if !ok {
					continue
				}
				v, ok := info.ObjectOf(id).(*types.Var)
				if !ok || !isLocal(c.pass, v) || !isFuncType(v.Type()) {
					continue
				}
				c.sources[v] = append(c.sources[v], c.sourceOf(n.Lhs, n.Rhs, i))
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				v, ok := info.Defs[id].(*types.Var)
				if !ok || !isLocal(c.pass, v) || !isFuncType(v.Type()) {
					continue
				}
				if len(n.Values) == 0 {
					c.sources[v] = append(c.sources[v], source{})
					continue
				}
				c.sources[v] = append(c.sources[v], c.sourceOf(nil, n.Values, i))
			}
		case *ast.FuncType:
			for _, fl := range []*ast.FieldList{n.TypeParams, n.Params, n.Results} {
				if fl == nil {
					continue
				}
				for _, f := range fl.List {
					for _, id := range f.Names {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.params[v] = true
						}
					}
				}
			}
		}
	}
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil)) {
		fd := cur.Node().(*ast.FuncDecl)
		if fd.Recv == nil {
			continue
		}
		for _, f := range fd.Recv.List {
			for _, id := range f.Names {
				if v, ok := info.Defs[id].(*types.Var); ok {
					c.params[v] = true
				}
			}
		}
	}
}

// tracked reports whether the references of v matter: v can hold a
// cancel func, and only this package can reach it.
func (c *checker) tracked(v *types.Var) bool {
	return v.Pkg() == c.pass.Pkg && (isLocal(c.pass, v) || !v.Exported()) && holdsFunc(v.Type())
}

// sourceOf describes the value assigned to the i-th of lhs (or of the
// names of a var spec when lhs is nil) by rhs.
func (c *checker) sourceOf(lhs, rhs []ast.Expr, i int) source {
	n := len(lhs)
	if lhs == nil {
		n = -1
	}
	if len(rhs) == 1 && n != 1 {
		if ctor, ok := c.constructor(rhs[0]); ok && i == 1 {
			return source{ctor: ctor}
		}
		return source{expr: rhs[0]}
	}
	if i < len(rhs) {
		return source{expr: rhs[i]}
	}
	return source{expr: rhs[0]}
}

// constructor reports whether e is a call of one of context's
// functions returning a cancel func, and which.
func (c *checker) constructor(e ast.Expr) (string, bool) {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return "", false
	}
	fn := astq.Callee(c.pass, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "context" {
		return "", false
	}
	if _, ok := constructors[fn.Name()]; !ok || !astq.IsFunc(fn, "context", fn.Name()) {
		return "", false
	}
	ctor := "context." + fn.Name()
	if len(call.Args) > 0 {
		if p, ok := ast.Unparen(call.Args[0]).(*ast.CallExpr); ok {
			if root := astq.Callee(c.pass, p); astq.IsFunc(root, "context", "Background", "TODO") {
				ctor += " on context." + root.Name() + "()" // no parent holds it
			}
		}
	}
	return ctor, true
}

// ctorName returns the constructor's name in ctor: context.WithTimeout
// for "context.WithTimeout on context.Background()".
func ctorName(ctor string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(ctor, "context."), " ")
	return name
}

// fresh reports whether the local v only ever holds a cancel func made
// in its function (or nil, or a func literal used as a no-op default):
// not a parameter, not a copy of another variable or field, which may
// be called through the original.
func (c *checker) fresh(v *types.Var, srcs []source) (string, bool) {
	if c.params[v] {
		return "", false
	}
	ctor := ""
	for _, s := range srcs {
		switch {
		case s.ctor != "":
			if ctor == "" || constructors[ctorName(s.ctor)] {
				ctor = s.ctor
			}
		case s.expr == nil:
		default:
			switch e := ast.Unparen(s.expr).(type) {
			case *ast.FuncLit:
			case *ast.Ident:
				if e.Name != "nil" || c.pass.TypesInfo.Uses[e] != types.Universe.Lookup("nil") {
					return "", false
				}
			default:
				return "", false
			}
		}
	}
	return ctor, ctor != ""
}

type destKind int

const (
	toEscape  destKind = iota // may be called: a call argument, a return, an unknown place
	toCall                    // called
	toDiscard                 // compared with nil, overwritten, measured, deleted
	toVar                     // stored into d.v (a variable, field, or container)
	toKey                     // stored in a context value under key d.key
)

type dest struct {
	kind destKind
	v    *types.Var
	key  types.Object
}

// dest follows the value of the expression at cur (a func or a
// container of funcs) to where it goes.
func (c *checker) dest(cur inspector.Cursor) dest {
	info := c.pass.TypesInfo
	for {
		parent := cur.Parent()
		k, idx := cur.ParentEdge()
		switch k {
		case edge.ParenExpr_X, edge.SliceExpr_X, edge.IndexExpr_X:
			cur = parent
			continue
		case edge.CallExpr_Fun:
			return dest{kind: toCall}
		case edge.CallExpr_Args:
			call := parent.Node().(*ast.CallExpr)
			if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
				cur = parent // a conversion
				continue
			}
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if b, ok := info.Uses[id].(*types.Builtin); ok {
					switch b.Name() {
					case "len", "cap", "delete", "clear":
						return dest{kind: toDiscard}
					case "append":
						cur = parent
						continue
					}
					return dest{kind: toEscape}
				}
			}
			if idx == 2 && astq.IsFunc(astq.Callee(c.pass, call), "context", "WithValue") {
				if key := c.keyIdentity(call.Args[1]); key != nil {
					return dest{kind: toKey, key: key}
				}
			}
			return dest{kind: toEscape}
		case edge.BinaryExpr_X, edge.BinaryExpr_Y:
			b := parent.Node().(*ast.BinaryExpr)
			other := b.Y
			if k == edge.BinaryExpr_Y {
				other = b.X
			}
			if _, _, ok := astq.NilComparison(c.pass, b); ok && astq.IsNil(c.pass, other) {
				return dest{kind: toDiscard}
			}
			return dest{kind: toEscape}
		case edge.AssignStmt_Lhs:
			return dest{kind: toDiscard}
		case edge.AssignStmt_Rhs:
			as := parent.Node().(*ast.AssignStmt)
			if as.Tok != token.ASSIGN && as.Tok != token.DEFINE {
				return dest{kind: toEscape}
			}
			li := idx
			if len(as.Lhs) != len(as.Rhs) {
				li = 0 // v, ok := m[k]
			}
			return c.target(as.Lhs[li])
		case edge.ValueSpec_Values:
			vs := parent.Node().(*ast.ValueSpec)
			li := idx
			if len(vs.Names) != len(vs.Values) {
				li = 0
			}
			if vs.Names[li].Name == "_" {
				return dest{kind: toDiscard}
			}
			if v, ok := info.Defs[vs.Names[li]].(*types.Var); ok {
				return dest{kind: toVar, v: v}
			}
			return dest{kind: toEscape}
		case edge.RangeStmt_X:
			rs := parent.Node().(*ast.RangeStmt)
			elem := rs.Value
			switch info.TypeOf(rs.X).Underlying().(type) {
			case *types.Chan:
				elem = rs.Key
			case *types.Signature:
				return dest{kind: toCall} // range over a func calls it
			}
			if elem == nil {
				return dest{kind: toDiscard}
			}
			return c.target(elem)
		case edge.KeyValueExpr_Value:
			lit := parent.Parent()
			if f := c.structField(lit.Node(), parent.Node().(*ast.KeyValueExpr).Key, -1); f != nil {
				return dest{kind: toVar, v: f}
			}
			if _, ok := lit.Node().(*ast.CompositeLit); !ok {
				return dest{kind: toEscape}
			}
			cur = lit
			continue
		case edge.CompositeLit_Elts:
			if f := c.structField(parent.Node(), nil, idx); f != nil {
				return dest{kind: toVar, v: f}
			}
			cur = parent
			continue
		}
		return dest{kind: toEscape}
	}
}

// target says where an assignment to the operand at cur stores its value.
func (c *checker) target(e ast.Expr) dest {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			if x.Name == "_" {
				return dest{kind: toDiscard}
			}
			if v, ok := c.pass.TypesInfo.ObjectOf(x).(*types.Var); ok {
				return dest{kind: toVar, v: v}
			}
		case *ast.SelectorExpr:
			if sel, ok := c.pass.TypesInfo.Selections[x]; ok && sel.Kind() == types.FieldVal {
				return dest{kind: toVar, v: sel.Obj().(*types.Var).Origin()}
			}
			if v, ok := c.pass.TypesInfo.Uses[x.Sel].(*types.Var); ok {
				return dest{kind: toVar, v: v} // pkg.Var
			}
		case *ast.IndexExpr:
			if holdsFunc(c.pass.TypesInfo.TypeOf(x.X)) {
				e = x.X // the container
				continue
			}
		}
		return dest{kind: toEscape}
	}
}

// structField returns the field of the struct literal lit set by the
// element with the given key (or at position idx when key is nil).
func (c *checker) structField(lit ast.Node, key ast.Expr, idx int) *types.Var {
	cl, ok := lit.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	t := c.pass.TypesInfo.TypeOf(cl)
	if t == nil {
		return nil
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	if key != nil {
		id, ok := key.(*ast.Ident)
		if !ok {
			return nil
		}
		if v, ok := c.pass.TypesInfo.Uses[id].(*types.Var); ok && v.IsField() {
			return v.Origin()
		}
		return nil
	}
	if idx < 0 || idx >= st.NumFields() {
		return nil
	}
	return st.Field(idx).Origin()
}

// keyIdentity returns what identifies a context key expression: the
// unexported type of a composite literal key (ctxKey{}), or an
// unexported package-level variable or constant of this package.
func (c *checker) keyIdentity(e ast.Expr) types.Object {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	var obj types.Object
	switch x := e.(type) {
	case *ast.CompositeLit:
		if n := astq.NamedOf(c.pass.TypesInfo.TypeOf(x)); n != nil {
			obj = n.Obj()
		}
	case *ast.Ident:
		obj = c.pass.TypesInfo.Uses[x]
		switch obj.(type) {
		case *types.Var, *types.Const:
		default:
			obj = nil
		}
		if obj != nil && obj.Parent() != c.pass.Pkg.Scope() {
			obj = nil
		}
	}
	if obj == nil || obj.Pkg() != c.pass.Pkg || obj.Exported() {
		return nil
	}
	return obj
}

// solve computes which variables may have their cancel funcs called:
// the least fixed point of "some reference passes the value on to a
// call, an unknown place, or a variable that is itself used".
func (c *checker) solve(ins *inspector.Inspector) {
	c.used = make(map[*types.Var]bool)
	for changed := true; changed; {
		changed = false
		for v, refs := range c.refs {
			if c.used[v] {
				continue
			}
			for _, r := range refs {
				if c.live(c.dest(r)) {
					c.used[v] = true
					changed = true
					break
				}
			}
		}
	}
	// Context keys: used when referenced anywhere but as the key of
	// context.WithValue (a Value lookup, a helper taking the key).
	c.keys = make(map[types.Object]bool)
	for cur := range ins.Root().Preorder((*ast.Ident)(nil)) {
		obj := c.pass.TypesInfo.Uses[cur.Node().(*ast.Ident)]
		if obj == nil || obj.Pkg() != c.pass.Pkg || c.keys[obj] {
			continue
		}
		if !c.inWithValueKey(cur) {
			c.keys[obj] = true
		}
	}
}

func (c *checker) inWithValueKey(cur inspector.Cursor) bool {
	for p := cur; p.Valid() && p.Node() != nil; p = p.Parent() {
		if k, idx := p.ParentEdge(); k == edge.CallExpr_Args && idx == 1 {
			call := p.Parent().Node().(*ast.CallExpr)
			return astq.IsFunc(astq.Callee(c.pass, call), "context", "WithValue")
		}
		switch p.Node().(type) {
		case ast.Stmt, *ast.FuncLit:
			return false
		}
	}
	return false
}

// handedOn reports whether the local holding a stored cancel func
// also passes it on, in a way that can take effect once it is stored:
// a call or hand-off in a closure (which may run at any time), in a
// deferred call, or on a path that the store can reach. A call on an
// error path that returns before the store does not count.
func (c *checker) handedOn(cd candidate) bool {
	fn, _, _ := astq.EnclosingFunc(cd.ref)
	for _, r := range c.refs[cd.local] {
		if r == cd.ref || !c.live(c.dest(r)) {
			continue
		}
		rfn, _, _ := astq.EnclosingFunc(r)
		if rfn != fn || !fn.Valid() {
			return true
		}
		for p := r; p != fn; p = p.Parent() {
			if _, ok := p.Node().(*ast.DeferStmt); ok {
				return true
			}
		}
		if c.reaches(fn, cd.stmt, r.Node()) {
			return true
		}
	}
	return false
}

// reaches reports whether, in the function at fn, control can go from
// the statement from to the node to (conservatively true when either
// cannot be placed in the graph).
func (c *checker) reaches(fn inspector.Cursor, from ast.Node, to ast.Node) bool {
	var g *cfg.CFG
	switch f := fn.Node().(type) {
	case *ast.FuncDecl:
		g = c.cfgs.FuncDecl(f)
	case *ast.FuncLit:
		g = c.cfgs.FuncLit(f)
	}
	if g == nil {
		return true
	}
	blockOf := func(n ast.Node) *cfg.Block {
		for _, b := range g.Blocks {
			for _, bn := range b.Nodes {
				if bn.Pos() <= n.Pos() && n.End() <= bn.End() {
					return b
				}
			}
		}
		return nil
	}
	fb, tb := blockOf(from), blockOf(to)
	if fb == nil || tb == nil {
		return true
	}
	if fb == tb && to.Pos() >= from.End() {
		return true
	}
	seen := map[*cfg.Block]bool{}
	work := slices.Clone(fb.Succs)
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if b == tb {
			return true
		}
		if !seen[b] {
			seen[b] = true
			work = append(work, b.Succs...)
		}
	}
	return false
}

// live reports whether a value going to d may be called.
func (c *checker) live(d dest) bool {
	switch d.kind {
	case toCall, toEscape:
		return true
	case toDiscard:
		return false
	case toKey:
		return c.keys[d.key]
	}
	v := d.v
	if v.Pkg() != c.pass.Pkg || (!isLocal(c.pass, v) && v.Exported()) {
		return true // other packages can call it
	}
	if !holdsFunc(v.Type()) {
		return true // an interface or a type parameter: asserted and called, maybe
	}
	return c.used[v]
}

func (c *checker) message(cd candidate) string {
	what := "the context"
	if constructors[ctorName(cd.ctor)] {
		what = "the context, its timer"
	}
	effect := fmt.Sprintf("%s and its entry in the parent's children stay alive until the parent is canceled, one more per call under a long-lived parent", what)
	if strings.Contains(cd.ctor, " on context.") {
		// No parent holds it: what is lost is the stop signal.
		effect = "whatever waits on its Done channel (a goroutine given the context, a request made with it) is never told to stop"
		if constructors[ctorName(cd.ctor)] {
			effect = "its timer runs until the deadline, and " + effect + " before it"
		}
	}
	pkg := "package " + c.pass.Pkg.Name()
	if cd.d.kind == toKey {
		return fmt.Sprintf("the cancel func of a %s is stored as a context value under %s, which nothing in %s looks up: %s (keep the cancel func where the code that ends the work can call it)",
			cd.ctor, cd.d.key.Name(), pkg, effect)
	}
	v := cd.d.v
	name := c.varName(v)
	if isContainer(v.Type()) {
		return fmt.Sprintf("%s holds cancel funcs of %s but nothing in %s calls its elements: %s (call each one when its entry is removed, and all of them in Close/Stop)",
			name, cd.ctor, pkg, effect)
	}
	return fmt.Sprintf("%s holds the cancel func of a %s but nothing in %s calls it: %s (call it in a Close/Stop method or when the work ends, or defer it)",
		name, cd.ctor, pkg, effect)
}

// varName names a field as Type.field and a package variable by its name.
func (c *checker) varName(v *types.Var) string {
	if !v.IsField() {
		return "package variable " + v.Name()
	}
	for _, name := range c.pass.Pkg.Scope().Names() {
		tn, ok := c.pass.Pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		if st, ok := tn.Type().Underlying().(*types.Struct); ok {
			for f := range st.Fields() {
				if f == v {
					return "field " + tn.Name() + "." + v.Name()
				}
			}
		}
	}
	return "field " + v.Name()
}

// isLocal reports whether v is a variable declared in a function.
func isLocal(pass *analysis.Pass, v *types.Var) bool {
	return !v.IsField() && v.Pkg() == pass.Pkg && v.Parent() != nil && v.Parent() != pass.Pkg.Scope()
}

func isFuncType(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

// holdsFunc reports whether t is a func type or a map, slice or array
// (possibly nested) of funcs.
func holdsFunc(t types.Type) bool {
	if t == nil {
		return false
	}
	for range 4 {
		switch u := t.Underlying().(type) {
		case *types.Signature:
			return true
		case *types.Map:
			t = u.Elem()
		case *types.Slice:
			t = u.Elem()
		case *types.Array:
			t = u.Elem()
		default:
			return false
		}
	}
	return false
}

func isContainer(t types.Type) bool {
	return holdsFunc(t) && !isFuncType(t)
}

// stmtOf returns the statement containing cur.
func stmtOf(cur inspector.Cursor) ast.Node {
	for p := cur; p.Valid() && p.Node() != nil; p = p.Parent() {
		if s, ok := p.Node().(ast.Stmt); ok {
			return s
		}
	}
	return cur.Node()
}
