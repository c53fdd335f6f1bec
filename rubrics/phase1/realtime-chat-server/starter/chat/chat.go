// Package chat is a chat hub with rooms on top of package ws. See
// README.md for the full contract.
package chat

import (
	"context"
	"errors"
	"net/http"
	"time"

	"example.com/realtime-chat-server/ws"
)

// ErrServerClosed is returned by Join once Shutdown has been called.
var ErrServerClosed = errors.New("chat: server closed")

// Options configure a Server; zero fields take their defaults.
type Options struct {
	SendBuffer   int           // messages queued per client; default 16
	WriteTimeout time.Duration // deadline of each write; default 10s
	PingInterval time.Duration // time between pings; default 30s
}

// Server is a chat hub. Its methods are safe for concurrent use.
type Server struct {
	opts Options
}

// NewServer returns a Server with options o.
func NewServer(o Options) *Server {
	return &Server{opts: o}
}

// ServeHTTP upgrades GET ?room=R&name=N to a WebSocket connection and
// joins the client to room R under name N.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// TODO
}

// Join adds the client name, connected by c, to room and serves it until
// it leaves.
func (s *Server) Join(room, name string, c *ws.Conn) error {
	return c.Close(ws.CloseGoingAway, "not implemented") // TODO
}

// Broadcast queues msg for every client of room and returns how many
// clients it was queued for.
func (s *Server) Broadcast(room string, msg []byte) int {
	return 0 // TODO
}

// Clients returns the names of the clients of room, sorted.
func (s *Server) Clients(room string) []string {
	return nil // TODO
}

// Shutdown disconnects every client with close code 1001 and waits until
// every Join has returned, or ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	return nil // TODO
}
