// Package plug is a compile-time plugin framework. Plugins register
// factories under unique names in a Registry, declare their dependencies,
// and opt into lifecycle hooks by implementing small optional interfaces.
// Registry.Load builds a Runtime: it creates every plugin, injects its
// configuration into tagged struct fields, orders the plugins by their
// dependencies and initializes them. Runtime.Start starts them in that order
// and rolls back on failure; Runtime.Stop stops them in reverse order.
package plug

import (
	"context"
	"errors"
)

// Plugin is implemented by every plugin.
type Plugin interface{ Name() string }

// Initializer is implemented by plugins that want to be initialized by Load.
type Initializer interface {
	Init(ctx context.Context, h Host) error
}

// Starter is implemented by plugins that want to be started by Start.
type Starter interface {
	Start(ctx context.Context) error
}

// Stopper is implemented by plugins that want to be stopped by Stop.
type Stopper interface {
	Stop(ctx context.Context) error
}

// Dependent is implemented by plugins that depend on other plugins.
type Dependent interface{ DependsOn() []string }

// Host lets a plugin find the plugins initialized before it.
type Host interface {
	Lookup(name string) (Plugin, bool)
}

// Factory creates a new instance of a plugin.
type Factory func() Plugin

// Errors wrapped by the errors of Register and Load.
var (
	ErrDuplicate         = errors.New("plug: duplicate plugin name")
	ErrUnknownDependency = errors.New("plug: unknown dependency")
	ErrCycle             = errors.New("plug: dependency cycle")
)
