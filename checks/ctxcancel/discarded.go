package ctxcancel

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// discarded reports `_ = cancel` where cancel is a local that a
// context constructor assigned and that nothing else uses: vet's
// lostcancel counts the blank assignment as a use, so the context is
// never canceled and nothing says so.
func (c *checker) discarded(ins *inspector.Inspector) {
	for cur := range ins.Root().Preorder((*ast.AssignStmt)(nil)) {
		as := cur.Node().(*ast.AssignStmt)
		if as.Tok != token.ASSIGN || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			continue
		}
		if blank, ok := as.Lhs[0].(*ast.Ident); !ok || blank.Name != "_" {
			continue
		}
		id, ok := ast.Unparen(as.Rhs[0]).(*ast.Ident)
		if !ok {
			continue
		}
		v, ok := c.pass.TypesInfo.Uses[id].(*types.Var)
		if !ok || !isLocal(c.pass, v) || c.params[v] {
			continue
		}
		if astq.IsTestCode(c.pass, as.Pos()) {
			continue // rule "test code"
		}
		ctor, ok := c.onlyDiscarded(v)
		if !ok {
			continue
		}
		d := analysis.Diagnostic{Pos: as.Pos(), End: as.End(), Category: "discarded"}
		name := ctorName(ctor)
		line := c.pass.Fset.Position(v.Pos()).Line
		if strings.Contains(ctor, " on context.") {
			// Rule "root contexts are opt-in".
			if !root {
				continue
			}
			d.Message = fmt.Sprintf("the cancel func of context.%s at line %d is thrown away: whatever waits on the context's Done channel waits until the deadline, or forever without one (defer %s() right after line %d, or call it where the work ends)",
				name, line, v.Name(), line)
		} else {
			until := "until the parent ends"
			if constructors[name] {
				until = "until its deadline passes or the parent ends"
			}
			d.Message = fmt.Sprintf("the cancel func of context.%s at line %d is thrown away (vet's lostcancel counts `_ = %s` as a use): the context stays in its parent's children, with its values, %s, and whatever waits on its Done channel waits as long (defer %s() right after line %d, or call it where the work ends)",
				name, line, v.Name(), until, v.Name(), line)
		}
		c.pass.Report(d)
	}
}

// onlyDiscarded reports whether every assignment of v comes straight
// from one context constructor and every other reference to v is a
// blank assignment, and returns the constructor.
func (c *checker) onlyDiscarded(v *types.Var) (string, bool) {
	srcs := c.sources[v]
	if len(srcs) != 1 || srcs[0].ctor == "" {
		return "", false
	}
	for _, r := range c.refs[v] {
		id := r.Node().(*ast.Ident)
		as, ok := r.Parent().Node().(*ast.AssignStmt)
		if !ok {
			return "", false
		}
		if len(as.Lhs) == 1 && len(as.Rhs) == 1 && ast.Unparen(as.Rhs[0]) == id {
			if blank, ok := as.Lhs[0].(*ast.Ident); ok && blank.Name == "_" {
				continue
			}
		}
		if len(as.Lhs) == 2 && len(as.Rhs) == 1 && as.Lhs[1] == id {
			if _, ok := c.constructor(as.Rhs[0]); ok {
				continue
			}
		}
		return "", false
	}
	return srcs[0].ctor, true
}
