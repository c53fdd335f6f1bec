package taskq

import (
	"context"
	"time"
)

// take returns the entry of a current lease. b.mu is held.
func (b *Broker) take(token string) (*entry, error) {
	e, ok := b.leases[token]
	if !ok || !time.Now().Before(e.deadline) {
		return nil, ErrLeaseExpired
	}
	e.timer.Stop()
	return e, nil
}

// release forgets the lease of e. b.mu is held.
func (b *Broker) release(token string, e *entry) *queue {
	delete(b.leases, token)
	q := b.queue(e.task.Queue)
	q.leased--
	e.token, e.timer = "", nil
	return q
}

// Ack completes the task of a current lease.
func (b *Broker) Ack(_ context.Context, token string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, err := b.take(token)
	if err != nil {
		return err
	}
	b.release(token, e)
	return nil
}

// Nack fails the delivery of a current lease: the task is retried after a
// backoff, or dead-lettered after its last attempt.
func (b *Broker) Nack(_ context.Context, token string, _ error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, err := b.take(token)
	if err != nil {
		return err
	}
	q := b.release(token, e)
	if e.task.Attempt >= e.task.MaxAttempts {
		q.dead = append(q.dead, e.task)
		return nil
	}
	delay := b.opts.Jitter(backoff(b.opts.BaseBackoff, b.opts.MaxBackoff, e.task.Attempt))
	if delay <= 0 {
		b.makeReady(e)
		return nil
	}
	q.delayed++
	time.AfterFunc(delay, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		q.delayed--
		b.makeReady(e)
	})
	return nil
}
