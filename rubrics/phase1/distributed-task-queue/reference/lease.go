package taskq

import (
	"context"
	"strconv"
	"time"
)

// Lease takes the oldest ready task of queue, waiting for one until ctx is
// done.
func (b *Broker) Lease(ctx context.Context, name string) (Lease, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Lease{}, err
		}
		b.mu.Lock()
		q := b.queue(name)
		if len(q.ready) > 0 {
			e := q.ready[0]
			q.ready[0] = nil
			q.ready = q.ready[1:]
			l := b.lease(q, e)
			b.mu.Unlock()
			return l, nil
		}
		wake := q.wake
		b.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-wake:
		}
	}
}

// lease hands e out. b.mu is held.
func (b *Broker) lease(q *queue, e *entry) Lease {
	b.seq++
	e.task.Attempt++
	e.token = "lease-" + strconv.FormatUint(b.seq, 10)
	e.deadline = time.Now().Add(b.opts.Visibility)
	token := e.token
	e.timer = time.AfterFunc(b.opts.Visibility, func() { b.expire(token) })
	b.leases[token] = e
	q.leased++
	t := e.task
	t.Payload = append([]byte(nil), t.Payload...)
	return Lease{Task: t, Token: token, Deadline: e.deadline}
}

// expire ends the lease of token at its deadline if it is still current.
func (b *Broker) expire(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.leases[token]
	if !ok {
		return
	}
	q := b.release(token, e)
	if e.task.Attempt >= e.task.MaxAttempts {
		q.dead = append(q.dead, e.task)
		return
	}
	b.makeReady(e)
}
