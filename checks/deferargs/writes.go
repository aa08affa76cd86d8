// The writes: which variables the function assigns before and after the
// defer statement, on paths that reach it, and what value a variable
// holds at the defer.

package deferargs

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
)

// stale reports whether v is a variable of fn, of a type whose deferred
// value is reported on, that the function may change after the defer
// statement, while its value at the defer is clearly a placeholder.
func (c *checker) stale(v *types.Var) bool {
	if v.IsField() || !c.declaredInFn(v) {
		return false
	}
	isErr := astq.IsErrorType(v.Type())
	nilable := !isErr && isNilable(v.Type())
	if !isErr && !nilable && !isBasic(v.Type()) {
		// Structs and arrays: the value at the defer is usually the
		// resource or the snapshot the deferred call means to take.
		return false
	}
	// A nil write changes nothing when the value at the defer is nil
	// on every path; it changes a value that may be non-nil there
	// (err := f(); defer publish(err == nil); ... err = nil).
	_, nilAtDefer, known := c.valueAtDefer(v)
	changed := false
	for _, w := range c.writesAfter()[v] {
		if w.earlier || ((isErr || nilable) && nilAtDefer && astq.IsNil(c.pass, w.rhs)) {
			continue
		}
		if c.nilOnly[v] && c.wrapsWhenNonNil(v, w) {
			continue // rule "wrapping keeps nil-ness"
		}
		changed = true
		break
	}
	if !changed {
		return false
	}
	if isErr {
		// An error handed to a deferred call is there to be reported:
		// the one assigned later is the one that matters.
		return true
	}
	// A number, string or bool: report only when its value at the defer
	// is a constant placeholder (status := 0, var n int, ok := false).
	// A computed value (a path, an id) is more likely what a cleanup
	// deliberately captures: defer os.RemoveAll(dir); dir = sub.
	// Rule "nil is a placeholder too": a pointer, slice, map, channel,
	// func or interface that is nil on every path to the defer (var
	// resp *Response, a named result) and set later hands the deferred
	// call nil, never the value it was declared to carry; a non-nil
	// value at the defer is the resource the call means to release.
	return known && (!nilable || nilAtDefer)
}

// isNilable reports whether nil is a value of t (other than an error,
// which has its own rules).
func isNilable(t types.Type) bool {
	if _, ok := types.Unalias(t).(*types.TypeParam); ok {
		return false // its zero value may be 0 or "", not nil
	}
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return true
	}
	return false
}

// declaredInFn reports whether v is a parameter, result or local
// variable of fn itself (not of an enclosing function).
func (c *checker) declaredInFn(v *types.Var) bool {
	n := c.fn.Node()
	if !astq.DeclaredIn(v, n) {
		return false
	}
	return true
}

// valueAtDefer returns the source of the constant value v holds when
// the defer statement runs, whether that value is nil, and whether it
// is one constant on every path: v is a result or a local declared with
// a constant (or no) value, nil included, and assigned only that same
// constant before the defer. The source is "" when it is not worth
// showing.
func (c *checker) valueAtDefer(v *types.Var) (text string, isNil, ok bool) {
	_, isResult := c.results[v]
	if !isResult && c.isParam(v) {
		return "", false, false
	}
	ws := c.writesBefore()[v]
	if isResult {
		ws = append([]write{{pos: v.Pos(), zero: true}}, ws...)
	}
	if len(ws) == 0 {
		return "", false, false
	}
	var val constant.Value // nil for the nil value
	for i, w := range ws {
		var wv constant.Value
		var wt string
		switch {
		case w.zero:
			wv, wt = zeroOf(v.Type())
			if wv == nil {
				if !isNilable(v.Type()) {
					return "", false, false
				}
				wt = "nil"
			}
		case astq.IsNil(c.pass, w.rhs):
			wt = "nil"
		case w.rhs != nil:
			wv = c.pass.TypesInfo.Types[w.rhs].Value
			if wv == nil {
				return "", false, false
			}
			wt = astq.Render(w.rhs)
			if len(wt) > 24 {
				wt = ""
			}
		default:
			return "", false, false
		}
		if i == 0 {
			val, text = wv, wt
			continue
		}
		if (val == nil) != (wv == nil) || (val != nil && !constant.Compare(val, token.EQL, wv)) {
			return "", false, false
		}
		if wt != text {
			text = ""
		}
	}
	return text, val == nil, true
}

func (c *checker) isParam(v *types.Var) bool {
	if c.fnSig == nil {
		return false
	}
	for p := range c.fnSig.Params().Variables() {
		if p == v {
			return true
		}
	}
	if r := c.fnSig.Recv(); r == v {
		return true
	}
	return false
}

// zeroOf returns the zero value of a basic type and its source form.
func zeroOf(t types.Type) (constant.Value, string) {
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return nil, ""
	}
	switch {
	case b.Info()&types.IsBoolean != 0:
		return constant.MakeBool(false), "false"
	case b.Info()&types.IsString != 0:
		return constant.MakeString(""), `""`
	case b.Info()&types.IsNumeric != 0:
		return constant.MakeInt64(0), "0"
	}
	return nil, ""
}

func isBasic(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsBoolean|types.IsString|types.IsNumeric) != 0
}

// reachedNodes computes the CFG nodes that can run after the defer
// statement (the rest of its block, every block reachable from it).
func (c *checker) reachedNodes() []ast.Node {
	if c.reached {
		return c.later
	}
	c.reached = true
	var g *cfg.CFG
	switch f := c.fn.Node().(type) {
	case *ast.FuncDecl:
		g = c.cfgs.FuncDecl(f)
	case *ast.FuncLit:
		g = c.cfgs.FuncLit(f)
	}
	if g == nil {
		return nil
	}
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			if n != c.def {
				continue
			}
			c.later = append(c.later, b.Nodes[i+1:]...)
			seen := map[*cfg.Block]bool{}
			stack := append([]*cfg.Block(nil), b.Succs...)
			for len(stack) > 0 {
				s := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if seen[s] {
					continue
				}
				seen[s] = true
				c.later = append(c.later, s.Nodes...)
				stack = append(stack, s.Succs...)
			}
			return c.later
		}
	}
	return nil
}

// inLoopBefore reports whether pos lies in a loop containing the defer,
// before the defer statement.
func (c *checker) inLoopBefore(pos token.Pos) bool {
	if pos >= c.def.Pos() {
		return false
	}
	for _, l := range c.loops {
		if l.Pos() <= pos && pos < l.End() {
			return true
		}
	}
	return false
}

// writesAfter returns the writes that can run after the defer statement.
func (c *checker) writesAfter() map[types.Object][]write {
	if c.after != nil {
		return c.after
	}
	c.after = make(map[types.Object][]write)
	add := func(obj types.Object, w write) {
		if obj != nil {
			w.earlier = c.inLoopBefore(w.pos)
			c.after[obj] = append(c.after[obj], w)
		}
	}
	for _, n := range c.reachedNodes() {
		if n == c.def {
			continue // the defer statement itself, reached again in a loop
		}
		if e, ok := n.(ast.Expr); ok && c.rangeAssigned()[e] {
			add(astq.RootObject(c.pass, e), write{pos: e.Pos()})
			continue
		}
		c.collectWrites(n, false, add)
	}
	return c.after
}

// writesBefore returns the writes, declarations included, that lie
// textually before the defer statement in fn.
func (c *checker) writesBefore() map[types.Object][]write {
	if c.before != nil {
		return c.before
	}
	c.before = make(map[types.Object][]write)
	add := func(obj types.Object, w write) {
		if obj != nil && w.pos < c.def.Pos() {
			c.before[obj] = append(c.before[obj], w)
		}
	}
	c.collectWrites(c.body, false, add)
	return c.before
}

// rangeAssigned returns the keys and values of the range statements of
// fn that assign existing variables (for k, v = range x).
func (c *checker) rangeAssigned() map[ast.Expr]bool {
	if c.rangeAsgn != nil {
		return c.rangeAsgn
	}
	c.rangeAsgn = make(map[ast.Expr]bool)
	ast.Inspect(c.body, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok && r.Tok == token.ASSIGN {
			for _, e := range []ast.Expr{r.Key, r.Value} {
				if e != nil {
					c.rangeAsgn[e] = true
				}
			}
		}
		return true
	})
	return c.rangeAsgn
}

// collectWrites calls add for every write in n to a variable, and for
// every declaration of one. Function literals are entered (a closure
// that assigns a variable changes it), but their return statements do
// not assign fn's results.
func (c *checker) collectWrites(n ast.Node, inLit bool, add func(types.Object, write)) {
	info := c.pass.TypesInfo
	// Rule "address for an optional field": &x of a string, number or
	// bool put into a struct field (a composite literal's field, or
	// p.Field = &x) is how API models take optional values; it is read
	// when the value is sent, not written. Errors are not exempt: Err:
	// &err hands the error to code that sets it.
	fieldAddr := make(map[*ast.UnaryExpr]bool)
	markField := func(e ast.Expr) {
		if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.AND {
			if id, ok := ast.Unparen(u.X).(*ast.Ident); ok {
				if _, basic := info.TypeOf(id).Underlying().(*types.Basic); basic {
					fieldAddr[u] = true
				}
			}
		}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			markField(n.Value)
		case *ast.FuncLit:
			c.collectWrites(n.Body, true, add)
			return false
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, lhs := range n.Lhs {
					if sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr); ok && isFieldSel(info, sel) {
						markField(n.Rhs[i])
					}
				}
			}
			for i, lhs := range n.Lhs {
				w := write{pos: lhs.Pos()}
				if len(n.Lhs) == len(n.Rhs) && (n.Tok == token.ASSIGN || n.Tok == token.DEFINE) {
					w.rhs = n.Rhs[i]
				}
				if id, ok := lhs.(*ast.Ident); ok && n.Tok == token.DEFINE && info.Defs[id] != nil {
					add(info.Defs[id], w)
					continue
				}
				add(astq.RootObject(c.pass, lhs), w)
			}
		case *ast.IncDecStmt:
			add(astq.RootObject(c.pass, n.X), write{pos: n.Pos()})
		case *ast.UnaryExpr:
			if n.Op == token.AND && !fieldAddr[n] {
				add(astq.RootObject(c.pass, n.X), write{pos: n.Pos()})
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				w := write{pos: id.Pos(), zero: len(n.Values) == 0}
				if len(n.Values) == len(n.Names) {
					w.rhs = n.Values[i]
				}
				add(info.Defs[id], w)
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if e == nil {
					continue
				}
				if id, ok := e.(*ast.Ident); ok && n.Tok == token.DEFINE {
					add(info.Defs[id], write{pos: id.Pos()})
				} else if n.Tok == token.ASSIGN {
					add(astq.RootObject(c.pass, e), write{pos: e.Pos()})
				}
			}
		case *ast.ReturnStmt:
			if inLit || len(n.Results) == 0 || c.fnSig == nil {
				break
			}
			res := c.fnSig.Results()
			for obj, i := range c.results {
				w := write{pos: n.Pos()}
				if len(n.Results) == res.Len() {
					w.rhs = n.Results[i]
					if id, ok := ast.Unparen(w.rhs).(*ast.Ident); ok && info.Uses[id] == obj {
						continue // return err, with err the result itself
					}
				}
				add(obj, w)
			}
		case *ast.CallExpr:
			// x.m() with a pointer method on an addressable x takes &x.
			sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr)
			if !ok {
				break
			}
			s := info.Selections[sel]
			if s == nil || s.Kind() != types.MethodVal {
				break
			}
			recv := s.Obj().(*types.Func).Signature().Recv()
			if recv == nil || !isPointer(recv.Type()) || isPointer(info.TypeOf(sel.X)) {
				break
			}
			add(astq.RootObject(c.pass, sel.X), write{pos: n.Pos()})
		}
		return true
	})
}

func isPointer(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}

// isFieldSel reports whether sel selects a struct field.
func isFieldSel(info *types.Info, sel *ast.SelectorExpr) bool {
	s, ok := info.Selections[sel]
	return ok && s.Kind() == types.FieldVal
}
