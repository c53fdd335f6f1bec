package obs_test

// Hidden tests, group "Exposition": the Prometheus text format written by
// Registry.WriteText and served by Registry.Handler (golden text kept in
// this file), registration rules and With.

import (
	"bytes"
	"io"
	"mime"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"testing"

	obs "example.com/observability-framework"
	"github.com/google/go-cmp/cmp"
)

func expCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

func expText(t *testing.T, r *obs.Registry) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatalf("WriteText returned %v, want nil", err)
	}
	return b.String()
}

func expCompare(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: WriteText wrote\n%s\nwant exactly\n%s\ndiff (-want +got, by line):\n%s", what, got, want,
			cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n")))
	}
}

// expPanics calls f and reports whether it panicked.
func expPanics(f func()) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	f()
	return false
}

func TestHiddenExposition_Golden(t *testing.T) {
	defer expCatch(t)
	r := obs.NewRegistry()
	reqs := r.Counter("http_requests_total", "Requests served.", "method", "code")
	temp := r.Gauge("temperature_celsius", "Current temperature.")
	lat := r.Histogram("http_request_seconds", "Request latency.", []float64{0.1, 0.5, 1}, "route")
	r.Gauge("build_info", "Build information.", "version").With("1.2.3").Set(1)
	r.Counter("empty_total", "Never used.", "x")

	reqs.With("POST", "201").Inc()
	reqs.With("GET", "200").Add(2.5)
	reqs.With("GET", "200").Inc()
	reqs.With("GET", "404").Inc()
	temp.With().Set(-3.25)
	for _, v := range []float64{0.05, 0.1, 0.3, 0.7, 2} {
		lat.With("/users").Observe(v)
	}
	lat.With("/health").Observe(0.01)

	want := `# HELP build_info Build information.
# TYPE build_info gauge
build_info{version="1.2.3"} 1
# HELP empty_total Never used.
# TYPE empty_total counter
# HELP http_request_seconds Request latency.
# TYPE http_request_seconds histogram
http_request_seconds_bucket{route="/health",le="0.1"} 1
http_request_seconds_bucket{route="/health",le="0.5"} 1
http_request_seconds_bucket{route="/health",le="1"} 1
http_request_seconds_bucket{route="/health",le="+Inf"} 1
http_request_seconds_sum{route="/health"} 0.01
http_request_seconds_count{route="/health"} 1
http_request_seconds_bucket{route="/users",le="0.1"} 2
http_request_seconds_bucket{route="/users",le="0.5"} 3
http_request_seconds_bucket{route="/users",le="1"} 4
http_request_seconds_bucket{route="/users",le="+Inf"} 5
http_request_seconds_sum{route="/users"} 3.15
http_request_seconds_count{route="/users"} 5
# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{method="GET",code="200"} 3.5
http_requests_total{method="GET",code="404"} 1
http_requests_total{method="POST",code="201"} 1
# HELP temperature_celsius Current temperature.
# TYPE temperature_celsius gauge
temperature_celsius -3.25
`
	expCompare(t, "a registry of 5 families (see the README's example)", expText(t, r), want)
}

func TestHiddenExposition_SeriesOrder(t *testing.T) {
	defer expCatch(t)
	r := obs.NewRegistry()
	c := r.Counter("ops_total", "Ops.", "a", "b")
	for _, v := range [][2]string{{"b", "1"}, {"ab", "a"}, {"a", "z"}, {"a", "10"}, {"a", "9"}, {"", "x"}} {
		c.With(v[0], v[1]).Inc()
	}
	want := `# HELP ops_total Ops.
# TYPE ops_total counter
ops_total{a="",b="x"} 1
ops_total{a="a",b="10"} 1
ops_total{a="a",b="9"} 1
ops_total{a="a",b="z"} 1
ops_total{a="ab",b="a"} 1
ops_total{a="b",b="1"} 1
`
	expCompare(t, "series sorted by their first label value, then the second (byte-wise string order)", expText(t, r), want)
}

func TestHiddenExposition_Escaping(t *testing.T) {
	defer expCatch(t)
	r := obs.NewRegistry()
	r.Counter("files_total", "Files seen.\nBackslash: \\ and \"quotes\".", "path").With("C:\\dir\\\"a\"\nb").Add(4)
	want := `# HELP files_total Files seen.\nBackslash: \\ and "quotes".
# TYPE files_total counter
files_total{path="C:\\dir\\\"a\"\nb"} 4
`
	expCompare(t, "HELP escapes \\ and newline; label values escape \\, \" and newline", expText(t, r), want)
}

func TestHiddenExposition_Histogram(t *testing.T) {
	defer expCatch(t)
	r := obs.NewRegistry()
	h := r.Histogram("size_bytes", "Sizes.", []float64{1, 10, 100}).With()
	for _, v := range []float64{0, 1, 1, 5, 10, 10.5, 100, 1000} {
		h.Observe(v)
	}
	r.Histogram("nobuckets", "No buckets.", nil).With().Observe(7)
	want := `# HELP nobuckets No buckets.
# TYPE nobuckets histogram
nobuckets_bucket{le="+Inf"} 1
nobuckets_sum 7
nobuckets_count 1
# HELP size_bytes Sizes.
# TYPE size_bytes histogram
size_bytes_bucket{le="1"} 3
size_bytes_bucket{le="10"} 5
size_bytes_bucket{le="100"} 7
size_bytes_bucket{le="+Inf"} 8
size_bytes_sum 1127.5
size_bytes_count 8
`
	expCompare(t, "cumulative buckets (a value equal to a bound counts in that bucket), +Inf, _sum, _count; no buckets", expText(t, r), want)
}

func TestHiddenExposition_Handler(t *testing.T) {
	defer expCatch(t)
	r := obs.NewRegistry()
	r.Counter("hits_total", "Hits.").With().Add(1e6)
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Errorf("GET /metrics: status %d, want 200", res.StatusCode)
	}
	ct := res.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "text/plain" || params["version"] != "0.0.4" {
		t.Errorf("GET /metrics: Content-Type %q, want text/plain with version=0.0.4 (\"text/plain; version=0.0.4; charset=utf-8\")", ct)
	}
	want := "# HELP hits_total Hits.\n# TYPE hits_total counter\nhits_total 1e+06\n"
	if string(body) != want {
		t.Errorf("GET /metrics: body %q, want %q (WriteText's output; 1e6 formatted by strconv.FormatFloat(v, 'g', -1, 64))", body, want)
	}
}

func TestHiddenExposition_Registration(t *testing.T) {
	defer expCatch(t)
	r := obs.NewRegistry()
	c1 := r.Counter("jobs_total", "Jobs.", "queue")
	c2 := r.Counter("jobs_total", "Jobs.", "queue")
	c1.With("q1").Inc()
	c2.With("q1").Inc()
	if c1.With("q1") != c2.With("q1") {
		t.Errorf("Counter registered twice with the same name and labels: With(\"q1\") gave two different *Counter, want the same series")
	}
	cases := []struct {
		what string
		f    func()
	}{
		{`Counter("jobs_total", labels "queue", "prio") after Counter("jobs_total", "queue")`, func() { r.Counter("jobs_total", "Jobs.", "queue", "prio") }},
		{`Counter("jobs_total") without labels after Counter("jobs_total", "queue")`, func() { r.Counter("jobs_total", "Jobs.") }},
		{`Gauge("jobs_total", "queue") after Counter("jobs_total", "queue")`, func() { r.Gauge("jobs_total", "Jobs.", "queue") }},
		{`Histogram("jobs_total", "queue") after Counter("jobs_total", "queue")`, func() { r.Histogram("jobs_total", "Jobs.", []float64{1}, "queue") }},
	}
	for _, c := range cases {
		if !expPanics(c.f) {
			t.Errorf("%s did not panic, want a panic (same name, different labels or type)", c.what)
		}
	}
	want := "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total{queue=\"q1\"} 2\n"
	expCompare(t, "after the registrations above", expText(t, r), want)
}

func TestHiddenExposition_With(t *testing.T) {
	defer expCatch(t)
	r := obs.NewRegistry()
	v := r.Counter("calls_total", "Calls.", "a", "b")
	if v.With("x", "y") != v.With("x", "y") {
		t.Errorf("With(\"x\", \"y\") twice returned two different *Counter, want the same")
	}
	if v.With("x", "y") == v.With("x", "z") {
		t.Errorf("With(\"x\", \"y\") and With(\"x\", \"z\") returned the same *Counter")
	}
	if v.With("xy", "") == v.With("x", "y") {
		t.Errorf("With(\"xy\", \"\") and With(\"x\", \"y\") returned the same *Counter (label values are not concatenated)")
	}
	for _, n := range []int{0, 1, 3} {
		vals := make([]string, n)
		if !expPanics(func() { v.With(vals...) }) {
			t.Errorf("With with %d values on a family of 2 labels did not panic", n)
		}
	}
	if !expPanics(func() { v.With("x", "y").Add(-1) }) {
		t.Errorf("Counter.Add(-1) did not panic: a counter never decreases")
	}
	g := r.Gauge("level", "Level.").With()
	g.Set(10)
	g.Add(-12.5)
	text := expText(t, r)
	for _, line := range []string{"level -2.5\n", `calls_total{a="x",b="y"} 0` + "\n", `calls_total{a="xy",b=""} 0` + "\n"} {
		if !strings.Contains(text, line) {
			t.Errorf("WriteText output lacks the line %q; got:\n%s", strings.TrimSuffix(line, "\n"), text)
		}
	}
}
