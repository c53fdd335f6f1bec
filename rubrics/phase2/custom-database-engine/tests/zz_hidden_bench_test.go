package kv_test

// Hidden benchmarks, compared with the reference solution (ratio of median
// ns/op, fixed -benchtime). Each opens a database in b.TempDir() with
// Sync false.

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	kv "example.com/custom-database-engine"
)

const benchKeys = 16384

func benchKey(i int) []byte { return fmt.Appendf(nil, "bench-key-%06d", i) }

var benchValue = []byte("bench-value-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz-0123456789")

// benchOpen opens a database holding benchKeys keys: three quarters of
// them flushed to a segment, a quarter (and overwrites) in the memtable.
func benchOpen(b *testing.B, fill bool) (*kv.DB, [][]byte) {
	db, err := kv.Open(kv.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatalf("Open = %v", err)
	}
	keys := make([][]byte, benchKeys)
	for i := range keys {
		keys[i] = benchKey(i)
	}
	if fill {
		for i, k := range keys {
			db.Put(k, benchValue)
			if i == benchKeys*3/4 {
				db.Flush()
			}
		}
		for i := 0; i < benchKeys; i += 8 {
			db.Put(keys[i], benchValue[:40])
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	runtime.GC()
	return db, keys
}

// BenchmarkHiddenPut: Puts of 100-byte values over 16k keys (new keys,
// then overwrites).
func BenchmarkHiddenPut(b *testing.B) {
	db, keys := benchOpen(b, false)
	defer db.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		db.Put(keys[i&(benchKeys-1)], benchValue)
	}
}

// BenchmarkHiddenGet: 4 Gets of existing keys per op, in the memtable and
// in a segment.
func BenchmarkHiddenGet(b *testing.B) {
	db, keys := benchOpen(b, true)
	defer db.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		for j := range 4 {
			db.Get(keys[(4*i+j)&(benchKeys-1)])
		}
	}
}

// BenchmarkHiddenScan: Scans of 50 consecutive keys from seeded starts.
func BenchmarkHiddenScan(b *testing.B) {
	db, _ := benchOpen(b, true)
	defer db.Close()
	r := rand.New(rand.NewPCG(3, 4))
	starts := make([][2][]byte, 256)
	for i := range starts {
		s := r.IntN(benchKeys - 50)
		starts[i] = [2][]byte{benchKey(s), benchKey(s + 50)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		n := 0
		for range db.Scan(starts[i&255][0], starts[i&255][1]) {
			n++
		}
		if n != 50 {
			b.Fatalf("Scan of 50 keys yielded %d", n)
		}
	}
}
