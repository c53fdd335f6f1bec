package health

import (
	"context"
	"errors"
	"time"
)

// Status is the state of one check or of the whole service.
type Status string

// The statuses. Degraded only ever describes the whole service: a
// non-critical check is failing, every critical check passes.
const (
	Up       Status = "up"
	Degraded Status = "degraded"
	Down     Status = "down"
)

// DefaultTimeout is the timeout of a check registered with Timeout 0.
const DefaultTimeout = time.Second

// Errors returned by Register (wrapped: test them with errors.Is).
var (
	ErrInvalid   = errors.New("health: invalid registration")
	ErrDuplicate = errors.New("health: duplicate check name")
)

// Registration describes one check.
type Registration struct {
	Name     string
	Check    func(ctx context.Context) error
	Timeout  time.Duration // 0 means DefaultTimeout
	CacheTTL time.Duration // 0 means no caching
	Interval time.Duration // 0 means on demand only
	Critical bool
}

// Result is the outcome of one execution of a check.
type Result struct {
	Status    Status        `json:"status"`
	Error     string        `json:"error,omitempty"`
	Duration  time.Duration `json:"duration"`
	CheckedAt time.Time     `json:"checked_at"`
}

// Report is the outcome of Run: the overall status and every check's result.
type Report struct {
	Status Status            `json:"status"`
	Checks map[string]Result `json:"checks"`
}
