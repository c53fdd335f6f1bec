// Package chat is a hub of rooms.
package chat

import _ "golang.org/x/net/websocket"

// DefaultRoom is the room clients join first.
const DefaultRoom = "lobby"
