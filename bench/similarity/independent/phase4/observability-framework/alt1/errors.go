// Package obs: structured errors, a redacting JSON log handler and
// Prometheus-style metrics.
package obs

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Kind classifies an error.
type Kind int

// Error kinds.
const (
	KindOther Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindUnavailable
)

var kindNames = [...]string{"other", "invalid", "not_found", "conflict", "unavailable"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an operation's error with a kind and context fields.
type Error struct {
	Op     string
	Kind   Kind
	Fields []slog.Attr
	Err    error
}

func (e *Error) Error() string {
	var parts []string
	if e.Op != "" {
		parts = append(parts, e.Op)
	}
	if e.Kind != KindOther {
		parts = append(parts, e.Kind.String())
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// LogValue logs the error as a group.
func (e *Error) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("op", e.Op), slog.String("kind", KindOf(e).String())}
	attrs = append(attrs, FieldsOf(e)...)
	if e.Err != nil {
		attrs = append(attrs, slog.String("cause", e.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// E builds an *Error: args may be a Kind, an error, slog.Attr values and
// key/value pairs, a string message.
func E(op string, args ...any) error {
	e := &Error{Op: op}
	for i := 0; i < len(args); i++ {
		switch a := args[i].(type) {
		case Kind:
			e.Kind = a
		case error:
			e.Err = a
		case slog.Attr:
			e.Fields = append(e.Fields, a)
		case string:
			if i+1 < len(args) {
				e.Fields = append(e.Fields, slog.Any(a, args[i+1]))
				i++
			} else {
				e.Err = errors.New(a)
			}
		default:
			e.Fields = append(e.Fields, slog.Any("!BADKEY", a))
		}
	}
	return e
}

// KindOf returns the first non-other kind in err's chain.
func KindOf(err error) Kind {
	for err != nil {
		if e, ok := err.(*Error); ok && e.Kind != KindOther {
			return e.Kind
		}
		err = errors.Unwrap(err)
	}
	return KindOther
}

// FieldsOf collects the fields of every *Error in the chain, outermost
// first.
func FieldsOf(err error) []slog.Attr {
	var out []slog.Attr
	for err != nil {
		if e, ok := err.(*Error); ok {
			out = append(out, e.Fields...)
		}
		err = errors.Unwrap(err)
	}
	return out
}
