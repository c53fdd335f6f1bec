package chat_test

// Hidden tests, group "SlowConsumer": a client that never reads must not
// stall its room. Server.Join over net.Pipe in a synctest bubble: net.Pipe
// has no buffer, so a client that does not read blocks its writer at the
// first message, and the virtual clock shows whether anyone else waited.

import (
	"encoding/binary"
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

func slowServer(t *testing.T, o chat.Options) *chat.Server {
	t.Helper()
	var s *chat.Server
	if err := slowCall(func() { s = chat.NewServer(o) }); err != nil || s == nil {
		t.Fatalf("NewServer: %v (returned %v)", err, s)
	}
	return s
}

// slowEvicted checks that the slow client's connection ends with close code
// 1008 or without a close frame, and that its Join returns.
func slowEvicted(t *testing.T, slow *slowPeer) {
	t.Helper()
	texts := 0
	for {
		f, err := slowDecode(slow.raw)
		if err != nil {
			break // dropped connection
		}
		if f.op == 8 {
			if code := slowCode(f.payload); code != 1008 {
				t.Errorf("the slow client got a close frame with code %d, want 1008 (policy violation) or a dropped connection", code)
			}
			if _, err := slowDecode(slow.raw); err == nil {
				t.Errorf("the slow client's connection is still open after its close frame, want it closed")
			}
			break
		}
		if f.op == 1 {
			texts++
		}
	}
	if texts > 5 {
		t.Errorf("the slow client (SendBuffer 4) could still read %d messages after it was disconnected; at most 1 being written + 4 queued were expected", texts)
	}
	<-slow.joined
}

func TestHiddenSlowConsumer_BroadcastDoesNotBlock(t *testing.T) {
	slowBubble(t, func(t *testing.T) {
		s := slowServer(t, chat.Options{SendBuffer: 4, WriteTimeout: 10 * time.Second, PingInterval: time.Hour})
		slow := slowJoin(s, "go", "sloth", false)
		synctest.Wait()
		if got := slowClients(s, "go"); !slices.Equal(got, []string{"sloth"}) {
			t.Fatalf("Clients(%q) = %q after Join, want [sloth]", "go", got)
		}
		t0 := time.Now()
		first, last := -1, -1
		for i := range 100 {
			if err := slowCall(func() { last = s.Broadcast("go", fmt.Appendf(nil, "m%d", i)) }); err != nil {
				t.Fatalf("Broadcast: %v", err)
			}
			if i == 0 {
				first = last
			}
		}
		if first != 1 {
			t.Errorf("the first Broadcast to a room of one client returned %d, want 1", first)
		}
		if took := time.Since(t0); took != 0 {
			t.Errorf("100 Broadcasts to a room whose only client never reads took %v of virtual time, want 0: Broadcast must never wait for a client (disconnect it when its queue of SendBuffer messages is full)", took)
		}
		if last != 0 {
			t.Errorf("the 100th Broadcast returned %d, want 0: the client that never reads (SendBuffer 4) must have been disconnected long before", last)
		}
		if got := slowClients(s, "go"); len(got) != 0 {
			t.Errorf("Clients(%q) = %q after the slow client overflowed its queue, want none", "go", got)
		}
		slowEvicted(t, slow)
	})
}

func TestHiddenSlowConsumer_OthersServedByBroadcast(t *testing.T) {
	slowBubble(t, func(t *testing.T) {
		s := slowServer(t, chat.Options{SendBuffer: 4, WriteTimeout: 10 * time.Second, PingInterval: time.Hour})
		fast := []*slowPeer{slowJoin(s, "go", "ann", true), slowJoin(s, "go", "bob", true), slowJoin(s, "go", "cat", true)}
		slow := slowJoin(s, "go", "sloth", false)
		synctest.Wait()
		t0 := time.Now()
		var last int
		for i := range 1000 {
			if err := slowCall(func() { last = s.Broadcast("go", fmt.Appendf(nil, "m%d", i)) }); err != nil {
				t.Fatalf("Broadcast: %v", err)
			}
			synctest.Wait() // the fast clients have read everything
		}
		if took := time.Since(t0); took != 0 {
			t.Errorf("1000 Broadcasts (each read at once by the 3 fast clients) took %v of virtual time, want 0: the client that never reads must not delay the others", took)
		}
		if last != 3 {
			t.Errorf("the last Broadcast returned %d, want 3 (the fast clients; the slow one disconnected)", last)
		}
		for _, p := range fast {
			texts, _, _, _ := p.snapshot()
			ok := len(texts) == 1000
			for i := 0; ok && i < 1000; i++ {
				ok = texts[i] == fmt.Sprintf("m%d", i)
			}
			if !ok {
				t.Errorf("fast client %s received %d messages, want m0..m999 in order", p.name, len(texts))
			}
		}
		if got, want := slowClients(s, "go"), []string{"ann", "bob", "cat"}; !slices.Equal(got, want) {
			t.Errorf("Clients(%q) = %q, want %q (the slow client removed)", "go", got, want)
		}
		slowEvicted(t, slow)
		slowLeaveAll(t, fast...)
	})
}

func TestHiddenSlowConsumer_OthersServedByRelay(t *testing.T) {
	slowBubble(t, func(t *testing.T) {
		s := slowServer(t, chat.Options{SendBuffer: 4, WriteTimeout: 10 * time.Second, PingInterval: time.Hour})
		ann := slowJoin(s, "go", "ann", true)
		bob := slowJoin(s, "go", "bob", true)
		slow := slowJoin(s, "go", "sloth", false)
		other := slowJoin(s, "zig", "zed", false) // another room, never reads, never sent anything
		synctest.Wait()
		t0 := time.Now()
		for i := range 1000 {
			if err := ann.send(fmt.Sprintf("%d", i)); err != nil {
				t.Fatalf("ann sending message %d: %v", i, err)
			}
			synctest.Wait()
		}
		if took := time.Since(t0); took != 0 {
			t.Errorf("relaying 1000 messages took %v of virtual time, want 0: a client that never reads must not delay its room", took)
		}
		for _, p := range []*slowPeer{ann, bob} {
			texts, _, _, _ := p.snapshot()
			ok := len(texts) == 1000
			for i := 0; ok && i < 1000; i++ {
				ok = texts[i] == fmt.Sprintf("ann: %d", i)
			}
			if !ok {
				t.Errorf("%s received %d messages, want \"ann: 0\" .. \"ann: 999\" in order", p.name, len(texts))
			}
		}
		if got, want := slowClients(s, "go"), []string{"ann", "bob"}; !slices.Equal(got, want) {
			t.Errorf("Clients(%q) = %q, want %q (the slow client removed)", "go", got, want)
		}
		if got := slowClients(s, "zig"); !slices.Equal(got, []string{"zed"}) {
			t.Errorf("Clients(%q) = %q, want [zed]: a client of another room that was sent nothing stays", "zig", got)
		}
		slowEvicted(t, slow)
		slowLeaveAll(t, ann, bob, other)
	})
}

// slowCall runs f and turns a panic of the code under test into an error, so
// that a stub that panics fails only the test that called it.
func slowCall(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	f()
	return nil
}

// slowBubble runs f in a synctest bubble (virtual time), from a goroutine of
// its own so that a bubble whose goroutines all block for ever (synctest
// panics then) fails this test only. The real-time watchdog only ever fires
// for code that keeps running for ever.
func slowBubble(t *testing.T, f func(t *testing.T)) {
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

// slowFrame is a WebSocket frame as the test's own raw client sees it.
type slowFrame struct {
	fin     bool
	op      byte
	masked  bool
	payload []byte
}

// slowEncode returns one frame, masked with the key of RFC 6455's examples
// when mask is set (as a client must).
func slowEncode(fin bool, op byte, payload []byte, mask bool) []byte {
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

// slowDecode reads one frame and unmasks it.
func slowDecode(r io.Reader) (slowFrame, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:2]); err != nil {
		return slowFrame{}, err
	}
	f := slowFrame{fin: h[0]&0x80 != 0, op: h[0] & 0x0f, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(r, h[:2]); err != nil {
			return slowFrame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(r, h[:8]); err != nil {
			return slowFrame{}, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	if n > 1<<24 {
		return slowFrame{}, fmt.Errorf("frame header announces %d bytes of payload", n)
	}
	var key [4]byte
	if f.masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return slowFrame{}, err
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return slowFrame{}, err
	}
	if f.masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

// slowCode returns the status code of a close frame's payload (1005 if none).
func slowCode(payload []byte) int {
	if len(payload) < 2 {
		return 1005
	}
	return int(binary.BigEndian.Uint16(payload))
}

// slowPeer is the test's raw WebSocket client of one Server.Join over
// net.Pipe: a reader goroutine records what the server sends and answers
// pings while answer is set.
type slowPeer struct {
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

// slowJoin starts s.Join(room, name, conn) over a new net.Pipe. When read is
// false nobody reads the client side until the test does.
func slowJoin(s *chat.Server, room, name string, read bool) *slowPeer {
	server, raw := net.Pipe()
	p := &slowPeer{name: name, raw: raw, joined: make(chan error, 1), ended: make(chan struct{})}
	p.answer.Store(true)
	go func() {
		var err error
		if perr := slowCall(func() { err = s.Join(room, name, ws.NewConn(server, true)) }); perr != nil {
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

// slowJoinDelayed is slowJoin with a reader that waits delay before
// reading each frame.
func slowJoinDelayed(s *chat.Server, room, name string, delay time.Duration) *slowPeer {
	p := slowJoin(s, room, name, false)
	p.ended = make(chan struct{})
	p.delay = delay
	go p.read()
	return p
}

func (p *slowPeer) read() {
	defer close(p.ended)
	for {
		if p.delay > 0 {
			time.Sleep(p.delay)
		}
		f, err := slowDecode(p.raw)
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
				p.closeCode = slowCode(f.payload)
			}
		default:
			if p.other == "" {
				p.other = fmt.Sprintf("frame fin=%v opcode=%d masked=%v payload %q", f.fin, f.op, f.masked, f.payload)
			}
		}
		p.mu.Unlock()
		if f.op == 9 && p.answer.Load() {
			p.raw.Write(slowEncode(true, 10, f.payload, true))
		}
	}
}

// send writes a masked text frame; it returns once the server has read it.
func (p *slowPeer) send(text string) error {
	_, err := p.raw.Write(slowEncode(true, 1, []byte(text), true))
	return err
}

func (p *slowPeer) snapshot() (texts []string, pings, closeCode int, other string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.texts), p.pings, p.closeCode, p.other
}

// slowJoinDone reports Join's result if it has returned.
func slowJoinDone(p *slowPeer) (error, bool) {
	select {
	case err := <-p.joined:
		p.joined <- err
		return err, true
	default:
		return nil, false
	}
}

// slowClients calls s.Clients(room), turning a panic into nil.
func slowClients(s *chat.Server, room string) []string {
	var names []string
	slowCall(func() { names = s.Clients(room) })
	return names
}

// slowLeaveAll closes the client side of every peer and waits for their Join
// calls to return.
func slowLeaveAll(t *testing.T, peers ...*slowPeer) {
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
