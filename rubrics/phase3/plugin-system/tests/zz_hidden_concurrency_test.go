package plug_test

// Hidden tests, group "Concurrency", also run under the race detector (the
// race criterion): concurrent Register; a plugin that keeps its Host and
// calls Lookup from its own goroutine while Load goes on; Runtime.Lookup and
// Find while Start and Stop run; several Loads of one registry at once.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	plug "example.com/plugin-system"
	"go.uber.org/goleak"
)

func ccCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

// ccWait waits for ch to be closed, failing the test after 10 s.
func ccWait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not finish within 10 s", what)
	}
}

type ccPlugin struct {
	name          string
	deps          []string
	inits, starts atomic.Int32
	stops         atomic.Int32
	onInit        func(h plug.Host)
	onStart       func()
}

func (p *ccPlugin) Name() string        { return p.name }
func (p *ccPlugin) DependsOn() []string { return p.deps }
func (p *ccPlugin) Init(ctx context.Context, h plug.Host) error {
	p.inits.Add(1)
	if p.onInit != nil {
		p.onInit(h)
	}
	return nil
}
func (p *ccPlugin) Start(ctx context.Context) error {
	p.starts.Add(1)
	if p.onStart != nil {
		p.onStart()
	}
	return nil
}
func (p *ccPlugin) Stop(ctx context.Context) error {
	p.stops.Add(1)
	return nil
}

func TestHiddenConcurrency_Register(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer ccCatch(t)
	r := plug.NewRegistry()
	const workers, names = 8, 40
	var ok, dup, other atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range names {
				name := fmt.Sprintf("p%02d", (i+w*5)%names)
				err := r.Register(name, func() plug.Plugin { return &ccPlugin{name: name} })
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, plug.ErrDuplicate):
					dup.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if ok.Load() != names || dup.Load() != workers*names-names || other.Load() != 0 {
		t.Fatalf("%d goroutines registering the same %d names: %d nil, %d ErrDuplicate, %d other errors; want %d, %d, 0",
			workers, names, ok.Load(), dup.Load(), other.Load(), names, workers*names-names)
	}
	rt, err := r.Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	for i := range names {
		if _, found := rt.Lookup(fmt.Sprintf("p%02d", i)); !found {
			t.Errorf("Lookup(%q) = false after concurrent Register", fmt.Sprintf("p%02d", i))
		}
	}
}

// "a00", first in start order, starts a goroutine in its Init that keeps
// calling Lookup on its Host while Load initializes a chain "c00" <- "c01"
// <- ... of n plugins; once Load has returned the Host sees them all, and
// the goroutine ends when it has seen every one.
func TestHiddenConcurrency_HostDuringLoad(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer ccCatch(t)
	const n = 30
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("c%02d", i)
	}
	stop := make(chan struct{})
	defer close(stop) // ends the watcher early if the test fails
	done := make(chan struct{})
	var seenMu sync.Mutex
	seen := map[string]plug.Plugin{} // first instance the watcher saw per name
	var problems []string
	watcher := &ccPlugin{name: "a00", onInit: func(h plug.Host) {
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, name := range names {
					p, ok := h.Lookup(name)
					seenMu.Lock()
					prev, had := seen[name]
					switch {
					case had && !ok:
						problems = append(problems, fmt.Sprintf("Host.Lookup(%q) found the plugin, then later did not", name))
					case ok && !had:
						seen[name] = p
					case ok && p != prev:
						problems = append(problems, fmt.Sprintf("Host.Lookup(%q) returned two different instances", name))
					}
					seenMu.Unlock()
				}
				seenMu.Lock()
				all := len(seen) == n
				seenMu.Unlock()
				if all {
					return
				}
				runtime.Gosched()
			}
		}()
	}}
	r := plug.NewRegistry()
	if err := r.Register("a00", func() plug.Plugin { return watcher }); err != nil {
		t.Fatalf("Register = %v", err)
	}
	for i, name := range names {
		var deps []string
		if i > 0 {
			deps = []string{names[i-1]}
		}
		if err := r.Register(name, func() plug.Plugin { return &ccPlugin{name: name, deps: deps} }); err != nil {
			t.Fatalf("Register = %v", err)
		}
	}
	rt, err := r.Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	// After Load, the watcher's Host sees every plugin: the goroutine ends
	// once it has seen them all.
	ccWait(t, done, "the watcher goroutine (it stops once Host.Lookup has found every plugin)")
	seenMu.Lock()
	defer seenMu.Unlock()
	for _, p := range problems[:min(len(problems), 5)] {
		t.Error(p)
	}
	for _, name := range names {
		if q, _ := rt.Lookup(name); q == nil || q != seen[name] {
			t.Errorf("Host.Lookup(%q) gave %p; want the runtime's instance %p", name, seen[name], q)
		}
	}
}

func TestHiddenConcurrency_LookupDuringStart(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer ccCatch(t)
	const n = 20
	r := plug.NewRegistry()
	var hosts sync.Map
	for i := range n {
		name := fmt.Sprintf("s%02d", i)
		if err := r.Register(name, func() plug.Plugin {
			p := &ccPlugin{name: name}
			p.onInit = func(h plug.Host) { hosts.Store(name, h) }
			p.onStart = runtime.Gosched
			return p
		}); err != nil {
			t.Fatalf("Register = %v", err)
		}
	}
	rt, err := r.Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	h, _ := hosts.Load("s00")
	host, _ := h.(plug.Host)
	if host == nil {
		t.Fatalf("Init of s00 did not get a Host")
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Int32
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := range n {
					name := fmt.Sprintf("s%02d", i)
					p1, ok1 := rt.Lookup(name)
					p2, ok2 := host.Lookup(name)
					if !ok1 || !ok2 || p1 != p2 {
						bad.Add(1)
					}
				}
				if len(plug.Find[plug.Starter](rt)) != n {
					bad.Add(1)
				}
				runtime.Gosched()
			}
		})
	}
	errStart := rt.Start(context.Background())
	errStop := rt.Stop(context.Background())
	close(stop)
	wg.Wait()
	if errStart != nil || errStop != nil {
		t.Fatalf("Start, Stop = %v, %v; want nil, nil", errStart, errStop)
	}
	if bad.Load() != 0 {
		t.Errorf("%d times Runtime.Lookup, Host.Lookup or Find gave a wrong answer while Start or Stop ran; want every plugin found, the same instance through both, and Find[Starter] of length %d", bad.Load(), n)
	}
	for i := range n {
		p, _ := rt.Lookup(fmt.Sprintf("s%02d", i))
		cp := p.(*ccPlugin)
		if cp.starts.Load() != 1 || cp.stops.Load() != 1 {
			t.Errorf("plugin %s: started %d and stopped %d times; want 1 and 1", cp.name, cp.starts.Load(), cp.stops.Load())
		}
	}
}

func TestHiddenConcurrency_ParallelLoads(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer ccCatch(t)
	r := plug.NewRegistry()
	var made sync.Map
	var count atomic.Int32
	for i := range 10 {
		name := fmt.Sprintf("q%d", i)
		var deps []string
		if i > 0 {
			deps = []string{fmt.Sprintf("q%d", i-1)}
		}
		if err := r.Register(name, func() plug.Plugin {
			p := &ccPlugin{name: name, deps: deps}
			made.Store(p, true)
			count.Add(1)
			return p
		}); err != nil {
			t.Fatalf("Register = %v", err)
		}
	}
	const loads = 4
	errs := make([]error, loads)
	var wg sync.WaitGroup
	for k := range loads {
		wg.Go(func() {
			rt, err := r.Load(context.Background(), nil)
			if err != nil {
				errs[k] = err
				return
			}
			errs[k] = errors.Join(rt.Start(context.Background()), rt.Stop(context.Background()))
		})
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: Load, Start, Stop = %v; want nil", k, err)
		}
	}
	if count.Load() != 10*loads {
		t.Errorf("%d concurrent Loads of 10 plugins called the factories %d times; want %d", loads, count.Load(), 10*loads)
	}
	made.Range(func(k, _ any) bool {
		p := k.(*ccPlugin)
		if p.inits.Load() != 1 || p.starts.Load() != 1 || p.stops.Load() != 1 {
			t.Errorf("an instance of %s: Init %d, Start %d, Stop %d times; want each once", p.name, p.inits.Load(), p.starts.Load(), p.stops.Load())
		}
		return true
	})
}
