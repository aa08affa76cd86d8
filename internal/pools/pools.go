// Package pools recognizes sync.Pool traffic for the poolreset and
// poolput analyzers: the calls that take an object out of a pool (Get,
// or a same-package helper that returns what Get returned), the calls
// that give one back (Put, or a same-package helper that puts its
// argument), and which pool each call is about.
//
// A pool is identified by the variable or struct field that holds it:
// every `s.bufs.Get()` on any *Server is the same pool, field bufs. A
// helper method on a type that holds the pool (a typed wrapper
// `type Pool[T any] struct{ p sync.Pool }` with Get and Put methods) is
// resolved at each call site to the receiver it is called on, so that
// two wrapper instances are two pools.
package pools

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// Getter is a same-package function whose result is an object it took
// from a pool: `func getBuf() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }`.
type Getter struct {
	Fn   *types.Func
	Decl *ast.FuncDecl
	// Inner is the Get call in the helper's body.
	Inner *ast.CallExpr
	// Pool is the pool used inside the helper; ViaRecv reports that
	// it is reached through the helper's receiver, a type that wraps
	// the pool (resolved at each call site).
	Pool    types.Object
	ViaRecv bool
	// Prepares reports whether the helper does something to the object
	// before returning it (Reset, init, field assignments): callers get
	// an object the helper already took care of.
	Prepares bool
}

// Putter is a same-package function that puts one of its parameters
// (or its receiver) back into a pool: `func putBuf(b *bytes.Buffer) { bufPool.Put(b) }`.
type Putter struct {
	Fn   *types.Func
	Decl *ast.FuncDecl
	// Inner is the Put call in the helper's body.
	Inner *ast.CallExpr
	// Param is the parameter (or receiver) put back; Index is its index
	// among the parameters, -1 for the receiver.
	Param *types.Var
	Index int
	// Pool and ViaRecv: as for Getter.
	Pool    types.Object
	ViaRecv bool
}

// Pools holds the helpers of one package.
type Pools struct {
	pass    *analysis.Pass
	getters map[*types.Func]*Getter
	putters map[*types.Func]*Putter
	inner   map[*ast.CallExpr]bool
	any     bool
}

// Get is one call that takes an object out of a pool.
type Get struct {
	Call *ast.CallExpr
	Pool types.Object // nil when unknown
	Name string       // the pool as written, for messages
	// Via is the helper called, or nil for a direct sync.Pool Get.
	Via *Getter
}

// Put is one call that gives an object back to a pool.
type Put struct {
	Call *ast.CallExpr
	Pool types.Object
	Name string
	Arg  ast.Expr // the object put back
	Via  *Putter  // nil for a direct sync.Pool Put
}

// Of finds the pool helpers among the package's function declarations.
func Of(pass *analysis.Pass, ins *inspector.Inspector) *Pools {
	p := &Pools{
		pass:    pass,
		getters: make(map[*types.Func]*Getter),
		putters: make(map[*types.Func]*Putter),
		inner:   make(map[*ast.CallExpr]bool),
	}
	for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		if _, ok := poolCall(pass, cur.Node().(*ast.CallExpr)); ok {
			p.any = true
			break
		}
	}
	if !p.any {
		return p
	}
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil)) {
		d := cur.Node().(*ast.FuncDecl)
		fn, ok := pass.TypesInfo.Defs[d.Name].(*types.Func)
		if !ok || d.Body == nil {
			continue
		}
		if g := p.getter(fn, d); g != nil {
			p.getters[fn] = g
			p.inner[g.Inner] = true
		}
		if pt := p.putter(fn, d); pt != nil {
			p.putters[fn] = pt
			p.inner[pt.Inner] = true
		}
	}
	return p
}

// Any reports whether the package calls sync.Pool's Get or Put at all.
func (p *Pools) Any() bool { return p.any }

// InHelper reports whether call is the sync.Pool call inside a Getter
// or Putter: checks look at the helper's call sites instead.
func (p *Pools) InHelper(call *ast.CallExpr) bool { return p.inner[call] }

// poolCall returns the method (Get or Put) of a call of a sync.Pool
// method.
func poolCall(pass *analysis.Pass, call *ast.CallExpr) (string, bool) {
	fn := astq.Callee(pass, call)
	if astq.IsMethod(fn, "sync", "Pool", "Get", "Put") {
		return fn.Name(), true
	}
	return "", false
}

// IsPoolGet reports whether call is a direct (*sync.Pool).Get call.
func IsPoolGet(pass *analysis.Pass, call *ast.CallExpr) bool {
	m, ok := poolCall(pass, call)
	return ok && m == "Get"
}

// IsPoolPut reports whether call is a direct (*sync.Pool).Put call.
func IsPoolPut(pass *analysis.Pass, call *ast.CallExpr) bool {
	m, ok := poolCall(pass, call)
	return ok && m == "Put" && len(call.Args) == 1
}

// Identity returns the object that names the pool denoted by e: the
// variable (bufPool), the struct field (s.bufs: field bufs), the array
// or map of pools (pools[i]: pools). It returns nil when there is none.
func Identity(pass *analysis.Pass, e ast.Expr) types.Object {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return pass.TypesInfo.ObjectOf(x)
		case *ast.SelectorExpr:
			return pass.TypesInfo.ObjectOf(x.Sel)
		case *ast.StarExpr:
			e = x.X
		case *ast.UnaryExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// origin returns the generic declaration of a possibly instantiated
// method or function.
func origin(fn *types.Func) *types.Func {
	if fn == nil {
		return nil
	}
	return fn.Origin()
}

// GetOf recognizes e as an object taken out of a pool: a Get call or a
// Getter call, possibly parenthesized or type-asserted
// (`pool.Get().(*bytes.Buffer)`).
func (p *Pools) GetOf(e ast.Expr) (Get, bool) {
	e = ast.Unparen(e)
	if ta, ok := e.(*ast.TypeAssertExpr); ok && ta.Type != nil {
		e = ast.Unparen(ta.X)
	}
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return Get{}, false
	}
	if IsPoolGet(p.pass, call) {
		recv, _ := astq.ReceiverExpr(call)
		return Get{Call: call, Pool: Identity(p.pass, recv), Name: astq.Render(recv)}, true
	}
	g := p.getters[origin(astq.Callee(p.pass, call))]
	if g == nil {
		return Get{}, false
	}
	get := Get{Call: call, Via: g}
	get.Pool, get.Name = p.resolve(call, g.Inner, g.ViaRecv)
	return get, true
}

// PutOf recognizes call as giving an object back to a pool: a Put call
// or a Putter call.
func (p *Pools) PutOf(call *ast.CallExpr) (Put, bool) {
	if IsPoolPut(p.pass, call) {
		recv, _ := astq.ReceiverExpr(call)
		return Put{Call: call, Pool: Identity(p.pass, recv), Name: astq.Render(recv), Arg: call.Args[0]}, true
	}
	pt := p.putters[origin(astq.Callee(p.pass, call))]
	if pt == nil {
		return Put{}, false
	}
	put := Put{Call: call, Via: pt}
	recv, hasRecv := astq.ReceiverExpr(call)
	if pt.Index < 0 {
		if !hasRecv || promoted(p.pass, call) {
			return Put{}, false
		}
		put.Arg = recv
	} else {
		if pt.Index >= len(call.Args) {
			return Put{}, false
		}
		put.Arg = call.Args[pt.Index]
	}
	put.Pool, put.Name = p.resolve(call, pt.Inner, pt.ViaRecv)
	return put, true
}

// promoted reports whether call's method is promoted from an embedded
// field (r.release() where release belongs to r's embedded *Buffer):
// the object it puts back is that field's value, not the receiver the
// call names. Rule "a promoted Put": the outer value is not followed,
// since what it holds after the call (usually the field, cleared next:
// r.Buffer = nil) is not the pooled object.
func promoted(pass *analysis.Pass, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	s := pass.TypesInfo.Selections[sel]
	return s != nil && len(s.Index()) > 1
}

// Getter returns the Getter helper fn, or nil.
func (p *Pools) Getter(fn *types.Func) *Getter { return p.getters[origin(fn)] }

// Putter returns the Putter helper fn, or nil.
func (p *Pools) Putter(fn *types.Func) *Putter { return p.putters[origin(fn)] }

// getter recognizes a function with one result that returns the object
// of a Get in its body, directly or through a local variable.
func (p *Pools) getter(fn *types.Func, d *ast.FuncDecl) *Getter {
	sig := fn.Signature()
	if sig.Results().Len() != 1 {
		return nil
	}
	var g *Getter
	held := make(map[types.Object]bool) // local variables holding the object
	ast.Inspect(d.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if len(n.Lhs) >= 1 && len(n.Rhs) == 1 {
				if call := p.directGet(n.Rhs[0]); call != nil {
					if id, ok := n.Lhs[0].(*ast.Ident); ok && id.Name != "_" {
						held[p.pass.TypesInfo.ObjectOf(id)] = true
						if g == nil {
							g = &Getter{Inner: call}
						}
					}
				} else if id, ok := n.Lhs[0].(*ast.Ident); ok && len(n.Lhs) <= 2 {
					// b := v.(*T) where v holds the object
					if ta, ok := ast.Unparen(n.Rhs[0]).(*ast.TypeAssertExpr); ok {
						if x, ok := ast.Unparen(ta.X).(*ast.Ident); ok && held[p.pass.TypesInfo.ObjectOf(x)] {
							held[p.pass.TypesInfo.ObjectOf(id)] = true
						}
					}
				}
			}
		}
		return true
	})
	returned := false
	ast.Inspect(d.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) != 1 {
				return true
			}
			r := ast.Unparen(n.Results[0])
			if ta, ok := r.(*ast.TypeAssertExpr); ok {
				r = ast.Unparen(ta.X)
			}
			if call := p.directGet(n.Results[0]); call != nil && g == nil {
				g = &Getter{Inner: call}
				returned = true
			} else if id, ok := r.(*ast.Ident); ok && held[p.pass.TypesInfo.ObjectOf(id)] {
				returned = true
			}
		}
		return true
	})
	if g == nil || !returned {
		return nil
	}
	g.Fn, g.Decl = fn, d
	recv, _ := astq.ReceiverExpr(g.Inner)
	g.Pool, g.ViaRecv = Identity(p.pass, recv), p.viaRecv(d, recv)
	// Prepares: the held object is referenced other than by its
	// assignment, a nil check, a type assertion or a return.
	ast.Inspect(d.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			return false
		case *ast.AssignStmt:
			// skip the defining identifiers, look at the rest
			for _, r := range n.Rhs {
				if ta, ok := ast.Unparen(r).(*ast.TypeAssertExpr); ok {
					if _, ok := ast.Unparen(ta.X).(*ast.Ident); ok {
						continue
					}
				}
				ast.Inspect(r, func(m ast.Node) bool {
					if id, ok := m.(*ast.Ident); ok && held[p.pass.TypesInfo.Uses[id]] {
						g.Prepares = true
					}
					return true
				})
			}
			for _, l := range n.Lhs {
				if _, ok := l.(*ast.Ident); !ok {
					ast.Inspect(l, func(m ast.Node) bool {
						if id, ok := m.(*ast.Ident); ok && held[p.pass.TypesInfo.Uses[id]] {
							g.Prepares = true
						}
						return true
					})
				}
			}
			return false
		case *ast.BinaryExpr:
			if astq.IsNil(p.pass, n.X) || astq.IsNil(p.pass, n.Y) {
				return false
			}
		case *ast.Ident:
			if held[p.pass.TypesInfo.Uses[n]] {
				g.Prepares = true
			}
		}
		return true
	})
	return g
}

// putter recognizes a function that puts one of its parameters (or
// its receiver) into a pool.
func (p *Pools) putter(fn *types.Func, d *ast.FuncDecl) *Putter {
	sig := fn.Signature()
	var pt *Putter
	ast.Inspect(d.Body, func(n ast.Node) bool {
		if pt != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if !IsPoolPut(p.pass, n) {
				return true
			}
			id, ok := ast.Unparen(n.Args[0]).(*ast.Ident)
			if !ok {
				return true
			}
			v, ok := p.pass.TypesInfo.Uses[id].(*types.Var)
			if !ok {
				return true
			}
			if sig.Recv() == v {
				pt = &Putter{Inner: n, Param: v, Index: -1}
				return false
			}
			for i := range sig.Params().Len() {
				if sig.Params().At(i) == v {
					pt = &Putter{Inner: n, Param: v, Index: i}
					return false
				}
			}
		}
		return true
	})
	if pt == nil {
		return nil
	}
	pt.Fn, pt.Decl = fn, d
	recv, _ := astq.ReceiverExpr(pt.Inner)
	pt.Pool, pt.ViaRecv = Identity(p.pass, recv), p.viaRecv(d, recv)
	return pt
}

// viaRecv reports whether the pool expression used inside a helper is
// a field of the helper's receiver, and the receiver's type wraps a
// pool: the pool then depends on the receiver at each call site.
func (p *Pools) viaRecv(d *ast.FuncDecl, poolExpr ast.Expr) bool {
	if d.Recv == nil || len(d.Recv.List) != 1 || len(d.Recv.List[0].Names) != 1 {
		return false
	}
	recvObj := p.pass.TypesInfo.Defs[d.Recv.List[0].Names[0]]
	return recvObj != nil && astq.RootObject(p.pass, poolExpr) == recvObj && p.holdsOnlyPool(recvObj.Type())
}

// resolve returns the pool a helper call is about, and its name: the
// helper's own pool, or for a wrapper type the receiver at the call
// site when it is a package variable or a field (two wrapper instances
// are two pools).
func (p *Pools) resolve(call, inner *ast.CallExpr, viaRecv bool) (types.Object, string) {
	innerRecv, _ := astq.ReceiverExpr(inner)
	id, name := Identity(p.pass, innerRecv), astq.Render(innerRecv)
	if !viaRecv {
		return id, name
	}
	recv, ok := astq.ReceiverExpr(call)
	if !ok {
		return id, name
	}
	if v, ok := Identity(p.pass, recv).(*types.Var); ok && (v.IsField() || v.Pkg() != nil && v.Parent() == v.Pkg().Scope()) {
		return v, astq.Render(recv)
	}
	return id, astq.Render(recv)
}

// holdsOnlyPool reports whether t (or *t) is a struct that has a
// sync.Pool field: a wrapper around a pool.
func (p *Pools) holdsOnlyPool(t types.Type) bool {
	n := astq.NamedOf(t)
	if n == nil {
		return false
	}
	s, ok := n.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for f := range s.Fields() {
		if astq.IsNamedType(f.Type(), "sync", "Pool") {
			return true
		}
	}
	return false
}

func (p *Pools) directGet(e ast.Expr) *ast.CallExpr {
	e = ast.Unparen(e)
	if ta, ok := e.(*ast.TypeAssertExpr); ok && ta.Type != nil {
		e = ast.Unparen(ta.X)
	}
	if call, ok := e.(*ast.CallExpr); ok && IsPoolGet(p.pass, call) {
		return call
	}
	return nil
}
