// Package ws wraps gorilla's websocket and reaches into chat.
package ws

import (
	"github.com/gorilla/websocket"

	"example.com/realtime-chat-server/chat"
)

// Upgrader is gorilla's.
var Upgrader = websocket.Upgrader{}

// Room names the default room.
func Room() string { return chat.DefaultRoom }
