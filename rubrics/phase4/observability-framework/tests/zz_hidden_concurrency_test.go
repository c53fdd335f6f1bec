package obs_test

// Hidden tests, group "Concurrency": counters, gauges, histograms, With and
// the handler used from many goroutines give exact results. The race
// criterion runs this group under -race.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	obs "example.com/observability-framework"
	"go.uber.org/goleak"
)

func concCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

// concRun runs f(i) in n goroutines and waits; a panic in one fails the test.
func concRun(t *testing.T, n int, f func(i int)) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var panics []any
	for i := range n {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					panics = append(panics, r)
					mu.Unlock()
				}
			}()
			f(i)
		})
	}
	wg.Wait()
	if len(panics) > 0 {
		t.Fatalf("%d goroutines panicked, first: %v", len(panics), panics[0])
	}
}

func concText(t *testing.T, r *obs.Registry) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatalf("WriteText returned %v", err)
	}
	return b.String()
}

func concWant(t *testing.T, what, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("%s: want the line %q in WriteText's output:\n%s", what, l, text)
		}
	}
}

func TestHiddenConcurrency_CounterInc(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer concCatch(t)
	r := obs.NewRegistry()
	v := r.Counter("inc_total", "Incs.", "kind")
	shared := v.With("shared")
	concRun(t, 16, func(i int) {
		own := v.With(fmt.Sprint("g", i%4))
		for range 10_000 {
			shared.Inc()
			own.Inc()
		}
	})
	concWant(t, "16 goroutines x 10000 Inc on one counter, and on With(g<i%4>)", concText(t, r),
		`inc_total{kind="g0"} 40000`, `inc_total{kind="g3"} 40000`, `inc_total{kind="shared"} 160000`)
}

func TestHiddenConcurrency_WithWhileScraping(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer concCatch(t)
	r := obs.NewRegistry()
	concRun(t, 9, func(i int) {
		if i == 8 {
			for range 50 {
				var b bytes.Buffer
				_ = r.WriteText(&b)
			}
			return
		}
		v := r.Counter("series_total", "Series.", "n")
		for j := range 500 {
			v.With(fmt.Sprint(j % 100)).Add(2)
		}
	})
	text := concText(t, r)
	if n := strings.Count(text, "series_total{"); n != 100 {
		t.Errorf("8 goroutines registering series_total and using 100 series while WriteText runs: %d series written, want 100", n)
	}
	concWant(t, "each series got 8 x 5 x Add(2)", text, `series_total{n="0"} 80`, `series_total{n="99"} 80`)
}

func TestHiddenConcurrency_GaugeAndHistogram(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer concCatch(t)
	r := obs.NewRegistry()
	g := r.Gauge("inflight", "In flight.").With()
	set := r.Gauge("config_version", "Version.").With()
	h := r.Histogram("latency", "Latency.", []float64{1, 2}).With()
	concRun(t, 8, func(i int) {
		for j := range 5000 {
			g.Add(1)
			g.Add(-0.5)
			set.Set(42)
			h.Observe(float64(j%4) * 0.5) // 0, 0.5, 1, 1.5
			if i == 0 && j%1000 == 0 {
				var b bytes.Buffer
				_ = r.WriteText(&b)
			}
		}
	})
	concWant(t, "8 goroutines x 5000 x (gauge Add(1), Add(-0.5); Set(42); Observe 0/0.5/1/1.5)", concText(t, r),
		"inflight 20000", "config_version 42",
		"latency_sum 30000", "latency_count 40000")
}

func TestHiddenConcurrency_Logging(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer concCatch(t)
	var buf bytes.Buffer
	base := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{Redact: []string{"secret"}}))
	concRun(t, 8, func(i int) {
		log := base.With("worker", i, "secret", "s").WithGroup("g")
		for j := range 200 {
			log.Info("tick", "j", j)
		}
	})
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("8 goroutines x 200 records: %d lines written, want 1600", len(lines))
	}
	for _, l := range lines {
		var m struct {
			Worker *int   `json:"worker"`
			Secret string `json:"secret"`
			G      struct {
				J *int `json:"j"`
			} `json:"g"`
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil || m.Worker == nil || m.G.J == nil || m.Secret != "[REDACTED]" {
			t.Fatalf("line %q is not a whole record {worker, secret:[REDACTED], g:{j}} (err %v): concurrent writes must not interleave", l, err)
		}
	}
}
