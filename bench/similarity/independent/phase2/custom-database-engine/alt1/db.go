// Package kv is a small log-structured key-value store: a write-ahead log,
// an in-memory table and immutable sorted segment files.
package kv

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

var (
	// ErrNotFound is returned by Get for a missing or deleted key.
	ErrNotFound = errors.New("kv: not found")
	// ErrCorrupt marks a damaged file.
	ErrCorrupt = errors.New("kv: corrupt")
)

// Options configure Open.
type Options struct {
	Dir           string // directory of the database, created if missing
	MemtableBytes int    // flush threshold: sum of len(key)+len(value); <= 0 means 4 MiB
	Sync          bool   // fsync the WAL after every write
}

// Item is one key and its value.
type Item struct{ Key, Value []byte }

type value struct {
	data    []byte
	deleted bool
}

// DB is an open database.
type DB struct {
	mu       sync.RWMutex
	opts     Options
	mem      map[string]value
	memBytes int
	log      *wal
	segments []*segment // oldest first
	nextSeg  int
}

// Open opens (or creates) the database in o.Dir and replays its log.
func Open(o Options) (*DB, error) {
	if o.MemtableBytes <= 0 {
		o.MemtableBytes = 4 << 20
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	db := &DB{opts: o, mem: map[string]value{}}
	names, _ := filepath.Glob(filepath.Join(o.Dir, "seg-*.dat"))
	sort.Strings(names)
	for _, name := range names {
		seg, err := loadSegment(name)
		if err != nil {
			return nil, err
		}
		db.segments = append(db.segments, seg)
		var n int
		fmt.Sscanf(strings.TrimPrefix(filepath.Base(name), "seg-"), "%06d", &n)
		db.nextSeg = max(db.nextSeg, n+1)
	}
	records, err := replayWAL(filepath.Join(o.Dir, "wal.log"))
	if err != nil {
		return nil, err
	}
	for _, r := range records {
		db.apply(r)
	}
	if db.log, err = openWAL(filepath.Join(o.Dir, "wal.log"), o.Sync); err != nil {
		return nil, err
	}
	return db, nil
}

func (db *DB) apply(r record) {
	old, had := db.mem[string(r.key)]
	if had {
		db.memBytes -= len(r.key) + len(old.data)
	}
	db.mem[string(r.key)] = value{data: r.value, deleted: r.del}
	db.memBytes += len(r.key) + len(r.value)
}

// Get returns the value of key.
func (db *DB) Get(key []byte) ([]byte, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if v, ok := db.mem[string(key)]; ok {
		if v.deleted {
			return nil, ErrNotFound
		}
		return bytes.Clone(v.data), nil
	}
	for i := len(db.segments) - 1; i >= 0; i-- {
		if v, ok := db.segments[i].lookup(key); ok {
			if v.deleted {
				return nil, ErrNotFound
			}
			return bytes.Clone(v.data), nil
		}
	}
	return nil, ErrNotFound
}

// Put sets key to value.
func (db *DB) Put(key, value []byte) error {
	b := &Batch{}
	b.Put(key, value)
	return db.Write(b)
}

// Delete removes key.
func (db *DB) Delete(key []byte) error {
	b := &Batch{}
	b.Delete(key)
	return db.Write(b)
}

// Write applies the batch atomically.
func (db *DB) Write(b *Batch) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.log == nil {
		return errors.New("kv: closed")
	}
	if err := db.log.append(b.ops); err != nil {
		return err
	}
	for _, r := range b.ops {
		db.apply(r)
	}
	if db.memBytes >= db.opts.MemtableBytes {
		return db.flushLocked()
	}
	return nil
}

// Scan yields the live items with start <= key < end (nil end: no bound),
// in key order.
func (db *DB) Scan(start, end []byte) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		db.mu.RLock()
		merged := map[string]value{}
		for _, seg := range db.segments {
			for _, e := range seg.entries {
				merged[string(e.key)] = e.val
			}
		}
		for k, v := range db.mem {
			merged[k] = v
		}
		db.mu.RUnlock()
		keys := make([]string, 0, len(merged))
		for k, v := range merged {
			if v.deleted || k < string(start) || (end != nil && k >= string(end)) {
				continue
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !yield(Item{Key: []byte(k), Value: bytes.Clone(merged[k].data)}, nil) {
				return
			}
		}
	}
}

// Flush writes the memtable to a new segment and empties the log.
func (db *DB) Flush() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.flushLocked()
}

func (db *DB) flushLocked() error {
	if len(db.mem) == 0 {
		return nil
	}
	var entries []entry
	for k, v := range db.mem {
		entries = append(entries, entry{key: []byte(k), val: v})
	}
	seg, err := writeSegment(filepath.Join(db.opts.Dir, fmt.Sprintf("seg-%06d.dat", db.nextSeg)), entries)
	if err != nil {
		return err
	}
	db.nextSeg++
	db.segments = append(db.segments, seg)
	db.mem = map[string]value{}
	db.memBytes = 0
	return db.log.reset()
}

// Compact merges every segment into one, dropping deleted keys.
func (db *DB) Compact() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.flushLocked(); err != nil {
		return err
	}
	latest := map[string]value{}
	for _, seg := range db.segments {
		for _, e := range seg.entries {
			latest[string(e.key)] = e.val
		}
	}
	var live []entry
	for k, v := range latest {
		if !v.deleted {
			live = append(live, entry{key: []byte(k), val: v})
		}
	}
	seg, err := writeSegment(filepath.Join(db.opts.Dir, fmt.Sprintf("seg-%06d.dat", db.nextSeg)), live)
	if err != nil {
		return err
	}
	db.nextSeg++
	for _, old := range db.segments {
		os.Remove(old.path)
	}
	db.segments = []*segment{seg}
	return nil
}

// Close closes the log. The DB must not be used afterwards.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.log == nil {
		return nil
	}
	err := db.log.close()
	db.log = nil
	return err
}

// Batch is a group of writes applied together.
type Batch struct {
	ops []record
}

// Put adds a put of key to the batch.
func (b *Batch) Put(key, value []byte) {
	b.ops = append(b.ops, record{key: bytes.Clone(key), value: bytes.Clone(value)})
}

// Delete adds a deletion of key to the batch.
func (b *Batch) Delete(key []byte) {
	b.ops = append(b.ops, record{key: bytes.Clone(key), del: true})
}
