package plug_test

// Hidden tests, group "Registry": Register errors (ErrDuplicate, empty name,
// nil factory), Load errors (ErrUnknownDependency, bad factories), a fresh
// instance per Load, Runtime.Lookup, and capability discovery with Find[T]
// (interfaces only, in start order).

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"strings"
	"testing"

	plug "example.com/plugin-system"
	"github.com/google/go-cmp/cmp"
)

func regCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type regPlain struct {
	name string
	deps []string
}

func (p *regPlain) Name() string        { return p.name }
func (p *regPlain) DependsOn() []string { return p.deps }

// regCloser also implements io.Closer and Stopper.
type regCloser struct{ regPlain }

func (p *regCloser) Close() error                   { return nil }
func (p *regCloser) Stop(ctx context.Context) error { return nil }

func regRegister(t *testing.T, r *plug.Registry, ps ...plug.Plugin) {
	t.Helper()
	for _, p := range ps {
		if err := r.Register(p.Name(), func() plug.Plugin { return p }); err != nil {
			t.Fatalf("Register(%q) = %v; want nil", p.Name(), err)
		}
	}
}

func regNames[T any](vs []T) []string {
	var out []string
	for _, v := range vs {
		if p, ok := any(v).(plug.Plugin); ok {
			out = append(out, p.Name())
		} else {
			out = append(out, "?")
		}
	}
	return out
}

// regFindRuntime: start order c1, c2, p3, c4, p5 (each depends on the one
// before, and names in order), closers registered out of order.
func regFindRuntime(t *testing.T) *plug.Runtime {
	t.Helper()
	r := plug.NewRegistry()
	regRegister(t, r,
		&regCloser{regPlain{"c4", []string{"b3"}}},
		&regPlain{"e5", []string{"c4"}},
		&regCloser{regPlain{"a1", nil}},
		&regPlain{"b3", []string{"a2"}},
		&regCloser{regPlain{"a2", []string{"a1"}}},
	)
	rt, err := r.Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	return rt
}

func TestHiddenRegistry_FindInterface(t *testing.T) {
	defer regCatch(t)
	rt := regFindRuntime(t)
	got := regNames(plug.Find[io.Closer](rt))
	if d := cmp.Diff([]string{"a1", "a2", "c4"}, got); d != "" {
		t.Errorf("Find[io.Closer] = %q; want the plugins with Close in start order (-want +got):\n%s", got, d)
	}
	got = regNames(plug.Find[plug.Plugin](rt))
	if d := cmp.Diff([]string{"a1", "a2", "b3", "c4", "e5"}, got); d != "" {
		t.Errorf("Find[plug.Plugin] = %q; want every plugin in start order (-want +got):\n%s", got, d)
	}
	got = regNames(plug.Find[plug.Stopper](rt))
	if d := cmp.Diff([]string{"a1", "a2", "c4"}, got); d != "" {
		t.Errorf("Find[plug.Stopper] = %q (-want +got):\n%s", got, d)
	}
	if got := plug.Find[plug.Initializer](rt); len(got) != 0 {
		t.Errorf("Find[plug.Initializer] = %v; want none (no plugin has Init)", got)
	}
}

func TestHiddenRegistry_FindNonInterface(t *testing.T) {
	defer regCatch(t)
	rt := regFindRuntime(t)
	if got := plug.Find[*regCloser](rt); len(got) != 0 {
		t.Errorf("Find[*regCloser] = %d plugins; want none: T is not an interface type", len(got))
	}
	if got := plug.Find[*regPlain](rt); len(got) != 0 {
		t.Errorf("Find[*regPlain] = %d plugins; want none: T is not an interface type", len(got))
	}
	if got := plug.Find[regPlain](rt); len(got) != 0 {
		t.Errorf("Find[regPlain] = %d plugins; want none", len(got))
	}
	if got := plug.Find[int](rt); len(got) != 0 {
		t.Errorf("Find[int] = %d values; want none", len(got))
	}
}

func TestHiddenRegistry_Duplicate(t *testing.T) {
	defer regCatch(t)
	r := plug.NewRegistry()
	first := &regPlain{name: "db"}
	regRegister(t, r, first)
	err := r.Register("db", func() plug.Plugin { return &regPlain{name: "db"} })
	if !errors.Is(err, plug.ErrDuplicate) {
		t.Fatalf("second Register(\"db\") = %v; want an error wrapping ErrDuplicate", err)
	}
	rt, err := r.Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	if p, ok := rt.Lookup("db"); !ok || p != plug.Plugin(first) {
		t.Errorf("Lookup(\"db\") = %v, %v; want the plugin of the first registration", p, ok)
	}
}

func TestHiddenRegistry_BadRegister(t *testing.T) {
	defer regCatch(t)
	r := plug.NewRegistry()
	if err := r.Register("", func() plug.Plugin { return &regPlain{} }); err == nil {
		t.Errorf("Register(\"\", f) = nil; want an error")
	}
	if err := r.Register("x", nil); err == nil {
		t.Errorf("Register(\"x\", nil) = nil; want an error")
	}
	// Neither was registered.
	if err := r.Register("x", func() plug.Plugin { return &regPlain{name: "x"} }); err != nil {
		t.Errorf("Register(\"x\", f) after a refused Register(\"x\", nil) = %v; want nil", err)
	}
}

func TestHiddenRegistry_UnknownDependency(t *testing.T) {
	defer regCatch(t)
	r := plug.NewRegistry()
	regRegister(t, r, &regPlain{"api", []string{"db", "cache"}}, &regPlain{"db", nil})
	rt, err := r.Load(context.Background(), nil)
	if rt != nil || !errors.Is(err, plug.ErrUnknownDependency) {
		t.Fatalf("Load = %v, %v; want nil and an error wrapping ErrUnknownDependency", rt, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "api") || !strings.Contains(msg, "cache") {
		t.Errorf("Load error %q does not name the plugin \"api\" and its missing dependency \"cache\"", msg)
	}
}

func TestHiddenRegistry_FreshInstances(t *testing.T) {
	defer regCatch(t)
	r := plug.NewRegistry()
	calls := 0
	if err := r.Register("w", func() plug.Plugin { calls++; return &regPlain{name: "w"} }); err != nil {
		t.Fatalf("Register = %v", err)
	}
	if calls != 0 {
		t.Errorf("Register called the factory %d times; want 0 (Load calls it)", calls)
	}
	rt1, err1 := r.Load(context.Background(), nil)
	rt2, err2 := r.Load(context.Background(), nil)
	if err1 != nil || err2 != nil {
		t.Fatalf("Load = %v, %v; want nil", err1, err2)
	}
	if calls != 2 {
		t.Errorf("two Loads called the factory %d times; want 2 (once per plugin per Load)", calls)
	}
	p1, _ := rt1.Lookup("w")
	p2, _ := rt2.Lookup("w")
	if p1 == nil || p1 == p2 {
		t.Errorf("the two runtimes' plugins %p and %p; want two distinct instances", p1, p2)
	}
	if p, ok := rt1.Lookup("nope"); ok || p != nil {
		t.Errorf("Lookup(\"nope\") = %v, %v; want nil, false", p, ok)
	}
}

func TestHiddenRegistry_BadFactory(t *testing.T) {
	defer regCatch(t)
	r := plug.NewRegistry()
	regRegister(t, r, &regPlain{name: "ok"})
	if err := r.Register("nil", func() plug.Plugin { return nil }); err != nil {
		t.Fatalf("Register = %v", err)
	}
	if rt, err := r.Load(context.Background(), nil); err == nil || rt != nil {
		t.Errorf("Load with a factory returning nil = %v, %v; want nil and an error", rt, err)
	}
	r = plug.NewRegistry()
	if err := r.Register("alias", func() plug.Plugin { return &regPlain{name: "real"} }); err != nil {
		t.Fatalf("Register = %v", err)
	}
	rt, err := r.Load(context.Background(), nil)
	if err == nil || rt != nil {
		t.Fatalf("Load of a plugin registered as \"alias\" whose Name() is \"real\" = %v, %v; want nil and an error", rt, err)
	}
	if !strings.Contains(err.Error(), "alias") {
		t.Errorf("Load error %q does not name the registered name \"alias\"", err)
	}
}
