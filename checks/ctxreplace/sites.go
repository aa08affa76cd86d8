// The sites: the handler or function whose request or caller context is
// at hand where a root is made, and the function literals that run as
// part of it.

package ctxreplace

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// A site is the function whose caller's context a fresh chain replaces.
type site struct {
	fn      inspector.Cursor
	name    string     // for messages: "handler search", "Fetch"
	handler bool       // the context is the request's
	lost    string     // "r.Context()", "ctx"
	ident   string     // the identifier a fix refers to ("r", "ctx"), "" when none
	param   *types.Var // its parameter
	silent  bool       // main, init, teardown functions
	watches int        // 1: waits on its context's Done channel, -1: does not, 0: not known yet
}

// siteOf returns the site of the code at cur: the innermost function
// with a context.Context or *http.Request parameter (HTTP handlers
// included), walking out of function literals that run while their
// enclosing function does (called on the spot, passed to a call, kept in
// a local variable). It returns nil inside go and defer statements,
// function literals that may run later (stored, returned, scheduled
// with time.AfterFunc or context.AfterFunc), and functions without a
// context.
func (c *checker) siteOf(cur inspector.Cursor) *site {
	for p := cur.Parent(); p.Valid() && p.Node() != nil; p = p.Parent() {
		switch n := p.Node().(type) {
		case *ast.GoStmt, *ast.DeferStmt:
			return nil
		case *ast.FuncDecl:
			return c.siteAt(p)
		case *ast.FuncLit:
			if s := c.siteAt(p); s != nil {
				return s
			}
			if !c.runsInPlace(p, n) {
				return nil
			}
		}
	}
	return nil
}

// runsInPlace reports whether the function literal at cur runs while
// the function containing it does.
func (c *checker) runsInPlace(cur inspector.Cursor, lit *ast.FuncLit) bool {
	switch k, _ := cur.ParentEdge(); k {
	case edge.CallExpr_Fun:
		return true // go and defer are found by the caller's walk
	case edge.CallExpr_Args:
		call := cur.Parent().Node().(*ast.CallExpr)
		fn := astq.Callee(c.pass, call)
		if fn == nil {
			return true
		}
		if astq.IsFunc(fn, "time", "AfterFunc") || astq.IsFunc(fn, "context", "AfterFunc") ||
			astq.IsFunc(fn, "runtime", "SetFinalizer", "AddCleanup") || teardownName(fn.Name()) {
			return false
		}
		// singleflight-style groups share one call among many
		// callers: it must not die with the first caller's context.
		if n := astq.NamedOf(recvType(fn)); n != nil && n.Obj().Name() == "Group" && (fn.Name() == "Do" || fn.Name() == "DoChan") {
			return false
		}
		return true
	case edge.AssignStmt_Rhs:
		as := cur.Parent().Node().(*ast.AssignStmt)
		if len(as.Lhs) != len(as.Rhs) {
			return false
		}
		id, ok := as.Lhs[cur.ParentEdgeIndex()].(*ast.Ident)
		return ok && !teardownName(id.Name) && c.isLocalVar(id)
	case edge.ValueSpec_Values:
		vs := cur.Parent().Node().(*ast.ValueSpec)
		i := cur.ParentEdgeIndex()
		return len(vs.Names) == len(vs.Values) && !teardownName(vs.Names[i].Name) && c.isLocalVar(vs.Names[i])
	}
	return false
}

func (c *checker) isLocalVar(id *ast.Ident) bool {
	v, ok := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
	return ok && !v.IsField() && v.Parent() != nil && v.Parent() != c.pass.Pkg.Scope()
}

func recvType(fn *types.Func) types.Type {
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		return sig.Recv().Type()
	}
	return nil
}

// siteAt returns the site for the function at cur, or nil when the
// function has neither a context nor a request.
func (c *checker) siteAt(cur inspector.Cursor) *site {
	if s, ok := c.sites[cur]; ok {
		return s
	}
	s := c.newSite(cur)
	c.sites[cur] = s
	return s
}

func (c *checker) newSite(cur inspector.Cursor) *site {
	sig := astq.Signature(c.pass, cur)
	if sig == nil {
		return nil
	}
	var ctx, req *types.Var
	for v := range sig.Params().Variables() {
		if ctx == nil && isContext(v.Type()) {
			ctx = v
		}
	}
	handler := astq.IsHTTPHandler(sig)
	if handler {
		req = sig.Params().At(1)
	}
	if ctx == nil && !handler {
		return nil
	}
	s := &site{fn: cur, handler: handler}
	switch fn := cur.Node().(type) {
	case *ast.FuncDecl:
		s.name = fn.Name.Name
		if s.handler {
			s.name = "handler " + s.name
		}
		s.silent = teardownName(fn.Name.Name)
	case *ast.FuncLit:
		s.name = "the function literal"
		if s.handler {
			s.name = "the handler"
		}
	}
	switch {
	case ctx != nil && usable(ctx):
		s.lost, s.ident, s.param = ctx.Name(), ctx.Name(), ctx
	case req != nil && usable(req):
		s.lost, s.ident, s.param = req.Name()+".Context()", req.Name(), req
	case ctx != nil:
		s.lost = "the context parameter"
	default:
		s.lost = "the request's context"
	}
	// main and init create the root contexts; closures there are part of
	// them, except handlers, which run per request.
	if !s.handler {
		for p := range cur.Enclosing((*ast.FuncDecl)(nil)) {
			fd := p.Node().(*ast.FuncDecl)
			if fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main" && c.pass.Pkg.Name() == "main") {
				s.silent = true
			}
		}
	}
	return s
}

func usable(v *types.Var) bool { return v.Name() != "" && v.Name() != "_" }
