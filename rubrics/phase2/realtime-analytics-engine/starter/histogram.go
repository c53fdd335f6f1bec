package analytics

// Histogram is a quantile sketch with relative error relErr (logarithmic
// buckets). It need not be safe for concurrent use.
type Histogram struct {
	// TODO
}

// NewHistogram returns an empty histogram. A relErr outside (0, 1) means
// 0.01.
func NewHistogram(relErr float64) *Histogram {
	return &Histogram{} // TODO
}

// Record counts v.
func (h *Histogram) Record(v float64) {
	// TODO
}

// Quantile returns an estimate, within relErr, of the value of rank
// floor(q*(n-1)) (0-based, in increasing order) of the n recorded values. q
// is clamped to [0, 1]; an empty histogram returns NaN.
func (h *Histogram) Quantile(q float64) float64 {
	return 0 // TODO
}

// Merge adds the values recorded by o to h; o is not changed.
func (h *Histogram) Merge(o *Histogram) {
	// TODO
}
