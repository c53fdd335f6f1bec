package chat_test

// Hidden tests, group "Vectors": package ws against the test's own raw
// RFC 6455 client, over net.Pipe (each end with a 5 s real-time deadline,
// so that a read that never comes fails the test instead of hanging) and
// over a loopback HTTP server for the handshake.

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"example.com/realtime-chat-server/chat"
	"example.com/realtime-chat-server/ws"
)

// vecPipe returns a ws.Conn over one end of a net.Pipe and the raw other end.
func vecPipe(t *testing.T, isServer bool) (*ws.Conn, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	deadline := time.Now().Add(5 * time.Second)
	a.SetDeadline(deadline)
	b.SetDeadline(deadline)
	t.Cleanup(func() { a.Close(); b.Close() })
	var c *ws.Conn
	if err := vecCall(func() { c = ws.NewConn(a, isServer) }); err != nil {
		t.Fatalf("ws.NewConn: %v", err)
	}
	if c == nil {
		t.Fatalf("ws.NewConn returned nil")
	}
	return c, b
}

type vecResult struct {
	op  ws.Opcode
	p   []byte
	err error
}

// vecRead runs c.ReadMessage in a goroutine.
func vecRead(c *ws.Conn) <-chan vecResult {
	ch := make(chan vecResult, 1)
	go func() {
		var r vecResult
		if err := vecCall(func() { r.op, r.p, r.err = c.ReadMessage() }); err != nil {
			r.err = err
		}
		ch <- r
	}()
	return ch
}

// vecWrite writes b to the raw end in a goroutine (net.Pipe is unbuffered:
// the write ends when the other side has read it all).
func vecWrite(raw net.Conn, b ...[]byte) {
	go raw.Write(bytes.Join(b, nil))
}

func vecWant(t *testing.T, got vecResult, op ws.Opcode, p []byte, what string) {
	t.Helper()
	if got.err != nil {
		t.Fatalf("ReadMessage after %s returned error %v, want opcode %d and a %d-byte payload", what, got.err, op, len(p))
	}
	if got.op != op || !bytes.Equal(got.p, p) {
		t.Fatalf("ReadMessage after %s = opcode %d, %d bytes %q, want opcode %d, %d bytes %q", what, got.op, len(got.p), vecShort(got.p), op, len(p), vecShort(p))
	}
}

func vecShort(p []byte) string {
	if len(p) > 40 {
		return string(p[:40]) + "..."
	}
	return string(p)
}

func vecPayload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i/251)
	}
	return p
}

// vecFrameOf reads one frame from raw, failing the test on error.
func vecFrameOf(t *testing.T, raw net.Conn, what string) vecFrame {
	t.Helper()
	f, err := vecDecode(raw)
	if err != nil {
		t.Fatalf("reading the frame %s: %v (nothing was written?)", what, err)
	}
	return f
}

func TestHiddenVectors_AcceptKey(t *testing.T) {
	var got string
	if err := vecCall(func() { got = ws.AcceptKey("dGhlIHNhbXBsZSBub25jZQ==") }); err != nil {
		t.Fatalf("AcceptKey: %v", err)
	}
	if want := "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Errorf("AcceptKey(%q) = %q, want %q (RFC 6455, section 1.3)", "dGhlIHNhbXBsZSBub25jZQ==", got, want)
	}
	key := "x3JJHMbDL1EzLkh9GBhXDw=="
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if got, want := ws.AcceptKey(key), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("AcceptKey(%q) = %q, want %q", key, got, want)
	}
}

func TestHiddenVectors_MaskedHello(t *testing.T) {
	c, raw := vecPipe(t, true)
	res := vecRead(c)
	vecWrite(raw, []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})
	vecWant(t, <-res, ws.OpText, []byte("Hello"), `the masked "Hello" frame of RFC 6455 section 5.7 (81 85 37 fa 21 3d 7f 9f 4d 51 58)`)
}

func TestHiddenVectors_ServerWritesUnmasked(t *testing.T) {
	c, raw := vecPipe(t, true)
	errc := make(chan error, 1)
	go func() {
		var err error
		if perr := vecCall(func() { err = c.WriteMessage(ws.OpText, []byte("Hello")) }); perr != nil {
			err = perr
		}
		errc <- err
	}()
	got := make([]byte, 7)
	if _, err := io.ReadFull(raw, got); err != nil {
		t.Fatalf("reading the 7 bytes of the frame: %v (WriteMessage returned %v)", err, <-errc)
	}
	if want := []byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}; !bytes.Equal(got, want) {
		t.Errorf("server WriteMessage(OpText, \"Hello\") wrote % x, want % x (FIN, text, unmasked, length 5)", got, want)
	}
	if err := <-errc; err != nil {
		t.Errorf("WriteMessage = %v, want nil", err)
	}
}

func vecLength(t *testing.T, n int, header []byte) {
	t.Helper()
	c, raw := vecPipe(t, true)
	p := vecPayload(n)
	res := vecRead(c)
	vecWrite(raw, vecEncode(true, 2, p, true))
	vecWant(t, <-res, ws.OpBinary, p, fmt.Sprintf("a masked %d-byte binary frame", n))

	errc := make(chan error, 1)
	go func() {
		var err error
		if perr := vecCall(func() { err = c.WriteMessage(ws.OpBinary, p) }); perr != nil {
			err = perr
		}
		errc <- err
	}()
	got := make([]byte, len(header))
	if _, err := io.ReadFull(raw, got); err != nil {
		t.Fatalf("reading the frame header: %v", err)
	}
	if !bytes.Equal(got, header) {
		t.Fatalf("WriteMessage(OpBinary, %d bytes) wrote the header % x, want % x", n, got, header)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(raw, body); err != nil || !bytes.Equal(body, p) {
		t.Fatalf("the %d bytes after the header differ from the payload written (read error %v)", n, err)
	}
	if err := <-errc; err != nil {
		t.Errorf("WriteMessage = %v, want nil", err)
	}
}

func TestHiddenVectors_Length126(t *testing.T) {
	vecLength(t, 300, []byte{0x82, 126, 0x01, 0x2c})
}

func TestHiddenVectors_Length127(t *testing.T) {
	vecLength(t, 70000, []byte{0x82, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70})
}

func TestHiddenVectors_Fragmented(t *testing.T) {
	c, raw := vecPipe(t, true)
	res := vecRead(c)
	vecWrite(raw,
		vecEncode(false, 1, []byte("Hel"), true),
		vecEncode(false, 0, []byte("l"), true),
		vecEncode(true, 0, []byte("o, world"), true))
	vecWant(t, <-res, ws.OpText, []byte("Hello, world"), `a text message in three fragments "Hel" + "l" + "o, world"`)
}

func TestHiddenVectors_PingBetweenFragments(t *testing.T) {
	c, raw := vecPipe(t, true)
	res := vecRead(c)
	vecWrite(raw,
		vecEncode(false, 2, []byte{1, 2}, true),
		vecEncode(true, 9, []byte("are you there?"), true),
		vecEncode(true, 0, []byte{3}, true))
	f := vecFrameOf(t, raw, "answering the ping")
	if f.op != 10 || !f.fin || f.masked || string(f.payload) != "are you there?" {
		t.Fatalf("the answer to a ping %q was a frame with opcode %d, fin %v, masked %v, payload %q; want an unmasked pong (10) with the ping's payload", "are you there?", f.op, f.fin, f.masked, f.payload)
	}
	vecWant(t, <-res, ws.OpBinary, []byte{1, 2, 3}, "a binary message in two fragments with a ping between them")
}

func TestHiddenVectors_PingAnsweredNotReturned(t *testing.T) {
	c, raw := vecPipe(t, true)
	res := vecRead(c)
	vecWrite(raw, vecEncode(true, 9, []byte("p1"), true), vecEncode(true, 1, []byte("after ping"), true))
	f := vecFrameOf(t, raw, "answering the ping")
	if f.op != 10 || string(f.payload) != "p1" || f.masked {
		t.Fatalf("the answer to ping %q was opcode %d payload %q masked %v, want an unmasked pong (10) %q", "p1", f.op, f.payload, f.masked, "p1")
	}
	vecWant(t, <-res, ws.OpText, []byte("after ping"), "a ping then a text message (the ping is answered, not returned)")
}

func TestHiddenVectors_PongReturned(t *testing.T) {
	c, raw := vecPipe(t, true)
	res := vecRead(c)
	vecWrite(raw, vecEncode(true, 10, []byte("pong!"), true))
	vecWant(t, <-res, ws.OpPong, []byte("pong!"), "a pong frame")
}

func TestHiddenVectors_UnmaskedClientFrame(t *testing.T) {
	c, raw := vecPipe(t, true)
	res := vecRead(c)
	vecWrite(raw, vecEncode(true, 1, []byte("Hello"), false))
	f := vecFrameOf(t, raw, "that answers an unmasked client frame")
	if f.op != 8 || vecCode(f.payload) != 1002 {
		t.Fatalf("after an unmasked frame from the client, the server sent opcode %d payload % x; want a close frame (8) with code 1002 (protocol error)", f.op, f.payload)
	}
	if r := <-res; r.err == nil {
		t.Errorf("ReadMessage of an unmasked client frame returned opcode %d %q and no error, want an error", r.op, r.p)
	}
	if _, err := vecDecode(raw); err == nil {
		t.Errorf("the connection is still open after the close frame 1002, want it closed")
	}
}

func TestHiddenVectors_CloseEchoed(t *testing.T) {
	c, raw := vecPipe(t, true)
	res := vecRead(c)
	vecWrite(raw, vecEncode(true, 8, append([]byte{0x03, 0xe8}, "bye"...), true))
	f := vecFrameOf(t, raw, "that answers a close frame")
	if f.op != 8 || vecCode(f.payload) != 1000 || f.masked {
		t.Fatalf("the answer to a close frame with code 1000 was opcode %d payload % x masked %v, want an unmasked close frame (8) with code 1000", f.op, f.payload, f.masked)
	}
	r := <-res
	var ce *ws.CloseError
	if !errors.As(r.err, &ce) {
		t.Fatalf("ReadMessage after a close frame returned (%d, %q, %v), want a *ws.CloseError", r.op, r.p, r.err)
	}
	if ce.Code != 1000 || ce.Reason != "bye" {
		t.Errorf("CloseError = {Code %d, Reason %q}, want {1000, %q}", ce.Code, ce.Reason, "bye")
	}
	if _, err := vecDecode(raw); err == nil {
		t.Errorf("the connection is still open after the closing handshake, want it closed")
	}
}

func TestHiddenVectors_CloseSendsFrame(t *testing.T) {
	c, raw := vecPipe(t, true)
	errc := make(chan error, 1)
	go func() {
		var err error
		if perr := vecCall(func() { err = c.Close(1001, "bye") }); perr != nil {
			err = perr
		}
		errc <- err
	}()
	got := make([]byte, 7)
	if _, err := io.ReadFull(raw, got); err != nil {
		t.Fatalf("reading the close frame: %v", err)
	}
	if want := []byte{0x88, 0x05, 0x03, 0xe9, 'b', 'y', 'e'}; !bytes.Equal(got, want) {
		t.Errorf("Close(1001, \"bye\") wrote % x, want % x", got, want)
	}
	if _, err := raw.Read(make([]byte, 1)); err == nil {
		t.Errorf("the connection is still open after Close, want it closed")
	}
	if err := <-errc; err != nil {
		t.Errorf("Close = %v, want nil", err)
	}
}

func TestHiddenVectors_ClientSide(t *testing.T) {
	c, raw := vecPipe(t, false)
	errc := make(chan error, 1)
	go func() {
		var err error
		if perr := vecCall(func() { err = c.WriteMessage(ws.OpText, []byte("Hello")) }); perr != nil {
			err = perr
		}
		errc <- err
	}()
	f := vecFrameOf(t, raw, "written by a client-side Conn")
	if !f.masked || f.op != 1 || !f.fin || string(f.payload) != "Hello" {
		t.Errorf("client-side WriteMessage(OpText, \"Hello\") wrote fin %v opcode %d masked %v payload %q, want a final, masked text frame of \"Hello\"", f.fin, f.op, f.masked, f.payload)
	}
	<-errc
	res := vecRead(c)
	vecWrite(raw, []byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'})
	vecWant(t, <-res, ws.OpText, []byte("Hello"), "the unmasked \"Hello\" frame (81 05 48 65 6c 6c 6f) on a client-side Conn")
}

func TestHiddenVectors_Upgrade(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vecCall(func() {
			c, err := ws.Upgrade(w, r)
			if err != nil || c == nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			op, p, err := c.ReadMessage()
			if err == nil {
				c.WriteMessage(op, append([]byte("echo: "), p...))
			}
			c.Close(1000, "")
		})
	}))
	defer srv.Close()
	nc, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET /chat HTTP/1.1\r\nHost: " + srv.Listener.Addr().String() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the handshake response: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake response status %d, want 101", resp.StatusCode)
	}
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("Sec-WebSocket-Accept = %q, want %q", got, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
	}
	if got := resp.Header.Get("Upgrade"); !strings.EqualFold(got, "websocket") {
		t.Errorf("Upgrade header = %q, want %q", got, "websocket")
	}
	if got := resp.Header.Get("Connection"); !strings.EqualFold(got, "upgrade") {
		t.Errorf("Connection header = %q, want %q", got, "Upgrade")
	}
	if _, err := nc.Write(vecEncode(true, 1, []byte("hi"), true)); err != nil {
		t.Fatal(err)
	}
	f, err := vecDecode(br)
	if err != nil {
		t.Fatalf("reading the echo after the handshake: %v", err)
	}
	if f.op != 1 || string(f.payload) != "echo: hi" || f.masked {
		t.Errorf("after the handshake the server echoed opcode %d %q masked %v, want an unmasked text frame %q", f.op, f.payload, f.masked, "echo: hi")
	}
}

func TestHiddenVectors_UpgradeRejects(t *testing.T) {
	var calls, failures atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		vecCall(func() {
			c, err := ws.Upgrade(w, r)
			if err != nil {
				failures.Add(1)
				return
			}
			c.Close(1000, "")
		})
	}))
	defer srv.Close()
	cases := []struct {
		name   string
		method string
		header map[string]string
	}{
		{"a plain GET", "GET", nil},
		{"no Sec-WebSocket-Key", "GET", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}},
		{"Sec-WebSocket-Version 8", "GET", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "8", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}},
		{"a POST", "POST", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for i, tc := range cases {
		req, _ := http.NewRequest(tc.method, srv.URL+"/chat", nil)
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("Upgrade of %s answered %d, want 400", tc.name, resp.StatusCode)
		}
		if calls.Load() != int32(i+1) || failures.Load() != int32(i+1) {
			t.Errorf("Upgrade of %s returned a nil error, want an error", tc.name)
			failures.Store(calls.Load())
		}
	}
}

// vecCall runs f and turns a panic of the code under test into an error, so
// that a stub that panics fails only the test that called it.
func vecCall(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	f()
	return nil
}

// vecBubble runs f in a synctest bubble (virtual time), from a goroutine of
// its own so that a bubble whose goroutines all block for ever (synctest
// panics then) fails this test only. The real-time watchdog only ever fires
// for code that keeps running for ever.
func vecBubble(t *testing.T, f func(t *testing.T)) {
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

// vecFrame is a WebSocket frame as the test's own raw client sees it.
type vecFrame struct {
	fin     bool
	op      byte
	masked  bool
	payload []byte
}

// vecEncode returns one frame, masked with the key of RFC 6455's examples
// when mask is set (as a client must).
func vecEncode(fin bool, op byte, payload []byte, mask bool) []byte {
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

// vecDecode reads one frame and unmasks it.
func vecDecode(r io.Reader) (vecFrame, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:2]); err != nil {
		return vecFrame{}, err
	}
	f := vecFrame{fin: h[0]&0x80 != 0, op: h[0] & 0x0f, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(r, h[:2]); err != nil {
			return vecFrame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(r, h[:8]); err != nil {
			return vecFrame{}, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	if n > 1<<24 {
		return vecFrame{}, fmt.Errorf("frame header announces %d bytes of payload", n)
	}
	var key [4]byte
	if f.masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return vecFrame{}, err
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return vecFrame{}, err
	}
	if f.masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

// vecCode returns the status code of a close frame's payload (1005 if none).
func vecCode(payload []byte) int {
	if len(payload) < 2 {
		return 1005
	}
	return int(binary.BigEndian.Uint16(payload))
}

// vecPeer is the test's raw WebSocket client of one Server.Join over
// net.Pipe: a reader goroutine records what the server sends and answers
// pings while answer is set.
type vecPeer struct {
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

// vecJoin starts s.Join(room, name, conn) over a new net.Pipe. When read is
// false nobody reads the client side until the test does.
func vecJoin(s *chat.Server, room, name string, read bool) *vecPeer {
	server, raw := net.Pipe()
	p := &vecPeer{name: name, raw: raw, joined: make(chan error, 1), ended: make(chan struct{})}
	p.answer.Store(true)
	go func() {
		var err error
		if perr := vecCall(func() { err = s.Join(room, name, ws.NewConn(server, true)) }); perr != nil {
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

// vecJoinDelayed is vecJoin with a reader that waits delay before
// reading each frame.
func vecJoinDelayed(s *chat.Server, room, name string, delay time.Duration) *vecPeer {
	p := vecJoin(s, room, name, false)
	p.ended = make(chan struct{})
	p.delay = delay
	go p.read()
	return p
}

func (p *vecPeer) read() {
	defer close(p.ended)
	for {
		if p.delay > 0 {
			time.Sleep(p.delay)
		}
		f, err := vecDecode(p.raw)
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
				p.closeCode = vecCode(f.payload)
			}
		default:
			if p.other == "" {
				p.other = fmt.Sprintf("frame fin=%v opcode=%d masked=%v payload %q", f.fin, f.op, f.masked, f.payload)
			}
		}
		p.mu.Unlock()
		if f.op == 9 && p.answer.Load() {
			p.raw.Write(vecEncode(true, 10, f.payload, true))
		}
	}
}

// send writes a masked text frame; it returns once the server has read it.
func (p *vecPeer) send(text string) error {
	_, err := p.raw.Write(vecEncode(true, 1, []byte(text), true))
	return err
}

func (p *vecPeer) snapshot() (texts []string, pings, closeCode int, other string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.texts), p.pings, p.closeCode, p.other
}

// vecJoinDone reports Join's result if it has returned.
func vecJoinDone(p *vecPeer) (error, bool) {
	select {
	case err := <-p.joined:
		p.joined <- err
		return err, true
	default:
		return nil, false
	}
}

// vecClients calls s.Clients(room), turning a panic into nil.
func vecClients(s *chat.Server, room string) []string {
	var names []string
	vecCall(func() { names = s.Clients(room) })
	return names
}

// vecLeaveAll closes the client side of every peer and waits for their Join
// calls to return.
func vecLeaveAll(t *testing.T, peers ...*vecPeer) {
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
