package analytics

import "math"

// Histogram is a quantile sketch with relative error: values are counted in
// logarithmic buckets, bucket i of the positive values holding
// (gamma^(i-1), gamma^i] with gamma = (1+relErr)/(1-relErr). Negative values
// are counted the same way by magnitude, zeros on their own. It is not safe
// for concurrent use.
type Histogram struct {
	relErr   float64
	logGamma float64
	pos, neg buckets
	zeros    uint64
	count    uint64
}

// NewHistogram returns an empty histogram. A relErr outside (0, 1) means
// 0.01.
func NewHistogram(relErr float64) *Histogram {
	if !(relErr > 0 && relErr < 1) {
		relErr = 0.01
	}
	return &Histogram{relErr: relErr, logGamma: math.Log((1 + relErr) / (1 - relErr))}
}

// Record counts v. It does not allocate once its bucket exists.
func (h *Histogram) Record(v float64) {
	switch {
	case v > 0:
		h.pos.add(h.index(v), 1)
	case v < 0:
		h.neg.add(h.index(-v), 1)
	case v == 0:
		h.zeros++
	default: // NaN
		return
	}
	h.count++
}

func (h *Histogram) index(v float64) int {
	return int(math.Ceil(math.Log(v) / h.logGamma))
}

// value is the estimate of every value of bucket i: within relErr of any of
// them.
func (h *Histogram) value(i int) float64 {
	gamma := (1 + h.relErr) / (1 - h.relErr)
	return 2 * math.Exp(float64(i)*h.logGamma) / (gamma + 1)
}

// Quantile returns an estimate, within relErr, of the value of rank
// floor(q*(n-1)) (0-based, in increasing order) of the n recorded values. q
// is clamped to [0, 1]; an empty histogram returns NaN.
func (h *Histogram) Quantile(q float64) float64 {
	if h.count == 0 {
		return math.NaN()
	}
	q = min(max(q, 0), 1)
	rank := uint64(q * float64(h.count-1))
	var seen uint64
	for i := len(h.neg.counts) - 1; i >= 0; i-- {
		if seen += h.neg.counts[i]; seen > rank {
			return -h.value(h.neg.offset + i)
		}
	}
	if seen += h.zeros; seen > rank {
		return 0
	}
	for i, c := range h.pos.counts {
		if seen += c; seen > rank {
			return h.value(h.pos.offset + i)
		}
	}
	return h.value(h.pos.offset + len(h.pos.counts) - 1)
}

// Merge adds the values recorded by o to h; o must have the same relErr.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.pos.counts {
		if c != 0 {
			h.pos.add(o.pos.offset+i, c)
		}
	}
	for i, c := range o.neg.counts {
		if c != 0 {
			h.neg.add(o.neg.offset+i, c)
		}
	}
	h.zeros += o.zeros
	h.count += o.count
}

func (h *Histogram) reset() {
	h.pos.reset()
	h.neg.reset()
	h.zeros, h.count = 0, 0
}

// buckets is a dense array of counts: counts[j] is bucket offset+j.
type buckets struct {
	counts []uint64
	offset int
}

func (b *buckets) add(i int, n uint64) {
	if len(b.counts) == 0 {
		if cap(b.counts) == 0 {
			b.counts = make([]uint64, 0, 64)
		}
		b.counts = b.counts[:1]
		b.offset = i
	} else if i < b.offset {
		grow := b.offset - i
		nc := make([]uint64, len(b.counts)+grow, 2*(len(b.counts)+grow))
		copy(nc[grow:], b.counts)
		b.counts, b.offset = nc, i
	} else if j := i - b.offset; j >= len(b.counts) {
		b.counts = append(b.counts, make([]uint64, j+1-len(b.counts))...)
	}
	b.counts[i-b.offset] += n
}

func (b *buckets) reset() {
	clear(b.counts)
	b.counts = b.counts[:0]
}
