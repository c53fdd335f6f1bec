package taskq

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Handler processes one task.
type Handler func(ctx context.Context, t Task) error

func runHandler(ctx context.Context, h Handler, t Task) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("taskq: handler panicked: %v", r)
		}
	}()
	return h(ctx, t)
}

// RunWorkers runs n workers on queue until ctx is done, then waits for the
// handlers in progress.
func RunWorkers(ctx context.Context, l Leaser, queue string, n int, h Handler) error {
	if n < 1 {
		n = 1
	}
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				lease, err := l.Lease(ctx, queue)
				if err != nil {
					select {
					case <-ctx.Done():
					case <-time.After(50 * time.Millisecond):
					}
					continue
				}
				hctx := context.WithoutCancel(ctx)
				if err := runHandler(hctx, h, lease.Task); err != nil {
					l.Nack(hctx, lease.Token, err)
				} else {
					l.Ack(hctx, lease.Token)
				}
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
