package plug_test

// Hidden tests, group "Hooks": optional interfaces. Each plugin gets only the
// hooks it implements (Initializer, Starter, Stopper, Dependent), the Host
// given to Init sees exactly the plugins initialized before, and the
// contexts of Load, Start and Stop reach the hooks.

import (
	"context"
	"runtime/debug"
	"slices"
	"sync"
	"testing"

	plug "example.com/plugin-system"
	"github.com/google/go-cmp/cmp"
)

func hkCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type hkLog struct {
	mu sync.Mutex
	ev []string
}

func (l *hkLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ev = append(l.ev, s)
}

// take returns the events so far and forgets them.
func (l *hkLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.ev
	l.ev = nil
	return ev
}

type hkKey struct{}

// hkPlain implements Plugin only.
type hkPlain struct{ name string }

func (p *hkPlain) Name() string { return p.name }

type hkInit struct {
	hkPlain
	log *hkLog
}

func (p *hkInit) Init(ctx context.Context, h plug.Host) error {
	p.log.add("init:" + p.name)
	return nil
}

type hkStart struct {
	hkPlain
	log *hkLog
}

func (p *hkStart) Start(ctx context.Context) error {
	p.log.add("start:" + p.name)
	return nil
}

type hkStop struct {
	hkPlain
	log *hkLog
}

func (p *hkStop) Stop(ctx context.Context) error {
	p.log.add("stop:" + p.name)
	return nil
}

// hkAll implements every hook and records the context value it gets.
type hkAll struct {
	hkPlain
	log  *hkLog
	deps []string
}

func (p *hkAll) DependsOn() []string { return p.deps }

func (p *hkAll) Init(ctx context.Context, h plug.Host) error {
	p.log.add("init:" + p.name + hkValue(ctx))
	return nil
}

func (p *hkAll) Start(ctx context.Context) error {
	p.log.add("start:" + p.name + hkValue(ctx))
	return nil
}

func (p *hkAll) Stop(ctx context.Context) error {
	p.log.add("stop:" + p.name + hkValue(ctx))
	return nil
}

func hkValue(ctx context.Context) string {
	if v, ok := ctx.Value(hkKey{}).(string); ok {
		return "@" + v
	}
	return ""
}

func hkRegistry(t *testing.T, ps ...plug.Plugin) *plug.Registry {
	t.Helper()
	r := plug.NewRegistry()
	for _, p := range ps {
		if err := r.Register(p.Name(), func() plug.Plugin { return p }); err != nil {
			t.Fatalf("Register(%q) = %v; want nil", p.Name(), err)
		}
	}
	return r
}

func hkDiff(t *testing.T, what string, got, want []string) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: hooks called %q; want %q (-want +got):\n%s", what, got, want, d)
	}
}

func TestHiddenHooks_OnlyImplementedHooks(t *testing.T) {
	defer hkCatch(t)
	log := &hkLog{}
	r := hkRegistry(t,
		&hkPlain{"a"},
		&hkInit{hkPlain{"b"}, log},
		&hkStart{hkPlain{"c"}, log},
		&hkStop{hkPlain{"d"}, log},
		&hkAll{hkPlain{"e"}, log, nil},
	)
	ctx := context.Background()
	rt, err := r.Load(ctx, nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	hkDiff(t, "Load", log.take(), []string{"init:b", "init:e"})
	if err := rt.Start(ctx); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	hkDiff(t, "Start", log.take(), []string{"start:c", "start:e"})
	if err := rt.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	// d has Stop but no Start: it counts as started, so it is stopped.
	hkDiff(t, "Stop", log.take(), []string{"stop:e", "stop:d"})
}

func TestHiddenHooks_PlainPlugins(t *testing.T) {
	defer hkCatch(t)
	a, b := &hkPlain{"a"}, &hkPlain{"b"}
	r := hkRegistry(t, b, a)
	ctx := context.Background()
	rt, err := r.Load(ctx, map[string]map[string]any{"a": {"unused": 1}})
	if err != nil {
		t.Fatalf("Load of plugins without hooks or tagged fields = %v; want nil", err)
	}
	if err := rt.Start(ctx); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	if err := rt.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	for _, want := range []*hkPlain{a, b} {
		got, ok := rt.Lookup(want.name)
		if !ok || got != plug.Plugin(want) {
			t.Errorf("Lookup(%q) = %v, %v; want the registered instance, true", want.name, got, ok)
		}
	}
}

// hkProbe records, during its Init, what the Host finds.
type hkProbe struct {
	hkPlain
	deps  []string
	seen  map[string]plug.Plugin
	host  plug.Host
	calls int
}

func (p *hkProbe) DependsOn() []string { return p.deps }

func (p *hkProbe) Init(ctx context.Context, h plug.Host) error {
	p.calls++
	p.host = h
	p.seen = map[string]plug.Plugin{}
	for _, n := range []string{"x", "y", "z", "nope"} {
		if q, ok := h.Lookup(n); ok {
			p.seen[n] = q
		}
	}
	return nil
}

func TestHiddenHooks_HostSeesInitialized(t *testing.T) {
	defer hkCatch(t)
	// Names chosen so that dependency order is the reverse of name order.
	x := &hkProbe{hkPlain: hkPlain{"z"}, deps: []string{"y"}}
	y := &hkProbe{hkPlain: hkPlain{"y"}, deps: []string{"x"}}
	z := &hkProbe{hkPlain: hkPlain{"x"}}
	r := hkRegistry(t, x, y, z)
	rt, err := r.Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	for _, p := range []*hkProbe{x, y, z} {
		if p.calls != 1 {
			t.Fatalf("Init of %q called %d times; want 1", p.name, p.calls)
		}
	}
	check := func(p *hkProbe, want ...*hkProbe) {
		t.Helper()
		var got, wantNames []string
		for n := range p.seen {
			got = append(got, n)
		}
		slices.Sort(got)
		for _, w := range want {
			wantNames = append(wantNames, w.name)
			if p.seen[w.name] != plug.Plugin(w) {
				t.Errorf("during Init of %q, Host.Lookup(%q) returned %v; want the instance of %q", p.name, w.name, p.seen[w.name], w.name)
			}
		}
		slices.Sort(wantNames)
		if !slices.Equal(got, wantNames) {
			t.Errorf("during Init of %q, Host.Lookup found %q; want exactly %q (the plugins initialized before it)", p.name, got, wantNames)
		}
	}
	check(z)
	check(y, z)
	check(x, z, y)
	// After Load the Host sees every plugin, like Runtime.Lookup.
	for _, p := range []*hkProbe{x, y, z} {
		if q, ok := z.host.Lookup(p.name); !ok || q != plug.Plugin(p) {
			t.Errorf("after Load, Host.Lookup(%q) = %v, %v; want the instance, true", p.name, q, ok)
		}
		if q, ok := rt.Lookup(p.name); !ok || q != plug.Plugin(p) {
			t.Errorf("Runtime.Lookup(%q) = %v, %v; want the instance, true", p.name, q, ok)
		}
	}
	if q, ok := z.host.Lookup("nope"); ok {
		t.Errorf("after Load, Host.Lookup(\"nope\") = %v, true; want false", q)
	}
}

func TestHiddenHooks_Contexts(t *testing.T) {
	defer hkCatch(t)
	log := &hkLog{}
	r := hkRegistry(t, &hkAll{hkPlain{"a"}, log, nil}, &hkAll{hkPlain{"b"}, log, []string{"a"}})
	rt, err := r.Load(context.WithValue(context.Background(), hkKey{}, "load"), nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	if err := rt.Start(context.WithValue(context.Background(), hkKey{}, "start")); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	if err := rt.Stop(context.WithValue(context.Background(), hkKey{}, "stop")); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	hkDiff(t, "Load, Start, Stop (@ = context value seen)", log.take(),
		[]string{"init:a@load", "init:b@load", "start:a@start", "start:b@start", "stop:b@stop", "stop:a@stop"})
}

func TestHiddenHooks_StopWithoutStart(t *testing.T) {
	defer hkCatch(t)
	log := &hkLog{}
	r := hkRegistry(t, &hkAll{hkPlain{"a"}, log, nil}, &hkStop{hkPlain{"b"}, log})
	ctx := context.Background()
	rt, err := r.Load(ctx, nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	log.take()
	if err := rt.Stop(ctx); err != nil {
		t.Errorf("Stop before Start = %v; want nil", err)
	}
	hkDiff(t, "Stop before Start", log.take(), nil)
}

func TestHiddenHooks_StopTwice(t *testing.T) {
	defer hkCatch(t)
	log := &hkLog{}
	r := hkRegistry(t, &hkAll{hkPlain{"a"}, log, nil}, &hkStop{hkPlain{"b"}, log})
	ctx := context.Background()
	rt, err := r.Load(ctx, nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	if err := rt.Start(ctx); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	log.take()
	if err := rt.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	hkDiff(t, "first Stop", log.take(), []string{"stop:b", "stop:a"})
	if err := rt.Stop(ctx); err != nil {
		t.Errorf("second Stop = %v; want nil", err)
	}
	hkDiff(t, "second Stop", log.take(), nil)
}
