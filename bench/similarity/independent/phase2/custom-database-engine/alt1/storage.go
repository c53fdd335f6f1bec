package kv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
)

type record struct {
	key, value []byte
	del        bool
}

// A log entry is one batch: crc32 | length | count | (flag, klen, vlen, key, value)*.
func encodeBatch(ops []record) []byte {
	var body []byte
	body = binary.AppendUvarint(body, uint64(len(ops)))
	for _, r := range ops {
		flag := byte(0)
		if r.del {
			flag = 1
		}
		body = append(body, flag)
		body = binary.AppendUvarint(body, uint64(len(r.key)))
		body = binary.AppendUvarint(body, uint64(len(r.value)))
		body = append(body, r.key...)
		body = append(body, r.value...)
	}
	head := make([]byte, 8)
	binary.LittleEndian.PutUint32(head, crc32.ChecksumIEEE(body))
	binary.LittleEndian.PutUint32(head[4:], uint32(len(body)))
	return append(head, body...)
}

func decodeBatch(body []byte) ([]record, error) {
	r := bytes.NewReader(body)
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, ErrCorrupt
	}
	var ops []record
	for i := uint64(0); i < n; i++ {
		flag, err := r.ReadByte()
		if err != nil {
			return nil, ErrCorrupt
		}
		kl, err1 := binary.ReadUvarint(r)
		vl, err2 := binary.ReadUvarint(r)
		if err1 != nil || err2 != nil || kl+vl > uint64(r.Len()) {
			return nil, ErrCorrupt
		}
		kv := make([]byte, kl+vl)
		io.ReadFull(r, kv)
		ops = append(ops, record{key: kv[:kl], value: kv[kl:], del: flag == 1})
	}
	return ops, nil
}

type wal struct {
	f    *os.File
	sync bool
}

func openWAL(path string, sync bool) (*wal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &wal{f: f, sync: sync}, nil
}

func (w *wal) append(ops []record) error {
	if _, err := w.f.Write(encodeBatch(ops)); err != nil {
		return err
	}
	if w.sync {
		return w.f.Sync()
	}
	return nil
}

func (w *wal) reset() error {
	if err := w.f.Truncate(0); err != nil {
		return err
	}
	_, err := w.f.Seek(0, io.SeekStart)
	return err
}

func (w *wal) close() error { return w.f.Close() }

// replayWAL returns the records of the complete batches of the log; a torn
// batch at the end is ignored.
func replayWAL(path string) ([]record, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var all []record
	for len(data) >= 8 {
		sum := binary.LittleEndian.Uint32(data)
		size := int(binary.LittleEndian.Uint32(data[4:]))
		if 8+size > len(data) {
			break
		}
		body := data[8 : 8+size]
		if crc32.ChecksumIEEE(body) != sum {
			break
		}
		ops, err := decodeBatch(body)
		if err != nil {
			return nil, err
		}
		all = append(all, ops...)
		data = data[8+size:]
	}
	return all, nil
}

type entry struct {
	key []byte
	val value
}

type segment struct {
	path    string
	entries []entry // sorted by key
}

func (s *segment) lookup(key []byte) (value, bool) {
	i := sort.Search(len(s.entries), func(i int) bool { return bytes.Compare(s.entries[i].key, key) >= 0 })
	if i < len(s.entries) && bytes.Equal(s.entries[i].key, key) {
		return s.entries[i].val, true
	}
	return value{}, false
}

func writeSegment(path string, entries []entry) (*segment, error) {
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].key, entries[j].key) < 0 })
	var ops []record
	for _, e := range entries {
		ops = append(ops, record{key: e.key, value: e.val.data, del: e.val.deleted})
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	w.Write(encodeBatch(ops))
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	return &segment{path: path, entries: entries}, nil
}

func loadSegment(path string) (*segment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 8 || int(binary.LittleEndian.Uint32(data[4:]))+8 != len(data) ||
		crc32.ChecksumIEEE(data[8:]) != binary.LittleEndian.Uint32(data) {
		return nil, fmt.Errorf("%s: %w", path, ErrCorrupt)
	}
	ops, err := decodeBatch(data[8:])
	if err != nil {
		return nil, err
	}
	seg := &segment{path: path}
	for _, r := range ops {
		seg.entries = append(seg.entries, entry{key: r.key, val: value{data: r.value, deleted: r.del}})
	}
	return seg, nil
}
