package trace_test

// Hidden tests, group "Traceparent": parsing and formatting the W3C
// traceparent header ("version-traceid-parentid-flags", lowercase hex).

import (
	"errors"
	"strings"
	"testing"

	trace "example.com/distributed-tracing"
)

const (
	tpTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	tpSpan  = "00f067aa0ba902b7"
)

// tpParse calls ParseTraceparent, turning a panic into a test failure.
func tpParse(t *testing.T, h string) (sc trace.SpanContext, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("ParseTraceparent(%q) panicked: %v", h, r)
			err = errors.New("panicked")
		}
	}()
	return trace.ParseTraceparent(h)
}

func tpIDs() (trace.TraceID, trace.SpanID) {
	return trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
}

func tpValid(t *testing.T, h string, want trace.SpanContext) {
	t.Helper()
	got, err := tpParse(t, h)
	if err != nil {
		t.Errorf("ParseTraceparent(%q) returned the error %v, want %+v", h, err, want)
		return
	}
	if got != want {
		t.Errorf("ParseTraceparent(%q) = %+v, want %+v", h, got, want)
	}
}

func tpInvalid(t *testing.T, h, why string) {
	t.Helper()
	got, err := tpParse(t, h)
	if err == nil {
		t.Errorf("ParseTraceparent(%q) = %+v, nil; want an error (%s)", h, got, why)
		return
	}
	if !errors.Is(err, trace.ErrInvalidTraceparent) {
		t.Errorf("ParseTraceparent(%q) returned the error %v, which does not wrap ErrInvalidTraceparent (errors.Is)", h, err)
	}
	if got != (trace.SpanContext{}) {
		t.Errorf("ParseTraceparent(%q) returned %+v with its error, want the zero SpanContext", h, got)
	}
}

func TestHiddenTraceparent_ValidVectors(t *testing.T) {
	tid, sid := tpIDs()
	tpValid(t, "00-"+tpTrace+"-"+tpSpan+"-01", trace.SpanContext{TraceID: tid, SpanID: sid, Sampled: true, Remote: true})
	tpValid(t, "00-"+tpTrace+"-"+tpSpan+"-00", trace.SpanContext{TraceID: tid, SpanID: sid, Sampled: false, Remote: true})
	tpValid(t, "00-"+tpTrace+"-"+tpSpan+"-03", trace.SpanContext{TraceID: tid, SpanID: sid, Sampled: true, Remote: true})
	tpValid(t, "00-"+tpTrace+"-"+tpSpan+"-fe", trace.SpanContext{TraceID: tid, SpanID: sid, Sampled: false, Remote: true})
	tpValid(t, "00-00000000000000000000000000000001-0000000000000001-01", trace.SpanContext{
		TraceID: trace.TraceID{15: 1}, SpanID: trace.SpanID{7: 1}, Sampled: true, Remote: true})
}

func TestHiddenTraceparent_Format(t *testing.T) {
	tid, sid := tpIDs()
	for _, tc := range []struct {
		sc   trace.SpanContext
		want string
	}{
		{trace.SpanContext{TraceID: tid, SpanID: sid, Sampled: true}, "00-" + tpTrace + "-" + tpSpan + "-01"},
		{trace.SpanContext{TraceID: tid, SpanID: sid}, "00-" + tpTrace + "-" + tpSpan + "-00"},
		{trace.SpanContext{TraceID: trace.TraceID{0: 0xab, 15: 0xcd}, SpanID: trace.SpanID{0: 0xef, 7: 0x01}, Sampled: true, Remote: true},
			"00-ab0000000000000000000000000000cd-ef00000000000001-01"},
	} {
		if got := tc.sc.Traceparent(); got != tc.want {
			t.Errorf("%+v.Traceparent() = %q, want %q", tc.sc, got, tc.want)
			continue
		}
		back, err := tpParse(t, tc.want)
		want := tc.sc
		want.Remote = true
		if err != nil || back != want {
			t.Errorf("ParseTraceparent(%q) = %+v, %v; want %+v, nil (the round trip of Traceparent)", tc.want, back, err, want)
		}
	}
}

func TestHiddenTraceparent_RejectsUppercase(t *testing.T) {
	tpInvalid(t, "00-"+strings.ToUpper(tpTrace)+"-"+tpSpan+"-01", "uppercase hex in the trace-id")
	tpInvalid(t, "00-"+tpTrace+"-00F067AA0BA902B7-01", "uppercase hex in the parent-id")
	tpInvalid(t, "00-"+tpTrace+"-"+tpSpan+"-0A", "uppercase hex in the flags")
	tpInvalid(t, "0A-"+tpTrace+"-"+tpSpan+"-01", "uppercase hex in the version")
}

func TestHiddenTraceparent_RejectsVersionFF(t *testing.T) {
	tpInvalid(t, "ff-"+tpTrace+"-"+tpSpan+"-01", "version ff is forbidden")
	tpInvalid(t, "ff-"+tpTrace+"-"+tpSpan+"-01-extra", "version ff is forbidden")
}

func TestHiddenTraceparent_RejectsZeroIDs(t *testing.T) {
	tpInvalid(t, "00-00000000000000000000000000000000-"+tpSpan+"-01", "all-zero trace-id")
	tpInvalid(t, "00-"+tpTrace+"-0000000000000000-01", "all-zero parent-id")
	tpInvalid(t, "01-00000000000000000000000000000000-"+tpSpan+"-01", "all-zero trace-id (future version)")
}

func TestHiddenTraceparent_RejectsWrongLengths(t *testing.T) {
	for _, tc := range []struct{ h, why string }{
		{"", "empty"},
		{"00", "version only"},
		{"00-" + tpTrace[:31] + "-" + tpSpan + "-01", "trace-id of 31 digits"},
		{"00-" + tpTrace + "0-" + tpSpan + "-01", "trace-id of 33 digits"},
		{"00-" + tpTrace + "-" + tpSpan[:15] + "-01", "parent-id of 15 digits"},
		{"00-" + tpTrace + "-" + tpSpan + "0-01", "parent-id of 17 digits"},
		{"00-" + tpTrace + "-" + tpSpan + "-1", "flags of 1 digit"},
		{"00-" + tpTrace + "-" + tpSpan + "-011", "flags of 3 digits"},
		{"0-" + tpTrace + "-" + tpSpan + "-01", "version of 1 digit"},
		{"000-" + tpTrace + "-" + tpSpan + "-01", "version of 3 digits"},
		{"00-" + tpTrace + "-" + tpSpan, "no flags"},
		{"00-" + tpTrace + "-" + tpSpan + "-01-", "version 00 with a 5th field"},
		{"00-" + tpTrace + "-" + tpSpan + "-01-extra", "version 00 with a 5th field"},
	} {
		tpInvalid(t, tc.h, tc.why)
	}
}

func TestHiddenTraceparent_RejectsBadCharacters(t *testing.T) {
	for _, tc := range []struct{ h, why string }{
		{"00_" + tpTrace + "-" + tpSpan + "-01", "'_' instead of '-'"},
		{"00-" + tpTrace + "_" + tpSpan + "-01", "'_' instead of '-'"},
		{"00-" + tpTrace + "-" + tpSpan + "_01", "'_' instead of '-'"},
		{"00-" + tpTrace[:31] + "g-" + tpSpan + "-01", "'g' in the trace-id"},
		{"00-" + tpTrace + "-" + tpSpan[:15] + "z-01", "'z' in the parent-id"},
		{"00-" + tpTrace + "-" + tpSpan + "-0g", "'g' in the flags"},
		{"0x-" + tpTrace + "-" + tpSpan + "-01", "'x' in the version"},
		{" 00-" + tpTrace + "-" + tpSpan + "-01", "a leading space"},
	} {
		tpInvalid(t, tc.h, tc.why)
	}
}

func TestHiddenTraceparent_FutureVersion(t *testing.T) {
	tid, sid := tpIDs()
	want := trace.SpanContext{TraceID: tid, SpanID: sid, Sampled: true, Remote: true}
	tpValid(t, "01-"+tpTrace+"-"+tpSpan+"-01", want)
	tpValid(t, "01-"+tpTrace+"-"+tpSpan+"-01-what-the-future-holds", want)
	tpValid(t, "cc-"+tpTrace+"-"+tpSpan+"-09-x", want)
	tpInvalid(t, "01-"+tpTrace+"-"+tpSpan+"-01x", "a future version's extra fields must start with '-'")
}
