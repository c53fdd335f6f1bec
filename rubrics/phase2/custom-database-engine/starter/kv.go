// Package kv is an embedded, ordered key-value store: a write-ahead log
// and a memtable in front of immutable sorted segment files.
//
// This is the starter: every exported name and signature must stay as it
// is. Replace the bodies, and add unexported code and files as you need.
package kv

import (
	"errors"
	"iter"
)

var (
	// ErrNotFound is returned by Get for a key that is absent or deleted.
	ErrNotFound = errors.New("kv: not found")
	// ErrCorrupt is wrapped by the errors of Open for damaged files.
	ErrCorrupt = errors.New("kv: corrupt")
)

// Options configures Open.
type Options struct {
	Dir           string // directory of the database, created if missing
	MemtableBytes int    // flush threshold: sum of len(key)+len(value); <= 0 means 4 MiB
	Sync          bool   // fsync the WAL after every write
}

// Item is one key-value pair yielded by Scan.
type Item struct{ Key, Value []byte }

// DB is an open database. Its methods are safe for concurrent use.
type DB struct {
	// TODO: your fields.
}

// Open opens (or creates) the database in o.Dir and recovers the writes
// logged since the last flush.
func Open(o Options) (*DB, error) {
	return &DB{}, nil
}

// Get returns a copy of the value stored for key, or ErrNotFound.
func (db *DB) Get(key []byte) ([]byte, error) {
	return nil, ErrNotFound
}

// Put stores value for key. It keeps no reference to key or value.
func (db *DB) Put(key, value []byte) error {
	return errors.New("not implemented")
}

// Delete removes key; deleting an absent key is not an error.
func (db *DB) Delete(key []byte) error {
	return errors.New("not implemented")
}

// Write applies every operation of b atomically.
func (db *DB) Write(b *Batch) error {
	return errors.New("not implemented")
}

// Scan yields the live items with start <= key < end in key order; a nil
// bound is open.
func (db *DB) Scan(start, end []byte) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {}
}

// Flush writes the memtable to a new segment file and starts a new WAL.
func (db *DB) Flush() error {
	return errors.New("not implemented")
}

// Compact merges the memtable and every segment into one segment without
// overwritten versions and tombstones, and deletes the old files.
func (db *DB) Compact() error {
	return errors.New("not implemented")
}

// Close closes the database without flushing the memtable.
func (db *DB) Close() error {
	return nil
}

// Batch collects writes that DB.Write applies atomically. The zero value
// is an empty batch.
type Batch struct {
	// TODO: your fields.
}

// Put adds a put of key to the batch; it copies key and value.
func (b *Batch) Put(key, value []byte) {}

// Delete adds a delete of key to the batch; it copies key.
func (b *Batch) Delete(key []byte) {}
