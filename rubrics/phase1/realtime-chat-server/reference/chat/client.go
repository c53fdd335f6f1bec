package chat

import (
	"time"

	"example.com/realtime-chat-server/ws"
)

// client is one member of a room.
type client struct {
	room, name string
	conn       *ws.Conn
	send       chan []byte   // messages to write, bounded
	quit       chan struct{} // closed when the client must go

	// Guarded by Server.mu.
	gone bool
	code int // close code, set before quit is closed
}

// readLoop relays the client's messages to its room until a read fails:
// the client left, broke the protocol, or was silent for longer than
// PingInterval+WriteTimeout.
func (s *Server) readLoop(cl *client) {
	for {
		cl.conn.SetReadDeadline(time.Now().Add(s.opts.PingInterval + s.opts.WriteTimeout))
		op, p, err := cl.conn.ReadMessage()
		if err != nil {
			return
		}
		if op == ws.OpPong {
			continue
		}
		msg := make([]byte, 0, len(cl.name)+2+len(p))
		msg = append(append(append(msg, cl.name...), ": "...), p...)
		s.Broadcast(cl.room, msg)
	}
}

// writeLoop writes the queued messages and the pings until the client is
// removed, then closes the connection with the close code of the removal.
func (s *Server) writeLoop(cl *client) {
	ping := time.NewTicker(s.opts.PingInterval)
	defer ping.Stop()
	for {
		var err error
		select {
		case msg := <-cl.send:
			cl.conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
			err = cl.conn.WriteMessage(ws.OpText, msg)
		case <-ping.C:
			cl.conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
			err = cl.conn.WriteMessage(ws.OpPing, nil)
		case <-cl.quit:
			s.mu.Lock()
			code := cl.code
			s.mu.Unlock()
			cl.conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
			cl.conn.Close(code, "")
			return
		}
		if err != nil { // the write deadline has passed or the peer is gone
			s.remove(cl, ws.CloseGoingAway)
			cl.conn.Close(ws.CloseGoingAway, "")
			return
		}
	}
}
