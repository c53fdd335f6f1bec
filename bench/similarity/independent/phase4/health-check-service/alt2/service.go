package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

type check struct {
	Registration
	lock     sync.Mutex
	cached   *Result
	inflight chan struct{} // closed when the running check finishes
}

// Checker aggregates health checks.
type Checker struct {
	lock      sync.Mutex
	checks    map[string]*check
	listeners []func(name string, from, to Status)
	statuses  map[string]Status
	draining  atomic.Bool
	startOnce sync.Once
}

// New makes a Checker.
func New() *Checker {
	return &Checker{checks: make(map[string]*check), statuses: make(map[string]Status)}
}

// Register validates and adds r.
func (c *Checker) Register(r Registration) error {
	switch {
	case r.Name == "", r.Check == nil, r.Timeout < 0, r.CacheTTL < 0, r.Interval < 0:
		return ErrInvalid
	}
	if r.Timeout == 0 {
		r.Timeout = DefaultTimeout
	}
	c.lock.Lock()
	defer c.lock.Unlock()
	if _, exists := c.checks[r.Name]; exists {
		return ErrDuplicate
	}
	c.checks[r.Name] = &check{Registration: r}
	return nil
}

// OnChange adds a status change listener.
func (c *Checker) OnChange(fn func(name string, from, to Status)) {
	c.lock.Lock()
	defer c.lock.Unlock()
	c.listeners = append(c.listeners, fn)
}

func (c *Checker) record(name string, st Status) {
	c.lock.Lock()
	prev, seen := c.statuses[name]
	c.statuses[name] = st
	fns := c.listeners
	c.lock.Unlock()
	if seen && prev != st {
		for _, fn := range fns {
			fn(name, prev, st)
		}
	}
}

func failureStatus(critical bool) Status {
	if critical {
		return Down
	}
	return Degraded
}

func (ck *check) run(ctx context.Context) Result {
	began := time.Now()
	cctx, cancel := context.WithTimeout(ctx, ck.Timeout)
	defer cancel()
	out := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				out <- errors.New("check panicked")
			}
		}()
		out <- ck.Check(cctx)
	}()
	r := Result{Status: Up}
	select {
	case err := <-out:
		if err != nil {
			r.Status, r.Error = failureStatus(ck.Critical), err.Error()
		}
	case <-cctx.Done():
		r.Status, r.Error = failureStatus(ck.Critical), "timeout: "+cctx.Err().Error()
	}
	r.Duration = time.Since(began)
	r.CheckedAt = time.Now()
	return r
}

// get returns a fresh enough cached result or runs the check, sharing one
// run between concurrent callers.
func (c *Checker) get(ctx context.Context, ck *check) Result {
	for {
		ck.lock.Lock()
		fresh := ck.cached != nil && (ck.Interval > 0 || (ck.CacheTTL > 0 && time.Since(ck.cached.CheckedAt) < ck.CacheTTL))
		if fresh {
			r := *ck.cached
			ck.lock.Unlock()
			return r
		}
		if ck.inflight != nil {
			wait := ck.inflight
			ck.lock.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return Result{Status: failureStatus(ck.Critical), Error: ctx.Err().Error(), CheckedAt: time.Now()}
			}
		}
		ck.inflight = make(chan struct{})
		ck.lock.Unlock()
		r := ck.run(ctx)
		ck.lock.Lock()
		ck.cached = &r
		close(ck.inflight)
		ck.inflight = nil
		ck.lock.Unlock()
		c.record(ck.Name, r.Status)
		return r
	}
}

func (c *Checker) snapshot() []*check {
	c.lock.Lock()
	defer c.lock.Unlock()
	list := make([]*check, 0, len(c.checks))
	for _, ck := range c.checks {
		list = append(list, ck)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// Run evaluates all checks in parallel.
func (c *Checker) Run(ctx context.Context) Report {
	checks := c.snapshot()
	type named struct {
		name string
		res  Result
	}
	ch := make(chan named, len(checks))
	for _, ck := range checks {
		go func(ck *check) { ch <- named{ck.Name, c.get(ctx, ck)} }(ck)
	}
	rep := Report{Status: Up, Checks: make(map[string]Result, len(checks))}
	rank := map[Status]int{Up: 0, Degraded: 1, Down: 2}
	for range checks {
		n := <-ch
		rep.Checks[n.name] = n.res
		if rank[n.res.Status] > rank[rep.Status] {
			rep.Status = n.res.Status
		}
	}
	return rep
}

// Start launches the periodic checks.
func (c *Checker) Start(ctx context.Context) {
	c.startOnce.Do(func() {
		for _, ck := range c.snapshot() {
			if ck.Interval == 0 {
				continue
			}
			go c.loop(ctx, ck)
		}
	})
}

func (c *Checker) loop(ctx context.Context, ck *check) {
	for {
		r := ck.run(ctx)
		ck.lock.Lock()
		ck.cached = &r
		ck.lock.Unlock()
		c.record(ck.Name, r.Status)
		timer := time.NewTimer(ck.Interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

// SetDraining toggles draining mode.
func (c *Checker) SetDraining(on bool) { c.draining.Store(on) }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// LiveHandler always answers 200 while the process runs.
func (c *Checker) LiveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]Status{"status": Up})
	})
}

// ReadyHandler answers 503 when draining or when a critical check is down.
func (c *Checker) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.draining.Load() {
			writeJSON(w, http.StatusServiceUnavailable, Report{Status: Down, Checks: map[string]Result{}})
			return
		}
		rep := c.Run(r.Context())
		code := http.StatusOK
		if rep.Status == Down {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, rep)
	})
}
