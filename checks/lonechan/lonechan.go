package lonechan

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

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

// Analyzer reports a send or receive on an unbuffered channel that no
// other goroutine can reach yet.
var Analyzer = &analysis.Analyzer{
	Name:     "lonechan",
	Doc:      astq.ExtractDoc(doc, "lonechan"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/lonechan",
	Requires: []*analysis.Analyzer{inspect.Analyzer, flow.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	graphs := pass.ResultOf[flow.Analyzer].(*flow.CFGs)
	reported := map[token.Pos]bool{}
	for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		mk := cur.Node().(*ast.CallExpr)
		if !unbufferedMake(pass, mk) {
			continue
		}
		// The make must be the whole value given to one local variable.
		stmt := cur.Parent().Node()
		v := madeInto(pass, stmt, mk)
		if v == nil {
			continue
		}
		fn, _, _ := astq.EnclosingFunc(cur)
		if !fn.Valid() {
			continue
		}
		var g *cfg.CFG
		switch f := fn.Node().(type) {
		case *ast.FuncDecl:
			g = graphs.FuncDecl(f)
		case *ast.FuncLit:
			g = graphs.FuncLit(f)
		}
		if g == nil || !trackable(pass, fn.Node(), v) {
			continue
		}
		ops := lonelyOps(pass, g, fn.Node(), stmt, v)
		if len(ops) == 1 && ops[0].kind == "receive" && ops[0].discarded && uses(pass, fn.Node(), v) == 1 {
			// Rule "blocking on purpose": a channel made only to receive
			// from it once is the block-forever idiom (<-make(chan T)).
			reported[ops[0].pos] = true
			continue
		}
		for _, op := range ops {
			reported[op.pos] = true
			report(pass, mk, v, op, len(ops) == 1)
		}
	}
	checkUnserved(pass, ins, reported)
	return nil, nil
}

// unbufferedMake reports whether call is make(chan T) or make(chan T, 0).
func unbufferedMake(pass *analysis.Pass, call *ast.CallExpr) bool {
	if !isMake(pass, call) {
		return false
	}
	if len(call.Args) == 1 {
		return true
	}
	// Rule "buffered or unknown size": only a constant zero counts.
	tv := pass.TypesInfo.Types[call.Args[1]]
	return tv.Value != nil && constant.Sign(tv.Value) == 0
}

// madeInto returns the local variable that stmt sets to mk alone: v :=
// make(...), v = make(...), var v = make(...).
func madeInto(pass *analysis.Pass, stmt ast.Node, mk *ast.CallExpr) *types.Var {
	var id *ast.Ident
	switch s := stmt.(type) {
	case *ast.AssignStmt:
		if len(s.Lhs) == 1 && len(s.Rhs) == 1 && s.Rhs[0] == mk {
			id, _ = s.Lhs[0].(*ast.Ident)
		}
	case *ast.ValueSpec:
		if len(s.Names) == 1 && len(s.Values) == 1 && s.Values[0] == mk {
			id = s.Names[0]
		}
	}
	if id == nil {
		return nil
	}
	v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var)
	if !ok || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
		return nil
	}
	return v
}

// trackable reports whether every mention of v in fn is one the path
// walk can see: rule "address taken" and rule "select has other ways"
// (a select clause mentions nodes the graph does not hold, so a channel
// used as a value inside one is given up).
func trackable(pass *analysis.Pass, fn ast.Node, v *types.Var) bool {
	ok := true
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.UnaryExpr:
			if n.Op == token.AND && isVar(pass, n.X, v) {
				ok = false
			}
		case *ast.CommClause:
			if n.Comm != nil && mentions(pass, n.Comm, v) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

type op struct {
	pos       token.Pos
	end       token.Pos
	kind      string // "send", "receive", "range"
	discarded bool   // a receive as a statement of its own: <-ch
}

// lonelyOps returns the channel operations on v that no path from the
// make reaches after v may have been handed over (rule "alone on every
// path"): an operation is
// reported only when, on every path from the make to it, the channel
// is still the function's alone. Paths the graph holds but the program
// never takes (a loop of three turns skipped entirely) then cannot
// make a handed-over channel look alone.
func lonelyOps(pass *analysis.Pass, g *cfg.CFG, fn ast.Node, stmt ast.Node, v *types.Var) []op {
	ranges := map[ast.Node]bool{}
	ast.Inspect(fn, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok {
			ranges[r.X] = true
		}
		return true
	})
	var first *cfg.Block
	for _, b := range g.Blocks {
		for _, n := range b.Nodes {
			if n == stmt {
				first = b
			}
		}
	}
	if first == nil {
		return nil
	}
	// The state of v on entry to a block: not made yet on any path that
	// got here, alone on every path, or possibly handed over (or dead
	// after a blocking operation) on some path.
	const (
		unmade = iota
		alone
		handed
	)
	in := map[*cfg.Block]int{}
	var out []op
	seen := map[token.Pos]bool{}
	scan := func(b *cfg.Block, st int, report bool) int {
		for _, n := range b.Nodes {
			if n == stmt {
				st = alone // a new channel each time the make runs
				continue
			}
			if st == unmade {
				continue
			}
			o, gone := effect(pass, n, v, ranges)
			switch {
			case gone:
				st = handed
			case o != nil:
				if st == alone && report && !seen[o.pos] {
					seen[o.pos] = true
					out = append(out, *o)
				}
				st = handed // the path ends here, blocked
			}
		}
		return st
	}
	work := []*cfg.Block{first}
	queued := map[*cfg.Block]bool{first: true}
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		queued[b] = false
		st := scan(b, in[b], false)
		for _, succ := range b.Succs {
			if st > in[succ] {
				in[succ] = st
				if !queued[succ] {
					queued[succ] = true
					work = append(work, succ)
				}
			}
		}
	}
	for _, b := range g.Blocks {
		if b == first || in[b] == alone {
			scan(b, in[b], true)
		}
	}
	return out
}

// effect says what node n does with v: an operation that blocks on it,
// or a use that may hand it to someone else (rule "handed over first").
// An assignment to v ends the path too: v is another channel after it.
func effect(pass *analysis.Pass, n ast.Node, v *types.Var, ranges map[ast.Node]bool) (*op, bool) {
	if e, ok := n.(ast.Expr); ok && ranges[n] && isVar(pass, e, v) {
		return &op{pos: n.Pos(), end: n.End(), kind: "range"}, false
	}
	var found *op
	handed := false
	var visit func(m ast.Node) bool
	visit = func(m ast.Node) bool {
		if handed {
			return false
		}
		switch m := m.(type) {
		case *ast.FuncLit:
			if mentions(pass, m, v) {
				handed = true
			}
			return false
		case *ast.SendStmt:
			if isVar(pass, m.Chan, v) {
				if found == nil {
					found = &op{pos: m.Pos(), end: m.End(), kind: "send"}
				}
				ast.Inspect(m.Value, visit)
				return false
			}
		case *ast.UnaryExpr:
			if m.Op == token.ARROW && isVar(pass, m.X, v) {
				if found == nil {
					es, stmt := n.(*ast.ExprStmt)
					found = &op{pos: m.Pos(), end: m.End(), kind: "receive", discarded: stmt && ast.Unparen(es.X) == m}
				}
				return false
			}
		case *ast.CallExpr:
			if id, ok := ast.Unparen(m.Fun).(*ast.Ident); ok && len(m.Args) == 1 && isVar(pass, m.Args[0], v) {
				if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok {
					switch b.Name() {
					case "len", "cap":
						return false
					case "close":
						// Rule "closed first": a receive after close
						// completes at once; the path ends here.
						handed = true
						return false
					}
				}
			}
		case *ast.BinaryExpr:
			if x, _, ok := astq.NilComparison(pass, m); ok && isVar(pass, x, v) {
				return false
			}
		case *ast.Ident:
			if pass.TypesInfo.ObjectOf(m) == v {
				handed = true
			}
		}
		return true
	}
	ast.Inspect(n, visit)
	if handed {
		return nil, true
	}
	return found, false
}

func isVar(pass *analysis.Pass, e ast.Expr, v *types.Var) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && pass.TypesInfo.ObjectOf(id) == v
}

func mentions(pass *analysis.Pass, n ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok && pass.TypesInfo.ObjectOf(id) == v {
			found = true
		}
		return !found
	})
	return found
}

func report(pass *analysis.Pass, mk *ast.CallExpr, v *types.Var, o op, fixable bool) {
	line := pass.Fset.Position(mk.Pos()).Line
	name := v.Name()
	d := analysis.Diagnostic{Pos: o.pos, End: o.end}
	switch o.kind {
	case "send":
		d.Message = fmt.Sprintf("this send on %s blocks forever: %s is unbuffered (made at line %d) and no goroutine, call or variable holds it yet, so nothing can receive; the goroutine hangs here (make(..., 1) lets the send complete, or send after the receiver exists)",
			name, name, line)
		if fixable {
			d.SuggestedFixes = []analysis.SuggestedFix{{
				Message:   fmt.Sprintf("Give %s a buffer of one", name),
				TextEdits: []analysis.TextEdit{bufferEdit(mk)},
			}}
		}
	default:
		what := "this receive from"
		if o.kind == "range" {
			what = "this range over"
		}
		d.Message = fmt.Sprintf("%s %s blocks forever: %s is unbuffered (made at line %d) and no goroutine, call or variable holds it yet, so nothing can send on it or close it (start the sender first)",
			what, name, name, line)
	}
	pass.Report(d)
}

// bufferEdit turns make(chan T) or make(chan T, 0) into make(chan T, 1).
func bufferEdit(mk *ast.CallExpr) analysis.TextEdit {
	if len(mk.Args) == 2 {
		return analysis.TextEdit{Pos: mk.Args[1].Pos(), End: mk.Args[1].End(), NewText: []byte("1")}
	}
	return analysis.TextEdit{Pos: mk.Args[0].End(), End: mk.Args[0].End(), NewText: []byte(", 1")}
}

// uses counts the mentions of v in fn, its make aside.
func uses(pass *analysis.Pass, fn ast.Node, v *types.Var) int {
	n := 0
	ast.Inspect(fn, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok && pass.TypesInfo.Uses[id] == types.Object(v) {
			n++
		}
		return true
	})
	return n
}
