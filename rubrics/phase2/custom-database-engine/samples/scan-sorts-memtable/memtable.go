package kv

import (
	"bytes"
	"slices"
	"sync"
)

// memEntry is the latest write of a key; value is never modified in
// place, so snapshots may share it.
type memEntry struct {
	key, value []byte
	del        bool
}

// memtable holds the writes since the last flush.
type memtable struct {
	m     map[string]*memEntry
	bytes int // sum of len(key)+len(value) of the entries

	sortMu sync.Mutex  // guards sorted, which readers rebuild lazily
	sorted []*memEntry // entries in key order; nil when stale
}

func newMemtable() *memtable {
	return &memtable{m: make(map[string]*memEntry)}
}

// apply records o; the caller holds the DB's write lock.
func (t *memtable) apply(o op) {
	e, ok := t.m[string(o.key)]
	if !ok {
		e = &memEntry{key: bytes.Clone(o.key)}
		t.m[string(e.key)] = e
		t.bytes += len(e.key)
		t.sortMu.Lock()
		t.sorted = nil
		t.sortMu.Unlock()
	}
	t.bytes -= len(e.value)
	e.del = o.kind == opDelete
	e.value = nil
	if !e.del {
		e.value = bytes.Clone(o.value)
		if e.value == nil {
			e.value = []byte{}
		}
	}
	t.bytes += len(e.value)
}

// entries returns the entries with start <= key < end (nil = open) in key
// order, as a new slice; the caller holds at least the DB's read lock.
func (t *memtable) entries(start, end []byte) []entry {
	sorted := make([]*memEntry, 0, len(t.m))
	for _, e := range t.m {
		sorted = append(sorted, e)
	}
	slices.SortFunc(sorted, func(a, b *memEntry) int { return bytes.Compare(a.key, b.key) })
	lo, hi := 0, len(sorted)
	if start != nil {
		lo, _ = slices.BinarySearchFunc(sorted, start, func(e *memEntry, k []byte) int { return bytes.Compare(e.key, k) })
	}
	if end != nil {
		hi, _ = slices.BinarySearchFunc(sorted, end, func(e *memEntry, k []byte) int { return bytes.Compare(e.key, k) })
	}
	if lo >= hi {
		return nil
	}
	out := make([]entry, hi-lo)
	for i, e := range sorted[lo:hi] {
		out[i] = entry{key: e.key, value: e.value, del: e.del}
	}
	return out
}
