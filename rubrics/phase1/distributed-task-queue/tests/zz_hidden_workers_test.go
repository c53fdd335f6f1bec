package taskq_test

// Hidden tests, group "Workers": RunWorkers runs exactly n handlers at once,
// acks on nil, nacks on an error or a panic, and on cancellation takes no
// new lease and returns only after the handlers in flight have finished and
// their tasks are settled. The tests run in testing/synctest bubbles with an
// in-process Broker wrapped in a Leaser that records Acks and Nacks.
//
// PanicBecomesNack is the last test of the last file on purpose: a worker
// that does not recover a handler's panic crashes the test binary, which
// then fails only the tests that have not run yet.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	taskq "example.com/distributed-task-queue"
)

func wrkBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, f)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("panic: %v (a panic in the package, or every goroutine of the test blocked for ever: RunWorkers never returning, or workers still waiting after it returned)", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

// wrkLeaser records the calls made on a Broker.
type wrkLeaser struct {
	b      *taskq.Broker
	leases atomic.Int32
	mu     sync.Mutex
	acked  []string // task IDs
	nacked []error  // causes
	ids    map[string]string
}

func newWrkLeaser(b *taskq.Broker) *wrkLeaser { return &wrkLeaser{b: b, ids: map[string]string{}} }

func (w *wrkLeaser) Lease(ctx context.Context, queue string) (taskq.Lease, error) {
	l, err := w.b.Lease(ctx, queue)
	if err == nil {
		w.leases.Add(1)
		w.mu.Lock()
		w.ids[l.Token] = l.Task.ID
		w.mu.Unlock()
	}
	return l, err
}

func (w *wrkLeaser) Ack(ctx context.Context, token string) error {
	w.mu.Lock()
	w.acked = append(w.acked, w.ids[token])
	w.mu.Unlock()
	return w.b.Ack(ctx, token)
}

func (w *wrkLeaser) Nack(ctx context.Context, token string, cause error) error {
	w.mu.Lock()
	w.nacked = append(w.nacked, cause)
	w.mu.Unlock()
	return w.b.Nack(ctx, token, cause)
}

func (w *wrkLeaser) snapshot() (acked []string, nacked []error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.acked), slices.Clone(w.nacked)
}

func wrkEnqueue(t *testing.T, b *taskq.Broker, n int) {
	t.Helper()
	for i := range n {
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: fmt.Sprint("t", i), Queue: "q"}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
	}
}

// wrkRun starts RunWorkers and returns a channel that gets its result.
func wrkRun(ctx context.Context, l taskq.Leaser, n int, h taskq.Handler) chan error {
	done := make(chan error, 1)
	go func() { done <- taskq.RunWorkers(ctx, l, "q", n, h) }()
	return done
}

func TestHiddenWorkers_ExactConcurrency(t *testing.T) {
	wrkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: time.Hour})
		wrkEnqueue(t, b, 20)
		var cur, peak atomic.Int32
		var mu sync.Mutex
		seen := map[string]int{}
		ctx, cancel := context.WithCancel(context.Background())
		done := wrkRun(ctx, b, 4, func(_ context.Context, task taskq.Task) error {
			n := cur.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			mu.Lock()
			seen[task.ID]++
			mu.Unlock()
			time.Sleep(time.Second)
			cur.Add(-1)
			return nil
		})
		time.Sleep(10 * time.Second)
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunWorkers returned %v after its context was cancelled, want nil", err)
		}
		if p := peak.Load(); p != 4 {
			t.Errorf("at most %d handlers ran at once, want exactly 4 (n = 4, 20 tasks of 1s each)", p)
		}
		mu.Lock()
		defer mu.Unlock()
		for i := range 20 {
			if id := fmt.Sprint("t", i); seen[id] != 1 {
				t.Errorf("task %q was handled %d times, want once", id, seen[id])
			}
		}
		if got := b.Stats("q"); got != (taskq.Stats{}) {
			t.Errorf("after every handler returned nil: Stats = %+v, want all zero (every task acked)", got)
		}
	})
}

func TestHiddenWorkers_ErrorBecomesNack(t *testing.T) {
	wrkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{BaseBackoff: time.Second, Jitter: func(d time.Duration) time.Duration { return d }})
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "flaky", Queue: "q", MaxAttempts: 5}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		l := newWrkLeaser(b)
		errFlaky := errors.New("flaky failure")
		var attempts []int
		var mu sync.Mutex
		ctx, cancel := context.WithCancel(context.Background())
		done := wrkRun(ctx, l, 2, func(_ context.Context, task taskq.Task) error {
			mu.Lock()
			attempts = append(attempts, task.Attempt)
			mu.Unlock()
			if task.Attempt < 3 {
				return errFlaky
			}
			return nil
		})
		time.Sleep(time.Minute)
		synctest.Wait()
		cancel()
		<-done
		acked, nacked := l.snapshot()
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(attempts, []int{1, 2, 3}) {
			t.Errorf("the handler saw attempts %v, want [1 2 3] (a failed task is retried after its backoff)", attempts)
		}
		if len(nacked) != 2 || !errors.Is(nacked[0], errFlaky) || !errors.Is(nacked[1], errFlaky) {
			t.Errorf("Nack causes = %v, want 2 Nacks whose cause is (or wraps) the handler's error %q", nacked, errFlaky)
		}
		if !slices.Equal(acked, []string{"flaky"}) {
			t.Errorf("acked tasks = %q, want [flaky] (acked once, after it succeeded)", acked)
		}
	})
}

func TestHiddenWorkers_DrainOnCancel(t *testing.T) {
	wrkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: time.Hour})
		wrkEnqueue(t, b, 2)
		l := newWrkLeaser(b)
		release := make(chan struct{})
		var handled atomic.Int32
		var ctxErrs atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		done := wrkRun(ctx, l, 2, func(hctx context.Context, _ taskq.Task) error {
			<-release
			if hctx.Err() != nil {
				ctxErrs.Add(1)
			}
			handled.Add(1)
			return nil
		})
		synctest.Wait()
		if got := b.Stats("q"); got != (taskq.Stats{Leased: 2}) {
			t.Fatalf("2 workers, 2 tasks: Stats = %+v, want {Leased:2}", got)
		}
		cancel()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("RunWorkers returned %v while 2 handlers were still running, want it to wait for them", err)
		default:
		}
		wrkEnqueue(t, b, 1)
		synctest.Wait()
		close(release)
		synctest.Wait()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunWorkers returned %v, want nil", err)
			}
		default:
			t.Fatalf("RunWorkers did not return after its context was cancelled and its handlers finished")
		}
		if got := b.Stats("q"); got != (taskq.Stats{Ready: 1}) {
			t.Errorf("after the drain: Stats = %+v, want {Ready:1} (the 2 tasks in flight acked; the one enqueued after the cancel not leased)", got)
		}
		if n := l.leases.Load(); n != 2 {
			t.Errorf("%d leases taken, want 2 (no Lease after the cancel)", n)
		}
		if n := ctxErrs.Load(); n != 0 {
			t.Errorf("%d handlers saw their context done after RunWorkers' context was cancelled, want 0 (the handlers of a drain finish their work)", n)
		}
		if acked, _ := l.snapshot(); len(acked) != 2 {
			t.Errorf("%d Acks, want 2 (tasks handled during the drain are acked)", len(acked))
		}
	})
}

func TestHiddenWorkers_IdleCancel(t *testing.T) {
	wrkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		var calls atomic.Int32
		done := wrkRun(ctx, b, 3, func(context.Context, taskq.Task) error { calls.Add(1); return nil })
		time.Sleep(time.Minute)
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("RunWorkers returned %v on an empty queue before its context was cancelled, want it to wait for tasks", err)
		default:
		}
		wrkEnqueue(t, b, 3)
		synctest.Wait()
		if n := calls.Load(); n != 3 {
			t.Errorf("3 tasks enqueued for idle workers: %d handler calls, want 3", n)
		}
		cancel()
		synctest.Wait()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunWorkers = %v, want nil", err)
			}
		default:
			t.Fatalf("RunWorkers did not return after its context was cancelled (idle workers must stop waiting in Lease)")
		}
	})
}

func TestHiddenWorkers_PanicBecomesNack(t *testing.T) {
	wrkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{BaseBackoff: time.Second, Jitter: func(d time.Duration) time.Duration { return d }})
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "bomb", Queue: "q"}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		l := newWrkLeaser(b)
		var calls atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		done := wrkRun(ctx, l, 1, func(_ context.Context, task taskq.Task) error {
			calls.Add(1)
			if task.Attempt == 1 {
				panic("handler exploded")
			}
			return nil
		})
		synctest.Wait()
		if got := b.Stats("q"); got != (taskq.Stats{Delayed: 1}) {
			t.Errorf("right after the handler panicked: Stats = %+v, want {Delayed:1} (the task nacked)", got)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		cancel()
		<-done
		acked, nacked := l.snapshot()
		if len(nacked) != 1 || nacked[0] == nil || !strings.Contains(nacked[0].Error(), "panic") {
			t.Errorf("Nack causes = %v, want one non-nil cause whose text contains %q", nacked, "panic")
		}
		if calls.Load() != 2 || !slices.Equal(acked, []string{"bomb"}) {
			t.Errorf("handler calls %d, acked %q, want 2 calls and [bomb] (the worker survives the panic and handles the retry)", calls.Load(), acked)
		}
	})
}
