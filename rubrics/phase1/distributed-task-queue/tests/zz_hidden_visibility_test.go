package taskq_test

// Hidden tests, group "Visibility": a leased task that is not acked before
// its Deadline becomes ready again (Attempt + 1); stale tokens are refused
// with ErrLeaseExpired; an acked task never comes back. Every test runs in a
// testing/synctest bubble, whose virtual clock starts at
// 2000-01-01T00:00:00Z and moves only when every goroutine of the bubble is
// blocked: the times below are exact and take no real time.

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	taskq "example.com/distributed-task-queue"
)

// visBubble runs f in a synctest bubble on a goroutine of its own, so that a
// panic of the code under test or a bubble blocked for ever fails this test
// only; the real-time watchdog only fires for code that never stops.
func visBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, f)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("panic: %v (a panic in the package, or every goroutine of the test blocked for ever: a call that never returns, or goroutines of the broker still waiting after the test ended)", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

func visEnqueue(t *testing.T, b *taskq.Broker, task taskq.Task) string {
	t.Helper()
	id, err := b.Enqueue(context.Background(), task)
	if err != nil {
		t.Fatalf("Enqueue(%+v) = %v, want nil", task, err)
	}
	return id
}

// visLease leases from queue, failing if no task is ready within a minute
// of virtual time.
func visLease(t *testing.T, b *taskq.Broker, queue string) taskq.Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := b.Lease(ctx, queue)
	if err != nil {
		t.Fatalf("Lease(%q) = %v, want a task (one is ready)", queue, err)
	}
	return l
}

func visStats(t *testing.T, b *taskq.Broker, queue string, want taskq.Stats, when string) {
	t.Helper()
	if got := b.Stats(queue); got != want {
		t.Errorf("%s: Stats(%q) = %+v, want %+v", when, queue, got, want)
	}
}

func TestHiddenVisibility_Redelivered(t *testing.T) {
	visBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: 10 * time.Second})
		id := visEnqueue(t, b, taskq.Task{ID: "job-1", Queue: "q", Payload: []byte("hello")})
		if id != "job-1" {
			t.Errorf("Enqueue returned ID %q, want the task's own ID %q", id, "job-1")
		}
		t0 := time.Now()
		l1 := visLease(t, b, "q")
		if l1.Task.ID != "job-1" || l1.Task.Attempt != 1 || string(l1.Task.Payload) != "hello" {
			t.Errorf("first Lease: Task = {ID %q, Attempt %d, Payload %q}, want {ID %q, Attempt 1, Payload %q}", l1.Task.ID, l1.Task.Attempt, l1.Task.Payload, "job-1", "hello")
		}
		if !l1.Deadline.Equal(t0.Add(10 * time.Second)) {
			t.Errorf("first Lease: Deadline = %v, want lease time + Visibility = %v", l1.Deadline.UTC(), t0.Add(10*time.Second).UTC())
		}
		visStats(t, b, "q", taskq.Stats{Leased: 1}, "after the first Lease")
		time.Sleep(10*time.Second - time.Nanosecond)
		synctest.Wait()
		visStats(t, b, "q", taskq.Stats{Leased: 1}, "1ns before the Deadline")
		time.Sleep(2 * time.Nanosecond)
		synctest.Wait()
		visStats(t, b, "q", taskq.Stats{Ready: 1}, "1ns after the Deadline (the lease expired, the task is ready again)")
		t1 := time.Now()
		l2 := visLease(t, b, "q")
		if l2.Task.ID != "job-1" || l2.Task.Attempt != 2 {
			t.Errorf("Lease after expiry: Task = {ID %q, Attempt %d}, want {ID %q, Attempt 2}", l2.Task.ID, l2.Task.Attempt, "job-1")
		}
		if l2.Token == "" || l2.Token == l1.Token {
			t.Errorf("Lease after expiry: Token = %q (first lease's %q), want a new non-empty token", l2.Token, l1.Token)
		}
		if !l2.Deadline.Equal(t1.Add(10 * time.Second)) {
			t.Errorf("Lease after expiry: Deadline = %v, want %v", l2.Deadline.UTC(), t1.Add(10*time.Second).UTC())
		}
		if err := b.Ack(context.Background(), l2.Token); err != nil {
			t.Errorf("Ack(new token) = %v, want nil", err)
		}
	})
}

func TestHiddenVisibility_StaleToken(t *testing.T) {
	visBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: 10 * time.Second})
		visEnqueue(t, b, taskq.Task{ID: "a", Queue: "q"})
		l1 := visLease(t, b, "q")
		time.Sleep(10*time.Second + time.Nanosecond)
		synctest.Wait()
		if err := b.Ack(context.Background(), l1.Token); !errors.Is(err, taskq.ErrLeaseExpired) {
			t.Errorf("Ack(expired token) = %v, want ErrLeaseExpired", err)
		}
		if err := b.Nack(context.Background(), l1.Token, errors.New("late")); !errors.Is(err, taskq.ErrLeaseExpired) {
			t.Errorf("Nack(expired token) = %v, want ErrLeaseExpired", err)
		}
		visStats(t, b, "q", taskq.Stats{Ready: 1}, "after a late Ack and Nack (they must change nothing)")
		l2 := visLease(t, b, "q")
		if err := b.Ack(context.Background(), l1.Token); !errors.Is(err, taskq.ErrLeaseExpired) {
			t.Errorf("Ack(first token) while the task is leased again = %v, want ErrLeaseExpired", err)
		}
		visStats(t, b, "q", taskq.Stats{Leased: 1}, "after a stale Ack during the second lease")
		if err := b.Ack(context.Background(), l2.Token); err != nil {
			t.Errorf("Ack(current token) = %v, want nil", err)
		}
		if err := b.Ack(context.Background(), "no-such-token"); !errors.Is(err, taskq.ErrLeaseExpired) {
			t.Errorf("Ack(unknown token) = %v, want ErrLeaseExpired", err)
		}
	})
}

func TestHiddenVisibility_AckedInTime(t *testing.T) {
	visBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: 10 * time.Second})
		visEnqueue(t, b, taskq.Task{ID: "a", Queue: "q"})
		l := visLease(t, b, "q")
		time.Sleep(10*time.Second - time.Nanosecond)
		if err := b.Ack(context.Background(), l.Token); err != nil {
			t.Fatalf("Ack 1ns before the Deadline = %v, want nil", err)
		}
		visStats(t, b, "q", taskq.Stats{}, "after the Ack")
		if err := b.Ack(context.Background(), l.Token); !errors.Is(err, taskq.ErrLeaseExpired) {
			t.Errorf("second Ack of the same token = %v, want ErrLeaseExpired", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		if l2, err := b.Lease(ctx, "q"); err == nil {
			t.Errorf("Lease after the task was acked returned %+v, want to wait until the context's deadline (an acked task is never redelivered)", l2.Task)
		} else if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Lease on an empty queue until a 1h deadline = %v, want context.DeadlineExceeded", err)
		}
		visStats(t, b, "q", taskq.Stats{}, "an hour after the Ack")
	})
}

func TestHiddenVisibility_WaiterGetsExpiredTask(t *testing.T) {
	visBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: 10 * time.Second})
		visEnqueue(t, b, taskq.Task{ID: "a", Queue: "q"})
		t0 := time.Now()
		visLease(t, b, "q")
		l := visLease(t, b, "q") // blocks until the first lease expires
		if took := time.Since(t0); took != 10*time.Second {
			t.Errorf("a Lease waiting on the queue got the expired task after %v of virtual time, want exactly 10s (the first lease's Deadline)", took)
		}
		if l.Task.ID != "a" || l.Task.Attempt != 2 {
			t.Errorf("waiting Lease got {ID %q, Attempt %d}, want {ID %q, Attempt 2}", l.Task.ID, l.Task.Attempt, "a")
		}
	})
}

func TestHiddenVisibility_ExpiryCountsAsAttempt(t *testing.T) {
	visBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Visibility: 10 * time.Second})
		visEnqueue(t, b, taskq.Task{ID: "a", Queue: "q", Payload: []byte{1, 2}, MaxAttempts: 2})
		visLease(t, b, "q")
		time.Sleep(11 * time.Second)
		synctest.Wait()
		l := visLease(t, b, "q")
		if l.Task.Attempt != 2 || l.Task.MaxAttempts != 2 {
			t.Errorf("second delivery: Attempt %d, MaxAttempts %d, want 2 and 2", l.Task.Attempt, l.Task.MaxAttempts)
		}
		time.Sleep(11 * time.Second)
		synctest.Wait()
		visStats(t, b, "q", taskq.Stats{Dead: 1}, "after the last allowed delivery expired")
		dead := b.DeadLetters("q")
		if len(dead) != 1 || dead[0].ID != "a" || dead[0].Attempt != 2 || string(dead[0].Payload) != "\x01\x02" {
			t.Errorf("DeadLetters(%q) = %+v, want one task {ID %q, Attempt 2, Payload [1 2]}", "q", dead, "a")
		}
	})
}

func TestHiddenVisibility_Defaults(t *testing.T) {
	visBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{})
		id := visEnqueue(t, b, taskq.Task{Queue: "q"})
		if id == "" {
			t.Errorf("Enqueue of a task without ID returned %q, want a generated non-empty ID", id)
		}
		t0 := time.Now()
		l := visLease(t, b, "q")
		if l.Task.ID != id || l.Task.Queue != "q" || l.Task.MaxAttempts != taskq.DefaultMaxAttempts {
			t.Errorf("Lease: Task = %+v, want ID %q (Enqueue's), Queue %q, MaxAttempts %d (the default)", l.Task, id, "q", taskq.DefaultMaxAttempts)
		}
		if !l.Deadline.Equal(t0.Add(taskq.DefaultVisibility)) {
			t.Errorf("Lease with Options{}: Deadline = %v, want lease time + 30s = %v", l.Deadline.UTC(), t0.Add(taskq.DefaultVisibility).UTC())
		}
		id2 := visEnqueue(t, b, taskq.Task{Queue: "q"})
		if id2 == "" || id2 == id {
			t.Errorf("two Enqueues without ID returned %q and %q, want two distinct non-empty IDs", id, id2)
		}
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "x"}); !errors.Is(err, taskq.ErrInvalid) {
			t.Errorf("Enqueue of a task without Queue = %v, want an error wrapping ErrInvalid", err)
		}
	})
}
