package kv_test

// Hidden tests, group Ownership: Get returns the caller's own copy, Put
// keeps no reference to its arguments, Scan holds no lock while its loop
// body runs (nor after a break) and reads a snapshot taken when the loop
// starts.

import (
	"fmt"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	kv "example.com/custom-database-engine"
	"github.com/google/go-cmp/cmp"
)

func ownCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

// ownWatchdog runs f and fails if it has not returned after 10 s (a
// deadlock: a lock still held).
func ownWatchdog(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	select {
	case p := <-done:
		if p != nil {
			t.Fatalf("%s: panic: %v", what, p)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still blocked after 10 s; is a lock still held by the Scan?", what)
	}
}

func ownOpen(t *testing.T) *kv.DB {
	t.Helper()
	db, err := kv.Open(kv.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	return db
}

func TestHiddenOwnership_GetReturnsCopy(t *testing.T) {
	defer ownCatch(t)
	db := ownOpen(t)
	defer db.Close()
	db.Put([]byte("mem"), []byte("memtable value"))
	db.Put([]byte("seg"), []byte("segment value"))
	db.Flush()
	db.Put([]byte("mem"), []byte("memtable value"))
	for _, c := range []struct{ key, want, where string }{{"mem", "memtable value", "the memtable"}, {"seg", "segment value", "a segment"}} {
		v, err := db.Get([]byte(c.key))
		if err != nil || string(v) != c.want {
			t.Fatalf("Get(%q) = (%q, %v), want (%q, nil)", c.key, v, err, c.want)
		}
		for i := range v {
			v[i] = '#'
		}
		v2, err := db.Get([]byte(c.key))
		if err != nil || string(v2) != c.want {
			t.Fatalf("the caller overwrote the slice returned by Get(%q) (a key in %s); the next Get returned (%q, %v), want (%q, nil): return a copy", c.key, c.where, v2, err, c.want)
		}
	}
}

func TestHiddenOwnership_PutKeepsNoReference(t *testing.T) {
	defer ownCatch(t)
	db := ownOpen(t)
	defer db.Close()
	key, val := []byte("key-a"), []byte("value-a")
	db.Put(key, val)
	copy(val, "CHANGED")
	copy(key, "key-b")
	if v, err := db.Get([]byte("key-a")); err != nil || string(v) != "value-a" {
		t.Fatalf("Put(key, value), then the caller changed both slices: Get(\"key-a\") = (%q, %v), want (\"value-a\", nil): Put must copy its arguments", v, err)
	}
	if v, err := db.Get([]byte("key-b")); err == nil {
		t.Fatalf("Put(\"key-a\", ...), then the caller changed the key slice to \"key-b\": Get(\"key-b\") = %q, want ErrNotFound", v)
	}
	for it, err := range db.Scan(nil, nil) {
		if err != nil || string(it.Key) != "key-a" || string(it.Value) != "value-a" {
			t.Fatalf("Scan after the caller changed Put's slices yielded (%q, %q, %v), want (\"key-a\", \"value-a\", nil)", it.Key, it.Value, err)
		}
	}
}

func TestHiddenOwnership_BreakReleases(t *testing.T) {
	defer ownCatch(t)
	db := ownOpen(t)
	defer db.Close()
	for i := range 20 {
		db.Put(fmt.Appendf(nil, "k%02d", i), []byte("v"))
	}
	db.Flush()
	db.Put([]byte("k05"), []byte("w"))
	ownWatchdog(t, "break out of a Scan, then Put, Flush, Compact", func() {
		n := 0
		for range db.Scan(nil, nil) {
			n++
			if n == 3 {
				break
			}
		}
		for range db.Scan([]byte("k10"), nil) {
			break
		}
		db.Put([]byte("k99"), []byte("x"))
		db.Flush()
		db.Compact()
	})
	if v, err := db.Get([]byte("k99")); err != nil || string(v) != "x" {
		t.Fatalf("Get(\"k99\") after the breaks and the Put = (%q, %v), want (\"x\", nil)", v, err)
	}
}

func TestHiddenOwnership_SnapshotWhileBodyWrites(t *testing.T) {
	defer ownCatch(t)
	db := ownOpen(t)
	defer db.Close()
	var want []modelPairOwn
	for i := range 200 {
		k, v := fmt.Sprintf("k%03d", 2*i), fmt.Sprintf("v%d", i)
		db.Put([]byte(k), []byte(v))
		if i == 120 {
			db.Flush()
		}
	}
	for i := range 200 {
		want = append(want, modelPairOwn{fmt.Sprintf("k%03d", 2*i), fmt.Sprintf("v%d", i)})
	}
	var got []modelPairOwn
	ownWatchdog(t, "Put, Delete, Flush and Compact from the body of a Scan loop", func() {
		for it, err := range db.Scan(nil, nil) {
			if err != nil {
				t.Errorf("Scan yielded error %v", err)
				return
			}
			got = append(got, modelPairOwn{string(it.Key), string(it.Value)})
			switch len(got) {
			case 10:
				for i := range 200 {
					db.Put(fmt.Appendf(nil, "k%03d", 2*i+1), []byte("inserted during the scan"))
				}
			case 20:
				for i := 50; i < 150; i++ {
					db.Delete(fmt.Appendf(nil, "k%03d", 2*i))
				}
				db.Flush()
			case 30:
				for i := 150; i < 200; i++ {
					db.Put(fmt.Appendf(nil, "k%03d", 2*i), []byte("overwritten during the scan"))
				}
				db.Compact()
			}
		}
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("a Scan whose loop body wrote, deleted, flushed and compacted must yield the snapshot taken when the loop started (-want +got):\n%s", diff)
	}
	if n := len(slices.Collect(func(yield func(string) bool) {
		for it := range db.Scan(nil, nil) {
			if !yield(string(it.Key)) {
				return
			}
		}
	})); n != 300 {
		t.Fatalf("a new Scan after those writes yielded %d items, want 300", n)
	}
}

type modelPairOwn struct{ Key, Value string }
