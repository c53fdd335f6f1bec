package taskq_test

// Hidden tests, group "Remote": a Broker served by NewHTTPHandler on an
// httptest server (loopback), used through NewClient. The wire protocol is
// the submission's own; only the Leaser behaviour seen through the client is
// checked. These tests use real time but never assert on it: the broker's
// durations are long (an hour), and the real-time limits only fail code
// that hangs.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	taskq "example.com/distributed-task-queue"
	"go.uber.org/goleak"
)

// remServe starts NewHTTPHandler(b) on loopback and returns a client for it
// and a func that stops both (call it before goleak's check; it may be called
// twice).
func remServe(t *testing.T, b *taskq.Broker) (taskq.Leaser, func()) {
	c, _, stop := remServeN(t, b, 1)
	return c[0], stop
}

// remServeN is remServe with n clients (NewClient called n times).
func remServeN(t *testing.T, b *taskq.Broker, n int) ([]taskq.Leaser, *httptest.Server, func()) {
	t.Helper()
	var (
		h   http.Handler
		err any
	)
	func() {
		defer func() { err = recover() }()
		h = taskq.NewHTTPHandler(b)
	}()
	if err != nil || h == nil {
		t.Fatalf("NewHTTPHandler = (%v, panic %v), want a handler", h, err)
	}
	srv := httptest.NewServer(h)
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	var cs []taskq.Leaser
	for range n {
		c := taskq.NewClient(srv.URL, hc)
		if c == nil {
			srv.Close()
			t.Fatalf("NewClient returned nil")
		}
		cs = append(cs, c)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			tr.CloseIdleConnections()
			closed := make(chan struct{})
			go func() { srv.Close(); close(closed) }()
			select {
			case <-closed:
			case <-time.After(10 * time.Second):
				t.Errorf("the test server did not close within 10 s: a request handler of NewHTTPHandler is still running after its client went away (a Lease must end when the request's context is done)")
			}
			tr.CloseIdleConnections()
		})
	}
	return cs, srv, stop
}

// remRecover turns a panic of the code under test into a test failure.
func remRecover(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v", r)
	}
}

func TestHiddenRemote_ThreeWorkers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer remRecover(t)
	b := taskq.NewBroker(taskq.Options{Visibility: time.Hour})
	clients, _, stop := remServeN(t, b, 3)
	defer stop()
	const n = 300
	for i := range n {
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: fmt.Sprint("t", i), Queue: "jobs", Payload: []byte(fmt.Sprint("payload ", i))}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
	}
	var (
		mu      sync.Mutex
		seen    = map[string]int{}
		bad     []string
		allDone = make(chan struct{})
	)
	handler := func(_ context.Context, task taskq.Task) error {
		mu.Lock()
		defer mu.Unlock()
		seen[task.ID]++
		if want := "payload " + task.ID[1:]; string(task.Payload) != want && len(bad) < 3 {
			bad = append(bad, fmt.Sprintf("task %q arrived with Payload %q, want %q", task.ID, task.Payload, want))
		}
		if len(seen) == n && seen[task.ID] == 1 {
			close(allDone)
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	results := make([]error, 3)
	for w, c := range clients {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					results[w] = fmt.Errorf("panic: %v", r)
				}
			}()
			results[w] = taskq.RunWorkers(ctx, c, "jobs", 2, handler)
		})
	}
	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()
	select {
	case <-allDone:
	case <-workersDone:
		mu.Lock()
		t.Errorf("RunWorkers returned before its context was cancelled, with %d of %d tasks handled", len(seen), n)
		mu.Unlock()
	case <-time.After(20 * time.Second):
		mu.Lock()
		t.Errorf("after 20 s, %d of %d tasks handled through 3 remote RunWorkers (Stats %+v)", len(seen), n, b.Stats("jobs"))
		mu.Unlock()
	}
	cancel()
	stopped := make(chan struct{})
	go func() { <-workersDone; close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatalf("RunWorkers with NewClient leasers did not return within 10 s of the cancel (a client's Lease must end when its context is done)")
	}
	for w, err := range results {
		if err != nil {
			t.Errorf("RunWorkers %d returned %v, want nil", w, err)
		}
	}
	// RunWorkers' drain is the Workers group's business: here the acks
	// only have to reach the broker within a few seconds.
	settled := time.Now().Add(5 * time.Second)
	for b.Stats("jobs") != (taskq.Stats{}) && time.Now().Before(settled) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range bad {
		t.Error(s)
	}
	for i := range n {
		if id := fmt.Sprint("t", i); seen[id] != 1 {
			t.Errorf("task %q was handled %d times, want exactly once", id, seen[id])
		}
	}
	if got := b.Stats("jobs"); got != (taskq.Stats{}) {
		t.Errorf("after every task was handled: Stats = %+v, want all zero (every task acked over HTTP)", got)
	}
}

func TestHiddenRemote_LeaseFields(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer remRecover(t)
	b := taskq.NewBroker(taskq.Options{Visibility: time.Hour})
	c, stop := remServe(t, b)
	defer stop()
	payload := make([]byte, 256)
	for i := range payload {
		payload[i] = byte(i)
	}
	if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "bin", Queue: "q/with space", Payload: payload, MaxAttempts: 9}); err != nil {
		t.Fatalf("Enqueue = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before := time.Now()
	l, err := c.Lease(ctx, "q/with space")
	if err != nil {
		t.Fatalf("client Lease = %v, want the ready task", err)
	}
	if l.Task.ID != "bin" || l.Task.Queue != "q/with space" || l.Task.Attempt != 1 || l.Task.MaxAttempts != 9 || string(l.Task.Payload) != string(payload) {
		t.Errorf("client Lease: Task = {ID %q, Queue %q, Attempt %d, MaxAttempts %d, Payload %d bytes %v...}, want {ID bin, Queue \"q/with space\", Attempt 1, MaxAttempts 9, Payload the 256 byte values 0..255}",
			l.Task.ID, l.Task.Queue, l.Task.Attempt, l.Task.MaxAttempts, len(l.Task.Payload), l.Task.Payload[:min(8, len(l.Task.Payload))])
	}
	if l.Token == "" {
		t.Errorf("client Lease: empty Token")
	}
	if l.Deadline.Before(before.Add(time.Hour-time.Minute)) || l.Deadline.After(time.Now().Add(time.Hour+time.Minute)) {
		t.Errorf("client Lease: Deadline = %v, want about an hour from now (Visibility 1h)", l.Deadline)
	}
	if err := c.Ack(ctx, l.Token); err != nil {
		t.Errorf("client Ack(current token) = %v, want nil", err)
	}
	if got := b.Stats("q/with space"); got != (taskq.Stats{}) {
		t.Errorf("after the client's Ack: Stats = %+v, want all zero", got)
	}
	if err := c.Ack(ctx, l.Token); !errors.Is(err, taskq.ErrLeaseExpired) {
		t.Errorf("client Ack(same token again) = %v, want an error matching ErrLeaseExpired", err)
	}
	if err := c.Nack(ctx, "no such token", errors.New("x")); !errors.Is(err, taskq.ErrLeaseExpired) {
		t.Errorf("client Nack(unknown token) = %v, want an error matching ErrLeaseExpired", err)
	}
}

func TestHiddenRemote_Nack(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer remRecover(t)
	b := taskq.NewBroker(taskq.Options{BaseBackoff: time.Hour, Jitter: func(d time.Duration) time.Duration { return d }})
	c, stop := remServe(t, b)
	defer stop()
	if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "a", Queue: "q", MaxAttempts: 2}); err != nil {
		t.Fatalf("Enqueue = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := c.Lease(ctx, "q")
	if err != nil {
		t.Fatalf("client Lease = %v", err)
	}
	if err := c.Nack(ctx, l.Token, errors.New("remote failure")); err != nil {
		t.Fatalf("client Nack = %v, want nil", err)
	}
	if got := b.Stats("q"); got != (taskq.Stats{Delayed: 1}) {
		t.Errorf("after the client's Nack: Stats = %+v, want {Delayed:1} (retry after the 1h backoff)", got)
	}
}

func TestHiddenRemote_LeaseCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer remRecover(t)
	b := taskq.NewBroker(taskq.Options{})
	c, stop := remServe(t, b)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				res <- fmt.Errorf("panic: %v", r)
			}
		}()
		_, err := c.Lease(ctx, "empty")
		res <- err
	}()
	select {
	case err := <-res:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("client Lease on an empty queue with a 200ms timeout = %v, want an error matching context.DeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("client Lease on an empty queue did not return within 10 s of its context's 200ms deadline")
	}
	// The server's Lease must have ended with the request (stop waits for
	// the server's handlers): a task enqueued now is ready, not taken by the
	// abandoned Lease.
	stop()
	if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "after", Queue: "empty"}); err != nil {
		t.Fatalf("Enqueue = %v", err)
	}
	if got := b.Stats("empty"); got != (taskq.Stats{Ready: 1}) {
		t.Errorf("a task enqueued after the client's Lease gave up: Stats = %+v, want {Ready:1} (the server's Lease must end when its request is abandoned)", got)
	}
}
