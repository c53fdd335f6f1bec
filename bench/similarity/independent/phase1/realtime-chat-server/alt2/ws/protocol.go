// Package ws is a small WebSocket implementation.
package ws

import (
	"errors"
	"fmt"
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

// ErrBadHandshake means the HTTP request was not a WebSocket handshake.
var ErrBadHandshake = errors.New("ws: bad handshake")

// CloseError reports a close frame from the peer.
type CloseError struct {
	Code   int // CloseNoStatus when the frame had no code
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("ws: closed by peer: %d %q", e.Code, e.Reason)
}

func (op Opcode) control() bool { return op&0x8 != 0 }
