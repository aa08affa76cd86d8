package deferclose

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// A flushWriter is a standard library writer whose Close writes what is
// still buffered, or the end of the format, to the writer underneath.
type flushWriter struct {
	typ   string // for the message: "a gzip.Writer"
	does  string // what Close writes
	under int    // index of the underlying writer among the arguments, -1 if none
	fails string // what a failed Close means
}

const truncated = "if that write fails the output is truncated"

// flushWriters maps "pkgpath.Func" (or "pkgpath.Type.Method") of a
// constructor to what the Close of its result does.
var flushWriters = map[string]flushWriter{
	"compress/gzip.NewWriter":          {"a gzip.Writer", "writes the last compressed block and the gzip footer", 0, truncated},
	"compress/gzip.NewWriterLevel":     {"a gzip.Writer", "writes the last compressed block and the gzip footer", 0, truncated},
	"compress/zlib.NewWriter":          {"a zlib.Writer", "writes the last compressed block and the checksum", 0, truncated},
	"compress/zlib.NewWriterLevel":     {"a zlib.Writer", "writes the last compressed block and the checksum", 0, truncated},
	"compress/zlib.NewWriterLevelDict": {"a zlib.Writer", "writes the last compressed block and the checksum", 0, truncated},
	"compress/flate.NewWriter":         {"a flate.Writer", "writes the last compressed block", 0, truncated},
	"compress/flate.NewWriterDict":     {"a flate.Writer", "writes the last compressed block", 0, truncated},
	"compress/lzw.NewWriter":           {"a lzw.Writer", "writes the last codes", 0, truncated},
	"archive/zip.NewWriter":            {"a zip.Writer", "writes the central directory", 0, "if that write fails the archive cannot be opened"},
	"archive/tar.NewWriter":            {"a tar.Writer", "writes the padding and the end-of-archive blocks", 0, truncated},
	"encoding/base64.NewEncoder":       {"a base64 encoder", "writes the last partial block", 1, truncated},
	"encoding/base32.NewEncoder":       {"a base32 encoder", "writes the last partial block", 1, truncated},
	"encoding/ascii85.NewEncoder":      {"an ascii85 encoder", "writes the last partial block", 0, truncated},
	"encoding/hex.Dumper":              {"a hex dumper", "writes the last line", 0, truncated},
	"mime/quotedprintable.NewWriter":   {"a quotedprintable.Writer", "writes the buffered line", 0, truncated},
	"mime/multipart.NewWriter":         {"a multipart.Writer", "writes the closing boundary", 0, truncated},
	"net/smtp.Client.Data":             {"the smtp.Client.Data writer", "ends the message and reads the server's reply", -1, "if the server rejects the mail"},
}

// origin is what a variable was assigned from.
type origin struct {
	file   bool        // a file opened for writing
	writer flushWriter // otherwise
	desc   string      // "os.Create"
	path   ast.Expr    // the file's path (or directory) argument
}

// checkDroppedClose reports `defer f.Close()` (or f.Close() as a
// statement in a deferred function literal) on a file opened for
// writing or a flushing writer, in a function that returns an error,
// when nothing else in the function looks at the result of Close.
func (c *checker) checkDroppedClose(defCur inspector.Cursor) {
	def := defCur.Node().(*ast.DeferStmt)
	if astq.IsTestCode(c.pass, def.Pos()) {
		// Rule "test code": a fixture written badly fails the test
		// that reads it next; no caller relies on the error.
		return
	}
	v := c.droppedClose(def)
	if v == nil {
		return
	}
	fnCur, _, _ := astq.EnclosingFunc(defCur)
	if !fnCur.Valid() || !astq.ReturnsError(astq.Signature(c.pass, fnCur)) {
		return // nowhere to report the error
	}
	// The function whose body declares v: everything v does happens there.
	var root inspector.Cursor
	for fc := range defCur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var body *ast.BlockStmt
		switch fn := fc.Node().(type) {
		case *ast.FuncDecl:
			body = fn.Body
		case *ast.FuncLit:
			body = fn.Body
		}
		if body != nil && body.Pos() <= v.Pos() && v.Pos() < body.End() {
			root = fc
			break
		}
	}
	if !root.Valid() {
		return // a parameter, a result or a package variable: opened elsewhere
	}

	var origins []origin
	known := true
	written, handled, escapes := false, false, false
	for idCur := range root.Preorder((*ast.Ident)(nil)) {
		id := idCur.Node().(*ast.Ident)
		if c.pass.TypesInfo.ObjectOf(id) != v || (def.Pos() <= id.Pos() && id.Pos() < def.End()) {
			continue
		}
		if inGo(idCur, root) {
			escapes = true
			continue
		}
		parent := idCur.Parent()
		switch p := parent.Node().(type) {
		case *ast.AssignStmt:
			idx := indexOf(p.Lhs, id)
			if idx < 0 {
				escapes = true // aliased or stored
				continue
			}
			if len(p.Lhs) == len(p.Rhs) && c.isStdStream(p.Rhs[idx]) {
				continue // f = os.Stdout on the other branch; its Close is not deferred here
			}
			o, ok := c.assignedFrom(p.Tok, p.Lhs, p.Rhs, idx)
			if !ok {
				known = false
				continue
			}
			origins = append(origins, o)
		case *ast.ValueSpec:
			idx := -1
			for i, n := range p.Names {
				if n == id {
					idx = i
				}
			}
			if idx < 0 {
				escapes = true
				continue
			}
			if len(p.Values) == 0 {
				continue // var f *os.File
			}
			lhs := make([]ast.Expr, len(p.Names))
			for i, n := range p.Names {
				lhs[i] = n
			}
			o, ok := c.assignedFrom(token.DEFINE, lhs, p.Values, idx)
			if !ok {
				known = false
				continue
			}
			origins = append(origins, o)
		case *ast.SelectorExpr:
			call, ok := parent.Parent().Node().(*ast.CallExpr)
			if !ok || ast.Unparen(call.Fun) != p {
				continue
			}
			switch p.Sel.Name {
			case "Close", "Sync":
				// Checked elsewhere, the defer is a safety net; closed
				// elsewhere without a check, the drop is not this defer's.
				if resultUsed(parent.Parent()) || p.Sel.Name == "Close" {
					handled = true
				}
			case "Write", "WriteString", "WriteAt", "ReadFrom":
				written = true
			default:
				if !isFileType(v.Type()) {
					written = true // any use of a writer writes through it
				}
			}
		case *ast.CallExpr:
			if id, ok := ast.Unparen(p.Fun).(*ast.Ident); ok && id.Name == "append" {
				if _, builtin := c.pass.TypesInfo.Uses[id].(*types.Builtin); builtin {
					escapes = true
					continue
				}
			}
			written = true
		case *ast.ReturnStmt, *ast.CompositeLit, *ast.KeyValueExpr, *ast.SendStmt, *ast.StarExpr, *ast.RangeStmt:
			escapes = true
		case *ast.UnaryExpr:
			if p.Op == token.AND {
				escapes = true
			}
		}
	}
	if !known || len(origins) == 0 || handled || escapes || !written {
		return
	}
	o := origins[0]
	for _, other := range origins[1:] {
		if other.file != o.file || other.writer != o.writer {
			return
		}
	}
	if o.file && c.removed(root, v, origins) {
		return // a scratch file, deleted before anyone reads it
	}

	fn := astq.FuncName(fnCur)
	var msg string
	if o.file {
		msg = fmt.Sprintf("deferred %s.Close() drops the error of a file opened for writing (%s): if the written data fails to reach the disk at Close (full disk, quota, NFS), %s still reports success (check %s.Close() on the success path, or join its error into a named error result in a deferred closure)",
			v.Name(), o.desc, fn, v.Name())
	} else {
		msg = fmt.Sprintf("deferred %s.Close() drops its error, but Close of %s %s: %s, %s still reports success (check %s.Close() on the success path, or join its error into a named error result in a deferred closure)",
			v.Name(), o.writer.typ, o.writer.does, o.writer.fails, fn, v.Name())
	}
	c.pass.Report(analysis.Diagnostic{Pos: def.Pos(), End: def.End(), Message: msg, Category: "dropped"})
}

// droppedClose returns v for `defer v.Close()`, or for a deferred
// function literal that calls v.Close() as a statement, unconditionally
// or under `if v != nil`; nil otherwise.
func (c *checker) droppedClose(def *ast.DeferStmt) *types.Var {
	if v := c.closeReceiver(def.Call); v != nil {
		return v
	}
	lit, ok := ast.Unparen(def.Call.Fun).(*ast.FuncLit)
	if !ok || len(def.Call.Args) != 0 {
		return nil
	}
	for _, s := range lit.Body.List {
		if ifs, ok := s.(*ast.IfStmt); ok && ifs.Init == nil && ifs.Else == nil {
			if cond, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr); ok && cond.Op == token.NEQ && astq.IsNil(c.pass, cond.Y) {
				if v := c.objOf(cond.X); v != nil {
					for _, s := range ifs.Body.List {
						if es, ok := s.(*ast.ExprStmt); ok {
							if call, ok := ast.Unparen(es.X).(*ast.CallExpr); ok && c.closeReceiver(call) == v {
								return v
							}
						}
					}
				}
			}
			continue
		}
		if es, ok := s.(*ast.ExprStmt); ok {
			if call, ok := ast.Unparen(es.X).(*ast.CallExpr); ok {
				if v := c.closeReceiver(call); v != nil {
					return v
				}
			}
		}
	}
	return nil
}

// closeReceiver returns v for the call v.Close() with v a local variable.
func (c *checker) closeReceiver(call *ast.CallExpr) *types.Var {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Close" || len(call.Args) != 0 {
		return nil
	}
	v := c.objOf(sel.X)
	if v == nil || v.IsField() || v.Parent() == nil || v.Parent() == c.pass.Pkg.Scope() {
		return nil
	}
	return v
}

// assignedFrom recognizes the value assigned to lhs[idx].
func (c *checker) assignedFrom(tok token.Token, lhs, rhs []ast.Expr, idx int) (origin, bool) {
	if tok != token.DEFINE && tok != token.ASSIGN {
		return origin{}, false
	}
	var call *ast.CallExpr
	switch {
	case len(rhs) == 1 && len(lhs) > 1:
		if idx != 0 {
			return origin{}, false
		}
		call, _ = ast.Unparen(rhs[0]).(*ast.CallExpr)
	case len(rhs) == len(lhs):
		call, _ = ast.Unparen(rhs[idx]).(*ast.CallExpr)
	}
	if call == nil {
		return origin{}, false
	}
	fn := astq.Callee(c.pass, call)
	switch {
	case astq.IsFunc(fn, "os", "Create"), astq.IsMethod(fn, "os", "Root", "Create"),
		astq.IsFunc(fn, "os", "CreateTemp"), astq.IsFunc(fn, "io/ioutil", "TempFile"):
		return origin{file: true, desc: qualified(fn), path: arg(call, 0)}, true
	case astq.IsFunc(fn, "os", "OpenFile"), astq.IsMethod(fn, "os", "Root", "OpenFile"):
		if c.writeFlags(fn, arg(call, 1)) {
			return origin{file: true, desc: qualified(fn) + " for writing", path: arg(call, 0)}, true
		}
		return origin{}, false
	}
	if fn == nil || fn.Pkg() == nil {
		return origin{}, false
	}
	key := fn.Pkg().Path() + "." + fn.Name()
	if recv := fn.Signature().Recv(); recv != nil {
		named := astq.NamedOf(recv.Type())
		if named == nil {
			return origin{}, false
		}
		key = fn.Pkg().Path() + "." + named.Obj().Name() + "." + fn.Name()
	}
	w, ok := flushWriters[key]
	if !ok {
		return origin{}, false
	}
	if w.under >= 0 && (w.under >= len(call.Args) || c.cannotFail(call.Args[w.under])) {
		return origin{}, false
	}
	return origin{writer: w}, true
}

// isStdStream reports whether e is os.Stdout or os.Stderr.
func (c *checker) isStdStream(e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	obj, ok := c.pass.TypesInfo.Uses[sel.Sel].(*types.Var)
	return ok && obj.Pkg() != nil && obj.Pkg().Path() == "os" && (obj.Name() == "Stdout" || obj.Name() == "Stderr")
}

// writeFlags reports whether the constant flag argument of os.OpenFile
// opens the file for writing.
func (c *checker) writeFlags(fn *types.Func, flag ast.Expr) bool {
	if flag == nil {
		return false
	}
	tv, ok := c.pass.TypesInfo.Types[flag]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int {
		return false
	}
	var os *types.Package
	if fn.Pkg().Path() == "os" {
		os = fn.Pkg()
	}
	if os == nil {
		return false
	}
	mask := int64(0)
	for _, name := range []string{"O_WRONLY", "O_RDWR"} {
		k, ok := os.Scope().Lookup(name).(*types.Const)
		if !ok {
			return false
		}
		m, _ := constant.Int64Val(k.Val())
		mask |= m
	}
	f, _ := constant.Int64Val(tv.Value)
	return f&mask != 0
}

// cannotFail reports whether writes to w cannot fail, or whether their
// errors are ignored by convention: in-memory buffers, hashes,
// io.Discard, HTTP response writers.
func (c *checker) cannotFail(w ast.Expr) bool {
	t := c.pass.TypesInfo.TypeOf(w)
	if t == nil {
		return false
	}
	if astq.IsNamedType(t, "bytes", "Buffer") || astq.IsNamedType(t, "strings", "Builder") {
		return true
	}
	if sel, ok := ast.Unparen(w).(*ast.SelectorExpr); ok {
		if obj, ok := c.pass.TypesInfo.Uses[sel.Sel].(*types.Var); ok && obj.Pkg() != nil && obj.Pkg().Path() == "io" && obj.Name() == "Discard" {
			return true
		}
	}
	mt := t
	if _, ok := t.Underlying().(*types.Pointer); !ok && !types.IsInterface(t) {
		mt = types.NewPointer(t) // an addressable value has the pointer methods
	}
	ms := types.NewMethodSet(mt)
	has := func(name string) bool { return ms.Lookup(nil, name) != nil }
	return (has("Sum") && has("BlockSize")) || (has("Header") && has("WriteHeader"))
}

// removed reports whether the file is deleted unconditionally in root:
// os.Remove(f.Name()), os.Remove(path) or os.RemoveAll(dir) of the path
// it was created at.
func (c *checker) removed(root inspector.Cursor, v *types.Var, origins []origin) bool {
	paths := make(map[types.Object]bool)
	for _, o := range origins {
		c.varsOf(root, o.path, paths, 2)
	}
	// name := f.Name()
	for cur := range root.Preorder((*ast.AssignStmt)(nil)) {
		as := cur.Node().(*ast.AssignStmt)
		if len(as.Lhs) == len(as.Rhs) {
			for i, r := range as.Rhs {
				if c.isNameCall(r, v) {
					if obj := c.objOf(as.Lhs[i]); obj != nil {
						paths[obj] = true
					}
				}
			}
		}
	}
	for cur := range root.Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		fn := astq.Callee(c.pass, call)
		if !astq.IsFunc(fn, "os", "Remove", "RemoveAll") || len(call.Args) != 1 {
			continue
		}
		a := call.Args[0]
		obj := c.objOf(a)
		if (c.isNameCall(a, v) || (obj != nil && paths[obj])) && unconditional(cur, root) {
			return true
		}
	}
	return false
}

// varsOf adds to set the variables that e mentions, and, depth levels
// deep, those their defining assignments in root mention.
func (c *checker) varsOf(root inspector.Cursor, e ast.Expr, set map[types.Object]bool, depth int) {
	if e == nil {
		return
	}
	ast.Inspect(e, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj, ok := c.pass.TypesInfo.Uses[id].(*types.Var)
		if !ok || obj.IsField() || set[obj] {
			return true
		}
		set[obj] = true
		if depth == 0 {
			return true
		}
		for cur := range root.Preorder((*ast.AssignStmt)(nil)) {
			as := cur.Node().(*ast.AssignStmt)
			if as.Tok != token.DEFINE || len(as.Lhs) != len(as.Rhs) {
				continue
			}
			for i, l := range as.Lhs {
				if lid, ok := l.(*ast.Ident); ok && c.pass.TypesInfo.Defs[lid] == obj {
					c.varsOf(root, as.Rhs[i], set, depth-1)
				}
			}
		}
		return true
	})
}

// isNameCall reports whether e is v.Name().
func (c *checker) isNameCall(e ast.Expr, v *types.Var) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Name" && c.objOf(sel.X) == v
}

// unconditional reports whether the statement at cur runs whenever the
// function at root gets that far: it is not under an if, switch, select
// or loop, and not in a function literal other than a deferred one.
func unconditional(cur, root inspector.Cursor) bool {
	for p := cur.Parent(); p.Valid() && p != root; p = p.Parent() {
		switch n := p.Node().(type) {
		case *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt,
			*ast.ForStmt, *ast.RangeStmt, *ast.CaseClause, *ast.CommClause:
			return false
		case *ast.FuncLit:
			call, ok := p.Parent().Node().(*ast.CallExpr)
			if !ok || call.Fun != n {
				return false
			}
			if _, ok := p.Parent().Parent().Node().(*ast.DeferStmt); !ok {
				return false
			}
		}
	}
	return true
}

// inGo reports whether cur is inside a go statement within root.
func inGo(cur, root inspector.Cursor) bool {
	for p := cur.Parent(); p.Valid() && p != root; p = p.Parent() {
		if _, ok := p.Node().(*ast.GoStmt); ok {
			return true
		}
	}
	return false
}

func indexOf(list []ast.Expr, e ast.Expr) int {
	for i, x := range list {
		if x == e {
			return i
		}
	}
	return -1
}

func arg(call *ast.CallExpr, i int) ast.Expr {
	if i < len(call.Args) {
		return call.Args[i]
	}
	return nil
}

// qualified returns "os.Create" or "os.Root.Create".
func qualified(fn *types.Func) string {
	if recv := fn.Signature().Recv(); recv != nil {
		if named := astq.NamedOf(recv.Type()); named != nil {
			return fn.Pkg().Name() + "." + named.Obj().Name() + "." + fn.Name()
		}
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

func isFileType(t types.Type) bool {
	return astq.IsNamedType(t, "os", "File")
}
