// The report and its fix: wrapping the deferred call in a closure,
// offered only when the callee and the other arguments keep their
// meaning.

package deferargs

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

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
		if text, _, ok := c.valueAtDefer(v); ok && text != "" {
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
		msg = fmt.Sprintf("deferred %s receives %s %s, not its value when %s returns: %s (%s)",
			shortCall(call), v.Name(), now, fnName, lost, wrapAdvice(call))
	} else {
		list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		msg = fmt.Sprintf("deferred %s receives %s as they are now, not their values when %s returns: later assignments are never seen (%s)",
			shortCall(call), list, fnName, wrapAdvice(call))
	}
	c.report(c.def, msg)
}

// wrapAdvice says how to read the arguments at return. When the
// deferred function is itself the result of a call (start(op)(err)),
// that call must still run at the defer statement (it often takes the
// start time), so it is hoisted out of the closure.
func wrapAdvice(call *ast.CallExpr) string {
	if inner, ok := ast.Unparen(call.Fun).(*ast.CallExpr); ok {
		args := make([]string, len(call.Args))
		for i, a := range call.Args {
			args[i] = astq.Render(a)
		}
		return fmt.Sprintf("call %s at the defer and the result in a closure: done := %s; defer func() { done(%s) }()",
			shortCall(inner), astq.Render(inner), strings.Join(args, ", "))
	}
	return fmt.Sprintf("wrap the call in a closure: defer func() { %s }()", shortCall(call))
}

func (c *checker) fnName() string {
	return astq.FuncName(c.fn)
}

// category names the opt-in form of a finding in test code, "" otherwise.
func (c *checker) category() string {
	if c.testCode {
		return "tests"
	}
	return ""
}

// report emits the diagnostic, with the closure fix when it is safe.
func (c *checker) report(rng analysis.Range, msg string) {
	d := analysis.Diagnostic{Pos: rng.Pos(), End: rng.End(), Message: msg, Category: c.category()}
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
