package obs_test

// Hidden tests, group "Errors": *obs.Error's text, E's arguments, KindOf
// through %w and errors.Join, errors.As / errors.Is, FieldsOf (outer wins)
// and LogValue.

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"

	obs "example.com/observability-framework"
)

func errCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

func TestHiddenErrors_Text(t *testing.T) {
	defer errCatch(t)
	cases := []struct {
		what string
		err  error
		want string
	}{
		{`E("db.Get", KindNotFound, errors.New("no row"))`, obs.E("db.Get", obs.KindNotFound, errors.New("no row")), "db.Get: not_found: no row"},
		{`E("db.Get", errors.New("no row"))`, obs.E("db.Get", errors.New("no row")), "db.Get: no row"},
		{`E("cache.Put", KindUnavailable)`, obs.E("cache.Put", obs.KindUnavailable), "cache.Put: unavailable"},
		{`E("", KindConflict, "version mismatch")`, obs.E("", obs.KindConflict, "version mismatch"), "conflict: version mismatch"},
		{`E("api", KindInvalid, E("parse", "bad json"))`, obs.E("api", obs.KindInvalid, obs.E("parse", "bad json")), "api: invalid: parse: bad json"},
		{`&Error{}`, &obs.Error{}, "unknown error"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%s.Error() = %q, want %q", c.what, got, c.want)
		}
	}
	names := map[obs.Kind]string{obs.KindOther: "other", obs.KindInvalid: "invalid", obs.KindNotFound: "not_found", obs.KindConflict: "conflict", obs.KindUnavailable: "unavailable"}
	for k, want := range names {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestHiddenErrors_Arguments(t *testing.T) {
	defer errCatch(t)
	cause := errors.New("disk full")
	err := obs.E("store.Save", slog.String("key", "k1"), obs.KindUnavailable, cause, slog.Int("size", 10))
	var e *obs.Error
	if !errors.As(err, &e) {
		t.Fatalf("E returned %T, want an *obs.Error", err)
	}
	if e.Op != "store.Save" || e.Kind != obs.KindUnavailable || e.Err != cause || len(e.Fields) != 2 ||
		e.Fields[0].Key != "key" || e.Fields[1].Key != "size" {
		t.Errorf("E(\"store.Save\", String(key), KindUnavailable, cause, Int(size)) = %+v, want Op store.Save, Kind unavailable, Err cause, Fields [key size] in order", *e)
	}
	err = obs.E("x", "plain text")
	if !errors.As(err, &e) || e.Err == nil || e.Err.Error() != "plain text" {
		t.Errorf("E(\"x\", \"plain text\"): Err = %v, want an error with the text \"plain text\"", e.Err)
	}
}

func TestHiddenErrors_KindOfWrapped(t *testing.T) {
	defer errCatch(t)
	base := obs.E("repo.Find", obs.KindNotFound, "no such user")
	wrapped := fmt.Errorf("handler: %w", fmt.Errorf("service: %w", base))
	if k := obs.KindOf(wrapped); k != obs.KindNotFound {
		t.Errorf("KindOf(fmt.Errorf(%%w, fmt.Errorf(%%w, E(KindNotFound)))) = %v, want not_found", k)
	}
	if k := obs.KindOf(errors.New("plain")); k != obs.KindOther {
		t.Errorf("KindOf(errors.New) = %v, want other", k)
	}
	if k := obs.KindOf(nil); k != obs.KindOther {
		t.Errorf("KindOf(nil) = %v, want other", k)
	}
	var e *obs.Error
	if !errors.As(wrapped, &e) || e.Op != "repo.Find" {
		t.Errorf("errors.As(wrapped, *obs.Error) did not find the *Error with Op repo.Find")
	}
	if !errors.Is(obs.E("open", fs.ErrNotExist), fs.ErrNotExist) {
		t.Errorf("errors.Is(E(\"open\", fs.ErrNotExist), fs.ErrNotExist) = false, want true (Unwrap returns Err)")
	}
}

func TestHiddenErrors_KindOfJoin(t *testing.T) {
	defer errCatch(t)
	joined := errors.Join(errors.New("first"), fmt.Errorf("w: %w", obs.E("b", obs.KindConflict)), obs.E("c", obs.KindInvalid))
	if k := obs.KindOf(joined); k != obs.KindConflict {
		t.Errorf("KindOf(errors.Join(plain, %%w of E(KindConflict), E(KindInvalid))) = %v, want conflict (the first kind found, Join's errors in order)", k)
	}
	deep := fmt.Errorf("top: %w", errors.Join(obs.E("a", "no kind"), obs.E("b", obs.KindUnavailable)))
	if k := obs.KindOf(deep); k != obs.KindUnavailable {
		t.Errorf("KindOf(%%w of errors.Join(E without kind, E(KindUnavailable))) = %v, want unavailable (an *Error of kind other is skipped)", k)
	}
}

func TestHiddenErrors_OuterWins(t *testing.T) {
	defer errCatch(t)
	inner := obs.E("db.Query", obs.KindNotFound, slog.String("table", "users"), slog.Int("id", 1), "no row")
	outer := obs.E("api.GetUser", obs.KindUnavailable, slog.Int("id", 2), slog.String("route", "/u"), fmt.Errorf("svc: %w", inner))
	if k := obs.KindOf(outer); k != obs.KindUnavailable {
		t.Errorf("KindOf(outer of kind unavailable wrapping inner of kind not_found) = %v, want unavailable", k)
	}
	if k := obs.KindOf(obs.E("api", inner)); k != obs.KindNotFound {
		t.Errorf("KindOf(E(\"api\", inner not_found)) = %v, want not_found (the outer has kind other)", k)
	}
	var got []string
	for _, a := range obs.FieldsOf(outer) {
		got = append(got, a.String())
	}
	want := "id=2 route=/u table=users"
	if strings.Join(got, " ") != want {
		t.Errorf("FieldsOf(outer{id=2 route=/u} wrapping inner{table=users id=1}) = %q, want %q (outer first; the outer id wins)", got, want)
	}
	if f := obs.FieldsOf(errors.New("plain")); len(f) != 0 {
		t.Errorf("FieldsOf(errors.New) = %v, want none", f)
	}
}

func TestHiddenErrors_LogValue(t *testing.T) {
	defer errCatch(t)
	inner := obs.E("db.Query", obs.KindNotFound, slog.String("table", "users"), slog.Int("id", 1), "no row")
	outer := &obs.Error{Op: "api.GetUser", Fields: []slog.Attr{slog.Int("id", 2)}, Err: inner}
	var lv slog.LogValuer = outer
	v := lv.LogValue()
	if v.Kind() != slog.KindGroup {
		t.Fatalf("LogValue().Kind() = %v, want Group", v.Kind())
	}
	var got []string
	for _, a := range v.Group() {
		got = append(got, a.String())
	}
	want := "op=api.GetUser kind=not_found id=2 table=users error=db.Query: not_found: no row"
	if strings.Join(got, " ") != want {
		t.Errorf("LogValue() of an *Error{Op api.GetUser, Fields id=2} wrapping E(db.Query, not_found, table, id=1, \"no row\") = %q, want %q", got, want)
	}
	v = (&obs.Error{Kind: obs.KindInvalid}).LogValue()
	got = got[:0]
	for _, a := range v.Group() {
		got = append(got, a.String())
	}
	if strings.Join(got, " ") != "kind=invalid" {
		t.Errorf("LogValue() of &Error{Kind: KindInvalid} = %q, want [kind=invalid] (no op, no error)", got)
	}
}
