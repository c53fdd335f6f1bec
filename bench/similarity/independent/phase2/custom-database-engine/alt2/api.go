package kv

import (
	"errors"
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
