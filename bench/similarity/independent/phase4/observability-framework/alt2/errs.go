// Package obs bundles error, logging and metrics helpers.
package obs

import (
	"errors"
	"log/slog"
)

// Kind is the category of an error.
type Kind int

// The kinds.
const (
	KindOther Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindUnavailable
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindUnavailable:
		return "unavailable"
	}
	return "other"
}

// Error carries an operation name, a kind and attributes.
type Error struct {
	Op     string
	Kind   Kind
	Fields []slog.Attr
	Err    error
}

func (e *Error) Error() string {
	msg := e.Op
	if e.Kind != KindOther {
		msg += ": " + e.Kind.String()
	}
	if e.Err != nil {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) LogValue() slog.Value {
	var as []slog.Attr
	as = append(as, slog.String("op", e.Op), slog.String("kind", KindOf(e).String()))
	if e.Err != nil {
		as = append(as, slog.String("error", e.Err.Error()))
	}
	return slog.GroupValue(append(as, FieldsOf(e)...)...)
}

// E makes an error for op from a mix of Kind, error, attrs and key/values.
func E(op string, args ...any) error {
	out := &Error{Op: op}
	var kv []any
	for _, a := range args {
		switch v := a.(type) {
		case Kind:
			out.Kind = v
		case error:
			out.Err = v
		default:
			kv = append(kv, a)
		}
	}
	r := slog.Record{}
	r.Add(kv...)
	r.Attrs(func(a slog.Attr) bool {
		out.Fields = append(out.Fields, a)
		return true
	})
	return out
}

// KindOf finds the kind of err.
func KindOf(err error) Kind {
	var e *Error
	for errors.As(err, &e) {
		if e.Kind != KindOther {
			return e.Kind
		}
		err = e.Err
	}
	return KindOther
}

// FieldsOf gathers the attributes along err's chain.
func FieldsOf(err error) []slog.Attr {
	var all []slog.Attr
	var e *Error
	for errors.As(err, &e) {
		all = append(all, e.Fields...)
		err = e.Err
	}
	return all
}
