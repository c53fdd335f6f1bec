package taskq

import (
	"context"
	"errors"
	"time"
)

// Defaults used for the zero values of Options and Task.MaxAttempts.
const (
	DefaultVisibility  = 30 * time.Second
	DefaultBaseBackoff = time.Second
	DefaultMaxBackoff  = time.Minute
	DefaultMaxAttempts = 5
)

var (
	// ErrLeaseExpired is returned by Ack and Nack for a token that is not
	// the token of a current lease.
	ErrLeaseExpired = errors.New("taskq: lease expired")
	// ErrInvalid is wrapped by Enqueue's error for a task without a queue.
	ErrInvalid = errors.New("taskq: invalid task")
)

// Task is a unit of work.
type Task struct {
	ID          string
	Queue       string
	Payload     []byte
	Attempt     int // deliveries so far, this one included (1 on the first)
	MaxAttempts int // 0 means DefaultMaxAttempts
}

// Lease is a delivery of a task, valid until Deadline.
type Lease struct {
	Task     Task
	Token    string
	Deadline time.Time
}

// Options configure a Broker. Zero durations mean the defaults.
type Options struct {
	Visibility  time.Duration
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// Jitter turns the capped backoff into the actual delay; nil means full
	// jitter, a uniform random delay in [0, d].
	Jitter func(time.Duration) time.Duration
}

// Leaser is what a worker needs from a broker, local or remote.
type Leaser interface {
	// Lease takes the oldest ready task of queue, waiting for one until ctx
	// is done.
	Lease(ctx context.Context, queue string) (Lease, error)
	// Ack completes the task of a current lease.
	Ack(ctx context.Context, token string) error
	// Nack fails the delivery of a current lease.
	Nack(ctx context.Context, token string, cause error) error
}

// Stats counts the tasks of one queue by state.
type Stats struct{ Ready, Leased, Delayed, Dead int }
