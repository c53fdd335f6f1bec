package health

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

type entry struct {
	reg    Registration
	mu     sync.Mutex
	last   Result
	have   bool
	status Status
}

// Checker runs registered checks and serves liveness and readiness.
type Checker struct {
	mu       sync.RWMutex
	entries  []*entry
	names    map[string]bool
	draining bool
	started  bool
	hooks    []func(name string, from, to Status)
}

// New returns an empty Checker.
func New() *Checker { return &Checker{names: map[string]bool{}} }

// Register adds a check.
func (c *Checker) Register(r Registration) error {
	if r.Name == "" || r.Check == nil || r.Timeout < 0 || r.CacheTTL < 0 || r.Interval < 0 {
		return fmt.Errorf("%w: %q", ErrInvalid, r.Name)
	}
	if r.Timeout == 0 {
		r.Timeout = DefaultTimeout
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names[r.Name] {
		return fmt.Errorf("%w: %q", ErrDuplicate, r.Name)
	}
	c.names[r.Name] = true
	c.entries = append(c.entries, &entry{reg: r})
	return nil
}

// OnChange registers fn, called when a check's status changes.
func (c *Checker) OnChange(fn func(name string, from, to Status)) {
	c.mu.Lock()
	c.hooks = append(c.hooks, fn)
	c.mu.Unlock()
}

func (c *Checker) execute(ctx context.Context, e *entry) Result {
	ctx, cancel := context.WithTimeout(ctx, e.reg.Timeout)
	defer cancel()
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				errc <- fmt.Errorf("panic: %v", p)
			}
		}()
		errc <- e.reg.Check(ctx)
	}()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		err = fmt.Errorf("timed out after %s", e.reg.Timeout)
	}
	res := Result{Status: Up, Duration: time.Since(start), CheckedAt: time.Now()}
	if err != nil {
		res.Error = err.Error()
		res.Status = Degraded
		if e.reg.Critical {
			res.Status = Down
		}
	}
	return res
}

func (c *Checker) result(ctx context.Context, e *entry) Result {
	e.mu.Lock()
	if e.have && e.reg.CacheTTL > 0 && time.Since(e.last.CheckedAt) < e.reg.CacheTTL {
		r := e.last
		e.mu.Unlock()
		return r
	}
	e.mu.Unlock()
	r := c.execute(ctx, e)
	c.store(e, r)
	return r
}

func (c *Checker) store(e *entry, r Result) {
	e.mu.Lock()
	from := e.status
	e.last, e.have, e.status = r, true, r.Status
	e.mu.Unlock()
	if from != "" && from != r.Status {
		c.mu.RLock()
		hooks := append([]func(string, Status, Status){}, c.hooks...)
		c.mu.RUnlock()
		for _, h := range hooks {
			h(e.reg.Name, from, r.Status)
		}
	}
}

// Run runs every check concurrently (or uses its cached result) and
// combines them.
func (c *Checker) Run(ctx context.Context) Report {
	c.mu.RLock()
	entries := append([]*entry(nil), c.entries...)
	c.mu.RUnlock()
	results := make([]Result, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e.reg.Interval > 0 {
				e.mu.Lock()
				if e.have {
					results[i] = e.last
					e.mu.Unlock()
					return
				}
				e.mu.Unlock()
			}
			results[i] = c.result(ctx, e)
		}()
	}
	wg.Wait()
	rep := Report{Status: Up, Checks: map[string]Result{}}
	for i, e := range entries {
		rep.Checks[e.reg.Name] = results[i]
		switch {
		case results[i].Status == Down:
			rep.Status = Down
		case results[i].Status == Degraded && rep.Status == Up:
			rep.Status = Degraded
		}
	}
	return rep
}

// Start runs the checks that have an Interval in the background until ctx
// is done.
func (c *Checker) Start(ctx context.Context) {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return
	}
	c.started = true
	entries := append([]*entry(nil), c.entries...)
	c.mu.Unlock()
	for _, e := range entries {
		if e.reg.Interval <= 0 {
			continue
		}
		go func() {
			t := time.NewTicker(e.reg.Interval)
			defer t.Stop()
			for {
				c.store(e, c.execute(ctx, e))
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
}

// SetDraining makes readiness fail while on.
func (c *Checker) SetDraining(on bool) {
	c.mu.Lock()
	c.draining = on
	c.mu.Unlock()
}

// LiveHandler reports that the process is alive.
func (c *Checker) LiveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"up"}`))
	})
}

// ReadyHandler runs the checks and answers 200 unless one is down or the
// checker is draining.
func (c *Checker) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := c.Run(r.Context())
		c.mu.RLock()
		draining := c.draining
		c.mu.RUnlock()
		if draining {
			rep.Status = Down
		}
		w.Header().Set("Content-Type", "application/json")
		if rep.Status == Down {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(rep)
	})
}
