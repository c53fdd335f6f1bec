package plug

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Registry maps plugin names to factories.
type Registry struct {
	mu        sync.Mutex
	factories map[string]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register adds a factory under name.
func (r *Registry) Register(name string, f Factory) error {
	if name == "" || f == nil {
		return errors.New("plug: empty name or nil factory")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[name]; dup {
		return fmt.Errorf("%w: %q", ErrDuplicate, name)
	}
	r.factories[name] = f
	return nil
}

// Runtime is a set of loaded plugins in dependency order.
type Runtime struct {
	order   []string
	plugins map[string]Plugin
	mu      sync.Mutex
	started []string
}

// Lookup finds a loaded plugin.
func (rt *Runtime) Lookup(name string) (Plugin, bool) {
	p, ok := rt.plugins[name]
	return p, ok
}

// Load creates every registered plugin, injects its configuration, sorts
// them by dependency and initialises them in that order.
func (r *Registry) Load(ctx context.Context, cfg map[string]map[string]any) (*Runtime, error) {
	r.mu.Lock()
	names := make([]string, 0, len(r.factories))
	for n := range r.factories {
		names = append(names, n)
	}
	factories := r.factories
	r.mu.Unlock()
	sort.Strings(names)

	rt := &Runtime{plugins: map[string]Plugin{}}
	for _, n := range names {
		p := factories[n]()
		if isStructPointer(p) {
			if err := Inject(p, cfg[n]); err != nil {
				return nil, fmt.Errorf("plug: configuring %s: %w", n, err)
			}
		}
		rt.plugins[n] = p
	}
	order, err := topoSort(names, rt.plugins)
	if err != nil {
		return nil, err
	}
	rt.order = order
	for i, n := range order {
		init, ok := rt.plugins[n].(Initializer)
		if !ok {
			continue
		}
		if err := init.Init(ctx, rt); err != nil {
			// undo what was initialised so far, in reverse
			for j := i - 1; j >= 0; j-- {
				if s, ok := rt.plugins[order[j]].(Stopper); ok {
					s.Stop(ctx)
				}
			}
			return nil, fmt.Errorf("plug: init %s: %w", n, err)
		}
	}
	return rt, nil
}

// topoSort orders names so that dependencies come first (depth-first,
// alphabetical among equals).
func topoSort(names []string, plugins map[string]Plugin) ([]string, error) {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var order []string
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		switch state[n] {
		case visiting:
			return fmt.Errorf("%w: %v", ErrCycle, append(path, n))
		case done:
			return nil
		}
		state[n] = visiting
		if d, ok := plugins[n].(Dependent); ok {
			deps := append([]string(nil), d.DependsOn()...)
			sort.Strings(deps)
			for _, dep := range deps {
				if _, known := plugins[dep]; !known {
					return fmt.Errorf("%w: %s needs %s", ErrUnknownDependency, n, dep)
				}
				if err := visit(dep, append(path, n)); err != nil {
					return err
				}
			}
		}
		state[n] = done
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// Start starts the plugins in dependency order; on failure it stops the
// ones already started.
func (rt *Runtime) Start(ctx context.Context) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, n := range rt.order {
		s, ok := rt.plugins[n].(Starter)
		if !ok {
			continue
		}
		if err := s.Start(ctx); err != nil {
			rt.stopLocked(ctx)
			return fmt.Errorf("plug: start %s: %w", n, err)
		}
		rt.started = append(rt.started, n)
	}
	return nil
}

// Stop stops the started plugins in reverse order and joins their errors.
func (rt *Runtime) Stop(ctx context.Context) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.stopLocked(ctx)
}

func (rt *Runtime) stopLocked(ctx context.Context) error {
	var errs []error
	for i := len(rt.started) - 1; i >= 0; i-- {
		if s, ok := rt.plugins[rt.started[i]].(Stopper); ok {
			if err := s.Stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", rt.started[i], err))
			}
		}
	}
	rt.started = nil
	return errors.Join(errs...)
}

// Find returns the loaded plugins that implement T, in dependency order.
func Find[T any](rt *Runtime) []T {
	var out []T
	for _, n := range rt.order {
		if t, ok := rt.plugins[n].(T); ok {
			out = append(out, t)
		}
	}
	return out
}
