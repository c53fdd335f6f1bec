package analytics

import (
	"fmt"
	"hash/crc64"
	"math"
)

var crcTable = crc64.MakeTable(crc64.ECMA)

// HLL is a HyperLogLog distinct counter.
type HLL struct {
	bitsIdx uint8
	m       []uint8
}

// NewHLL returns a counter with 2^precision registers.
func NewHLL(precision uint8) *HLL {
	return &HLL{bitsIdx: precision, m: make([]uint8, 1<<precision)}
}

// Add inserts b.
func (h *HLL) Add(b []byte) {
	x := crc64.Checksum(b, crcTable) * 0x9E3779B97F4A7C15
	j := x & (uint64(len(h.m)) - 1)
	w := x >> h.bitsIdx
	rho := uint8(1)
	for w&1 == 0 && rho <= 64-h.bitsIdx {
		rho++
		w >>= 1
	}
	if rho > h.m[j] {
		h.m[j] = rho
	}
}

// Count estimates the cardinality.
func (h *HLL) Count() uint64 {
	var z float64
	empty := 0
	for _, r := range h.m {
		z += math.Pow(2, -float64(r))
		if r == 0 {
			empty++
		}
	}
	m := float64(len(h.m))
	e := (0.7213 / (1 + 1.079/m)) * m * m / z
	if e < 2.5*m && empty != 0 {
		e = m * math.Log(m/float64(empty))
	}
	return uint64(math.Round(e))
}

// Merge takes the register-wise maximum with o.
func (h *HLL) Merge(o *HLL) error {
	if len(o.m) != len(h.m) {
		return fmt.Errorf("analytics: cannot merge HLL of %d registers into %d", len(o.m), len(h.m))
	}
	for i := range h.m {
		if o.m[i] > h.m[i] {
			h.m[i] = o.m[i]
		}
	}
	return nil
}
