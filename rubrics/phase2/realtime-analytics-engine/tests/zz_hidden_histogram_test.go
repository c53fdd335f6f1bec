package analytics_test

// Hidden tests, group Histogram: the relative-error quantile sketch. The
// exact q-quantile of n values is the value of rank floor(q*(n-1))
// (0-based) in increasing order; an estimate must be within relErr of it
// (relative to its magnitude; a zero must be estimated as 0).

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	analytics "example.com/realtime-analytics-engine"
)

// histWithin reports whether est is within relErr of the exact q-quantile
// of the sorted values: the value of rank floor(q*(n-1)), or of the next
// rank when q*(n-1) falls a hair below an integer (float rounding).
func histWithin(sorted []float64, q, est, relErr float64) (bool, float64) {
	r := q * float64(len(sorted)-1)
	k := int(r)
	ks := []int{k}
	if r-float64(k) > 1-1e-9 && k+1 < len(sorted) {
		ks = append(ks, k+1)
	}
	for _, k := range ks {
		if v := sorted[k]; math.Abs(est-v) <= relErr*math.Abs(v)*(1+1e-9) {
			return true, sorted[ks[0]]
		}
	}
	return false, sorted[ks[0]]
}

func histCheck(t *testing.T, what string, h *analytics.Histogram, values []float64, qs []float64, relErr float64) {
	t.Helper()
	sorted := slices.Sorted(slices.Values(values))
	bad := 0
	for _, q := range qs {
		est := h.Quantile(q)
		if ok, exact := histWithin(sorted, q, est, relErr); !ok {
			t.Errorf("%s: Quantile(%v) = %v, want %v within %v%%", what, q, est, exact, 100*relErr)
			if bad++; bad == 3 {
				t.Errorf("%s: further quantiles not checked", what)
				return
			}
		}
	}
}

func histLognormal(seed uint64, n int, sigma float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 99))
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = 10 * math.Exp(sigma*r.NormFloat64())
	}
	return vs
}

func histOf(relErr float64, sets ...[]float64) *analytics.Histogram {
	h := analytics.NewHistogram(relErr)
	for _, s := range sets {
		for _, v := range s {
			h.Record(v)
		}
	}
	return h
}

var histQs = []float64{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1}

func TestHiddenHistogram_LognormalQuantiles(t *testing.T) {
	defer histRecover(t)
	vs := histLognormal(1, 100_000, 1.5)
	histCheck(t, "1e5 lognormal values, relErr 1%", histOf(0.01, vs), vs, histQs, 0.01)
}

func TestHiddenHistogram_RelErrOption(t *testing.T) {
	defer histRecover(t)
	vs := histLognormal(2, 20_000, 2)
	histCheck(t, "2e4 lognormal values, relErr 5%", histOf(0.05, vs), vs, histQs, 0.05)
	histCheck(t, "2e4 lognormal values, relErr 0.2%", histOf(0.002, vs), vs, histQs, 0.002)
	histCheck(t, "2e4 lognormal values, NewHistogram(0) (relErr 1%)", histOf(0, vs), vs, histQs, 0.01)
}

func TestHiddenHistogram_ZerosAndNegatives(t *testing.T) {
	defer histRecover(t)
	pos := histLognormal(3, 3000, 1)
	neg := histLognormal(4, 2000, 1)
	for i := range neg {
		neg[i] = -neg[i]
	}
	zeros := make([]float64, 1500)
	all := slices.Concat(pos, neg, zeros)
	rand.New(rand.NewPCG(5, 5)).Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var qs []float64
	for i := 0; i <= 40; i++ {
		qs = append(qs, float64(i)/40)
	}
	histCheck(t, "2000 negative values, 1500 zeros and 3000 positive values, relErr 1%", histOf(0.01, all), all, qs, 0.01)
	onlyNeg := histOf(0.01, neg)
	histCheck(t, "2000 negative values only", onlyNeg, neg, qs, 0.01)
	if got := histOf(0.01, zeros).Quantile(0.5); got != 0 {
		t.Errorf("1500 zeros: Quantile(0.5) = %v, want 0", got)
	}
}

func TestHiddenHistogram_MergeAssociative(t *testing.T) {
	defer histRecover(t)
	a := histLognormal(6, 5000, 1)
	b := histLognormal(7, 3000, 3)
	c := slices.Concat(histLognormal(8, 2000, 0.5), make([]float64, 100))
	for i := range c[:500] {
		c[i] = -c[i]
	}
	left := histOf(0.01, a)
	left.Merge(histOf(0.01, b))
	left.Merge(histOf(0.01, c))
	bc := histOf(0.01, b)
	bc.Merge(histOf(0.01, c))
	right := histOf(0.01, a)
	right.Merge(bc)
	whole := histOf(0.01, c, a, b)
	all := slices.Concat(a, b, c)
	var qs []float64
	for i := 0; i <= 100; i++ {
		qs = append(qs, float64(i)/100)
	}
	for _, q := range qs {
		l, r, w := left.Quantile(q), right.Quantile(q), whole.Quantile(q)
		if l != r || l != w {
			t.Fatalf("Quantile(%v): (A merge B) merge C = %v, A merge (B merge C) = %v, one histogram of all values = %v: want the same value", q, l, r, w)
		}
	}
	histCheck(t, "(A merge B) merge C", left, all, qs, 0.01)
	empty := analytics.NewHistogram(0.01)
	empty.Merge(histOf(0.01, a))
	histCheck(t, "an empty histogram merged with A", empty, a, qs, 0.01)
	histCheck(t, "A after merging another histogram into it (Merge must not change its argument)", histOf(0.01, a), a, qs, 0.01)
}

func TestHiddenHistogram_EmptySingleAndClamp(t *testing.T) {
	defer histRecover(t)
	if got := analytics.NewHistogram(0.01).Quantile(0.5); !math.IsNaN(got) {
		t.Errorf("Quantile(0.5) of an empty histogram = %v, want NaN", got)
	}
	h := histOf(0.01, []float64{42})
	for _, q := range []float64{0, 0.5, 1} {
		if got := h.Quantile(q); math.Abs(got-42) > 0.42 {
			t.Errorf("single value 42: Quantile(%v) = %v, want 42 within 1%%", q, got)
		}
	}
	vs := []float64{1, 10, 100, 1000}
	h = histOf(0.01, vs)
	if got, want := h.Quantile(-0.5), h.Quantile(0); got != want {
		t.Errorf("Quantile(-0.5) = %v, want Quantile(0) = %v (q is clamped to [0, 1])", got, want)
	}
	if got, want := h.Quantile(1.5), h.Quantile(1); got != want {
		t.Errorf("Quantile(1.5) = %v, want Quantile(1) = %v (q is clamped to [0, 1])", got, want)
	}
	histCheck(t, "values 1, 10, 100, 1000", h, vs, []float64{0, 0.33, 0.34, 0.66, 0.67, 0.99, 1}, 0.01)
}

func histRecover(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v", r)
	}
}
