package config

import (
	"context"
	"sync/atomic"
)

// Load builds a new T from the sources named by opts, in increasing
// precedence: `default` tags, the JSON file (WithFile), the environment
// (WithEnv), the arguments (WithArgs). It then checks the `validate` tags.
// On any error it returns a nil *T. See README.md for every rule.
func Load[T any](opts ...Option) (*T, error) {
	panic("not implemented")
}

// FieldError is one problem with one field.
type FieldError struct {
	Path string // Go field names joined by dots, [i] for slice elements: "DB.Replicas[2].Port"
	Rule string // "parse", "required", "min", "max" or "oneof"
	Err  error  // what went wrong
}

// Error returns "<Path>: <Rule>: <Err>".
func (e *FieldError) Error() string {
	panic("not implemented")
}

// Unwrap returns e.Err.
func (e *FieldError) Unwrap() error {
	panic("not implemented")
}

// Store holds the current configuration as an immutable snapshot and
// follows the file.
type Store[T any] struct {
	cur atomic.Pointer[T]
}

// NewStore loads the configuration as Load does and returns a Store holding it.
func NewStore[T any](opts ...Option) (*Store[T], error) {
	panic("not implemented")
}

// Get returns the current snapshot: never nil, never modified once published.
func (s *Store[T]) Get() *T {
	panic("not implemented")
}

// Subscribe registers fn, called with the previous and the new snapshot
// after each successful reload; cancel unregisters it.
func (s *Store[T]) Subscribe(fn func(old, cur *T)) (cancel func()) {
	panic("not implemented")
}

// Watch reads the file every poll interval until ctx is done, reloads it
// when its content changed, and returns ctx.Err().
func (s *Store[T]) Watch(ctx context.Context, onError func(error)) error {
	panic("not implemented")
}
