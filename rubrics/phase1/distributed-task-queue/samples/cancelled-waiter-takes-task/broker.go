package taskq

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Broker holds named queues in memory. It implements Leaser and is safe for
// concurrent use.
type Broker struct {
	opts Options

	mu     sync.Mutex
	queues map[string]*queue
	leases map[string]*entry // by token
	seq    uint64
}

type queue struct {
	ready   []*entry
	leased  int
	delayed int
	dead    []Task
	waiters []chan *entry // Leases waiting for a task, oldest first
}

type entry struct {
	task     Task
	token    string
	deadline time.Time
	timer    *time.Timer
}

var _ Leaser = (*Broker)(nil)

// NewBroker returns an empty broker; zero options take the defaults.
func NewBroker(o Options) *Broker {
	if o.Visibility <= 0 {
		o.Visibility = DefaultVisibility
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = DefaultBaseBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Jitter == nil {
		o.Jitter = fullJitter
	}
	return &Broker{opts: o, queues: map[string]*queue{}, leases: map[string]*entry{}}
}

// queue returns the named queue, creating it. b.mu is held.
func (b *Broker) queue(name string) *queue {
	q, ok := b.queues[name]
	if !ok {
		q = &queue{}
		b.queues[name] = q
	}
	return q
}

// makeReady hands e to the oldest waiting Lease, or appends it to its
// queue. b.mu is held.
func (b *Broker) makeReady(e *entry) {
	q := b.queue(e.task.Queue)
	if len(q.waiters) > 0 {
		w := q.waiters[0]
		q.waiters = q.waiters[1:]
		w <- e // buffered: never blocks
		return
	}
	q.ready = append(q.ready, e)
}

// Enqueue adds a task, ready at once, and returns its ID.
func (b *Broker) Enqueue(_ context.Context, t Task) (string, error) {
	if t.Queue == "" {
		return "", fmt.Errorf("enqueue %q: %w: empty queue name", t.ID, ErrInvalid)
	}
	t.Attempt = 0
	if t.MaxAttempts <= 0 {
		t.MaxAttempts = DefaultMaxAttempts
	}
	t.Payload = append([]byte(nil), t.Payload...)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	if t.ID == "" {
		t.ID = "task-" + strconv.FormatUint(b.seq, 10)
	}
	b.makeReady(&entry{task: t})
	return t.ID, nil
}
