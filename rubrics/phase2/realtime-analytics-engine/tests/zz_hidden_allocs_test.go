package analytics_test

// Hidden tests, group Allocs: the ingestion path must not allocate once the
// series, its window and the buckets of the values exist. Measured with
// testing.AllocsPerRun (never under -race).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	analytics "example.com/realtime-analytics-engine"
)

func allocEvents(n int, span time.Duration, now time.Time) []analytics.Event {
	r := rand.New(rand.NewPCG(11, 12))
	evs := make([]analytics.Event, n)
	for i := range evs {
		evs[i] = analytics.Event{
			Metric: fmt.Sprint("m", i%4),
			Key:    "user-" + strconv.Itoa(r.IntN(1000)),
			Value:  math.Exp(2 * r.NormFloat64()),
			Time:   now.Add(-time.Duration(r.Int64N(int64(span)))),
		}
	}
	return evs
}

func allocIngest(t *testing.T, span time.Duration) {
	synctest.Test(t, func(t *testing.T) {
		defer allocRecover(t)
		e := analytics.NewEngine(analytics.Options{Window: time.Second, Retain: 10})
		now := time.Now()
		evs := allocEvents(512, span, now)
		for _, ev := range evs {
			e.Ingest(ev)
		}
		got := e.Query("m0", now.Add(-time.Hour), now.Add(time.Hour))
		if got.Count != 128 {
			t.Fatalf("Query(\"m0\") after 128 events = %+v, want Count 128", got)
		}
		i := 0
		if a := testing.AllocsPerRun(2000, func() { e.Ingest(evs[i%len(evs)]); i++ }); a != 0 {
			t.Fatalf("Ingest into existing windows of existing metrics, values already seen: %v allocations per call, want 0", a)
		}
	})
}

func TestHiddenAllocs_IngestOneWindow(t *testing.T) {
	allocIngest(t, 1) // every event in the current window
}

func TestHiddenAllocs_IngestRetainedWindows(t *testing.T) {
	allocIngest(t, 9*time.Second) // events over the 10 retained windows (now is a window start)
}

func TestHiddenAllocs_HLLAdd(t *testing.T) {
	defer allocRecover(t)
	h := analytics.NewHLL(14)
	keys := make([][]byte, 4096)
	for i := range keys {
		keys[i] = []byte("session-" + strconv.Itoa(i))
	}
	i := 0
	if a := testing.AllocsPerRun(4096, func() { h.Add(keys[i%len(keys)]); i++ }); a != 0 {
		t.Fatalf("HLL.Add: %v allocations per call, want 0 (hash the bytes without a hash.Hash value or a conversion)", a)
	}
	if c := h.Count(); c < 3900 || c > 4300 {
		t.Fatalf("HLL.Count() after adding 4096 distinct keys = %d, want about 4096", c)
	}
}

func TestHiddenAllocs_HistogramRecord(t *testing.T) {
	defer allocRecover(t)
	h := analytics.NewHistogram(0.01)
	r := rand.New(rand.NewPCG(13, 14))
	vs := make([]float64, 4096)
	for i := range vs {
		vs[i] = math.Exp(3 * r.NormFloat64())
		if i%10 == 0 {
			vs[i] = -vs[i]
		}
		h.Record(vs[i])
	}
	i := 0
	if a := testing.AllocsPerRun(4096, func() { h.Record(vs[i%len(vs)]); i++ }); a != 0 {
		t.Fatalf("Histogram.Record of values already seen: %v allocations per call, want 0", a)
	}
}

func allocRecover(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v", r)
	}
}
