package unreleased

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/flow"
	"github.com/silentfail/silentfail/internal/locks"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports a mutex released on some paths out of a function and
// not on another.
var Analyzer = &analysis.Analyzer{
	Name:     "unreleased",
	Doc:      astq.ExtractDoc(doc, "unreleased"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/unreleased",
	Requires: []*analysis.Analyzer{inspect.Analyzer, locks.Analyzer, flow.Analyzer},
	Run:      run,
}

// The rules of doc.go are decided in internal/locks, shared by the lock
// checks:
//
//   - rule "held on every path out": Leaks drops a Lock no path of
//     which releases the mutex (pathFinder.from);
//   - rule "returns it held for the caller": dropContracts;
//   - rule "released by a deferred call": effect, on defer statements,
//     and deferredBefore for re-locks;
//   - rule "lock and unlock under the same condition": sameCondition;
//   - rule "restores the caller's lock": Leaks skips a Lock of what the
//     walk saw released without being taken;
//   - rule "released elsewhere": effect's lost paths;
//   - rule "no normal return": from keeps only exits that return
//     (flow's Returns);
//   - rule "test bodies": run.

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	res := pass.ResultOf[locks.Analyzer].(*locks.Result)
	if astq.Imports(pass, "os", "net", "crypto/tls", "database/sql", "net/http") {
		flows := pass.ResultOf[flow.Analyzer].(*flow.CFGs)
		for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
			if astq.IsTestCode(pass, cur.Node().Pos()) {
				continue // rule "test code" (resources)
			}
			if d, ok := cur.Node().(*ast.FuncDecl); ok && runsOnce(pass, d) {
				continue // rule "runs once"
			}
			checkResources(pass, flows, cur)
		}
	}
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		if !res.MayLock(cur.Node()) {
			continue // nothing in it or below it locks
		}
		if astq.InTestBody(pass, cur) {
			continue // rule "test bodies": a leak there hangs one test
		}
		seen := map[token.Pos]bool{}
		for _, l := range res.Leaks(cur.Node()) {
			pos := l.Lock.Pos()
			if l.Exit != nil {
				pos = l.Exit.Pos()
			}
			if seen[pos] {
				continue
			}
			seen[pos] = true
			report(pass, cur, pos, l)
		}
	}
	return nil, nil
}

// runsOnce reports whether d is main or init of a command: what it
// leaves open lasts one process.
func runsOnce(pass *analysis.Pass, d *ast.FuncDecl) bool {
	return d.Recv == nil && (d.Name.Name == "init" || d.Name.Name == "main" && pass.Pkg.Name() == "main")
}

func report(pass *analysis.Pass, fn inspector.Cursor, pos token.Pos, l locks.Leak) {
	mu := l.Key.String()
	unlock := "Unlock"
	if l.Mode == locks.Read {
		unlock = "RUnlock"
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	name := astq.FuncName(fn)
	var msg string
	switch {
	case l.Relock:
		how := "the loop goes back"
		if br, ok := l.Exit.(*ast.BranchStmt); ok {
			how = "this " + br.Tok.String() + " goes back"
		}
		msg = fmt.Sprintf("%s to %s.%s() at line %d with %s still locked: the next turn waits for itself forever (the path through line %d unlocks; %s.%s() on this one too)",
			how, mu, l.Mode.Method(), line(l.Lock.Pos()), mu, line(l.Release), mu, unlock)
	case l.Exit == nil:
		msg = fmt.Sprintf("%s can return with %s still locked (taken here, released on the path through line %d): every later %s.Lock() blocks forever (%s.%s() on every path out, or defer it right after the lock)",
			name, mu, line(l.Release), mu, mu, unlock)
	default:
		what := "this return leaves"
		if br, ok := l.Exit.(*ast.BranchStmt); ok {
			what = fmt.Sprintf("after this %s, %s returns", br.Tok, name)
		}
		if _, ok := l.Exit.(*ast.ReturnStmt); ok {
			what = fmt.Sprintf("%s returns here", name)
		}
		msg = fmt.Sprintf("%s with %s still locked (taken at line %d; the path through line %d releases it): every later %s.Lock() blocks forever (%s.%s() before leaving, or defer it right after the lock)",
			what, mu, line(l.Lock.Pos()), line(l.Release), mu, mu, unlock)
	}
	pass.Report(analysis.Diagnostic{
		Pos:     pos,
		Message: msg,
	})
}
