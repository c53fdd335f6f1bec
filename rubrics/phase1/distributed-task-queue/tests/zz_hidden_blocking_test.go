package taskq_test

// Hidden tests, group "Blocking": Lease waits for a task of its queue until
// its context is done; every task goes to exactly one waiter; a cancelled
// waiter takes no task. The tests run in testing/synctest bubbles:
// synctest.Wait() returns once every goroutine of the test is blocked, so
// "all the waiters are waiting" is exact, and the bubble fails if a goroutine
// stays blocked at the end (a leak).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	taskq "example.com/distributed-task-queue"
)

func blkBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, f)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("panic: %v (a panic in the package, or every goroutine of the test blocked for ever: a Lease that never returns, or goroutines of the broker still waiting after the test ended)", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

type blkResult struct {
	l   taskq.Lease
	err error
}

// blkWaiters starts n goroutines that each call Lease(ctx, queue) once.
func blkWaiters(b *taskq.Broker, ctx context.Context, queue string, n int) chan blkResult {
	out := make(chan blkResult, n)
	for range n {
		go func() {
			l, err := b.Lease(ctx, queue)
			out <- blkResult{l, err}
		}()
	}
	return out
}

func TestHiddenBlocking_EachTaskOnce(t *testing.T) {
	blkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: time.Hour})
		res := blkWaiters(b, context.Background(), "q", 8)
		synctest.Wait()
		if len(res) != 0 {
			r := <-res
			t.Fatalf("Lease on an empty queue returned at once (%+v, %v), want it to wait for a task", r.l.Task, r.err)
		}
		for i := range 8 {
			if _, err := b.Enqueue(context.Background(), taskq.Task{ID: fmt.Sprint("t", i), Queue: "q"}); err != nil {
				t.Fatalf("Enqueue = %v", err)
			}
		}
		synctest.Wait()
		if len(res) != 8 {
			t.Fatalf("%d of 8 waiting Leases returned after 8 tasks were enqueued, want 8", len(res))
		}
		var ids, tokens []string
		for range 8 {
			r := <-res
			if r.err != nil {
				t.Fatalf("a waiting Lease returned %v, want a task", r.err)
			}
			ids = append(ids, r.l.Task.ID)
			tokens = append(tokens, r.l.Token)
		}
		slices.Sort(ids)
		if want := []string{"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"}; !slices.Equal(ids, want) {
			t.Errorf("the 8 waiters got tasks %q, want each of %q exactly once", ids, want)
		}
		slices.Sort(tokens)
		if len(slices.Compact(tokens)) != 8 {
			t.Errorf("the 8 leases have tokens %q, want 8 distinct tokens", tokens)
		}
		if got := b.Stats("q"); got != (taskq.Stats{Leased: 8}) {
			t.Errorf("Stats = %+v, want {Leased:8}", got)
		}
	})
}

func TestHiddenBlocking_CancelReleasesAll(t *testing.T) {
	blkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		res := blkWaiters(b, ctx, "q", 8)
		synctest.Wait()
		cancel()
		synctest.Wait()
		if len(res) != 8 {
			t.Fatalf("%d of 8 waiting Leases returned after their context was cancelled, want 8", len(res))
		}
		for range 8 {
			if r := <-res; !errors.Is(r.err, context.Canceled) {
				t.Errorf("a cancelled Lease returned (%+v, %v), want an error matching context.Canceled", r.l.Task, r.err)
			}
		}
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "late", Queue: "q"}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		synctest.Wait()
		if got := b.Stats("q"); got != (taskq.Stats{Ready: 1}) {
			t.Errorf("a task enqueued after every waiter was cancelled: Stats = %+v, want {Ready:1} (no cancelled waiter may take it)", got)
		}
		l, err := b.Lease(context.Background(), "q")
		if err != nil || l.Task.ID != "late" || l.Task.Attempt != 1 {
			t.Errorf("Lease = ({ID %q, Attempt %d}, %v), want ({ID %q, Attempt 1}, nil)", l.Task.ID, l.Task.Attempt, err, "late")
		}
	})
}

func TestHiddenBlocking_Deadline(t *testing.T) {
	blkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		t0 := time.Now()
		_, err := b.Lease(ctx, "q")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Lease on an empty queue with a 5s timeout = %v, want context.DeadlineExceeded", err)
		}
		if took := time.Since(t0); took != 5*time.Second {
			t.Errorf("Lease returned after %v of virtual time, want exactly 5s (its context's deadline)", took)
		}
	})
}

func TestHiddenBlocking_AlreadyCancelled(t *testing.T) {
	blkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{})
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "a", Queue: "q"}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if l, err := b.Lease(ctx, "q"); !errors.Is(err, context.Canceled) {
			t.Errorf("Lease with a cancelled context = (%+v, %v), want context.Canceled and no task", l.Task, err)
		}
		if got := b.Stats("q"); got != (taskq.Stats{Ready: 1}) {
			t.Errorf("after a Lease with a cancelled context: Stats = %+v, want {Ready:1}", got)
		}
	})
}

func TestHiddenBlocking_QueuesIndependent(t *testing.T) {
	blkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{})
		res := blkWaiters(b, context.Background(), "a", 1)
		synctest.Wait()
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "for-b", Queue: "b"}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		synctest.Wait()
		if len(res) != 0 {
			r := <-res
			t.Fatalf("a Lease waiting on queue %q returned (%+v, %v) when a task was enqueued on queue %q, want it to keep waiting", "a", r.l.Task, r.err, "b")
		}
		if got := b.Stats("b"); got != (taskq.Stats{Ready: 1}) {
			t.Errorf("Stats(%q) = %+v, want {Ready:1}", "b", got)
		}
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "for-a", Queue: "a"}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		synctest.Wait()
		if len(res) != 1 {
			t.Fatalf("the Lease waiting on %q did not return after a task was enqueued there", "a")
		}
		if r := <-res; r.err != nil || r.l.Task.ID != "for-a" || r.l.Task.Queue != "a" {
			t.Errorf("Lease(%q) = (%+v, %v), want task %q", "a", r.l.Task, r.err, "for-a")
		}
	})
}

func TestHiddenBlocking_FIFO(t *testing.T) {
	blkBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: 10 * time.Second})
		for _, id := range []string{"1", "2", "3", "4"} {
			if _, err := b.Enqueue(context.Background(), taskq.Task{ID: id, Queue: "q"}); err != nil {
				t.Fatalf("Enqueue = %v", err)
			}
		}
		first, err := b.Lease(context.Background(), "q")
		if err != nil {
			t.Fatalf("Lease = %v", err)
		}
		time.Sleep(11 * time.Second) // "1" expires and goes to the back
		synctest.Wait()
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "5", Queue: "q"}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		got := []string{first.Task.ID}
		for range 5 {
			l, err := b.Lease(context.Background(), "q")
			if err != nil {
				t.Fatalf("Lease = %v", err)
			}
			got = append(got, l.Task.ID)
		}
		if want := []string{"1", "2", "3", "4", "1", "5"}; !slices.Equal(got, want) {
			t.Errorf("lease order %q, want %q (oldest ready first; an expired task is ready again at the back of the queue)", got, want)
		}
	})
}
