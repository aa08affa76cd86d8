package unreleased

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
)

// The walk along every path from an acquire: what each node does to
// the value, and which way out of a condition holds it.

// releasesIn reports whether n contains a release of the variable.
func (h *held) releasesIn(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if call, ok := m.(*ast.CallExpr); ok && h.isRelease(call) {
			found = true
		}
		return !found
	})
	return found
}

// isRelease reports whether call releases the variable: v.Close(),
// tx.Rollback(), resp.Body.Close().
func (h *held) isRelease(call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x := ast.Unparen(sel.X)
	if h.res.body {
		inner, ok := x.(*ast.SelectorExpr)
		if !ok || inner.Sel.Name != "Body" || sel.Sel.Name != "Close" {
			return false
		}
		x = ast.Unparen(inner.X)
	} else {
		found := false
		for _, m := range h.res.release {
			found = found || sel.Sel.Name == m
		}
		if !found {
			return false
		}
	}
	id, ok := x.(*ast.Ident)
	return ok && h.pass.TypesInfo.Uses[id] == h.v
}

// drainsBody reports whether call reads a response's body to its end
// (io.ReadAll, io.Copy): at EOF, or at the error that stops the read,
// the transport takes the connection back (rule "body read to the end").
func (h *held) drainsBody(call *ast.CallExpr) bool {
	if !h.res.body {
		return false
	}
	fn := astq.Callee(h.pass, call)
	var arg ast.Expr
	switch {
	case astq.IsFunc(fn, "io", "ReadAll"), astq.IsFunc(fn, "io/ioutil", "ReadAll"):
		arg = call.Args[0]
	case astq.IsFunc(fn, "io", "Copy", "CopyBuffer"):
		arg = call.Args[1]
	default:
		return false
	}
	sel, ok := ast.Unparen(arg).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Body" {
		return false
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	return ok && h.pass.TypesInfo.Uses[id] == h.v
}

type effectKind uint8

const (
	kept     effectKind = iota // still held, still ours
	released                   // released on this path
	handed                     // handed on or overwritten: not followed
)

type walkStep struct {
	b       *cfg.Block
	from    int
	errLive bool // err still holds the acquiring call's error
	// closed: Next returned false on the way, which closed the rows;
	// the path is followed only to find the author's own release.
	closed bool
	// known: the conditions the path has tested, by their text, with
	// the answer it took (rule "the same condition twice").
	known string
}

// paths follows every path from the acquiring assignment (node i of
// block b) while the resource stays held, and returns the first release
// met and the paths that leave the function, or come back to the
// acquire, still holding it.
func (h *held) paths(g *cfg.CFG, b *cfg.Block, i int) (token.Pos, []resourceLeak) {
	var rel token.Pos
	var leaks []resourceLeak
	type key struct {
		b               *cfg.Block
		errLive, closed bool
		known           string
	}
	seen := map[key]bool{}
	work := []walkStep{{b: b, from: i + 1, errLive: h.err != nil}}
	leak := func(s walkStep, l resourceLeak) {
		if !s.closed {
			leaks = append(leaks, l)
		}
	}
	for len(work) > 0 {
		s := work[len(work)-1]
		work = work[:len(work)-1]
		stop := false
		for j := s.from; j < len(s.b.Nodes) && !stop; j++ {
			n := s.b.Nodes[j]
			if n == h.assign {
				leak(s, resourceLeak{again: true})
				stop = true
				break
			}
			switch h.effect(n) {
			case released:
				if !rel.IsValid() {
					rel = n.Pos()
				}
				stop = true
				continue
			case handed:
				stop = true
				continue
			}
			if cond, ok := n.(ast.Expr); ok && s.errLive && mentionsVar(h.pass.TypesInfo, cond, h.err) &&
				!(j == len(s.b.Nodes)-1 && len(s.b.Succs) == 2) {
				// A switch on err, or err used in a way the walk does
				// not follow: whether the acquire failed is not known.
				stop = true
				continue
			}
			if h.err != nil && assigns(h.pass, n, h.err) {
				s.errLive = false
			}
			if ret, ok := n.(*ast.ReturnStmt); ok {
				l := resourceLeak{exit: ret}
				if body, _ := bodyAndGraph(h.flow, h.fn); body != nil && ret.Return == body.Rbrace {
					l.exit = nil // the end of the body
				}
				leak(s, l)
				stop = true
			}
		}
		if stop {
			continue
		}
		if len(s.b.Succs) == 0 {
			if h.flow.Returns(s.b) {
				leak(s, resourceLeak{})
			}
			continue
		}
		follow := []bool{true, true}
		closes := []bool{s.closed, s.closed}
		knows := []string{s.known, s.known}
		if len(s.b.Succs) == 2 && len(s.b.Nodes) > 0 {
			if cond, ok := s.b.Nodes[len(s.b.Nodes)-1].(ast.Expr); ok {
				follow[0], follow[1] = h.branches(cond, s.errLive)
				if h.atom(ast.Unparen(cond), s.errLive) == exhausted {
					follow[1], closes[1] = true, true
				}
				if text, neg, ok := h.stable(cond); ok {
					t, f := "+"+text+"\n", "-"+text+"\n"
					if neg {
						t, f = f, t
					}
					switch {
					case strings.Contains(s.known, t):
						follow[1] = false
					case strings.Contains(s.known, f):
						follow[0] = false
					default:
						knows[0], knows[1] = s.known+t, s.known+f
					}
				}
			}
		}
		for k, succ := range s.b.Succs {
			next := walkStep{b: succ, errLive: s.errLive, closed: s.closed, known: s.known}
			if k < 2 {
				if !follow[k] {
					continue
				}
				next.closed, next.known = closes[k], knows[k]
			}
			kk := key{succ, next.errLive, next.closed, next.known}
			if !seen[kk] {
				seen[kk] = true
				work = append(work, next)
			}
		}
	}
	return rel, leaks
}

// stable returns the text of a condition whose answer the walk may
// carry along a path (rule "the same condition twice"): one that
// mentions no variable the function assigns after declaring it, so
// that only the state behind its calls can change it (!canceled(),
// ctx.Err() == nil), and says whether it was negated. A path that
// left the inner `for !canceled()` loop because the context was done
// does not run the outer one's body again.
func (h *held) stable(cond ast.Expr) (string, bool, bool) {
	cond = ast.Unparen(cond)
	neg := false
	for {
		u, ok := cond.(*ast.UnaryExpr)
		if !ok || u.Op != token.NOT {
			break
		}
		cond, neg = ast.Unparen(u.X), !neg
	}
	hasCall, ok := false, true
	ast.Inspect(cond, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			hasCall = true
		case *ast.Ident:
			if v, isVar := h.pass.TypesInfo.Uses[n].(*types.Var); isVar && (v == h.v || v == h.err || h.assignedLater(v)) {
				ok = false
			}
		}
		return ok
	})
	if !ok || !hasCall {
		return "", false, false
	}
	return astq.Render(cond), neg, true
}

// assignedLater reports whether the function assigns v anywhere but in
// its declaration.
func (h *held) assignedLater(v *types.Var) bool {
	if h.assignedVars == nil {
		h.assignedVars = make(map[*types.Var]bool)
		body, _ := bodyAndGraph(h.flow, h.fn)
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE {
					for _, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							if w, ok := h.pass.TypesInfo.Uses[id].(*types.Var); ok {
								h.assignedVars[w] = true // redeclared with :=
							}
						}
					}
					return true
				}
				for _, l := range n.Lhs {
					if id, ok := ast.Unparen(l).(*ast.Ident); ok {
						if w, ok := h.pass.TypesInfo.Uses[id].(*types.Var); ok {
							h.assignedVars[w] = true
						}
					}
				}
			case *ast.IncDecStmt:
				if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
					if w, ok := h.pass.TypesInfo.Uses[id].(*types.Var); ok {
						h.assignedVars[w] = true
					}
				}
			case *ast.RangeStmt:
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						if w, ok := h.pass.TypesInfo.ObjectOf(id).(*types.Var); ok {
							h.assignedVars[w] = true
						}
					}
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
						if w, ok := h.pass.TypesInfo.Uses[id].(*types.Var); ok {
							h.assignedVars[w] = true // may be written through the pointer
						}
					}
				}
			}
			return true
		})
	}
	return h.assignedVars[v]
}

// assigns reports whether node n assigns the variable v.
func assigns(pass *analysis.Pass, n ast.Node, v *types.Var) bool {
	as, ok := n.(*ast.AssignStmt)
	if !ok {
		return false
	}
	for _, l := range as.Lhs {
		if id, ok := l.(*ast.Ident); ok && pass.TypesInfo.ObjectOf(id) == v {
			return true
		}
	}
	return false
}

// branches says which way out of a condition a path holding the
// resource can take: then, else (rule "the acquire failed"). A branch on which the acquire failed
// (err != nil, v == nil) holds nothing; one on which that is unknown
// (err tested some other way) is not followed, so that no finding
// rests on a guess.
func (h *held) branches(cond ast.Expr, errLive bool) (then, els bool) {
	cond = ast.Unparen(cond)
	if u, ok := cond.(*ast.UnaryExpr); ok && u.Op == token.NOT {
		e, t := h.branches(u.X, errLive)
		return t, e
	}
	if be, ok := cond.(*ast.BinaryExpr); ok && (be.Op == token.LAND || be.Op == token.LOR) {
		lt, le := h.branches(be.X, errLive)
		rt, re := h.branches(be.Y, errLive)
		if be.Op == token.LAND {
			// then: both hold; else: either may not.
			return lt && rt, le && re && lt && rt
		}
		// then: either may hold; else: both fail.
		return lt && rt && le && re, le && re
	}
	switch h.atom(cond, errLive) {
	case failed:
		return false, true
	case succeeded:
		return true, false
	case exhausted:
		return true, false
	case unknown:
		return false, false
	}
	return true, true
}

type atomKind uint8

const (
	unrelated atomKind = iota
	failed             // true means the acquire failed: err != nil, v == nil
	succeeded          // true means it succeeded: err == nil, v != nil
	exhausted          // v.Next(): false means the rows are closed
	unknown            // tests err or v some other way
)

func (h *held) atom(e ast.Expr, errLive bool) atomKind {
	info := h.pass.TypesInfo
	is := func(x ast.Expr, v *types.Var) bool {
		id, ok := ast.Unparen(x).(*ast.Ident)
		return ok && v != nil && info.Uses[id] == v
	}
	x, op, isCmp := astq.NilComparison(h.pass, e)
	if isCmp && (is(x, h.v) || errLive && is(x, h.err)) {
		isErr := is(x, h.err)
		if (op == token.NEQ) == isErr {
			return failed
		}
		return succeeded
	}
	if isCmp && h.res.body {
		// A client's response always has a body (http.NoBody at
		// least): rule "closed with their transaction" (its last part).
		if sel, ok := x.(*ast.SelectorExpr); ok && sel.Sel.Name == "Body" && is(sel.X, h.v) {
			if op == token.NEQ {
				return succeeded
			}
			return failed
		}
	}
	if call, ok := e.(*ast.CallExpr); ok && h.res.nextCloses {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Next" && is(sel.X, h.v) {
			return exhausted
		}
	}
	if errLive && h.err != nil && mentionsVar(info, e, h.err) {
		return unknown
	}
	return unrelated
}

func mentionsVar(info *types.Info, n ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok && info.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}

// effect says what node n does to the resource on a path that holds
// it.
func (h *held) effect(n ast.Node) effectKind {
	switch n := n.(type) {
	case *ast.DeferStmt:
		if h.isRelease(n.Call) {
			return released
		}
		if lit, ok := n.Call.Fun.(*ast.FuncLit); ok && h.releasesIn(lit.Body) {
			return released
		}
	case *ast.AssignStmt:
		if n != h.assign && assigns(h.pass, n, h.v) {
			return handed // overwritten: rule "handed on"
		}
	}
	out := kept
	var stack []ast.Node
	ast.Inspect(n, func(m ast.Node) bool {
		if m == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if out == handed {
			return false
		}
		stack = append(stack, m)
		if call, ok := m.(*ast.CallExpr); ok && (h.isRelease(call) || h.drainsBody(call)) {
			out = released
		}
		if id, ok := m.(*ast.Ident); ok && h.pass.TypesInfo.Uses[id] == h.v && !h.harmlessUse(stack) {
			out = handed
		}
		return true
	})
	return out
}
