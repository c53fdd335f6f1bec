package obs

import "log/slog"

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

// String returns the kind's name: "other", "invalid", "not_found",
// "conflict" or "unavailable".
func (k Kind) String() string { panic("not implemented") }

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
func (e *Error) Error() string { panic("not implemented") }

// Unwrap returns Err.
func (e *Error) Unwrap() error { panic("not implemented") }

// LogValue logs the error as a group: op, kind, the merged fields, error.
func (e *Error) LogValue() slog.Value { panic("not implemented") }

// E builds an *Error for the operation op from its arguments: a Kind, an
// error, a string (an error with that text) or a slog.Attr (a field).
func E(op string, args ...any) error { panic("not implemented") }

// KindOf returns the Kind of the first *Error in err's tree whose Kind is
// not KindOther; KindOther if there is none.
func KindOf(err error) Kind { panic("not implemented") }

// FieldsOf returns the Fields of every *Error in err's tree, outermost
// first; of several fields with the same key only the outermost is kept.
func FieldsOf(err error) []slog.Attr { panic("not implemented") }
