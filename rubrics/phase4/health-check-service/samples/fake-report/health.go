// Package health aggregates health checks: registered checks run
// concurrently, each with its own timeout, cache TTL and criticality, and
// their results make an overall status served on /livez and /readyz.
package health

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
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

// Errors returned by Register, wrapped with the name of the check.
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

// Checker runs registered checks. Its methods are safe for concurrent use.
type Checker struct {
	mu     sync.Mutex
	checks map[string]*check
	hooks  []func(name string, from, to Status)

	// hookMu makes hook calls one at a time, in the order of the transitions.
	hookMu   sync.Mutex
	draining atomic.Bool

	peekOnce sync.Once
}

// check is the state of one registered check, guarded by Checker.mu.
type check struct {
	reg    Registration
	last   Result
	has    bool    // last holds a result
	flight *flight // the execution in progress, if any
}

// flight is one execution of a check, shared by every caller that needs it.
type flight struct {
	done chan struct{}
	res  Result // set before done is closed
}

// New returns a Checker without checks.
func New() *Checker {
	return &Checker{checks: make(map[string]*check)}
}

// Register adds a check. It returns an error wrapping ErrInvalid when the
// name is empty, Check is nil or a duration is negative, and one wrapping
// ErrDuplicate when the name is taken.
func (c *Checker) Register(r Registration) error {
	switch {
	case r.Name == "":
		return fmt.Errorf("%w: empty name", ErrInvalid)
	case r.Check == nil:
		return fmt.Errorf("%w: check %q has no Check function", ErrInvalid, r.Name)
	case r.Timeout < 0 || r.CacheTTL < 0 || r.Interval < 0:
		return fmt.Errorf("%w: check %q has a negative duration", ErrInvalid, r.Name)
	}
	if r.Timeout == 0 {
		r.Timeout = DefaultTimeout
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.checks[r.Name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicate, r.Name)
	}
	c.checks[r.Name] = &check{reg: r}
	return nil
}

// OnChange adds a hook called each time a check's status changes, with the
// check's name, its previous status ("" before its first result) and the new
// one.
func (c *Checker) OnChange(fn func(name string, from, to Status)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, fn)
}

// SetDraining turns draining mode on or off: while it is on, /readyz answers
// 503 without running any check.
func (c *Checker) SetDraining(on bool) {
	c.draining.Store(on)
}

// snapshot returns the registered checks.
func (c *Checker) snapshot() []*check {
	c.mu.Lock()
	defer c.mu.Unlock()
	checks := make([]*check, 0, len(c.checks))
	for _, ch := range c.checks {
		checks = append(checks, ch)
	}
	return checks
}

// record stores the result of a finished execution, wakes the callers that
// wait for it and calls the hooks if the status changed.
func (c *Checker) record(ch *check, f *flight, res Result) {
	c.mu.Lock()
	from := Status("")
	if ch.has {
		from = ch.last.Status
	}
	ch.last, ch.has = res, true
	ch.flight = nil
	f.res = res
	close(f.done)
	hooks := slices.Clone(c.hooks)
	if from == res.Status || len(hooks) == 0 {
		c.mu.Unlock()
		return
	}
	c.hookMu.Lock()
	c.mu.Unlock()
	defer c.hookMu.Unlock()
	for _, fn := range hooks {
		fn(ch.reg.Name, from, res.Status)
	}
}
