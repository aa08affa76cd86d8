package deferclose

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// checkEarlyDefer looks at `v, err := call()` (or = or var) at cur and
// at the statements that follow it in the same list, up to the first
// one that looks at err or at v: a defer among them that uses v in a
// way that panics when v is nil runs (or is evaluated) even when call
// failed.
func (c *checker) checkEarlyDefer(cur inspector.Cursor, lhs []ast.Expr, rhs ast.Expr) {
	call, ok := ast.Unparen(rhs).(*ast.CallExpr)
	if !ok || len(lhs) < 2 {
		return
	}
	switch cur.ParentEdgeKind() {
	case edge.BlockStmt_List, edge.CaseClause_Body, edge.CommClause_Body:
	default:
		return
	}
	if !inTests && astq.IsTestCode(c.pass, call.Pos()) {
		// Rule "early defers in tests are opt-in": the error check of a
		// test fails it (t.Fatal runs the deferred calls, which then
		// panic on the nil value): the panic changes how a failed test
		// ends and stops the package's other tests, no caller is hurt.
		return
	}
	errVar := c.objOf(lhs[len(lhs)-1])
	if errVar == nil || !astq.IsErrorType(errVar.Type()) {
		return
	}
	type value struct {
		v     *types.Var
		index int
	}
	var vals []value
	watched := []types.Object{errVar}
	for i, l := range lhs[:len(lhs)-1] {
		if v := c.objOf(l); v != nil {
			vals = append(vals, value{v, i})
			watched = append(watched, v)
		}
	}
	if len(vals) == 0 {
		return
	}
	for s, ok := cur.NextSibling(); ok; s, ok = s.NextSibling() {
		switch st := s.Node().(type) {
		case *ast.DeferStmt:
			if c.mentions(st, errVar) {
				return // the deferred code looks at err itself
			}
			if c.exitsOnError(s, errVar) {
				return // rule "failure exits the process": the defer never runs then
			}
			if c.inMain(s) {
				return // rule "main's defers run as the process ends"
			}
			for _, val := range vals {
				use := c.nilUse(st.Call, val.v, 0)
				if use == nil || !c.nilOnError(call, val.index, val.v) {
					continue
				}
				callee := astq.Render(call.Fun)
				msg := fmt.Sprintf("%s is deferred before the error of %s is checked: when %s fails %s is nil and the defer panics with a nil pointer dereference (defer it after the error check)",
					astq.Render(use), callee, callee, val.v.Name())
				if m := c.unreadMethod(use); m != nil {
					// Its body is not at hand: say what is assumed.
					msg = fmt.Sprintf("%s is deferred before the error of %s is checked: when %s fails %s is nil, and the defer panics unless %s checks for a nil receiver (defer it after the error check)",
						astq.Render(use), callee, callee, val.v.Name(), methodName(m))
				}
				d := analysis.Diagnostic{
					Pos:            st.Pos(),
					End:            st.End(),
					Message:        msg,
					SuggestedFixes: c.moveAfterCheck(st, s, errVar),
				}
				if astq.IsTestCode(c.pass, call.Pos()) {
					d.Category = "tests" // the opt-in form, named in -json output
				}
				c.pass.Report(d)
				return
			}
			if c.mentions(st, watched...) {
				return
			}
			continue
		case *ast.ReturnStmt, *ast.BranchStmt, *ast.LabeledStmt:
			return
		}
		if c.mentions(s.Node(), watched...) {
			return
		}
	}
}

// nilUse returns the call in the deferred call (or, for a deferred
// function literal, in its unconditional leading statements) that
// panics when v is nil, or nil.
func (c *checker) nilUse(call *ast.CallExpr, v *types.Var, depth int) *ast.CallExpr {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		// defer cleanup(): calling a nil func.
		if c.pass.TypesInfo.Uses[fun] == v {
			if _, ok := v.Type().Underlying().(*types.Signature); ok {
				return call
			}
		}
	case *ast.SelectorExpr:
		if c.panicsOnNil(fun, v) {
			return call
		}
	case *ast.FuncLit:
		if depth > 0 || len(call.Args) != 0 {
			return nil
		}
		for _, s := range fun.Body.List {
			var inner *ast.CallExpr
			switch s := s.(type) {
			case *ast.ExprStmt:
				inner, _ = ast.Unparen(s.X).(*ast.CallExpr)
			case *ast.AssignStmt:
				if len(s.Rhs) == 1 {
					inner, _ = ast.Unparen(s.Rhs[0]).(*ast.CallExpr)
				}
			}
			if inner != nil {
				if u := c.nilUse(inner, v, depth+1); u != nil {
					return u
				}
			}
			if c.mentions(s, v) {
				return nil // a nil check, or a use that does not panic
			}
		}
	}
	return nil
}

// panicsOnNil reports whether calling sel (v.M, v.f.M, v.f.g.M...)
// panics when v is nil: a field read through a nil pointer, a method of
// a nil interface, a value method or a promoted method through a nil
// pointer, or a pointer method that dereferences its receiver.
func (c *checker) panicsOnNil(sel *ast.SelectorExpr, v *types.Var) bool {
	x := sel
	for {
		inner, ok := ast.Unparen(x.X).(*ast.SelectorExpr)
		if !ok {
			break
		}
		x = inner
	}
	id, ok := ast.Unparen(x.X).(*ast.Ident)
	if !ok || c.pass.TypesInfo.Uses[id] != v {
		return false
	}
	selection := c.pass.TypesInfo.Selections[x]
	if selection == nil {
		return false
	}
	t := types.Unalias(v.Type())
	if _, ok := t.(*types.TypeParam); ok {
		return false // depends on the instantiation
	}
	switch u := t.Underlying().(type) {
	case *types.Interface:
		return x == sel && selection.Kind() == types.MethodVal
	case *types.Pointer:
		if _, ok := types.Unalias(u.Elem()).(*types.TypeParam); ok {
			return false
		}
		if selection.Kind() == types.FieldVal || len(selection.Index()) > 1 {
			return true // reads a field of *v
		}
		if x != sel || selection.Kind() != types.MethodVal {
			return false
		}
		m := selection.Obj().(*types.Func)
		if _, ptr := types.Unalias(m.Signature().Recv().Type()).(*types.Pointer); !ptr {
			return true // copies *v to call a value method
		}
		return !c.nilSafeMethod(m, 0)
	}
	return false
}

// nilSafeMethod reports whether the pointer method m can be called with
// a nil receiver without panicking, as far as can be told.
//
// For methods of other packages the answer comes from the standard
// library, where every method of *os.File checks for nil and returns
// ErrInvalid and the Close of *net.TCPListener and *net.UnixListener
// return EINVAL; the other Close, Rollback, Stop... methods of the
// standard library were checked to panic on nil. Methods of other
// modules are assumed to dereference their receiver, as nearly all do.
// For methods of the package being analyzed, the body decides: the
// first use of the receiver must be a nil comparison.
func (c *checker) nilSafeMethod(m *types.Func, depth int) bool {
	recvNamed := astq.NamedOf(m.Signature().Recv().Type())
	if recvNamed == nil {
		return true
	}
	if m.Pkg() != c.pass.Pkg {
		if !isStd(m.Pkg()) {
			safe, _ := c.foreignNilSafe(m)
			return safe
		}
		return astq.IsNamedType(recvNamed, "os", "File") ||
			astq.IsNamedType(recvNamed, "net", "TCPListener") ||
			astq.IsNamedType(recvNamed, "net", "UnixListener")
	}
	fd := c.funcDecl(m)
	if fd == nil || fd.Body == nil || fd.Recv == nil || len(fd.Recv.List) == 0 || depth > 3 {
		return true
	}
	names := fd.Recv.List[0].Names
	if len(names) == 0 || names[0].Name == "_" {
		return true // the receiver is never used
	}
	recv := c.pass.TypesInfo.Defs[names[0]]
	fdCur, ok := c.ins.Root().FindNode(fd.Body)
	if recv == nil || !ok {
		return true
	}
	for idCur := range fdCur.Preorder((*ast.Ident)(nil)) {
		if c.pass.TypesInfo.Uses[idCur.Node().(*ast.Ident)] != recv {
			continue
		}
		switch p := idCur.Parent().Node().(type) {
		case *ast.StarExpr:
			return false
		case *ast.SelectorExpr:
			s := c.pass.TypesInfo.Selections[p]
			if s == nil {
				return true
			}
			if s.Kind() == types.FieldVal || len(s.Index()) > 1 {
				return false
			}
			mm, ok := s.Obj().(*types.Func)
			if !ok {
				return true
			}
			if _, ptr := types.Unalias(mm.Signature().Recv().Type()).(*types.Pointer); !ptr {
				return false
			}
			return c.nilSafeMethod(mm, depth+1)
		}
		// A nil comparison, or the receiver passed on: no dereference
		// that we can see.
		return true
	}
	return true
}

// nilOnError reports whether the result index of call is nil when the
// call fails. Functions of other packages are taken to follow the
// convention (return nil, err); for functions of this package every
// return with a non-nil error must return nil (or an interface value)
// in that position. A func-typed result is only taken to be nil when
// the function visibly returns nil with an error.
func (c *checker) nilOnError(call *ast.CallExpr, index int, v *types.Var) bool {
	_, isFunc := v.Type().Underlying().(*types.Signature)
	callee := astq.Callee(c.pass, call)
	fd := c.funcDecl(callee)
	if fd == nil || fd.Body == nil {
		if callee != nil && callee.Pkg() != nil && callee.Pkg() != c.pass.Pkg && !isStd(callee.Pkg()) && c.foreignNeverFails(callee) {
			return false // rule "a call that cannot fail"
		}
		return !isFunc
	}
	fdCur, ok := c.ins.Root().FindNode(fd.Body)
	if !ok {
		return false
	}
	sig := c.pass.TypesInfo.Defs[fd.Name].(*types.Func).Signature()
	n := sig.Results().Len()
	sawNil := false
	consistent := true
	canFail := false
	fdCur.Inspect([]ast.Node{(*ast.ReturnStmt)(nil), (*ast.FuncLit)(nil)}, func(cur inspector.Cursor) bool {
		ret, ok := cur.Node().(*ast.ReturnStmt)
		if !ok {
			return false // returns of nested function literals are theirs
		}
		if len(ret.Results) != n || index >= n {
			consistent, canFail = false, true // bare or forwarding return: unknown
			return false
		}
		if astq.IsNil(c.pass, ret.Results[n-1]) {
			return false // success
		}
		canFail = true
		val := ret.Results[index]
		switch {
		case astq.IsNil(c.pass, val):
			sawNil = true
		case !isFunc && types.IsInterface(c.pass.TypesInfo.TypeOf(val)):
		default:
			consistent = false
		}
		return false
	})
	if !canFail {
		// Rule "a call that cannot fail": every return gives a nil
		// error (a constructor that keeps the error for its API), so
		// the error check is dead and nothing is nil when it fails.
		return false
	}
	if isFunc {
		return sawNil
	}
	return consistent
}

// moveAfterCheck offers to move the defer right after the error check
// when that check is the very next statement and leaves the function on
// error: on success the defer is registered at the same point as
// before, relative to everything that can fail or return.
func (c *checker) moveAfterCheck(def *ast.DeferStmt, defCur inspector.Cursor, errVar *types.Var) []analysis.SuggestedFix {
	next, ok := defCur.NextSibling()
	if !ok {
		return nil
	}
	ifs, ok := next.Node().(*ast.IfStmt)
	if !ok || ifs.Init != nil || ifs.Else != nil || len(ifs.Body.List) == 0 {
		return nil
	}
	cond, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr)
	if !ok || cond.Op != token.NEQ {
		return nil
	}
	x, y := cond.X, cond.Y
	if astq.IsNil(c.pass, x) {
		x, y = y, x
	}
	if c.objOf(x) != errVar || !astq.IsNil(c.pass, y) || !terminates(c.pass, ifs.Body.List[len(ifs.Body.List)-1]) {
		return nil
	}
	tf := c.pass.Fset.File(def.Pos())
	if tf == nil {
		return nil
	}
	src, err := c.pass.ReadFile(tf.Name())
	if err != nil || tf.Size() != len(src) {
		return nil
	}
	lineStart := tf.Offset(tf.LineStart(tf.Line(def.Pos())))
	start, end := tf.Offset(def.Pos()), tf.Offset(def.End())
	if len(bytes.Trim(src[lineStart:start], " \t")) != 0 {
		return nil
	}
	eol, ok := endOfLine(src, end)
	if !ok {
		return nil
	}
	ifEOL, ok := endOfLine(src, tf.Offset(ifs.End()))
	if !ok {
		return nil
	}
	moved := string(src[lineStart:eol])
	return []analysis.SuggestedFix{{
		Message: "Move the defer after the error check",
		TextEdits: []analysis.TextEdit{
			{Pos: tf.Pos(lineStart), End: tf.Pos(eol + 1)},
			{Pos: tf.Pos(ifEOL), End: tf.Pos(ifEOL), NewText: []byte("\n" + moved)},
		},
	}}
}

// endOfLine returns the offset of the newline ending the line that
// contains off, provided the rest of the line after off is blank or a
// line comment.
func endOfLine(src []byte, off int) (int, bool) {
	nl := bytes.IndexByte(src[off:], '\n')
	if nl < 0 {
		return 0, false
	}
	rest := bytes.TrimSpace(src[off : off+nl])
	if len(rest) != 0 && !bytes.HasPrefix(rest, []byte("//")) {
		return 0, false
	}
	return off + nl, true
}

// exitsOnError reports whether the first statement after def that looks
// at err is `if err != nil { …; exit() }` ending in a call that ends the
// process without running deferred calls: os.Exit, or a Fatal, Fatalf
// or Fatalln other than testing's (log.Fatal and the logging libraries
// call os.Exit; t.Fatal runs the deferred calls through runtime.Goexit).
func (c *checker) exitsOnError(def inspector.Cursor, errVar *types.Var) bool {
	for s, ok := def.NextSibling(); ok; s, ok = s.NextSibling() {
		if !c.mentions(s.Node(), errVar) {
			continue
		}
		ifs, ok := s.Node().(*ast.IfStmt)
		if !ok || ifs.Init != nil || len(ifs.Body.List) == 0 {
			return false
		}
		cond, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr)
		if !ok || cond.Op != token.NEQ || c.objOf(cond.X) != errVar || !astq.IsNil(c.pass, cond.Y) {
			return false
		}
		last, ok := ifs.Body.List[len(ifs.Body.List)-1].(*ast.ExprStmt)
		if !ok {
			return false
		}
		call, ok := ast.Unparen(last.X).(*ast.CallExpr)
		if !ok {
			return false
		}
		fn := astq.Callee(c.pass, call)
		if fn == nil || fn.Pkg() == nil {
			return false
		}
		if fn.Pkg().Path() == "os" && fn.Name() == "Exit" {
			return true
		}
		switch fn.Name() {
		case "Fatal", "Fatalf", "Fatalln":
			return fn.Pkg().Path() != "testing"
		}
		return false
	}
	return false
}

// terminates reports whether s leaves the function: a return or a call
// of panic.
func terminates(pass *analysis.Pass, s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				_, builtin := pass.TypesInfo.Uses[id].(*types.Builtin)
				return builtin && id.Name == "panic"
			}
		}
	}
	return false
}

// unreadMethod returns the method that use calls when it is a pointer
// method of another package outside the standard library: nilSafeMethod
// cannot read its body and assumes that it dereferences its receiver.
// It returns nil otherwise.
func (c *checker) unreadMethod(use *ast.CallExpr) *types.Func {
	sel, ok := ast.Unparen(use.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	s := c.pass.TypesInfo.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal || len(s.Index()) > 1 {
		return nil
	}
	if _, iface := s.Recv().Underlying().(*types.Interface); iface {
		return nil
	}
	m := s.Obj().(*types.Func)
	if _, ptr := types.Unalias(m.Signature().Recv().Type()).(*types.Pointer); !ptr || m.Pkg() == nil || m.Pkg() == c.pass.Pkg {
		return nil
	}
	if isStd(m.Pkg()) {
		return nil // the standard library, whose cleanups were checked
	}
	return m
}

// isStd reports whether p is a package of the standard library (its
// path has no dot in its first element).
func isStd(p *types.Package) bool {
	first, _, _ := strings.Cut(p.Path(), "/")
	return !strings.Contains(first, ".")
}

// methodName renders m as (*pkg.T).M.
func methodName(m *types.Func) string {
	t := types.TypeString(m.Signature().Recv().Type(), func(p *types.Package) string { return p.Name() })
	return "(" + t + ")." + m.Name()
}

// inMain reports whether the defer at cur belongs to func main of
// package main. Rule "main's defers run as the process ends": they run
// only when main returns, which ends the process; a nil value's panic
// there changes how a failed start ends (a stack trace and exit status
// 2 instead of a message), while the program has stopped serving
// either way.
func (c *checker) inMain(cur inspector.Cursor) bool {
	if c.pass.Pkg.Name() != "main" {
		return false
	}
	fn, _, _ := astq.EnclosingFunc(cur)
	fd, ok := fn.Node().(*ast.FuncDecl)
	return ok && fd.Recv == nil && fd.Name.Name == "main"
}
