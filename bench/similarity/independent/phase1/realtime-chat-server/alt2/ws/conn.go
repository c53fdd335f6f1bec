package ws

import (
	"bufio"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Conn is a WebSocket connection, server or client side.
type Conn struct {
	nc       net.Conn
	isServer bool
	in       *bufio.Reader
	writeMu  sync.Mutex
	closeMu  sync.Once
}

// NewConn makes a Conn of an open connection.
func NewConn(nc net.Conn, isServer bool) *Conn {
	return &Conn{nc: nc, isServer: isServer, in: bufio.NewReaderSize(nc, 4096)}
}

type frame struct {
	final   bool
	op      Opcode
	payload []byte
}

func (c *Conn) protocolError(msg string) error {
	c.Close(CloseProtocolError, msg)
	return &CloseError{CloseProtocolError, msg}
}

func (c *Conn) nextFrame() (frame, error) {
	var f frame
	first, err := c.in.ReadByte()
	if err != nil {
		return f, err
	}
	second, err := c.in.ReadByte()
	if err != nil {
		return f, err
	}
	if first&0x70 != 0 {
		return f, c.protocolError("RSV bits")
	}
	f.final = first&0x80 == 0x80
	f.op = Opcode(first & 0xf)
	size := int64(second & 0x7f)
	if size == 126 || size == 127 {
		ext := make([]byte, 2)
		if size == 127 {
			ext = make([]byte, 8)
		}
		if _, err := io.ReadFull(c.in, ext); err != nil {
			return f, err
		}
		if len(ext) == 2 {
			size = int64(binary.BigEndian.Uint16(ext))
		} else {
			size = int64(binary.BigEndian.Uint64(ext))
		}
	}
	masked := second&0x80 == 0x80
	if c.isServer && !masked {
		return f, c.protocolError("client frame not masked")
	}
	if !c.isServer && masked {
		return f, c.protocolError("server frame masked")
	}
	if f.op.control() && (size > 125 || !f.final) {
		return f, c.protocolError("invalid control frame")
	}
	var key []byte
	if masked {
		key = make([]byte, 4)
		if _, err := io.ReadFull(c.in, key); err != nil {
			return f, err
		}
	}
	f.payload = make([]byte, size)
	if _, err := io.ReadFull(c.in, f.payload); err != nil {
		return f, err
	}
	for i := 0; key != nil && i < len(f.payload); i++ {
		f.payload[i] ^= key[i&3]
	}
	return f, nil
}

// ReadMessage reads a whole (possibly fragmented) text or binary message.
func (c *Conn) ReadMessage() (Opcode, []byte, error) {
	var op Opcode
	var data []byte
	for {
		f, err := c.nextFrame()
		if err != nil {
			return 0, nil, err
		}
		if f.op == OpPing {
			if err := c.WriteMessage(OpPong, f.payload); err != nil {
				return 0, nil, err
			}
			continue
		}
		if f.op == OpPong {
			continue
		}
		if f.op == OpClose {
			code, reason := CloseNoStatus, ""
			if len(f.payload) > 1 {
				code, reason = int(f.payload[0])<<8|int(f.payload[1]), string(f.payload[2:])
			}
			c.Close(code, reason)
			return 0, nil, &CloseError{Code: code, Reason: reason}
		}
		if f.op != OpText && f.op != OpBinary && f.op != OpContinuation {
			return 0, nil, c.protocolError("bad opcode")
		}
		if (f.op == OpContinuation) == (data == nil) {
			return 0, nil, c.protocolError("bad fragmentation")
		}
		if data == nil {
			op, data = f.op, []byte{}
		}
		data = append(data, f.payload...)
		if f.final {
			return op, data, nil
		}
	}
}

func encode(op Opcode, p []byte, mask bool) []byte {
	out := make([]byte, 0, len(p)+14)
	out = append(out, 0x80|byte(op))
	var m byte
	if mask {
		m = 0x80
	}
	if l := len(p); l <= 125 {
		out = append(out, m|byte(l))
	} else if l < 1<<16 {
		out = append(out, m|126)
		out = binary.BigEndian.AppendUint16(out, uint16(l))
	} else {
		out = append(out, m|127)
		out = binary.BigEndian.AppendUint64(out, uint64(l))
	}
	if !mask {
		return append(out, p...)
	}
	key := rand.Uint32()
	out = binary.BigEndian.AppendUint32(out, key)
	start := len(out)
	out = append(out, p...)
	for i := start; i < len(out); i++ {
		out[i] ^= byte(key >> (24 - 8*((i-start)%4)))
	}
	return out
}

// WriteMessage writes p as a single frame of kind op.
func (c *Conn) WriteMessage(op Opcode, p []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, err := c.nc.Write(encode(op, p, !c.isServer))
	return err
}

// SetReadDeadline sets the read deadline of the underlying connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline of the underlying connection.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// Close says goodbye with code and reason, then closes the connection.
func (c *Conn) Close(code int, reason string) error {
	var err error
	c.closeMu.Do(func() {
		payload := []byte{byte(code >> 8), byte(code)}
		c.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
		c.WriteMessage(OpClose, append(payload, reason...))
		err = c.nc.Close()
	})
	return err
}
