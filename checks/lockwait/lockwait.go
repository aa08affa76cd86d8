package lockwait

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/locks"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports a wait, with a mutex held, on a goroutine that must
// take that mutex first.
var Analyzer = &analysis.Analyzer{
	Name:     "lockwait",
	Doc:      astq.ExtractDoc(doc, "lockwait"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/lockwait",
	Requires: []*analysis.Analyzer{inspect.Analyzer, locks.Analyzer},
	Run:      run,
}

// target is a channel or WaitGroup: an unexported field of a struct, or
// a variable.
type target struct {
	field *types.Var
	v     *types.Var
}

// A wait is a blocking operation reached with a mutex held.
type wait struct {
	fn    ast.Node
	at    ast.Node
	kind  string // receive, range, send, wait
	expr  ast.Expr
	tgt   target
	mutex locks.Key
	held  locks.Held
	rel   string // the mutex's path from the struct holding the field
}

// A site is an operation that could end a wait.
type site struct {
	fn       ast.Node
	pos      token.Pos
	kind     string // send, close, receive, done
	key      locks.Key
	deferred bool
	ranged   bool // a range loop: each turn receives at its head
	buffered bool // a make with room, or a value from elsewhere
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	res := pass.ResultOf[locks.Analyzer].(*locks.Result)

	waits := findWaits(pass, ins, res)
	if len(waits) == 0 {
		return nil, nil
	}
	targets := map[target]bool{}
	for _, w := range waits {
		targets[w.tgt] = true
	}
	sites, handed := findSites(pass, ins, res, targets)
	taken, heldAt := takenAtSites(res, sites)
	// The go statement that starts each function literal.
	started := map[ast.Node]*ast.GoStmt{}
	for cur := range ins.Root().Preorder((*ast.GoStmt)(nil)) {
		g := cur.Node().(*ast.GoStmt)
		if lit, ok := ast.Unparen(g.Call.Fun).(*ast.FuncLit); ok {
			started[lit] = g
		}
	}
	for _, w := range waits {
		if handed[w.tgt] {
			continue // rule "channel handed out"
		}
		judge(pass, w, sites[w.tgt], taken, heldAt, started[w.fn])
	}
	return nil, nil
}

// findWaits returns the receives, ranges, sends and Waits outside any
// select (rule "select has other ways") reached with a mutex held on
// every path.
func findWaits(pass *analysis.Pass, ins *inspector.Inspector, res *locks.Result) []wait {
	var out []wait
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		fn := cur.Node()
		if !locksSomething(pass, fn) {
			continue
		}
		ranges := map[ast.Node]bool{}
		comms := map[ast.Node]bool{} // go/cfg evaluates select clauses' operations as nodes
		ast.Inspect(fn, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.RangeStmt:
				ranges[n.X] = true
			case *ast.CommClause:
				if n.Comm != nil {
					comms[n.Comm] = true
				}
			}
			return true
		})
		res.Each(fn, func(n ast.Node, held, _ map[locks.Key]locks.Held) {
			if len(held) == 0 {
				return
			}
			switch n.(type) {
			case *ast.CommClause, *ast.RangeStmt:
				return // the heads Each also shows, not operations
			}
			if comms[n] {
				return
			}
			for _, op := range blockingOps(pass, n, ranges) {
				tgt, key, ok := identify(pass, res, op.expr)
				if !ok {
					continue
				}
				for m, h := range held {
					rel, ok := relative(key, m)
					if !ok {
						continue
					}
					op.fn, op.tgt, op.mutex, op.held, op.rel = fn, tgt, m, h, rel
					out = append(out, op)
				}
			}
		})
	}
	return out
}

// locksSomething reports whether fn's own body calls a Lock or RLock
// method, a cheap filter before the lock analysis.
func locksSomething(pass *analysis.Pass, fn ast.Node) bool {
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		if lit, ok := n.(*ast.FuncLit); ok && lit != fn {
			return false
		}
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr); ok && (sel.Sel.Name == "Lock" || sel.Sel.Name == "RLock") {
				found = true
			}
		}
		return !found
	})
	return found
}

func blockingOps(pass *analysis.Pass, n ast.Node, ranges map[ast.Node]bool) []wait {
	var out []wait
	if e, ok := n.(ast.Expr); ok && ranges[n] {
		if _, ok := pass.TypesInfo.TypeOf(e).Underlying().(*types.Chan); ok {
			return []wait{{at: n, kind: "range", expr: e}}
		}
	}
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SendStmt:
			out = append(out, wait{at: m, kind: "send", expr: m.Chan})
		case *ast.UnaryExpr:
			if m.Op == token.ARROW {
				out = append(out, wait{at: m, kind: "receive", expr: m.X})
			}
		case *ast.CallExpr:
			fn, _ := pass.TypesInfo.Uses[selName(m)].(*types.Func)
			if astq.IsMethod(fn, "sync", "WaitGroup", "Wait") {
				if x, ok := astq.ReceiverExpr(m); ok {
					out = append(out, wait{at: m, kind: "wait", expr: x})
				}
			}
		}
		return true
	})
	return out
}

func selName(c *ast.CallExpr) *ast.Ident {
	if sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr); ok {
		return sel.Sel
	}
	return nil
}

// identify names the channel or WaitGroup e denotes.
func identify(pass *analysis.Pass, res *locks.Result, e ast.Expr) (target, locks.Key, bool) {
	key, ok := res.KeyOf(e)
	if !ok {
		return target{}, locks.Key{}, false
	}
	if key.Path == "" {
		v, ok := key.Base.(*types.Var)
		return target{v: v}, key, ok
	}
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok {
			sel, _ = ast.Unparen(u.X).(*ast.SelectorExpr)
		}
	}
	if sel == nil {
		return target{}, locks.Key{}, false
	}
	f, ok := pass.TypesInfo.Uses[sel.Sel].(*types.Var)
	if !ok || !f.IsField() {
		return target{}, locks.Key{}, false
	}
	return target{field: f.Origin()}, key, true
}

// relative returns the mutex's path from the struct that holds the
// channel field (".mu" for s.mu beside s.donec), or "" for a channel in
// a variable; false when the mutex does not hang from the same place.
func relative(ch, mu locks.Key) (string, bool) {
	if ch.Path == "" {
		return "", true
	}
	parent := ch.Path[:strings.LastIndex(ch.Path, ".")]
	if mu.Base != ch.Base || !strings.HasPrefix(mu.Path, parent+".") {
		return "", false
	}
	return mu.Path[len(parent):], true
}

// findSites finds every operation on the targets in the package, and
// the targets that are handed out (rule "channel handed out").
func findSites(pass *analysis.Pass, ins *inspector.Inspector, res *locks.Result, targets map[target]bool) (map[target][]site, map[target]bool) {
	sites := map[target][]site{}
	handed := map[target]bool{}
	for t := range targets {
		if t.field != nil && t.field.Exported() {
			handed[t] = true
		}
		if t.v != nil && (t.v.Parent() == nil || t.v.Parent() == t.v.Pkg().Scope()) && t.v.Exported() {
			handed[t] = true
		}
	}
	for cur := range ins.Root().Preorder((*ast.SelectorExpr)(nil), (*ast.Ident)(nil)) {
		var t target
		var e ast.Expr
		switch n := cur.Node().(type) {
		case *ast.SelectorExpr:
			f, ok := pass.TypesInfo.Uses[n.Sel].(*types.Var)
			if !ok || !targets[target{field: f.Origin()}] {
				continue
			}
			t, e = target{field: f.Origin()}, n
		case *ast.Ident:
			if p, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && p.Sel == n {
				continue
			}
			v, ok := pass.TypesInfo.ObjectOf(n).(*types.Var) // Defs too: done := make(...)
			if !ok {
				continue
			}
			t, e = target{v: v}, n
			if v.IsField() {
				if pass.TypesInfo.Defs[n] != nil {
					continue // the field's declaration
				}
				t = target{field: v.Origin()} // a key of a struct literal
			}
			if !targets[t] {
				continue
			}
		}
		c := cur
		for {
			p, ok := c.Parent().Node().(*ast.ParenExpr)
			if !ok {
				break
			}
			_ = p
			c = c.Parent()
		}
		s, use := classify(pass, c, e)
		switch use {
		case handOut:
			handed[t] = true
		case operation:
			if s.kind == "make" {
				sites[t] = append(sites[t], s)
				continue
			}
			fn, _, _ := astq.EnclosingFunc(c)
			if !fn.Valid() {
				handed[t] = true
				continue
			}
			s.fn = fn.Node()
			s.key, _ = res.KeyOf(e)
			sites[t] = append(sites[t], s)
		}
	}
	return sites, handed
}

type use int

const (
	harmless use = iota
	operation
	handOut
)

// classify says how the use of a target at c is used.
func classify(pass *analysis.Pass, c inspector.Cursor, e ast.Expr) (site, use) {
	parent := c.Parent()
	me := c.Node()
	switch p := parent.Node().(type) {
	case *ast.SendStmt:
		if p.Chan == me {
			return site{pos: p.Pos(), kind: "send"}, operation
		}
	case *ast.UnaryExpr:
		if p.Op == token.ARROW {
			return site{pos: p.Pos(), kind: "receive"}, operation
		}
	case *ast.RangeStmt:
		if p.X == me {
			return site{pos: p.Pos(), kind: "receive", ranged: true}, operation
		}
	case *ast.CallExpr:
		if id, ok := ast.Unparen(p.Fun).(*ast.Ident); ok {
			if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok {
				switch b.Name() {
				case "close":
					_, deferred := parent.Parent().Node().(*ast.DeferStmt)
					return site{pos: p.Pos(), kind: "close", deferred: deferred}, operation
				case "len", "cap":
					return site{}, harmless
				}
			}
		}
	case *ast.SelectorExpr:
		// x.wg.Done(), x.wg.Add(n), x.wg.Wait()
		if call, ok := parent.Parent().Node().(*ast.CallExpr); ok && call.Fun == p {
			switch p.Sel.Name {
			case "Done":
				_, deferred := parent.Parent().Parent().Node().(*ast.DeferStmt)
				return site{pos: call.Pos(), kind: "done", deferred: deferred}, operation
			case "Add":
				return site{pos: call.Pos(), kind: "add"}, operation
			case "Wait":
				return site{}, harmless
			}
		}
	case *ast.AssignStmt:
		for i, l := range p.Lhs {
			if l == me {
				if len(p.Rhs) == len(p.Lhs) {
					return makeSite(pass, p.Rhs[i])
				}
				return site{kind: "make", buffered: true}, operation
			}
		}
	case *ast.BinaryExpr:
		if pass.TypesInfo.Types[p.X].IsNil() || pass.TypesInfo.Types[p.Y].IsNil() {
			return site{}, harmless
		}
	case *ast.KeyValueExpr:
		if p.Key == me {
			return makeSite(pass, p.Value)
		}
	case *ast.ValueSpec:
		for i, n := range p.Names {
			if n == me {
				if i < len(p.Values) {
					return makeSite(pass, p.Values[i])
				}
				return site{}, harmless // the zero value: a nil channel or a WaitGroup
			}
		}
	}
	return site{}, handOut
}

// makeSite describes the value a target is set to: a make of an
// unbuffered channel, or something that may have a buffer (a make with
// a size that is not the constant zero, or a channel from elsewhere).
func makeSite(pass *analysis.Pass, v ast.Expr) (site, use) {
	call, ok := ast.Unparen(v).(*ast.CallExpr)
	if !ok {
		return site{kind: "make", buffered: true}, operation
	}
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if b, isB := pass.TypesInfo.Uses[id].(*types.Builtin); !ok || !isB || b.Name() != "make" {
		return site{kind: "make", buffered: true}, operation
	}
	if len(call.Args) < 2 {
		return site{kind: "make"}, operation
	}
	tv := pass.TypesInfo.Types[call.Args[1]]
	return site{kind: "make", buffered: tv.Value == nil || constant.Sign(tv.Value) != 0}, operation
}

// takenAtSites returns, for each site, the mutexes its function has
// taken on some path before it (for a deferred close or Done: anywhere
// in the function, which runs before it).
func takenAtSites(res *locks.Result, sites map[target][]site) (taken, held map[token.Pos]map[locks.Key]locks.Held) {
	byFn := map[ast.Node][]site{}
	for _, ss := range sites {
		for _, s := range ss {
			if s.fn != nil {
				byFn[s.fn] = append(byFn[s.fn], s)
			}
		}
	}
	out := map[token.Pos]map[locks.Key]locks.Held{}
	heldAt := map[token.Pos]map[locks.Key]locks.Held{}
	for fn, ss := range byFn {
		all := map[locks.Key]locks.Held{}
		res.Each(fn, func(n ast.Node, held, taken map[locks.Key]locks.Held) {
			for k, h := range taken {
				all[k] = h
			}
			if _, ok := n.(*ast.GoStmt); ok {
				if _, done := out[n.Pos()]; !done {
					out[n.Pos()] = maps.Clone(taken)
				}
			}
			for _, s := range ss {
				if s.deferred || s.pos < n.Pos() || s.pos >= n.End() {
					continue
				}
				if r, ok := n.(*ast.RangeStmt); s.ranged != ok || ok && r.Pos() != s.pos {
					continue
				}
				if cc, ok := n.(*ast.CommClause); ok && (cc.Comm == nil || s.pos < cc.Comm.Pos() || s.pos >= cc.Comm.End()) {
					continue
				}
				if _, done := out[s.pos]; !done {
					out[s.pos] = maps.Clone(taken)
					if s.kind == "add" {
						heldAt[s.pos] = maps.Clone(held)
					}
				}
			}
		})
		for _, s := range ss {
			if s.deferred {
				out[s.pos] = all
			}
		}
	}
	return out, heldAt
}

func enclosingPos(n ast.Node) token.Pos { return n.Pos() }

// expected returns the waiter's mutex in the terms of site s: the same
// path from the struct that holds the target there, or the same key for
// a variable.
func expected(w wait, s site) locks.Key {
	if w.tgt.field == nil {
		return w.mutex
	}
	i := strings.LastIndex(s.key.Path, ".")
	if i < 0 {
		return locks.Key{}
	}
	return locks.Key{Base: s.key.Base, Path: s.key.Path[:i] + w.rel}
}

// ends reports whether a site's operation can end a wait of kind k.
func ends(k, s string) bool {
	switch k {
	case "receive", "range":
		return s == "send" || s == "close"
	case "send":
		return s == "receive"
	case "wait":
		return s == "done"
	}
	return false
}

func judge(pass *analysis.Pass, w wait, ss []site, taken, heldAt map[token.Pos]map[locks.Key]locks.Held, start *ast.GoStmt) {
	made := false
	for _, s := range ss {
		switch {
		case s.kind == "make" && s.buffered:
			return // rule "buffer may have room"
		case s.kind == "make":
			made = true
		case s.kind == "add" && w.kind == "wait":
			if _, ok := heldAt[s.pos][expected(w, s)]; ok {
				return // rule "added under the lock"
			}
		}
	}
	if w.kind != "wait" && !made {
		return // rule "buffer may have room": no make seen
	}
	var others []site
	for _, s := range ss {
		if !ends(w.kind, s.kind) {
			continue
		}
		if s.fn == w.fn {
			continue // rule "same goroutine"
		}
		others = append(others, s)
	}
	if len(others) == 0 {
		return
	}
	for _, s := range others {
		want := expected(w, s)
		h, ok := taken[s.pos][want]
		if !ok {
			return // rule "one side needs no lock"
		}
		if start != nil && start.Pos() >= enclosingPos(s.fn) && start.End() <= s.fn.End() {
			// Rule "taken before the waiter started": the other side
			// took the mutex before the go statement that starts the
			// waiter; it may be past its Lock already.
			if _, before := taken[start.Pos()][want]; before {
				return
			}
		}
		if h.Mode == locks.Read && w.held.Mode == locks.Read {
			return // rule "readers share"
		}
	}
	report(pass, w, others[0])
}

func report(pass *analysis.Pass, w wait, s site) {
	mu := w.mutex.String()
	name := astq.Render(w.expr)
	since := pass.Fset.Position(w.held.Pos).Line
	p := pass.Fset.Position(s.pos)
	where := fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
	var what, others string
	switch w.kind {
	case "receive":
		what, others = "<-"+name+" waits", "send and close of "+name
	case "range":
		what, others = "this range over "+name+" waits", "send and close of "+name
	case "send":
		what, others = "this send on "+name+" waits for a receiver", "receive from "+name
	case "wait":
		what, others = name+".Wait() waits", name+".Done()"
	}
	pass.Report(analysis.Diagnostic{
		Pos: w.at.Pos(),
		End: w.at.End(),
		Message: fmt.Sprintf("%s while holding %s (locked at line %d), but every %s elsewhere comes after taking %s (as at %s): when that goroutine has not got past its Lock, each waits for the other forever (release %s before waiting)",
			what, mu, since, others, mu, where, mu),
	})
}
