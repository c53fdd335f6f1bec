package taskq

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Handler processes one task.
type Handler func(ctx context.Context, t Task) error

func safeCall(ctx context.Context, h Handler, t Task) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("taskq: panic in handler: %v", p)
		}
	}()
	err = h(ctx, t)
	return
}

func worker(ctx context.Context, l Leaser, queue string, h Handler, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	for {
		lease, err := l.Lease(ctx, queue)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return
		}
		if err != nil {
			t := time.NewTimer(50 * time.Millisecond)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		bg := context.WithoutCancel(ctx)
		if herr := safeCall(bg, h, lease.Task); herr == nil {
			_ = l.Ack(bg, lease.Token)
		} else {
			_ = l.Nack(bg, lease.Token, herr)
		}
	}
}

// RunWorkers runs n workers until ctx is done and they have drained.
func RunWorkers(ctx context.Context, l Leaser, queue string, n int, h Handler) error {
	n = max(n, 1)
	done := make(chan struct{}, n)
	for range n {
		go worker(ctx, l, queue, h, done)
	}
	for range n {
		<-done
	}
	return ctx.Err()
}
