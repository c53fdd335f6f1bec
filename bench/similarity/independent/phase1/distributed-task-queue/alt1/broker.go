package taskq

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

type entry struct {
	task  Task
	token string
	timer *time.Timer
}

type queueState struct {
	ready   []*entry
	delayed int
	dead    []Task
	changed chan struct{} // closed and replaced whenever a task becomes ready
}

// Broker keeps every queue in memory behind one mutex.
type Broker struct {
	opts   Options
	mu     sync.Mutex
	queues map[string]*queueState
	leased map[string]*entry // by token
	nextID int
}

// NewBroker returns an empty broker.
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
		o.Jitter = func(d time.Duration) time.Duration { return rand.N(d + 1) }
	}
	return &Broker{opts: o, queues: map[string]*queueState{}, leased: map[string]*entry{}}
}

func (b *Broker) queue(name string) *queueState {
	q := b.queues[name]
	if q == nil {
		q = &queueState{changed: make(chan struct{})}
		b.queues[name] = q
	}
	return q
}

// makeReady must be called with b.mu held.
func (b *Broker) makeReady(e *entry) {
	q := b.queue(e.task.Queue)
	q.ready = append(q.ready, e)
	close(q.changed)
	q.changed = make(chan struct{})
}

// Enqueue adds t to its queue, ready at once.
func (b *Broker) Enqueue(ctx context.Context, t Task) (string, error) {
	if t.Queue == "" {
		return "", fmt.Errorf("enqueue: empty queue name: %w", ErrInvalid)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nextID++
	if t.ID == "" {
		t.ID = "task-" + strconv.Itoa(b.nextID)
	}
	t.Attempt = 0
	if t.MaxAttempts <= 0 {
		t.MaxAttempts = DefaultMaxAttempts
	}
	t.Payload = append([]byte(nil), t.Payload...)
	b.makeReady(&entry{task: t})
	return t.ID, nil
}

// Lease hands out the oldest ready task of queue, waiting for one.
func (b *Broker) Lease(ctx context.Context, queue string) (Lease, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Lease{}, err
		}
		b.mu.Lock()
		q := b.queue(queue)
		if len(q.ready) > 0 {
			e := q.ready[0]
			q.ready = q.ready[1:]
			b.nextID++
			e.task.Attempt++
			e.token = fmt.Sprintf("lease-%d-%d", b.nextID, rand.Int64())
			deadline := time.Now().Add(b.opts.Visibility)
			b.leased[e.token] = e
			token := e.token
			e.timer = time.AfterFunc(b.opts.Visibility, func() { b.expire(token) })
			l := Lease{Task: e.task, Token: token, Deadline: deadline}
			l.Task.Payload = append([]byte(nil), e.task.Payload...)
			b.mu.Unlock()
			return l, nil
		}
		wait := q.changed
		b.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return Lease{}, ctx.Err()
		}
	}
}

func (b *Broker) expire(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.leased[token]
	if !ok {
		return
	}
	delete(b.leased, token)
	if e.task.Attempt >= e.task.MaxAttempts {
		q := b.queue(e.task.Queue)
		q.dead = append(q.dead, e.task)
		return
	}
	b.makeReady(e)
}

func (b *Broker) take(token string) (*entry, error) {
	e, ok := b.leased[token]
	if !ok {
		return nil, ErrLeaseExpired
	}
	if !e.timer.Stop() {
		return nil, ErrLeaseExpired
	}
	delete(b.leased, token)
	return e, nil
}

// Ack completes the leased task.
func (b *Broker) Ack(ctx context.Context, token string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, err := b.take(token)
	return err
}

// Nack fails the delivery: the task is retried after a backoff, or dies.
func (b *Broker) Nack(ctx context.Context, token string, cause error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, err := b.take(token)
	if err != nil {
		return err
	}
	q := b.queue(e.task.Queue)
	if e.task.Attempt >= e.task.MaxAttempts {
		q.dead = append(q.dead, e.task)
		return nil
	}
	backoff := b.opts.BaseBackoff
	for i := 1; i < e.task.Attempt && backoff < b.opts.MaxBackoff; i++ {
		backoff *= 2
	}
	backoff = b.opts.Jitter(min(backoff, b.opts.MaxBackoff))
	if backoff <= 0 {
		b.makeReady(e)
		return nil
	}
	q.delayed++
	time.AfterFunc(backoff, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		q.delayed--
		b.makeReady(e)
	})
	return nil
}

// DeadLetters lists the dead tasks of queue in the order they died.
func (b *Broker) DeadLetters(queue string) []Task {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queues[queue]
	if q == nil {
		return nil
	}
	return append([]Task(nil), q.dead...)
}

// Stats counts the tasks of queue by state.
func (b *Broker) Stats(queue string) Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	var s Stats
	if q := b.queues[queue]; q != nil {
		s.Ready, s.Delayed, s.Dead = len(q.ready), q.delayed, len(q.dead)
	}
	for _, e := range b.leased {
		if e.task.Queue == queue {
			s.Leased++
		}
	}
	return s
}
