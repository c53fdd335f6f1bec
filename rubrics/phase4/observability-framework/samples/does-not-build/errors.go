package obs

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Kind classifies an error.
type Kind int

// The kinds of error.
const (
	KindOther Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindUnavailable
)

var kindNames = [...]string{"other", "invalid", "not_found", "conflict", "unavailable"}

// String returns the kind's name: "other", "invalid", "not_found",
// "conflict" or "unavailable" ("kind(N)" for any other value).
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a structured error: the operation that failed, a kind, fields
// to log and the underlying error.
type Error struct {
	Op     string
	Kind   Kind
	Fields []slog.Attr
	Err    error
}

// Error returns Op, the kind (unless KindOther) and Err's text, the
// non-empty ones joined by ": ".
func (e *Error) Error() string {
	parts := make([]string, 0, 3)
	if e.Op != "" {
		parts = append(parts, e.Op)
	}
	if e.Kind != KindOther {
		parts = append(parts, e.Kind.String())
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	if len(parts) == 0 {
		return "unknown error"
	}
	return parts
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// LogValue logs the error as a group: op, kind (KindOf), the merged fields
// (FieldsOf), then error (Err's text).
func (e *Error) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 3+len(e.Fields))
	if e.Op != "" {
		attrs = append(attrs, slog.String("op", e.Op))
	}
	attrs = append(attrs, slog.String("kind", KindOf(e).String()))
	attrs = append(attrs, FieldsOf(e)...)
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// E builds an *Error for the operation op. Each argument is a Kind (sets
// Kind), an error (sets Err), a string (sets Err to errors.New of it) or a
// slog.Attr (appended to Fields). Any other type panics.
func E(op string, args ...any) error {
	e := &Error{Op: op}
	for _, a := range args {
		switch a := a.(type) {
		case Kind:
			e.Kind = a
		case error:
			e.Err = a
		case string:
			e.Err = errors.New(a)
		case slog.Attr:
			e.Fields = append(e.Fields, a)
		default:
			panic(fmt.Sprintf("obs.E: argument of unsupported type %T", a))
		}
	}
	return e
}

// walk visits err's tree depth first, the outer error before the errors it
// wraps, errors.Join's errors in order, until visit returns false.
func walk(err error, visit func(error) bool) bool {
	if err == nil {
		return true
	}
	if !visit(err) {
		return false
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return walk(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if !walk(e, visit) {
				return false
			}
		}
	}
	return true
}

// KindOf returns the Kind of the first *Error in err's tree (depth first,
// outer first) whose Kind is not KindOther; KindOther if there is none.
func KindOf(err error) Kind {
	kind := KindOther
	walk(err, func(e error) bool {
		if oe, ok := e.(*Error); ok && oe.Kind != KindOther {
			kind = oe.Kind
			return false
		}
		return true
	})
	return kind
}

// FieldsOf returns the Fields of every *Error in err's tree, in the order
// KindOf visits them; of several fields with the same key only the first
// (outermost) is kept.
func FieldsOf(err error) []slog.Attr {
	var out []slog.Attr
	seen := make(map[string]bool)
	walk(err, func(e error) bool {
		if oe, ok := e.(*Error); ok {
			for _, a := range oe.Fields {
				if !seen[a.Key] {
					seen[a.Key] = true
					out = append(out, a)
				}
			}
		}
		return true
	})
	return out
}
