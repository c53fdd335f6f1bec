package chat_test

// Hidden tests, group "Keepalive": pings, dropping silent clients, and
// Shutdown. Server.Join over net.Pipe in a synctest bubble, so every time
// below is exact virtual time.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"example.com/realtime-chat-server/chat"
	"example.com/realtime-chat-server/ws"
)

func keepServer(t *testing.T, o chat.Options) *chat.Server {
	t.Helper()
	var s *chat.Server
	if err := keepCall(func() { s = chat.NewServer(o) }); err != nil || s == nil {
		t.Fatalf("NewServer: %v (returned %v)", err, s)
	}
	return s
}

var keepOpts = chat.Options{SendBuffer: 16, WriteTimeout: 2 * time.Second, PingInterval: 10 * time.Second}

func TestHiddenKeepalive_PingsSent(t *testing.T) {
	keepBubble(t, func(t *testing.T) {
		s := keepServer(t, keepOpts)
		p := keepJoin(s, "go", "ann", true)
		time.Sleep(35 * time.Second)
		if _, pings, _, other := p.snapshot(); pings < 3 || pings > 4 || other != "" {
			t.Errorf("35 s after joining with PingInterval 10s the client received %d pings (other frames: %q), want 3 (at 10s, 20s and 30s; 4 if one is sent on joining)", pings, other)
		}
		keepLeaveAll(t, p)
	})
}

func TestHiddenKeepalive_AnsweringClientStays(t *testing.T) {
	keepBubble(t, func(t *testing.T) {
		s := keepServer(t, keepOpts)
		p := keepJoin(s, "go", "ann", true)
		time.Sleep(100 * time.Second)
		if got := keepClients(s, "go"); !slices.Equal(got, []string{"ann"}) {
			t.Errorf("Clients(%q) = %q after 100 s of a client answering every ping, want [ann]", "go", got)
		}
		if err, done := keepJoinDone(p); done {
			t.Errorf("Join returned (%v) for a client that answers every ping, want it connected", err)
		}
		keepLeaveAll(t, p)
	})
}

func TestHiddenKeepalive_SilentClientDropped(t *testing.T) {
	keepBubble(t, func(t *testing.T) {
		s := keepServer(t, keepOpts)
		p := keepJoin(s, "go", "ann", true)
		bob := keepJoin(s, "go", "bob", true)
		time.Sleep(35 * time.Second) // pings at 10, 20, 30 answered
		p.answer.Store(false)        // the last frame it sent was the pong at 30s
		time.Sleep(6 * time.Second)  // 41s
		synctest.Wait()
		if err, done := keepJoinDone(p); done {
			t.Fatalf("the client was dropped (Join returned %v) 11 s after its last pong, want it kept until PingInterval+WriteTimeout = 12 s of silence", err)
		}
		time.Sleep(time.Second + time.Millisecond) // 42.001s
		synctest.Wait()
		if _, done := keepJoinDone(p); !done {
			t.Fatalf("Join of a client silent for PingInterval+WriteTimeout (12 s since its last pong) has not returned, want the client dropped")
		}
		select {
		case <-p.ended:
		default:
			t.Errorf("the silent client's connection is still open, want it closed")
		}
		if got := keepClients(s, "go"); !slices.Equal(got, []string{"bob"}) {
			t.Errorf("Clients(%q) = %q, want [bob] (the silent client removed)", "go", got)
		}
		keepLeaveAll(t, p, bob)
	})
}

func TestHiddenKeepalive_ShutdownGoingAway(t *testing.T) {
	keepBubble(t, func(t *testing.T) {
		s := keepServer(t, keepOpts)
		peers := []*keepPeer{keepJoin(s, "go", "ann", true), keepJoin(s, "go", "bob", true), keepJoin(s, "zig", "zed", true)}
		synctest.Wait()
		var err error
		if perr := keepCall(func() { err = s.Shutdown(context.Background()) }); perr != nil {
			t.Fatalf("Shutdown: %v", perr)
		}
		if err != nil {
			t.Errorf("Shutdown = %v, want nil", err)
		}
		synctest.Wait()
		for _, p := range peers {
			if _, _, code, _ := p.snapshot(); code != 1001 {
				t.Errorf("%s received close code %d on Shutdown, want 1001 (going away)", p.name, code)
			}
			if err, done := keepJoinDone(p); !done || err != nil {
				t.Errorf("after Shutdown, Join of %s: returned %v, err %v; want returned, nil", p.name, done, err)
			}
			select {
			case <-p.ended:
			default:
				t.Errorf("%s's connection is still open after Shutdown, want it closed", p.name)
			}
		}
		if got := keepClients(s, "go"); len(got) != 0 {
			t.Errorf("Clients(%q) = %q after Shutdown, want none", "go", got)
		}
		late := keepJoin(s, "go", "late", true)
		if err := <-late.joined; !errors.Is(err, chat.ErrServerClosed) {
			t.Errorf("Join after Shutdown = %v, want chat.ErrServerClosed", err)
		}
		late.raw.Close()
		<-late.ended
		keepLeaveAll(t, peers...)
	})
}

func TestHiddenKeepalive_ShutdownWaitsForWriters(t *testing.T) {
	keepBubble(t, func(t *testing.T) {
		s := keepServer(t, chat.Options{SendBuffer: 16, WriteTimeout: 10 * time.Second, PingInterval: time.Hour})
		p := keepJoinDelayed(s, "go", "ann", 3*time.Second) // reads each frame 3s late
		synctest.Wait()
		t0 := time.Now()
		var err error
		if perr := keepCall(func() { err = s.Shutdown(context.Background()) }); perr != nil {
			t.Fatalf("Shutdown: %v", perr)
		}
		if took := time.Since(t0); err != nil || took < 3*time.Second {
			t.Errorf("Shutdown returned %v after %v, want nil after the 3 s the client took to read its close frame: Shutdown returns once every writer has finished", err, took)
		}
		synctest.Wait()
		if _, _, code, _ := p.snapshot(); code != 1001 {
			t.Errorf("the client received close code %d, want 1001", code)
		}
		keepLeaveAll(t, p)
	})
}

func TestHiddenKeepalive_ShutdownHonoursContext(t *testing.T) {
	keepBubble(t, func(t *testing.T) {
		s := keepServer(t, chat.Options{SendBuffer: 16, WriteTimeout: 10 * time.Second, PingInterval: time.Hour})
		p := keepJoin(s, "go", "stuck", false) // never reads: the close frame cannot be written
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		t0 := time.Now()
		var err error
		if perr := keepCall(func() { err = s.Shutdown(ctx) }); perr != nil {
			t.Fatalf("Shutdown: %v", perr)
		}
		if took := time.Since(t0); !errors.Is(err, context.DeadlineExceeded) || took > time.Second {
			t.Errorf("Shutdown(ctx with a 1s timeout) with a client that never reads returned %v after %v, want context.DeadlineExceeded after 1s", err, took)
		}
		<-p.joined // the write deadline (10s) frees the writer
		p.raw.Close()
	})
}

// keepCall runs f and turns a panic of the code under test into an error, so
// that a stub that panics fails only the test that called it.
func keepCall(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	f()
	return nil
}

// keepBubble runs f in a synctest bubble (virtual time), from a goroutine of
// its own so that a bubble whose goroutines all block for ever (synctest
// panics then) fails this test only. The real-time watchdog only ever fires
// for code that keeps running for ever.
func keepBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, f)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("synctest: %v: every goroutine of the test was blocked for ever: a call that never returns (Join, Shutdown, a write nobody reads), or goroutines of the server still waiting after the test ended (a writer or reader goroutine that never exits)", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the test did not end within 10 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

// keepFrame is a WebSocket frame as the test's own raw client sees it.
type keepFrame struct {
	fin     bool
	op      byte
	masked  bool
	payload []byte
}

// keepEncode returns one frame, masked with the key of RFC 6455's examples
// when mask is set (as a client must).
func keepEncode(fin bool, op byte, payload []byte, mask bool) []byte {
	b := []byte{op}
	if fin {
		b[0] |= 0x80
	}
	var bit byte
	if mask {
		bit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, bit|byte(n))
	case n <= 0xffff:
		b = append(b, bit|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, bit|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if !mask {
		return append(b, payload...)
	}
	key := []byte{0x37, 0xfa, 0x21, 0x3d}
	b = append(b, key...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

// keepDecode reads one frame and unmasks it.
func keepDecode(r io.Reader) (keepFrame, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:2]); err != nil {
		return keepFrame{}, err
	}
	f := keepFrame{fin: h[0]&0x80 != 0, op: h[0] & 0x0f, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(r, h[:2]); err != nil {
			return keepFrame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(r, h[:8]); err != nil {
			return keepFrame{}, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	if n > 1<<24 {
		return keepFrame{}, fmt.Errorf("frame header announces %d bytes of payload", n)
	}
	var key [4]byte
	if f.masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return keepFrame{}, err
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return keepFrame{}, err
	}
	if f.masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

// keepCode returns the status code of a close frame's payload (1005 if none).
func keepCode(payload []byte) int {
	if len(payload) < 2 {
		return 1005
	}
	return int(binary.BigEndian.Uint16(payload))
}

// keepPeer is the test's raw WebSocket client of one Server.Join over
// net.Pipe: a reader goroutine records what the server sends and answers
// pings while answer is set.
type keepPeer struct {
	name   string
	raw    net.Conn
	joined chan error // Join's result
	ended  chan struct{}
	answer atomic.Bool
	delay  time.Duration // before reading each frame

	mu        sync.Mutex
	texts     []string
	pings     int
	closeCode int    // of the close frame received, 0 if none
	other     string // an unexpected frame, if any
}

// keepJoin starts s.Join(room, name, conn) over a new net.Pipe. When read is
// false nobody reads the client side until the test does.
func keepJoin(s *chat.Server, room, name string, read bool) *keepPeer {
	server, raw := net.Pipe()
	p := &keepPeer{name: name, raw: raw, joined: make(chan error, 1), ended: make(chan struct{})}
	p.answer.Store(true)
	go func() {
		var err error
		if perr := keepCall(func() { err = s.Join(room, name, ws.NewConn(server, true)) }); perr != nil {
			err = perr
			server.Close()
		}
		p.joined <- err
	}()
	if read {
		go p.read()
	} else {
		close(p.ended)
	}
	return p
}

// keepJoinDelayed is keepJoin with a reader that waits delay before
// reading each frame.
func keepJoinDelayed(s *chat.Server, room, name string, delay time.Duration) *keepPeer {
	p := keepJoin(s, room, name, false)
	p.ended = make(chan struct{})
	p.delay = delay
	go p.read()
	return p
}

func (p *keepPeer) read() {
	defer close(p.ended)
	for {
		if p.delay > 0 {
			time.Sleep(p.delay)
		}
		f, err := keepDecode(p.raw)
		if err != nil {
			return
		}
		p.mu.Lock()
		switch {
		case f.op == 1 && f.fin && !f.masked:
			p.texts = append(p.texts, string(f.payload))
		case f.op == 9 && !f.masked:
			p.pings++
		case f.op == 8 && !f.masked:
			if p.closeCode == 0 {
				p.closeCode = keepCode(f.payload)
			}
		default:
			if p.other == "" {
				p.other = fmt.Sprintf("frame fin=%v opcode=%d masked=%v payload %q", f.fin, f.op, f.masked, f.payload)
			}
		}
		p.mu.Unlock()
		if f.op == 9 && p.answer.Load() {
			p.raw.Write(keepEncode(true, 10, f.payload, true))
		}
	}
}

// send writes a masked text frame; it returns once the server has read it.
func (p *keepPeer) send(text string) error {
	_, err := p.raw.Write(keepEncode(true, 1, []byte(text), true))
	return err
}

func (p *keepPeer) snapshot() (texts []string, pings, closeCode int, other string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.texts), p.pings, p.closeCode, p.other
}

// keepJoinDone reports Join's result if it has returned.
func keepJoinDone(p *keepPeer) (error, bool) {
	select {
	case err := <-p.joined:
		p.joined <- err
		return err, true
	default:
		return nil, false
	}
}

// keepClients calls s.Clients(room), turning a panic into nil.
func keepClients(s *chat.Server, room string) []string {
	var names []string
	keepCall(func() { names = s.Clients(room) })
	return names
}

// keepLeaveAll closes the client side of every peer and waits for their Join
// calls to return.
func keepLeaveAll(t *testing.T, peers ...*keepPeer) {
	t.Helper()
	for _, p := range peers {
		p.raw.Close()
	}
	for _, p := range peers {
		err := <-p.joined
		p.joined <- err
		<-p.ended
	}
}
