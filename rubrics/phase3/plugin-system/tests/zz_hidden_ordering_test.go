package plug_test

// Hidden tests, group "Ordering": plugins are initialized and started in
// dependency order, where among the plugins whose dependencies are all
// placed the smallest name comes first; Stop runs in exactly the reverse
// order.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	plug "example.com/plugin-system"
	"github.com/google/go-cmp/cmp"
)

func ordCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type ordLog struct {
	mu sync.Mutex
	ev map[string][]string // by phase: "init", "start", "stop"
}

func (l *ordLog) add(phase, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ev == nil {
		l.ev = map[string][]string{}
	}
	l.ev[phase] = append(l.ev[phase], name)
}

func (l *ordLog) get(phase string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ev[phase])
}

type ordPlugin struct {
	name string
	deps []string
	log  *ordLog
}

func (p *ordPlugin) Name() string        { return p.name }
func (p *ordPlugin) DependsOn() []string { return p.deps }
func (p *ordPlugin) Init(ctx context.Context, h plug.Host) error {
	p.log.add("init", p.name)
	return nil
}
func (p *ordPlugin) Start(ctx context.Context) error {
	p.log.add("start", p.name)
	return nil
}
func (p *ordPlugin) Stop(ctx context.Context) error {
	p.log.add("stop", p.name)
	return nil
}

// ordRun registers the plugins (name -> deps), runs Load, Start and Stop,
// and returns the log.
func ordRun(t *testing.T, graph map[string][]string) *ordLog {
	t.Helper()
	log := &ordLog{}
	r := plug.NewRegistry()
	for name, deps := range graph {
		p := &ordPlugin{name: name, deps: deps, log: log}
		if err := r.Register(name, func() plug.Plugin { return p }); err != nil {
			t.Fatalf("Register(%q) = %v; want nil", name, err)
		}
	}
	ctx := context.Background()
	rt, err := r.Load(ctx, nil)
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	if err := rt.Start(ctx); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	if err := rt.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	return log
}

// ordCheck compares the init and start orders with want, and the stop
// order with its reverse.
func ordCheck(t *testing.T, graph map[string][]string, log *ordLog, want []string) {
	t.Helper()
	for _, phase := range []string{"init", "start"} {
		if got := log.get(phase); !slices.Equal(got, want) {
			t.Errorf("%s order = %q; want %q (graph %v; at each step the smallest name whose dependencies are all placed)\n%s",
				phase, got, want, graph, cmp.Diff(want, got))
		}
	}
	rev := log.get("start")
	slices.Reverse(rev)
	if got := log.get("stop"); !slices.Equal(got, rev) {
		t.Errorf("stop order = %q; want %q, the reverse of the order Start used", got, rev)
	}
}

func TestHiddenOrdering_Diamond(t *testing.T) {
	defer ordCatch(t)
	graph := map[string][]string{
		"app":     {"db", "cache"},
		"cache":   {"config"},
		"db":      {"config"},
		"config":  nil,
		"auth":    nil,
		"metrics": {"config"},
	}
	ordCheck(t, graph, ordRun(t, graph), []string{"auth", "config", "cache", "db", "app", "metrics"})
}

func TestHiddenOrdering_NoDependencies(t *testing.T) {
	defer ordCatch(t)
	graph := map[string][]string{"delta": nil, "Alpha": nil, "charlie": nil, "bravo": nil, "alpha": nil, "_x": nil}
	// Go string order: upper case before "_" before lower case.
	ordCheck(t, graph, ordRun(t, graph), []string{"Alpha", "_x", "alpha", "bravo", "charlie", "delta"})
}

func TestHiddenOrdering_SmallestReadyFirst(t *testing.T) {
	defer ordCatch(t)
	// "a" waits for "z"; "b" is ready at once and goes before "z" and "a".
	graph := map[string][]string{"a": {"z"}, "b": nil, "z": nil, "c": {"a"}}
	ordCheck(t, graph, ordRun(t, graph), []string{"b", "z", "a", "c"})
}

func TestHiddenOrdering_DependencyListOrder(t *testing.T) {
	defer ordCatch(t)
	// The order of DependsOn and repeated names do not matter.
	graph := map[string][]string{
		"web":   {"store", "log", "store", "bus"},
		"store": {"log", "log"},
		"bus":   {"log"},
		"log":   nil,
		"cron":  {"bus"},
	}
	ordCheck(t, graph, ordRun(t, graph), []string{"log", "bus", "cron", "store", "web"})
}

// ordOracle is the documented rule, by brute force.
func ordOracle(graph map[string][]string) []string {
	placed := map[string]bool{}
	var order []string
	for len(order) < len(graph) {
		best := ""
		for name, deps := range graph {
			if placed[name] || (best != "" && name > best) {
				continue
			}
			ready := true
			for _, d := range deps {
				ready = ready && placed[d]
			}
			if ready {
				best = name
			}
		}
		placed[best] = true
		order = append(order, best)
	}
	return order
}

func TestHiddenOrdering_RandomDAGs(t *testing.T) {
	defer ordCatch(t)
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 20 {
		n := 5 + r.IntN(25)
		// A random permutation of names gives a random topological order;
		// each plugin depends on a few plugins before it in that order.
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("p%02d", i)
		}
		r.Shuffle(n, func(i, j int) { names[i], names[j] = names[j], names[i] })
		graph := map[string][]string{}
		for i, name := range names {
			var deps []string
			for range r.IntN(4) {
				if i > 0 {
					deps = append(deps, names[r.IntN(i)])
				}
			}
			graph[name] = deps
		}
		want := ordOracle(graph)
		log := ordRun(t, graph)
		if got := log.get("start"); !slices.Equal(got, want) {
			t.Fatalf("round %d: start order\n got  %s\n want %s\nfor the graph (plugin: dependencies) %v", round, strings.Join(got, " "), strings.Join(want, " "), graph)
		}
		ordCheck(t, graph, log, want)
	}
}
