// Package kv is an embedded, ordered key-value store: a write-ahead log
// and a memtable in front of immutable sorted segment files.
package kv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
)

var (
	// ErrNotFound is returned by Get for a key that is absent or deleted.
	ErrNotFound = errors.New("kv: not found")
	// ErrCorrupt is wrapped by the errors of Open for damaged files.
	ErrCorrupt = errors.New("kv: corrupt")
)

// DefaultMemtableBytes is the memtable size used when Options.MemtableBytes
// is 0 or less.
const DefaultMemtableBytes = 4 << 20

// Options configures Open.
type Options struct {
	Dir           string // directory of the database, created if missing
	MemtableBytes int    // flush threshold: sum of len(key)+len(value)
	Sync          bool   // fsync the WAL after every write
}

// Item is one key-value pair yielded by Scan.
type Item struct{ Key, Value []byte }

// DB is an open database. Its methods are safe for concurrent use.
type DB struct {
	opts Options

	mu     sync.RWMutex
	mem    *memtable
	segs   []*segment // oldest first
	wal    *os.File
	walNum int
	stale  []int // numbers of older WAL files still on disk
	buf    []byte
	closed bool
	gets   int // Gets served, for debugging
}

// Open opens (or creates) the database in o.Dir and recovers the writes
// logged since the last flush.
func Open(o Options) (*DB, error) {
	if o.Dir == "" {
		return nil, errors.New("kv: Options.Dir is empty")
	}
	if o.MemtableBytes <= 0 {
		o.MemtableBytes = DefaultMemtableBytes
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	db := &DB{opts: o, mem: newMemtable()}
	if err := db.recover(); err != nil {
		if db.wal != nil {
			db.wal.Close()
		}
		return nil, err
	}
	return db, nil
}

// Get returns a copy of the value stored for key, or ErrNotFound.
func (db *DB) Get(key []byte) ([]byte, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	db.gets++
	if e, ok := db.mem.m[string(key)]; ok {
		if e.del {
			return nil, ErrNotFound
		}
		return bytes.Clone(e.value), nil
	}
	for i := len(db.segs) - 1; i >= 0; i-- {
		if e, ok := db.segs[i].get(key); ok {
			if e.del {
				return nil, ErrNotFound
			}
			return bytes.Clone(e.value), nil
		}
	}
	return nil, ErrNotFound
}

// Put stores value for key. It keeps no reference to key or value.
func (db *DB) Put(key, value []byte) error {
	return db.apply(op{kind: opPut, key: key, value: value})
}

// Delete removes key; deleting an absent key is not an error.
func (db *DB) Delete(key []byte) error {
	return db.apply(op{kind: opDelete, key: key})
}

// Write applies every operation of b atomically: one WAL record, and
// readers see all of them or none.
func (db *DB) Write(b *Batch) error {
	if b == nil || len(b.ops) == 0 {
		return nil
	}
	return db.apply(b.ops...)
}

func (db *DB) apply(ops ...op) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return errClosed
	}
	db.buf = appendRecord(db.buf[:0], ops)
	if _, err := db.wal.Write(db.buf); err != nil {
		return fmt.Errorf("kv: write WAL: %w", err)
	}
	if db.opts.Sync {
		if err := db.wal.Sync(); err != nil {
			return fmt.Errorf("kv: sync WAL: %w", err)
		}
	}
	for _, o := range ops {
		db.mem.apply(o)
	}
	if db.mem.bytes >= db.opts.MemtableBytes {
		return db.flushLocked()
	}
	return nil
}

// Flush writes the memtable to a new segment file and starts a new WAL.
func (db *DB) Flush() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return errClosed
	}
	return db.flushLocked()
}

// Close closes the WAL. It does not flush: the memtable is recovered from
// the WAL by the next Open.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	return db.wal.Close()
}

var errClosed = errors.New("kv: database is closed")
