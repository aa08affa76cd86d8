package checkrun

import (
	"go/ast"
	"go/token"
)

// pruneToAPI removes from the files of a dependency the package-level
// declarations that none of its importers can reach, before it is
// type-checked without function bodies.
//
// An importer sees a dependency only through its exported names, and
// through whatever their declarations mention: the types of exported
// variables, the signatures of exported functions and methods, the
// fields and methods of the types those mention, and so on. The rest
// (unexported helpers, unexported types used only inside function
// bodies, their methods) would be type-checked, its parameters and
// scopes kept for the whole run, and never looked at. In a service's
// build graph that is much of the memory the loader holds.
//
// What is kept is computed by reachability over names, not objects,
// and is conservative: a declaration is kept if its name appears
// anywhere outside a function body in a kept declaration (as a field
// name or selector too), every method of a kept type is kept, and
// constants and imports are always kept (a constant group's implicit
// repetition depends on every spec before it). Removing an unused
// helper may leave an import unused; the dependency's type errors are
// ignored anyway, and its API is unchanged (TestPruneKeepsAPI).
func pruneToAPI(files []*ast.File) {
	// byName holds the removable declarations of each package-level name;
	// methods holds the methods of each receiver base type name.
	byName := make(map[string][]*decl)
	methods := make(map[string][]*ast.FuncDecl)
	kept := make(map[ast.Node]bool)
	var work []ast.Node // kept, not yet walked

	keep := func(n ast.Node) {
		if !kept[n] {
			kept[n] = true
			work = append(work, n)
		}
	}
	add := func(d *decl) {
		exported := false
		for _, id := range d.names {
			byName[id.Name] = append(byName[id.Name], d)
			exported = exported || id.IsExported()
		}
		if exported {
			if d.fn != nil {
				keep(d.fn)
			} else {
				keep(d.spec)
			}
		}
	}
	for _, f := range files {
		for _, gd := range f.Decls {
			switch gd := gd.(type) {
			case *ast.FuncDecl:
				if gd.Recv != nil && len(gd.Recv.List) == 1 {
					if base := receiverBase(gd.Recv.List[0].Type); base != "" {
						methods[base] = append(methods[base], gd)
						continue
					}
				}
				if gd.Recv != nil {
					keep(gd) // malformed receiver: leave it to the checker
					continue
				}
				add(&decl{fn: gd, names: []*ast.Ident{gd.Name}})
			case *ast.GenDecl:
				for _, s := range gd.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						add(&decl{spec: s, names: []*ast.Ident{s.Name}})
					case *ast.ValueSpec:
						if gd.Tok == token.VAR {
							add(&decl{spec: s, names: s.Names})
						} else {
							keep(s)
						}
					}
				}
			}
		}
	}

	// Walk what is kept, outside function bodies, and keep every
	// declaration of every name it mentions.
	mentioned := make(map[string]bool)
	keptMethods := make(map[string]bool)        // by receiver base type
	waiting := make(map[string][]*ast.FuncDecl) // unexported methods of kept types, by name
	mention := func(name string) {
		for _, d := range byName[name] {
			if d.fn != nil {
				keep(d.fn)
			} else {
				keep(d.spec)
			}
		}
		if ms := methods[name]; ms != nil && !keptMethods[name] && isTypeName(byName[name]) {
			// Only types have methods. A kept type keeps its exported
			// methods; an unexported one matters to importers only if
			// an interface of this package has a method of that name,
			// so it waits until its name is mentioned.
			keptMethods[name] = true
			for _, m := range ms {
				if m.Name.IsExported() || mentioned[m.Name.Name] {
					keep(m)
				} else {
					waiting[m.Name.Name] = append(waiting[m.Name.Name], m)
				}
			}
		}
		if !mentioned[name] {
			mentioned[name] = true
			for _, m := range waiting[name] {
				keep(m)
			}
			delete(waiting, name)
		}
	}
	visit := func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			mention(id.Name)
		}
		return true
	}
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		if fd, ok := n.(*ast.FuncDecl); ok {
			if fd.Recv != nil {
				ast.Inspect(fd.Recv, visit)
			}
			ast.Inspect(fd.Type, visit) // type parameters, parameters, results
			continue
		}
		if ts, ok := n.(*ast.TypeSpec); ok {
			mention(ts.Name.Name) // its methods
		}
		ast.Inspect(n, visit)
	}

	// A method whose receiver names no type of the package (an error,
	// or a type declared in a file not parsed) is left to the checker.
	for base, ms := range methods {
		if !isTypeName(byName[base]) {
			for _, m := range ms {
				kept[m] = true
			}
		}
	}

	for _, f := range files {
		decls := f.Decls[:0]
		for _, gd := range f.Decls {
			switch gd := gd.(type) {
			case *ast.FuncDecl:
				if !kept[gd] {
					continue
				}
			case *ast.GenDecl:
				if gd.Tok == token.TYPE || gd.Tok == token.VAR {
					specs := gd.Specs[:0]
					for _, s := range gd.Specs {
						if kept[s] {
							specs = append(specs, s)
						}
					}
					clear(gd.Specs[len(specs):])
					gd.Specs = specs
					if len(specs) == 0 {
						continue
					}
				}
			}
			decls = append(decls, gd)
		}
		clear(f.Decls[len(decls):])
		f.Decls = decls
	}
}

// A decl is one removable package-level declaration.
type decl struct {
	fn    *ast.FuncDecl
	spec  ast.Spec // *ast.TypeSpec, or *ast.ValueSpec of a var
	names []*ast.Ident
}

// isTypeName reports whether one of ds declares a type.
func isTypeName(ds []*decl) bool {
	for _, d := range ds {
		if _, ok := d.spec.(*ast.TypeSpec); ok {
			return true
		}
	}
	return false
}

// receiverBase returns the name of a method receiver's base type, or "".
func receiverBase(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.Ident:
			return t.Name
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		default:
			return ""
		}
	}
}
