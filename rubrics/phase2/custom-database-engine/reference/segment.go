package kv

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
)

// entry is a key's latest version in a segment or a memtable snapshot.
type entry struct {
	key, value []byte
	del        bool
}

// segment is an immutable sorted file, loaded in memory.
type segment struct {
	num     int
	entries []entry // key order
}

func (s *segment) get(key []byte) (entry, bool) {
	i, ok := slices.BinarySearchFunc(s.entries, key, func(e entry, k []byte) int { return bytes.Compare(e.key, k) })
	if !ok {
		return entry{}, false
	}
	return s.entries[i], true
}

// rangeOf returns the entries with start <= key < end (nil = open).
func (s *segment) rangeOf(start, end []byte) []entry {
	cmp := func(e entry, k []byte) int { return bytes.Compare(e.key, k) }
	lo, hi := 0, len(s.entries)
	if start != nil {
		lo, _ = slices.BinarySearchFunc(s.entries, start, cmp)
	}
	if end != nil {
		hi, _ = slices.BinarySearchFunc(s.entries, end, cmp)
	}
	if lo >= hi {
		return nil
	}
	return s.entries[lo:hi]
}

func segName(dir string, num int) string { return filepath.Join(dir, fmt.Sprintf("%06d.seg", num)) }
func walName(dir string, num int) string { return filepath.Join(dir, fmt.Sprintf("%06d.wal", num)) }

// writeSegment writes entries (sorted) to segment file num: the ops in key
// order, then the CRC-32 of everything before it. The file is written
// under a temporary name and renamed, so a segment is whole or absent.
func writeSegment(dir string, num int, entries []entry, sync bool) (*segment, error) {
	var body []byte
	for _, e := range entries {
		o := op{kind: opPut, key: e.key, value: e.value}
		if e.del {
			o.kind = opDelete
		}
		body = appendOp(body, o)
	}
	body = binary.LittleEndian.AppendUint32(body, crc32.ChecksumIEEE(body))
	name := segName(dir, num)
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	_, err = f.Write(body)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("kv: write segment: %w", err)
	}
	return &segment{num: num, entries: slices.Clone(entries)}, nil
}

// loadSegment reads and checks segment file num.
func loadSegment(dir string, num int) (*segment, error) {
	name := segName(dir, num)
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if len(data) < 4 {
		return nil, fmt.Errorf("%w: %s: too short", ErrCorrupt, name)
	}
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(data[len(body):]) {
		return nil, fmt.Errorf("%w: %s: checksum mismatch", ErrCorrupt, name)
	}
	s := &segment{num: num}
	err = decodeOps(body, func(o op) {
		s.entries = append(s.entries, entry{key: o.key, value: o.value, del: o.kind == opDelete})
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
	}
	return s, nil
}
