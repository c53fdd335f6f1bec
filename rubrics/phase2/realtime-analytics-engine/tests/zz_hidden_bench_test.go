package analytics_test

// Hidden benchmark, compared with the reference solution (ratio of median
// ns/op, fixed -benchtime): parallel Ingest over 64 metrics, in the current
// window of an hour-long window. After the run it checks that every event
// was counted: a benchmark whose engine does not ingest fails.

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	analytics "example.com/realtime-analytics-engine"
)

func BenchmarkHiddenIngestParallel(b *testing.B) {
	const metrics = 64
	e := analytics.NewEngine(analytics.Options{Window: time.Hour, Retain: 4})
	now := time.Now()
	r := rand.New(rand.NewPCG(21, 22))
	evs := make([]analytics.Event, 1<<13)
	for i := range evs {
		evs[i] = analytics.Event{
			Metric: "metric-" + strconv.Itoa(r.IntN(metrics)),
			Key:    "user-" + strconv.Itoa(r.IntN(5000)),
			Value:  math.Round(100 * math.Exp(r.NormFloat64())),
			Time:   now,
		}
	}
	for _, ev := range evs { // warm-up: create every series and bucket
		e.Ingest(ev)
	}
	var worker atomic.Uint32
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(worker.Add(1)) * 4099
		for pb.Next() {
			e.Ingest(evs[i&(len(evs)-1)])
			i++
		}
	})
	b.StopTimer()
	var total uint64
	for m := range metrics {
		total += e.Query("metric-"+strconv.Itoa(m), now.Add(-3*time.Hour), now.Add(time.Hour)).Count
	}
	if want := uint64(len(evs) + b.N); total != want {
		b.Fatalf("after %d warm-up events and %d timed Ingest calls, the metrics count %d events in all, want %d", len(evs), b.N, total, want)
	}
}
