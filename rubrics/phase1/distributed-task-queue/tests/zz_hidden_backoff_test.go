package taskq_test

// Hidden tests, group "Backoff": a nacked task is delayed by
// Jitter(min(BaseBackoff * 2^(Attempt-1), MaxBackoff)), then ready again;
// after MaxAttempts deliveries it goes to the dead-letter list. The tests run
// in testing/synctest bubbles (exact virtual time); most use an identity
// Jitter so that the delays are exact.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	taskq "example.com/distributed-task-queue"
)

func bckBubble(t *testing.T, f func(t *testing.T)) {
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

func bckIdentity(d time.Duration) time.Duration { return d }

func bckLease(t *testing.T, b *taskq.Broker, queue string) taskq.Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	l, err := b.Lease(ctx, queue)
	if err != nil {
		t.Fatalf("Lease(%q) = %v, want the task that is ready now (Stats: %+v)", queue, err, b.Stats(queue))
	}
	return l
}

// bckFailAll nacks the task attempt after attempt and checks each delay.
func bckFailAll(t *testing.T, b *taskq.Broker, delays []time.Duration) {
	t.Helper()
	for i, d := range delays {
		l := bckLease(t, b, "q")
		if l.Task.Attempt != i+1 {
			t.Fatalf("delivery %d: Attempt = %d, want %d", i+1, l.Task.Attempt, i+1)
		}
		if err := b.Nack(context.Background(), l.Token, fmt.Errorf("fail %d", i+1)); err != nil {
			t.Fatalf("Nack after attempt %d = %v, want nil", i+1, err)
		}
		synctest.Wait()
		if got := b.Stats("q"); got != (taskq.Stats{Delayed: 1}) {
			t.Fatalf("right after the Nack of attempt %d: Stats = %+v, want {Delayed:1}", i+1, got)
		}
		time.Sleep(d - time.Nanosecond)
		synctest.Wait()
		if got := b.Stats("q"); got != (taskq.Stats{Delayed: 1}) {
			t.Fatalf("1ns before the end of the %v backoff after attempt %d: Stats = %+v, want {Delayed:1}", d, i+1, got)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if got := b.Stats("q"); got != (taskq.Stats{Ready: 1}) {
			t.Fatalf("exactly %v after the Nack of attempt %d: Stats = %+v, want {Ready:1} (backoff BaseBackoff*2^(Attempt-1) capped at MaxBackoff)", d, i+1, got)
		}
	}
}

func TestHiddenBackoff_ExponentialCapped(t *testing.T) {
	bckBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{BaseBackoff: time.Second, MaxBackoff: 10 * time.Second, Jitter: bckIdentity, Visibility: time.Hour})
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "a", Queue: "q", MaxAttempts: 7}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		bckFailAll(t, b, []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second})
	})
}

func TestHiddenBackoff_DeadLetter(t *testing.T) {
	bckBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{BaseBackoff: time.Second, MaxBackoff: time.Hour, Jitter: bckIdentity})
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "a", Queue: "q", Payload: []byte("p"), MaxAttempts: 3}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		bckFailAll(t, b, []time.Duration{time.Second, 2 * time.Second})
		l := bckLease(t, b, "q")
		if l.Task.Attempt != 3 {
			t.Fatalf("third delivery: Attempt = %d, want 3", l.Task.Attempt)
		}
		if err := b.Nack(context.Background(), l.Token, errors.New("fail 3")); err != nil {
			t.Fatalf("Nack of the last attempt = %v, want nil", err)
		}
		synctest.Wait()
		if got := b.Stats("q"); got != (taskq.Stats{Dead: 1}) {
			t.Errorf("after the Nack of attempt 3 of MaxAttempts 3: Stats = %+v, want {Dead:1}", got)
		}
		dead := b.DeadLetters("q")
		if len(dead) != 1 || dead[0].ID != "a" || dead[0].Queue != "q" || dead[0].Attempt != 3 || dead[0].MaxAttempts != 3 || string(dead[0].Payload) != "p" {
			t.Fatalf("DeadLetters(%q) = %+v, want [{ID a Queue q Payload \"p\" Attempt 3 MaxAttempts 3}]", "q", dead)
		}
		if other := b.DeadLetters("other"); len(other) != 0 {
			t.Errorf("DeadLetters(%q) = %+v, want none (dead letters are per queue)", "other", other)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := b.Stats("q"); got != (taskq.Stats{Dead: 1}) {
			t.Errorf("an hour later: Stats = %+v, want {Dead:1} (a dead task is never redelivered)", got)
		}
	})
}

func TestHiddenBackoff_DeadLettersInOrder(t *testing.T) {
	bckBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Jitter: bckIdentity})
		for _, id := range []string{"x", "y", "z"} {
			if _, err := b.Enqueue(context.Background(), taskq.Task{ID: id, Queue: "q", MaxAttempts: 1}); err != nil {
				t.Fatalf("Enqueue = %v", err)
			}
		}
		var ls []taskq.Lease
		for range 3 {
			ls = append(ls, bckLease(t, b, "q"))
		}
		for _, i := range []int{1, 2, 0} {
			if err := b.Nack(context.Background(), ls[i].Token, errors.New("no")); err != nil {
				t.Fatalf("Nack = %v", err)
			}
		}
		var ids []string
		for _, d := range b.DeadLetters("q") {
			ids = append(ids, d.ID)
		}
		if want := []string{"y", "z", "x"}; !slices.Equal(ids, want) {
			t.Errorf("DeadLetters IDs = %q, want %q (in the order the tasks died)", ids, want)
		}
	})
}

func TestHiddenBackoff_JitterInput(t *testing.T) {
	bckBubble(t, func(t *testing.T) {
		var (
			mu   sync.Mutex
			seen []time.Duration
		)
		half := func(d time.Duration) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, d)
			return d / 2
		}
		b := taskq.NewBroker(taskq.Options{BaseBackoff: 2 * time.Second, MaxBackoff: 5 * time.Second, Jitter: half})
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "a", Queue: "q", MaxAttempts: 10}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		bckFailAll(t, b, []time.Duration{time.Second, 2 * time.Second, 2500 * time.Millisecond})
		mu.Lock()
		defer mu.Unlock()
		if want := []time.Duration{2 * time.Second, 4 * time.Second, 5 * time.Second}; !slices.Equal(seen, want) {
			t.Errorf("Jitter was called with %v, want %v (once per Nack, with the capped backoff)", seen, want)
		}
	})
}

func TestHiddenBackoff_Defaults(t *testing.T) {
	bckBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{Jitter: bckIdentity})
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "a", Queue: "q"}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		// Default BaseBackoff 1s, MaxAttempts 5.
		bckFailAll(t, b, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second})
		l := bckLease(t, b, "q")
		if err := b.Nack(context.Background(), l.Token, errors.New("fail 5")); err != nil {
			t.Fatalf("Nack = %v", err)
		}
		if got := b.Stats("q"); got != (taskq.Stats{Dead: 1}) {
			t.Errorf("after the 5th Nack with MaxAttempts 0 (default 5): Stats = %+v, want {Dead:1}", got)
		}
	})
}

func TestHiddenBackoff_DefaultCap(t *testing.T) {
	bckBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{BaseBackoff: 20 * time.Second, Jitter: bckIdentity, Visibility: time.Hour})
		if _, err := b.Enqueue(context.Background(), taskq.Task{ID: "a", Queue: "q", MaxAttempts: 4}); err != nil {
			t.Fatalf("Enqueue = %v", err)
		}
		// 20s, 40s, then the default MaxBackoff of 1 minute.
		bckFailAll(t, b, []time.Duration{20 * time.Second, 40 * time.Second, time.Minute})
	})
}

func TestHiddenBackoff_FullJitterByDefault(t *testing.T) {
	bckBubble(t, func(t *testing.T) {
		b := taskq.NewBroker(taskq.Options{BaseBackoff: time.Second, MaxBackoff: time.Second})
		const n = 100
		for i := range n {
			if _, err := b.Enqueue(context.Background(), taskq.Task{ID: fmt.Sprint(i), Queue: "q"}); err != nil {
				t.Fatalf("Enqueue = %v", err)
			}
		}
		for range n {
			l := bckLease(t, b, "q")
			if err := b.Nack(context.Background(), l.Token, errors.New("no")); err != nil {
				t.Fatalf("Nack = %v", err)
			}
		}
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		half := b.Stats("q")
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		all := b.Stats("q")
		if all != (taskq.Stats{Ready: n}) {
			t.Errorf("1s after %d Nacks with a 1s backoff and the default Jitter: Stats = %+v, want {Ready:%d} (full jitter: a delay in [0, 1s])", n, all, n)
		}
		if half.Ready == 0 || half.Ready == n {
			t.Errorf("0.5s after %d Nacks with a 1s backoff and the default Jitter: %d ready, want some but not all (full jitter: uniform random delays in [0, 1s])", n, half.Ready)
		}
	})
}
