package kv

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// recover loads the segments, deletes WAL files already flushed, replays
// the others and opens the last one for appending.
func (db *DB) recover() error {
	dirents, err := os.ReadDir(db.opts.Dir)
	if err != nil {
		return err
	}
	var segNums, walNums []int
	for _, de := range dirents {
		name := de.Name()
		if strings.HasSuffix(name, ".tmp") {
			os.Remove(db.opts.Dir + "/" + name)
			continue
		}
		base, ext, _ := strings.Cut(name, ".")
		n, err := strconv.Atoi(base)
		if err != nil {
			continue
		}
		switch ext {
		case "seg":
			segNums = append(segNums, n)
		case "wal":
			walNums = append(walNums, n)
		}
	}
	slices.Sort(segNums)
	slices.Sort(walNums)
	maxSeg := -1
	for _, n := range segNums {
		s, err := loadSegment(db.opts.Dir, n)
		if err != nil {
			return err
		}
		db.segs = append(db.segs, s)
		maxSeg = n
	}
	db.walNum = maxSeg + 1
	var live []int
	for _, n := range walNums {
		if n <= maxSeg {
			os.Remove(walName(db.opts.Dir, n)) // already in a segment
		} else {
			live = append(live, n)
		}
	}
	for i, n := range live {
		name := walName(db.opts.Dir, n)
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		good, err := replayWAL(name, data, db.mem.apply)
		if err != nil {
			return err
		}
		if good < len(data) {
			if i != len(live)-1 {
				return fmt.Errorf("%w: %s: truncated record in a WAL that is not the last", ErrCorrupt, name)
			}
			if err := os.Truncate(name, int64(good)); err != nil {
				return err
			}
		}
		db.walNum = n
	}
	if len(live) > 0 {
		db.stale = live[:len(live)-1]
	}
	db.wal, err = os.OpenFile(walName(db.opts.Dir, db.walNum), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	return err
}

// flushLocked writes the memtable to segment walNum and rotates the WAL.
func (db *DB) flushLocked() error {
	if len(db.mem.m) == 0 {
		return nil
	}
	s, err := writeSegment(db.opts.Dir, db.walNum, db.mem.entries(nil, nil), db.opts.Sync)
	if err != nil {
		return err
	}
	if err := db.rotateWAL(); err != nil {
		return err
	}
	db.segs = append(db.segs, s)
	db.mem = newMemtable()
	return nil
}

// rotateWAL starts WAL walNum+1 and deletes the older ones, whose writes
// are now in segment walNum.
func (db *DB) rotateWAL() error {
	f, err := os.OpenFile(walName(db.opts.Dir, db.walNum+1), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	db.wal.Close()
	for _, n := range append(db.stale, db.walNum) {
		os.Remove(walName(db.opts.Dir, n))
	}
	db.stale = nil
	db.wal = f
	db.walNum++
	return nil
}

// Compact merges the memtable and every segment into one segment without
// overwritten versions and tombstones, and deletes the old files.
func (db *DB) Compact() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return errClosed
	}
	var live []entry
	dropped := 0
	for e := range mergeEntries(db.mem.entries(nil, nil), db.segs) {
		if !e.del {
			live = append(live, e)
		}
	}
	s, err := writeSegment(db.opts.Dir, db.walNum, live, db.opts.Sync)
	if err != nil {
		return err
	}
	if err := db.rotateWAL(); err != nil {
		return err
	}
	for _, old := range db.segs {
		os.Remove(segName(db.opts.Dir, old.num))
	}
	db.segs = []*segment{s}
	db.mem = newMemtable()
	return nil
}
