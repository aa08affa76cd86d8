// The report: the message and the suggested reset.

package poolreset

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

func (c *checker) report(g dirtyGet, puts []token.Pos) {
	pass := c.pass
	putPos := puts[0]
	for _, p := range puts {
		if pass.Fset.File(p) == pass.Fset.File(g.use.Pos()) {
			putPos = p
			break
		}
	}
	pp := pass.Fset.Position(putPos)
	where := fmt.Sprintf("line %d", pp.Line)
	if pp.Filename != pass.Fset.Position(g.use.Pos()).Filename {
		where = fmt.Sprintf("%s:%d", filepath.Base(pp.Filename), pp.Line)
	}
	name := g.t.Name
	from := astq.Render(g.get.Call)
	pool := g.get.Name
	var what, effect, advice string
	switch g.kind {
	case buffer:
		what = "written to or read"
		effect = "bytes an earlier request wrote are still in it and go out with this one: a response can carry another user's data"
		advice = fmt.Sprintf("call %s.Reset() right after Get", name)
	case resets:
		what = "used"
		effect = "it still holds an earlier request's state, which this request sees or sends on"
		call := "()"
		m := resetMethod(pass, g.t.Type)
		if m.Signature().Params().Len() > 0 {
			call = "(...)"
		}
		advice = fmt.Sprintf("call %s.%s%s right after Get", name, m.Name(), call)
	case fields:
		what = "used"
		effect = "fields set by an earlier request are still set: this request can read another request's data (a previous user's identity or token)"
		advice = fmt.Sprintf("clear it right after Get: *%s = %s{}", name, typeName(pass, g.t.Type))
	case slice:
		what = "appended to"
		effect = "append adds after the elements an earlier request left: they go out with this request's data"
		if _, ok := g.t.Type.Underlying().(*types.Pointer); ok {
			advice = fmt.Sprintf("truncate it first: (*%s)[:0]", name)
		} else {
			advice = fmt.Sprintf("truncate it first: %s = %s[:0]", name, name)
		}
	case mapKind:
		what = "used"
		effect = "entries an earlier request left are still in it"
		advice = fmt.Sprintf("clear(%s) right after Get", name)
	}
	msg := fmt.Sprintf("%s from %s is %s before it is reset, and %s also takes objects back unreset (Put at %s): %s (%s)",
		name, from, what, pool, where, effect, advice)
	if sel, ok := g.use.(*ast.SelectorExpr); ok && g.kind == fields {
		msg = fmt.Sprintf("%s is read before this request sets it: %s from %s is not reset, and %s also takes objects back unreset (Put at %s): the value an earlier request left is used, so this request can act on another request's data (%s)",
			astq.Render(sel), name, from, pool, where, advice)
	}
	d := analysis.Diagnostic{Pos: g.use.Pos(), End: g.use.End(), Message: msg}
	if fix, ok := c.resetFix(g); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	pass.Report(d)
}

func typeName(pass *analysis.Pass, t types.Type) string {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	return types.TypeString(t, types.RelativeTo(pass.Pkg))
}

// resetFix inserts `x.Reset()` right after the statement that takes a
// buffer-like object (Write and Reset() methods) from the pool. It
// changes the program only by dropping what an earlier user left.
func (c *checker) resetFix(g dirtyGet) (analysis.SuggestedFix, bool) {
	as, ok := g.stmt.(*ast.AssignStmt)
	if g.kind != buffer || !ok || len(as.Lhs) != 1 || len(g.t.Objs) != 1 {
		return analysis.SuggestedFix{}, false
	}
	if _, isIface := g.t.Type.Underlying().(*types.Interface); isIface {
		return analysis.SuggestedFix{}, false
	}
	m := resetMethod(c.pass, g.t.Type)
	if m == nil || m.Name() != "Reset" || m.Signature().Params().Len() != 0 || m.Signature().Results().Len() != 0 {
		return analysis.SuggestedFix{}, false
	}
	if !inList(g.f.body, as) {
		return analysis.SuggestedFix{}, false // an if, for or switch init
	}
	col := c.pass.Fset.Position(as.Pos()).Column
	indent := strings.Repeat("\t", col-1)
	return analysis.SuggestedFix{
		Message: fmt.Sprintf("Reset %s right after Get", g.t.Name),
		TextEdits: []analysis.TextEdit{{
			Pos:     as.End(),
			End:     as.End(),
			NewText: []byte("\n" + indent + g.t.Name + ".Reset()"),
		}},
	}, true
}

// inList reports whether s is a statement of a block or clause in body.
func inList(body *ast.BlockStmt, s ast.Stmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		}
		if slices.Contains(list, s) {
			found = true
		}
		return !found
	})
	return found
}
