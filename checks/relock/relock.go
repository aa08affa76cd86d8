package relock

import (
	"cmp"
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/locks"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports a mutex locked again by the goroutine that holds it.
var Analyzer = &analysis.Analyzer{
	Name:     "relock",
	Doc:      astq.ExtractDoc(doc, "relock"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/relock",
	Requires: []*analysis.Analyzer{inspect.Analyzer, locks.Analyzer},
	Run:      run,
}

// inTests turns on the opt-in form that reports relocks in test code.
var inTests bool

// readTwice turns on the opt-in form that reports a read lock taken
// while the goroutine holds one.
var readTwice bool

// viaCalls turns on the opt-in form that reports a lock taken again by
// a call (of the package's function, a deferred call, a print's String
// method) rather than by a Lock written in the function itself.
var viaCalls bool

func init() {
	Analyzer.Flags.BoolVar(&inTests, "tests", false,
		"also report relocks in code that only tests run (opt-in: a hung test is stopped by go test's -timeout, which prints every goroutine)")
	Analyzer.Flags.BoolVar(&readTwice, "read", false,
		"also report a read lock taken again under a read lock (opt-in: it deadlocks only when a writer on another goroutine queues in between, which the check cannot see)")
	Analyzer.Flags.BoolVar(&viaCalls, "calls", false,
		"also report a lock taken again through a call of the package's function, a deferred call or a print (opt-in: half of them on real code sat in methods nothing calls)")
}

// The rules of doc.go live in internal/locks, which every lock check
// shares; this is where each one is decided:
//
//   - rule "held on every path": the join of two paths keeps only the
//     mutexes both hold (locks' join);
//   - rule "callee locks on every path": a summary's acquires are those
//     taken on every returning path (locks' summary);
//   - rule "released by a callee": a callee's releases leave the caller
//     (locks' call);
//   - rule "another goroutine unlocks": go statements and function
//     literals handed elsewhere forget what they release (locks' node
//     and forgetReleasedBy);
//   - rule "variable reassigned": locks' assign;
//   - rule "mutex handed to a call": locks' call, for callees it cannot
//     see;
//   - rule "TryLock is not a wait": locks' call ignores TryLock;
//   - rule "a Locker may be anything", rule "test bodies", rule "test
//     code is opt-in", rule "a second read lock needs a writer" and rule
//     "a relock through a call is opt-in": run.

func run(pass *analysis.Pass) (any, error) {
	// No early exit on imports: a package can lock a mutex embedded in a
	// type it imports without importing sync itself.
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	res := pass.ResultOf[locks.Analyzer].(*locks.Result)
	isTestCode := astq.TestCode(pass)
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		if !res.MayLock(cur.Node()) {
			continue // nothing in it or below it locks
		}
		if astq.InTestBody(pass, cur) {
			// Rule "test bodies": a relock in a test's own body hangs
			// that test; the methods and helpers it calls are checked.
			continue
		}
		testCode := isTestCode(cur.Node().Pos())
		if testCode && !inTests {
			continue // rule "test code is opt-in"
		}
		rls := slices.Clone(res.Relocks(cur.Node()))
		slices.SortFunc(rls, func(a, b locks.Relock) int { return cmp.Compare(a.Call.Pos(), b.Call.Pos()) })
		stuck := make(map[token.Pos]bool) // relocks reported: the goroutine never gets past them
		for _, rl := range rls {
			if rl.Locker {
				continue // rule "a Locker may be anything"
			}
			if isReadTwice(rl) && !readTwice {
				continue // rule "a second read lock needs a writer"
			}
			if rl.Via != nil && !viaCalls && !isReadTwice(rl) {
				// Rule "a relock through a call is opt-in"; a second
				// read lock is relock.read's to report, however taken.
				continue
			}
			if stuck[rl.Held.Pos] {
				// Rule "one deadlock, one report": the lock is held since
				// a relock already reported, where the goroutine waits
				// forever; nothing after it runs.
				stuck[rl.Call.Pos()] = true
				continue
			}
			stuck[rl.Call.Pos()] = true
			report(pass, cur, rl, testCode)
		}
	}
	return nil, nil
}

func report(pass *analysis.Pass, fn inspector.Cursor, rl locks.Relock, testCode bool) {
	mu := rl.Key.String()
	since := pass.Fset.Position(rl.Held.Pos).Line
	name := astq.FuncName(fn)
	var msg string
	switch {
	case rl.Held.Mode == locks.Read && rl.Mode == locks.Read:
		what := fmt.Sprintf("%s.RLock()", mu)
		switch {
		case rl.Deferred:
			what = fmt.Sprintf("%s, which read-locks %s (%s) when %s returns,", deferredName(rl.Call), mu, short(pass, rl.LockPos), name)
		case rl.Printed != nil:
			what = fmt.Sprintf("%s(), printing %s with its %s method, which read-locks %s (%s),", astq.Render(rl.Call.Fun), astq.Render(rl.Printed), methodName(rl.Via), mu, short(pass, rl.LockPos))
		case rl.Via != nil:
			what = fmt.Sprintf("%s, which read-locks %s (%s),", astq.Render(rl.Call.Fun)+"()", mu, short(pass, rl.LockPos))
		}
		msg = fmt.Sprintf("%s takes a second read lock while %s holds one since line %d: if a writer on another goroutine calls %s.Lock() in between, it waits for the first and this one waits for it, and both hang (sync.RWMutex forbids recursive read locking; do the work under the first lock)",
			what, name, since, mu)
	case rl.Deferred:
		msg = fmt.Sprintf("%s %s %s (%s) when %s returns, and %s is still held then (since line %d): deferred calls run last in, first out, so an unlock deferred before this call runs after it, and the goroutine waits for itself forever; every later caller blocks behind it (defer the call before taking %s, or call it after unlocking)",
			deferredName(rl.Call), verb(rl.Mode), mu, short(pass, rl.LockPos), name, mu, since, mu)
	case rl.Printed != nil:
		msg = fmt.Sprintf("%s() prints %s with its %s method, which %s %s (%s), which %s already holds since line %d on every path here: the goroutine waits for itself forever, and every later caller blocks behind it (print the fields instead of the value, or release %s before the call)",
			astq.Render(rl.Call.Fun), astq.Render(rl.Printed), methodName(rl.Via), verb(rl.Mode), mu, short(pass, rl.LockPos), name, since, mu)
	case rl.Via != nil:
		msg = fmt.Sprintf("%s() %s %s (%s), which %s already holds since line %d on every path here: the goroutine waits for itself forever, and every later caller blocks behind it (release %s before the call, or call a variant that expects it held)",
			astq.Render(rl.Call.Fun), verb(rl.Mode), mu, short(pass, rl.LockPos), name, since, mu)
	default:
		msg = fmt.Sprintf("%s.%s() waits forever: %s already holds %s since line %d on every path here, and Go mutexes are not reentrant; every later caller blocks behind it (unlock first, or drop this %s)",
			mu, rl.Mode.Method(), name, mu, since, rl.Mode.Method())
	}
	d := analysis.Diagnostic{
		Pos:     rl.Call.Pos(),
		End:     rl.Call.End(),
		Message: msg,
	}
	switch {
	case testCode:
		d.Category = "tests" // the opt-in form, named in -json output
	case isReadTwice(rl):
		d.Category = "read"
	case rl.Via != nil:
		d.Category = "calls"
	}
	pass.Report(d)
}

// deferredName names a deferred call in a message.
func deferredName(call *ast.CallExpr) string {
	if _, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		return "the deferred function literal"
	}
	return "deferred " + astq.Render(call.Fun) + "()"
}

// methodName is the name of the String or Error method a print call runs.
func methodName(via ast.Node) string {
	if d, ok := via.(*ast.FuncDecl); ok {
		return d.Name.Name
	}
	return "String"
}

// isReadTwice reports whether rl is a read lock taken under a read lock.
func isReadTwice(rl locks.Relock) bool {
	return rl.Held.Mode == locks.Read && rl.Mode == locks.Read
}

func verb(m locks.Mode) string {
	if m == locks.Read {
		return "read-locks"
	}
	return "locks"
}

// short names a position as file.go:line.
func short(pass *analysis.Pass, pos token.Pos) string {
	p := pass.Fset.Position(pos)
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}
