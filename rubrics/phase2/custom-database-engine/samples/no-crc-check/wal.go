package kv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

const (
	opPut    byte = 1
	opDelete byte = 2
)

// op is one write; a WAL record holds the ops of one Put, Delete or Batch.
type op struct {
	kind       byte
	key, value []byte
}

// recordHeader is the size of a record's header: payload length and the
// CRC-32 (IEEE) of the payload, both little-endian uint32.
const recordHeader = 8

// appendRecord appends the WAL record of ops to dst.
func appendRecord(dst []byte, ops []op) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, recordHeader)...)
	for _, o := range ops {
		dst = appendOp(dst, o)
	}
	payload := dst[start+recordHeader:]
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(dst[start+4:], crc32.ChecksumIEEE(payload))
	return dst
}

// appendOp appends kind, uvarint key length, key and, for a put, uvarint
// value length and value.
func appendOp(dst []byte, o op) []byte {
	dst = append(dst, o.kind)
	dst = binary.AppendUvarint(dst, uint64(len(o.key)))
	dst = append(dst, o.key...)
	if o.kind == opPut {
		dst = binary.AppendUvarint(dst, uint64(len(o.value)))
		dst = append(dst, o.value...)
	}
	return dst
}

// decodeOps decodes the ops of a record payload (or a segment body). The
// returned slices alias p.
func decodeOps(p []byte, fn func(op)) error {
	for len(p) > 0 {
		var o op
		o.kind = p[0]
		p = p[1:]
		if o.kind != opPut && o.kind != opDelete {
			return errors.New("bad op kind")
		}
		var ok bool
		if o.key, p, ok = cutField(p); !ok {
			return errors.New("bad key")
		}
		if o.kind == opPut {
			if o.value, p, ok = cutField(p); !ok {
				return errors.New("bad value")
			}
		}
		fn(o)
	}
	return nil
}

func cutField(p []byte) (field, rest []byte, ok bool) {
	n, w := binary.Uvarint(p)
	if w <= 0 || n > uint64(len(p)-w) {
		return nil, nil, false
	}
	return p[w : w+int(n) : w+int(n)], p[w+int(n):], true
}

// replayWAL applies the complete records of data in order. It returns the
// length of the valid prefix: a record cut short at the end of the file is
// a torn tail and is dropped. A complete record with a bad checksum is an
// error wrapping ErrCorrupt.
func replayWAL(name string, data []byte, fn func(op)) (int, error) {
	off := 0
	for off < len(data) {
		rest := data[off:]
		if len(rest) < recordHeader {
			break // torn header
		}
		n := int(binary.LittleEndian.Uint32(rest))
		if n > len(rest)-recordHeader {
			break // torn payload
		}
		payload := rest[recordHeader : recordHeader+n]
		if crc32.ChecksumIEEE(payload) != binary.LittleEndian.Uint32(rest[4:]) {
			break // a bad record: the crash must have damaged it, keep the prefix
		}
		if err := decodeOps(payload, fn); err != nil {
			return off, fmt.Errorf("%w: %s: record at offset %d: %v", ErrCorrupt, name, off, err)
		}
		off += recordHeader + n
	}
	return off, nil
}
