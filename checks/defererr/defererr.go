package defererr

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports deferred closures that overwrite the error result.
var Analyzer = &analysis.Analyzer{
	Name:     "defererr",
	Doc:      astq.ExtractDoc(doc, "defererr"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/defererr",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)

	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		def := cur.Node().(*ast.DeferStmt)
		lit, ok := ast.Unparen(def.Call.Fun).(*ast.FuncLit)
		if !ok {
			continue
		}
		fc, _, _ := astq.EnclosingFunc(cur)
		if !fc.Valid() {
			continue
		}
		results := astq.NamedErrorResults(astq.Signature(pass, fc))
		if len(results) == 0 {
			continue
		}
		_, _, fbody := astq.EnclosingFunc(cur)
		for i, res := range results {
			if !mayReturnError(pass, fbody, def.End(), res, resultIndex(pass, fc, res, i)) {
				continue // the deferred assignment is the only source of the error
			}
			checkClosure(pass, lit.Body, res, astq.FuncName(fc))
		}
	}
	return nil, nil
}

// resultIndex returns the position of res among the function's results.
func resultIndex(pass *analysis.Pass, fc inspector.Cursor, res *types.Var, fallback int) int {
	sig := astq.Signature(pass, fc)
	for i := range sig.Results().Len() {
		if sig.Results().At(i) == res {
			return i
		}
	}
	return fallback
}

// mayReturnError reports whether, when the deferred closure runs, res
// may hold an error set by the function: a return statement after the
// defer with a value for res other than nil; a bare return after the
// defer when res is assigned (or its address taken) after it; or a
// closure deferred later, which runs first, that sets res (a recover
// branch turning a panic into an error). When it cannot, the deferred
// assignment hides nothing: it is how the function reports failure,
// and `return x, nil` followed by the defer only ever sees nil.
func mayReturnError(pass *analysis.Pass, body *ast.BlockStmt, pos token.Pos, res *types.Var, index int) bool {
	var returnsValue, bareReturn, assigned, laterDefer bool
	info := pass.TypesInfo
	isRes := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && info.ObjectOf(id) == res
	}
	// sets reports whether n assigns res a value that does not come
	// from res itself, or takes its address.
	sets := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.AssignStmt:
				for i, l := range m.Lhs {
					if !isRes(l) {
						continue
					}
					switch {
					case len(m.Rhs) != len(m.Lhs):
						found = true
					case !info.Types[m.Rhs[i]].IsNil() && !reads(pass, m.Rhs[i], res):
						found = true
					}
				}
			case *ast.UnaryExpr:
				if m.Op == token.AND && isRes(m.X) {
					found = true
				}
			}
			return !found
		})
		return found
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil || n.End() < pos {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			if n.Pos() > pos && sets(n.Call) {
				laterDefer = true
			}
			return false
		case *ast.ReturnStmt:
			if n.Pos() < pos {
				return false
			}
			switch {
			case len(n.Results) == 0:
				bareReturn = true
			case len(n.Results) > index:
				if !info.Types[n.Results[index]].IsNil() {
					returnsValue = true
				}
			case len(n.Results) == 1:
				returnsValue = true // return f() with several results
			}
		case *ast.AssignStmt, *ast.UnaryExpr:
			if n.Pos() > pos && sets(n) {
				assigned = true
			}
		}
		return true
	})
	return returnsValue || (bareReturn && assigned) || laterDefer
}

// checkClosure reports the unguarded assignments to res in the body of
// a deferred closure.
func checkClosure(pass *analysis.Pass, body *ast.BlockStmt, res *types.Var, fn string) {
	var (
		visit     func(stmts []ast.Stmt, guarded bool)
		visitStmt func(s ast.Stmt, guarded bool)
	)
	visit = func(stmts []ast.Stmt, guarded bool) {
		for _, s := range stmts {
			visitStmt(s, guarded)
			// After `if <reads err> { ...; return }`, the rest of the
			// block runs only for some values of err. A recover() test
			// does not count here: the rest of the block is then the
			// closure's normal path, whatever err holds.
			if ifs, ok := s.(*ast.IfStmt); ok && leaves(ifs) &&
				(reads(pass, ifs.Cond, res) || (ifs.Init != nil && reads(pass, ifs.Init, res))) {
				guarded = true
			}
		}
	}
	visitStmt = func(s ast.Stmt, guarded bool) {
		switch s := s.(type) {
		case *ast.AssignStmt:
			if guarded || s.Tok != token.ASSIGN {
				return
			}
			for i, l := range s.Lhs {
				id, ok := ast.Unparen(l).(*ast.Ident)
				if !ok || pass.TypesInfo.ObjectOf(id) != res {
					continue
				}
				var rhs ast.Expr
				if len(s.Rhs) == len(s.Lhs) {
					rhs = s.Rhs[i]
				} else if len(s.Rhs) == 1 {
					rhs = s.Rhs[0]
				}
				if rhs == nil || reads(pass, rhs, res) || derivedFrom(pass, body, rhs, res) || nonNil(pass, rhs) {
					continue
				}
				report(pass, s, res, rhs, fn)
			}
		case *ast.BlockStmt:
			visit(s.List, guarded)
		case *ast.LabeledStmt:
			visitStmt(s.Stmt, guarded)
		case *ast.IfStmt:
			if s.Init != nil {
				visitStmt(s.Init, guarded)
			}
			// A condition that reads err, calls recover, or tests a
			// variable the assignment then stores guards both branches.
			// Any condition other than a presence check (f != nil)
			// makes the assignment conditional: the author decided
			// when the error is replaced (if !stop() { err = ctx.Err() }).
			g := guarded || decides(pass, s, res)
			inner := g || testsAssigned(pass, s) || !presenceCheck(pass, s)
			visit(s.Body.List, inner)
			if s.Else != nil {
				visitStmt(s.Else, inner)
			}
		case *ast.ForStmt:
			if s.Init != nil {
				visitStmt(s.Init, guarded)
			}
			g := guarded || (s.Cond != nil && reads(pass, s.Cond, res))
			visit(s.Body.List, g)
		case *ast.RangeStmt:
			visit(s.Body.List, guarded)
		case *ast.SwitchStmt:
			if s.Init != nil {
				visitStmt(s.Init, guarded)
			}
			// A case decides when the assignment runs.
			for _, cc := range s.Body.List {
				visit(cc.(*ast.CaseClause).Body, true)
			}
		case *ast.TypeSwitchStmt:
			for _, cc := range s.Body.List {
				visit(cc.(*ast.CaseClause).Body, true)
			}
		}
	}
	visit(body.List, false)
}

// presenceCheck reports whether the if statement only tests that
// something exists (f != nil, x.f != nil && y != nil) and has no else:
// the body is the closure's normal path whenever a resource was opened.
func presenceCheck(pass *analysis.Pass, s *ast.IfStmt) bool {
	if s.Init != nil || s.Else != nil {
		return false
	}
	var ok func(e ast.Expr) bool
	ok = func(e ast.Expr) bool {
		b, isBin := ast.Unparen(e).(*ast.BinaryExpr)
		if !isBin {
			return false
		}
		switch b.Op {
		case token.LAND:
			return ok(b.X) && ok(b.Y)
		case token.NEQ:
			t := pass.TypesInfo.TypeOf(b.X)
			return pass.TypesInfo.Types[b.Y].IsNil() && t != nil && !astq.IsErrorType(t)
		}
		return false
	}
	return ok(s.Cond)
}

// decides reports whether the if statement's init or condition reads
// res or calls recover: its branches run for some errors only, or only
// during a panic.
func decides(pass *analysis.Pass, s *ast.IfStmt, res *types.Var) bool {
	if s.Init != nil && (reads(pass, s.Init, res) || callsRecover(pass, s.Init)) {
		return true
	}
	return reads(pass, s.Cond, res) || callsRecover(pass, s.Cond)
}

// testsAssigned reports whether the if statement tests a variable that
// its body then assigns to the result: `if cerr := f.Close(); cerr !=
// nil { err = cerr }` stores only failures.
func testsAssigned(pass *analysis.Pass, s *ast.IfStmt) bool {
	tested := make(map[types.Object]bool)
	ast.Inspect(s.Cond, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var); ok {
				tested[v] = true
			}
		}
		return true
	})
	found := false
	ast.Inspect(s.Body, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for _, r := range as.Rhs {
				if id, ok := ast.Unparen(r).(*ast.Ident); ok && tested[pass.TypesInfo.ObjectOf(id)] {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// leaves reports whether the body of an if statement ends by leaving
// the closure (return, panic).
func leaves(s *ast.IfStmt) bool {
	if len(s.Body.List) == 0 {
		return false
	}
	switch last := s.Body.List[len(s.Body.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.ExprStmt:
		if c, ok := last.X.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "panic" {
				return true
			}
		}
	}
	return false
}

func reads(pass *analysis.Pass, n ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok && pass.TypesInfo.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}

func callsRecover(pass *analysis.Pass, n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if c, ok := m.(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok {
				if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

func report(pass *analysis.Pass, s *ast.AssignStmt, res *types.Var, rhs ast.Expr, fn string) {
	name := res.Name()
	if pass.TypesInfo.Types[rhs].IsNil() {
		pass.Report(analysis.Diagnostic{
			Pos: s.Pos(),
			End: s.End(),
			Message: fmt.Sprintf("deferred closure sets %s = nil unconditionally: every error %s returns is replaced by nil and the caller sees success (remove the assignment, or make it only in the recover branch)",
				name, fn),
		})
		return
	}
	what := astq.Render(rhs) + " (possibly nil)"
	join := name + ", ..."
	if c, ok := ast.Unparen(rhs).(*ast.CallExpr); ok {
		if f := astq.Callee(pass, c); f != nil {
			what = f.Name() + "'s result (usually nil)"
		}
		if r := astq.Render(rhs); len(r) <= 40 {
			join = name + ", " + r
		}
	}
	pass.Report(analysis.Diagnostic{
		Pos: s.Pos(),
		End: s.End(),
		Message: fmt.Sprintf("deferred closure assigns %s = %s unconditionally: when %s is already returning an error, it is replaced by %s and the caller sees success (assign only if %s == nil, or use errors.Join(%s))",
			name, astq.Render(rhs), fn, what, name, join),
	})
}
