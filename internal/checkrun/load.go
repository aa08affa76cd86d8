package checkrun

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"runtime"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// Loading strategy.
//
// go/packages can give the analyzers what they need in two ways, and
// both cost more than the analysis itself: dependencies from export
// data (`go list -export`) compile every package of the build graph,
// test variants included, which is most of a cold run; dependencies
// from source keep every package's syntax and type information alive
// until the end, which is most of the memory.
//
// This loader asks go list for metadata only (no compilation), then
// type-checks the build graph itself, in dependency order and at most
// GOMAXPROCS packages at a time:
//   - a dependency is parsed without comments, stripped of the
//     declarations its importers cannot reach (pruneToAPI),
//     type-checked without function bodies (its API is all its
//     importers need), and its syntax and line tables dropped at once;
//   - a target package is parsed and type-checked fully, its types are
//     handed to the packages that import it, the analyzers run on it,
//     and its syntax and type information are dropped as soon as its
//     findings are extracted.
//
// So memory holds the API of the build graph plus the few target
// packages in flight, not every target's syntax at once. None of the
// silentfail analyzers uses facts, which is what makes analyzing each
// package alone possible; Run refuses analyzers that do.

// metadataMode is what go list must report: files and the import
// graph, no types (types would make go/packages compile the graph).
const metadataMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedDeps | packages.NeedTypesSizes |
	packages.NeedModule | packages.NeedForTest

// rootParseMode is go/packages' own mode for target packages: the
// analyzers read comments (ignore directives, generated-file markers).
const rootParseMode = parser.AllErrors | parser.ParseComments

// depParseMode is enough to type-check a dependency's API.
const depParseMode = parser.SkipObjectResolution

// usesFacts names the first analyzer, required ones included, that
// imports or exports facts, or returns "".
func usesFacts(as []*analysis.Analyzer) string {
	seen := make(map[*analysis.Analyzer]bool)
	var visit func([]*analysis.Analyzer) string
	visit = func(as []*analysis.Analyzer) string {
		for _, a := range as {
			if seen[a] {
				continue
			}
			seen[a] = true
			if len(a.FactTypes) > 0 {
				return a.Name
			}
			if n := visit(a.Requires); n != "" {
				return n
			}
		}
		return ""
	}
	return visit(as)
}

// A rootResult is what analyzing one target package produced.
type rootResult struct {
	analyzed bool
	broken   *BrokenPackage
	findings []Finding
	failures []error
}

// graphLoader type-checks the build graph of the target packages and
// analyzes each target as soon as it is type-checked.
type graphLoader struct {
	fset      *token.FileSet
	sizes     types.Sizes
	analyzers []*analysis.Analyzer // guarded
	known     []string             // cfg.KnownChecks
	nodes     map[*packages.Package]*node
	cpu       chan struct{} // one token per package being worked on
	results   []rootResult  // by root index

	// fullDeps type-checks dependencies whole and keeps their line
	// tables (tests compare that with the default).
	fullDeps bool
}

type node struct {
	pkg   *packages.Package
	root  int           // index in the targets, -1 for a dependency only
	ready chan struct{} // closed once types is set
	types *types.Package
}

// analyzeGraph type-checks roots and everything they import, runs the
// analyzers on roots, and returns one result per root.
func analyzeGraph(roots []*packages.Package, cfg Config) []rootResult {
	l := &graphLoader{
		fset:      token.NewFileSet(),
		analyzers: guard(cfg.Analyzers),
		known:     cfg.KnownChecks,
		nodes:     make(map[*packages.Package]*node),
		cpu:       make(chan struct{}, runtime.GOMAXPROCS(0)),
		results:   make([]rootResult, len(roots)),
	}
	for i, p := range roots {
		l.nodes[p] = &node{pkg: p, root: i, ready: make(chan struct{})}
	}
	packages.Visit(roots, func(p *packages.Package) bool {
		if _, ok := l.nodes[p]; !ok {
			l.nodes[p] = &node{pkg: p, root: -1, ready: make(chan struct{})}
		}
		if l.sizes == nil && p.TypesSizes != nil {
			l.sizes = p.TypesSizes
		}
		return true
	}, nil)
	if l.sizes == nil {
		l.sizes = types.SizesFor("gc", runtime.GOARCH)
	}
	if cfg.TightGC {
		defer tightGC()()
	}
	var wg sync.WaitGroup
	for _, n := range l.nodes {
		wg.Go(func() { l.process(n) })
	}
	wg.Wait()
	return l.results
}

// process waits for n's imports, type-checks n and, for a target,
// analyzes it. The imports form a DAG, so waiting cannot deadlock, and
// a goroutine holds a CPU token only while it works.
func (l *graphLoader) process(n *node) {
	for _, imp := range n.pkg.Imports {
		if d := l.nodes[imp]; d != nil {
			<-d.ready
		}
	}
	l.cpu <- struct{}{}
	defer func() { <-l.cpu }()

	if n.root < 0 {
		n.types = l.checkDependency(n.pkg)
		close(n.ready)
		return
	}
	p := n.pkg
	errs := l.checkTarget(p)
	n.types = p.Types
	close(n.ready)

	res := &l.results[n.root]
	if len(errs) > 0 {
		bp := BrokenPackage{Package: p.ID}
		for i, e := range errs {
			if i == maxErrorsPerPackage {
				bp.Errors = append(bp.Errors, fmt.Sprintf("(and %d more errors)", len(errs)-i))
				break
			}
			bp.Errors = append(bp.Errors, e)
		}
		res.broken = &bp
	} else {
		res.analyzed = true
		l.analyze(p, res)
	}
	// The importers need only p.Types: let the rest go.
	p.Syntax, p.TypesInfo = nil, nil
}

// importer resolves p's imports to the types of the graph's packages.
func (l *graphLoader) importer(p *packages.Package) types.Importer {
	return importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		ip := p.Imports[path]
		if ip == nil {
			return nil, fmt.Errorf("no metadata for %s", path)
		}
		n := l.nodes[ip]
		if n == nil || n.types == nil {
			return nil, fmt.Errorf("%s was not loaded", path)
		}
		return n.types, nil
	})
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func (l *graphLoader) config(p *packages.Package, errorf func(error)) *types.Config {
	tc := &types.Config{
		Importer: l.importer(p),
		Sizes:    l.sizes,
		Error:    errorf, // set, so that checking goes on after the first error
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		tc.GoVersion = "go" + p.Module.GoVersion
	}
	return tc
}

// checkDependency returns the API of p: errors do not matter here, an
// importer that needs what is missing reports it itself.
func (l *graphLoader) checkDependency(p *packages.Package) *types.Package {
	if p.PkgPath == "unsafe" {
		return types.Unsafe
	}
	var files []*ast.File
	for _, name := range p.CompiledGoFiles {
		f, _ := parser.ParseFile(l.fset, name, nil, depParseMode)
		if f != nil {
			files = append(files, f)
		}
	}
	if !l.fullDeps {
		pruneToAPI(files)
	}
	tc := l.config(p, func(error) {})
	tc.IgnoreFuncBodies = true
	pkg := types.NewPackage(p.PkgPath, p.Name)
	_ = types.NewChecker(tc, l.fset, pkg, nil).Files(files)
	if !l.fullDeps {
		dropLines(l.fset, files)
	}
	return pkg
}

// checkTarget parses and type-checks p fully, filling in what the
// analyzers read, and returns its errors as "file:line:col: msg".
func (l *graphLoader) checkTarget(p *packages.Package) []string {
	var errs []string
	for _, e := range p.Errors {
		errs = append(errs, e.Error())
	}
	var files []*ast.File
	for _, name := range p.CompiledGoFiles {
		f, err := parser.ParseFile(l.fset, name, nil, rootParseMode)
		if list, ok := err.(scanner.ErrorList); ok {
			for _, e := range list {
				errs = append(errs, e.Error())
			}
		} else if err != nil {
			errs = append(errs, err.Error())
		}
		if f != nil {
			files = append(files, f)
		}
	}
	info := &types.Info{
		Types:        make(map[ast.Expr]types.TypeAndValue),
		Defs:         make(map[*ast.Ident]types.Object),
		Uses:         make(map[*ast.Ident]types.Object),
		Implicits:    make(map[ast.Node]types.Object),
		Instances:    make(map[*ast.Ident]types.Instance),
		Scopes:       make(map[ast.Node]*types.Scope),
		Selections:   make(map[*ast.SelectorExpr]*types.Selection),
		FileVersions: make(map[*ast.File]string),
	}
	tc := l.config(p, func(err error) {
		if te, ok := err.(types.Error); ok {
			errs = append(errs, fmt.Sprintf("%s: %s", te.Fset.Position(te.Pos), te.Msg))
			p.TypeErrors = append(p.TypeErrors, te)
			return
		}
		errs = append(errs, err.Error())
	})
	pkg := types.NewPackage(p.PkgPath, p.Name)
	if err := types.NewChecker(tc, l.fset, pkg, info).Files(files); err != nil && len(errs) == 0 {
		errs = append(errs, err.Error())
	}
	p.Fset, p.Syntax, p.Types, p.TypesInfo, p.TypesSizes = l.fset, files, pkg, info, l.sizes
	p.IllTyped = len(errs) > 0
	return errs
}

// analyze runs the analyzers on the type-checked target p and records
// its findings in res.
func (l *graphLoader) analyze(p *packages.Package, res *rootResult) {
	graph, err := checker.Analyze(l.analyzers, []*packages.Package{p}, nil)
	if err != nil {
		res.failures = append(res.failures, fmt.Errorf("analyzing %s: %w", p.ID, err))
		return
	}
	for act := range graph.All() {
		if !act.IsRoot {
			continue
		}
		if act.Err != nil {
			res.failures = append(res.failures, fmt.Errorf("%s on %s: %w", act.Analyzer.Name, p.ID, act.Err))
			continue
		}
		for _, d := range act.Diagnostics {
			f := convert(act.Analyzer.Name, p.ID, l.fset, d)
			f.Func = enclosingFunc(p, d.Pos)
			res.findings = append(res.findings, f)
		}
	}
	if l.known != nil {
		res.findings = append(res.findings, unknownDirectives(p, l.known)...)
	}
}

// dropLines forgets the line tables of a type-checked dependency's
// files: they are most of the memory of the FileSet, and no finding
// points into a dependency (analyzers report in the package they
// analyze, type errors in the files they check). A position in such a
// file still names the file, without line and column.
func dropLines(fset *token.FileSet, files []*ast.File) {
	for _, f := range files {
		if tf := fset.File(f.Pos()); tf != nil {
			tf.SetLines(nil)
		}
	}
}
