package deferargs

import (
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
)

// A body is code a deferred call runs: a function or method
// declaration, or a function literal another function returns. typed
// bodies belong to the package being analyzed and are read with its
// types; the others come from another package's source file on disk,
// and their identifiers are only names.
type body struct {
	params *ast.FieldList
	block  *ast.BlockStmt
	decl   *ast.FuncDecl // the declaration, when the body is one and typed
	typed  bool
}

// unreadArgs returns the arguments of call whose parameter the code it
// runs never reads. Rule "argument the callee never reads": when every
// body the deferred call can run does some work and leaves a parameter
// unread (blank, unused, only returned, since a deferred call's results
// are discarded, or assigned on every path before it is read), the
// argument's value does not matter, early or late (defer
// buf.Release(err), where Release frees the buffer and returns its
// argument unread). The bodies are those the check can see: a function
// or method of this package, or of another whose source is on disk; the
// function literals returned by such a function, for a func value taken
// once from it (done := progress.OneOff(ctx, id); defer done(err)); and
// the method of the one concrete type such a function of this package
// returns, for an interface value taken once from it. Any other
// interface method or func value may read the argument and stays
// reported; so does a stand-in (an empty body, or one that only
// returns) and a body in a file built only for some platforms or tags,
// whose variant for another build may read it.
func (c *checker) unreadArgs(call *ast.CallExpr) map[ast.Expr]bool {
	sig, bodies := c.bodiesOf(call)
	if len(bodies) == 0 {
		return nil
	}
	params := sig.Params()
	var unread map[ast.Expr]bool
	for i, arg := range call.Args {
		pi := i
		if sig.Variadic() && pi >= params.Len()-1 {
			if call.Ellipsis == token.NoPos {
				continue // one of several values packed into a slice the callee may read
			}
			pi = params.Len() - 1
		}
		if pi >= params.Len() {
			continue
		}
		all := true
		for _, b := range bodies {
			if !c.leavesUnread(b, pi) {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		if unread == nil {
			unread = make(map[ast.Expr]bool)
		}
		unread[arg] = true
	}
	return unread
}

// bodiesOf returns the signature of the function call calls and every
// body it can run, or no body when that is unknown.
func (c *checker) bodiesOf(call *ast.CallExpr) (*types.Signature, []body) {
	ft := c.pass.TypesInfo.TypeOf(call.Fun)
	if ft == nil {
		return nil, nil // not type-checked
	}
	sig, _ := ft.Underlying().(*types.Signature)
	if sig == nil {
		return nil, nil
	}
	callee := astq.Callee(c.pass, call)
	if callee != nil && !isInterfaceMethod(callee) {
		if b, ok := c.declBody(callee); ok {
			return sig, []body{b}
		}
		return nil, nil
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident: // a func value
		producer := c.takenOnceFrom(fun)
		if producer == nil {
			return nil, nil
		}
		return sig, c.returnedLits(astq.Callee(c.pass, producer))
	case *ast.SelectorExpr: // an interface method
		x, ok := ast.Unparen(fun.X).(*ast.Ident)
		if callee == nil || !ok {
			return nil, nil
		}
		producer := c.takenOnceFrom(x)
		if producer == nil {
			return nil, nil
		}
		t := c.concreteResult(astq.Callee(c.pass, producer))
		if t == nil {
			return nil, nil
		}
		obj, _, _ := types.LookupFieldOrMethod(t, true, callee.Pkg(), callee.Name())
		m, ok := obj.(*types.Func)
		if !ok {
			return nil, nil
		}
		if b, ok := c.declBody(m); ok {
			return sig, []body{b}
		}
	}
	return nil, nil
}

func isInterfaceMethod(fn *types.Func) bool {
	recv := fn.Signature().Recv()
	return recv != nil && types.IsInterface(recv.Type())
}

// declBody returns the body of fn's declaration: this package's, or one
// read from the source file of another package when it is on disk.
// Stand-ins and bodies built only for some platforms or tags are not
// returned.
func (c *checker) declBody(fn *types.Func) (body, bool) {
	if fd := c.index.Of(fn); fd != nil {
		f := astq.FileOf(c.pass, fd.Pos())
		if fd.Body == nil || !doesWork(fd.Body) || f == nil || buildSpecific(f, c.pass.Fset.File(fd.Pos()).Name()) {
			return body{}, false
		}
		return body{params: fd.Type.Params, block: fd.Body, decl: fd, typed: true}, true
	}
	fd := c.foreignDecl(fn)
	if fd == nil || !doesWork(fd.Body) {
		return body{}, false
	}
	return body{params: fd.Type.Params, block: fd.Body}, true
}

// foreignDecl reads fn's declaration from its source file, once per
// function for the whole package; files built only for some platforms
// or tags are not read.
func (c *checker) foreignDecl(fn *types.Func) *ast.FuncDecl {
	fn = fn.Origin()
	if fd, ok := c.foreign[fn]; ok {
		return fd
	}
	file := c.pass.Fset.Position(fn.Pos()).Filename
	fd, f := decls.Read(file, fn)
	if f != nil && buildSpecific(f, file) {
		fd = nil
	}
	c.foreign[fn] = fd
	return fd
}

// takenOnceFrom returns the call whose single result id's variable
// holds at the defer and keeps afterwards: a local of this function
// declared or assigned from that call exactly once before the defer,
// and never written after it. It returns nil otherwise.
func (c *checker) takenOnceFrom(id *ast.Ident) *ast.CallExpr {
	v, ok := c.pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || !c.declaredInFn(v) || len(c.writesAfter()[v]) > 0 {
		return nil
	}
	before := c.writesBefore()[v]
	if len(before) != 1 {
		return nil
	}
	call, _ := ast.Unparen(before[0].rhs).(*ast.CallExpr)
	if call == nil {
		return nil
	}
	if t, ok := c.pass.TypesInfo.TypeOf(call).(*types.Tuple); ok && t != nil {
		return nil // one of several results
	}
	return call
}

// returnedLits returns the function literals fn returns, when every
// return statement of its body returns one (and fn has one result).
func (c *checker) returnedLits(fn *types.Func) []body {
	if fn == nil || fn.Signature().Results().Len() != 1 {
		return nil
	}
	var fnBody *ast.BlockStmt
	typed := false
	if fd := c.index.Of(fn); fd != nil {
		f := astq.FileOf(c.pass, fd.Pos())
		if fd.Body == nil || f == nil || buildSpecific(f, c.pass.Fset.File(fd.Pos()).Name()) {
			return nil
		}
		fnBody, typed = fd.Body, true
	} else if fd := c.foreignDecl(fn); fd != nil {
		fnBody = fd.Body
	} else {
		return nil
	}
	rets := returns(fnBody)
	if len(rets) == 0 {
		return nil
	}
	lits := make([]body, 0, len(rets))
	for _, ret := range rets {
		lit, isLit := ast.Unparen(singleResult(ret)).(*ast.FuncLit)
		if !isLit || !doesWork(lit.Body) {
			return nil
		}
		lits = append(lits, body{params: lit.Type.Params, block: lit.Body, typed: typed})
	}
	return lits
}

// concreteResult returns the one concrete type fn, a function of this
// package with one result, returns on every return statement, or nil.
func (c *checker) concreteResult(fn *types.Func) types.Type {
	if fn == nil || fn.Signature().Results().Len() != 1 {
		return nil
	}
	fd := c.index.Of(fn)
	if fd == nil || fd.Body == nil {
		return nil
	}
	var t types.Type
	for _, ret := range returns(fd.Body) {
		rt := c.pass.TypesInfo.TypeOf(singleResult(ret))
		switch {
		case rt == nil || types.IsInterface(rt):
			return nil // nil, or a value whose dynamic type is unknown
		case t == nil:
			t = rt
		case !types.Identical(t, rt):
			return nil
		}
	}
	return t
}

// returns returns the return statements of body, outside the function
// literals in it.
func returns(body *ast.BlockStmt) []*ast.ReturnStmt {
	var rets []*ast.ReturnStmt
	inspectNoLits(body, func(m ast.Node) bool {
		if ret, ok := m.(*ast.ReturnStmt); ok {
			rets = append(rets, ret)
			return false
		}
		return true
	})
	return rets
}

// singleResult returns the expression a return statement of a function
// with one result returns, or nil for a bare return.
func singleResult(ret *ast.ReturnStmt) ast.Expr {
	if len(ret.Results) != 1 {
		return nil
	}
	return ret.Results[0]
}

// leavesUnread reports whether b never reads its parameter pi.
func (c *checker) leavesUnread(b body, pi int) bool {
	name, ok := paramIdent(b.params, pi)
	switch {
	case !ok:
		return false
	case name == nil || name.Name == "_":
		return true // an unnamed or blank parameter cannot be read
	case !b.typed:
		return !namedInBody(name.Name, b.block)
	}
	v, isVar := c.pass.TypesInfo.Defs[name].(*types.Var)
	if !isVar {
		return false
	}
	return c.neverRead(v, b.block) || b.decl != nil && c.overwrittenBeforeRead(v, b.decl)
}

// paramIdent returns the name of parameter i in params (nil when the
// parameters are not named), and whether there is such a parameter.
func paramIdent(params *ast.FieldList, i int) (*ast.Ident, bool) {
	if params == nil {
		return nil, false
	}
	for _, f := range params.List {
		n := max(len(f.Names), 1)
		if i < n {
			if len(f.Names) == 0 {
				return nil, true
			}
			return f.Names[i], true
		}
		i -= n
	}
	return nil, false
}

// namedInBody reports whether block, read without types, mentions name
// anywhere but as a whole result of its own return statements: any
// other mention, a shadowing declaration or a field of the same name
// included, is taken for a read.
func namedInBody(name string, block *ast.BlockStmt) bool {
	returned := make(map[*ast.Ident]bool)
	for _, ret := range returns(block) {
		for _, r := range ret.Results {
			if id, ok := ast.Unparen(r).(*ast.Ident); ok {
				returned[id] = true
			}
		}
	}
	found := false
	ast.Inspect(block, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name && !returned[id] {
			found = true
		}
		return !found
	})
	return found
}

// buildSpecific reports whether f, parsed from file, is compiled only
// for some builds: a //go:build line, or a _GOOS or _GOARCH file name
// suffix.
func buildSpecific(f *ast.File, file string) bool {
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, cm := range g.List {
			if strings.HasPrefix(cm.Text, "//go:build") || strings.HasPrefix(cm.Text, "// +build") {
				return true
			}
		}
	}
	name := strings.TrimSuffix(filepath.Base(file), ".go")
	name = strings.TrimSuffix(name, "_test")
	parts := strings.Split(name, "_")
	for _, p := range parts[1:] {
		if knownOS[p] || knownArch[p] {
			return true
		}
	}
	return false
}
