// Package ws implements the server side of the WebSocket protocol (RFC
// 6455): the opening handshake, framing, masking, fragmentation, ping/pong
// and the closing handshake. See README.md for the full contract.
package ws

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
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

// Close codes of RFC 6455, section 7.4.1.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseNoStatus        = 1005
	ClosePolicyViolation = 1008
)

// ErrBadHandshake is wrapped by the error Upgrade returns for a request
// that is not a valid WebSocket opening handshake.
var ErrBadHandshake = errors.New("ws: bad handshake")

var errNotImplemented = errors.New("ws: not implemented")

// CloseError is returned by ReadMessage when the peer sent a close frame.
type CloseError struct {
	Code   int // CloseNoStatus when the frame had no code
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("ws: closed by peer: %d %q", e.Code, e.Reason)
}

// AcceptKey returns the Sec-WebSocket-Accept value for a client's
// Sec-WebSocket-Key.
func AcceptKey(clientKey string) string {
	return "" // TODO
}

// Upgrade checks the opening handshake of r, answers it with 101 Switching
// Protocols and returns the hijacked connection as a server-side Conn.
func Upgrade(w http.ResponseWriter, r *http.Request) (*Conn, error) {
	return nil, errNotImplemented // TODO
}

// Conn is one WebSocket connection.
type Conn struct {
	nc       net.Conn
	isServer bool
}

// NewConn wraps an established connection; isServer selects the side.
func NewConn(nc net.Conn, isServer bool) *Conn {
	return &Conn{nc: nc, isServer: isServer}
}

// ReadMessage returns the next text or binary message (reassembled), or
// the payload of a pong; it answers pings and close frames itself.
func (c *Conn) ReadMessage() (Opcode, []byte, error) {
	return 0, nil, errNotImplemented // TODO
}

// WriteMessage writes p as one unfragmented frame of type op.
func (c *Conn) WriteMessage(op Opcode, p []byte) error {
	return errNotImplemented // TODO
}

// SetReadDeadline sets the deadline of the reads of the connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of the writes of the connection.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// Close sends a close frame with code and reason, then closes the
// connection.
func (c *Conn) Close(code int, reason string) error {
	return c.nc.Close() // TODO: send the close frame first
}
