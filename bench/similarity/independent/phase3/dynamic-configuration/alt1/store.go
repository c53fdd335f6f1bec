package config

import (
	"bytes"
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Store holds the current configuration and reloads it from its file.
type Store[T any] struct {
	cur  atomic.Pointer[T]
	opts options
	last []byte

	mu     sync.Mutex
	nextID int
	subs   map[int]func(old, cur *T)
}

// NewStore loads the first configuration.
func NewStore[T any](opts ...Option) (*Store[T], error) {
	s := &Store[T]{opts: buildOptions(opts), subs: map[int]func(old, cur *T){}}
	var content []byte
	if s.opts.file != "" {
		data, err := os.ReadFile(s.opts.file)
		if err != nil {
			return nil, err
		}
		content = data
	}
	cfg, err := loadFrom[T](s.opts, content)
	if err != nil {
		return nil, err
	}
	s.cur.Store(cfg)
	s.last = content
	return s, nil
}

// Get returns the current configuration; do not modify it.
func (s *Store[T]) Get() *T { return s.cur.Load() }

// Subscribe registers fn, called after each successful reload.
func (s *Store[T]) Subscribe(fn func(old, cur *T)) (cancel func()) {
	s.mu.Lock()
	id := s.nextID
	s.nextID++
	s.subs[id] = fn
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.subs, id)
		s.mu.Unlock()
	}
}

// Watch polls the file until ctx is done, reloading when its content
// changes; failures go to onError and keep the old configuration.
func (s *Store[T]) Watch(ctx context.Context, onError func(error)) error {
	if s.opts.file == "" {
		<-ctx.Done()
		return ctx.Err()
	}
	ticker := time.NewTicker(s.opts.poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
		data, err := os.ReadFile(s.opts.file)
		if err != nil {
			if onError != nil {
				onError(err)
			}
			continue
		}
		if bytes.Equal(data, s.last) {
			continue
		}
		s.last = data
		cfg, err := loadFrom[T](s.opts, data)
		if err != nil {
			if onError != nil {
				onError(err)
			}
			continue
		}
		old := s.cur.Swap(cfg)
		s.mu.Lock()
		var fns []func(old, cur *T)
		for _, fn := range s.subs {
			fns = append(fns, fn)
		}
		s.mu.Unlock()
		for _, fn := range fns {
			fn(old, cfg)
		}
	}
}
