package ws

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Close codes of RFC 6455, section 7.4.1.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseNoStatus        = 1005
	ClosePolicyViolation = 1008
)

// CloseError is returned by ReadMessage when the peer sent a close frame.
type CloseError struct {
	Code   int // CloseNoStatus when the frame had no code
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("ws: closed by peer: %d %q", e.Code, e.Reason)
}

// Conn is one WebSocket connection. ReadMessage must be called from one
// goroutine at a time; WriteMessage and Close may be called concurrently
// with it and with each other.
type Conn struct {
	nc       net.Conn
	br       *bufio.Reader
	isServer bool

	wmu       sync.Mutex // one frame at a time
	closeOnce sync.Once
	closeErr  error
}

// NewConn wraps an established connection. A server-side Conn (isServer)
// expects masked frames and writes unmasked ones; a client-side Conn the
// opposite.
func NewConn(nc net.Conn, isServer bool) *Conn {
	return newConn(nc, bufio.NewReader(nc), isServer)
}

func newConn(nc net.Conn, br *bufio.Reader, isServer bool) *Conn {
	return &Conn{nc: nc, br: br, isServer: isServer}
}

// ReadMessage returns the next text or binary message, reassembled from
// its fragments, or the payload of a pong frame (OpPong). Pings are
// answered with a pong carrying the same payload. A close frame is answered
// with a close frame carrying the same code, and ReadMessage returns a
// *CloseError. A protocol violation (such as an unmasked frame from a
// client) closes the connection with code 1002 and returns an error.
func (c *Conn) ReadMessage() (Opcode, []byte, error) {
	var (
		inMessage bool
		op        Opcode
		buf       []byte
	)
	for {
		f, err := readFrame(c.br, c.isServer)
		if err != nil {
			if errors.Is(err, errProtocol) {
				c.Close(CloseProtocolError, "protocol error")
			}
			return 0, nil, err
		}
		switch f.op {
		case OpPing:
			if err := c.write(OpPong, f.payload); err != nil {
				return 0, nil, err
			}
		case OpPong:
			return OpPong, f.payload, nil
		case OpClose:
			ce := &CloseError{Code: CloseNoStatus}
			if len(f.payload) >= 2 {
				ce.Code = int(binary.BigEndian.Uint16(f.payload))
				ce.Reason = string(f.payload[2:])
			}
			reply := ce.Code
			if reply == CloseNoStatus {
				reply = CloseNormal
			}
			c.Close(reply, "")
			return 0, nil, ce
		case OpText, OpBinary:
			if inMessage {
				return c.protocolError("new message inside a fragmented message")
			}
			if f.fin {
				return f.op, f.payload, nil
			}
			inMessage, op, buf = true, f.op, f.payload
		case OpContinuation:
			if !inMessage {
				return c.protocolError("continuation frame outside a message")
			}
			if len(buf)+len(f.payload) > MaxMessageSize {
				return c.protocolError("message too large")
			}
			buf = append(buf, f.payload...)
			if f.fin {
				return op, buf, nil
			}
		default:
			return c.protocolError(fmt.Sprintf("unknown opcode %d", f.op))
		}
	}
}

func (c *Conn) protocolError(why string) (Opcode, []byte, error) {
	c.Close(CloseProtocolError, why)
	return 0, nil, errors.Join(errProtocol, errors.New(why))
}

// WriteMessage writes p as one unfragmented frame of type op.
func (c *Conn) WriteMessage(op Opcode, p []byte) error {
	if op >= OpClose && len(p) > 125 {
		return errors.New("ws: control frame payload longer than 125 bytes")
	}
	return c.write(op, p)
}

func (c *Conn) write(op Opcode, p []byte) error {
	buf := appendFrame(make([]byte, 0, len(p)+14), op, p, !c.isServer)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.nc.Write(buf)
	return err
}

// SetReadDeadline sets the deadline of the reads of the connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of the writes of the connection.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// Close sends a close frame with code and reason (cut to 123 bytes), then
// closes the connection. Only the first call does anything; later calls
// return the first one's result.
func (c *Conn) Close(code int, reason string) error {
	c.closeOnce.Do(func() {
		if len(reason) > 123 {
			reason = reason[:123]
		}
		payload := binary.BigEndian.AppendUint16(nil, uint16(code))
		err := c.write(OpClose, append(payload, reason...))
		if cerr := c.nc.Close(); err == nil {
			err = cerr
		}
		c.closeErr = err
	})
	return c.closeErr
}
