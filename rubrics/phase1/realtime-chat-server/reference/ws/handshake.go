// Package ws implements the server side of the WebSocket protocol (RFC
// 6455): the opening handshake, framing, masking, fragmentation, ping/pong
// and the closing handshake.
package ws

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrBadHandshake is wrapped by the error Upgrade returns for a request
// that is not a valid WebSocket opening handshake.
var ErrBadHandshake = errors.New("ws: bad handshake")

const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey returns the Sec-WebSocket-Accept value for a client's
// Sec-WebSocket-Key: base64(SHA-1(key + GUID)).
func AcceptKey(clientKey string) string {
	sum := sha1.Sum([]byte(clientKey + acceptGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// headerHas reports whether a comma-separated header of h lists token
// (case-insensitively).
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// Upgrade checks the opening handshake of r, answers it with 101 Switching
// Protocols and returns the hijacked connection as a server-side Conn. An
// invalid handshake gets a 400 response and an error wrapping
// ErrBadHandshake.
func Upgrade(w http.ResponseWriter, r *http.Request) (*Conn, error) {
	bad := func(why string) (*Conn, error) {
		http.Error(w, "websocket handshake: "+why, http.StatusBadRequest)
		return nil, fmt.Errorf("%w: %s", ErrBadHandshake, why)
	}
	switch {
	case r.Method != http.MethodGet:
		return bad("method is not GET")
	case !headerHas(r.Header, "Connection", "upgrade"):
		return bad(`no "Connection: Upgrade" header`)
	case !headerHas(r.Header, "Upgrade", "websocket"):
		return bad(`no "Upgrade: websocket" header`)
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return bad("Sec-WebSocket-Version is not 13")
	case r.Header.Get("Sec-WebSocket-Key") == "":
		return bad("no Sec-WebSocket-Key header")
	}
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "websocket: cannot hijack the connection", http.StatusInternalServerError)
		return nil, fmt.Errorf("ws: hijack: %w", err)
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		nc.Close()
		return nil, err
	}
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + AcceptKey(r.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n")
	if err := brw.Flush(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("ws: handshake response: %w", err)
	}
	return newConn(nc, brw.Reader, true), nil
}
