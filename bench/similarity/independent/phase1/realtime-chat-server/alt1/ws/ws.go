// Package ws implements the server and client sides of a WebSocket
// connection (RFC 6455): the opening handshake and framed messages.
package ws

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Opcode is the kind of a frame.
type Opcode byte

// Frame opcodes.
const (
	OpContinuation Opcode = 0
	OpText         Opcode = 1
	OpBinary       Opcode = 2
	OpClose        Opcode = 8
	OpPing         Opcode = 9
	OpPong         Opcode = 10
)

// Close codes.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseNoStatus        = 1005
	ClosePolicyViolation = 1008
)

// ErrBadHandshake is returned by Upgrade for a request that is not a valid
// WebSocket handshake.
var ErrBadHandshake = errors.New("ws: bad handshake")

// CloseError is returned by ReadMessage when the peer sent a close frame.
type CloseError struct {
	Code   int // CloseNoStatus when the frame had no code
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("ws: closed by peer: %d %q", e.Code, e.Reason)
}

const magicGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey computes Sec-WebSocket-Accept for a client's key.
func AcceptKey(clientKey string) string {
	h := sha1.New()
	io.WriteString(h, clientKey+magicGUID)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// Upgrade performs the server side of the handshake and hijacks the
// connection.
func Upgrade(w http.ResponseWriter, r *http.Request) (*Conn, error) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if r.Method != http.MethodGet || !headerHas(r.Header, "Connection", "upgrade") ||
		!headerHas(r.Header, "Upgrade", "websocket") || r.Header.Get("Sec-WebSocket-Version") != "13" || key == "" {
		http.Error(w, "not a websocket handshake", http.StatusBadRequest)
		return nil, ErrBadHandshake
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return nil, ErrBadHandshake
	}
	nc, rw, err := hj.Hijack()
	if err != nil {
		return nil, err
	}
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + AcceptKey(key) + "\r\n\r\n"
	if _, err := rw.WriteString(resp); err != nil {
		nc.Close()
		return nil, err
	}
	if err := rw.Flush(); err != nil {
		nc.Close()
		return nil, err
	}
	c := NewConn(nc, true)
	c.br = rw.Reader
	return c, nil
}

// Conn is one WebSocket connection.
type Conn struct {
	nc       net.Conn
	isServer bool
	br       *bufio.Reader
	wmu      sync.Mutex
	closed   bool
}

// NewConn wraps an established connection.
func NewConn(nc net.Conn, isServer bool) *Conn {
	return &Conn{nc: nc, isServer: isServer, br: bufio.NewReader(nc)}
}

type header struct {
	fin    bool
	op     Opcode
	masked bool
	mask   [4]byte
	length uint64
}

func (c *Conn) readHeader() (header, error) {
	var h header
	var b [8]byte
	if _, err := io.ReadFull(c.br, b[:2]); err != nil {
		return h, err
	}
	h.fin = b[0]&0x80 != 0
	if b[0]&0x70 != 0 {
		return h, c.fail("reserved bits set")
	}
	h.op = Opcode(b[0] & 0x0f)
	h.masked = b[1]&0x80 != 0
	h.length = uint64(b[1] & 0x7f)
	switch h.length {
	case 126:
		if _, err := io.ReadFull(c.br, b[:2]); err != nil {
			return h, err
		}
		h.length = uint64(binary.BigEndian.Uint16(b[:2]))
	case 127:
		if _, err := io.ReadFull(c.br, b[:8]); err != nil {
			return h, err
		}
		h.length = binary.BigEndian.Uint64(b[:8])
	}
	if h.masked != c.isServer {
		return h, c.fail("wrong masking")
	}
	if h.masked {
		if _, err := io.ReadFull(c.br, h.mask[:]); err != nil {
			return h, err
		}
	}
	if h.op >= OpClose && (h.length > 125 || !h.fin) {
		return h, c.fail("bad control frame")
	}
	return h, nil
}

func (c *Conn) fail(why string) error {
	c.Close(CloseProtocolError, why)
	return &CloseError{Code: CloseProtocolError, Reason: why}
}

// ReadMessage returns the next data message, answering pings on the way.
func (c *Conn) ReadMessage() (Opcode, []byte, error) {
	var msgOp Opcode
	var msg []byte
	started := false
	for {
		h, err := c.readHeader()
		if err != nil {
			return 0, nil, err
		}
		payload := make([]byte, h.length)
		if _, err := io.ReadFull(c.br, payload); err != nil {
			return 0, nil, err
		}
		if h.masked {
			for i := range payload {
				payload[i] ^= h.mask[i%4]
			}
		}
		switch h.op {
		case OpPing:
			if err := c.WriteMessage(OpPong, payload); err != nil {
				return 0, nil, err
			}
			continue
		case OpPong:
			continue
		case OpClose:
			ce := &CloseError{Code: CloseNoStatus}
			if len(payload) >= 2 {
				ce.Code = int(binary.BigEndian.Uint16(payload))
				ce.Reason = string(payload[2:])
			}
			c.Close(ce.Code, "")
			return 0, nil, ce
		case OpContinuation:
			if !started {
				return 0, nil, c.fail("unexpected continuation")
			}
		case OpText, OpBinary:
			if started {
				return 0, nil, c.fail("expected continuation")
			}
			started, msgOp = true, h.op
		default:
			return 0, nil, c.fail("unknown opcode")
		}
		msg = append(msg, payload...)
		if h.fin {
			return msgOp, msg, nil
		}
	}
}

// WriteMessage sends p as one frame.
func (c *Conn) WriteMessage(op Opcode, p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeFrame(op, p)
}

func (c *Conn) writeFrame(op Opcode, p []byte) error {
	buf := []byte{0x80 | byte(op)}
	maskBit := byte(0)
	if !c.isServer {
		maskBit = 0x80
	}
	n := len(p)
	switch {
	case n < 126:
		buf = append(buf, maskBit|byte(n))
	case n <= 0xffff:
		buf = append(buf, maskBit|126, byte(n>>8), byte(n))
	default:
		buf = append(buf, maskBit|127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	if c.isServer {
		buf = append(buf, p...)
	} else {
		var key [4]byte
		rand.Read(key[:])
		buf = append(buf, key[:]...)
		for i, x := range p {
			buf = append(buf, x^key[i%4])
		}
	}
	_, err := c.nc.Write(buf)
	return err
}

// SetReadDeadline sets the deadline of reads.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of writes.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// Close sends a close frame (once) and closes the connection.
func (c *Conn) Close(code int, reason string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	body := binary.BigEndian.AppendUint16(nil, uint16(code))
	body = append(body, reason...)
	c.nc.SetWriteDeadline(time.Now().Add(time.Second))
	c.writeFrame(OpClose, body)
	return c.nc.Close()
}
