package kv_test

// Hidden tests, group Allocs: a Get that hits the memtable allocates only
// the copy it returns, and a Put that overwrites a key of the memtable
// allocates only the copy of the value. Measured with testing.AllocsPerRun
// (never under -race).

import (
	"fmt"
	"runtime/debug"
	"testing"

	kv "example.com/custom-database-engine"
)

func allocsCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

func allocsOpen(t *testing.T) (*kv.DB, [][]byte) {
	t.Helper()
	db, err := kv.Open(kv.Options{Dir: t.TempDir(), MemtableBytes: 64 << 20})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	keys := make([][]byte, 256)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "key-%05d", i)
		if err := db.Put(keys[i], fmt.Appendf(nil, "value-%05d-0123456789abcdef", i)); err != nil {
			t.Fatalf("Put = %v", err)
		}
	}
	for i, k := range keys {
		want := fmt.Sprintf("value-%05d-0123456789abcdef", i)
		if v, err := db.Get(k); err != nil || string(v) != want {
			t.Fatalf("Get(%q) = (%q, %v), want (%q, nil)", k, v, err, want)
		}
	}
	return db, keys
}

func TestHiddenAllocs_GetMemtableHit(t *testing.T) {
	defer allocsCatch(t)
	db, keys := allocsOpen(t)
	defer db.Close()
	i := 0
	if a := testing.AllocsPerRun(2000, func() { db.Get(keys[i%len(keys)]); i++ }); a > 1 {
		t.Fatalf("Get of a key in the memtable: %v allocations per call, want at most 1 (the copy of the value returned); is the key converted to a string that escapes, or the value copied twice?", a)
	}
}

func TestHiddenAllocs_PutOverwrite(t *testing.T) {
	defer allocsCatch(t)
	db, keys := allocsOpen(t)
	defer db.Close()
	value := []byte("value-new-0123456789abcdef")
	i := 0
	if a := testing.AllocsPerRun(2000, func() { db.Put(keys[i%len(keys)], value); i++ }); a > 1 {
		t.Fatalf("Put of a key already in the memtable: %v allocations per call, want at most 1 (the copy of the value); reuse one buffer to encode WAL records and do not allocate a new key or entry for a key already present", a)
	}
	if v, err := db.Get(keys[3]); err != nil || string(v) != string(value) {
		t.Fatalf("Get(%q) after the overwrites = (%q, %v), want (%q, nil)", keys[3], v, err, value)
	}
}
