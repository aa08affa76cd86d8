package deferlock

import (
	_ "embed"
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports deferred Lock calls and mismatched deferred unlocks.
var Analyzer = &analysis.Analyzer{
	Name:     "deferlock",
	Doc:      astq.ExtractDoc(doc, "deferlock"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferlock",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// unlockFor maps each lock method to the unlock that must follow it.
var unlockFor = map[string]string{"Lock": "Unlock", "RLock": "RUnlock"}

func run(pass *analysis.Pass) (any, error) {
	// No early exit on imports: a package can lock a mutex embedded in
	// a type it imports without importing sync itself.
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)

	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		def := cur.Node().(*ast.DeferStmt)
		deferred, ok := lockMethod(pass, def.Call)
		if !ok {
			continue
		}
		prev, ok := cur.PrevSibling()
		if !ok {
			continue
		}
		stmt, ok := prev.Node().(*ast.ExprStmt)
		if !ok {
			continue
		}
		call, ok := ast.Unparen(stmt.X).(*ast.CallExpr)
		if !ok {
			continue
		}
		locked, ok := lockMethod(pass, call)
		if !ok {
			continue
		}
		want, isLock := unlockFor[locked.Name]
		if !isLock || deferred.Name == want || !astq.SameExpr(pass, locked.recv, deferred.recv) {
			continue
		}
		mu := astq.Render(deferred.recv)
		fn := "the function"
		if fc, _, _ := astq.EnclosingFunc(cur); fc.Valid() {
			fn = astq.FuncName(fc)
		}
		var msg string
		switch {
		case locked.Name == "RLock" && deferred.Name == "RLock":
			msg = fmt.Sprintf("deferred %s.RLock() takes a second read lock when %s returns and nothing releases either: every later %s.Lock() blocks forever (defer %s.RUnlock())",
				mu, fn, mu, mu)
		case deferred.Name == "Lock" || deferred.Name == "RLock":
			msg = fmt.Sprintf("deferred %s.%s() runs when %s returns, with %s still locked: the goroutine hangs in its own defer and every later caller blocks behind it (defer %s.%s())",
				mu, deferred.Name, fn, mu, mu, want)
		default:
			msg = fmt.Sprintf("%s is taken with %s but released with deferred %s: the process dies with \"fatal error: sync: %s of unlocked RWMutex\" when %s returns (defer %s.%s())",
				mu, locked.Name, deferred.Name, deferred.Name, fn, mu, want)
		}
		pass.Report(analysis.Diagnostic{
			Pos:     def.Pos(),
			End:     def.End(),
			Message: msg,
			SuggestedFixes: []analysis.SuggestedFix{{
				Message: fmt.Sprintf("Defer %s.%s()", mu, want),
				TextEdits: []analysis.TextEdit{{
					Pos:     deferred.sel.Pos(),
					End:     deferred.sel.End(),
					NewText: []byte(want),
				}},
			}},
		})
	}
	return nil, nil
}

type lockCall struct {
	Name string
	recv ast.Expr
	sel  *ast.Ident
}

// lockMethod recognizes x.Lock(), x.Unlock(), x.RLock() and x.RUnlock()
// where the method is sync's (possibly promoted through embedding, or
// called through sync.Locker).
func lockMethod(pass *analysis.Pass, call *ast.CallExpr) (lockCall, bool) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || len(call.Args) != 0 {
		return lockCall{}, false
	}
	fn := astq.Callee(pass, call)
	if !astq.IsMethod(fn, "sync", "Mutex", "Lock", "Unlock") &&
		!astq.IsMethod(fn, "sync", "RWMutex", "Lock", "Unlock", "RLock", "RUnlock") &&
		!astq.IsMethod(fn, "sync", "Locker", "Lock", "Unlock") {
		return lockCall{}, false
	}
	return lockCall{Name: fn.Name(), recv: sel.X, sel: sel.Sel}, true
}
