package deferclose

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
)

// foreignNilSafe reports whether m, a pointer method of another package
// outside the standard library, starts by checking its receiver for
// nil, read from its source file when the file is on disk (a package of
// the same module, or the module cache). Rule "nil-safe method of
// another package": a cleanup such as Release that begins with
// `if b == nil { return }` cannot panic when deferred early. Without
// the source (known is false) the method is assumed to dereference its
// receiver, as nearly all Close methods do, and so is a method whose
// body it reads that does: either way the report names the method and
// the assumption.
//
// The body is read without types: the receiver's first mention must be
// a comparison with nil, as for the package's own methods; a receiver
// never mentioned is never dereferenced.
func (c *checker) foreignNilSafe(m *types.Func) (safe, known bool) {
	if r, ok := c.foreign[m]; ok {
		return r.safe, r.known
	}
	safe, known = readNilSafe(c.pass.Fset.Position(m.Pos()).Filename, m)
	if c.foreign == nil {
		c.foreign = make(map[*types.Func]foreignResult)
	}
	c.foreign[m] = foreignResult{safe, known}
	return safe, known
}

type foreignResult struct{ safe, known bool }

// readNilSafe parses file and judges m's declaration in it.
func readNilSafe(file string, m *types.Func) (safe, known bool) {
	fd, _ := decls.Read(file, m)
	if fd == nil || fd.Recv == nil {
		return false, false
	}
	names := fd.Recv.List[0].Names
	if len(names) == 0 || names[0].Name == "_" {
		return true, true // the receiver is never used
	}
	recv := names[0].Name
	first := true
	safe = true
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if !first {
			return false
		}
		if be, ok := n.(*ast.BinaryExpr); ok && (be.Op == token.EQL || be.Op == token.NEQ) {
			if isIdent(be.X, recv) && isIdent(be.Y, "nil") || isIdent(be.Y, recv) && isIdent(be.X, "nil") {
				first = false
				return false
			}
		}
		if id, ok := n.(*ast.Ident); ok && id.Name == recv {
			first, safe = false, false
		}
		return true
	})
	return safe, true
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == name
}

// foreignNeverFails reports whether fn, a function or method of another
// package outside the standard library, returns a literal nil error on
// every return statement of its body, read from its source file when
// the file is on disk. Rule "a call that cannot fail": an early defer
// after such a call cannot see the nil value of a failure, since there
// is none. Without the source, or with a bare or forwarding return, it
// may fail.
func (c *checker) foreignNeverFails(fn *types.Func) bool {
	if r, ok := c.neverFails[fn]; ok {
		return r
	}
	r := readNeverFails(c.pass.Fset.Position(fn.Pos()).Filename, fn)
	if c.neverFails == nil {
		c.neverFails = make(map[*types.Func]bool)
	}
	c.neverFails[fn] = r
	return r
}

// readNeverFails parses file and judges fn's declaration in it.
func readNeverFails(file string, fn *types.Func) bool {
	sig := fn.Signature()
	n := sig.Results().Len()
	if n == 0 || !astq.IsErrorType(sig.Results().At(n-1).Type()) {
		return false
	}
	fd, _ := decls.Read(file, fn)
	if fd == nil {
		return false
	}
	returns, fails := 0, false
	ast.Inspect(fd.Body, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.FuncLit:
			return false // its returns are its own
		case *ast.ReturnStmt:
			returns++
			if len(m.Results) != n || !isIdent(m.Results[n-1], "nil") {
				fails = true
			}
		}
		return !fails
	})
	return returns > 0 && !fails
}
