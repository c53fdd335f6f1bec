package ws

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// AcceptKey returns the Sec-WebSocket-Accept value for clientKey.
func AcceptKey(clientKey string) string {
	sum := sha1.Sum([]byte(clientKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func tokenListContains(values []string, want string) bool {
	for _, v := range values {
		for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if strings.ToLower(tok) == want {
				return true
			}
		}
	}
	return false
}

// Upgrade answers a WebSocket handshake and returns the server side of the
// connection.
func Upgrade(w http.ResponseWriter, r *http.Request) (*Conn, error) {
	problem := ""
	switch {
	case r.Method != "GET":
		problem = "method must be GET"
	case !tokenListContains(r.Header["Upgrade"], "websocket"):
		problem = "missing Upgrade: websocket"
	case !tokenListContains(r.Header["Connection"], "upgrade"):
		problem = "missing Connection: Upgrade"
	case r.Header.Get("Sec-Websocket-Version") != "13":
		problem = "unsupported version"
	case r.Header.Get("Sec-Websocket-Key") == "":
		problem = "missing key"
	}
	if problem != "" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, problem, http.StatusBadRequest)
		return nil, fmt.Errorf("%w: %s", ErrBadHandshake, problem)
	}
	h, ok := w.(http.Hijacker)
	if !ok {
		return nil, fmt.Errorf("%w: response cannot be hijacked", ErrBadHandshake)
	}
	conn, brw, err := h.Hijack()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		AcceptKey(r.Header.Get("Sec-Websocket-Key")))
	if err := brw.Flush(); err != nil {
		conn.Close()
		return nil, err
	}
	c := NewConn(conn, true)
	c.in = brw.Reader
	return c, nil
}
