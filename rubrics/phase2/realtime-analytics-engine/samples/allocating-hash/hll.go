package analytics

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"math/bits"
)

// HLL is a HyperLogLog counter of distinct byte strings with 2^precision
// registers. It is not safe for concurrent use.
type HLL struct {
	p      uint8
	reg    []uint8
	hasher hash.Hash64 // reused by every Add, so that Add does not allocate
}

// NewHLL returns an empty counter with 2^precision registers. A precision of
// 0 means 14; NewHLL panics if precision is outside 4..18.
func NewHLL(precision uint8) *HLL {
	if precision == 0 {
		precision = 14
	}
	if precision < 4 || precision > 18 {
		panic(fmt.Sprintf("analytics: HLL precision %d outside 4..18", precision))
	}
	return &HLL{p: precision, reg: make([]uint8, 1<<precision), hasher: fnv.New64a()}
}

// Add counts b. It does not allocate.
func (h *HLL) Add(b []byte) {
	h.hasher.Reset()
	h.hasher.Write(b)
	h.addHash(fmix64(h.hasher.Sum64()))
}

func (h *HLL) addHash(x uint64) {
	idx := x >> (64 - h.p)
	w := x<<h.p | 1<<(h.p-1)
	if rho := uint8(bits.LeadingZeros64(w) + 1); rho > h.reg[idx] {
		h.reg[idx] = rho
	}
}

// Count returns the estimated number of distinct values added.
func (h *HLL) Count() uint64 {
	m := float64(len(h.reg))
	sum, zeros := 0.0, 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
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

// ErrPrecision is returned by Merge for counters of different precisions.
var ErrPrecision = errors.New("analytics: HLL precisions differ")

// Merge adds the values counted by o to h. Both must have the same
// precision.
func (h *HLL) Merge(o *HLL) error {
	if o.p != h.p {
		return fmt.Errorf("%w: %d and %d", ErrPrecision, h.p, o.p)
	}
	for i, r := range o.reg {
		if r > h.reg[i] {
			h.reg[i] = r
		}
	}
	return nil
}

func (h *HLL) reset() { clear(h.reg) }
