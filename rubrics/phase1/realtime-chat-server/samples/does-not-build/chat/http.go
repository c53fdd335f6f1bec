package chat

import (
	"net/http"

	"example.com/realtime-chat-server/ws"
)

// ServeHTTP upgrades GET ?room=R&name=N to a WebSocket connection and joins
// the client to room R under name N. A request without room or name gets
// 400, one after Shutdown 503.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	room, name := q.Get("room"), q.Get("name")
	if room == "" || name == "" {
		http.Error(w, "chat: the room and name query parameters are required", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "chat: server shutting down", http.StatusServiceUnavailable)
		return
	}
	c, err := ws.Upgrade(w, r)
	if err != nil {
		return // Upgrade has answered
	}
	if err := s.Join(room, c); err != nil {
		c.Close(ws.CloseGoingAway, "server shutting down")
	}
}
