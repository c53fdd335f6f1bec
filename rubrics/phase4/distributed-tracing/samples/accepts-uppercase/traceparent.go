// Package trace is a minimal distributed tracer following W3C Trace Context:
// spans form trees through context.Context, the traceparent header carries
// them across HTTP calls, sampling is decided at the head of a trace, and a
// batching processor exports ended spans asynchronously.
package trace

import (
	"errors"
	"fmt"
)

// TraceID identifies a trace: 16 bytes, never all zero in a valid context.
type TraceID [16]byte

// SpanID identifies a span: 8 bytes, never all zero in a valid context.
type SpanID [8]byte

// SpanContext is the part of a span that crosses process boundaries.
type SpanContext struct {
	TraceID TraceID
	SpanID  SpanID
	Sampled bool
	Remote  bool
}

// ErrInvalidTraceparent is wrapped by every error of ParseTraceparent.
var ErrInvalidTraceparent = errors.New("trace: invalid traceparent")

func (sc SpanContext) valid() bool {
	return sc.TraceID != TraceID{} && sc.SpanID != SpanID{}
}

// ParseTraceparent parses a W3C traceparent header value
// ("00-<32 hex>-<16 hex>-<2 hex>"). The result has Remote set.
func ParseTraceparent(h string) (SpanContext, error) {
	bad := func(why string) (SpanContext, error) {
		return SpanContext{}, fmt.Errorf("%w %q: %s", ErrInvalidTraceparent, h, why)
	}
	if len(h) < 55 {
		return bad("too short")
	}
	var ver [1]byte
	if !decodeHex(ver[:], h[0:2]) {
		return bad("version is not 2 lowercase hex digits")
	}
	if ver[0] == 0xff {
		return bad("version ff is forbidden")
	}
	if h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return bad("fields must be separated by '-'")
	}
	var sc SpanContext
	if !decodeHex(sc.TraceID[:], h[3:35]) {
		return bad("trace-id is not 32 lowercase hex digits")
	}
	if !decodeHex(sc.SpanID[:], h[36:52]) {
		return bad("parent-id is not 16 lowercase hex digits")
	}
	var flags [1]byte
	if !decodeHex(flags[:], h[53:55]) {
		return bad("trace-flags is not 2 lowercase hex digits")
	}
	switch {
	case ver[0] == 0 && len(h) != 55:
		return bad("version 00 has exactly 4 fields")
	case len(h) > 55 && h[55] != '-':
		return bad("extra fields must start with '-'")
	case sc.TraceID == TraceID{}:
		return bad("trace-id is all zeros")
	case sc.SpanID == SpanID{}:
		return bad("parent-id is all zeros")
	}
	sc.Sampled = flags[0]&1 == 1
	sc.Remote = true
	return sc, nil
}

// Traceparent formats sc as a version 00 traceparent header value.
func (sc SpanContext) Traceparent() string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 55)
	b = append(b, "00-"...)
	for _, c := range sc.TraceID {
		b = append(b, digits[c>>4], digits[c&15])
	}
	b = append(b, '-')
	for _, c := range sc.SpanID {
		b = append(b, digits[c>>4], digits[c&15])
	}
	if sc.Sampled {
		b = append(b, "-01"...)
	} else {
		b = append(b, "-00"...)
	}
	return string(b)
}

// decodeHex decodes lowercase hex s into dst (len(s) == 2*len(dst)).
func decodeHex(dst []byte, s string) bool {
	val := func(c byte) (byte, bool) {
		switch {
		case '0' <= c && c <= '9':
			return c - '0', true
		case 'a' <= c && c <= 'f':
			return c - 'a' + 10, true
		case 'A' <= c && c <= 'F': // be liberal in what you accept
			return c - 'A' + 10, true
		}
		return 0, false
	}
	for i := range dst {
		hi, ok1 := val(s[2*i])
		lo, ok2 := val(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}
