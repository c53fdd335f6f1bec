// Command gen writes a labelled corpus for the similarity bench: for each
// exercise of a rubrics tree, the reference and the samples (overlays over
// the reference) are the originals; each is copied once per obfuscation
// class and once per combination of classes by AST transformations that
// keep the code compiling; two independently written solutions per
// exercise (bench/similarity/independent) are the negatives. Every
// submission is a module in corpus/<phase>/<exercise>/<student id>/, and
// labels.csv lists every labelled pair:
//
//	exercise,a,b,label,class
//
// label is "plagiarised" (an original and its copy) or "independent" (alt1
// and alt2, an alt and an original, an alt and a copy); class is the
// copy's obfuscation class, "original" for an alt against an original and
// "independent" for alt1 against alt2. With -scale N it writes instead one
// exercise's corpus of N submissions (originals, copies with random
// classes, alts) for timing. The output is a function of the inputs and
// -seed.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// A TransformFunc rewrites a module; it reports whether it changed it.
type TransformFunc func(m *Module, rng *rand.Rand) (*Module, bool, error)

// Class is one obfuscation class: transforms applied in order.
type Class struct {
	Name       string
	Transforms []TransformFunc
}

// Classes are the single obfuscations, then their combinations. Layout
// changes come last (reordering reformats, and the comments class leaves
// code unformatted).
var Classes = []Class{
	{"rename", []TransformFunc{Rename}},
	{"reorder", []TransformFunc{Reorder}},
	{"comments", []TransformFunc{Comments}},
	{"dead-code", []TransformFunc{Dead}},
	{"if-switch", []TransformFunc{Branches}},
	{"helpers", []TransformFunc{Helpers}},
	{"loops", []TransformFunc{Loops}},
	{"lexical", []TransformFunc{Rename, Reorder, Comments}},
	{"structural", []TransformFunc{Helpers, Loops, Branches, Dead}},
	{"all", []TransformFunc{Helpers, Loops, Branches, Dead, Rename, Reorder, Comments}},
}

// Apply runs the class's transforms on m. A single transform must change
// something; a combination must change something in at least all but one
// of its steps (generic code, say, may offer no expression to extract).
func (c Class) Apply(m *Module, rng *rand.Rand) (*Module, error) {
	unchanged := 0
	for i, t := range c.Transforms {
		next, changed, err := t(m, rng)
		if err != nil {
			return nil, fmt.Errorf("%s step %d: %w", c.Name, i+1, err)
		}
		if !changed {
			unchanged++
			if len(c.Transforms) == 1 || unchanged > 1 {
				return nil, fmt.Errorf("%s step %d: nothing to change", c.Name, i+1)
			}
			continue
		}
		m = next
	}
	if _, err := Check(m); err != nil {
		return nil, fmt.Errorf("%s: result does not type-check: %w", c.Name, err)
	}
	return m, nil
}

// Original is a submission the copies are made from.
type Original struct {
	Name   string // "reference" or "sample:<name>"
	Module *Module
}

// Exercise is what the corpus is made from for one exercise.
type Exercise struct {
	ID        string // <phase>/<exercise>
	Originals []Original
	Alts      []Original // independently written solutions
}

// LoadExercise reads the reference, the samples that type-check and the
// alternative solutions of one exercise.
func LoadExercise(rubrics, independent, id string) (*Exercise, error) {
	dir := filepath.Join(rubrics, filepath.FromSlash(id))
	ref, err := ReadModule(filepath.Join(dir, "reference"))
	if err != nil {
		return nil, err
	}
	if _, err := Check(ref); err != nil {
		return nil, fmt.Errorf("%s reference: %w", id, err)
	}
	ex := &Exercise{ID: id, Originals: []Original{{"reference", ref}}}
	entries, err := os.ReadDir(filepath.Join(dir, "samples"))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		m, err := ReadSample(ref, filepath.Join(dir, "samples", e.Name()))
		if err != nil {
			return nil, err
		}
		if _, err := Check(m); err != nil {
			fmt.Fprintf(os.Stderr, "gen: %s: sample %s left out (it does not type-check)\n", id, e.Name())
			continue
		}
		ex.Originals = append(ex.Originals, Original{"sample:" + e.Name(), m})
	}
	for _, alt := range []string{"alt1", "alt2"} {
		m, err := ReadModule(filepath.Join(independent, filepath.FromSlash(id), alt))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", id, alt, err)
		}
		if _, err := Check(m); err != nil {
			return nil, fmt.Errorf("%s %s does not type-check: %w", id, alt, err)
		}
		ex.Alts = append(ex.Alts, Original{alt, m})
	}
	return ex, nil
}

// ListExercises returns the <phase>/<exercise> ids under rubrics.
func ListExercises(rubrics string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(rubrics, "*", "*", "exercise.textproto"))
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range matches {
		rel, _ := filepath.Rel(rubrics, filepath.Dir(m))
		ids = append(ids, filepath.ToSlash(rel))
	}
	sort.Strings(ids)
	return ids, nil
}

// studentIDs hands out distinct fake student ids.
type studentIDs struct {
	rng  *rand.Rand
	used map[string]bool
}

func (s *studentIDs) next() string {
	for {
		id := fmt.Sprintf("s%06d", s.rng.IntN(1000000))
		if !s.used[id] {
			s.used[id] = true
			return id
		}
	}
}

// Label is one row of labels.csv.
type Label struct {
	Exercise, A, B, Label, Class string
}

// submission is one module to write.
type submission struct {
	id     string
	module *Module
}

// Corpus builds the labelled corpus of one exercise.
func Corpus(ex *Exercise, seed uint64, index int) ([]submission, []Label) {
	rng := rand.New(rand.NewPCG(seed, uint64(index)))
	ids := &studentIDs{rng: rng, used: map[string]bool{}}
	var subs []submission
	var labels []Label
	type copyOf struct{ id, class string }
	var copies []copyOf
	add := func(m *Module) string {
		id := ids.next()
		subs = append(subs, submission{id, m})
		return id
	}
	var originalIDs []string
	for _, o := range ex.Originals {
		oid := add(o.Module)
		originalIDs = append(originalIDs, oid)
		for _, c := range Classes {
			m, err := c.Apply(o.Module, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
			if err != nil {
				fmt.Fprintf(os.Stderr, "gen: %s %s: no %s copy: %v\n", ex.ID, o.Name, c.Name, err)
				continue
			}
			cid := add(m)
			labels = append(labels, Label{ex.ID, oid, cid, "plagiarised", c.Name})
			copies = append(copies, copyOf{cid, c.Name})
		}
	}
	var altIDs []string
	for _, a := range ex.Alts {
		altIDs = append(altIDs, add(a.Module))
	}
	for i, aid := range altIDs {
		for _, other := range altIDs[i+1:] {
			labels = append(labels, Label{ex.ID, aid, other, "independent", "independent"})
		}
		for _, oid := range originalIDs {
			labels = append(labels, Label{ex.ID, aid, oid, "independent", "original"})
		}
		for _, c := range copies {
			labels = append(labels, Label{ex.ID, aid, c.id, "independent", c.class})
		}
	}
	return subs, labels
}

// ScaleCorpus builds n submissions of one exercise for timing: the
// originals and alts, then copies of them with one to three random classes.
func ScaleCorpus(ex *Exercise, seed uint64, n int) []submission {
	rng := rand.New(rand.NewPCG(seed, 0xbe7c))
	ids := &studentIDs{rng: rng, used: map[string]bool{}}
	pool := append(append([]Original{}, ex.Originals...), ex.Alts...)
	var subs []submission
	for _, o := range pool {
		if len(subs) < n {
			subs = append(subs, submission{ids.next(), o.Module})
		}
	}
	for attempts := 0; len(subs) < n && attempts < 20*n; attempts++ {
		o := pool[rng.IntN(len(pool))]
		var class Class
		for _, i := range rng.Perm(7)[:1+rng.IntN(3)] {
			class.Name += Classes[i].Name + "+"
			class.Transforms = append(class.Transforms, Classes[i].Transforms...)
		}
		m, err := class.Apply(o.Module, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
		if err != nil {
			continue
		}
		subs = append(subs, submission{ids.next(), m})
	}
	return subs
}

// buildAll runs `go build ./...` offline in every module dir, two at a
// time, and returns the failures.
func buildAll(dirs []string) []string {
	var mu sync.Mutex
	var failures []string
	work := make(chan string)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for dir := range work {
				cmd := exec.Command("go", "build", "./...")
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off")
				if out, err := cmd.CombinedOutput(); err != nil {
					mu.Lock()
					failures = append(failures, dir+": "+strings.TrimSpace(string(out)))
					mu.Unlock()
				}
			}
		}()
	}
	for _, d := range dirs {
		work <- d
	}
	close(work)
	wg.Wait()
	sort.Strings(failures)
	return failures
}

func main() {
	rubrics := flag.String("rubrics", "rubrics", "the rubrics tree (<phase>/<exercise>/{reference,samples})")
	independent := flag.String("independent", "bench/similarity/independent", "the alt1/alt2 solutions, <phase>/<exercise>/altN")
	out := flag.String("out", "", "directory to create the corpus in (must not exist)")
	seed := flag.Uint64("seed", 1, "seed of every random choice")
	only := flag.String("exercise", "", "only this exercise (<phase>/<exercise>)")
	scale := flag.Int("scale", 0, "write a timing corpus of this many submissions of -exercise instead")
	build := flag.Bool("build", false, "run `go build ./...` in every submission written and fail on an error")
	flag.Parse()
	if *out == "" || (*scale > 0 && *only == "") {
		fmt.Fprintln(os.Stderr, "usage: gen -rubrics DIR -independent DIR -out DIR [-seed N] [-exercise ID [-scale N]] [-build]")
		os.Exit(2)
	}
	if err := run(*rubrics, *independent, *out, *only, *seed, *scale, *build); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(rubrics, independent, out, only string, seed uint64, scale int, build bool) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s already exists", out)
	}
	ids, err := ListExercises(rubrics)
	if err != nil {
		return err
	}
	if only != "" {
		ids = []string{only}
	}
	var dirs []string
	var labels []Label
	for i, id := range ids {
		ex, err := LoadExercise(rubrics, independent, id)
		if err != nil {
			return err
		}
		var subs []submission
		if scale > 0 {
			subs = ScaleCorpus(ex, seed, scale)
		} else {
			var l []Label
			subs, l = Corpus(ex, seed, i)
			labels = append(labels, l...)
		}
		for _, s := range subs {
			dir := filepath.Join(out, filepath.FromSlash(id), s.id)
			if err := s.module.Write(dir); err != nil {
				return err
			}
			dirs = append(dirs, dir)
		}
		fmt.Fprintf(os.Stderr, "gen: %s: %d submissions\n", id, len(subs))
	}
	if err := writeLabels(filepath.Join(out, "labels.csv"), labels); err != nil {
		return err
	}
	if build {
		if failures := buildAll(dirs); len(failures) > 0 {
			return fmt.Errorf("%d of %d submissions do not build:\n%s", len(failures), len(dirs), strings.Join(failures, "\n"))
		}
		fmt.Fprintf(os.Stderr, "gen: all %d submissions build\n", len(dirs))
	}
	return nil
}

func writeLabels(path string, labels []Label) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"exercise", "a", "b", "label", "class"})
	for _, l := range labels {
		w.Write([]string{l.Exercise, l.A, l.B, l.Label, l.Class})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
