package analytics_test

// Hidden tests, group HLL: HyperLogLog accuracy, merge and precision.

import (
	"math"
	"strconv"
	"testing"

	analytics "example.com/realtime-analytics-engine"
)

// hllAdd adds the keys "user-<i>" for i in [lo, hi) to h.
func hllAdd(h *analytics.HLL, lo, hi int) {
	buf := make([]byte, 0, 32)
	for i := lo; i < hi; i++ {
		buf = strconv.AppendInt(append(buf[:0], "user-"...), int64(i), 10)
		h.Add(buf)
	}
}

func hllCheck(t *testing.T, what string, got uint64, n int, tol float64) {
	t.Helper()
	if err := math.Abs(float64(got)-float64(n)) / math.Max(float64(n), 1); err > tol {
		t.Errorf("%s: Count() = %d for %d distinct keys, an error of %.2f%%, want at most %.1f%%", what, got, n, 100*err, 100*tol)
	}
}

func TestHiddenHLL_Accuracy100k(t *testing.T) {
	defer hllRecover(t)
	h := analytics.NewHLL(14)
	hllAdd(h, 0, 100_000)
	hllAdd(h, 0, 100_000) // duplicates change nothing
	hllCheck(t, "precision 14, 1e5 keys each added twice", h.Count(), 100_000, 0.02)
}

func TestHiddenHLL_Accuracy1M(t *testing.T) {
	defer hllRecover(t)
	h := analytics.NewHLL(14)
	hllAdd(h, 0, 1_000_000)
	hllCheck(t, "precision 14, 1e6 keys", h.Count(), 1_000_000, 0.02)
}

func TestHiddenHLL_SmallCardinalities(t *testing.T) {
	defer hllRecover(t)
	for _, n := range []int{0, 1, 2, 10, 100, 1000, 5000, 20000} {
		h := analytics.NewHLL(14)
		hllAdd(h, 0, n)
		got := h.Count()
		if d := math.Abs(float64(got) - float64(n)); d > math.Max(1, 0.02*float64(n)) {
			t.Errorf("precision 14, %d distinct keys: Count() = %d, want %d within 2%% (at most 1 off for tiny counts: use linear counting while many registers are zero)", n, got, n)
		}
	}
}

func TestHiddenHLL_MergeEqualsUnion(t *testing.T) {
	defer hllRecover(t)
	a, b, u := analytics.NewHLL(14), analytics.NewHLL(14), analytics.NewHLL(14)
	hllAdd(a, 0, 60_000)
	hllAdd(b, 60_000, 120_000)
	hllAdd(u, 0, 120_000)
	if err := a.Merge(b); err != nil {
		t.Fatalf("Merge of two HLLs of precision 14 = %v, want nil", err)
	}
	if a.Count() != u.Count() {
		t.Fatalf("HLL of keys 0..59999 merged with one of keys 60000..119999: Count() = %d, but an HLL of all 120000 keys counts %d: the merged registers must equal the union's", a.Count(), u.Count())
	}
	hllCheck(t, "merge of two disjoint halves", a.Count(), 120_000, 0.02)
	c := analytics.NewHLL(14)
	hllAdd(c, 30_000, 90_000)
	if err := a.Merge(c); err != nil {
		t.Fatalf("Merge of two HLLs of precision 14 = %v, want nil", err)
	}
	if a.Count() != u.Count() {
		t.Fatalf("merging keys already counted changed Count() from %d to %d", u.Count(), a.Count())
	}
	if b.Count() == a.Count() {
		t.Fatalf("Merge changed its argument: b.Count() = %d after a.Merge(b)", b.Count())
	}
}

func TestHiddenHLL_MergePrecisionMismatch(t *testing.T) {
	defer hllRecover(t)
	a, b := analytics.NewHLL(12), analytics.NewHLL(14)
	hllAdd(a, 0, 1000)
	hllAdd(b, 5000, 9000)
	before := a.Count()
	if err := a.Merge(b); err == nil {
		t.Fatal("Merge of an HLL of precision 14 into one of precision 12 = nil, want an error")
	}
	if got := a.Count(); got != before {
		t.Fatalf("a failed Merge changed Count() from %d to %d, want it unchanged", before, got)
	}
}

func TestHiddenHLL_Precisions(t *testing.T) {
	defer hllRecover(t)
	for _, c := range []struct {
		p   uint8
		n   int
		tol float64
	}{{4, 10, 0.5}, {10, 50_000, 0.1}, {18, 200_000, 0.02}, {0, 100_000, 0.02}} {
		h := analytics.NewHLL(c.p)
		hllAdd(h, 0, c.n)
		hllCheck(t, "precision "+strconv.Itoa(int(c.p)), h.Count(), c.n, c.tol)
	}
	for _, p := range []uint8{3, 19} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewHLL(%d) did not panic, want a panic (precision outside 4..18)", p)
				}
			}()
			analytics.NewHLL(p)
		}()
	}
}

func hllRecover(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v", r)
	}
}
