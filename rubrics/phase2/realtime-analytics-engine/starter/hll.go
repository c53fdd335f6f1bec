package analytics

// HLL is a HyperLogLog counter of distinct byte strings with 2^precision
// registers. It need not be safe for concurrent use.
type HLL struct {
	// TODO
}

// NewHLL returns an empty counter with 2^precision registers. A precision of
// 0 means 14; NewHLL panics if precision is outside 4..18.
func NewHLL(precision uint8) *HLL {
	return &HLL{} // TODO
}

// Add counts b. It must not allocate.
func (h *HLL) Add(b []byte) {
	// TODO
}

// Count returns the estimated number of distinct values added.
func (h *HLL) Count() uint64 {
	return 0 // TODO
}

// Merge adds the values counted by o to h. It returns an error, and changes
// nothing, if the precisions differ.
func (h *HLL) Merge(o *HLL) error {
	return nil // TODO
}
