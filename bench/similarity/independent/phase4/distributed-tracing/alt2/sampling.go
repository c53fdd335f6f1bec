package trace

import "math"

// Sampler chooses which spans are recorded.
type Sampler interface {
	Sample(id TraceID, parent SpanContext, hasParent bool) bool
}

type always struct{}

func (always) Sample(TraceID, SpanContext, bool) bool { return true }

// AlwaysSample samples all spans.
func AlwaysSample() Sampler { return always{} }

type ratio struct{ limit uint64 }

func (r ratio) Sample(id TraceID, _ SpanContext, _ bool) bool {
	if r.limit == math.MaxUint64 {
		return true
	}
	var hi uint64
	for _, b := range id[:8] {
		hi = hi<<8 | uint64(b)
	}
	return hi < r.limit
}

// RatioSampler samples about f of all traces.
func RatioSampler(f float64) Sampler {
	switch {
	case f >= 1:
		return ratio{math.MaxUint64}
	case f > 0:
		return ratio{uint64(math.Ldexp(f, 64))}
	}
	return ratio{0}
}

type parentFirst struct{ root Sampler }

func (p parentFirst) Sample(id TraceID, parent SpanContext, hasParent bool) bool {
	if !hasParent {
		return p.root.Sample(id, parent, false)
	}
	return parent.Sampled
}

// ParentBased respects the parent's decision.
func ParentBased(root Sampler) Sampler {
	if root == nil {
		return parentFirst{always{}}
	}
	return parentFirst{root}
}
