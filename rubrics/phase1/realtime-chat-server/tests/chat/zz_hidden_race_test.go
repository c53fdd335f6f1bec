package chat_test

// Hidden tests, group "Race", run by the race criterion under -race: many
// clients of several rooms send, answer pings, call Broadcast and Clients
// and leave, all at once, in real time (a synctest bubble would add
// happens-before edges of its own and hide races); the test checks that
// the work was done.

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

	"go.uber.org/goleak"

	"example.com/realtime-chat-server/chat"
	"example.com/realtime-chat-server/ws"
)

// racePoll waits (polling) until cond holds or 30 s of real time have
// passed, and reports whether it held.
func racePoll(cond func() bool) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestHiddenRace_ConcurrentRooms(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var s *chat.Server
	if err := raceCall(func() {
		s = chat.NewServer(chat.Options{SendBuffer: 1000, WriteTimeout: 20 * time.Second, PingInterval: 10 * time.Millisecond})
	}); err != nil || s == nil {
		t.Fatalf("NewServer: %v", err)
	}
	rooms := []string{"a", "b", "c"}
	var peers []*racePeer
	defer func() { raceLeaveAll(t, peers...) }()
	for _, room := range rooms {
		for i := range 4 {
			peers = append(peers, raceJoin(s, room, fmt.Sprintf("%s%d", room, i), true))
		}
	}
	for _, room := range rooms {
		if !racePoll(func() bool { return len(raceClients(s, room)) == 4 }) {
			t.Fatalf("Clients(%q) = %q, want its 4 clients", room, raceClients(s, room))
		}
	}
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Go(func() {
			for j := range 10 {
				p.send(fmt.Sprintf("%d", j))
				time.Sleep(15 * time.Millisecond) // pacing only: let pings through
			}
		})
	}
	for _, room := range rooms {
		wg.Go(func() {
			for j := range 10 {
				raceCall(func() {
					s.Broadcast(room, fmt.Appendf(nil, "news %d", j))
					s.Clients(room)
				})
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	const want = 4*10 + 10
	racePoll(func() bool {
		for _, p := range peers {
			if texts, _, _, _ := p.snapshot(); len(texts) < want {
				return false
			}
		}
		return true
	})
	for _, p := range peers {
		if texts, _, _, _ := p.snapshot(); len(texts) != want {
			t.Errorf("%s received %d text messages, want %d (4 clients x 10 messages + 10 broadcasts)", p.name, len(texts), want)
		}
	}
	raceLeaveAll(t, peers[:4]...)
	if !racePoll(func() bool { return len(raceClients(s, "a")) == 0 }) {
		t.Errorf("Clients(a) = %q after every client of a left, want none", raceClients(s, "a"))
	}
	if got := raceClients(s, "c"); len(got) != 4 {
		t.Errorf("Clients(c) = %q, want its 4 clients", got)
	}
}

// raceCall runs f and turns a panic of the code under test into an error, so
// that a stub that panics fails only the test that called it.
func raceCall(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	f()
	return nil
}

// raceBubble runs f in a synctest bubble (virtual time), from a goroutine of
// its own so that a bubble whose goroutines all block for ever (synctest
// panics then) fails this test only. The real-time watchdog only ever fires
// for code that keeps running for ever.
func raceBubble(t *testing.T, f func(t *testing.T)) {
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

// raceFrame is a WebSocket frame as the test's own raw client sees it.
type raceFrame struct {
	fin     bool
	op      byte
	masked  bool
	payload []byte
}

// raceEncode returns one frame, masked with the key of RFC 6455's examples
// when mask is set (as a client must).
func raceEncode(fin bool, op byte, payload []byte, mask bool) []byte {
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

// raceDecode reads one frame and unmasks it.
func raceDecode(r io.Reader) (raceFrame, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:2]); err != nil {
		return raceFrame{}, err
	}
	f := raceFrame{fin: h[0]&0x80 != 0, op: h[0] & 0x0f, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(r, h[:2]); err != nil {
			return raceFrame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(r, h[:8]); err != nil {
			return raceFrame{}, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	if n > 1<<24 {
		return raceFrame{}, fmt.Errorf("frame header announces %d bytes of payload", n)
	}
	var key [4]byte
	if f.masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return raceFrame{}, err
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return raceFrame{}, err
	}
	if f.masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

// raceCode returns the status code of a close frame's payload (1005 if none).
func raceCode(payload []byte) int {
	if len(payload) < 2 {
		return 1005
	}
	return int(binary.BigEndian.Uint16(payload))
}

// racePeer is the test's raw WebSocket client of one Server.Join over
// net.Pipe: a reader goroutine records what the server sends and answers
// pings while answer is set.
type racePeer struct {
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

// raceJoin starts s.Join(room, name, conn) over a new net.Pipe. When read is
// false nobody reads the client side until the test does.
func raceJoin(s *chat.Server, room, name string, read bool) *racePeer {
	server, raw := net.Pipe()
	p := &racePeer{name: name, raw: raw, joined: make(chan error, 1), ended: make(chan struct{})}
	p.answer.Store(true)
	go func() {
		var err error
		if perr := raceCall(func() { err = s.Join(room, name, ws.NewConn(server, true)) }); perr != nil {
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

// raceJoinDelayed is raceJoin with a reader that waits delay before
// reading each frame.
func raceJoinDelayed(s *chat.Server, room, name string, delay time.Duration) *racePeer {
	p := raceJoin(s, room, name, false)
	p.ended = make(chan struct{})
	p.delay = delay
	go p.read()
	return p
}

func (p *racePeer) read() {
	defer close(p.ended)
	for {
		if p.delay > 0 {
			time.Sleep(p.delay)
		}
		f, err := raceDecode(p.raw)
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
				p.closeCode = raceCode(f.payload)
			}
		default:
			if p.other == "" {
				p.other = fmt.Sprintf("frame fin=%v opcode=%d masked=%v payload %q", f.fin, f.op, f.masked, f.payload)
			}
		}
		p.mu.Unlock()
		if f.op == 9 && p.answer.Load() {
			p.raw.Write(raceEncode(true, 10, f.payload, true))
		}
	}
}

// send writes a masked text frame; it returns once the server has read it.
func (p *racePeer) send(text string) error {
	_, err := p.raw.Write(raceEncode(true, 1, []byte(text), true))
	return err
}

func (p *racePeer) snapshot() (texts []string, pings, closeCode int, other string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.texts), p.pings, p.closeCode, p.other
}

// raceJoinDone reports Join's result if it has returned.
func raceJoinDone(p *racePeer) (error, bool) {
	select {
	case err := <-p.joined:
		p.joined <- err
		return err, true
	default:
		return nil, false
	}
}

// raceClients calls s.Clients(room), turning a panic into nil.
func raceClients(s *chat.Server, room string) []string {
	var names []string
	raceCall(func() { names = s.Clients(room) })
	return names
}

// raceLeaveAll closes the client side of every peer and waits for their Join
// calls to return.
func raceLeaveAll(t *testing.T, peers ...*racePeer) {
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
