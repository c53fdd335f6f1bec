package obs

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ContentType is the Content-Type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteText writes every family in the Prometheus text exposition format:
// families sorted by name, each with its HELP and TYPE lines, then its
// series sorted by label values.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })

	var b bytes.Buffer
	for _, f := range fams {
		f.write(&b)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Handler serves WriteText's output with the exposition Content-Type.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		var b bytes.Buffer
		if err := r.WriteText(&b); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		w.Write(b.Bytes())
	})
}

func (f *family) write(b *bytes.Buffer) {
	f.mu.RLock()
	all := make([]*series, 0, len(f.series))
	for _, s := range f.series {
		all = append(all, s)
	}
	f.mu.RUnlock()
	slices.SortFunc(all, func(x, y *series) int { return slices.Compare(x.values, y.values) })

	b.WriteString("# HELP " + f.name + " ")
	helpEscaper.WriteString(b, f.help)
	b.WriteString("\n# TYPE " + f.name + " " + f.typ + "\n")
	for _, s := range all {
		switch f.typ {
		case typeCounter:
			f.sample(b, "", s.values, "", s.counter.v.load())
		case typeGauge:
			f.sample(b, "", s.values, "", s.gauge.v.load())
		case typeHistogram:
			h := &s.histogram
			for i := range h.counts {
				n := h.counts[i].Load()
				le := math.Inf(1)
				if i < len(h.upper) {
					le = h.upper[i]
				}
				f.sample(b, "_bucket", s.values, formatFloat(le), float64(n))
			}
			f.sample(b, "_sum", s.values, "", h.sum.load())
			f.sample(b, "_count", s.values, "", float64(h.count.Load()))
		}
	}
}

// sample writes one line: name+suffix, the labels (and le if not empty),
// the value.
func (f *family) sample(b *bytes.Buffer, suffix string, values []string, le string, v float64) {
	b.WriteString(f.name + suffix)
	if len(values) > 0 || le != "" {
		b.WriteByte('{')
		for i, name := range f.labels {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(name + `="`)
			labelEscaper.WriteString(b, values[i])
			b.WriteByte('"')
		}
		if le != "" {
			if len(values) > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`le="` + le + `"`)
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(formatFloat(v))
	b.WriteByte('\n')
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
