package health

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Run runs the checks whose cached result is missing or stale, concurrently,
// and returns the overall status with every check's result. It returns when
// every check has finished or reached its timeout.
func (c *Checker) Run(ctx context.Context) Report {
	checks := c.snapshot()
	rep := Report{Status: Up, Checks: make(map[string]Result, len(checks))}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, ch := range checks {
		wg.Go(func() {
			res := c.result(ctx, ch, false)
			mu.Lock()
			defer mu.Unlock()
			rep.Checks[ch.reg.Name] = res
		})
	}
	wg.Wait()
	for name, res := range rep.Checks {
		if res.Status == Up {
			continue
		}
		if c.critical(name) {
			rep.Status = Down
		} else if rep.Status == Up {
			rep.Status = Degraded
		}
	}
	return rep
}

// critical reports whether the named check is critical.
func (c *Checker) critical(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checks[name].reg.Critical
}

// result returns the check's cached result if it is fresh (unless force),
// else the result of its execution in progress, else that of a new one.
func (c *Checker) result(ctx context.Context, ch *check, force bool) Result {
	c.mu.Lock()
	if !force && ch.has && time.Since(ch.last.CheckedAt) < ch.reg.CacheTTL {
		res := ch.last
		c.mu.Unlock()
		return res
	}
	if f := ch.flight; f != nil {
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.res
		case <-ctx.Done():
			return Result{Status: Down, Error: ctx.Err().Error(), CheckedAt: time.Now()}
		}
	}
	f := &flight{done: make(chan struct{})}
	ch.flight = f
	c.mu.Unlock()
	res := execute(ctx, ch.reg)
	c.record(ch, f, res)
	return res
}

// execute runs one check under its timeout.
func execute(ctx context.Context, reg Registration) Result {
	ctx, cancel := context.WithTimeout(ctx, reg.Timeout)
	defer cancel()
	start := time.Now()
	errc := make(chan error, 1)
	go func() { errc <- call(ctx, reg.Check) }()
	err := <-errc // the check gets ctx: it will stop at the deadline
	end := time.Now()
	res := Result{Status: Up, Duration: end.Sub(start), CheckedAt: end}
	if err != nil {
		res.Status = Down
		res.Error = err.Error()
	}
	return res
}

// call runs fn, turning a panic into an error.
func call(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return fn(ctx)
}
