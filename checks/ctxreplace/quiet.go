// The exemptions the doc names under what the check stays silent on:
// calls that are not work, parameters a callee ignores, shutdown and
// cleanup, compensating actions.

package ctxreplace

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// notWork reports whether call is one whose context does not govern
// work the caller waits for: a function whose name says it runs
// asynchronously (refreshAsync, startBackground) or hands the work to
// something that outlives the call (Start, Spawn, Launch, Submit,
// Enqueue, Schedule); a logger (Printf, Errorf, Info, Log..., or a
// function of no result with a log further in its name, auditLogIf) or a
// lookup of context values (FromContext, GetLogger), which only read
// the context's values; or a call that gets a timeout of its own (a
// time.Duration parameter named timeout), where a fresh context keeps
// the caller's deadline from overriding it.
func (c *checker) notWork(call *ast.CallExpr, sig *types.Signature) bool {
	for v := range sig.Params().Variables() {
		if l := strings.ToLower(v.Name()); astq.IsNamedType(v.Type(), "time", "Duration") && (strings.Contains(l, "timeout") || strings.Contains(l, "deadline")) {
			return true
		}
	}
	name := ""
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
	case *ast.IndexExpr:
		if sel, ok := f.X.(*ast.SelectorExpr); ok {
			name = sel.Sel.Name
		}
	}
	if strings.Contains(name, "FromContext") {
		return true
	}
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	for _, w := range ws {
		switch w {
		case "async", "background", "detach", "detached":
			return true // work meant to outlive the caller
		}
	}
	switch ws[0] {
	case "start", "spawn", "launch", "submit", "enqueue", "schedule":
		return true // hands the work to something that outlives the call
	case "print", "printf", "println", "log", "logf", "logger", "debug", "debugf", "info", "infof", "warn", "warnf", "warning", "warningf", "error", "errorf":
		return true
	case "get":
		return len(ws) > 1 && (ws[1] == "logger" || ws[1] == "log")
	}
	// auditLogInternal, replLogOnceIf: a log call further in the name,
	// and nothing to return, as loggers do (replicateLog returns an
	// error: it does work).
	return sig.Results().Len() == 0 && slices.ContainsFunc(ws[1:], func(w string) bool { return w == "log" || w == "logf" })
}

// ignoresParam reports whether call calls a function of this package
// whose i-th parameter is never used (named _, unnamed, or not referred
// to in its body), or only in go statements, which detach the work
// anyway. Whatever context it gets makes no difference to the caller.
func (c *checker) ignoresParam(call *ast.CallExpr, i int) bool {
	fn := astq.Callee(c.pass, call)
	if fn == nil || fn.Pkg() != c.pass.Pkg {
		return false
	}
	fn = fn.Origin()
	if c.used == nil {
		c.used = make(map[*types.Var]bool)
		for _, obj := range c.pass.TypesInfo.Uses {
			if v, ok := obj.(*types.Var); ok {
				c.used[v] = true
			}
		}
	}
	decl := c.decls.Of(fn)
	sig := fn.Signature()
	if decl == nil || decl.Body == nil || i >= sig.Params().Len() || sig.Variadic() && i >= sig.Params().Len()-1 {
		return false
	}
	v := sig.Params().At(i)
	return !usable(v) || !c.used[v] || onlyInGo(c.pass, decl.Body, v)
}

// onlyInGo reports whether every use of v in body is inside a go
// statement: the function hands the context to work it detaches.
func onlyInGo(pass *analysis.Pass, body *ast.BlockStmt, v *types.Var) bool {
	uses, inGo := 0, 0
	var walk func(n ast.Node, g bool)
	walk = func(n ast.Node, g bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				if !g {
					walk(n.Call, true)
					return false
				}
			case *ast.Ident:
				if pass.TypesInfo.Uses[n] == v {
					uses++
					if g {
						inGo++
					}
				}
			}
			return true
		})
	}
	walk(body, false)
	return uses > 0 && uses == inGo
}

// reportable applies the exceptions that depend on where the root is:
// test files, main and init, teardown functions, and code that runs
// once the caller's context is done.
func (c *checker) reportable(s *site, root inspector.Cursor) bool {
	if s.silent || s.param == nil {
		return false
	}
	if astq.IsTestFile(c.pass, root.Node().Pos()) {
		return false
	}
	return !c.afterDone(s, root) && !c.watchesDone(s)
}

// watchesDone reports whether the site's function waits on its own
// context's Done channel (ctx.Done(), r.Context().Done()) anywhere,
// goroutines included: it bridges the caller's cancellation to the
// fresh chain by hand (select on ctx.Done() and return, canceling the
// fresh context with a deferred cancel; a goroutine that cancels it
// when ctx is done).
func (c *checker) watchesDone(s *site) bool {
	if s.watches != 0 {
		return s.watches > 0
	}
	s.watches = -1
	ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
		u, ok := n.(*ast.UnaryExpr)
		if !ok || u.Op != token.ARROW {
			return s.watches < 0
		}
		call, ok := ast.Unparen(u.X).(*ast.CallExpr)
		if !ok || !c.isDoneCall(call) {
			return true
		}
		x, _ := astq.ReceiverExpr(call)
		if inner, ok := ast.Unparen(x).(*ast.CallExpr); ok && astq.IsMethod(astq.Callee(c.pass, inner), "net/http", "Request", "Context") {
			x, _ = astq.ReceiverExpr(inner)
		}
		if id, ok := ast.Unparen(x).(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == s.param && s.param != nil {
			s.watches = 1
		}
		return s.watches < 0
	})
	return s.watches > 0
}

// afterDone reports whether the statement holding root runs once a
// context is known to be done: after a receive from Done() earlier in an
// enclosing block, in a select case receiving from Done(), or in a
// branch taken when a context's Err() is set or an error is
// context.Canceled/DeadlineExceeded. A fresh context there is the
// shutdown and cleanup pattern.
func (c *checker) afterDone(s *site, root inspector.Cursor) bool {
	for p := root; p.Valid() && p != s.fn; p = p.Parent() {
		parent := p.Parent()
		k, idx := p.ParentEdge()
		switch k {
		case edge.BlockStmt_List:
			for _, st := range parent.Node().(*ast.BlockStmt).List[:idx] {
				if c.receivesDone(st) {
					return true
				}
			}
		case edge.CaseClause_Body:
			cc := parent.Node().(*ast.CaseClause)
			for _, st := range cc.Body[:idx] {
				if c.receivesDone(st) {
					return true
				}
			}
			for _, e := range cc.List {
				if c.mentionsDone(e) {
					return true
				}
			}
		case edge.CommClause_Body:
			cc := parent.Node().(*ast.CommClause)
			if cc.Comm != nil && c.receivesDone(cc.Comm) {
				return true
			}
			for _, st := range cc.Body[:idx] {
				if c.receivesDone(st) {
					return true
				}
			}
		case edge.IfStmt_Body:
			if c.mentionsDone(parent.Node().(*ast.IfStmt).Cond) {
				return true
			}
		}
	}
	return false
}

// receivesDone reports whether n receives from a context's Done channel
// (outside function literals).
func (c *checker) receivesDone(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.UnaryExpr:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && n.Op == token.ARROW && c.isDoneCall(call) {
				found = true
			}
		}
		return !found
	})
	return found
}

func (c *checker) isDoneCall(call *ast.CallExpr) bool {
	return astq.IsMethod(astq.Callee(c.pass, call), "context", "Context", "Done")
}

// mentionsDone reports whether a condition tests that a context is done:
// ctx.Err(), context.Cause, context.Canceled, context.DeadlineExceeded.
func (c *checker) mentionsDone(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			fn := astq.Callee(c.pass, n)
			if astq.IsMethod(fn, "context", "Context", "Err") || astq.IsFunc(fn, "context", "Cause") {
				found = true
			}
		case *ast.Ident:
			if v, ok := c.pass.TypesInfo.Uses[n].(*types.Var); ok && v.Pkg() != nil && v.Pkg().Path() == "context" &&
				(v.Name() == "Canceled" || v.Name() == "DeadlineExceeded") {
				found = true
			}
		}
		return !found
	})
	return found
}

// undoesOnError reports whether call, at cur, undoes what the function
// did (Delete, Remove, Rollback, Abort, Cleanup...) in a branch about an
// error (its condition reads a variable of type error): a compensating
// action after a failure, which must run to the end even when the
// failure was the caller's cancellation.
func (c *checker) undoesOnError(cur inspector.Cursor, call *ast.CallExpr) bool {
	name := ""
	if fn := astq.Callee(c.pass, call); fn != nil {
		name = fn.Name()
	}
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	switch ws[0] {
	case "delete", "remove", "rollback", "abort", "cleanup", "clean", "revert", "undo", "purge":
	default:
		return false
	}
	for p := cur; p.Valid(); p = p.Parent() {
		switch p.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return false
		case *ast.BlockStmt:
			if k, _ := p.ParentEdge(); k != edge.IfStmt_Body {
				continue
			}
			readsError := false
			ast.Inspect(p.Parent().Node().(*ast.IfStmt).Cond, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok {
					if v, ok := c.pass.TypesInfo.Uses[id].(*types.Var); ok && astq.IsErrorType(v.Type()) {
						readsError = true
					}
				}
				return !readsError
			})
			if readsError {
				return true
			}
		}
	}
	return false
}

// isTeardownCall reports whether call stops something (srv.Shutdown,
// conn.Close, s.GracefulStop): such calls get a fresh context with a
// timeout of their own on purpose, as the caller's may be done already.
func isTeardownCall(pass *analysis.Pass, call *ast.CallExpr) bool {
	if fn := astq.Callee(pass, call); fn != nil {
		return teardownName(fn.Name())
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		return teardownName(sel.Sel.Name)
	}
	return false
}

// teardownName reports whether a function's name says it stops
// something: it starts with one of astq.TeardownName's words (Close,
// Stop, Shutdown, Wait, Drain...) or has a word such as Shutdown, Stop,
// Exit or Quit in it (GracefulStop, handleStop, exitProcess).
func teardownName(name string) bool {
	if astq.TeardownName(name) {
		return true
	}
	for _, w := range words(name) {
		switch w {
		case "shutdown", "stop", "exit", "quit", "terminate", "graceful", "drain":
			return true
		}
	}
	return false
}

// words splits a mixedCaps or snake_case identifier into lower-case words.
func words(name string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(name); i++ {
		if i == len(name) || name[i] == '_' || isUpper(name[i]) && !isUpper(name[i-1]) {
			if w := strings.Trim(name[start:i], "_"); w != "" {
				out = append(out, strings.ToLower(w))
			}
			start = i
		}
	}
	return out
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }
