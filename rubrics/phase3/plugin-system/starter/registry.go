package plug

import "context"

// Registry holds the factories of the known plugins. It must be safe for
// concurrent use.
type Registry struct {
	// TODO: your fields.
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	panic("not implemented")
}

// Register adds a plugin factory under name. It fails with an error
// wrapping ErrDuplicate if name is already registered, and with another
// error for an empty name or a nil factory.
func (r *Registry) Register(name string, f Factory) error {
	panic("not implemented")
}

// Load creates one instance of every registered plugin, injects cfg[name]
// into each plugin that is a pointer to a struct, orders the plugins by
// their dependencies (at each step the smallest name among those whose
// dependencies are all placed) and calls Init on the Initializers in that
// order. See the README for the errors.
func (r *Registry) Load(ctx context.Context, cfg map[string]map[string]any) (*Runtime, error) {
	panic("not implemented")
}

// Runtime is a loaded set of plugins. Lookup and Find must be safe for
// concurrent use, also while Start or Stop run.
type Runtime struct {
	// TODO: your fields.
}

// Start starts the plugins in order. When a Start hook fails, or ctx is done
// before a plugin is started, it stops the plugins already started in
// reverse order and returns the cause joined with their Stop errors.
func (rt *Runtime) Start(ctx context.Context) error {
	panic("not implemented")
}

// Stop stops the started plugins in reverse order, all of them even when
// some fail, and returns their errors joined.
func (rt *Runtime) Stop(ctx context.Context) error {
	panic("not implemented")
}

// Lookup returns the plugin loaded under name.
func (rt *Runtime) Lookup(name string) (Plugin, bool) {
	panic("not implemented")
}

// Find returns the plugins that implement the interface T, in start order.
// It returns nil when T is not an interface type.
func Find[T any](rt *Runtime) []T {
	panic("not implemented")
}
