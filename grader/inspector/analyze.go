package main

import (
	"go/ast"
	"go/token"
	"path"
	"sort"
	"strconv"
	"strings"
)

// scope holds the package-level declarations of one package clause name in
// one directory (a directory may hold "p" and the external test package
// "p_test").
type scope struct {
	names map[string]bool          // every top-level name but methods
	types map[string]*ast.TypeSpec // top-level type declarations
}

func newScope() *scope {
	return &scope{names: map[string]bool{}, types: map[string]*ast.TypeSpec{}}
}

// add records the top-level declarations of f.
func (s *scope) add(f *ast.File) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name != nil {
				s.names[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					s.names[sp.Name.Name] = true
					s.types[sp.Name.Name] = sp
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						s.names[n.Name] = true
					}
				}
			}
		}
	}
}

// moduleContext is what the analysis of one package needs to know about the
// rest of the module.
type moduleContext struct {
	fset *token.FileSet
	// localNames maps the import path of each package of the module to its
	// package name.
	localNames map[string]string
	// localScopes maps the import path of each package of the module to the
	// declarations of its non-test files.
	localScopes map[string]*scope
}

// analyzeModule computes the facts of every directory.
func analyzeModule(module string, dirs []*sourceDir, fset *token.FileSet) *Module {
	ctx := &moduleContext{fset: fset, localNames: map[string]string{},
		localScopes: map[string]*scope{}}
	names := make([]string, len(dirs))
	for i, d := range dirs {
		names[i] = packageName(d)
		if module == "" {
			continue
		}
		importPath := localPackagePath(module, d.dir)
		ctx.localNames[importPath] = names[i]
		s := newScope()
		for _, sf := range d.files {
			if sf.file != nil && !sf.test && fileName(sf.file) == names[i] {
				s.add(sf.file)
			}
		}
		ctx.localScopes[importPath] = s
	}
	out := &Module{Module: module, Packages: make([]*Package, 0, len(dirs))}
	for i, d := range dirs {
		out.Packages = append(out.Packages, ctx.analyzePackage(d, names[i]))
	}
	return out
}

// fileName returns the package clause of f, or "".
func fileName(f *ast.File) string {
	if f.Name == nil {
		return ""
	}
	return f.Name.Name
}

// packageName returns the most common package clause of the directory's
// non-test files, else that of its test files without "_test".
func packageName(d *sourceDir) string {
	for _, test := range []bool{false, true} {
		counts := map[string]int{}
		best := ""
		for _, sf := range d.files {
			if sf.test != test || sf.file == nil || fileName(sf.file) == "" {
				continue
			}
			n := fileName(sf.file)
			counts[n]++
			if best == "" || counts[n] > counts[best] {
				best = n
			}
		}
		if best != "" {
			return strings.TrimSuffix(best, "_test")
		}
	}
	return ""
}

// analyzePackage computes the facts of one directory.
func (ctx *moduleContext) analyzePackage(d *sourceDir, name string) *Package {
	pkg := &Package{
		Dir: d.dir, Name: name, Files: []string{}, TestFiles: []string{},
		Imports: []Import{}, Exported: []string{}, Calls: []Call{},
		PackageMutables: []Mutable{}, AnyFields: []AnyField{}, Linknames: []Linkname{},
		Cgo: []Cgo{}, ParseErrors: append([]string{}, d.errors...),
	}
	scopes := map[string]*scope{}
	for _, sf := range d.files {
		if sf.file == nil {
			continue
		}
		n := fileName(sf.file)
		if scopes[n] == nil {
			scopes[n] = newScope()
		}
		scopes[n].add(sf.file)
	}
	exported := map[string]bool{}
	for _, sf := range d.files {
		if sf.test {
			pkg.TestFiles = append(pkg.TestFiles, sf.rel)
		} else {
			pkg.Files = append(pkg.Files, sf.rel)
		}
		if sf.file == nil {
			continue
		}
		fa := &fileAnalysis{ctx: ctx, pkg: pkg, src: sf, scope: scopes[fileName(sf.file)]}
		fa.imports()
		fa.linknames()
		fa.calls()
		fa.packageMutables()
		fa.anyFields()
		if !sf.test {
			addExported(sf.file, exported)
		}
	}
	for e := range exported {
		pkg.Exported = append(pkg.Exported, e)
	}
	sort.Strings(pkg.Exported)
	return pkg
}

// fileAnalysis collects the facts of one file into its package.
type fileAnalysis struct {
	ctx   *moduleContext
	pkg   *Package
	src   *sourceFile
	scope *scope
}

func (fa *fileAnalysis) position(pos token.Pos) token.Position {
	return fa.ctx.fset.Position(pos)
}

// imports records the file's import specs and imports of "C".
func (fa *fileAnalysis) imports() {
	for _, spec := range fa.src.file.Imports {
		p := importPath(spec)
		pos := fa.position(spec.Pos())
		imp := Import{Path: p, File: fa.src.rel, Line: pos.Line, Test: fa.src.test}
		if spec.Name != nil {
			imp.Name = spec.Name.Name
		}
		fa.pkg.Imports = append(fa.pkg.Imports, imp)
		if p == "C" {
			fa.pkg.Cgo = append(fa.pkg.Cgo, Cgo{File: fa.src.rel, Line: pos.Line, Test: fa.src.test})
		}
	}
}

// importPath returns the unquoted path of an import spec.
func importPath(spec *ast.ImportSpec) string {
	if spec.Path == nil {
		return ""
	}
	if p, err := strconv.Unquote(spec.Path.Value); err == nil {
		return p
	}
	return spec.Path.Value
}

// linknames records //go:linkname directives.
func (fa *fileAnalysis) linknames() {
	for _, group := range fa.src.file.Comments {
		for _, c := range group.List {
			rest, ok := strings.CutPrefix(c.Text, "//go:linkname")
			if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
				continue
			}
			text := c.Text
			if len(text) > 200 {
				text = text[:200]
			}
			pos := fa.position(c.Pos())
			fa.pkg.Linknames = append(fa.pkg.Linknames,
				Linkname{Text: text, File: fa.src.rel, Line: pos.Line, Test: fa.src.test})
		}
	}
}

// addExported adds the exported identifiers declared by f to out.
func addExported(f *ast.File, out map[string]bool) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name == nil || !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil {
				out[d.Name.Name] = true
				continue
			}
			if len(d.Recv.List) == 1 {
				if recv := baseTypeName(d.Recv.List[0].Type); ast.IsExported(recv) {
					out[recv+"."+d.Name.Name] = true
				}
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					if sp.Name.IsExported() {
						out[sp.Name.Name] = true
						addExportedMembers(sp.Name.Name, sp.Type, out)
					}
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						if n.IsExported() {
							out[n.Name] = true
						}
					}
				}
			}
		}
	}
}

// addExportedMembers adds the exported fields of a struct type or methods of
// an interface type as "Type.Member".
func addExportedMembers(typeName string, t ast.Expr, out map[string]bool) {
	var fields *ast.FieldList
	switch tt := ast.Unparen(t).(type) {
	case *ast.StructType:
		fields = tt.Fields
	case *ast.InterfaceType:
		fields = tt.Methods
	}
	if fields == nil {
		return
	}
	_, isInterface := ast.Unparen(t).(*ast.InterfaceType)
	for _, field := range fields.List {
		if len(field.Names) == 0 {
			if isInterface {
				continue // an embedded interface or a type union
			}
			if n := baseTypeName(field.Type); ast.IsExported(n) {
				out[typeName+"."+n] = true
			}
			continue
		}
		for _, n := range field.Names {
			if n.IsExported() {
				out[typeName+"."+n.Name] = true
			}
		}
	}
}

// baseTypeName returns the name of a (possibly pointer, parenthesized,
// qualified or instantiated) type expression, or "".
func baseTypeName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.SelectorExpr:
			return t.Sel.Name
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// guessPackageNames returns the names a package imported without an
// explicit name is likely to have, from its import path: "math/rand/v2" ->
// rand, "gopkg.in/yaml.v3" -> yaml, "github.com/mattn/go-sqlite3" -> sqlite3.
func guessPackageNames(importPath string) []string {
	elems := strings.Split(importPath, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && isMajorVersion(last) {
		last = elems[len(elems)-2]
	}
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && token.IsIdentifier(n) && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	add(last)
	trimmed := last
	if i := strings.Index(trimmed, "."); i > 0 {
		trimmed = trimmed[:i]
	}
	trimmed = strings.TrimPrefix(trimmed, "go-")
	trimmed = strings.TrimSuffix(trimmed, "-go")
	add(trimmed)
	add(strings.ReplaceAll(trimmed, "-", ""))
	add(strings.ReplaceAll(trimmed, "-", "_"))
	return out
}

// isMajorVersion reports whether a path element is a major version suffix
// such as "v2".
func isMajorVersion(elem string) bool {
	if len(elem) < 2 || elem[0] != 'v' {
		return false
	}
	for _, r := range elem[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// localPackagePath returns the import path of the module's directory dir.
func localPackagePath(module, dir string) string {
	if dir == "." {
		return module
	}
	return path.Join(module, dir)
}
