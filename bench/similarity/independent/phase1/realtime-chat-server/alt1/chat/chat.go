// Package chat is a chat server with rooms on top of package ws.
package chat

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"
	"time"

	"example.com/realtime-chat-server/ws"
)

// ErrServerClosed is returned by Join after Shutdown.
var ErrServerClosed = errors.New("chat: server closed")

// Options tune a Server.
type Options struct {
	SendBuffer   int           // messages queued per client; default 16
	WriteTimeout time.Duration // deadline of each write; default 10s
	PingInterval time.Duration // time between pings; default 30s
}

type member struct {
	name   string
	conn   *ws.Conn
	out    chan []byte
	gone   chan struct{}
	once   sync.Once
	reason string
}

func (m *member) drop(reason string) {
	m.once.Do(func() {
		m.reason = reason
		close(m.gone)
	})
}

// Server holds the rooms.
type Server struct {
	opts   Options
	mu     sync.Mutex
	rooms  map[string]map[*member]bool
	closed bool
	wg     sync.WaitGroup
}

// NewServer returns a server with the given options.
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
	return &Server{opts: o, rooms: map[string]map[*member]bool{}}
}

// ServeHTTP upgrades the request and joins ?room= as ?name=.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	room, name := r.URL.Query().Get("room"), r.URL.Query().Get("name")
	if room == "" || name == "" {
		http.Error(w, "room and name are required", http.StatusBadRequest)
		return
	}
	c, err := ws.Upgrade(w, r)
	if err != nil {
		return
	}
	s.Join(room, name, c)
}

// Join runs a client in room until it leaves.
func (s *Server) Join(room, name string, c *ws.Conn) error {
	m := &member{name: name, conn: c, out: make(chan []byte, s.opts.SendBuffer), gone: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close(ws.CloseGoingAway, "server closed")
		return ErrServerClosed
	}
	if s.rooms[room] == nil {
		s.rooms[room] = map[*member]bool{}
	}
	s.rooms[room][m] = true
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		s.writeLoop(m)
	}()
	var err error
	for {
		var data []byte
		_, data, err = c.ReadMessage()
		if err != nil {
			break
		}
		s.Broadcast(room, append([]byte(name+": "), data...))
	}
	m.drop("")
	<-writerDone
	s.mu.Lock()
	delete(s.rooms[room], m)
	if len(s.rooms[room]) == 0 {
		delete(s.rooms, room)
	}
	s.mu.Unlock()
	var ce *ws.CloseError
	if errors.As(err, &ce) {
		return nil
	}
	return err
}

func (s *Server) writeLoop(m *member) {
	ticker := time.NewTicker(s.opts.PingInterval)
	defer ticker.Stop()
	for {
		select {
		case msg := <-m.out:
			m.conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
			if err := m.conn.WriteMessage(ws.OpText, msg); err != nil {
				m.conn.Close(ws.CloseGoingAway, "write failed")
				return
			}
		case <-ticker.C:
			m.conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
			if err := m.conn.WriteMessage(ws.OpPing, nil); err != nil {
				m.conn.Close(ws.CloseGoingAway, "ping failed")
				return
			}
		case <-m.gone:
			code := ws.CloseNormal
			if m.reason != "" {
				code = ws.ClosePolicyViolation
			}
			m.conn.Close(code, m.reason)
			return
		}
	}
}

// Broadcast queues msg for every client of room; a client whose queue is
// full is disconnected. It returns the number of clients queued to.
func (s *Server) Broadcast(room string, msg []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	count := 0
	for m := range s.rooms[room] {
		select {
		case m.out <- msg:
			count++
		default:
			m.drop("too slow")
		}
	}
	return count
}

// Clients lists the names in room, sorted.
func (s *Server) Clients(room string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for m := range s.rooms[room] {
		names = append(names, m.name)
	}
	sort.Strings(names)
	return names
}

// Shutdown disconnects every client and waits for them, or for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for _, members := range s.rooms {
		for m := range members {
			m.drop("server shutting down")
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
