package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// module makes a one-file module of src.
func module(src string) *Module {
	return &Module{Files: map[string][]byte{
		"go.mod": []byte("module example.com/t\n\ngo 1.26\n"),
		"t.go":   []byte(src),
	}}
}

// apply runs t with a fixed seed, checks the result type-checks and
// returns its t.go.
func apply(t *testing.T, fn TransformFunc, src string, seed uint64) string {
	t.Helper()
	out, changed, err := fn(module(src), rand.New(rand.NewPCG(seed, 7)))
	if err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Fatal("nothing changed")
	}
	if _, err := Check(out); err != nil {
		t.Fatalf("result does not type-check: %v\n%s", err, out.Files["t.go"])
	}
	return string(out.Files["t.go"])
}

const sample = `package t

import (
	"errors"
	"strings"
)

// Item is exported and keeps its name.
type Item struct {
	Name  string
	count int
}

type counter interface{ bump(n int) int }

func (it *Item) bump(n int) int { it.count += n; return it.count }

// total sums the counts.
func total(items []Item) int {
	sum := 0
	for i, it := range items {
		if i > 100 {
			break
		}
		sum += it.count
	}
	for i := 0; i < len(items); i++ {
		sum += items[i].count
	}
	return sum
}

func double(n int) int { return n * 2 }

func Kind(x any, s string) (string, error) {
	switch v := x.(type) {
	case int:
		if v > 10 {
			return "big", nil
		} else if v > 5 {
			return "medium", nil
		} else {
			return "small", nil
		}
	}
	switch s {
	case "a", "b":
		return strings.ToUpper(s), nil
	case "c":
		return s + s, nil
	default:
		var c counter = &Item{}
		return strings.Repeat("x", double(c.bump(len(s))) + total(nil)), errors.New("other")
	}
}
`

func TestRenameKeepsExportedNames(t *testing.T) {
	got := apply(t, Rename, sample, 1)
	for _, kept := range []string{`type Item struct`, `Name +string`, `func Kind\(`, `strings\.ToUpper`} {
		if !regexp.MustCompile(kept).MatchString(got) {
			t.Errorf("%q lost:\n%s", kept, got)
		}
	}
	for _, gone := range []string{"count", "counter", "bump", "total", "double", "sum", "v", "it", "items"} {
		if regexp.MustCompile(`\b` + gone + `\b[^ ]`).MatchString(got) {
			t.Errorf("%q not renamed:\n%s", gone, got)
		}
	}
}

func TestReorderMovesDeclarationsWithTheirComments(t *testing.T) {
	got := apply(t, Reorder, sample, 3)
	if strings.Index(got, "func total") < strings.Index(got, "func Kind") && strings.Index(got, "type Item") < strings.Index(got, "func double") &&
		strings.Index(got, "func double") < strings.Index(got, "func Kind") {
		t.Errorf("order unchanged:\n%s", got)
	}
	if !strings.Contains(got, "// total sums the counts.\nfunc total") {
		t.Errorf("doc comment left behind:\n%s", got)
	}
}

func TestCommentsRemovesAndRelayouts(t *testing.T) {
	got := apply(t, Comments, sample, 5)
	for _, gone := range []string{"total sums", "keeps its name"} {
		if strings.Contains(got, gone) {
			t.Errorf("comment %q kept:\n%s", gone, got)
		}
	}
	if strings.Contains(got, "\n\tsum := 0") && strings.Contains(got, "\n\n\t") {
		t.Errorf("layout unchanged:\n%s", got)
	}
}

func TestDeadInsertsStatements(t *testing.T) {
	got := apply(t, Dead, sample, 2)
	if len(strings.Split(got, "\n")) <= len(strings.Split(sample, "\n")) {
		t.Errorf("no statements added:\n%s", got)
	}
	// The last statement of each block stays last: the file still
	// type-checks (apply checks) with its returns in place.
	if !strings.Contains(got, "return sum\n}") {
		t.Errorf("return moved:\n%s", got)
	}
}

func TestBranchesRewritesConditionals(t *testing.T) {
	got := apply(t, Branches, sample, 4)
	if !strings.Contains(got, `if s == "a" || s == "b" {`) && !strings.Contains(got, "switch {") && !strings.Contains(got, "if !") {
		t.Errorf("no conditional rewritten:\n%s", got)
	}
	// The `break` of the range loop would change target inside a switch.
	if strings.Contains(got, "case i > 100:") {
		t.Errorf("if with break turned into a switch:\n%s", got)
	}
}

func TestBranchesSwitchToIf(t *testing.T) {
	var got string
	for seed := uint64(0); seed < 20 && !strings.Contains(got, `if s == "a" || s == "b" {`); seed++ {
		out, _, err := Branches(module(sample), rand.New(rand.NewPCG(seed, 7)))
		if err != nil {
			t.Fatal(err)
		}
		got = string(out.Files["t.go"])
	}
	if !strings.Contains(got, `if s == "a" || s == "b" {`) || !strings.Contains(got, `} else if s == "c" {`) {
		t.Errorf("switch not turned into if/else-if:\n%s", got)
	}
}

func TestHelpersInlinesAndExtracts(t *testing.T) {
	var got string
	for seed := uint64(0); seed < 20; seed++ {
		got = apply(t, Helpers, sample, seed)
		if !strings.Contains(got, "func double") && strings.Count(got, "\nfunc ") > strings.Count(sample, "\nfunc ")-1 {
			break
		}
	}
	if strings.Contains(got, "func double") {
		t.Errorf("double not inlined:\n%s", got)
	}
	if !regexp.MustCompile(`\*\s*2`).MatchString(got) {
		t.Errorf("double's body not at its call site:\n%s", got)
	}
	if strings.Count(got, "\nfunc ") <= strings.Count(sample, "\nfunc ")-1 {
		t.Errorf("no helper extracted:\n%s", got)
	}
}

func TestLoopsConvertsBothWays(t *testing.T) {
	got := apply(t, Loops, sample, 9)
	if strings.Contains(got, "for i, it := range items") && strings.Contains(got, "for i := 0; i < len(items); i++") {
		t.Errorf("no loop converted:\n%s", got)
	}
	for seed := uint64(0); seed < 30; seed++ {
		got = apply(t, Loops, sample, seed)
		if strings.Contains(got, "it := items[i]") && strings.Contains(got, "for i := range items") {
			return
		}
	}
	t.Errorf("never converted both loops:\n%s", got)
}

func TestDeterministic(t *testing.T) {
	for _, c := range Classes {
		a, errA := c.Apply(module(sample), rand.New(rand.NewPCG(11, 12)))
		b, errB := c.Apply(module(sample), rand.New(rand.NewPCG(11, 12)))
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v %v", c.Name, errA, errB)
		}
		if string(a.Files["t.go"]) != string(b.Files["t.go"]) {
			t.Errorf("%s: two runs with one seed differ", c.Name)
		}
	}
}

// TestReferencesStillBuild applies every class to every exercise's
// reference and builds the copies with the go command (offline).
func TestReferencesStillBuild(t *testing.T) {
	rubrics := filepath.Join("..", "..", "..", "rubrics")
	ids, err := ListExercises(rubrics)
	if err != nil || len(ids) == 0 {
		t.Skipf("no rubrics at %s: %v", rubrics, err)
	}
	scratch := t.TempDir()
	var dirs []string
	for i, id := range ids {
		ref, err := ReadModule(filepath.Join(rubrics, filepath.FromSlash(id), "reference"))
		if err != nil {
			t.Fatal(err)
		}
		for j, c := range Classes {
			m, err := c.Apply(ref, rand.New(rand.NewPCG(uint64(i), uint64(j))))
			if err != nil {
				t.Errorf("%s: %v", id, err)
				continue
			}
			dir := filepath.Join(scratch, strings.ReplaceAll(id, "/", "_")+"_"+c.Name)
			if err := m.Write(dir); err != nil {
				t.Fatal(err)
			}
			dirs = append(dirs, dir)
		}
	}
	if testing.Short() {
		return
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	for _, f := range buildAll(dirs) {
		t.Error(f)
	}
	_ = os.RemoveAll(scratch)
}
