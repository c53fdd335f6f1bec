package kv

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

type kvPair struct {
	K    []byte
	V    []byte
	Tomb bool
}

func cmpPair(a, b kvPair) int { return bytes.Compare(a.K, b.K) }

// table is a sorted run of pairs, in memory or loaded from a file.
type table struct {
	pairs []kvPair
	file  string
}

func (t *table) find(key []byte) (kvPair, bool) {
	i, ok := slices.BinarySearchFunc(t.pairs, kvPair{K: key}, cmpPair)
	if !ok {
		return kvPair{}, false
	}
	return t.pairs[i], true
}

// upsert keeps the table sorted.
func (t *table) upsert(p kvPair) int {
	i, ok := slices.BinarySearchFunc(t.pairs, p, cmpPair)
	if ok {
		old := t.pairs[i]
		t.pairs[i] = p
		return len(p.V) - len(old.V)
	}
	t.pairs = slices.Insert(t.pairs, i, p)
	return len(p.K) + len(p.V)
}

// DB is a key-value database.
type DB struct {
	lock    sync.Mutex
	dir     string
	limit   int
	mem     *table
	size    int
	tables  []*table // newest first
	journal *journal
	seq     int
}

func (db *DB) tablePath(n int) string { return filepath.Join(db.dir, fmt.Sprintf("%08d.sst", n)) }

// Open opens the database in o.Dir.
func Open(o Options) (*DB, error) {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, err
	}
	db := &DB{dir: o.Dir, limit: o.MemtableBytes, mem: &table{}}
	if db.limit <= 0 {
		db.limit = 4 * 1024 * 1024
	}
	files, err := filepath.Glob(filepath.Join(o.Dir, "*.sst"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	for _, f := range files {
		t, err := readTable(f)
		if err != nil {
			return nil, err
		}
		db.tables = append([]*table{t}, db.tables...)
		db.seq++
	}
	db.journal, err = openJournal(filepath.Join(o.Dir, "journal"), o.Sync, func(p kvPair) { db.size += db.mem.upsert(p) })
	if err != nil {
		return nil, err
	}
	return db, nil
}

func readTable(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t := &table{file: path}
	if err := gob.NewDecoder(f).Decode(&t.pairs); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	return t, nil
}

func (db *DB) saveTable(pairs []kvPair) (*table, error) {
	path := db.tablePath(db.seq)
	db.seq++
	f, err := os.Create(path + ".part")
	if err != nil {
		return nil, err
	}
	if err := gob.NewEncoder(f).Encode(pairs); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	return &table{pairs: pairs, file: path}, os.Rename(path+".part", path)
}

// Get looks key up, newest data first.
func (db *DB) Get(key []byte) ([]byte, error) {
	db.lock.Lock()
	defer db.lock.Unlock()
	for _, t := range append([]*table{db.mem}, db.tables...) {
		if p, ok := t.find(key); ok {
			if p.Tomb {
				break
			}
			return append([]byte(nil), p.V...), nil
		}
	}
	return nil, ErrNotFound
}

// Put stores value under key.
func (db *DB) Put(key, value []byte) error {
	var b Batch
	b.Put(key, value)
	return db.Write(&b)
}

// Delete removes key.
func (db *DB) Delete(key []byte) error {
	var b Batch
	b.Delete(key)
	return db.Write(&b)
}

// Write logs and applies a batch as one unit.
func (db *DB) Write(b *Batch) error {
	db.lock.Lock()
	defer db.lock.Unlock()
	if err := db.journal.write(b.pairs); err != nil {
		return err
	}
	for _, p := range b.pairs {
		db.size += db.mem.upsert(p)
	}
	if db.size >= db.limit {
		return db.flush()
	}
	return nil
}

// Scan iterates over the live keys in [start, end).
func (db *DB) Scan(start, end []byte) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		db.lock.Lock()
		runs := [][]kvPair{slices.Clone(db.mem.pairs)}
		for _, t := range db.tables {
			runs = append(runs, t.pairs)
		}
		db.lock.Unlock()
		pos := make([]int, len(runs))
		for {
			// pick the smallest key; the newest run wins on ties
			best := -1
			for r := range runs {
				if pos[r] < len(runs[r]) && (best < 0 || bytes.Compare(runs[r][pos[r]].K, runs[best][pos[best]].K) < 0) {
					best = r
				}
			}
			if best < 0 {
				return
			}
			p := runs[best][pos[best]]
			for r := range runs {
				for pos[r] < len(runs[r]) && bytes.Equal(runs[r][pos[r]].K, p.K) {
					pos[r]++
				}
			}
			if bytes.Compare(p.K, start) < 0 || p.Tomb {
				continue
			}
			if end != nil && bytes.Compare(p.K, end) >= 0 {
				return
			}
			if !yield(Item{Key: slices.Clone(p.K), Value: slices.Clone(p.V)}, nil) {
				return
			}
		}
	}
}

// Flush turns the memtable into a table file.
func (db *DB) Flush() error {
	db.lock.Lock()
	defer db.lock.Unlock()
	return db.flush()
}

func (db *DB) flush() error {
	if len(db.mem.pairs) == 0 {
		return nil
	}
	t, err := db.saveTable(db.mem.pairs)
	if err != nil {
		return err
	}
	db.tables = append([]*table{t}, db.tables...)
	db.mem, db.size = &table{}, 0
	return db.journal.truncate()
}

// Compact rewrites all tables as one without deleted keys.
func (db *DB) Compact() error {
	db.lock.Lock()
	defer db.lock.Unlock()
	if err := db.flush(); err != nil {
		return err
	}
	merged := &table{}
	for i := len(db.tables) - 1; i >= 0; i-- {
		for _, p := range db.tables[i].pairs {
			merged.upsert(p)
		}
	}
	live := slices.DeleteFunc(merged.pairs, func(p kvPair) bool { return p.Tomb })
	t, err := db.saveTable(live)
	if err != nil {
		return err
	}
	for _, old := range db.tables {
		os.Remove(old.file)
	}
	db.tables = []*table{t}
	return nil
}

// Close closes the journal.
func (db *DB) Close() error {
	db.lock.Lock()
	defer db.lock.Unlock()
	return db.journal.close()
}

// Batch collects puts and deletes.
type Batch struct{ pairs []kvPair }

// Put records a put.
func (b *Batch) Put(key, value []byte) {
	b.pairs = append(b.pairs, kvPair{K: slices.Clone(key), V: slices.Clone(value)})
}

// Delete records a delete.
func (b *Batch) Delete(key []byte) {
	b.pairs = append(b.pairs, kvPair{K: slices.Clone(key), Tomb: true})
}
