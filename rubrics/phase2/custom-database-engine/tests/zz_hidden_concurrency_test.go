package kv_test

// Hidden tests, group Concurrency: readers (Get and Scan) run while one
// writer puts, deletes, writes batches, flushes and compacts. Every read
// must see a value that was written for its key, every Scan a consistent
// snapshot, and the final state must be exact. The race criterion runs
// these tests under -race.

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	kv "example.com/custom-database-engine"
	"go.uber.org/goleak"
)

// concRun runs the writer and the readers; each returns its first problem.
// A goroutine's panic becomes that problem. The run fails if it has not
// finished after 60 s.
func concRun(t *testing.T, writer func() error, readers ...func(stop <-chan struct{}) error) {
	t.Helper()
	stop := make(chan struct{})
	errs := make(chan error, len(readers)+1)
	var wg sync.WaitGroup
	guard := func(f func() error) {
		defer wg.Done()
		defer func() {
			if r := recover(); r != nil {
				errs <- fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		if err := f(); err != nil {
			errs <- err
		}
	}
	wg.Add(len(readers) + 1)
	for _, r := range readers {
		go guard(func() error { return r(stop) })
	}
	go guard(func() error { defer close(stop); return writer() })
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("the writer and readers have not finished after 60 s: a deadlock?")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestHiddenConcurrency_ReadersAndWriter(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	db, err := kv.Open(kv.Options{Dir: dir, MemtableBytes: 4 << 10})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	defer db.Close()
	const nkeys, nops = 64, 1500
	final := map[string]string{}
	writer := func() error {
		for i := range nops {
			k := fmt.Sprintf("k%02d", i%nkeys)
			switch {
			case i%11 == 5:
				if err := db.Delete([]byte(k)); err != nil {
					return fmt.Errorf("writer: Delete = %v", err)
				}
				delete(final, k)
			case i%13 == 7:
				var b kv.Batch
				k2 := fmt.Sprintf("k%02d", (i+1)%nkeys)
				b.Put([]byte(k), fmt.Appendf(nil, "%s=%d", k, i))
				b.Put([]byte(k2), fmt.Appendf(nil, "%s=%d", k2, i))
				if err := db.Write(&b); err != nil {
					return fmt.Errorf("writer: Write = %v", err)
				}
				final[k], final[k2] = fmt.Sprintf("%s=%d", k, i), fmt.Sprintf("%s=%d", k2, i)
			default:
				if err := db.Put([]byte(k), fmt.Appendf(nil, "%s=%d", k, i)); err != nil {
					return fmt.Errorf("writer: Put = %v", err)
				}
				final[k] = fmt.Sprintf("%s=%d", k, i)
			}
			if i%200 == 199 {
				if err := db.Flush(); err != nil {
					return fmt.Errorf("writer: Flush = %v", err)
				}
			}
			if i%500 == 499 {
				if err := db.Compact(); err != nil {
					return fmt.Errorf("writer: Compact = %v", err)
				}
			}
		}
		return nil
	}
	getter := func(stop <-chan struct{}) error {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return nil
			default:
			}
			k := fmt.Sprintf("k%02d", i%nkeys)
			v, err := db.Get([]byte(k))
			if errors.Is(err, kv.ErrNotFound) {
				continue
			}
			if err != nil || !strings.HasPrefix(string(v), k+"=") {
				return fmt.Errorf("reader: Get(%q) = (%q, %v) while the writer runs, want a value written for %q (%q...)", k, v, err, k, k+"=")
			}
		}
	}
	scanner := func(stop <-chan struct{}) error {
		for {
			select {
			case <-stop:
				return nil
			default:
			}
			var prev string
			for it, err := range db.Scan([]byte("k10"), []byte("k50")) {
				if err != nil {
					return fmt.Errorf("reader: Scan error %v", err)
				}
				k := string(it.Key)
				if k <= prev || k < "k10" || k >= "k50" || !strings.HasPrefix(string(it.Value), k+"=") {
					return fmt.Errorf("reader: Scan(\"k10\", \"k50\") yielded (%q, %q) after %q: want keys in [k10, k50), in increasing order, with a value written for that key", k, it.Value, prev)
				}
				prev = k
			}
		}
	}
	concRun(t, writer, getter, getter, scanner)
	n := 0
	for it, err := range db.Scan(nil, nil) {
		if err != nil || final[string(it.Key)] != string(it.Value) {
			t.Fatalf("after the writer finished: Scan yielded (%q, %q, %v), want the value %q", it.Key, it.Value, err, final[string(it.Key)])
		}
		n++
	}
	if n != len(final) {
		t.Fatalf("after the writer finished: Scan yielded %d items, want %d", n, len(final))
	}
}

func TestHiddenConcurrency_ScanSnapshots(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	db, err := kv.Open(kv.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	defer db.Close()
	const nkeys, rounds = 50, 150
	var b0 kv.Batch
	for i := range nkeys {
		b0.Put(fmt.Appendf(nil, "k%02d", i), []byte("0"))
	}
	db.Write(&b0)
	writer := func() error {
		for r := 1; r <= rounds; r++ {
			var b kv.Batch
			for i := range nkeys {
				b.Put(fmt.Appendf(nil, "k%02d", i), []byte(strconv.Itoa(r)))
			}
			if err := db.Write(&b); err != nil {
				return fmt.Errorf("writer: Write = %v", err)
			}
			if r%5 == 0 {
				if err := db.Flush(); err != nil {
					return fmt.Errorf("writer: Flush = %v", err)
				}
			}
			if r%40 == 0 {
				if err := db.Compact(); err != nil {
					return fmt.Errorf("writer: Compact = %v", err)
				}
			}
		}
		return nil
	}
	scanner := func(stop <-chan struct{}) error {
		last := 0
		for {
			select {
			case <-stop:
				return nil
			default:
			}
			var round string
			n := 0
			for it, err := range db.Scan(nil, nil) {
				if err != nil {
					return fmt.Errorf("reader: Scan error %v", err)
				}
				if n == 0 {
					round = string(it.Value)
				}
				if string(it.Value) != round {
					return fmt.Errorf("reader: one Scan yielded %q with value %q after values %q: each batch writes every key, so a consistent snapshot has one value for all keys", it.Key, it.Value, round)
				}
				n++
			}
			if n != nkeys {
				return fmt.Errorf("reader: a Scan during flushes and compactions yielded %d items, want %d", n, nkeys)
			}
			r, _ := strconv.Atoi(round)
			if r < last {
				return fmt.Errorf("reader: a Scan saw round %d after an earlier Scan saw round %d", r, last)
			}
			last = r
		}
	}
	concRun(t, writer, scanner, scanner)
}
