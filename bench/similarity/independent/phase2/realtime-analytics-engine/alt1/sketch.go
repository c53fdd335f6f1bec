package analytics

import (
	"errors"
	"hash/fnv"
	"math"
	"math/bits"
	"sort"
)

// Histogram is a log-bucketed quantile sketch with relative error relErr.
type Histogram struct {
	gamma    float64
	pos, neg map[int]uint64
	zeros    uint64
	total    uint64
}

// NewHistogram makes an empty sketch.
func NewHistogram(relErr float64) *Histogram {
	if relErr <= 0 || relErr >= 1 {
		relErr = 0.01
	}
	return &Histogram{gamma: (1 + relErr) / (1 - relErr), pos: map[int]uint64{}, neg: map[int]uint64{}}
}

func (h *Histogram) bucket(v float64) int { return int(math.Ceil(math.Log(v) / math.Log(h.gamma))) }

func (h *Histogram) value(b int) float64 { return 2 * math.Pow(h.gamma, float64(b)) / (h.gamma + 1) }

// Record adds v.
func (h *Histogram) Record(v float64) {
	switch {
	case math.IsNaN(v):
		return
	case v > 0:
		h.pos[h.bucket(v)]++
	case v < 0:
		h.neg[h.bucket(-v)]++
	default:
		h.zeros++
	}
	h.total++
}

// Quantile returns the estimated q-quantile, 0 when empty.
func (h *Histogram) Quantile(q float64) float64 {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q * float64(h.total-1))
	var seen uint64
	negKeys := keysOf(h.neg)
	for i := len(negKeys) - 1; i >= 0; i-- {
		seen += h.neg[negKeys[i]]
		if seen > rank {
			return -h.value(negKeys[i])
		}
	}
	seen += h.zeros
	if seen > rank {
		return 0
	}
	for _, k := range keysOf(h.pos) {
		seen += h.pos[k]
		if seen > rank {
			return h.value(k)
		}
	}
	return h.value(keysOf(h.pos)[len(h.pos)-1])
}

func keysOf(m map[int]uint64) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	for k, n := range o.pos {
		h.pos[k] += n
	}
	for k, n := range o.neg {
		h.neg[k] += n
	}
	h.zeros += o.zeros
	h.total += o.total
}

// HLL counts distinct byte strings approximately.
type HLL struct {
	p    uint8
	regs []uint8
}

// NewHLL makes a counter with 2^precision registers.
func NewHLL(precision uint8) *HLL {
	if precision < 4 || precision > 18 {
		precision = 14
	}
	return &HLL{p: precision, regs: make([]uint8, 1<<precision)}
}

// Add counts b.
func (h *HLL) Add(b []byte) {
	f := fnv.New64a()
	f.Write(b)
	x := f.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	idx := x >> (64 - h.p)
	rest := x<<h.p | 1<<(h.p-1)
	rank := uint8(bits.LeadingZeros64(rest)) + 1
	if rank > h.regs[idx] {
		h.regs[idx] = rank
	}
}

// Count estimates the number of distinct values added.
func (h *HLL) Count() uint64 {
	m := float64(len(h.regs))
	sum, zeros := 0.0, 0
	for _, r := range h.regs {
		sum += 1 / float64(uint64(1)<<r)
		if r == 0 {
			zeros++
		}
	}
	est := 0.7213 / (1 + 1.079/m) * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	return uint64(est + 0.5)
}

// Merge folds o into h; both must have the same precision.
func (h *HLL) Merge(o *HLL) error {
	if o.p != h.p {
		return errors.New("analytics: HLL precisions differ")
	}
	for i, r := range o.regs {
		h.regs[i] = max(h.regs[i], r)
	}
	return nil
}
