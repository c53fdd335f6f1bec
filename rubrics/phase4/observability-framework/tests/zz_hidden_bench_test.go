package obs_test

// Hidden benchmark, run for the submission and for the reference solution
// in turn; the score is the ratio of their median ns/op.

import (
	"testing"

	obs "example.com/observability-framework"
)

// BenchmarkHiddenWithInc: goroutines look up one of 8 series of a counter
// family of two labels with With and increment it.
func BenchmarkHiddenWithInc(b *testing.B) {
	v := obs.NewRegistry().Counter("bench_total", "Bench.", "method", "code")
	methods := [...]string{"GET", "POST", "PUT", "DELETE"}
	codes := [...]string{"200", "500"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			v.With(methods[i&3], codes[(i>>2)&1]).Inc()
			i++
		}
	})
}
