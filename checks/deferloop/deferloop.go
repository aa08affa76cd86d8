package deferloop

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"unicode/utf8"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
	"github.com/silentfail/silentfail/internal/flow"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports defer statements in loop bodies whose deferred calls
// pile up until the function returns.
var Analyzer = &analysis.Analyzer{
	Name:     "deferloop",
	Doc:      astq.ExtractDoc(doc, "deferloop"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferloop",
	Requires: []*analysis.Analyzer{inspect.Analyzer, flow.Analyzer, decls.Analyzer},
	Run:      run,
}

// pileup turns on the opt-in form: defers that keep resources (files,
// bodies, rows, contexts) until the function returns. The default form
// reports the locks: a deferred unlock in a loop deadlocks or crashes.
var pileup bool

func init() {
	Analyzer.Flags.BoolVar(&pileup, "pileup", false,
		"also report resources piling up until return (opt-in: on real services most such loops are short or intended)")
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	cfgs := pass.ResultOf[flow.Analyzer].(*flow.CFGs)
	graphs := make(map[ast.Node]*graph)

	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		def := cur.Node().(*ast.DeferStmt)
		fn, loops := enclosingLoops(cur)
		if len(loops) == 0 || !fn.Valid() {
			continue
		}
		g, ok := graphs[fn.Node()]
		if !ok {
			g = newGraph(cfgs, fn.Node())
			graphs[fn.Node()] = g
		}
		if g == nil {
			continue
		}
		blk := g.blockOf[def]
		if blk == nil || !blk.Live {
			continue // dead code
		}
		for i, l := range loops {
			if runsOnce(pass, l) || !g.repeats(blk, l) || guardedOnce(pass, cur, l) {
				continue
			}
			r := classify(pass, def.Call, l)
			if r.intended || !r.lock && !pileup {
				// Rule "pile-ups are opt-in": only locks by default,
				// decided before the costlier path and value checks.
				break
			}
			if !g.repeatsUnreleased(blk, def, l, explicitRelease(pass, def, l)) {
				if r.lock {
					r = pileUp{effect: fmt.Sprintf("each iteration also unlocks %s itself, so the deferred unlocks hit an unlocked mutex: fatal error \"sync: unlock of unlocked mutex\"", r.mu), lock: true, unlockTwice: true}
				} else {
					break // released explicitly before the next iteration
				}
			}
			if !r.lock && (!acquiredInLoop(pass, def.Call, l) || astq.IsTestFile(pass, def.Pos()) ||
				keptPastIteration(pass, def, l) || heldOnly(pass, def, l)) {
				// Releasing each element of an existing collection
				// at return is deliberate; tests defer their cleanups
				// in loops on purpose and end soon; a value kept past
				// the iteration, or one the iteration does nothing
				// with but defer its release, is meant to stay open
				// until the function returns.
				break
			}
			report(pass, fn, def, loops, i, r)
			break
		}
	}
	return nil, nil
}

// enclosingLoops returns the function containing the defer at cur and
// the for and range statements between the two, innermost first.
func enclosingLoops(cur inspector.Cursor) (inspector.Cursor, []ast.Stmt) {
	var loops []ast.Stmt
	for c := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch n := c.Node().(type) {
		case *ast.ForStmt:
			loops = append(loops, n)
		case *ast.RangeStmt:
			loops = append(loops, n)
		case *ast.FuncDecl, *ast.FuncLit:
			return c, loops
		}
	}
	return inspector.Cursor{}, nil
}

// graph is the control-flow graph of one function, with the block of
// each defer statement.
type graph struct {
	blockOf map[*ast.DeferStmt]*cfg.Block
}

func newGraph(cfgs *flow.CFGs, fn ast.Node) *graph {
	var g *cfg.CFG
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		g = cfgs.FuncDecl(fn)
	case *ast.FuncLit:
		g = cfgs.FuncLit(fn)
	}
	if g == nil {
		return nil
	}
	gr := &graph{blockOf: make(map[*ast.DeferStmt]*cfg.Block)}
	for _, b := range g.Blocks {
		for _, n := range b.Nodes {
			if d, ok := n.(*ast.DeferStmt); ok {
				gr.blockOf[d] = b
			}
		}
	}
	return gr
}

// repeats reports whether, from the end of block from (which holds the
// defer), control can reach the next iteration of loop without leaving
// it: no return, no call that never returns (panic, os.Exit,
// log.Fatal...), no break or goto out of the loop on the way.
func (g *graph) repeats(from *cfg.Block, loop ast.Stmt) bool {
	body := astq.LoopBody(loop)
	seen := make(map[*cfg.Block]bool)
	stack := append([]*cfg.Block(nil), from.Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if isHead(b, loop) {
			return true
		}
		if !inside(b, loop, body) {
			continue
		}
		stack = append(stack, b.Succs...)
	}
	return false
}

// isHead reports whether b starts a new iteration of loop.
func isHead(b *cfg.Block, loop ast.Stmt) bool {
	if b.Stmt != loop {
		return false
	}
	switch b.Kind {
	case cfg.KindForLoop, cfg.KindForPost, cfg.KindRangeLoop:
		return true
	case cfg.KindForBody:
		return loop.(*ast.ForStmt).Cond == nil // the body is the head
	}
	return false
}

// inside reports whether block b belongs to loop: its head, post or
// body, or a block that a statement of the body gave rise to.
func inside(b *cfg.Block, loop ast.Stmt, body *ast.BlockStmt) bool {
	if b.Stmt == loop {
		return b.Kind != cfg.KindForDone && b.Kind != cfg.KindRangeDone
	}
	return b.Stmt != nil && body.Pos() <= b.Stmt.Pos() && b.Stmt.Pos() < body.End()
}

// runsOnce reports whether loop provably runs its body at most once:
// `for range 1`, a range over a literal or array of at most one
// element, `for i := 0; i < 1; i++`, `for ok := true; ok; ok = false`.
func runsOnce(pass *analysis.Pass, loop ast.Stmt) bool {
	switch l := loop.(type) {
	case *ast.RangeStmt:
		tv, ok := pass.TypesInfo.Types[l.X]
		if !ok {
			return false
		}
		if tv.Value != nil {
			switch tv.Value.Kind() {
			case constant.Int:
				n, exact := constant.Int64Val(tv.Value)
				return exact && n <= 1
			case constant.String:
				return utf8.RuneCountInString(constant.StringVal(tv.Value)) <= 1
			}
		}
		if cl, ok := ast.Unparen(l.X).(*ast.CompositeLit); ok && len(cl.Elts) <= 1 {
			return true
		}
		t := tv.Type.Underlying()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem().Underlying()
		}
		if a, ok := t.(*types.Array); ok {
			return a.Len() <= 1
		}
	case *ast.ForStmt:
		return countedOnce(pass, l) || flagOnce(pass, l)
	}
	return false
}

// countedOnce recognizes `for i := a; i < b; i++` (and the decreasing
// and += forms) with constant bounds and at most one iteration, where
// the body does not assign i.
func countedOnce(pass *analysis.Pass, l *ast.ForStmt) bool {
	init, ok := l.Init.(*ast.AssignStmt)
	if !ok || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return false
	}
	id, ok := init.Lhs[0].(*ast.Ident)
	if !ok {
		return false
	}
	v := pass.TypesInfo.ObjectOf(id)
	start, ok := intConst(pass, init.Rhs[0])
	if v == nil || !ok {
		return false
	}
	cond, ok := ast.Unparen(l.Cond).(*ast.BinaryExpr)
	if !ok {
		return false
	}
	op, x, y := cond.Op, cond.X, cond.Y
	if !isVar(pass, x, v) { // b > i is i < b
		x, y = y, x
		switch op {
		case token.LSS:
			op = token.GTR
		case token.GTR:
			op = token.LSS
		case token.LEQ:
			op = token.GEQ
		case token.GEQ:
			op = token.LEQ
		}
	}
	bound, ok := intConst(pass, y)
	if !isVar(pass, x, v) || !ok {
		return false
	}
	step, ok := stepOf(pass, l.Post, v)
	if !ok || assigns(pass, l.Body, v) {
		return false
	}
	var n int64
	switch {
	case step > 0 && op == token.LSS:
		n = bound - start
	case step > 0 && op == token.LEQ:
		n = bound - start + 1
	case step < 0 && op == token.GTR:
		n = start - bound
	case step < 0 && op == token.GEQ:
		n = start - bound + 1
	default:
		return false
	}
	if step < 0 {
		step = -step
	}
	return n <= step // first iteration, then the condition fails
}

// flagOnce recognizes `for ok := true; ok; ok = false`.
func flagOnce(pass *analysis.Pass, l *ast.ForStmt) bool {
	init, ok := l.Init.(*ast.AssignStmt)
	if !ok || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return false
	}
	id, ok := init.Lhs[0].(*ast.Ident)
	if !ok {
		return false
	}
	v := pass.TypesInfo.ObjectOf(id)
	post, ok := l.Post.(*ast.AssignStmt)
	if v == nil || !ok || len(post.Lhs) != 1 || len(post.Rhs) != 1 || post.Tok != token.ASSIGN {
		return false
	}
	tv := pass.TypesInfo.Types[post.Rhs[0]]
	return isVar(pass, l.Cond, v) && isVar(pass, post.Lhs[0], v) &&
		tv.Value != nil && tv.Value.Kind() == constant.Bool && !constant.BoolVal(tv.Value) &&
		!assigns(pass, l.Body, v)
}

func intConst(pass *analysis.Pass, e ast.Expr) (int64, bool) {
	tv := pass.TypesInfo.Types[e]
	if tv.Value == nil || tv.Value.Kind() != constant.Int {
		return 0, false
	}
	return constant.Int64Val(tv.Value)
}

func isVar(pass *analysis.Pass, e ast.Expr, v types.Object) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && pass.TypesInfo.ObjectOf(id) == v
}

// stepOf returns the constant step of post (i++, i--, i += c, i -= c).
func stepOf(pass *analysis.Pass, post ast.Stmt, v types.Object) (int64, bool) {
	switch p := post.(type) {
	case *ast.IncDecStmt:
		if !isVar(pass, p.X, v) {
			return 0, false
		}
		if p.Tok == token.INC {
			return 1, true
		}
		return -1, true
	case *ast.AssignStmt:
		if len(p.Lhs) != 1 || len(p.Rhs) != 1 || !isVar(pass, p.Lhs[0], v) {
			return 0, false
		}
		c, ok := intConst(pass, p.Rhs[0])
		if !ok || c <= 0 {
			return 0, false
		}
		switch p.Tok {
		case token.ADD_ASSIGN:
			return c, true
		case token.SUB_ASSIGN:
			return -c, true
		}
	}
	return 0, false
}

// assigns reports whether n assigns v or takes its address.
func assigns(pass *analysis.Pass, n ast.Node, v types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if isVar(pass, l, v) {
					found = true
				}
			}
		case *ast.IncDecStmt:
			if isVar(pass, n.X, v) {
				found = true
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && isVar(pass, n.X, v) {
				found = true
			}
		case *ast.RangeStmt:
			if isVar(pass, n.Key, v) || isVar(pass, n.Value, v) {
				found = true
			}
		}
		return !found
	})
	return found
}

func report(pass *analysis.Pass, fn inspector.Cursor, def *ast.DeferStmt, loops []ast.Stmt, i int, r pileUp) {
	loop := loops[i]
	where := "each iteration"
	advice := "wrap the loop body in a function"
	if i > 0 {
		where = fmt.Sprintf("each iteration of the outer loop (line %d)", pass.Fset.Position(loop.Pos()).Line)
		advice = "wrap the outer loop's body in a function"
	}
	if r.lock {
		advice += ", or unlock before the next iteration"
	}
	if r.unlockTwice {
		advice = "drop the explicit unlock, or the defer"
	}
	msg := fmt.Sprintf("deferred %s runs only when %s returns, not at the end of %s: %s (%s)",
		callString(def.Call), astq.FuncName(fn), where, r.effect, advice)
	d := analysis.Diagnostic{Pos: def.Pos(), End: def.End(), Message: msg}
	if !r.lock {
		d.Category = "pileup" // the opt-in form, named in -json output
	}
	if fix, ok := wrapFix(pass, fn, loop); ok && !r.unlockTwice {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	pass.Report(d)
}
