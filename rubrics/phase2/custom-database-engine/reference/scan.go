package kv

import (
	"bytes"
	"iter"
)

// Scan yields the live items with start <= key < end in key order; a nil
// bound is open. It reads a snapshot taken when the loop starts and holds
// no lock while the loop body runs.
func (db *DB) Scan(start, end []byte) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		db.mu.RLock()
		if db.closed {
			db.mu.RUnlock()
			yield(Item{}, errClosed)
			return
		}
		mem := db.mem.entries(start, end)
		segs := make([]*segment, 0, len(db.segs))
		for _, s := range db.segs {
			segs = append(segs, &segment{entries: s.rangeOf(start, end)})
		}
		db.mu.RUnlock()
		for e := range mergeEntries(mem, segs) {
			if e.del {
				continue
			}
			if !yield(Item{Key: e.key, Value: e.value}, nil) {
				return
			}
		}
	}
}

// mergeEntries merges sorted runs: mem (newest) and segs (oldest first),
// yielding each key once, in key order, with its newest version.
func mergeEntries(mem []entry, segs []*segment) iter.Seq[entry] {
	return func(yield func(entry) bool) {
		runs := make([][]entry, 0, len(segs)+1)
		runs = append(runs, mem)
		for i := len(segs) - 1; i >= 0; i-- {
			runs = append(runs, segs[i].entries)
		}
		for {
			best := -1
			for i, r := range runs {
				if len(r) > 0 && (best < 0 || bytes.Compare(r[0].key, runs[best][0].key) < 0) {
					best = i
				}
			}
			if best < 0 {
				return
			}
			e := runs[best][0]
			for i, r := range runs {
				if len(r) > 0 && bytes.Equal(r[0].key, e.key) {
					runs[i] = r[1:]
				}
			}
			if !yield(e) {
				return
			}
		}
	}
}
