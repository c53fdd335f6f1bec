package main

import (
	"encoding/json"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// inspectFacts inspects testdata/facts once per test.
func inspectFacts(t *testing.T) *Module {
	t.Helper()
	m, err := Inspect(filepath.Join("testdata", "facts"))
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return m
}

// packageAt returns the package of dir or fails the test.
func packageAt(t *testing.T, m *Module, dir string) *Package {
	t.Helper()
	for _, p := range m.Packages {
		if p.Dir == dir {
			return p
		}
	}
	t.Fatalf("no package at %q", dir)
	return nil
}

func TestWalkSkipsIgnoredDirectoriesAndFiles(t *testing.T) {
	m := inspectFacts(t)
	if m.Module != "example.com/facts" {
		t.Errorf("module = %q, want example.com/facts", m.Module)
	}
	var dirs []string
	for _, p := range m.Packages {
		dirs = append(dirs, p.Dir)
	}
	want := []string{".", "cgo", "internal/store", "testonly"}
	if !reflect.DeepEqual(dirs, want) {
		t.Errorf("dirs = %q, want %q (testdata, vendor, .hidden, _under and nested modules skipped)", dirs, want)
	}
	root := packageAt(t, m, ".")
	if root.Name != "facts" {
		t.Errorf("root name = %q, want facts", root.Name)
	}
	wantFiles := []string{"dot.go", "dotlocal.go", "generic.go", "scraper.go", "shadow.go"}
	if !reflect.DeepEqual(root.Files, wantFiles) {
		t.Errorf("files = %q, want %q", root.Files, wantFiles)
	}
	wantTests := []string{"external_test.go", "scraper_test.go"}
	if !reflect.DeepEqual(root.TestFiles, wantTests) {
		t.Errorf("test files = %q, want %q", root.TestFiles, wantTests)
	}
	only := packageAt(t, m, "testonly")
	if only.Name != "testonly" || len(only.Files) != 0 ||
		!reflect.DeepEqual(only.TestFiles, []string{"testonly/only_test.go"}) {
		t.Errorf("testonly = %+v, want name testonly and one test file", only)
	}
}

func TestImports(t *testing.T) {
	root := packageAt(t, inspectFacts(t), ".")
	find := func(path, file string) *Import {
		for i := range root.Imports {
			if root.Imports[i].Path == path && root.Imports[i].File == file {
				return &root.Imports[i]
			}
		}
		t.Fatalf("no import of %q in %s: %+v", path, file, root.Imports)
		return nil
	}
	if got := find("time", "scraper_test.go"); !got.Test || got.Line != 5 || got.Name != "" {
		t.Errorf("time in test = %+v, want test, line 5, no name", got)
	}
	if got := find("time", "scraper.go"); got.Test || got.Name != "clock" || got.Line != 8 {
		t.Errorf("aliased time = %+v, want name clock, line 8", got)
	}
	if got := find("time", "dot.go"); got.Name != "." {
		t.Errorf("dot import = %+v, want name .", got)
	}
	if got := find("unsafe", "scraper_test.go"); got.Name != "_" {
		t.Errorf("blank import = %+v, want name _", got)
	}
	find("golang.org/x/sync/singleflight", "scraper.go")
	find("example.com/facts", "external_test.go")
}

func TestExported(t *testing.T) {
	root := packageAt(t, inspectFacts(t), ".")
	want := []string{
		"Any", "Cache", "Cache.Get", "Cache.Len", "Cache.Locker", "Crawl", "ErrStop", "Fetcher",
		"Fetcher.Fetch", "Limit", "NewSet", "Options", "Options.Client", "Options.MaxDepth",
		"Registry", "Set", "Set.Add",
	}
	if !reflect.DeepEqual(root.Exported, want) {
		t.Errorf("exported =\n%q\nwant\n%q", root.Exported, want)
	}
	if got := packageAt(t, inspectFacts(t), "testonly").Exported; len(got) != 0 {
		t.Errorf("test files export %q, want nothing", got)
	}
}

func TestCalls(t *testing.T) {
	root := packageAt(t, inspectFacts(t), ".")
	type key struct {
		Target, Kind, File string
		Line, Col          int
		Test               bool
	}
	var got []key
	for _, c := range root.Calls {
		got = append(got, key{c.Target, c.Kind, c.File, c.Line, c.Col, c.Test})
	}
	for _, want := range []key{
		{"time.Sleep", "call", "scraper.go", 57, 2, false},       // alias clock
		{"time.Millisecond", "ref", "scraper.go", 57, 14, false}, // constant
		{"time.Sleep", "ref", "scraper.go", 58, 10, false},       // method value
		{"golang.org/x/sync/singleflight.Group", "ref", "scraper.go", 60, 8, false},
		{"math/rand/v2.IntN", "call", "scraper.go", 62, 6, false},        // major version
		{"gopkg.in/yaml.v3.Marshal", "call", "scraper.go", 63, 9, false}, // gopkg.in
		{"example.com/facts/internal/store.Put", "call", "scraper.go", 64, 2, false},
		{"net/http.DefaultClient", "ref", "scraper.go", 29, 12, false}, // package level
		{"time.Sleep", "call", "dot.go", 6, 2, false},                  // dot import
		{"time.Second", "ref", "dot.go", 6, 8, false},
		{"time.Sleep", "ref", "dot.go", 7, 7, false},
		{"example.com/facts/internal/store.Put", "call", "dotlocal.go", 9, 2, false},
		{"strings.ToUpper", "call", "dotlocal.go", 9, 6, false},
		{"time.Duration", "call", "shadow.go", 10, 9, false}, // conversion
		{"time.Sleep", "call", "scraper_test.go", 15, 2, true},
		{"example.com/facts.Crawl", "ref", "external_test.go", 10, 6, true},
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing call %+v", want)
		}
	}
	for _, c := range got {
		switch {
		case c.File == "shadow.go" && c.Target == "time.Sleep":
			t.Errorf("shadowed parameter reported as %+v", c)
		case c.Target == "strings.Put" || c.Target == "time.helper" || c.Target == "time.f":
			t.Errorf("local name attributed to a dot import: %+v", c)
		case c.File == "scraper.go" && c.Line == 66:
			t.Errorf("local variable shadowing an alias reported as %+v", c)
		case strings.HasSuffix(c.Target, ".T") && !strings.HasPrefix(c.Target, "testing."):
			t.Errorf("receiver type parameter reported as %+v", c)
		}
	}
}

func TestPackageMutables(t *testing.T) {
	root := packageAt(t, inspectFacts(t), ".")
	got := map[string]string{}
	for _, m := range root.PackageMutables {
		got[m.Name] = m.Kind
		if m.Test != (m.File == "scraper_test.go") {
			t.Errorf("%+v: test flag does not match the file", m)
		}
	}
	want := map[string]string{
		"visited": "map", "queue": "slice", "made": "map", "buf": "slice", "lit": "slice",
		"conv": "slice", "named": "map", "namedV": "map", "paren": "map", "grown": "slice",
		"fixtures": "slice",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("package mutables = %v, want %v (no arrays, pointers, scalars, blanks)", got, want)
	}
}

func TestAnyFields(t *testing.T) {
	root := packageAt(t, inspectFacts(t), ".")
	var got []string
	for _, f := range root.AnyFields {
		got = append(got, f.Struct+"."+f.Field)
	}
	want := []string{
		"Cache.loose", "Cache.legacy", "Cache.boxed", "Cache.byKey", "Cache.alias", "Cache.ch",
		"Cache.inner.payload", "box.v",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("any fields = %q, want %q", got, want)
	}
	if f := root.AnyFields[0]; f.File != "generic.go" || f.Line != 33 || f.Test {
		t.Errorf("first any field = %+v, want generic.go:33", f)
	}
}

func TestLinknamesAndCgo(t *testing.T) {
	m := inspectFacts(t)
	root := packageAt(t, m, ".")
	wantRoot := []Linkname{{Text: "//go:linkname fastrand runtime.fastrand",
		File: "scraper_test.go", Line: 11, Test: true}}
	if !reflect.DeepEqual(root.Linknames, wantRoot) {
		t.Errorf("root linknames = %+v, want %+v", root.Linknames, wantRoot)
	}
	store := packageAt(t, m, "internal/store")
	if len(store.Linknames) != 1 || store.Linknames[0].Line != 6 || store.Linknames[0].Test {
		t.Errorf("store linknames = %+v, want one at line 6", store.Linknames)
	}
	cgo := packageAt(t, m, "cgo")
	wantCgo := []Cgo{{File: "cgo/cgo.go", Line: 7}}
	if !reflect.DeepEqual(cgo.Cgo, wantCgo) {
		t.Errorf("cgo = %+v, want %+v", cgo.Cgo, wantCgo)
	}
	if len(root.Cgo) != 0 {
		t.Errorf("root cgo = %+v, want none", root.Cgo)
	}
}

// writeFiles creates files (path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseErrorsAreFacts(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":          "module example.com/broken\n",
		"ok.go":           "package broken\n\nimport \"time\"\n\nvar m = map[int]int{}\n\nfunc F() { time.Sleep(1) }\n",
		"bad.go":          "package broken\n\nimport \"os\"\n\nfunc G( {\n\tos.Exit(1)\n",
		"sub/bad_test.go": "package sub\n\nfunc (\n",
	})
	if err := os.Symlink(filepath.Join(dir, "ok.go"), filepath.Join(dir, "link.go")); err != nil {
		t.Fatal(err)
	}
	m, err := Inspect(dir)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	root := packageAt(t, m, ".")
	if len(root.ParseErrors) < 2 {
		t.Fatalf("parse errors = %q, want bad.go and link.go", root.ParseErrors)
	}
	if !strings.HasPrefix(root.ParseErrors[0], "bad.go:5:") {
		t.Errorf("first parse error = %q, want bad.go:5:...", root.ParseErrors[0])
	}
	if last := root.ParseErrors[len(root.ParseErrors)-1]; !strings.HasPrefix(last, "link.go: not a regular file") {
		t.Errorf("last parse error = %q, want the symlink", last)
	}
	if !slices.Contains(root.Files, "link.go") || !slices.Contains(root.Files, "bad.go") {
		t.Errorf("files = %q, want bad.go and link.go listed", root.Files)
	}
	// The partial tree of bad.go still yields facts, and ok.go is complete.
	var imports []string
	for _, i := range root.Imports {
		imports = append(imports, i.File+":"+i.Path)
	}
	if !reflect.DeepEqual(imports, []string{"bad.go:os", "ok.go:time"}) {
		t.Errorf("imports = %q", imports)
	}
	if len(root.PackageMutables) != 1 || !slices.Contains(root.Exported, "F") {
		t.Errorf("facts of ok.go missing: %+v", root)
	}
	sub := packageAt(t, m, "sub")
	if len(sub.ParseErrors) == 0 || !strings.HasPrefix(sub.ParseErrors[0], "sub/bad_test.go:") {
		t.Errorf("sub parse errors = %q", sub.ParseErrors)
	}
}

func TestWritesToPackageVariablesAreTold(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/relay\n",
		"relay.go": "package relay\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\n" +
			"func Relay(w *os.File) {\n\tfmt.Fprintln(os.Stdout, 1)\n\t(os.Stdout) = w\n" +
			"\tp := &os.Stderr\n\t*p = w\n\tos.Stdout.Sync()\n}\n",
	})
	m, err := Inspect(dir)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	var got []string
	for _, c := range packageAt(t, m, ".").Calls {
		if strings.HasPrefix(c.Target, "os.") {
			got = append(got, fmt.Sprintf("%s %s %d", c.Target, c.Kind, c.Line))
		}
	}
	want := []string{"os.File ref 8", "os.Stdout ref 9", "os.Stdout write 10", "os.Stderr write 11",
		"os.Stdout ref 13"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("os uses = %q, want %q", got, want)
	}
}

func TestNoGoModAndEmptyLists(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.go": "package a\n"})
	m, err := Inspect(dir)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"module":"","packages":[{"dir":".","name":"a","files":["a.go"],"test_files":[],` +
		`"imports":[],"exported":[],"calls":[],"package_mutables":[],"any_fields":[],` +
		`"linknames":[],"cgo":[],"parse_errors":[]}]}`
	if string(data) != want {
		t.Errorf("json =\n%s\nwant\n%s", data, want)
	}
	if _, err := Inspect(filepath.Join(dir, "missing")); err == nil {
		t.Error("Inspect of a missing directory succeeded")
	}
}

func TestGuessPackageNames(t *testing.T) {
	for path, want := range map[string][]string{
		"time":                           {"time"},
		"math/rand/v2":                   {"rand"},
		"gopkg.in/yaml.v3":               {"yaml"},
		"github.com/mattn/go-sqlite3":    {"sqlite3"},
		"github.com/google/go-cmp/cmp":   {"cmp"},
		"github.com/foo/bar-baz":         {"barbaz", "bar_baz"},
		"golang.org/x/sync/singleflight": {"singleflight"},
	} {
		if got := guessPackageNames(path); !reflect.DeepEqual(got, want) {
			t.Errorf("guessPackageNames(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestTokensAreNormalisedAndMapToLines(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/tok\n",
		"a.go": "package tok\n\n// Sum adds.\nfunc Sum(xs []int) (total int) {\n" +
			"\tfor _, x := range xs { total += x }\n\treturn total + 1.5e0 + 'c' + len(\"s\")\n}\n",
		// The same code renamed, reformatted and commented differently.
		"b/b.go": "package other /* x */\nfunc Add(values []int) (sum int) {\n\tfor _, v := range values {\n" +
			"\t\tsum += v // add\n\t}\n\n\treturn sum + 2.5e0 + 'd' + len(\"t\")\n}\n",
		"b/b_test.go": "package other\n",
	})
	m, err := Tokens(dir)
	if err != nil {
		t.Fatalf("Tokens: %v", err)
	}
	var names []string
	for _, f := range m.Files {
		names = append(names, fmt.Sprintf("%s test=%v", f.File, f.Test))
	}
	if want := []string{"a.go test=false", "b/b.go test=false", "b/b_test.go test=true"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("files = %q, want %q", names, want)
	}
	a, b := m.Files[0], m.Files[1]
	if !reflect.DeepEqual(a.Kinds, b.Kinds) {
		t.Errorf("renamed and reformatted code differs:\n%v\n%v", a.Kinds, b.Kinds)
	}
	if a.Kinds[0] != int(token.PACKAGE) || a.Kinds[1] != int(token.IDENT) {
		t.Errorf("first kinds = %v, want package IDENT", a.Kinds[:2])
	}
	for _, lit := range []token.Token{token.FLOAT, token.CHAR, token.STRING} {
		if !slices.Contains(a.Kinds, int(lit)) {
			t.Errorf("no %v literal kind in %v", lit, a.Kinds)
		}
	}
	if slices.Contains(a.Kinds, int(token.COMMENT)) {
		t.Errorf("a comment survived: %v", a.Kinds)
	}
	// "return" is on line 6 of a.go and line 7 of b/b.go.
	ret := slices.Index(a.Kinds, int(token.RETURN))
	if a.Lines[ret] != 6 || b.Lines[slices.Index(b.Kinds, int(token.RETURN))] != 7 {
		t.Errorf("return lines = %d, %d; want 6, 7", a.Lines[ret], b.Lines[slices.Index(b.Kinds, int(token.RETURN))])
	}
	if len(a.Kinds) != len(a.Lines) {
		t.Errorf("%d kinds, %d lines", len(a.Kinds), len(a.Lines))
	}
}

func TestTokensOfEachModule(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"s0/go.mod": "module m\n", "s0/a.go": "package m\n\nvar x = 1\n",
		"s1/go.mod": "module m\n", "s1/b.go": "package m\n",
		"stray.txt": "not a module",
	})
	modules, err := TokensOfEach(dir)
	if err != nil {
		t.Fatalf("TokensOfEach: %v", err)
	}
	if len(modules) != 2 || len(modules["s0"].Files) != 1 || modules["s1"].Files[0].File != "b.go" {
		t.Fatalf("modules = %+v", modules)
	}
	if want := []int{int(token.PACKAGE), int(token.IDENT), int(token.VAR), int(token.IDENT),
		int(token.ASSIGN), int(token.INT)}; !reflect.DeepEqual(modules["s0"].Files[0].Kinds, want) {
		t.Errorf("s0 kinds = %v, want %v", modules["s0"].Files[0].Kinds, want)
	}
}
