// Package trace records spans and propagates trace context over HTTP.
package trace

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
)

// TraceID identifies a trace.
type TraceID [16]byte

// SpanID identifies a span.
type SpanID [8]byte

// SpanContext identifies a span within its trace.
type SpanContext struct {
	TraceID TraceID
	SpanID  SpanID
	Sampled bool
	Remote  bool // parsed from a traceparent header
}

// ErrInvalidTraceparent reports a bad traceparent value.
var ErrInvalidTraceparent = errors.New("trace: invalid traceparent")

func decodeField(dst []byte, s string) bool {
	if s != strings.ToLower(s) {
		return false
	}
	n, err := hex.Decode(dst, []byte(s))
	if err != nil || n != len(dst) {
		return false
	}
	for _, b := range dst {
		if b != 0 {
			return true
		}
	}
	return false
}

// ParseTraceparent reads "version-traceid-spanid-flags".
func ParseTraceparent(h string) (SpanContext, error) {
	fail := func() (SpanContext, error) { return SpanContext{}, ErrInvalidTraceparent }
	if len(h) < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return fail()
	}
	v, err := strconv.ParseUint(h[:2], 16, 8)
	if err != nil || v == 255 || h[:2] != strings.ToLower(h[:2]) {
		return fail()
	}
	if v == 0 && len(h) != 55 {
		return fail()
	}
	if len(h) > 55 && h[55] != '-' {
		return fail()
	}
	var sc SpanContext
	if !decodeField(sc.TraceID[:], h[3:35]) || !decodeField(sc.SpanID[:], h[36:52]) {
		return fail()
	}
	var fl [1]byte
	if _, err := hex.Decode(fl[:], []byte(h[53:55])); err != nil || h[53:55] != strings.ToLower(h[53:55]) {
		return fail()
	}
	sc.Sampled = fl[0]&0x01 != 0
	sc.Remote = true
	return sc, nil
}

// Traceparent renders the version 00 header.
func (sc SpanContext) Traceparent() string {
	var b strings.Builder
	b.WriteString("00-")
	b.WriteString(hex.EncodeToString(sc.TraceID[:]))
	b.WriteByte('-')
	b.WriteString(hex.EncodeToString(sc.SpanID[:]))
	if sc.Sampled {
		b.WriteString("-01")
	} else {
		b.WriteString("-00")
	}
	return b.String()
}
