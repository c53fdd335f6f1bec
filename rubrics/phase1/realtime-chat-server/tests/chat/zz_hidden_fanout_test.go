package chat_test

// Hidden tests, group "FanOut": rooms, relaying with the "name: message"
// format, Broadcast, Clients and ServeHTTP. The first test runs 3 rooms of
// 20 clients over a loopback HTTP server, with the test's own raw RFC 6455
// client; the others use Server.Join over net.Pipe in a synctest bubble.

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"example.com/realtime-chat-server/chat"
	"example.com/realtime-chat-server/ws"
)

// fanTCP is a raw WebSocket client over TCP.
type fanTCP struct {
	name, room string
	nc         net.Conn
	mu         sync.Mutex
	texts      []string
	ended      chan struct{}
}

func fanDial(addr, room, name string) (*fanTCP, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(60 * time.Second))
	q := url.Values{"room": {room}, "name": {name}}.Encode()
	req := "GET /ws?" + q + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		nc.Close()
		return nil, err
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("reading the handshake response of %s: %v", name, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		nc.Close()
		return nil, fmt.Errorf("GET /ws?%s answered %d, want 101", q, resp.StatusCode)
	}
	c := &fanTCP{name: name, room: room, nc: nc, ended: make(chan struct{})}
	go func() {
		defer close(c.ended)
		for {
			f, err := fanDecode(br)
			if err != nil {
				return
			}
			switch f.op {
			case 1:
				c.mu.Lock()
				c.texts = append(c.texts, string(f.payload))
				c.mu.Unlock()
			case 9:
				nc.Write(fanEncode(true, 10, f.payload, true))
			}
		}
	}()
	return c, nil
}

func (c *fanTCP) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.texts)
}

// fanPoll waits (polling) until cond holds or 30 s of real time have
// passed, and reports whether it held.
func fanPoll(cond func() bool) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestHiddenFanOut_ThreeRoomsLoopback(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var s *chat.Server
	if err := fanCall(func() { s = chat.NewServer(chat.Options{SendBuffer: 1000}) }); err != nil || s == nil {
		t.Fatalf("NewServer: %v (returned %v)", err, s)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fanCall(func() { s.ServeHTTP(w, r) })
	}))
	defer srv.Close()
	rooms := []string{"go", "rust", "zig"}
	const perRoom, perClient = 20, 5
	var clients []*fanTCP
	defer func() {
		for _, c := range clients {
			c.nc.Close()
		}
		for _, c := range clients {
			<-c.ended
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		fanCall(func() { s.Shutdown(ctx) })
	}()
	for _, room := range rooms {
		for i := range perRoom {
			c, err := fanDial(srv.Listener.Addr().String(), room, fmt.Sprintf("%s%02d", room, i))
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, c)
		}
	}
	for _, room := range rooms {
		if !fanPoll(func() bool { return len(fanClients(s, room)) == perRoom }) {
			t.Fatalf("Clients(%q) = %v after 20 clients connected to it, want 20 names", room, fanClients(s, room))
		}
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			for j := range perClient {
				c.nc.Write(fanEncode(true, 1, fmt.Appendf(nil, "m%d", j), true))
			}
		})
	}
	wg.Wait()
	want := perRoom * perClient
	if !fanPoll(func() bool {
		for _, c := range clients {
			if c.count() < want {
				return false
			}
		}
		return true
	}) {
		for _, c := range clients {
			if n := c.count(); n < want {
				t.Fatalf("client %s of room %q received %d messages within 30 s, want %d (20 senders x 5 messages, its own included)", c.name, c.room, n, want)
			}
		}
	}
	time.Sleep(50 * time.Millisecond) // any extra message would arrive now
	for _, c := range clients {
		c.mu.Lock()
		texts := slices.Clone(c.texts)
		c.mu.Unlock()
		next := map[string]int{}
		for _, m := range texts {
			sender, body, ok := strings.Cut(m, ": ")
			if !ok || !strings.HasPrefix(sender, c.room) {
				t.Fatalf("client %s of room %q received %q, want only \"<sender of %s>: <message>\"", c.name, c.room, m, c.room)
			}
			if want := fmt.Sprintf("m%d", next[sender]); body != want {
				t.Fatalf("client %s received %q from %s where it expected %q: each sender's messages must arrive in order, once", c.name, body, sender, want)
			}
			next[sender]++
		}
		if len(texts) != want || len(next) != perRoom {
			t.Fatalf("client %s received %d messages from %d senders, want %d from %d", c.name, len(texts), len(next), want, perRoom)
		}
	}
}

func TestHiddenFanOut_ServeHTTPRejects(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var s *chat.Server
	if err := fanCall(func() { s = chat.NewServer(chat.Options{}) }); err != nil || s == nil {
		t.Fatalf("NewServer: %v (returned %v)", err, s)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fanCall(func() { s.ServeHTTP(w, r) })
	}))
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	for _, tc := range []struct {
		query   string
		upgrade bool
	}{{"name=ann", true}, {"room=go", true}, {"", true}, {"room=go&name=ann", false}} {
		req, _ := http.NewRequest("GET", srv.URL+"/ws?"+tc.query, nil)
		if tc.upgrade {
			req.Header.Set("Upgrade", "websocket")
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Sec-WebSocket-Version", "13")
			req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("GET /ws?%s: %v", tc.query, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /ws?%s (WebSocket handshake headers: %v) answered %d, want 400", tc.query, tc.upgrade, resp.StatusCode)
		}
	}
	client.CloseIdleConnections()
}

func fanServer(t *testing.T, o chat.Options) *chat.Server {
	t.Helper()
	var s *chat.Server
	if err := fanCall(func() { s = chat.NewServer(o) }); err != nil || s == nil {
		t.Fatalf("NewServer: %v (returned %v)", err, s)
	}
	return s
}

func TestHiddenFanOut_ClientsSorted(t *testing.T) {
	fanBubble(t, func(t *testing.T) {
		s := fanServer(t, chat.Options{PingInterval: time.Hour})
		var peers []*fanPeer
		for _, n := range []string{"dave", "alice", "carol", "bob"} {
			peers = append(peers, fanJoin(s, "go", n, true))
		}
		peers = append(peers, fanJoin(s, "rust", "eve", true))
		synctest.Wait()
		if got, want := fanClients(s, "go"), []string{"alice", "bob", "carol", "dave"}; !slices.Equal(got, want) {
			t.Errorf("Clients(%q) = %q, want %q (sorted)", "go", got, want)
		}
		if got := fanClients(s, "rust"); !slices.Equal(got, []string{"eve"}) {
			t.Errorf("Clients(%q) = %q, want [eve]", "rust", got)
		}
		if got := fanClients(s, "nowhere"); len(got) != 0 {
			t.Errorf("Clients(%q) = %q, want none", "nowhere", got)
		}
		fanLeaveAll(t, peers[2]) // carol leaves
		synctest.Wait()
		if got, want := fanClients(s, "go"), []string{"alice", "bob", "dave"}; !slices.Equal(got, want) {
			t.Errorf("Clients(%q) after carol's connection closed = %q, want %q", "go", got, want)
		}
		if err, _ := fanJoinDone(peers[2]); err != nil {
			t.Errorf("Join of a client that closed its connection returned %v, want nil", err)
		}
		fanLeaveAll(t, peers...)
	})
}

func TestHiddenFanOut_RelayFormat(t *testing.T) {
	fanBubble(t, func(t *testing.T) {
		s := fanServer(t, chat.Options{PingInterval: time.Hour})
		ann := fanJoin(s, "go", "ann", true)
		bob := fanJoin(s, "go", "bob", true)
		eve := fanJoin(s, "rust", "eve", true)
		synctest.Wait()
		if err := ann.send("hello, gophers"); err != nil {
			t.Fatalf("ann sending: %v", err)
		}
		synctest.Wait()
		if _, err := bob.raw.Write(fanEncode(true, 2, []byte("bin"), true)); err != nil {
			t.Fatalf("bob sending: %v", err)
		}
		synctest.Wait()
		want := []string{"ann: hello, gophers", "bob: bin"}
		for _, p := range []*fanPeer{ann, bob} {
			texts, _, _, other := p.snapshot()
			if !slices.Equal(texts, want) || other != "" {
				t.Errorf("%s (room go) received the text messages %q (other frames: %q), want %q: each message goes to every client of the room, the sender included, as a text message \"<name>: <message>\"", p.name, texts, other, want)
			}
		}
		if texts, _, _, _ := eve.snapshot(); len(texts) != 0 {
			t.Errorf("eve (room rust) received %q, want nothing from room go", texts)
		}
		fanLeaveAll(t, ann, bob, eve)
	})
}

func TestHiddenFanOut_Broadcast(t *testing.T) {
	fanBubble(t, func(t *testing.T) {
		s := fanServer(t, chat.Options{PingInterval: time.Hour})
		a := fanJoin(s, "go", "a", true)
		b := fanJoin(s, "go", "b", true)
		c := fanJoin(s, "go", "c", true)
		z := fanJoin(s, "zig", "z", true)
		synctest.Wait()
		var n int
		if err := fanCall(func() { n = s.Broadcast("go", []byte("server says hi")) }); err != nil {
			t.Fatalf("Broadcast: %v", err)
		}
		if n != 3 {
			t.Errorf("Broadcast to a room of 3 clients returned %d, want 3", n)
		}
		if n := s.Broadcast("empty", []byte("x")); n != 0 {
			t.Errorf("Broadcast to a room without clients returned %d, want 0", n)
		}
		synctest.Wait()
		for _, p := range []*fanPeer{a, b, c} {
			if texts, _, _, _ := p.snapshot(); !slices.Equal(texts, []string{"server says hi"}) {
				t.Errorf("%s received %q, want [%q] (Broadcast sends the message as it is)", p.name, texts, "server says hi")
			}
		}
		if texts, _, _, _ := z.snapshot(); len(texts) != 0 {
			t.Errorf("z (room zig) received %q from a Broadcast to room go, want nothing", texts)
		}
		fanLeaveAll(t, a, b, c, z)
	})
}

// fanCall runs f and turns a panic of the code under test into an error, so
// that a stub that panics fails only the test that called it.
func fanCall(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	f()
	return nil
}

// fanBubble runs f in a synctest bubble (virtual time), from a goroutine of
// its own so that a bubble whose goroutines all block for ever (synctest
// panics then) fails this test only. The real-time watchdog only ever fires
// for code that keeps running for ever.
func fanBubble(t *testing.T, f func(t *testing.T)) {
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

// fanFrame is a WebSocket frame as the test's own raw client sees it.
type fanFrame struct {
	fin     bool
	op      byte
	masked  bool
	payload []byte
}

// fanEncode returns one frame, masked with the key of RFC 6455's examples
// when mask is set (as a client must).
func fanEncode(fin bool, op byte, payload []byte, mask bool) []byte {
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

// fanDecode reads one frame and unmasks it.
func fanDecode(r io.Reader) (fanFrame, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:2]); err != nil {
		return fanFrame{}, err
	}
	f := fanFrame{fin: h[0]&0x80 != 0, op: h[0] & 0x0f, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(r, h[:2]); err != nil {
			return fanFrame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(r, h[:8]); err != nil {
			return fanFrame{}, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	if n > 1<<24 {
		return fanFrame{}, fmt.Errorf("frame header announces %d bytes of payload", n)
	}
	var key [4]byte
	if f.masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return fanFrame{}, err
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return fanFrame{}, err
	}
	if f.masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

// fanCode returns the status code of a close frame's payload (1005 if none).
func fanCode(payload []byte) int {
	if len(payload) < 2 {
		return 1005
	}
	return int(binary.BigEndian.Uint16(payload))
}

// fanPeer is the test's raw WebSocket client of one Server.Join over
// net.Pipe: a reader goroutine records what the server sends and answers
// pings while answer is set.
type fanPeer struct {
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

// fanJoin starts s.Join(room, name, conn) over a new net.Pipe. When read is
// false nobody reads the client side until the test does.
func fanJoin(s *chat.Server, room, name string, read bool) *fanPeer {
	server, raw := net.Pipe()
	p := &fanPeer{name: name, raw: raw, joined: make(chan error, 1), ended: make(chan struct{})}
	p.answer.Store(true)
	go func() {
		var err error
		if perr := fanCall(func() { err = s.Join(room, name, ws.NewConn(server, true)) }); perr != nil {
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

// fanJoinDelayed is fanJoin with a reader that waits delay before
// reading each frame.
func fanJoinDelayed(s *chat.Server, room, name string, delay time.Duration) *fanPeer {
	p := fanJoin(s, room, name, false)
	p.ended = make(chan struct{})
	p.delay = delay
	go p.read()
	return p
}

func (p *fanPeer) read() {
	defer close(p.ended)
	for {
		if p.delay > 0 {
			time.Sleep(p.delay)
		}
		f, err := fanDecode(p.raw)
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
				p.closeCode = fanCode(f.payload)
			}
		default:
			if p.other == "" {
				p.other = fmt.Sprintf("frame fin=%v opcode=%d masked=%v payload %q", f.fin, f.op, f.masked, f.payload)
			}
		}
		p.mu.Unlock()
		if f.op == 9 && p.answer.Load() {
			p.raw.Write(fanEncode(true, 10, f.payload, true))
		}
	}
}

// send writes a masked text frame; it returns once the server has read it.
func (p *fanPeer) send(text string) error {
	_, err := p.raw.Write(fanEncode(true, 1, []byte(text), true))
	return err
}

func (p *fanPeer) snapshot() (texts []string, pings, closeCode int, other string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.texts), p.pings, p.closeCode, p.other
}

// fanJoinDone reports Join's result if it has returned.
func fanJoinDone(p *fanPeer) (error, bool) {
	select {
	case err := <-p.joined:
		p.joined <- err
		return err, true
	default:
		return nil, false
	}
}

// fanClients calls s.Clients(room), turning a panic into nil.
func fanClients(s *chat.Server, room string) []string {
	var names []string
	fanCall(func() { names = s.Clients(room) })
	return names
}

// fanLeaveAll closes the client side of every peer and waits for their Join
// calls to return.
func fanLeaveAll(t *testing.T, peers ...*fanPeer) {
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
