// Package chat runs chat rooms over WebSocket connections.
package chat

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"example.com/realtime-chat-server/ws"
)

// ErrServerClosed is returned by Join once the server is shut down.
var ErrServerClosed = errors.New("chat: server closed")

// Options tune a Server.
type Options struct {
	SendBuffer   int           // messages queued per client; default 16
	WriteTimeout time.Duration // deadline of each write; default 10s
	PingInterval time.Duration // time between pings; default 30s
}

type client struct {
	nick   string
	c      *ws.Conn
	queue  chan []byte
	kick   chan int
	kicked atomic.Bool
}

func (cl *client) disconnect(code int) {
	if cl.kicked.CompareAndSwap(false, true) {
		cl.kick <- code
	}
}

// Server is a set of rooms.
type Server struct {
	sendBuf   int
	writeTO   time.Duration
	pingEvery time.Duration

	lock     sync.RWMutex
	rooms    map[string][]*client
	shutting bool
	active   sync.WaitGroup
}

// NewServer makes a Server; zero options take their defaults.
func NewServer(o Options) *Server {
	s := &Server{sendBuf: 16, writeTO: 10 * time.Second, pingEvery: 30 * time.Second, rooms: make(map[string][]*client)}
	if o.SendBuffer > 0 {
		s.sendBuf = o.SendBuffer
	}
	if o.WriteTimeout > 0 {
		s.writeTO = o.WriteTimeout
	}
	if o.PingInterval > 0 {
		s.pingEvery = o.PingInterval
	}
	return s
}

// ServeHTTP is the WebSocket endpoint: /?room=R&name=N.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("room") == "" || q.Get("name") == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	conn, err := ws.Upgrade(w, r)
	if err == nil {
		_ = s.Join(q.Get("room"), q.Get("name"), conn)
	}
}

func (s *Server) add(room string, cl *client) bool {
	s.lock.Lock()
	defer s.lock.Unlock()
	if s.shutting {
		return false
	}
	s.rooms[room] = append(s.rooms[room], cl)
	s.active.Add(1)
	return true
}

func (s *Server) remove(room string, cl *client) {
	s.lock.Lock()
	defer s.lock.Unlock()
	s.rooms[room] = slices.DeleteFunc(s.rooms[room], func(x *client) bool { return x == cl })
	if len(s.rooms[room]) == 0 {
		delete(s.rooms, room)
	}
}

// Join serves one client of room until it disconnects.
func (s *Server) Join(room, name string, c *ws.Conn) error {
	cl := &client{nick: name, c: c, queue: make(chan []byte, s.sendBuf), kick: make(chan int, 1)}
	if !s.add(room, cl) {
		c.Close(ws.CloseGoingAway, "shutting down")
		return ErrServerClosed
	}
	defer s.active.Done()
	defer s.remove(room, cl)

	readErr := make(chan error, 1)
	go func() {
		for {
			_, text, err := c.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			s.Broadcast(room, []byte(name+": "+string(text)))
		}
	}()
	pings := time.NewTicker(s.pingEvery)
	defer pings.Stop()
	for {
		select {
		case err := <-readErr:
			cl.kicked.Store(true)
			c.Close(ws.CloseNormal, "")
			if ce := (*ws.CloseError)(nil); errors.As(err, &ce) {
				return nil
			}
			return err
		case code := <-cl.kick:
			c.Close(code, "bye")
			return <-readErr
		case m := <-cl.queue:
			c.SetWriteDeadline(time.Now().Add(s.writeTO))
			if err := c.WriteMessage(ws.OpText, m); err != nil {
				cl.disconnect(ws.CloseGoingAway)
			}
		case <-pings.C:
			c.SetWriteDeadline(time.Now().Add(s.writeTO))
			if err := c.WriteMessage(ws.OpPing, []byte("ping")); err != nil {
				cl.disconnect(ws.CloseGoingAway)
			}
		}
	}
}

// Broadcast sends msg to every client of room and returns how many got it.
func (s *Server) Broadcast(room string, msg []byte) int {
	s.lock.RLock()
	members := slices.Clone(s.rooms[room])
	s.lock.RUnlock()
	sent := 0
	for _, cl := range members {
		select {
		case cl.queue <- msg:
			sent++
		default:
			cl.disconnect(ws.ClosePolicyViolation)
		}
	}
	return sent
}

// Clients returns the names of room's clients in join order.
func (s *Server) Clients(room string) []string {
	s.lock.RLock()
	defer s.lock.RUnlock()
	names := make([]string, 0, len(s.rooms[room]))
	for _, cl := range s.rooms[room] {
		names = append(names, cl.nick)
	}
	return names
}

// Shutdown closes every connection and waits for the clients to finish.
func (s *Server) Shutdown(ctx context.Context) error {
	s.lock.Lock()
	s.shutting = true
	var all []*client
	for _, members := range s.rooms {
		all = append(all, members...)
	}
	s.lock.Unlock()
	for _, cl := range all {
		cl.disconnect(ws.CloseGoingAway)
	}
	finished := make(chan struct{})
	go func() { s.active.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
