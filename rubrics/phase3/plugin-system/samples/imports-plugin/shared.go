package plug

import (
	"fmt"
	"plugin"
)

// OpenShared loads a plugin built with -buildmode=plugin from path. The
// shared object must export a symbol "New" of type func() Plugin.
func OpenShared(path string) (Plugin, error) {
	so, err := plugin.Open(path)
	if err != nil {
		return nil, fmt.Errorf("plug: open %s: %w", path, err)
	}
	sym, err := so.Lookup("New")
	if err != nil {
		return nil, fmt.Errorf("plug: %s: %w", path, err)
	}
	f, ok := sym.(func() Plugin)
	if !ok {
		return nil, fmt.Errorf("plug: %s: New is a %T, not a func() Plugin", path, sym)
	}
	return f(), nil
}

// RegisterShared registers the plugin in the shared object at path under
// its own name.
func (r *Registry) RegisterShared(path string) error {
	p, err := OpenShared(path)
	if err != nil {
		return err
	}
	return r.Register(p.Name(), func() Plugin {
		q, _ := OpenShared(path)
		return q
	})
}
