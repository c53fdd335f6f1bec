package obs_test

// Hidden tests, group "Slogtest": NewJSONHandler is a conforming
// slog.Handler (testing/slogtest) that writes one JSON object per line,
// with the level, time, source and value encodings of log/slog's JSON.

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	obs "example.com/observability-framework"
)

func slogCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

// slogLines decodes every line of buf as a JSON object.
func slogLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	text := buf.String()
	if text != "" && !strings.HasSuffix(text, "\n") {
		t.Errorf("output %q does not end with a newline: each record is one line ending in \\n", text)
	}
	for line := range strings.SplitSeq(strings.TrimSuffix(text, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line %q is not a JSON object: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// slogSafe wraps the handler under test so that a panic in one of its
// methods, which slogtest calls from a subtest's goroutine, fails that
// subtest instead of crashing the test binary.
type slogSafe struct {
	t *testing.T
	h slog.Handler
}

func (s slogSafe) catch() {
	if r := recover(); r != nil {
		s.t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

func (s slogSafe) Enabled(ctx context.Context, l slog.Level) (ok bool) {
	defer s.catch()
	return s.h.Enabled(ctx, l)
}

func (s slogSafe) Handle(ctx context.Context, r slog.Record) error {
	defer s.catch()
	return s.h.Handle(ctx, r)
}

func (s slogSafe) WithAttrs(as []slog.Attr) (out slog.Handler) {
	out = s // kept if the call panics
	defer s.catch()
	return slogSafe{s.t, s.h.WithAttrs(as)}
}

func (s slogSafe) WithGroup(name string) (out slog.Handler) {
	out = s // kept if the call panics
	defer s.catch()
	return slogSafe{s.t, s.h.WithGroup(name)}
}

func TestHiddenSlogtest_Conformance(t *testing.T) {
	defer slogCatch(t)
	var buf *bytes.Buffer
	slogtest.Run(t,
		func(t *testing.T) (h slog.Handler) {
			buf = new(bytes.Buffer)
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("NewJSONHandler panicked: %v", r)
				}
			}()
			return slogSafe{t, obs.NewJSONHandler(buf, obs.HandlerOptions{})}
		},
		func(t *testing.T) map[string]any {
			lines := slogLines(t, buf)
			if len(lines) != 1 {
				t.Fatalf("one record logged, got %d output lines: %q", len(lines), buf.String())
			}
			return lines[0]
		})
}

func TestHiddenSlogtest_Format(t *testing.T) {
	defer slogCatch(t)
	var buf bytes.Buffer
	h := obs.NewJSONHandler(&buf, obs.HandlerOptions{})
	when := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	r := slog.NewRecord(when, slog.LevelWarn, "disk \"almost\" full", 0)
	r.AddAttrs(slog.Int("free_mb", 42), slog.Bool("ok", false), slog.Duration("took", 1500*time.Millisecond),
		slog.Float64("ratio", 0.25), slog.Any("err", errString("boom")))
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatalf("Handle returned %v, want nil", err)
	}
	want := `{"time":"2026-03-04T05:06:07.00000089Z","level":"WARN","msg":"disk \"almost\" full","free_mb":42,"ok":false,"took":1500000000,"ratio":0.25,"err":"boom"}` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("record written as\n%s\nwant exactly (log/slog's JSON encoding)\n%s", got, want)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestHiddenSlogtest_Level(t *testing.T) {
	defer slogCatch(t)
	var buf bytes.Buffer
	log := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{}))
	log.Debug("debug")
	log.Info("info")
	lines := slogLines(t, &buf)
	if len(lines) != 1 || lines[0]["msg"] != "info" {
		t.Errorf("with Level nil, Debug then Info wrote %q, want only the Info record (nil Level means slog.LevelInfo)", buf.String())
	}

	buf.Reset()
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	log = slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{Level: &lv}))
	log.Info("info")
	log.Error("error")
	lv.Set(slog.LevelDebug)
	log.Debug("debug")
	lines = slogLines(t, &buf)
	var msgs []string
	for _, l := range lines {
		msgs = append(msgs, l["msg"].(string))
	}
	if strings.Join(msgs, ",") != "error,debug" {
		t.Errorf("with a slog.LevelVar at WARN: Info, Error, then the var set to DEBUG and Debug wrote messages %q, want [error debug] (the Leveler is read at each call)", msgs)
	}
}

func TestHiddenSlogtest_Source(t *testing.T) {
	defer slogCatch(t)
	var buf bytes.Buffer
	slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{AddSource: true})).Info("here")
	lines := slogLines(t, &buf)
	if len(lines) != 1 {
		t.Fatalf("one record logged, got %q", buf.String())
	}
	src, ok := lines[0]["source"].(map[string]any)
	if !ok {
		t.Fatalf("with AddSource, the record %q has no \"source\" object", buf.String())
	}
	fn, _ := src["function"].(string)
	file, _ := src["file"].(string)
	line, _ := src["line"].(float64)
	if !strings.HasSuffix(fn, "TestHiddenSlogtest_Source") || !strings.HasSuffix(file, "_test.go") || line <= 0 {
		t.Errorf("source = %v, want the caller's function (…TestHiddenSlogtest_Source), file (…_test.go) and line", src)
	}

	buf.Reset()
	slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{})).Info("here")
	if lines = slogLines(t, &buf); len(lines) == 1 {
		if _, ok := lines[0]["source"]; ok {
			t.Errorf("without AddSource the record has a \"source\" key: %q", buf.String())
		}
	}
}

func TestHiddenSlogtest_Derived(t *testing.T) {
	defer slogCatch(t)
	var buf bytes.Buffer
	base := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{}))
	a := base.With("svc", "api")
	b := a.WithGroup("req").With("id", 7)
	b.Info("one", "path", "/x")
	a.Info("two")
	base.Info("three")
	want := `{"req":{"id":7,"path":"/x"},"svc":"api"}|{"svc":"api"}|{}` // keys sorted by json.Marshal
	var got []string
	for _, l := range slogLines(t, &buf) {
		delete(l, "time")
		delete(l, "level")
		delete(l, "msg")
		j, _ := json.Marshal(l)
		got = append(got, string(j))
	}
	if strings.Join(got, "|") != want {
		t.Errorf("base.With(svc).WithGroup(req).With(id).Info(path), then the parents logging: attributes %q, want %q (WithAttrs/WithGroup return new handlers and leave the receiver unchanged)", got, strings.Split(want, "|"))
	}
}
