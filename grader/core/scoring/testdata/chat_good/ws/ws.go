// Package ws implements the server side of RFC 6455.
package ws

import (
	"crypto/sha1"
	"encoding/base64"
)

// AcceptKey returns the Sec-WebSocket-Accept value for a client key.
func AcceptKey(clientKey string) string {
	sum := sha1.Sum([]byte(clientKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}
