// Package flow provides the control-flow graphs of every function in a
// package, for the analyzers that need them.
//
// It plays the part of x/tools' ctrlflow analyzer without its facts:
// ctrlflow learns which functions never return from every dependency,
// which forces a driver to load all dependencies from source. flow
// instead knows the standard functions that never return (os.Exit,
// log.Fatal, t.Fatal, runtime.Goexit...) and the package's own functions
// whose body cannot return, which is what defer and loop checks need.
// The graphs are built lazily, only for the functions a check asks for.
package flow

import (
	"go/ast"
	"go/types"
	"reflect"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/decls"
	"golang.org/x/tools/go/types/typeutil"
)

// Analyzer computes a *CFGs for the package.
var Analyzer = &analysis.Analyzer{
	Name:       "silentfailflow",
	Doc:        "silentfailflow: control-flow graphs of the package's functions, built on demand",
	URL:        "https://pkg.go.dev/github.com/silentfail/silentfail/internal/flow",
	Requires:   []*analysis.Analyzer{decls.Analyzer},
	Run:        run,
	ResultType: reflect.TypeFor[*CFGs](),
}

// CFGs gives the control-flow graph of each function of the package.
type CFGs struct {
	info  *types.Info
	decls *decls.Index

	mu       sync.Mutex
	graphs   map[ast.Node]*cfg.CFG
	noReturn map[*types.Func]bool // memo for the package's own functions
	visiting map[*types.Func]bool
}

func run(pass *analysis.Pass) (any, error) {
	c := &CFGs{
		info:     pass.TypesInfo,
		decls:    pass.ResultOf[decls.Analyzer].(*decls.Index),
		graphs:   make(map[ast.Node]*cfg.CFG),
		noReturn: make(map[*types.Func]bool),
		visiting: make(map[*types.Func]bool),
	}
	return c, nil
}

// FuncDecl returns the graph of a function declaration, or nil if it
// has no body.
func (c *CFGs) FuncDecl(d *ast.FuncDecl) *cfg.CFG {
	if d.Body == nil {
		return nil
	}
	return c.graph(d, d.Body)
}

// FuncLit returns the graph of a function literal.
func (c *CFGs) FuncLit(l *ast.FuncLit) *cfg.CFG {
	return c.graph(l, l.Body)
}

func (c *CFGs) graph(key ast.Node, body *ast.BlockStmt) *cfg.CFG {
	c.mu.Lock()
	defer c.mu.Unlock()
	if g, ok := c.graphs[key]; ok {
		return g
	}
	g := cfg.New(body, c.mayReturn)
	c.graphs[key] = g
	return g
}

// NoReturn reports whether a call to fn never returns.
func (c *CFGs) NoReturn(fn *types.Func) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.noReturnLocked(fn)
}

// mayReturn is cfg.New's callback: false for calls that never return.
func (c *CFGs) mayReturn(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := c.info.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return false
		}
	}
	fn, _ := typeutil.Callee(c.info, call).(*types.Func)
	return fn == nil || !c.noReturnLocked(fn)
}

func (c *CFGs) noReturnLocked(fn *types.Func) bool {
	if known(fn) {
		return true
	}
	d := c.decls.Of(fn)
	if d == nil || d.Body == nil {
		return false
	}
	if v, ok := c.noReturn[fn]; ok {
		return v
	}
	if c.visiting[fn] {
		return false // recursion: assume it returns
	}
	c.visiting[fn] = true
	g := cfg.New(d.Body, c.mayReturn)
	delete(c.visiting, fn)
	v := true
	for _, b := range g.Blocks {
		if b.Live && len(b.Succs) == 0 && c.exitReturns(b) {
			v = false
			break
		}
	}
	c.noReturn[fn] = v
	return v
}

// Returns reports whether b, a live block without successors, leaves
// the function normally rather than through a call that never returns.
func (c *CFGs) Returns(b *cfg.Block) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exitReturns(b)
}

// exitReturns reports whether a live block without successors leaves
// the function normally (a return statement, or the end of the body)
// rather than through a call that never returns.
func (c *CFGs) exitReturns(b *cfg.Block) bool {
	if b.Kind == cfg.KindSelectAfterCase {
		// go/cfg leaves the path on which a select without default
		// takes none of its cases without successors; no such path
		// runs: the select waits.
		return false
	}
	if len(b.Nodes) == 0 {
		return true
	}
	if es, ok := b.Nodes[len(b.Nodes)-1].(*ast.ExprStmt); ok {
		if call, ok := ast.Unparen(es.X).(*ast.CallExpr); ok && !c.mayReturn(call) {
			return false
		}
	}
	return true
}

// noReturnFuncs are the standard functions and methods that never
// return, by full name as types.Func.FullName prints them.
var noReturnFuncs = map[string]bool{
	"os.Exit":                                 true,
	"runtime.Goexit":                          true,
	"log.Fatal":                               true,
	"log.Fatalf":                              true,
	"log.Fatalln":                             true,
	"log.Panic":                               true,
	"log.Panicf":                              true,
	"log.Panicln":                             true,
	"(*log.Logger).Fatal":                     true,
	"(*log.Logger).Fatalf":                    true,
	"(*log.Logger).Fatalln":                   true,
	"(*log.Logger).Panic":                     true,
	"(*log.Logger).Panicf":                    true,
	"(*log.Logger).Panicln":                   true,
	"(*testing.common).FailNow":               true,
	"(*testing.common).Fatal":                 true,
	"(*testing.common).Fatalf":                true,
	"(*testing.common).SkipNow":               true,
	"(*testing.common).Skip":                  true,
	"(*testing.common).Skipf":                 true,
	"(testing.TB).FailNow":                    true,
	"(testing.TB).Fatal":                      true,
	"(testing.TB).Fatalf":                     true,
	"(testing.TB).SkipNow":                    true,
	"(testing.TB).Skip":                       true,
	"(testing.TB).Skipf":                      true,
	"syscall.Exit":                            true,
	"k8s.io/klog/v2.Fatal":                    true,
	"k8s.io/klog/v2.Fatalf":                   true,
	"k8s.io/klog/v2.Exit":                     true,
	"k8s.io/klog/v2.Exitf":                    true,
	"github.com/sirupsen/logrus.Fatal":        true,
	"github.com/sirupsen/logrus.Fatalf":       true,
	"github.com/sirupsen/logrus.Panic":        true,
	"github.com/sirupsen/logrus.Panicf":       true,
	"(*go.uber.org/zap.Logger).Fatal":         true,
	"(*go.uber.org/zap.Logger).Panic":         true,
	"(*go.uber.org/zap.SugaredLogger).Fatal":  true,
	"(*go.uber.org/zap.SugaredLogger).Fatalf": true,
}

func known(fn *types.Func) bool {
	return noReturnFuncs[fn.FullName()] || testingTBLike(fn)
}

// testingTBLike reports whether fn is Fatal, Fatalf, FailNow, Skip,
// Skipf or SkipNow of an interface shaped like testing.TB (it also has
// Helper and Errorf): test helpers often take such an interface of
// their own so as not to import testing, and its Fatal stops the
// goroutine as t.Fatal does.
func testingTBLike(fn *types.Func) bool {
	switch fn.Name() {
	case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
	default:
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	iface, ok := sig.Recv().Type().Underlying().(*types.Interface)
	if !ok {
		return false
	}
	has := func(name string) bool {
		for m := range iface.Methods() {
			if m.Name() == name {
				return true
			}
		}
		return false
	}
	return has("Helper") && has("Errorf")
}
