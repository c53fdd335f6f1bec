package kv_test

// Hidden tests, group Model: thousands of seeded random Put, Delete, Get,
// Scan, Flush, Compact and reopen operations, checked after every step
// against a map (and slices.Sort for Scan).

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	kv "example.com/custom-database-engine"
	"github.com/google/go-cmp/cmp"
)

// modelCatch turns a panic of the code under test into a failure of the
// current test only.
func modelCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type modelPair struct{ Key, Value string }

func TestHiddenModel_SmallMemtable(t *testing.T) {
	defer modelCatch(t)
	keys := make([]string, 300)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%04d", i)
	}
	modelRun(t, kv.Options{MemtableBytes: 2048}, keys, 8000, 1)
}

func TestHiddenModel_DefaultMemtable(t *testing.T) {
	defer modelCatch(t)
	keys := make([]string, 500)
	for i := range keys {
		keys[i] = fmt.Sprintf("user/%d", i*7919%100000)
	}
	modelRun(t, kv.Options{}, keys, 8000, 2)
}

func TestHiddenModel_BinaryAndPrefixKeys(t *testing.T) {
	defer modelCatch(t)
	keys := []string{"a", "ab", "abc", "abd", "b", "\x00", "\x00\x00", "\x00\x01", "\xff", "\xff\xff", "z", "zz", "m\x00n", "m", "mn"}
	for i := range 40 {
		keys = append(keys, fmt.Sprintf("p%d", i))
	}
	modelRun(t, kv.Options{MemtableBytes: 512}, keys, 4000, 3)
}

func TestHiddenModel_Basics(t *testing.T) {
	defer modelCatch(t)
	dir := t.TempDir()
	db, err := kv.Open(kv.Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open(Options{Dir: %q}) = %v, want nil error", dir, err)
	}
	defer db.Close()
	if v, err := db.Get([]byte("missing")); !errors.Is(err, kv.ErrNotFound) || v != nil {
		t.Fatalf("Get of a key never written = (%q, %v), want (nil, ErrNotFound)", v, err)
	}
	if err := db.Delete([]byte("missing")); err != nil {
		t.Fatalf("Delete of an absent key = %v, want nil", err)
	}
	if got := modelCollect(t, db, nil, nil); len(got) != 0 {
		t.Fatalf("Scan(nil, nil) of an empty database yielded %v, want nothing", got)
	}
	if err := db.Put([]byte("empty"), []byte{}); err != nil {
		t.Fatalf("Put(\"empty\", []byte{}) = %v", err)
	}
	if v, err := db.Get([]byte("empty")); err != nil || len(v) != 0 {
		t.Fatalf("Get(\"empty\") after Put with an empty value = (%q, %v), want an empty value and nil error", v, err)
	}
	db.Put([]byte("k"), []byte("v1"))
	db.Put([]byte("k"), []byte("v2"))
	if v, err := db.Get([]byte("k")); err != nil || string(v) != "v2" {
		t.Fatalf("Get(\"k\") after Put v1 then v2 = (%q, %v), want (\"v2\", nil)", v, err)
	}
	db.Delete([]byte("k"))
	if v, err := db.Get([]byte("k")); !errors.Is(err, kv.ErrNotFound) || v != nil {
		t.Fatalf("Get(\"k\") after Delete = (%q, %v), want (nil, ErrNotFound)", v, err)
	}
	if err := db.Flush(); err != nil {
		t.Fatalf("Flush = %v", err)
	}
	if v, err := db.Get([]byte("k")); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get(\"k\") after Delete and Flush = (%q, %v), want ErrNotFound", v, err)
	}
	if v, err := db.Get([]byte("empty")); err != nil || len(v) != 0 {
		t.Fatalf("Get(\"empty\") after Flush = (%q, %v), want an empty value and nil error", v, err)
	}
	db.Put([]byte("b"), []byte("2"))
	db.Put([]byte("c"), []byte("3"))
	for _, c := range []struct {
		start, end []byte
		want       []modelPair
	}{
		{[]byte("b"), []byte("c"), []modelPair{{"b", "2"}}},
		{[]byte("c"), []byte("b"), nil},
		{[]byte("c"), []byte("c"), nil},
		{nil, []byte("c"), []modelPair{{"b", "2"}}},
		{[]byte("c"), nil, []modelPair{{"c", "3"}, {"empty", ""}}},
	} {
		got := modelCollect(t, db, c.start, c.end)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Fatalf("Scan(%q, %q) (-want +got):\n%s", c.start, c.end, diff)
		}
	}
}

// modelCollect runs a Scan to the end.
func modelCollect(t *testing.T, db *kv.DB, start, end []byte) []modelPair {
	t.Helper()
	var got []modelPair
	for it, err := range db.Scan(start, end) {
		if err != nil {
			t.Fatalf("Scan(%q, %q) yielded error %v", start, end, err)
		}
		got = append(got, modelPair{string(it.Key), string(it.Value)})
	}
	return got
}

func modelRun(t *testing.T, o kv.Options, keys []string, ops int, seed uint64) {
	t.Helper()
	o.Dir = t.TempDir()
	db, err := kv.Open(o)
	if err != nil {
		t.Fatalf("Open(%+v) = %v", o, err)
	}
	defer func() { db.Close() }()
	model := map[string]string{}
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var history []string
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("Options{MemtableBytes: %d}; the last operations were:\n  %s\n%s",
			o.MemtableBytes, strings.Join(history, "\n  "), fmt.Sprintf(format, args...))
	}
	note := func(s string) {
		history = append(history, s)
		if len(history) > 12 {
			history = history[1:]
		}
	}
	for i := range ops {
		k := keys[r.IntN(len(keys))]
		switch p := r.IntN(1000); {
		case p < 400:
			v := fmt.Sprintf("v%d-%s", i, strings.Repeat("x", r.IntN(40)))
			note(fmt.Sprintf("#%d Put(%q, %q)", i, k, v))
			if err := db.Put([]byte(k), []byte(v)); err != nil {
				fail("Put(%q) = %v, want nil", k, err)
			}
			model[k] = v
		case p < 550:
			note(fmt.Sprintf("#%d Delete(%q)", i, k))
			if err := db.Delete([]byte(k)); err != nil {
				fail("Delete(%q) = %v, want nil", k, err)
			}
			delete(model, k)
		case p < 900:
			note(fmt.Sprintf("#%d Get(%q)", i, k))
			v, err := db.Get([]byte(k))
			if want, ok := model[k]; ok {
				if err != nil || string(v) != want {
					fail("Get(%q) = (%q, %v), want (%q, nil)", k, v, err, want)
				}
			} else if !errors.Is(err, kv.ErrNotFound) || v != nil {
				fail("Get(%q) = (%q, %v), want (nil, ErrNotFound)", k, v, err)
			}
		case p < 960:
			var start, end []byte
			if r.IntN(4) != 0 {
				start = []byte(keys[r.IntN(len(keys))])
			}
			if r.IntN(4) != 0 {
				end = []byte(keys[r.IntN(len(keys))])
			}
			note(fmt.Sprintf("#%d Scan(%q, %q)", i, start, end))
			var want []modelPair
			for mk, mv := range model {
				if (start == nil || mk >= string(start)) && (end == nil || mk < string(end)) {
					want = append(want, modelPair{mk, mv})
				}
			}
			slices.SortFunc(want, func(a, b modelPair) int { return strings.Compare(a.Key, b.Key) })
			got := modelCollect(t, db, start, end)
			if diff := cmp.Diff(want, got); diff != "" {
				fail("Scan(%q, %q) (-want +got):\n%s", start, end, diff)
			}
		case p < 975:
			note(fmt.Sprintf("#%d Flush()", i))
			if err := db.Flush(); err != nil {
				fail("Flush() = %v, want nil", err)
			}
		case p < 980:
			note(fmt.Sprintf("#%d Compact()", i))
			if err := db.Compact(); err != nil {
				fail("Compact() = %v, want nil", err)
			}
		default:
			note(fmt.Sprintf("#%d Close() and Open()", i))
			if err := db.Close(); err != nil {
				fail("Close() = %v, want nil", err)
			}
			if db, err = kv.Open(o); err != nil {
				fail("reopen: Open = %v, want nil", err)
			}
		}
	}
	got := modelCollect(t, db, nil, nil)
	want := make([]modelPair, 0, len(model))
	for k, v := range model {
		want = append(want, modelPair{k, v})
	}
	slices.SortFunc(want, func(a, b modelPair) int { return strings.Compare(a.Key, b.Key) })
	if len(got) == 0 {
		got = []modelPair{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		fail("final Scan(nil, nil) (-want +got):\n%s", diff)
	}
}
