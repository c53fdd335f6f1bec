// Package chat is a hub of rooms on top of ws.
package chat

import "example.com/realtime-chat-server/ws"

// Key returns the accept key of a client key.
func Key(k string) string { return ws.AcceptKey(k) }
