package kv_test

// Hidden tests, group Compaction: Compact reclaims the space of overwritten
// and deleted keys, tombstones never come back across reopen, and the
// memtable flushes itself once it holds MemtableBytes.

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	kv "example.com/custom-database-engine"
)

func compCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

// compSize is the total size of the files under dir whose name ends in
// suffix ("" for all).
func compSize(t *testing.T, dir, suffix string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, suffix) {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += int(fi.Size())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func compOpen(t *testing.T, o kv.Options) *kv.DB {
	t.Helper()
	db, err := kv.Open(o)
	if err != nil {
		t.Fatalf("Open(%+v) = %v", o, err)
	}
	return db
}

func compGet(t *testing.T, db *kv.DB, k, want string, found bool, what string) {
	t.Helper()
	v, err := db.Get([]byte(k))
	if found && (err != nil || string(v) != want) {
		t.Fatalf("%s: Get(%q) = (%q, %v), want (%q, nil)", what, k, v, err, want)
	}
	if !found && !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("%s: Get(%q) = (%q, %v), want ErrNotFound (a deleted key came back)", what, k, v, err)
	}
}

func TestHiddenCompaction_SpaceReclaimed(t *testing.T) {
	defer compCatch(t)
	o := kv.Options{Dir: t.TempDir(), MemtableBytes: 64 << 10}
	db := compOpen(t, o)
	const keys, rounds = 3000, 6
	live := 0
	for r := range rounds {
		for i := range keys {
			k := fmt.Sprintf("key-%05d", i)
			v := fmt.Sprintf("round-%d-%s", r, strings.Repeat("x", 50))
			if err := db.Put([]byte(k), []byte(v)); err != nil {
				t.Fatalf("Put = %v", err)
			}
			if r == rounds-1 {
				live += len(k) + len(v)
			}
		}
	}
	if err := db.Compact(); err != nil {
		t.Fatalf("Compact = %v", err)
	}
	if size := compSize(t, o.Dir, ""); size > 2*live {
		t.Fatalf("after %d keys overwritten %d times and Compact, the directory holds %d bytes, want at most 2x the %d bytes of live keys and values", keys, rounds, size, live)
	}
	want := fmt.Sprintf("round-%d-%s", rounds-1, strings.Repeat("x", 50))
	for i := 0; i < keys; i += 37 {
		compGet(t, db, fmt.Sprintf("key-%05d", i), want, true, "after Compact")
	}
	db.Close()
	db = compOpen(t, o)
	defer db.Close()
	for i := 0; i < keys; i += 37 {
		compGet(t, db, fmt.Sprintf("key-%05d", i), want, true, "after Compact and reopen")
	}
}

func TestHiddenCompaction_TombstonesStayDead(t *testing.T) {
	defer compCatch(t)
	o := kv.Options{Dir: t.TempDir()}
	db := compOpen(t, o)
	for i := range 500 {
		db.Put(fmt.Appendf(nil, "k%03d", i), []byte("v"))
	}
	db.Flush()
	for i := 0; i < 500; i += 2 {
		db.Delete(fmt.Appendf(nil, "k%03d", i))
	}
	db.Flush()
	check := func(what string) {
		t.Helper()
		for i := range 500 {
			compGet(t, db, fmt.Sprintf("k%03d", i), "v", i%2 == 1, what)
		}
		n := 0
		for it, err := range db.Scan(nil, nil) {
			if err != nil {
				t.Fatalf("%s: Scan error %v", what, err)
			}
			if it.Key[len(it.Key)-1]%2 == 0 {
				t.Fatalf("%s: Scan yielded the deleted key %q", what, it.Key)
			}
			n++
		}
		if n != 250 {
			t.Fatalf("%s: Scan yielded %d items, want 250", what, n)
		}
	}
	check("puts flushed, deletes flushed")
	db.Close()
	db = compOpen(t, o)
	check("puts flushed, deletes flushed, reopen")
	db.Compact()
	check("then Compact")
	db.Close()
	db = compOpen(t, o)
	check("then Compact and reopen")
	db.Compact()
	db.Close()
	db = compOpen(t, o)
	defer db.Close()
	check("then Compact again and reopen")
	db.Put([]byte("k000"), []byte("back"))
	compGet(t, db, "k000", "back", true, "Put of a deleted key after Compact")
}

func TestHiddenCompaction_DeleteAllReclaims(t *testing.T) {
	defer compCatch(t)
	o := kv.Options{Dir: t.TempDir(), MemtableBytes: 8 << 10}
	db := compOpen(t, o)
	for i := range 2000 {
		db.Put(fmt.Appendf(nil, "key-%04d", i), []byte(strings.Repeat("v", 40)))
	}
	db.Flush()
	for i := range 2000 {
		db.Delete(fmt.Appendf(nil, "key-%04d", i))
	}
	if err := db.Compact(); err != nil {
		t.Fatalf("Compact = %v", err)
	}
	if size := compSize(t, o.Dir, ""); size > 4096 {
		t.Fatalf("after deleting every key and Compact, the directory holds %d bytes, want at most 4096 (drop deleted keys and their tombstones, and delete the old files)", size)
	}
	db.Close()
	db = compOpen(t, o)
	defer db.Close()
	for it := range db.Scan(nil, nil) {
		t.Fatalf("after deleting every key, Compact and reopen, Scan yielded %q", it.Key)
	}
}

func TestHiddenCompaction_AutoFlush(t *testing.T) {
	defer compCatch(t)
	o := kv.Options{Dir: t.TempDir(), MemtableBytes: 16 << 10}
	db := compOpen(t, o)
	for i := range 8000 {
		db.Put(fmt.Appendf(nil, "key-%05d", i), []byte(strings.Repeat("v", 100)))
		if i%1000 == 999 {
			if size := compSize(t, o.Dir, ".wal"); size > 64<<10 {
				t.Fatalf("after %d Puts of 109 bytes with MemtableBytes %d, the WAL holds %d bytes, want at most 64 KiB: the memtable must flush itself when it reaches MemtableBytes", i+1, o.MemtableBytes, size)
			}
		}
	}
	db.Close()
	db = compOpen(t, o)
	defer db.Close()
	for i := 0; i < 8000; i += 97 {
		compGet(t, db, fmt.Sprintf("key-%05d", i), strings.Repeat("v", 100), true, "after automatic flushes and reopen")
	}
}
