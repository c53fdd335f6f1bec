package taskq_test

// Hidden benchmark, run for the submission and for the reference solution in
// turn; the score is the ratio of their median ns/op.

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	taskq "example.com/distributed-task-queue"
)

// BenchmarkHiddenPipeline: one op enqueues 2000 tasks on an in-process
// Broker while RunWorkers with 4 workers leases and acks them all, then
// cancels and waits for RunWorkers.
func BenchmarkHiddenPipeline(b *testing.B) {
	const n = 2000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint("task-", i)
	}
	payload := []byte("benchmark payload")
	b.ReportAllocs()
	for b.Loop() {
		br := taskq.NewBroker(taskq.Options{Visibility: time.Hour})
		var handled atomic.Int32
		all := make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- taskq.RunWorkers(ctx, br, "bench", 4, func(context.Context, taskq.Task) error {
				if handled.Add(1) == n {
					close(all)
				}
				return nil
			})
		}()
		for _, id := range ids {
			if _, err := br.Enqueue(ctx, taskq.Task{ID: id, Queue: "bench", Payload: payload}); err != nil {
				b.Fatalf("Enqueue = %v", err)
			}
		}
		select {
		case <-all:
		case <-time.After(30 * time.Second):
			b.Fatalf("%d of %d tasks handled after 30 s", handled.Load(), n)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatalf("RunWorkers = %v", err)
		}
		if s := br.Stats("bench"); s != (taskq.Stats{}) {
			b.Fatalf("Stats = %+v after every task was handled, want all zero", s)
		}
	}
}
