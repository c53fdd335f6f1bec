package kv_test

// Hidden tests, group Batch: a Batch is one atomic write. If the WAL is cut
// inside the batch's record, none of its writes is visible after reopen.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	kv "example.com/custom-database-engine"
)

func batchCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

func batchWAL(t *testing.T, dir string) (string, int) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.wal"))
	if len(m) != 1 {
		t.Fatalf("want exactly one *.wal file in Options.Dir (the current WAL, see the README), found %d: %v", len(m), m)
	}
	fi, err := os.Stat(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return m[0], int(fi.Size())
}

func batchGet(t *testing.T, db *kv.DB, key string) (string, bool) {
	t.Helper()
	v, err := db.Get([]byte(key))
	if errors.Is(err, kv.ErrNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatalf("Get(%q) = %v", key, err)
	}
	return string(v), true
}

func TestHiddenBatch_TornBatch(t *testing.T) {
	defer batchCatch(t)
	dir := t.TempDir()
	o := kv.Options{Dir: dir, MemtableBytes: 16 << 20}
	db, err := kv.Open(o)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	for i := range 10 {
		db.Put(fmt.Appendf(nil, "k%d", i), []byte("old"))
	}
	_, before := batchWAL(t, dir)
	var b kv.Batch
	b.Put([]byte("k1"), []byte("batch"))
	b.Put([]byte("k2"), []byte("batch"))
	b.Delete([]byte("k3"))
	b.Put([]byte("n1"), []byte("batch"))
	b.Put([]byte("n2"), []byte("batch"))
	if err := db.Write(&b); err != nil {
		t.Fatalf("Write(batch of 5) = %v", err)
	}
	wal, after := batchWAL(t, dir)
	db.Close()
	data, _ := os.ReadFile(wal)
	if len(data) != after {
		t.Fatalf("the WAL has %d bytes after Close, %d after the last write; Close must not change it", len(data), after)
	}
	for off := before; off <= after; off++ {
		os.WriteFile(wal, data[:off], 0o644)
		db, err := kv.Open(o)
		if err != nil {
			t.Fatalf("WAL cut to %d bytes (the batch's record spans %d..%d): Open = %v, want nil", off, before, after, err)
		}
		got := map[string]string{}
		for _, k := range []string{"k1", "k2", "k3", "n1", "n2"} {
			if v, ok := batchGet(t, db, k); ok {
				got[k] = v
			}
		}
		db.Close()
		want := map[string]string{"k1": "old", "k2": "old", "k3": "old"}
		if off == after {
			want = map[string]string{"k1": "batch", "k2": "batch", "n1": "batch", "n2": "batch"}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("WAL cut to %d bytes (the batch's record spans %d..%d): keys of the batch after reopen = %v, want %v (a batch is all or nothing)", off, before, after, got, want)
		}
	}
}

func TestHiddenBatch_Semantics(t *testing.T) {
	defer batchCatch(t)
	db, err := kv.Open(kv.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	defer db.Close()
	db.Put([]byte("gone"), []byte("x"))
	var b kv.Batch
	b.Put([]byte("a"), []byte("1"))
	b.Delete([]byte("a"))
	b.Put([]byte("b"), []byte("1"))
	b.Put([]byte("b"), []byte("2"))
	b.Delete([]byte("gone"))
	b.Put([]byte("c"), []byte("3"))
	b.Delete([]byte("c"))
	b.Put([]byte("c"), []byte("4"))
	if err := db.Write(&b); err != nil {
		t.Fatalf("Write = %v", err)
	}
	for _, c := range []struct {
		k, v string
		ok   bool
	}{{"a", "", false}, {"b", "2", true}, {"gone", "", false}, {"c", "4", true}} {
		if v, ok := batchGet(t, db, c.k); v != c.v || ok != c.ok {
			t.Fatalf("after a batch with several writes of %q: found=%v value %q, want found=%v value %q (later writes of a batch win)", c.k, ok, v, c.ok, c.v)
		}
	}
	if err := db.Write(&kv.Batch{}); err != nil {
		t.Fatalf("Write(empty batch) = %v, want nil", err)
	}
	if err := db.Write(nil); err != nil {
		t.Fatalf("Write(nil) = %v, want nil", err)
	}
	if v, ok := batchGet(t, db, "b"); v != "2" || !ok {
		t.Fatalf("after empty batches: Get(\"b\") = %q, %v; want \"2\"", v, ok)
	}
}

func TestHiddenBatch_CopiesSlices(t *testing.T) {
	defer batchCatch(t)
	db, err := kv.Open(kv.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	defer db.Close()
	key, val := []byte("key1"), []byte("value1")
	var b kv.Batch
	b.Put(key, val)
	copy(key, "KEY2")
	copy(val, "VALUE2")
	b.Delete(key)
	key[0] = 'Z'
	if err := db.Write(&b); err != nil {
		t.Fatalf("Write = %v", err)
	}
	if v, ok := batchGet(t, db, "key1"); !ok || v != "value1" {
		t.Fatalf("Batch.Put(key, value), then the caller changed both slices: Get(\"key1\") = %q (found %v), want \"value1\" (Batch.Put must copy its arguments)", v, ok)
	}
}

func TestHiddenBatch_SurvivesFlushAndReopen(t *testing.T) {
	defer batchCatch(t)
	dir := t.TempDir()
	o := kv.Options{Dir: dir}
	db, err := kv.Open(o)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	var b1, b2 kv.Batch
	for i := range 50 {
		b1.Put(fmt.Appendf(nil, "k%02d", i), []byte("one"))
	}
	for i := range 25 {
		b2.Delete(fmt.Appendf(nil, "k%02d", 2*i))
	}
	db.Write(&b1)
	db.Flush()
	db.Write(&b2)
	db.Close()
	if db, err = kv.Open(o); err != nil {
		t.Fatalf("reopen: Open = %v", err)
	}
	defer db.Close()
	for i := range 50 {
		k := fmt.Sprintf("k%02d", i)
		v, ok := batchGet(t, db, k)
		if i%2 == 0 && ok {
			t.Fatalf("batch of puts, Flush, batch of deletes, reopen: Get(%q) = %q, want ErrNotFound", k, v)
		}
		if i%2 == 1 && (!ok || v != "one") {
			t.Fatalf("batch of puts, Flush, batch of deletes, reopen: Get(%q) = %q (found %v), want \"one\"", k, v, ok)
		}
	}
}
