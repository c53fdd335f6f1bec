package taskq

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Handler processes one task; a nil error acks it, an error nacks it.
type Handler func(ctx context.Context, t Task) error

// leaseRetry is how long a worker waits after a Lease error before it tries
// again (while ctx is not done).
const leaseRetry = 50 * time.Millisecond

// RunWorkers runs n workers (at least 1) that lease tasks of queue from l
// and hand them to h, until ctx is done; it then waits for the handlers in
// flight, settles their tasks, and returns nil.
func RunWorkers(ctx context.Context, l Leaser, queue string, n int, h Handler) error {
	n = max(n, 1)
	// Handlers and settlements outlive ctx: a drain finishes the work taken.
	hctx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { work(ctx, hctx, l, queue, h) })
	}
	wg.Wait()
	return nil
}

func work(ctx, hctx context.Context, l Leaser, queue string, h Handler) {
	for ctx.Err() == nil {
		lease, err := l.Lease(ctx, queue)
		if err != nil {
			t := time.NewTimer(leaseRetry)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
			continue
		}
		if err := call(hctx, h, lease.Task); err != nil {
			_ = l.Nack(hctx, lease.Token, err)
		} else {
			_ = l.Ack(hctx, lease.Token)
		}
	}
}

// call runs h, turning a panic into an error.
func call(ctx context.Context, h Handler, t Task) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("taskq: handler panicked on task %q: %v", t.ID, r)
		}
	}()
	return h(ctx, t)
}
