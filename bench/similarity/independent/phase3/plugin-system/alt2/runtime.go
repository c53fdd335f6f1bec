package plug

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
)

// Registry keeps the factories of the known plugins.
type Registry struct {
	lock  sync.RWMutex
	names []string
	make  map[string]Factory
}

// NewRegistry creates a Registry.
func NewRegistry() *Registry {
	return &Registry{make: make(map[string]Factory)}
}

// Register records factory f for name.
func (r *Registry) Register(name string, f Factory) error {
	r.lock.Lock()
	defer r.lock.Unlock()
	if r.make[name] != nil {
		return ErrDuplicate
	}
	r.make[name] = f
	r.names = append(r.names, name)
	return nil
}

// Runtime owns the instantiated plugins.
type Runtime struct {
	byName  map[string]Plugin
	sorted  []Plugin
	running []Stopper
	mu      sync.Mutex
}

// Lookup implements Host.
func (rt *Runtime) Lookup(name string) (Plugin, bool) {
	p, ok := rt.byName[name]
	return p, ok
}

// Load instantiates, configures, orders (Kahn's algorithm) and initialises
// every registered plugin.
func (r *Registry) Load(ctx context.Context, cfg map[string]map[string]any) (*Runtime, error) {
	r.lock.RLock()
	names := slices.Clone(r.names)
	factories := make(map[string]Factory, len(names))
	for _, n := range names {
		factories[n] = r.make[n]
	}
	r.lock.RUnlock()
	slices.Sort(names)

	rt := &Runtime{byName: make(map[string]Plugin)}
	indegree := map[string]int{}
	users := map[string][]string{}
	for _, n := range names {
		p := factories[n]()
		if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			if err := Inject(p, cfg[n]); err != nil {
				return nil, fmt.Errorf("plugin %s: %w", n, err)
			}
		}
		rt.byName[n] = p
		indegree[n] = 0
	}
	for _, n := range names {
		dep, ok := rt.byName[n].(Dependent)
		if !ok {
			continue
		}
		for _, d := range dep.DependsOn() {
			if _, exists := rt.byName[d]; !exists {
				return nil, fmt.Errorf("plugin %s depends on %s: %w", n, d, ErrUnknownDependency)
			}
			indegree[n]++
			users[d] = append(users[d], n)
		}
	}
	var queue []string
	for _, n := range names {
		if indegree[n] == 0 {
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		rt.sorted = append(rt.sorted, rt.byName[n])
		next := users[n]
		slices.Sort(next)
		for _, u := range next {
			indegree[u]--
			if indegree[u] == 0 {
				queue = append(queue, u)
			}
		}
	}
	if len(rt.sorted) != len(names) {
		return nil, ErrCycle
	}
	var ready []Plugin
	for _, p := range rt.sorted {
		if in, ok := p.(Initializer); ok {
			if err := in.Init(ctx, rt); err != nil {
				for i := len(ready) - 1; i >= 0; i-- {
					if st, ok := ready[i].(Stopper); ok {
						_ = st.Stop(ctx)
					}
				}
				return nil, fmt.Errorf("init of %s failed: %w", p.Name(), err)
			}
		}
		ready = append(ready, p)
	}
	return rt, nil
}

// Start runs Start on each plugin in order.
func (rt *Runtime) Start(ctx context.Context) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, p := range rt.sorted {
		if s, ok := p.(Starter); ok {
			if err := s.Start(ctx); err != nil {
				rt.shutdown(ctx)
				return err
			}
		}
		if st, ok := p.(Stopper); ok {
			rt.running = append(rt.running, st)
		}
	}
	return nil
}

func (rt *Runtime) shutdown(ctx context.Context) error {
	var all error
	for len(rt.running) > 0 {
		last := rt.running[len(rt.running)-1]
		rt.running = rt.running[:len(rt.running)-1]
		all = errors.Join(all, last.Stop(ctx))
	}
	return all
}

// Stop stops the started plugins, last started first.
func (rt *Runtime) Stop(ctx context.Context) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.shutdown(ctx)
}

// Find lists the plugins implementing T.
func Find[T any](rt *Runtime) []T {
	result := []T{}
	for _, p := range rt.sorted {
		if x, ok := any(p).(T); ok {
			result = append(result, x)
		}
	}
	return result
}
