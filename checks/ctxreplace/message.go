// The report: the message, and the fix that roots the chain at the
// context at hand (and drops the import it leaves unused).

package ctxreplace

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

type finding struct {
	root, sink *ast.CallExpr
	site       *site
	fix        string // the replacement of root, "" when none is safe
}

// emit reports the findings. A fix replaces the root call by the
// context at hand; when that removes the file's last use of package
// context, the fix also removes the import (only if a single fix in the
// file does so, or the fixes could not be applied one at a time).
func (c *checker) emit(found []finding) {
	fixed := make(map[*ast.File]map[*ast.Ident]bool)
	for i := range found {
		f := &found[i]
		s := f.site
		if s.ident == "" || !c.visible(s.ident, s.param, f.root.Pos()) {
			continue
		}
		f.fix = s.ident
		if !isContext(s.param.Type()) {
			f.fix += ".Context()"
		}
		if file := astq.FileOf(c.pass, f.root.Pos()); file != nil {
			if fixed[file] == nil {
				fixed[file] = make(map[*ast.Ident]bool)
			}
			fixed[file][pkgIdent(f.root)] = true
		}
	}
	for _, f := range found {
		var fixes []analysis.SuggestedFix
		if f.fix != "" {
			edits := []analysis.TextEdit{{Pos: f.root.Pos(), End: f.root.End(), NewText: []byte(f.fix)}}
			file := astq.FileOf(c.pass, f.root.Pos())
			ok := true
			if file != nil && !c.usesContextElsewhere(file, fixed[file]) {
				del, found := c.deleteImport(file)
				ok = found && len(fixed[file]) == 1
				edits = append(edits, del)
			}
			if ok {
				fixes = []analysis.SuggestedFix{{Message: "root the context at " + f.site.lost, TextEdits: edits}}
			}
		}
		d := analysis.Diagnostic{Pos: f.root.Pos(), End: f.root.End(), Message: c.message(f.root, f.sink, f.site), SuggestedFixes: fixes}
		if astq.IsFunc(astq.Callee(c.pass, f.root), "context", "Background") {
			d.Category = "background" // the opt-in form, named in -json output
		}
		c.pass.Report(d)
	}
}

// pkgIdent returns the package identifier of a call context.Background().
func pkgIdent(call *ast.CallExpr) *ast.Ident {
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			return id
		}
	}
	return nil
}

// usesContextElsewhere reports whether file refers to package context
// other than through the identifiers in except.
func (c *checker) usesContextElsewhere(file *ast.File, except map[*ast.Ident]bool) bool {
	found := false
	ast.Inspect(file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !except[id] {
			if pn, ok := c.pass.TypesInfo.Uses[id].(*types.PkgName); ok && pn.Imported().Path() == "context" {
				found = true
			}
		}
		return !found
	})
	return found
}

// deleteImport returns the edit that removes the lines of file's import
// of package context, and false when it does not stand on lines of its
// own.
func (c *checker) deleteImport(file *ast.File) (analysis.TextEdit, bool) {
	tf := c.pass.Fset.File(file.Pos())
	for _, d := range file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			if is.Path.Value != `"context"` {
				continue
			}
			var from, to token.Pos = is.Pos(), is.End()
			if is.Doc != nil {
				from = is.Doc.Pos()
			}
			if is.Comment != nil {
				to = is.Comment.End()
			}
			if len(gd.Specs) == 1 {
				from, to = gd.Pos(), gd.End()
			}
			first, last := tf.Line(from), tf.Line(to)
			for _, other := range gd.Specs {
				if other != spec && tf.Line(other.Pos()) <= last && tf.Line(other.End()) >= first {
					return analysis.TextEdit{}, false
				}
			}
			end := token.Pos(tf.Base() + tf.Size())
			if last < tf.LineCount() {
				end = tf.LineStart(last + 1)
			}
			return analysis.TextEdit{Pos: tf.LineStart(first), End: end}, true
		}
	}
	return analysis.TextEdit{}, false
}

func (c *checker) message(root, sink *ast.CallExpr, s *site) string {
	pass := c.pass
	what := "context.Background()"
	if astq.IsFunc(astq.Callee(pass, root), "context", "TODO") {
		what = "context.TODO()"
	}
	detach := version.Compare(astq.FileVersion(pass, root.Pos()), "go1.21") >= 0 ||
		astq.FileVersion(pass, root.Pos()) == ""
	var effect, advice string
	if s.handler || s.param != nil && !isContext(s.param.Type()) {
		effect = "when the client disconnects or the request's deadline passes, the work goes on (queries and upstream calls keep running) and under load the handlers pile up"
		advice = "root it at " + s.lost
		if detach {
			advice += "; use context.WithoutCancel(" + s.lost + ") if the work must outlive the request"
		}
	} else {
		effect = "when " + s.lost + " is canceled or its deadline passes, the work goes on (queries and upstream calls keep running) and under load the callers pile up"
		advice = "root it at " + s.lost
		if detach {
			advice += "; use context.WithoutCancel(" + s.lost + ") if the work must outlive the call"
		}
	}
	return fmt.Sprintf("%s in %s drops %s and is passed to %s: %s (%s)",
		what, s.name, s.lost, sinkName(sink), effect, advice)
}

// visible reports whether name denotes the parameter v at pos (in
// scope, not shadowed).
func (c *checker) visible(name string, v *types.Var, pos token.Pos) bool {
	scope := c.pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, pos)
	return obj == v
}

func sinkName(call *ast.CallExpr) string {
	s := astq.Render(call.Fun)
	if len(s) > 60 {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return sel.Sel.Name
		}
		return "a call"
	}
	return s
}
