package config

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Store holds the current configuration and follows the file.
type Store[T any] struct {
	opts options
	cur  atomic.Pointer[T]

	mu     sync.Mutex
	subs   []*subscriber[T]
	nextID int

	last [sha256.Size]byte // hash of the content last read; Watch's goroutine only
}

type subscriber[T any] struct {
	id int
	fn func(old, cur *T)
}

// NewStore loads the configuration as Load does and returns a Store holding it.
func NewStore[T any](opts ...Option) (*Store[T], error) {
	s := &Store[T]{opts: buildOptions(opts)}
	var data []byte
	if s.opts.file != "" {
		b, err := os.ReadFile(s.opts.file)
		if err != nil {
			return nil, err
		}
		data = b
		s.last = sha256.Sum256(b)
	}
	v, err := decode[T](&s.opts, data)
	if err != nil {
		return nil, err
	}
	s.cur.Store(v)
	return s, nil
}

// Get returns the current snapshot. It is never nil and never modified.
func (s *Store[T]) Get() *T {
	c := *s.cur.Load() // a defensive copy, so that callers cannot change the snapshot
	return &c
}

// Subscribe registers fn, called after each successful reload; cancel
// unregisters it.
func (s *Store[T]) Subscribe(fn func(old, cur *T)) (cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := s.nextID
	s.subs = append(s.subs, &subscriber[T]{id: id, fn: fn})
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, sub := range s.subs {
			if sub.id == id {
				s.subs = append(s.subs[:i:i], s.subs[i+1:]...)
				return
			}
		}
	}
}

// Watch reads the file every poll interval until ctx is done and returns
// ctx.Err().
func (s *Store[T]) Watch(ctx context.Context, onError func(error)) error {
	if s.opts.file == "" {
		return errors.New("config: Watch needs WithFile")
	}
	if onError == nil {
		onError = func(error) {}
	}
	tick := time.NewTicker(s.opts.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			s.poll(onError)
		}
	}
}

// poll reloads the file when its content changed.
func (s *Store[T]) poll(onError func(error)) {
	data, err := os.ReadFile(s.opts.file)
	if err != nil {
		onError(err)
		return
	}
	sum := sha256.Sum256(data)
	if sum == s.last {
		return
	}
	s.last = sum
	v, err := decode[T](&s.opts, data)
	if err != nil {
		onError(err)
		return
	}
	old := s.cur.Swap(v)
	s.mu.Lock()
	subs := make([]*subscriber[T], len(s.subs))
	copy(subs, s.subs)
	s.mu.Unlock()
	for _, sub := range subs {
		sub.fn(old, v)
	}
}
