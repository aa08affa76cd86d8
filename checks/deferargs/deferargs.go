package deferargs

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/flow"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports arguments of deferred calls that are evaluated when
// the defer statement runs although the call needs their value at return.
var Analyzer = &analysis.Analyzer{
	Name:     "deferargs",
	Doc:      astq.ExtractDoc(doc, "deferargs"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferargs",
	Requires: []*analysis.Analyzer{inspect.Analyzer, flow.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	cfgs := pass.ResultOf[flow.Analyzer].(*flow.CFGs)

	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		def := cur.Node().(*ast.DeferStmt)
		if len(deferredArgs(def.Call)) == 0 || isBuiltin(pass, def.Call) {
			continue // defer cancel(), defer close(ch): nothing is evaluated early
		}
		fn, _, body := astq.EnclosingFunc(cur)
		if !fn.Valid() || body == nil {
			continue
		}
		c := &checker{pass: pass, cfgs: cfgs, def: def, cur: cur, fn: fn, body: body}
		c.check()
	}
	return nil, nil
}

// deferredArgs returns the arguments evaluated by the defer statement
// on behalf of the deferred call: those of the call, and those of the
// calls that produce the function to defer (defer track(name, err)()).
func deferredArgs(call *ast.CallExpr) []ast.Expr {
	args := call.Args
	for {
		inner, ok := ast.Unparen(call.Fun).(*ast.CallExpr)
		if !ok {
			return args
		}
		args = append(append([]ast.Expr(nil), inner.Args...), args...)
		call = inner
	}
}

// isBuiltin reports whether call calls a builtin other than print and
// println (the only builtins whose deferred arguments are reported on).
func isBuiltin(pass *analysis.Pass, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	return ok && b.Name() != "print" && b.Name() != "println"
}

// A write is a statement or expression that may change a variable.
type write struct {
	pos token.Pos
	// rhs is the value assigned when it is known as one expression
	// (x = rhs, x := rhs, var x = rhs, return rhs); nil otherwise
	// (x++, x += y, &x, multi-value assignments).
	rhs ast.Expr
	// zero marks a declaration without a value (var x T, a named result).
	zero bool
	// earlier marks a write inside a loop that contains the defer, placed
	// before it: it belongs to a previous iteration, whose deferred call
	// deliberately took the value of its own iteration.
	earlier bool
}

type checker struct {
	pass *analysis.Pass
	cfgs *flow.CFGs
	def  *ast.DeferStmt
	cur  inspector.Cursor
	fn   inspector.Cursor
	body *ast.BlockStmt

	loops []ast.Node // for and range statements of fn that contain the defer

	reached   bool
	later     []ast.Node               // CFG nodes that can run after the defer statement
	after     map[types.Object][]write // writes among them
	rangeAsgn map[ast.Expr]bool        // keys and values of `for k, v = range` in fn
	before    map[types.Object][]write // writes textually before the defer, declarations included
	flagged   map[types.Object]bool    // variables whose late value the deferred call wants
	fnSig     *types.Signature         // signature of fn
	results   map[types.Object]int     // named results of fn, by index
	elapsed   map[*ast.CallExpr]bool   // time.Since-like calls found in the arguments
}

func (c *checker) check() {
	pass, call := c.pass, c.def.Call
	for l := range c.cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if l.Node().Pos() > c.fn.Node().Pos() {
			c.loops = append(c.loops, l.Node())
		}
	}
	c.fnSig = astq.Signature(pass, c.fn)
	c.results = make(map[types.Object]int)
	if c.fnSig != nil {
		for i := range c.fnSig.Results().Len() {
			if v := c.fnSig.Results().At(i); v.Name() != "" && v.Name() != "_" {
				c.results[v] = i
			}
		}
	}
	fun := ast.Unparen(call.Fun)
	for inner, ok := fun.(*ast.CallExpr); ok; inner, ok = fun.(*ast.CallExpr) {
		fun = ast.Unparen(inner.Fun)
	}
	_, isLit := fun.(*ast.FuncLit)

	// First shape: a duration measured against the clock, frozen at the
	// defer statement.
	c.elapsed = make(map[*ast.CallExpr]bool)
	var first *ast.CallExpr
	args := deferredArgs(call)
	for _, arg := range args {
		inspectNoLits(arg, func(n ast.Node) bool {
			if e, ok := n.(*ast.CallExpr); ok && c.isElapsed(e) {
				c.elapsed[e] = true
				if first == nil {
					first = e
				}
				return false
			}
			return true
		})
	}
	// Second shape: a variable read now that the function changes later.
	// Not in defer func(v T) { ... }(v): passing the value to a function
	// literal is the idiom for capturing it now.
	var vars []*types.Var
	c.flagged = make(map[types.Object]bool)
	for _, arg := range args {
		if isLit {
			break
		}
		inspectNoLits(arg, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.UnaryExpr:
				return n.Op != token.AND // &x: the callee reads x through the pointer, late
			case *ast.Ident:
				v, ok := pass.TypesInfo.Uses[n].(*types.Var)
				if ok && !c.flagged[v] && c.stale(v) {
					c.flagged[v] = true
					vars = append(vars, v)
				}
			}
			return true
		})
	}
	switch {
	case first != nil && c.workAfter():
		c.reportElapsed(first, isLit)
	case len(vars) > 0:
		c.reportStale(vars)
	}
}

// stale reports whether v is a variable of fn, of a type whose deferred
// value is reported on, that the function may change after the defer
// statement, while its value at the defer is clearly a placeholder.
func (c *checker) stale(v *types.Var) bool {
	if v.IsField() || !c.declaredInFn(v) {
		return false
	}
	isErr := astq.IsErrorType(v.Type())
	if !isErr && !isBasic(v.Type()) {
		// Pointers, slices, structs...: the value at the defer is
		// usually the resource the deferred call cleans up.
		return false
	}
	changed := false
	for _, w := range c.writesAfter()[v] {
		if w.earlier || (isErr && isNil(c.pass, w.rhs)) {
			continue
		}
		changed = true
		break
	}
	if !changed {
		return false
	}
	if isErr {
		// An error handed to a deferred call is there to be reported:
		// the one assigned later is the one that matters.
		return true
	}
	// A number, string or bool: report only when its value at the defer
	// is a constant placeholder (status := 0, var n int, ok := false).
	// A computed value (a path, an id) is more likely what a cleanup
	// deliberately captures: defer os.RemoveAll(dir); dir = sub.
	_, ok := c.valueAtDefer(v)
	return ok
}

// declaredInFn reports whether v is a parameter, result or local
// variable of fn itself (not of an enclosing function).
func (c *checker) declaredInFn(v *types.Var) bool {
	n := c.fn.Node()
	if v.Pos() < n.Pos() || v.Pos() >= n.End() {
		return false
	}
	return true
}

// valueAtDefer returns the source of the constant value v holds when
// the defer statement runs, and whether it is one constant on every
// path: v is a result or a local declared with a constant (or no)
// value, nil included, and assigned only that same constant before the
// defer. The source is "" when it is not worth showing.
func (c *checker) valueAtDefer(v *types.Var) (string, bool) {
	_, isResult := c.results[v]
	if !isResult && c.isParam(v) {
		return "", false
	}
	ws := c.writesBefore()[v]
	if isResult {
		ws = append([]write{{pos: v.Pos(), zero: true}}, ws...)
	}
	if len(ws) == 0 {
		return "", false
	}
	var val constant.Value // nil for the nil value
	text := ""
	for i, w := range ws {
		var wv constant.Value
		var wt string
		switch {
		case w.zero:
			wv, wt = zeroOf(v.Type())
			if wv == nil {
				if !astq.IsErrorType(v.Type()) {
					return "", false
				}
				wt = "nil"
			}
		case isNil(c.pass, w.rhs):
			wt = "nil"
		case w.rhs != nil:
			wv = c.pass.TypesInfo.Types[w.rhs].Value
			if wv == nil {
				return "", false
			}
			wt = astq.Render(w.rhs)
			if len(wt) > 24 {
				wt = ""
			}
		default:
			return "", false
		}
		if i == 0 {
			val, text = wv, wt
			continue
		}
		if (val == nil) != (wv == nil) || (val != nil && !constant.Compare(val, token.EQL, wv)) {
			return "", false
		}
		if wt != text {
			text = ""
		}
	}
	return text, true
}

func (c *checker) isParam(v *types.Var) bool {
	if c.fnSig == nil {
		return false
	}
	for p := range c.fnSig.Params().Variables() {
		if p == v {
			return true
		}
	}
	if r := c.fnSig.Recv(); r == v {
		return true
	}
	return false
}

// zeroOf returns the zero value of a basic type and its source form.
func zeroOf(t types.Type) (constant.Value, string) {
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return nil, ""
	}
	switch {
	case b.Info()&types.IsBoolean != 0:
		return constant.MakeBool(false), "false"
	case b.Info()&types.IsString != 0:
		return constant.MakeString(""), `""`
	case b.Info()&types.IsNumeric != 0:
		return constant.MakeInt64(0), "0"
	}
	return nil, ""
}

func isBasic(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsBoolean|types.IsString|types.IsNumeric) != 0
}

func isNil(pass *analysis.Pass, e ast.Expr) bool {
	return e != nil && pass.TypesInfo.Types[e].IsNil()
}

// reachedNodes computes the CFG nodes that can run after the defer
// statement (the rest of its block, every block reachable from it).
func (c *checker) reachedNodes() []ast.Node {
	if c.reached {
		return c.later
	}
	c.reached = true
	var g *cfg.CFG
	switch f := c.fn.Node().(type) {
	case *ast.FuncDecl:
		g = c.cfgs.FuncDecl(f)
	case *ast.FuncLit:
		g = c.cfgs.FuncLit(f)
	}
	if g == nil {
		return nil
	}
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			if n != c.def {
				continue
			}
			c.later = append(c.later, b.Nodes[i+1:]...)
			seen := map[*cfg.Block]bool{}
			stack := append([]*cfg.Block(nil), b.Succs...)
			for len(stack) > 0 {
				s := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if seen[s] {
					continue
				}
				seen[s] = true
				c.later = append(c.later, s.Nodes...)
				stack = append(stack, s.Succs...)
			}
			return c.later
		}
	}
	return nil
}

// inLoopBefore reports whether pos lies in a loop containing the defer,
// before the defer statement.
func (c *checker) inLoopBefore(pos token.Pos) bool {
	if pos >= c.def.Pos() {
		return false
	}
	for _, l := range c.loops {
		if l.Pos() <= pos && pos < l.End() {
			return true
		}
	}
	return false
}

// writesAfter returns the writes that can run after the defer statement.
func (c *checker) writesAfter() map[types.Object][]write {
	if c.after != nil {
		return c.after
	}
	c.after = make(map[types.Object][]write)
	add := func(obj types.Object, w write) {
		if obj != nil {
			w.earlier = c.inLoopBefore(w.pos)
			c.after[obj] = append(c.after[obj], w)
		}
	}
	for _, n := range c.reachedNodes() {
		if n == c.def {
			continue // the defer statement itself, reached again in a loop
		}
		if e, ok := n.(ast.Expr); ok && c.rangeAssigned()[e] {
			add(astq.RootObject(c.pass, e), write{pos: e.Pos()})
			continue
		}
		c.collectWrites(n, false, add)
	}
	return c.after
}

// writesBefore returns the writes, declarations included, that lie
// textually before the defer statement in fn.
func (c *checker) writesBefore() map[types.Object][]write {
	if c.before != nil {
		return c.before
	}
	c.before = make(map[types.Object][]write)
	add := func(obj types.Object, w write) {
		if obj != nil && w.pos < c.def.Pos() {
			c.before[obj] = append(c.before[obj], w)
		}
	}
	c.collectWrites(c.body, false, add)
	return c.before
}

// rangeAssigned returns the keys and values of the range statements of
// fn that assign existing variables (for k, v = range x).
func (c *checker) rangeAssigned() map[ast.Expr]bool {
	if c.rangeAsgn != nil {
		return c.rangeAsgn
	}
	c.rangeAsgn = make(map[ast.Expr]bool)
	ast.Inspect(c.body, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok && r.Tok == token.ASSIGN {
			for _, e := range []ast.Expr{r.Key, r.Value} {
				if e != nil {
					c.rangeAsgn[e] = true
				}
			}
		}
		return true
	})
	return c.rangeAsgn
}

// collectWrites calls add for every write in n to a variable, and for
// every declaration of one. Function literals are entered (a closure
// that assigns a variable changes it), but their return statements do
// not assign fn's results.
func (c *checker) collectWrites(n ast.Node, inLit bool, add func(types.Object, write)) {
	info := c.pass.TypesInfo
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			c.collectWrites(n.Body, true, add)
			return false
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				w := write{pos: lhs.Pos()}
				if len(n.Lhs) == len(n.Rhs) && (n.Tok == token.ASSIGN || n.Tok == token.DEFINE) {
					w.rhs = n.Rhs[i]
				}
				if id, ok := lhs.(*ast.Ident); ok && n.Tok == token.DEFINE && info.Defs[id] != nil {
					add(info.Defs[id], w)
					continue
				}
				add(astq.RootObject(c.pass, lhs), w)
			}
		case *ast.IncDecStmt:
			add(astq.RootObject(c.pass, n.X), write{pos: n.Pos()})
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				add(astq.RootObject(c.pass, n.X), write{pos: n.Pos()})
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				w := write{pos: id.Pos(), zero: len(n.Values) == 0}
				if len(n.Values) == len(n.Names) {
					w.rhs = n.Values[i]
				}
				add(info.Defs[id], w)
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if e == nil {
					continue
				}
				if id, ok := e.(*ast.Ident); ok && n.Tok == token.DEFINE {
					add(info.Defs[id], write{pos: id.Pos()})
				} else if n.Tok == token.ASSIGN {
					add(astq.RootObject(c.pass, e), write{pos: e.Pos()})
				}
			}
		case *ast.ReturnStmt:
			if inLit || len(n.Results) == 0 || c.fnSig == nil {
				break
			}
			res := c.fnSig.Results()
			for obj, i := range c.results {
				w := write{pos: n.Pos()}
				if len(n.Results) == res.Len() {
					w.rhs = n.Results[i]
					if id, ok := ast.Unparen(w.rhs).(*ast.Ident); ok && info.Uses[id] == obj {
						continue // return err, with err the result itself
					}
				}
				add(obj, w)
			}
		case *ast.CallExpr:
			// x.m() with a pointer method on an addressable x takes &x.
			sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr)
			if !ok {
				break
			}
			s := info.Selections[sel]
			if s == nil || s.Kind() != types.MethodVal {
				break
			}
			recv := s.Obj().(*types.Func).Signature().Recv()
			if recv == nil || !isPointer(recv.Type()) || isPointer(info.TypeOf(sel.X)) {
				break
			}
			add(astq.RootObject(c.pass, sel.X), write{pos: n.Pos()})
		}
		return true
	})
}

func isPointer(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}

// isElapsed recognizes calls whose result depends on the time they are
// made at: time.Since(t), time.Until(t), time.Now().Sub(t), t.Sub(time.Now()).
func (c *checker) isElapsed(call *ast.CallExpr) bool {
	fn := astq.Callee(c.pass, call)
	if astq.IsFunc(fn, "time", "Since", "Until") {
		return true
	}
	if astq.IsMethod(fn, "time", "Time", "Sub") && len(call.Args) == 1 {
		recv, _ := astq.ReceiverExpr(call)
		return c.isNow(recv) || c.isNow(call.Args[0])
	}
	return false
}

func (c *checker) isNow(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && astq.IsFunc(astq.Callee(c.pass, call), "time", "Now")
}

// startOf returns the operand of an elapsed call that holds the start
// (or end) time: start in time.Since(start) and time.Now().Sub(start).
func (c *checker) startOf(call *ast.CallExpr) ast.Expr {
	if len(call.Args) != 1 {
		return nil
	}
	if c.isNow(call.Args[0]) {
		recv, _ := astq.ReceiverExpr(call)
		return recv
	}
	return call.Args[0]
}

func (c *checker) reportElapsed(el *ast.CallExpr, isLit bool) {
	what := astq.Render(el)
	var msg string
	if isLit {
		result := "about 0s"
		if !c.startedJustBefore(el) {
			result = "only the time before the defer statement"
		}
		msg = fmt.Sprintf("%s is evaluated when the defer statement runs, so the deferred function literal receives %s, not the time until %s returns (compute it inside the function literal instead)",
			what, result, c.fnName())
		c.pass.Report(analysis.Diagnostic{Pos: c.def.Pos(), End: c.def.End(), Message: msg})
		return
	}
	callee := astq.Render(c.def.Call.Fun)
	if c.startedJustBefore(el) {
		msg = fmt.Sprintf("%s is evaluated when the defer statement runs, so the deferred %s reports about 0s (wrap in a closure: defer func() { %s }())",
			what, callee, shortCall(c.def.Call))
	} else {
		msg = fmt.Sprintf("%s is evaluated when the defer statement runs, so the deferred %s reports only the time before the defer statement, not until %s returns (wrap in a closure: defer func() { %s }())",
			what, callee, c.fnName(), shortCall(c.def.Call))
	}
	c.report(c.def, msg)
}

// startedJustBefore reports whether the start time of el was taken from
// the clock right before the defer statement, with no call in between:
// start := time.Now(); defer log.Printf("%v", time.Since(start)).
func (c *checker) startedJustBefore(el *ast.CallExpr) bool {
	start := c.startOf(el)
	id, ok := ast.Unparen(start).(*ast.Ident)
	if !ok {
		return false
	}
	v := c.pass.TypesInfo.Uses[id]
	for prev, ok := c.cur.PrevSibling(); ok; prev, ok = prev.PrevSibling() {
		if as, ok := prev.Node().(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
			for i, lhs := range as.Lhs {
				if lid, ok := lhs.(*ast.Ident); ok && c.pass.TypesInfo.ObjectOf(lid) == v {
					return c.isNow(as.Rhs[i])
				}
			}
		}
		if c.doesWork(prev.Node()) {
			return false
		}
	}
	return false
}

// workAfter reports whether anything that takes time can run after the
// defer statement: a call (other than a conversion) or a channel
// operation. When nothing does, the duration measured at the defer is
// the right one.
func (c *checker) workAfter() bool {
	for _, n := range c.reachedNodes() {
		if n == c.def || c.inLoopBefore(n.Pos()) {
			continue
		}
		if c.doesWork(n) {
			return true
		}
	}
	return false
}

func (c *checker) doesWork(n ast.Node) bool {
	work := false
	inspectNoLits(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if !c.pass.TypesInfo.Types[n.Fun].IsType() && !isBuiltin(c.pass, n) {
				work = true
			}
		case *ast.SendStmt, *ast.SelectStmt:
			work = true
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				work = true
			}
		}
		return !work
	})
	return work
}

func (c *checker) reportStale(vars []*types.Var) {
	call := c.def.Call
	fnName := c.fnName()
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = v.Name()
	}
	var msg string
	if len(vars) == 1 {
		v := vars[0]
		now := "as it is now"
		if text, ok := c.valueAtDefer(v); ok && text != "" {
			now += " (" + text + ")"
		}
		var lost string
		_, isResult := c.results[v]
		switch {
		case astq.IsErrorType(v.Type()) && isResult:
			lost = "the returned error is never seen"
		case astq.IsErrorType(v.Type()):
			lost = fmt.Sprintf("errors assigned to %s later are never seen", v.Name())
		case isResult:
			lost = fmt.Sprintf("the returned %s is never seen", v.Name())
		default:
			lost = fmt.Sprintf("later assignments to %s are never seen", v.Name())
		}
		msg = fmt.Sprintf("deferred %s receives %s %s, not its value when %s returns: %s (wrap the call in a closure: defer func() { %s }())",
			shortCall(call), v.Name(), now, fnName, lost, shortCall(call))
	} else {
		list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		msg = fmt.Sprintf("deferred %s receives %s as they are now, not their values when %s returns: later assignments are never seen (wrap the call in a closure: defer func() { %s }())",
			shortCall(call), list, fnName, shortCall(call))
	}
	c.report(c.def, msg)
}

func (c *checker) fnName() string {
	return astq.FuncName(c.fn)
}

// report emits the diagnostic, with the closure fix when it is safe.
func (c *checker) report(rng analysis.Range, msg string) {
	d := analysis.Diagnostic{Pos: rng.Pos(), End: rng.End(), Message: msg}
	if c.canWrap() {
		call := c.def.Call
		d.SuggestedFixes = []analysis.SuggestedFix{{
			Message: "Wrap the deferred call in a function literal",
			TextEdits: []analysis.TextEdit{
				{Pos: call.Pos(), End: call.Pos(), NewText: []byte("func() { ")},
				{Pos: call.End(), End: call.End(), NewText: []byte(" }()")},
			},
		}}
	}
	c.pass.Report(d)
}

// canWrap reports whether moving the deferred call into a closure only
// changes when the flagged arguments are read: the function value, the
// receiver and every other argument evaluate the same at return.
func (c *checker) canWrap() bool {
	if len(c.loops) > 0 {
		// Each iteration's closure would see the last iteration's values.
		return false
	}
	call := c.def.Call
	if !c.stableCallee(call.Fun) || c.mayRecover(call) {
		return false
	}
	for _, a := range call.Args {
		if !c.stableArg(a) {
			return false
		}
	}
	return true
}

// mayRecover reports whether the deferred function may call recover:
// recover stops a panic only when the deferred function itself calls
// it, so moving that function into a closure would let panics through.
// Functions of this package are read; standard library functions never
// do it for their callers; for others, the name decides.
func (c *checker) mayRecover(call *ast.CallExpr) bool {
	fn := astq.Callee(c.pass, call)
	if fn == nil {
		return suggestsRecover(astq.Render(call.Fun))
	}
	fn = fn.Origin()
	if fn.Pkg() == c.pass.Pkg {
		for _, f := range c.pass.Files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && c.pass.TypesInfo.Defs[fd.Name] == fn {
					return fd.Body == nil || callsRecover(c.pass, fd.Body)
				}
			}
		}
		return true
	}
	if fn.Pkg() != nil && !strings.Contains(strings.SplitN(fn.Pkg().Path(), "/", 2)[0], ".") {
		return false // the standard library
	}
	return suggestsRecover(fn.Name())
}

func suggestsRecover(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "recover") || strings.Contains(name, "panic") || strings.Contains(name, "crash")
}

// callsRecover reports whether body calls recover directly.
func callsRecover(pass *analysis.Pass, body *ast.BlockStmt) bool {
	found := false
	inspectNoLits(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// changedLater reports whether obj may be written after the defer
// statement (on any path, in any iteration).
func (c *checker) changedLater(obj types.Object) bool {
	return len(c.writesAfter()[obj]) > 0
}

func (c *checker) stableCallee(e ast.Expr) bool {
	info := c.pass.TypesInfo
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		switch obj := info.Uses[e].(type) {
		case *types.Func:
			return true
		case *types.Var:
			return !c.changedLater(obj)
		}
		return false
	case *ast.SelectorExpr:
		if info.Selections[e] == nil {
			return c.stableCallee(e.Sel) // pkg.F
		}
		return c.stableArg(e.X)
	case *ast.IndexExpr:
		return info.Types[e.Index].IsType() && c.stableCallee(e.X)
	case *ast.IndexListExpr:
		for _, ix := range e.Indices {
			if !info.Types[ix].IsType() {
				return false
			}
		}
		return c.stableCallee(e.X)
	}
	return false
}

// stableArg reports whether e evaluates to the same value at return as
// at the defer statement, or is one whose late value is wanted.
func (c *checker) stableArg(e ast.Expr) bool {
	info := c.pass.TypesInfo
	if tv, ok := info.Types[e]; ok && (tv.Value != nil || tv.IsType() || tv.IsNil()) {
		return true
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return c.stableArg(e.X)
	case *ast.Ident:
		switch obj := info.ObjectOf(e).(type) {
		case *types.Var:
			return c.flagged[obj] || !c.changedLater(obj)
		case nil:
			return false
		}
		return true
	case *ast.SelectorExpr:
		if info.Selections[e] == nil {
			return c.stableArg(e.Sel)
		}
		return c.stableArg(e.X)
	case *ast.StarExpr:
		return c.stableArg(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.ARROW {
			return false
		}
		if _, ok := e.X.(*ast.Ident); ok && e.Op == token.AND {
			return true // &x is the same pointer whatever x holds
		}
		return c.stableArg(e.X)
	case *ast.BinaryExpr:
		return c.stableArg(e.X) && c.stableArg(e.Y)
	case *ast.IndexExpr:
		return c.stableArg(e.X) && c.stableArg(e.Index)
	case *ast.SliceExpr:
		for _, x := range []ast.Expr{e.X, e.Low, e.High, e.Max} {
			if x != nil && !c.stableArg(x) {
				return false
			}
		}
		return true
	case *ast.TypeAssertExpr:
		return c.stableArg(e.X)
	case *ast.CompositeLit:
		for _, elt := range e.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				if _, isStruct := info.TypeOf(e).Underlying().(*types.Struct); !isStruct && !c.stableArg(kv.Key) {
					return false
				}
				elt = kv.Value
			}
			if !c.stableArg(elt) {
				return false
			}
		}
		return true
	case *ast.FuncLit:
		return true // it captures variables, not values, either way
	case *ast.CallExpr:
		return c.stableCall(e)
	}
	return false
}

// stableCall accepts the calls whose late evaluation is the point of
// the fix: conversions, the elapsed-time call itself, pure methods of
// time.Duration, and static calls over a flagged variable (err.Error(),
// strconv.Itoa(status)).
func (c *checker) stableCall(call *ast.CallExpr) bool {
	info := c.pass.TypesInfo
	if info.Types[call.Fun].IsType() {
		return len(call.Args) == 1 && c.stableArg(call.Args[0])
	}
	if _, ok := c.elapsed[call]; ok {
		start := c.startOf(call)
		return start != nil && c.stableArg(start)
	}
	fn := astq.Callee(c.pass, call)
	if fn == nil {
		return false
	}
	var operands []ast.Expr
	if recv, ok := astq.ReceiverExpr(call); ok && info.Selections[ast.Unparen(call.Fun).(*ast.SelectorExpr)] != nil {
		operands = append(operands, recv)
	}
	operands = append(operands, call.Args...)
	if astq.IsMethod(fn, "time", "Duration", "Seconds", "Milliseconds", "Microseconds", "Nanoseconds", "Minutes", "Hours", "String", "Round", "Truncate") {
		for _, o := range operands {
			if !c.stableArg(o) {
				return false
			}
		}
		return true
	}
	late := false
	for _, o := range operands {
		if !c.stableArg(o) {
			return false
		}
		if c.mentionsLate(o) {
			late = true
		}
	}
	return late
}

// mentionsLate reports whether e reads a flagged variable or contains
// an elapsed-time call.
func (c *checker) mentionsLate(e ast.Expr) bool {
	found := false
	inspectNoLits(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if c.flagged[c.pass.TypesInfo.Uses[n]] {
				found = true
			}
		case *ast.CallExpr:
			if _, ok := c.elapsed[n]; ok {
				found = true
			}
		}
		return !found
	})
	return found
}

// shortCall renders a call for a message, eliding long argument lists.
func shortCall(call *ast.CallExpr) string {
	s := astq.Render(call)
	if len(s) <= 40 {
		return s
	}
	return astq.Render(call.Fun) + "(...)"
}

// inspectNoLits is ast.Inspect that does not enter function literals.
func inspectNoLits(n ast.Node, f func(ast.Node) bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		return f(n)
	})
}
