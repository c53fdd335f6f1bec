package taskq

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"sync"
	"time"
)

type record struct {
	t        Task
	token    string
	deadline time.Time
	expiry   *time.Timer
}

type waiter struct {
	got chan *record
}

type qdata struct {
	readyList *list.List // of *record
	waiting   *list.List // of *waiter
	delayed   int
	leased    int
	dead      []Task
}

// Broker is an in-memory lease-based task broker.
type Broker struct {
	mu         sync.Mutex
	visibility time.Duration
	base, cap  time.Duration
	jitter     func(time.Duration) time.Duration
	qs         map[string]*qdata
	byToken    map[string]*record
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// NewBroker makes a Broker with the given options.
func NewBroker(o Options) *Broker {
	j := o.Jitter
	if j == nil {
		j = func(d time.Duration) time.Duration {
			if d <= 0 {
				return 0
			}
			return time.Duration(mrand.Int64N(int64(d) + 1))
		}
	}
	return &Broker{
		visibility: orDefault(o.Visibility, DefaultVisibility),
		base:       orDefault(o.BaseBackoff, DefaultBaseBackoff),
		cap:        orDefault(o.MaxBackoff, DefaultMaxBackoff),
		jitter:     j,
		qs:         make(map[string]*qdata),
		byToken:    make(map[string]*record),
	}
}

func randomHex(n int) string {
	buf := make([]byte, n)
	rand.Read(buf)
	return hex.EncodeToString(buf)
}

func (b *Broker) q(name string) *qdata {
	if b.qs[name] == nil {
		b.qs[name] = &qdata{readyList: list.New(), waiting: list.New()}
	}
	return b.qs[name]
}

// push makes r ready: it goes straight to a waiting Lease if there is one.
func (b *Broker) push(r *record) {
	qd := b.q(r.t.Queue)
	if front := qd.waiting.Front(); front != nil {
		qd.waiting.Remove(front)
		b.lease(qd, r)
		front.Value.(*waiter).got <- r
		return
	}
	qd.readyList.PushBack(r)
}

func (b *Broker) lease(qd *qdata, r *record) {
	r.t.Attempt++
	r.token = randomHex(16)
	r.deadline = time.Now().Add(b.visibility)
	b.byToken[r.token] = r
	qd.leased++
	tok := r.token
	r.expiry = time.AfterFunc(b.visibility, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.byToken[tok] != r {
			return
		}
		delete(b.byToken, tok)
		qd.leased--
		b.retire(qd, r)
	})
}

// retire ends a failed delivery: dead after the last attempt, else ready.
func (b *Broker) retire(qd *qdata, r *record) bool {
	if r.t.Attempt >= r.t.MaxAttempts {
		qd.dead = append(qd.dead, r.t)
		return true
	}
	b.push(r)
	return false
}

// Enqueue stores a copy of t, ready for leasing.
func (b *Broker) Enqueue(_ context.Context, t Task) (string, error) {
	if len(t.Queue) == 0 {
		return "", ErrInvalid
	}
	if t.ID == "" {
		t.ID = randomHex(8)
	}
	if t.MaxAttempts <= 0 {
		t.MaxAttempts = DefaultMaxAttempts
	}
	t.Attempt = 0
	t.Payload = append(make([]byte, 0, len(t.Payload)), t.Payload...)
	b.mu.Lock()
	b.push(&record{t: t})
	b.mu.Unlock()
	return t.ID, nil
}

func (r *record) toLease() Lease {
	t := r.t
	t.Payload = append([]byte{}, r.t.Payload...)
	return Lease{Task: t, Token: r.token, Deadline: r.deadline}
}

// Lease waits for the oldest ready task of queue.
func (b *Broker) Lease(ctx context.Context, queue string) (Lease, error) {
	if ctx.Err() != nil {
		return Lease{}, ctx.Err()
	}
	b.mu.Lock()
	qd := b.q(queue)
	if e := qd.readyList.Front(); e != nil {
		qd.readyList.Remove(e)
		r := e.Value.(*record)
		b.lease(qd, r)
		l := r.toLease()
		b.mu.Unlock()
		return l, nil
	}
	w := &waiter{got: make(chan *record, 1)}
	elem := qd.waiting.PushBack(w)
	b.mu.Unlock()
	select {
	case r := <-w.got:
		b.mu.Lock()
		defer b.mu.Unlock()
		return r.toLease(), nil
	case <-ctx.Done():
		b.mu.Lock()
		defer b.mu.Unlock()
		select {
		case r := <-w.got:
			// handed over just now: give it back untouched
			delete(b.byToken, r.token)
			r.expiry.Stop()
			qd.leased--
			r.t.Attempt--
			qd.readyList.PushFront(r)
		default:
			qd.waiting.Remove(elem)
		}
		return Lease{}, ctx.Err()
	}
}

func (b *Broker) settle(token string) (*qdata, *record, error) {
	r, ok := b.byToken[token]
	if !ok || !time.Now().Before(r.deadline) {
		return nil, nil, ErrLeaseExpired
	}
	r.expiry.Stop()
	delete(b.byToken, token)
	qd := b.q(r.t.Queue)
	qd.leased--
	return qd, r, nil
}

// Ack removes a leased task for good.
func (b *Broker) Ack(_ context.Context, token string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, _, err := b.settle(token)
	return err
}

// Nack schedules a retry with capped exponential backoff and jitter.
func (b *Broker) Nack(_ context.Context, token string, _ error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	qd, r, err := b.settle(token)
	if err != nil {
		return err
	}
	if r.t.Attempt >= r.t.MaxAttempts {
		qd.dead = append(qd.dead, r.t)
		return nil
	}
	d := b.base << (r.t.Attempt - 1)
	if d > b.cap || d <= 0 {
		d = b.cap
	}
	if wait := b.jitter(d); wait > 0 {
		qd.delayed++
		time.AfterFunc(wait, func() {
			b.mu.Lock()
			qd.delayed--
			b.push(r)
			b.mu.Unlock()
		})
	} else {
		b.push(r)
	}
	return nil
}

// DeadLetters returns the queue's dead tasks, oldest death first.
func (b *Broker) DeadLetters(queue string) []Task {
	b.mu.Lock()
	defer b.mu.Unlock()
	if qd, ok := b.qs[queue]; ok {
		return append([]Task{}, qd.dead...)
	}
	return nil
}

// Stats reports how many tasks of queue are in each state.
func (b *Broker) Stats(queue string) Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	qd, ok := b.qs[queue]
	if !ok {
		return Stats{}
	}
	return Stats{Ready: qd.readyList.Len(), Leased: qd.leased, Delayed: qd.delayed, Dead: len(qd.dead)}
}
