package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Module is one submission: a Go module as relative slash paths to contents.
type Module struct {
	Files map[string][]byte
}

// Clone returns a copy that shares no map with m.
func (m *Module) Clone() *Module {
	c := &Module{Files: make(map[string][]byte, len(m.Files))}
	for name, data := range m.Files {
		c.Files[name] = data
	}
	return c
}

// GoFiles returns the paths of the module's non-test Go files, sorted.
func (m *Module) GoFiles() []string {
	var names []string
	for name := range m.Files {
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// ModulePath returns the module path declared in go.mod.
func (m *Module) ModulePath() string {
	for _, line := range strings.Split(string(m.Files["go.mod"]), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// ReadModule reads the module in dir, without its test files.
func ReadModule(dir string) (*Module, error) {
	m := &Module{Files: map[string][]byte{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, "_test.go") || rel == "expect.textproto" {
			return nil
		}
		data, err := os.ReadFile(p)
		m.Files[rel] = data
		return err
	})
	return m, err
}

var deleteLine = regexp.MustCompile(`(?m)^\s*delete:\s*"([^"]+)"`)

// ReadSample returns the module a sample overlay stands for: the reference
// with the sample's files added or replaced and its `delete:` files removed.
func ReadSample(reference *Module, dir string) (*Module, error) {
	overlay, err := ReadModule(dir)
	if err != nil {
		return nil, err
	}
	m := reference.Clone()
	for name, data := range overlay.Files {
		m.Files[name] = data
	}
	expect, err := os.ReadFile(filepath.Join(dir, "expect.textproto"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for _, match := range deleteLine.FindAllStringSubmatch(string(expect), -1) {
		delete(m.Files, match[1])
	}
	return m, nil
}

// Write writes m into dir, which must not exist yet.
func (m *Module) Write(dir string) error {
	for name, data := range m.Files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Package is one type-checked package of a module.
type Package struct {
	Dir   string      // slash path relative to the module root, "." for the root
	Names []string    // module paths of Files, in the same order
	Files []*ast.File // parsed with comments
	Srcs  [][]byte    // the files' contents
	// Appended holds, per file, declarations (source text) to add at its
	// end when it is printed back: new code gets real positions that way,
	// and comments stay where they were.
	Appended [][]string
	Fset     *token.FileSet
	Types    *types.Package
	Info     *types.Info
}

// stdImporter is shared by every type check: it imports the standard
// library from the toolchain's export data once per package.
var stdImporter = importer.Default()

// moduleImporter resolves the module's own packages from source and the
// rest from the standard library.
type moduleImporter struct {
	modulePath string
	packages   map[string]*Package // by import path
	check      func(importPath string) (*Package, error)
}

func (mi *moduleImporter) Import(importPath string) (*types.Package, error) {
	if importPath == mi.modulePath || strings.HasPrefix(importPath, mi.modulePath+"/") {
		p, err := mi.check(importPath)
		if err != nil {
			return nil, err
		}
		return p.Types, nil
	}
	return stdImporter.Import(importPath)
}

// Check parses and type-checks every package of m. It fails on the first
// parse or type error.
func Check(m *Module) ([]*Package, error) {
	modulePath := m.ModulePath()
	fset := token.NewFileSet()
	byDir := map[string][]string{}
	for _, name := range m.GoFiles() {
		dir := path.Dir(name)
		byDir[dir] = append(byDir[dir], name)
	}
	mi := &moduleImporter{modulePath: modulePath, packages: map[string]*Package{}}
	inProgress := map[string]bool{}
	mi.check = func(importPath string) (*Package, error) {
		if p, ok := mi.packages[importPath]; ok {
			return p, nil
		}
		if inProgress[importPath] {
			return nil, fmt.Errorf("import cycle at %s", importPath)
		}
		inProgress[importPath] = true
		dir := "."
		if importPath != modulePath {
			dir = strings.TrimPrefix(importPath, modulePath+"/")
		}
		names := byDir[dir]
		if len(names) == 0 {
			return nil, fmt.Errorf("no Go files for %s", importPath)
		}
		p := &Package{Dir: dir, Names: names, Fset: fset}
		for _, name := range names {
			f, err := parser.ParseFile(fset, name, m.Files[name], parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			p.Files = append(p.Files, f)
			p.Srcs = append(p.Srcs, m.Files[name])
			p.Appended = append(p.Appended, nil)
		}
		p.Info = &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Implicits:  map[ast.Node]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
			Scopes:     map[ast.Node]*types.Scope{},
		}
		conf := types.Config{Importer: mi, GoVersion: "go1.26"}
		tp, err := conf.Check(importPath, fset, p.Files, p.Info)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", importPath, err)
		}
		p.Types = tp
		mi.packages[importPath] = p
		return p, nil
	}
	dirs := make([]string, 0, len(byDir))
	for dir := range byDir {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	var pkgs []*Package
	for _, dir := range dirs {
		importPath := modulePath
		if dir != "." {
			importPath += "/" + dir
		}
		p, err := mi.check(importPath)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// PrintFile formats f (as gofmt would) and stores it in m under name.
func PrintFile(m *Module, fset *token.FileSet, name string, f *ast.File) error {
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	m.Files[name] = buf.Bytes()
	return nil
}

// EditPackages type-checks m and calls edit on each package, which changes
// its files' syntax trees in place; every file is then printed back into a
// copy of m. The edit reports whether it changed anything.
func EditPackages(m *Module, edit func(p *Package) (bool, error)) (*Module, bool, error) {
	pkgs, err := Check(m)
	if err != nil {
		return nil, false, err
	}
	out := m.Clone()
	changed := false
	for _, p := range pkgs {
		ok, err := edit(p)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			continue
		}
		changed = true
		for i, f := range p.Files {
			if err := PrintFile(out, p.Fset, p.Names[i], f); err != nil {
				return nil, false, err
			}
			if len(p.Appended[i]) > 0 {
				src := string(out.Files[p.Names[i]]) + "\n" + strings.Join(p.Appended[i], "\n")
				formatted, err := format.Source([]byte(src))
				if err != nil {
					return nil, false, fmt.Errorf("%s: %w", p.Names[i], err)
				}
				out.Files[p.Names[i]] = formatted
			}
		}
	}
	return out, changed, nil
}

// SourceFile is one parsed Go file of a module.
type SourceFile struct {
	Name string // module path
	Src  []byte
	Fset *token.FileSet
	AST  *ast.File // with comments
}

// ParseFiles parses every non-test Go file of m.
func ParseFiles(m *Module) ([]*SourceFile, error) {
	fset := token.NewFileSet()
	var files []*SourceFile
	for _, name := range m.GoFiles() {
		f, err := parser.ParseFile(fset, name, m.Files[name], parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, &SourceFile{name, m.Files[name], fset, f})
	}
	return files, nil
}

// EditFiles parses m and calls edit on each file; edit returns the file's
// new content, or nil to keep it. It returns the edited copy of m and
// whether any file changed.
func EditFiles(m *Module, edit func(all []*SourceFile, sf *SourceFile) ([]byte, error)) (*Module, bool, error) {
	files, err := ParseFiles(m)
	if err != nil {
		return nil, false, err
	}
	out := m.Clone()
	changed := false
	for _, sf := range files {
		data, err := edit(files, sf)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", sf.Name, err)
		}
		if data != nil {
			out.Files[sf.Name] = data
			changed = true
		}
	}
	return out, changed, nil
}
