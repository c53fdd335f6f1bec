package main

import (
	"bufio"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// maxSourceBytes caps the size of one inspected file; larger files are
// reported as parse errors instead of being read.
const maxSourceBytes = 16 << 20

// sourceFile is one .go file of the module.
type sourceFile struct {
	rel  string    // relative to the module root, slash-separated
	test bool      // a _test.go file
	file *ast.File // nil when the file could not be read or parsed at all
}

// sourceDir is one directory of the module holding .go files.
type sourceDir struct {
	dir    string // "." or a slash-separated relative path
	files  []*sourceFile
	errors []string
}

// Inspect parses the module rooted at root and returns its facts.
func Inspect(root string) (*Module, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", root)
	}
	fset := token.NewFileSet()
	dirs, err := collectSources(root, fset)
	if err != nil {
		return nil, err
	}
	module := readModulePath(filepath.Join(root, "go.mod"))
	return analyzeModule(module, dirs, fset), nil
}

// collectSources walks the module and parses its files, returning its
// directories sorted by path.
func collectSources(root string, fset *token.FileSet) ([]*sourceDir, error) {
	byDir := map[string]*sourceDir{}
	dirFor := func(dir string) *sourceDir {
		d := byDir[dir]
		if d == nil {
			d = &sourceDir{dir: dir}
			byDir[dir] = d
		}
		return d
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel := relativePath(root, p)
		if err != nil {
			if rel == "." {
				return err
			}
			dirFor(path.Dir(rel)).errors = append(dirFor(path.Dir(rel)).errors,
				fmt.Sprintf("%s: %v", rel, unwrapPathError(err)))
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") ||
				strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Lstat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // a nested module is not part of this one
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") ||
			strings.HasPrefix(name, "_") {
			return nil
		}
		sd := dirFor(path.Dir(rel))
		sf := &sourceFile{rel: rel, test: strings.HasSuffix(name, "_test.go")}
		sd.files = append(sd.files, sf)
		if !d.Type().IsRegular() {
			sd.errors = append(sd.errors, rel+": not a regular file; not inspected")
			return nil
		}
		src, err := readSource(p)
		if err != nil {
			sd.errors = append(sd.errors, fmt.Sprintf("%s: %v", rel, err))
			return nil
		}
		f, err := parser.ParseFile(fset, rel, src, parser.ParseComments)
		sf.file = f
		sd.errors = append(sd.errors, parseErrorStrings(rel, err)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	dirs := make([]*sourceDir, 0, len(byDir))
	for _, d := range byDir {
		sort.Slice(d.files, func(i, j int) bool { return d.files[i].rel < d.files[j].rel })
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].dir < dirs[j].dir })
	return dirs, nil
}

// relativePath returns p relative to root with forward slashes.
func relativePath(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// unwrapPathError drops the absolute path an fs.PathError carries.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// readSource reads a file of at most maxSourceBytes.
func readSource(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxSourceBytes+1))
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if len(src) > maxSourceBytes {
		return nil, fmt.Errorf("larger than %d bytes; not inspected", maxSourceBytes)
	}
	return src, nil
}

// parseErrorStrings renders the parser's errors as "file:line:col: message".
func parseErrorStrings(rel string, err error) []string {
	if err == nil {
		return nil
	}
	var list scanner.ErrorList
	if errors.As(err, &list) {
		out := make([]string, 0, len(list))
		for _, e := range list {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{fmt.Sprintf("%s: %v", rel, err)}
}

// readModulePath returns the module path declared by go.mod, or "".
func readModulePath(goMod string) string {
	info, err := os.Lstat(goMod)
	if err != nil || !info.Mode().IsRegular() {
		return ""
	}
	f, err := os.Open(goMod)
	if err != nil {
		return ""
	}
	defer f.Close()
	lines := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for lines.Scan() {
		line := lines.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || fields[0] != "module" {
			continue
		}
		if unquoted, err := strconv.Unquote(fields[1]); err == nil {
			return unquoted
		}
		return fields[1]
	}
	return ""
}
