package trace

import "encoding/binary"

// Sampler decides at the start of a span whether it is sampled (recorded
// and exported). parent is the parent's context when hasParent is true.
type Sampler interface {
	Sample(id TraceID, parent SpanContext, hasParent bool) bool
}

type alwaysSampler struct{}

func (alwaysSampler) Sample(TraceID, SpanContext, bool) bool { return true }

// AlwaysSample samples every span.
func AlwaysSample() Sampler { return alwaysSampler{} }

type ratioSampler struct {
	all       bool
	threshold uint64
}

func (r ratioSampler) Sample(id TraceID, _ SpanContext, _ bool) bool {
	return r.all || binary.BigEndian.Uint64(id[:8]) < r.threshold
}

// RatioSampler samples a fraction f of the traces, deciding from the upper
// 8 bytes of the trace ID: sampled when they, read as a big-endian uint64,
// are below f * 2^64. f <= 0 samples nothing, f >= 1 everything.
func RatioSampler(f float64) Sampler {
	switch {
	case f >= 1:
		return ratioSampler{all: true}
	case !(f > 0): // also NaN
		return ratioSampler{}
	}
	return ratioSampler{threshold: uint64(f * (1 << 64))}
}

type parentBased struct{ root Sampler }

func (p parentBased) Sample(id TraceID, parent SpanContext, hasParent bool) bool {
	if hasParent {
		return parent.Sampled
	}
	return p.root.Sample(id, parent, hasParent)
}

// ParentBased follows the parent's decision, and asks root for root spans.
// A nil root means AlwaysSample().
func ParentBased(root Sampler) Sampler {
	if root == nil {
		root = AlwaysSample()
	}
	return parentBased{root: root}
}
