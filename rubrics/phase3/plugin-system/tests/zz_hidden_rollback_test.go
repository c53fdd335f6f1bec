package plug_test

// Hidden tests, group "Rollback": a failing Start stops the plugins already
// started, in reverse order, and returns the cause (errors.Is) joined with
// their Stop errors; a cancelled context stops the start sequence; Stop goes
// on after errors; a failing Init aborts Load; a dependency cycle is
// ErrCycle and its message shows the cycle.

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	plug "example.com/plugin-system"
	"github.com/google/go-cmp/cmp"
)

func rbCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type rbKey struct{}

type rbLog struct {
	mu sync.Mutex
	ev []string
}

func (l *rbLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ev = append(l.ev, s)
}

func (l *rbLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.ev
	l.ev = nil
	return ev
}

// rbPlugin implements every hook; its Init, Start and Stop fail with the
// given errors, and onStart runs inside Start.
type rbPlugin struct {
	name              string
	deps              []string
	log               *rbLog
	initErr, startErr error
	stopErr           error
	onStart           func()
	stopCtxErr        error
	stopCtxVal        any
	noStop            bool
	startCalls, stops int
}

func (p *rbPlugin) Name() string        { return p.name }
func (p *rbPlugin) DependsOn() []string { return p.deps }
func (p *rbPlugin) Init(ctx context.Context, h plug.Host) error {
	p.log.add("init:" + p.name)
	return p.initErr
}
func (p *rbPlugin) Start(ctx context.Context) error {
	p.log.add("start:" + p.name)
	p.startCalls++
	if p.onStart != nil {
		p.onStart()
	}
	return p.startErr
}

// rbStopper adds Stop to rbPlugin.
type rbStopper struct{ *rbPlugin }

func (p rbStopper) Stop(ctx context.Context) error {
	p.log.add("stop:" + p.name)
	p.stops++
	p.stopCtxErr = ctx.Err()
	p.stopCtxVal = ctx.Value(rbKey{})
	return p.stopErr
}

// rbLoad registers the plugins (with Stop unless noStop) and loads them.
func rbLoad(t *testing.T, ps ...*rbPlugin) *plug.Runtime {
	t.Helper()
	r := plug.NewRegistry()
	for _, p := range ps {
		var pl plug.Plugin = rbStopper{p}
		if p.noStop {
			pl = p
		}
		if err := r.Register(p.name, func() plug.Plugin { return pl }); err != nil {
			t.Fatalf("Register(%q) = %v; want nil", p.name, err)
		}
	}
	rt, err := r.Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	return rt
}

// rbChain returns plugins p1..pn, each depending on the one before.
func rbChain(log *rbLog, n int) []*rbPlugin {
	ps := make([]*rbPlugin, n)
	for i := range ps {
		ps[i] = &rbPlugin{name: fmt.Sprintf("p%d", i+1), log: log}
		if i > 0 {
			ps[i].deps = []string{ps[i-1].name}
		}
	}
	return ps
}

func rbDiff(t *testing.T, what string, got, want []string) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: hooks called %q; want %q (-want +got):\n%s", what, got, want, d)
	}
}

var (
	rbBoom = errors.New("boom")
	rbStop = errors.New("stop failed")
)

func TestHiddenRollback_ThirdStartFails(t *testing.T) {
	defer rbCatch(t)
	log := &rbLog{}
	ps := rbChain(log, 4)
	ps[2].startErr = rbBoom
	rt := rbLoad(t, ps...)
	log.take()
	err := rt.Start(context.Background())
	if !errors.Is(err, rbBoom) {
		t.Fatalf("Start = %v; want an error wrapping the Start error of p3 (errors.Is)", err)
	}
	if !strings.Contains(err.Error(), "p3") {
		t.Errorf("Start error %q does not name the plugin that failed, p3", err)
	}
	rbDiff(t, "Start with p3 failing", log.take(), []string{"start:p1", "start:p2", "start:p3", "stop:p2", "stop:p1"})
}

func TestHiddenRollback_SkipsNonStoppers(t *testing.T) {
	defer rbCatch(t)
	log := &rbLog{}
	ps := rbChain(log, 4)
	ps[1].noStop = true
	ps[3].startErr = rbBoom
	rt := rbLoad(t, ps...)
	log.take()
	if err := rt.Start(context.Background()); !errors.Is(err, rbBoom) {
		t.Fatalf("Start = %v; want an error wrapping the Start error of p4", err)
	}
	rbDiff(t, "Start with p4 failing, p2 without Stop", log.take(), []string{"start:p1", "start:p2", "start:p3", "start:p4", "stop:p3", "stop:p1"})
}

func TestHiddenRollback_JoinsStopErrors(t *testing.T) {
	defer rbCatch(t)
	log := &rbLog{}
	ps := rbChain(log, 3)
	ps[1].stopErr = rbStop
	ps[2].startErr = rbBoom
	rt := rbLoad(t, ps...)
	log.take()
	err := rt.Start(context.Background())
	if !errors.Is(err, rbBoom) || !errors.Is(err, rbStop) {
		t.Fatalf("Start = %v; want an error that wraps both the Start error of p3 and the Stop error of p2 (errors.Join)", err)
	}
	rbDiff(t, "rollback with p2's Stop failing", log.take(), []string{"start:p1", "start:p2", "start:p3", "stop:p2", "stop:p1"})
}

func TestHiddenRollback_FirstStartFails(t *testing.T) {
	defer rbCatch(t)
	log := &rbLog{}
	ps := rbChain(log, 3)
	ps[0].startErr = rbBoom
	rt := rbLoad(t, ps...)
	log.take()
	if err := rt.Start(context.Background()); !errors.Is(err, rbBoom) {
		t.Fatalf("Start = %v; want an error wrapping the Start error of p1", err)
	}
	rbDiff(t, "Start with p1 failing", log.take(), []string{"start:p1"})
}

func TestHiddenRollback_ContextCancelled(t *testing.T) {
	defer rbCatch(t)
	log := &rbLog{}
	ps := rbChain(log, 4)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), rbKey{}, "v"))
	defer cancel()
	ps[1].onStart = cancel // p2 starts fine, but cancels the context
	rt := rbLoad(t, ps...)
	log.take()
	err := rt.Start(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Start = %v; want an error wrapping context.Canceled (the context was cancelled during p2's Start)", err)
	}
	rbDiff(t, "Start cancelled during p2", log.take(), []string{"start:p1", "start:p2", "stop:p2", "stop:p1"})
	for _, p := range ps[:2] {
		if p.stopCtxErr != nil || p.stopCtxVal != "v" {
			t.Errorf("rollback Stop of %s got a context with Err() = %v and value %v; want a context that is not cancelled and keeps the values of Start's (context.WithoutCancel)", p.name, p.stopCtxErr, p.stopCtxVal)
		}
	}
}

func TestHiddenRollback_StopAfterFailedStart(t *testing.T) {
	defer rbCatch(t)
	log := &rbLog{}
	ps := rbChain(log, 3)
	ps[2].startErr = rbBoom
	rt := rbLoad(t, ps...)
	if err := rt.Start(context.Background()); !errors.Is(err, rbBoom) {
		t.Fatalf("Start = %v; want an error wrapping the Start error of p3", err)
	}
	log.take()
	if err := rt.Stop(context.Background()); err != nil {
		t.Errorf("Stop after a rolled-back Start = %v; want nil", err)
	}
	rbDiff(t, "Stop after a rolled-back Start", log.take(), nil)
}

func TestHiddenRollback_StopGoesOn(t *testing.T) {
	defer rbCatch(t)
	log := &rbLog{}
	ps := rbChain(log, 4)
	errA, errB := errors.New("stop p2 failed"), errors.New("stop p4 failed")
	ps[1].stopErr, ps[3].stopErr = errA, errB
	rt := rbLoad(t, ps...)
	if err := rt.Start(context.Background()); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	log.take()
	err := rt.Stop(context.Background())
	if !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Fatalf("Stop = %v; want an error wrapping both Stop errors (of p2 and p4)", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "p2") || !strings.Contains(msg, "p4") {
		t.Errorf("Stop error %q does not name both failing plugins, p2 and p4", msg)
	}
	rbDiff(t, "Stop with p4 and p2 failing", log.take(), []string{"stop:p4", "stop:p3", "stop:p2", "stop:p1"})
}

func TestHiddenRollback_InitFailureAbortsLoad(t *testing.T) {
	defer rbCatch(t)
	log := &rbLog{}
	ps := rbChain(log, 3)
	ps[1].initErr = rbBoom
	r := plug.NewRegistry()
	for _, p := range ps {
		if err := r.Register(p.name, func() plug.Plugin { return rbStopper{p} }); err != nil {
			t.Fatalf("Register(%q) = %v; want nil", p.name, err)
		}
	}
	rt, err := r.Load(context.Background(), nil)
	if !errors.Is(err, rbBoom) || rt != nil {
		t.Fatalf("Load = %v, %v; want nil and an error wrapping the Init error of p2", rt, err)
	}
	if !strings.Contains(err.Error(), "p2") {
		t.Errorf("Load error %q does not name the plugin whose Init failed, p2", err)
	}
	rbDiff(t, "Load with p2's Init failing", log.take(), []string{"init:p1", "init:p2"})
}

// rbCycle loads the graph and returns Load's error.
func rbCycle(t *testing.T, graph map[string][]string) error {
	t.Helper()
	log := &rbLog{}
	r := plug.NewRegistry()
	for name, deps := range graph {
		p := &rbPlugin{name: name, deps: deps, log: log}
		if err := r.Register(name, func() plug.Plugin { return rbStopper{p} }); err != nil {
			t.Fatalf("Register(%q) = %v; want nil", name, err)
		}
	}
	rt, err := r.Load(context.Background(), nil)
	if rt != nil || !errors.Is(err, plug.ErrCycle) {
		t.Fatalf("Load of %v = %v, %v; want nil and an error wrapping ErrCycle", graph, rt, err)
	}
	rbDiff(t, "Load of a graph with a cycle", log.take(), nil)
	return err
}

// rbHasCycle reports whether msg shows the cycle (in any rotation).
func rbHasCycle(msg string, cycle ...string) bool {
	for i := range cycle {
		rot := append(append([]string{}, cycle[i:]...), cycle[:i]...)
		rot = append(rot, rot[0])
		if strings.Contains(msg, strings.Join(rot, " -> ")) {
			return true
		}
	}
	return false
}

func TestHiddenRollback_Cycle(t *testing.T) {
	defer rbCatch(t)
	err := rbCycle(t, map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": nil, "e": {"d"}})
	if !rbHasCycle(err.Error(), "a", "b", "c") {
		t.Errorf("cycle error %q does not show the cycle as \"a -> b -> c -> a\" (or a rotation of it, such as \"b -> c -> a -> b\")", err)
	}
}

func TestHiddenRollback_SelfCycle(t *testing.T) {
	defer rbCatch(t)
	err := rbCycle(t, map[string][]string{"solo": {"solo"}, "other": nil})
	if !rbHasCycle(err.Error(), "solo") {
		t.Errorf("cycle error %q does not show the cycle as \"solo -> solo\"", err)
	}
}

func TestHiddenRollback_CycleBehindDependent(t *testing.T) {
	defer rbCatch(t)
	// "a" is not on the cycle, but depends on it.
	err := rbCycle(t, map[string][]string{"a": {"m"}, "m": {"n"}, "n": {"m"}, "z": {"a"}})
	if !rbHasCycle(err.Error(), "m", "n") {
		t.Errorf("cycle error %q does not show the cycle as \"m -> n -> m\" (or \"n -> m -> n\")", err)
	}
}
