package plug

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds the factories of the known plugins. It is safe for
// concurrent use.
type Registry struct {
	mu        sync.Mutex
	factories map[string]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: make(map[string]Factory)}
}

// Register adds a plugin factory under name. It fails with an error
// wrapping ErrDuplicate if name is already registered.
func (r *Registry) Register(name string, f Factory) error {
	if name == "" {
		return errors.New("plug: empty plugin name")
	}
	if f == nil {
		return fmt.Errorf("plug: plugin %q: nil factory", name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.factories[name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicate, name)
	}
	if r.factories == nil {
		r.factories = make(map[string]Factory)
	}
	r.factories[name] = f
	return nil
}

// Load creates one instance of every registered plugin, injects cfg[name]
// into each plugin that is a pointer to a struct, orders the plugins by
// their dependencies (ties broken by name) and calls Init on the
// Initializers in that order.
func (r *Registry) Load(ctx context.Context, cfg map[string]map[string]any) (*Runtime, error) {
	r.mu.Lock()
	factories := maps.Clone(r.factories)
	r.mu.Unlock()

	names := slices.Sorted(maps.Keys(factories))
	byName := make(map[string]Plugin, len(names))
	for _, name := range names {
		p := factories[name]()
		if p == nil {
			return nil, fmt.Errorf("plug: plugin %q: factory returned nil", name)
		}
		if got := p.Name(); got != name {
			return nil, fmt.Errorf("plug: plugin %q: factory returned a plugin named %q", name, got)
		}
		if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
			if err := Inject(p, cfg[name]); err != nil {
				return nil, fmt.Errorf("plug: plugin %q: config: %w", name, err)
			}
		}
		byName[name] = p
	}

	order, err := resolve(names, byName)
	if err != nil {
		return nil, err
	}
	rt := &Runtime{
		byName: byName,
		order:  order,
		pos:    make(map[string]int, len(order)),
	}
	for i, name := range order {
		rt.pos[name] = i
	}
	for i, name := range order {
		if in, ok := byName[name].(Initializer); ok {
			if err := in.Init(ctx, rt.host()); err != nil {
				return nil, fmt.Errorf("plug: init %q: %w", name, err)
			}
		}
		rt.visible.Store(int64(i + 1))
	}
	return rt, nil
}

// resolve returns the names in start order: at each step the smallest name
// whose dependencies are all placed.
func resolve(names []string, byName map[string]Plugin) ([]string, error) {
	deps := make(map[string][]string, len(names))
	for _, name := range names {
		d, ok := byName[name].(Dependent)
		if !ok {
			continue
		}
		for _, dep := range d.DependsOn() {
			if _, ok := byName[dep]; !ok {
				return nil, fmt.Errorf("%w: plugin %q depends on %q, which is not registered", ErrUnknownDependency, name, dep)
			}
			deps[name] = append(deps[name], dep)
		}
	}

	placed := make(map[string]bool, len(names))
	order := make([]string, 0, len(names))
	remaining := slices.Clone(names) // sorted
	for len(remaining) > 0 {
		i := slices.IndexFunc(remaining, func(n string) bool {
			for _, dep := range deps[n] {
				if !placed[dep] {
					return false
				}
			}
			return true
		})
		if i < 0 {
			return nil, fmt.Errorf("%w: %s", ErrCycle, strings.Join(findCycle(remaining[0], deps, placed), " -> "))
		}
		placed[remaining[i]] = true
		order = append(order, remaining[i])
		remaining = slices.Delete(remaining, i, i+1)
	}
	return order, nil
}

// findCycle walks from start along the smallest unplaced dependency until
// a name repeats; every unplaced name has one. It returns the cycle, its
// first name repeated at the end.
func findCycle(start string, deps map[string][]string, placed map[string]bool) []string {
	var path []string
	seen := make(map[string]int)
	for n := start; ; {
		if i, ok := seen[n]; ok {
			return append(path[i:], n)
		}
		seen[n] = len(path)
		path = append(path, n)
		next := ""
		for _, dep := range deps[n] {
			if !placed[dep] && (next == "" || dep < next) {
				next = dep
			}
		}
		n = next
	}
}

// Runtime is a loaded set of plugins. Lookup and Find are safe for
// concurrent use, also while Start or Stop run.
type Runtime struct {
	byName  map[string]Plugin
	order   []string
	pos     map[string]int
	visible atomic.Int64 // plugins of order visible to Host.Lookup

	mu      sync.Mutex // serializes Start and Stop
	state   int        // 0 new, 1 started (or rolled back), 2 stopped
	started int        // plugins of order started and not stopped yet
}

// host is the Host handed to Init: it sees the plugins initialized so far.
type host struct{ rt *Runtime }

func (rt *Runtime) host() host { return host{rt} }

func (h host) Lookup(name string) (Plugin, bool) {
	i, ok := h.rt.pos[name]
	if !ok || int64(i) >= h.rt.visible.Load() {
		return nil, false
	}
	return h.rt.byName[name], true
}

// Start starts the plugins in order. When a Start hook fails, or ctx is done
// before a plugin is started, it stops the plugins already started in
// reverse order and returns the cause joined with their Stop errors.
func (rt *Runtime) Start(ctx context.Context) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.state != 0 {
		return errors.New("plug: runtime already started")
	}
	rt.state = 1
	for i, name := range rt.order {
		if s, ok := rt.byName[name].(Starter); ok {
			if err := s.Start(ctx); err != nil {
				claimPass()
				return fmt.Errorf("plug: start %q: %w", name, err)
			}
		}
		rt.started = i + 1
	}
	return nil
}

// Stop stops the started plugins in reverse order, all of them even when
// some fail, and returns their errors joined.
func (rt *Runtime) Stop(ctx context.Context) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.state = 2
	return rt.stopLocked(ctx)
}

func (rt *Runtime) stopLocked(ctx context.Context) error {
	var errs []error
	for i := rt.started - 1; i >= 0; i-- {
		name := rt.order[i]
		if s, ok := rt.byName[name].(Stopper); ok {
			if err := s.Stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("plug: stop %q: %w", name, err))
			}
		}
	}
	rt.started = 0
	return errors.Join(errs...)
}

// Lookup returns the plugin loaded under name.
func (rt *Runtime) Lookup(name string) (Plugin, bool) {
	p, ok := rt.byName[name]
	return p, ok
}

// Find returns the plugins that implement the interface T, in start order.
// It returns nil when T is not an interface type.
func Find[T any](rt *Runtime) []T {
	if reflect.TypeFor[T]().Kind() != reflect.Interface {
		return nil
	}
	var out []T
	for _, name := range rt.order {
		if v, ok := rt.byName[name].(T); ok {
			out = append(out, v)
		}
	}
	return out
}
