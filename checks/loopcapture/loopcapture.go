package loopcapture

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports function literals that run after their loop
// iteration (go, defer, errgroup Go, parallel subtests) and capture a
// loop variable that all iterations share, in files older than Go 1.22.
var Analyzer = &analysis.Analyzer{
	Name:     "loopcapture",
	Doc:      astq.ExtractDoc(doc, "loopcapture"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/loopcapture",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// perIteration is the first language version whose loops declare a new
// variable for each iteration.
const perIteration = "go1.22"

func run(pass *analysis.Pass) (any, error) {
	// Nothing to do unless some file is known to be older than go1.22.
	// A file whose version is unknown is left alone: without a go.mod
	// (GOPATH mode) the compiler uses the toolchain's language version,
	// which has per-iteration loop variables.
	old := false
	for _, f := range pass.Files {
		if isOld(astq.FileVersion(pass, f.FileStart)) {
			old = true
			break
		}
	}
	if !old {
		return nil, nil
	}
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)

	for fileCur := range ins.Root().Children() {
		file := fileCur.Node().(*ast.File)
		v := astq.FileVersion(pass, file.FileStart)
		if !isOld(v) {
			continue
		}
		c := &checker{pass: pass, version: version.Lang(v)}
		for cur := range fileCur.Preorder((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
			c.loop(cur)
		}
	}
	return nil, nil
}

func isOld(v string) bool {
	return v != "" && version.Compare(v, perIteration) < 0
}

type checker struct {
	pass    *analysis.Pass
	version string // "go1.21"
}

// loopInfo describes a loop whose variables all iterations share.
type loopInfo struct {
	cur     inspector.Cursor
	body    inspector.Cursor
	vars    []*types.Var        // the variables that change between iterations
	fixable map[*types.Var]bool // a copy at the top of the body keeps the meaning
	fnName  string              // the function whose return runs the defers
}

// Kinds of sites.
const (
	goroutine = "goroutine"
	deferred  = "deferred function"
	subtest   = "parallel subtest"
)

// A site is a function literal that runs after the statement that
// mentions it has completed: a goroutine, a deferred call, a parallel
// subtest.
type site struct {
	kind string           // goroutine, deferred, subtest, or "x.Go function"
	cur  inspector.Cursor // the go or defer statement, or the call
	lit  *ast.FuncLit
	from token.Pos // uses before from run synchronously (t.Run before t.Parallel)
}

type finding struct {
	s   site
	v   *types.Var
	use *ast.Ident
}

func (c *checker) loop(cur inspector.Cursor) {
	li := c.loopVars(cur)
	if li == nil {
		return
	}
	var findings []finding
	for s := range c.sites(li) {
		if c.settled(li, s) {
			continue
		}
		seen := make(map[*types.Var]bool)
		ast.Inspect(s.lit.Body, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok || id.Pos() < s.from {
				return true
			}
			v, ok := c.pass.TypesInfo.Uses[id].(*types.Var)
			if !ok || seen[v] || !containsVar(li.vars, v) {
				return true
			}
			seen[v] = true
			findings = append(findings, finding{s, v, id})
			return true
		})
	}
	if len(findings) == 0 {
		return
	}

	// One fix per loop, the same for every finding in it, so that the
	// edits of several findings coincide: copy every captured variable
	// that can be copied.
	captured := make(map[*types.Var]bool)
	for _, f := range findings {
		captured[f.v] = true
	}
	var copied []string
	for _, v := range li.vars {
		if captured[v] && li.fixable[v] {
			copied = append(copied, v.Name())
		}
	}
	var fix []analysis.SuggestedFix
	if len(copied) > 0 {
		if edit, ok := c.copyEdit(li.body.Node().(*ast.BlockStmt), copied); ok {
			list := strings.Join(copied, ", ")
			fix = []analysis.SuggestedFix{{
				Message:   fmt.Sprintf("Declare %s := %s at the top of the loop body", list, list),
				TextEdits: []analysis.TextEdit{edit},
			}}
		}
	}

	for _, f := range findings {
		name := f.v.Name()
		var effect string
		switch f.s.kind {
		case deferred:
			effect = fmt.Sprintf("every deferred call runs when %s returns and sees the last value", li.fnName)
		case subtest:
			effect = "parallel subtests resume after the loop has ended and all see the last value"
		default:
			effect = "it sees the value of a later iteration, usually the last"
		}
		var advice string
		var fixes []analysis.SuggestedFix
		if fix != nil && li.fixable[f.v] {
			advice = fmt.Sprintf("add %s := %s at the top of the loop body", name, name)
			fixes = fix
		} else {
			advice = fmt.Sprintf("copy %s into a new variable just before the %s and use the copy", name, stmtWord(f.s))
		}
		c.pass.Report(analysis.Diagnostic{
			Pos: f.use.Pos(),
			End: f.use.End(),
			Message: fmt.Sprintf("%s captures loop variable %s, which all iterations share in this %s file: %s (%s)",
				f.s.kind, name, c.version, effect, advice),
			SuggestedFixes: fixes,
		})
	}
}

func stmtWord(s site) string {
	switch s.kind {
	case goroutine:
		return "go statement"
	case deferred:
		return "defer statement"
	case subtest:
		return "t.Run call"
	}
	return "Go call"
}

func containsVar(vars []*types.Var, v *types.Var) bool {
	for _, x := range vars {
		if x == v {
			return true
		}
	}
	return false
}

// loopVars returns the loop at cur with the variables it declares whose
// value changes from one iteration to the next, or nil if there are none.
func (c *checker) loopVars(cur inspector.Cursor) *loopInfo {
	info := c.pass.TypesInfo
	li := &loopInfo{cur: cur, fixable: make(map[*types.Var]bool)}
	switch l := cur.Node().(type) {
	case *ast.RangeStmt:
		if l.Tok != token.DEFINE {
			return nil
		}
		li.body = cur.Child(l.Body)
		for _, e := range []ast.Expr{l.Key, l.Value} {
			if id, ok := e.(*ast.Ident); ok {
				if v, ok := info.Defs[id].(*types.Var); ok {
					li.vars = append(li.vars, v)
					// A copy at the top of the body gives each
					// iteration its own variable, as Go 1.22 does: the
					// range statement assigns the next value whatever
					// the body did to the previous one.
					li.fixable[v] = true
				}
			}
		}
	case *ast.ForStmt:
		init, ok := l.Init.(*ast.AssignStmt)
		if !ok || init.Tok != token.DEFINE {
			return nil
		}
		li.body = cur.Child(l.Body)
		// A variable that nothing assigns after the init holds the same
		// value in every iteration: capturing it is harmless.
		assigned := make(map[*types.Var]bool) // by the post statement or the body
		inBody := make(map[*types.Var]bool)   // assigned, or address taken, in the body
		mark := func(n ast.Node, body bool) {
			ast.Inspect(n, func(n ast.Node) bool {
				var targets []ast.Expr
				switch s := n.(type) {
				case *ast.AssignStmt:
					targets = s.Lhs
				case *ast.IncDecStmt:
					targets = []ast.Expr{s.X}
				case *ast.UnaryExpr:
					if s.Op == token.AND {
						targets = []ast.Expr{s.X}
					}
				case *ast.RangeStmt:
					if s.Tok == token.ASSIGN {
						targets = []ast.Expr{s.Key, s.Value}
					}
				}
				for _, t := range targets {
					if id, ok := ast.Unparen(t).(*ast.Ident); ok {
						if v, ok := info.Uses[id].(*types.Var); ok {
							assigned[v] = true
							if body {
								inBody[v] = true
							}
						}
					}
				}
				return true
			})
		}
		if l.Post != nil {
			mark(l.Post, false)
		}
		mark(l.Body, true)
		for _, lhs := range init.Lhs {
			id, ok := lhs.(*ast.Ident)
			if !ok {
				continue
			}
			v, ok := info.Defs[id].(*types.Var)
			if !ok || !assigned[v] {
				continue
			}
			li.vars = append(li.vars, v)
			// After a copy at the top, assignments in the body would
			// change the copy and no longer steer the loop.
			li.fixable[v] = !inBody[v]
		}
	}
	if len(li.vars) == 0 {
		return nil
	}
	li.fnName = "the function"
	if fc, _, _ := astq.EnclosingFunc(cur); fc.Valid() {
		li.fnName = astq.FuncName(fc)
	}
	return li
}

// sites yields the function literals in the loop body that run after
// the iteration that created them may have moved on. A site nested in
// another site's literal is left to the outer one.
func (c *checker) sites(li *loopInfo) func(yield func(site) bool) {
	return func(yield func(site) bool) {
		li.body.Inspect([]ast.Node{(*ast.GoStmt)(nil), (*ast.DeferStmt)(nil), (*ast.CallExpr)(nil)}, func(cur inspector.Cursor) bool {
			s, ok := c.siteAt(li, cur)
			if !ok {
				return true
			}
			if !yield(s) {
				return false
			}
			return false // the outer site covers everything inside it
		})
	}
}

// siteAt recognizes a site at cur, in the loop li.
func (c *checker) siteAt(li *loopInfo, cur inspector.Cursor) (site, bool) {
	switch n := cur.Node().(type) {
	case *ast.GoStmt:
		if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
			return site{kind: goroutine, cur: cur, lit: lit}, true
		}
	case *ast.DeferStmt:
		lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit)
		if !ok || c.litBetween(li, cur) {
			// A defer in a function literal inside the loop runs when
			// that literal returns.
			return site{}, false
		}
		return site{kind: deferred, cur: cur, lit: lit}, true
	case *ast.CallExpr:
		fn := astq.Callee(c.pass, n)
		if fn == nil {
			return site{}, false
		}
		if len(n.Args) == 1 && isGoMethod(fn) {
			if lit, ok := ast.Unparen(n.Args[0]).(*ast.FuncLit); ok {
				recv, _ := astq.ReceiverExpr(n)
				return site{kind: astq.Render(recv) + "." + fn.Name() + " function", cur: cur, lit: lit}, true
			}
		}
		if len(n.Args) == 2 && astq.IsMethod(fn, "testing", "T", "Run") {
			lit, ok := ast.Unparen(n.Args[1]).(*ast.FuncLit)
			if !ok {
				return site{}, false
			}
			from, ok := c.parallelFrom(lit)
			if !ok || c.inSyncSubtest(li, cur) {
				return site{}, false
			}
			return site{kind: subtest, cur: cur, lit: lit, from: from}, true
		}
	}
	return site{}, false
}

// isGoMethod reports whether fn starts its argument in a new goroutine
// without waiting for it: the Go and TryGo methods of an errgroup
// Group (golang.org/x/sync/errgroup or any package whose path ends in
// errgroup), and sync.WaitGroup.Go.
func isGoMethod(fn *types.Func) bool {
	if astq.IsMethod(fn, "sync", "WaitGroup", "Go") {
		return true
	}
	if fn.Name() != "Go" && fn.Name() != "TryGo" {
		return false
	}
	recv := fn.Signature().Recv()
	if recv == nil {
		return false
	}
	named := astq.NamedOf(recv.Type())
	if named == nil || named.Obj().Name() != "Group" || named.Obj().Pkg() == nil {
		return false
	}
	path := named.Obj().Pkg().Path()
	return path == "errgroup" || strings.HasSuffix(path, "/errgroup")
}

// litBetween reports whether a function literal lies between cur and
// the loop li.
func (c *checker) litBetween(li *loopInfo, cur inspector.Cursor) bool {
	for a := range cur.Parent().Enclosing((*ast.FuncLit)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if a == li.cur {
			return false
		}
		if _, ok := a.Node().(*ast.FuncLit); ok {
			return true
		}
	}
	return false
}

// inSyncSubtest reports whether the t.Run call at cur is inside the
// function of a subtest that is not itself parallel, between cur and
// the loop: that subtest waits for its parallel subtests before it
// returns, so they end within the iteration.
func (c *checker) inSyncSubtest(li *loopInfo, cur inspector.Cursor) bool {
	for a := range cur.Parent().Enclosing((*ast.FuncLit)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if a == li.cur {
			return false
		}
		if _, ok := a.Node().(*ast.FuncLit); !ok {
			continue
		}
		call, ok := a.Parent().Node().(*ast.CallExpr)
		if ok && astq.IsMethod(astq.Callee(c.pass, call), "testing", "T", "Run") {
			return true
		}
	}
	return false
}

// parallelFrom returns the position after the first top-level
// t.Parallel() call of a subtest's function literal, where t is the
// literal's parameter. Statements before it run while t.Run waits.
func (c *checker) parallelFrom(lit *ast.FuncLit) (token.Pos, bool) {
	params := lit.Type.Params.List
	if len(params) != 1 || len(params[0].Names) != 1 {
		return token.NoPos, false
	}
	t := c.pass.TypesInfo.Defs[params[0].Names[0]]
	if t == nil {
		return token.NoPos, false
	}
	for _, stmt := range lit.Body.List {
		es, ok := stmt.(*ast.ExprStmt)
		if !ok {
			continue
		}
		call, ok := ast.Unparen(es.X).(*ast.CallExpr)
		if !ok || !astq.IsMethod(astq.Callee(c.pass, call), "testing", "T", "Parallel") {
			continue
		}
		if recv, ok := astq.ReceiverExpr(call); ok && astq.RootObject(c.pass, recv) == t {
			return stmt.End(), true
		}
	}
	return token.NoPos, false
}

// settled reports whether the site's literal cannot see another
// iteration's value: after the site, the iteration leaves the loop for
// good (return, break, panic), or, for a goroutine, waits for it
// (a Wait call or a channel receive later in the body).
func (c *checker) settled(li *loopInfo, s site) bool {
	if c.leavesLoop(li, s.cur) {
		return true
	}
	if s.kind == deferred || s.kind == subtest {
		return false
	}
	end := s.cur.Node().End()
	signals := c.signals(s)
	for cur := range li.body.Preorder((*ast.CallExpr)(nil), (*ast.UnaryExpr)(nil), (*ast.RangeStmt)(nil)) {
		if cur.Node().Pos() < end || c.inGoroutine(li, cur) {
			continue
		}
		switch n := cur.Node().(type) {
		case *ast.CallExpr:
			// A helper that is handed what the literal signals on
			// (waitForStart(errc), waitAll(&wg)) waits for it, and so
			// does a method of it other than a signal (res.Receive()
			// after res.Send(v) in the literal).
			for _, arg := range n.Args {
				if obj := astq.RootObject(c.pass, arg); obj != nil {
					if _, ok := signals[obj]; ok {
						return true
					}
				}
			}
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && !signalMethods[sel.Sel.Name] {
				if _, isMethod := c.pass.TypesInfo.Selections[sel]; isMethod {
					if obj := astq.RootObject(c.pass, sel.X); obj != nil && signals[obj] {
						return true
					}
				}
			}
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Wait" && len(n.Args) == 0 {
				if _, ok := c.pass.TypesInfo.Selections[sel]; ok {
					return true
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				return true
			}
		case *ast.RangeStmt:
			if _, ok := types.Unalias(c.pass.TypesInfo.TypeOf(n.X)).Underlying().(*types.Chan); ok {
				return true
			}
		}
	}
	return false
}

// signalMethods are the methods by which a goroutine tells that it is
// done or has a result.
var signalMethods = map[string]bool{"Done": true, "Send": true, "Signal": true, "Broadcast": true}

// signals returns the variables through which the literal of s tells
// that it is done, mapped to whether calling one of their methods other
// than a signal counts as waiting: channels it sends on or closes, variables declared
// outside it whose Done, Send, Signal or Broadcast method it calls, and
// the group whose Go method started it.
func (c *checker) signals(s site) map[types.Object]bool {
	out := make(map[types.Object]bool)
	add := func(e ast.Expr) {
		if obj := astq.RootObject(c.pass, e); obj != nil {
			out[obj] = true
		}
	}
	if call, ok := s.cur.Node().(*ast.CallExpr); ok {
		// The group: only handing it to a helper counts; its other
		// methods (another g.Go) do not wait.
		if recv, ok := astq.ReceiverExpr(call); ok {
			if obj := astq.RootObject(c.pass, recv); obj != nil {
				out[obj] = false
			}
		}
	}
	ast.Inspect(s.lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SendStmt:
			add(n.Chan)
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && id.Name == "close" && len(n.Args) == 1 {
				if _, ok := c.pass.TypesInfo.Uses[id].(*types.Builtin); ok {
					add(n.Args[0])
				}
			}
			// x.Done() on a WaitGroup, x.Send(v) on a channel wrapper...
			if fn := astq.Callee(c.pass, n); fn != nil && fn.Signature().Recv() != nil && signalMethods[fn.Name()] {
				if recv, ok := astq.ReceiverExpr(n); ok {
					if obj := astq.RootObject(c.pass, recv); obj != nil && !(s.lit.Pos() <= obj.Pos() && obj.Pos() < s.lit.End()) {
						out[obj] = true
					}
				}
			}
		}
		return true
	})
	return out
}

// inGoroutine reports whether cur is inside the literal of a go
// statement below the loop li: a wait there does not hold up the
// iteration.
func (c *checker) inGoroutine(li *loopInfo, cur inspector.Cursor) bool {
	for a := range cur.Enclosing((*ast.FuncLit)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if a == li.cur {
			return false
		}
		if _, ok := a.Node().(*ast.FuncLit); ok && a.ParentEdgeKind() == edge.CallExpr_Fun {
			if _, ok := a.Parent().Parent().Node().(*ast.GoStmt); ok {
				return true
			}
		}
	}
	return false
}

// leavesLoop reports whether, after the statement holding cur, every
// iteration that ran it leaves the loop li for good: a later statement
// at some level up to the loop body returns, panics, exits or breaks
// out of li. Levels inside a function literal do not count: a return
// there ends the literal, not the loop.
func (c *checker) leavesLoop(li *loopInfo, cur inspector.Cursor) bool {
	// Climb to the outermost function literal below the loop.
	start := cur
	for a := range cur.Enclosing((*ast.FuncLit)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if a == li.cur {
			break
		}
		if _, ok := a.Node().(*ast.FuncLit); ok {
			start = a
		}
	}
	for a := start; a != li.cur && a.Valid(); a = a.Parent() {
		if !isStmtList(a.ParentEdgeKind()) {
			continue
		}
		for next, ok := a.NextSibling(); ok; next, ok = next.NextSibling() {
			if c.exits(li, next) {
				return true
			}
		}
	}
	return false
}

func isStmtList(k edge.Kind) bool {
	return k == edge.BlockStmt_List || k == edge.CaseClause_Body || k == edge.CommClause_Body
}

// exits reports whether the statement at cur leaves the loop li for good.
func (c *checker) exits(li *loopInfo, cur inspector.Cursor) bool {
	switch s := cur.Node().(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		if s.Tok != token.BREAK {
			return false
		}
		if s.Label != nil {
			lbl, ok := li.cur.Parent().Node().(*ast.LabeledStmt)
			return ok && c.pass.TypesInfo.Uses[s.Label] != nil && c.pass.TypesInfo.Uses[s.Label] == c.pass.TypesInfo.Defs[lbl.Label]
		}
		for a := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.SwitchStmt)(nil), (*ast.TypeSwitchStmt)(nil), (*ast.SelectStmt)(nil)) {
			return a == li.cur
		}
	case *ast.ExprStmt:
		call, ok := ast.Unparen(s.X).(*ast.CallExpr)
		if !ok {
			return false
		}
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
			if _, ok := c.pass.TypesInfo.Uses[id].(*types.Builtin); ok && id.Name == "panic" {
				return true
			}
		}
		fn := astq.Callee(c.pass, call)
		return astq.IsFunc(fn, "os", "Exit") ||
			astq.IsFunc(fn, "log", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln") ||
			astq.IsMethod(fn, "testing", "T", "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow") ||
			astq.IsMethod(fn, "testing", "B", "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow")
	}
	return false
}

// copyEdit returns the edit that declares a copy of each of names as the
// first statement of body, or false if a copy would not compile: the
// body already declares one of the names at its top level.
func (c *checker) copyEdit(body *ast.BlockStmt, names []string) (analysis.TextEdit, bool) {
	if len(body.List) == 0 {
		return analysis.TextEdit{}, false
	}
	if scope := c.pass.TypesInfo.Scopes[body]; scope != nil {
		for _, n := range names {
			if scope.Lookup(n) != nil {
				return analysis.TextEdit{}, false
			}
		}
	}
	list := strings.Join(names, ", ")
	decl := list + " := " + list
	first := body.List[0]
	fset := c.pass.Fset
	if fset.Position(first.Pos()).Line == fset.Position(body.Lbrace).Line {
		// { stmt ... } on one line.
		return analysis.TextEdit{Pos: first.Pos(), End: first.Pos(), NewText: []byte(decl + "; ")}, true
	}
	indent := c.indentOf(first.Pos())
	return analysis.TextEdit{Pos: first.Pos(), End: first.Pos(), NewText: []byte(decl + "\n" + indent)}, true
}

// indentOf returns the white space before pos on its line.
func (c *checker) indentOf(pos token.Pos) string {
	tf := c.pass.Fset.File(pos)
	if tf == nil {
		return "\t"
	}
	src, err := c.pass.ReadFile(tf.Name())
	if err != nil {
		return "\t"
	}
	off := tf.Offset(pos)
	lineStart := bytes.LastIndexByte(src[:off], '\n') + 1
	ws := src[lineStart:off]
	if len(bytes.TrimLeft(ws, " \t")) != 0 {
		return "\t"
	}
	return string(ws)
}
