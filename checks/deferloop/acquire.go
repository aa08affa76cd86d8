package deferloop

import (
	"go/ast"
	"go/types"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

// acquiredInLoop reports whether the deferred call releases something
// that each iteration of loop acquires anew:
//
//   - its receiver, function value or an argument (for a deferred
//     function literal: a variable it uses) is declared or assigned in
//     the loop body, or received from a channel the loop ranges over
//     (f, err := os.Open(name); defer f.Close());
//   - or the loop body calls the matching acquire method on the same
//     receiver (s.openScope(); defer s.closeScope());
//   - or the deferred function is the result of a call made by the defer
//     statement (defer l.lock(k)()).
//
// A deferred call on each element of an existing collection
// (for _, c := range old { defer c.Close() }) releases nothing the loop
// acquired: closing them all when the function returns is deliberate.
func acquiredInLoop(pass *analysis.Pass, call *ast.CallExpr, loop ast.Stmt) bool {
	body := astq.LoopBody(loop)
	perIter := func(v *types.Var) bool {
		if v.IsField() {
			return false
		}
		if body.Pos() <= v.Pos() && v.Pos() < body.End() {
			return true
		}
		return assigns(pass, body, v) || fromChannel(pass, loop, v)
	}
	var subjects []ast.Node
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
		// Rule "releases an existing element": the literal's own
		// parameters and locals are not acquired
		// per iteration: what it is given comes through call.Args,
		// looked at below (defer func(c *Conn) { c.Close() }(old)).
		own := perIter
		perIter = func(v *types.Var) bool {
			return !(fun.Pos() <= v.Pos() && v.Pos() < fun.End()) && own(v)
		}
		subjects = append(subjects, fun.Body)
	case *ast.SelectorExpr:
		if _, isMethod := pass.TypesInfo.Selections[fun]; isMethod {
			subjects = append(subjects, fun.X)
		}
	case *ast.CallExpr:
		// defer l.lock(k)(): the inner call acquires now, in this
		// iteration, what the function it returns releases.
		return true
	default:
		subjects = append(subjects, fun)
	}
	for _, a := range call.Args {
		subjects = append(subjects, a)
	}
	for _, s := range subjects {
		found := false
		ast.Inspect(s, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && !found {
				if v, ok := pass.TypesInfo.Uses[id].(*types.Var); ok && perIter(v) {
					found = true
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return pairedInLoop(pass, call, body)
}

// fromChannel reports whether v is the variable of a range over a
// channel at or inside loop: each value received is a new one.
func fromChannel(pass *analysis.Pass, loop ast.Stmt, v *types.Var) bool {
	if !(loop.Pos() <= v.Pos() && v.Pos() < loop.End()) {
		return false
	}
	found := false
	ast.Inspect(loop, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok && isVar(pass, r.Key, v) {
			_, found = pass.TypesInfo.TypeOf(r.X).Underlying().(*types.Chan)
		}
		return !found
	})
	return found
}

// releaseOf maps the prefix of a release method to the prefixes of the
// methods that acquire what it releases.
var releaseOf = []struct {
	release string
	acquire []string
}{
	{"close", []string{"open"}},
	{"unlock", []string{"lock"}},
	{"runlock", []string{"rlock"}},
	{"end", []string{"begin", "start"}},
	{"finish", []string{"start", "begin"}},
	{"stop", []string{"start"}},
	{"release", []string{"acquire", "retain"}},
	{"done", []string{"add"}},
	{"pop", []string{"push"}},
	{"exit", []string{"enter"}},
	{"leave", []string{"enter"}},
	{"dec", []string{"inc"}},
	{"unref", []string{"ref"}},
	{"unpin", []string{"pin"}},
}

// pairedInLoop reports whether the deferred call is x.closeY() and body
// calls x.openY() (outside function literals) on the same x.
func pairedInLoop(pass *analysis.Pass, call *ast.CallExpr, body *ast.BlockStmt) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if _, isMethod := pass.TypesInfo.Selections[sel]; !isMethod {
		return false
	}
	// closeScope pairs with openScope, RUnlock with RLock, End with Begin.
	name := sel.Sel.Name
	type pair struct{ acquire, rest string }
	var want []pair
	for _, p := range releaseOf {
		if len(name) < len(p.release) || !strings.EqualFold(name[:len(p.release)], p.release) {
			continue
		}
		rest := name[len(p.release):]
		if rest == "" || unicode.IsUpper(rune(rest[0])) {
			for _, a := range p.acquire {
				want = append(want, pair{a, rest})
			}
		}
	}
	if len(want) == 0 {
		return false
	}
	return callsIn(body, func(call *ast.CallExpr) bool {
		s, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok || s == sel || !astq.SameExpr(pass, s.X, sel.X) {
			return false
		}
		m := s.Sel.Name
		for _, w := range want {
			if len(m) == len(w.acquire)+len(w.rest) && strings.EqualFold(m[:len(w.acquire)], w.acquire) && m[len(w.acquire):] == w.rest {
				return true
			}
		}
		return false
	})
}
