package deferblock

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"time"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
)

// maxDepth is how many same-package calls the walk follows from the
// deferred call: the helper it names (1) and the helpers that one calls (2).
const maxDepth = 2

type opKind int

const (
	opSleep     opKind = iota // time.Sleep(d), <-time.After(d)
	opTimer                   // <-t.C of a *time.Timer or *time.Ticker
	opSend                    // ch <- v
	opRecv                    // <-ch
	opRange                   // for range ch
	opCtxDone                 // <-ctx.Done()
	opWaitGroup               // wg.Wait()
	opErrGroup                // g.Wait() of an errgroup.Group
	opCond                    // c.Wait() of a sync.Cond
)

// An op is a blocking operation the deferred call performs.
type op struct {
	kind opKind
	pos  token.Pos // the operation itself
	// anchor is the position, in the function being walked from, of the
	// statement or call that leads to the operation (pos itself when the
	// operation is written there).
	anchor token.Pos
	expr   ast.Expr     // the channel, WaitGroup, Cond or timer operand
	dur    string       // for opSleep: the duration, rendered
	key    types.Object // identity of expr (see keyOf), nil when unknown
	root   types.Object // the variable expr hangs off: x for x.f.ch, x.C(), x
	via    []string     // the same-package calls that lead to the operation
	inSel  bool         // the operation is a case of a select statement
	after  bool         // for opSleep: a receive from time.After
	loop   bool         // in a for statement of the function it is written in
	retry  bool         // for opSleep: in a bounded loop that a return or break ends early
}

// walker collects the operations a piece of code performs on the
// goroutine running it, following same-package calls up to maxDepth. It
// does not enter function literals that are not called on the spot, nor
// go statements: they run later, or on another goroutine.
type walker struct {
	pass  *analysis.Pass
	decls *decls.Index
	// all records every channel operation, also the cases of a select
	// that has a way out (used to collect what a function did before its
	// defer statement); otherwise only the blocking ones are recorded.
	all  bool
	ops  []op
	adds map[types.Object]bool // WaitGroups and errgroups Add-ed or Go-ed
	busy map[*ast.FuncDecl]bool
}

type frame struct {
	depth  int
	subst  map[types.Object]types.Object // helper parameters -> caller's keys
	via    []string
	anchor token.Pos
	loop   bool // inside a for statement of the function being walked
	retry  bool // inside a bounded for statement with an early exit: a retry loop
}

func (w *walker) record(o op, fr frame) {
	if o.expr != nil {
		o.root = rootOf(w.pass, o.expr, fr.subst)
	}
	o.via = fr.via
	o.anchor = fr.anchor
	o.loop = fr.loop
	o.retry = fr.retry
	if fr.depth == 0 {
		o.anchor = o.pos
	}
	w.ops = append(w.ops, o)
}

// walk records the operations of n.
func (w *walker) walk(n ast.Node, fr frame) {
	info := w.pass.TypesInfo
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit, *ast.GoStmt:
			return false
		case *ast.DeferStmt:
			if w.all {
				return false // runs at return, after what the walk is about
			}
		case *ast.SelectStmt:
			out := hasWayOut(x)
			for _, s := range x.Body.List {
				cc := s.(*ast.CommClause)
				if cc.Comm != nil && (w.all || !out) {
					w.comm(cc.Comm, fr)
				}
				for _, s := range cc.Body {
					w.walk(s, fr)
				}
			}
			return false
		case *ast.ForStmt:
			for _, n := range []ast.Node{x.Init, x.Cond, x.Post} {
				if n != nil {
					w.walk(n, fr)
				}
			}
			lf := fr
			lf.loop = true
			lf.retry = x.Cond != nil && exitsEarly(x.Body)
			w.walk(x.Body, lf)
			return false
		case *ast.SendStmt:
			w.record(op{kind: opSend, pos: x.Pos(), expr: x.Chan, key: w.keyOf(x.Chan, fr.subst)}, fr)
		case *ast.UnaryExpr:
			if x.Op == token.ARROW {
				w.recv(x, fr, false)
			}
		case *ast.RangeStmt:
			if isChan(info.TypeOf(x.X)) {
				w.record(op{kind: opRange, pos: x.Pos(), expr: x.X, key: w.keyOf(x.X, fr.subst)}, fr)
			}
		case *ast.CallExpr:
			cf := fr
			if cf.depth == 0 {
				cf.anchor = x.Pos()
			}
			w.call(x, cf, true)
			return false
		}
		return true
	})
}

// walkDeferred records what the deferred call does when it runs. Its
// arguments were evaluated at the defer statement and are not walked.
func (w *walker) walkDeferred(call *ast.CallExpr) {
	w.call(call, frame{anchor: call.Pos()}, false)
}

// call records what call does, and walks its arguments if args is set.
func (w *walker) call(call *ast.CallExpr, fr frame, args bool) {
	if args {
		for _, a := range call.Args {
			w.walk(a, fr)
		}
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			w.walk(sel.X, fr)
		}
	}
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		w.walk(lit.Body, fr)
		return
	}
	fn := astq.Callee(w.pass, call)
	if fn == nil {
		return
	}
	switch {
	case astq.IsFunc(fn, "time", "Sleep") && len(call.Args) == 1:
		w.record(op{kind: opSleep, pos: call.Pos(), dur: duration(w.pass, call.Args[0])}, fr)
		return
	case astq.IsMethod(fn, "sync", "WaitGroup", "Wait"):
		w.method(opWaitGroup, call, fr)
		return
	case astq.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Wait"):
		w.method(opErrGroup, call, fr)
		return
	case astq.IsMethod(fn, "sync", "Cond", "Wait"):
		w.method(opCond, call, fr)
		return
	case astq.IsMethod(fn, "sync", "WaitGroup", "Add", "Go"),
		astq.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Go", "TryGo"):
		if recv, ok := astq.ReceiverExpr(call); ok {
			if k := w.keyOf(recv, fr.subst); k != nil {
				w.adds[k] = true
			}
		}
		return
	}
	if fr.depth >= maxDepth || fn.Pkg() != w.pass.Pkg {
		return
	}
	decl := w.decls.Of(fn)
	if decl == nil || decl.Body == nil || w.busy[decl] {
		return
	}
	w.busy[decl] = true
	defer delete(w.busy, decl)
	sub := frame{
		depth:  fr.depth + 1,
		subst:  w.bind(decl, call, fr.subst),
		via:    append(fr.via[:len(fr.via):len(fr.via)], calleeName(call)),
		anchor: fr.anchor,
	}
	w.walk(decl.Body, sub)
}

func (w *walker) method(kind opKind, call *ast.CallExpr, fr frame) {
	recv, ok := astq.ReceiverExpr(call)
	if !ok {
		return
	}
	w.record(op{kind: kind, pos: call.Pos(), expr: recv, key: w.keyOf(recv, fr.subst)}, fr)
}

// comm records the channel operation of a select case.
func (w *walker) comm(s ast.Stmt, fr frame) {
	var e ast.Expr
	switch s := s.(type) {
	case *ast.SendStmt:
		w.record(op{kind: opSend, pos: s.Pos(), expr: s.Chan, key: w.keyOf(s.Chan, fr.subst), inSel: true}, fr)
		return
	case *ast.ExprStmt:
		e = s.X
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 {
			e = s.Rhs[0]
		}
	}
	if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		w.recv(u, fr, true)
	}
}

// recv records the receive u (<-x), telling timers and ctx.Done() apart.
func (w *walker) recv(u *ast.UnaryExpr, fr frame, inSel bool) {
	x := ast.Unparen(u.X)
	o := op{kind: opRecv, pos: u.Pos(), expr: x, inSel: inSel}
	if call, ok := x.(*ast.CallExpr); ok {
		fn := astq.Callee(w.pass, call)
		switch {
		case astq.IsFunc(fn, "time", "After") && len(call.Args) == 1:
			o.kind, o.dur, o.after = opSleep, duration(w.pass, call.Args[0]), true
		case astq.IsMethod(fn, "context", "Context", "Done"):
			o.kind = opCtxDone
		}
	} else if sel, ok := x.(*ast.SelectorExpr); ok && sel.Sel.Name == "C" &&
		(astq.IsNamedType(w.pass.TypesInfo.TypeOf(sel.X), "time", "Timer") ||
			astq.IsNamedType(w.pass.TypesInfo.TypeOf(sel.X), "time", "Ticker")) {
		o.kind = opTimer
	}
	if o.kind == opRecv {
		o.key = w.keyOf(x, fr.subst)
	}
	w.record(o, fr)
}

// bind maps the parameters (and receiver) of decl to the keys of the
// arguments of call, so that a helper's operations on its parameters are
// seen as operations on the caller's variables.
func (w *walker) bind(decl *ast.FuncDecl, call *ast.CallExpr, outer map[types.Object]types.Object) map[types.Object]types.Object {
	info := w.pass.TypesInfo
	m := make(map[types.Object]types.Object)
	if decl.Recv != nil && len(decl.Recv.List) == 1 && len(decl.Recv.List[0].Names) == 1 {
		if recv, ok := astq.ReceiverExpr(call); ok {
			m[info.Defs[decl.Recv.List[0].Names[0]]] = w.keyOf(recv, outer)
		}
	}
	i := 0
	for _, f := range decl.Type.Params.List {
		for _, name := range f.Names {
			if i < len(call.Args) && !call.Ellipsis.IsValid() {
				m[info.Defs[name]] = w.keyOf(call.Args[i], outer)
			}
			i++
		}
		if len(f.Names) == 0 {
			i++
		}
	}
	return m
}

// keyOf returns the identity of a channel or WaitGroup expression: the
// variable for x (or the caller's variable when x is a helper's
// parameter), the field for s.f, whatever s is. It returns nil when the
// expression has no such identity (a call, an index).
func (w *walker) keyOf(e ast.Expr, subst map[types.Object]types.Object) types.Object {
	return keyOf(w.pass, e, subst)
}

func keyOf(pass *analysis.Pass, e ast.Expr, subst map[types.Object]types.Object) types.Object {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		obj := pass.TypesInfo.ObjectOf(x)
		if k, ok := subst[obj]; ok {
			return k
		}
		if _, ok := obj.(*types.Var); ok {
			return obj
		}
	case *ast.SelectorExpr:
		if sel := pass.TypesInfo.Selections[x]; sel != nil {
			if sel.Kind() == types.FieldVal {
				return sel.Obj()
			}
			return nil
		}
		if v, ok := pass.TypesInfo.ObjectOf(x.Sel).(*types.Var); ok {
			return v // a package-level variable of another package
		}
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return keyOf(pass, x.X, subst)
		}
	case *ast.StarExpr:
		return keyOf(pass, x.X, subst)
	}
	return nil
}

// rootOf returns the variable at the root of e (x in x.f.g, x.m().f,
// *x, x[i]), or the caller's variable when that is a helper's parameter.
func rootOf(pass *analysis.Pass, e ast.Expr, subst map[types.Object]types.Object) types.Object {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			obj := pass.TypesInfo.ObjectOf(x)
			if k, ok := subst[obj]; ok {
				return k
			}
			if v, ok := obj.(*types.Var); ok {
				return v
			}
			return nil
		case *ast.SelectorExpr:
			if pass.TypesInfo.Selections[x] == nil {
				return nil // pkg.Name
			}
			e = x.X
		case *ast.CallExpr:
			sel, ok := ast.Unparen(x.Fun).(*ast.SelectorExpr)
			if !ok || pass.TypesInfo.Selections[sel] == nil {
				return nil
			}
			e = sel.X
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return nil
			}
			e = x.X
		default:
			return nil
		}
	}
}

// hasWayOut reports whether a select statement can go on without the
// channel operation of one particular case: it has a default case, or
// several cases of which one receives (ctx.Done(), a quit channel, a
// timer).
func hasWayOut(s *ast.SelectStmt) bool {
	recv := false
	for _, st := range s.Body.List {
		cc := st.(*ast.CommClause)
		if cc.Comm == nil {
			return true
		}
		if _, send := cc.Comm.(*ast.SendStmt); !send {
			recv = true
		}
	}
	return recv && len(s.Body.List) > 1
}

func isChan(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Chan)
	return ok
}

// duration renders a time.Duration argument: "100ms" for a constant,
// the expression otherwise.
func duration(pass *analysis.Pass, e ast.Expr) string {
	if tv, ok := pass.TypesInfo.Types[e]; ok && tv.Value != nil {
		if v, exact := constant.Int64Val(constant.ToInt(tv.Value)); exact {
			return time.Duration(v).String()
		}
	}
	return astq.Render(e)
}

// calleeName renders the function part of a call: "flush", "s.flush".
func calleeName(call *ast.CallExpr) string {
	fun := ast.Unparen(call.Fun)
	if ix, ok := fun.(*ast.IndexExpr); ok {
		fun = ix.X
	} else if ix, ok := fun.(*ast.IndexListExpr); ok {
		fun = ix.X
	}
	return astq.Render(fun)
}

// exitsEarly reports whether a loop body holds a return, or a break
// out of the loop (not out of a switch or select inside it): the loop
// can end before its condition does, as a retry loop ends when an
// attempt succeeds.
func exitsEarly(body *ast.BlockStmt) bool {
	found := false
	var visit func(n ast.Node, nested bool) bool
	visit = func(n ast.Node, nested bool) bool {
		if found {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = true
		case *ast.BranchStmt:
			found = x.Tok == token.BREAK && (x.Label != nil || !nested)
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			if !nested {
				ast.Inspect(x, func(m ast.Node) bool {
					if m == x {
						return true
					}
					return visit(m, true)
				})
				return false
			}
		}
		return !found
	}
	ast.Inspect(body, func(n ast.Node) bool { return visit(n, false) })
	return found
}
