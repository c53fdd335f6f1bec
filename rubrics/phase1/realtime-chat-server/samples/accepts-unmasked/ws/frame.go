package ws

import (
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
)

// Opcode is the type of a WebSocket frame.
type Opcode byte

// The opcodes of RFC 6455, section 5.2.
const (
	OpContinuation Opcode = 0
	OpText         Opcode = 1
	OpBinary       Opcode = 2
	OpClose        Opcode = 8
	OpPing         Opcode = 9
	OpPong         Opcode = 10
)

// MaxMessageSize is the largest message ReadMessage accepts.
const MaxMessageSize = 16 << 20

// errProtocol is the cause of a read that must end the connection with
// close code 1002.
var errProtocol = errors.New("ws: protocol error")

type frame struct {
	fin     bool
	op      Opcode
	payload []byte
}

// readFrame reads one frame and unmasks its payload.
func readFrame(r io.Reader, isServer bool) (frame, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:2]); err != nil {
		return frame{}, err
	}
	f := frame{fin: h[0]&0x80 != 0, op: Opcode(h[0] & 0x0f)}
	masked := h[1]&0x80 != 0
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(r, h[:2]); err != nil {
			return frame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(r, h[:8]); err != nil {
			return frame{}, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	switch {
	case h[0]&0x70 != 0:
		return frame{}, errors.Join(errProtocol, errors.New("reserved bits set"))
	case f.op >= OpClose && (!f.fin || n > 125):
		return frame{}, errors.Join(errProtocol, errors.New("control frame fragmented or longer than 125 bytes"))
	case n > MaxMessageSize:
		return frame{}, errors.Join(errProtocol, errors.New("frame too large"))
	}
	var key [4]byte
	if masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return frame{}, err
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return frame{}, err
	}
	if masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

// appendFrame appends one final frame to buf, masked with a random key when
// mask is set.
func appendFrame(buf []byte, op Opcode, p []byte, mask bool) []byte {
	buf = append(buf, 0x80|byte(op))
	var bit byte
	if mask {
		bit = 0x80
	}
	switch n := len(p); {
	case n < 126:
		buf = append(buf, bit|byte(n))
	case n <= 0xffff:
		buf = append(buf, bit|126)
		buf = binary.BigEndian.AppendUint16(buf, uint16(n))
	default:
		buf = append(buf, bit|127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	if !mask {
		return append(buf, p...)
	}
	key := binary.BigEndian.AppendUint32(nil, rand.Uint32())
	buf = append(buf, key...)
	for i, b := range p {
		buf = append(buf, b^key[i%4])
	}
	return buf
}
