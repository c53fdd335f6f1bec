package obs_test

// Hidden tests, group "Redaction": HandlerOptions.Redact at any depth,
// attributes carried by the context (ContextWith), and *obs.Error values
// expanded through LogValue.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"

	obs "example.com/observability-framework"
)

func redCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

// redAttrs returns the attributes of each logged line as compact JSON with
// sorted keys, without time, level and msg.
func redAttrs(t *testing.T, buf *bytes.Buffer) []string {
	t.Helper()
	var out []string
	for line := range strings.SplitSeq(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line %q is not a JSON object: %v", line, err)
		}
		delete(m, "time")
		delete(m, "level")
		delete(m, "msg")
		j, _ := json.Marshal(m)
		out = append(out, string(j))
	}
	return out
}

func redCheck(t *testing.T, what string, buf *bytes.Buffer, want ...string) {
	t.Helper()
	got := redAttrs(t, buf)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot attributes (keys sorted, time/level/msg removed)\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestHiddenRedaction_TopLevel(t *testing.T) {
	defer redCatch(t)
	var buf bytes.Buffer
	log := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{Redact: []string{"password", "token"}}))
	log.Info("login", "user", "ann", "password", "hunter2", "token", 12345, "Password", "kept")
	redCheck(t, `Redact ["password" "token"]: Info("login", user, password, token, Password)`, &buf,
		`{"Password":"kept","password":"[REDACTED]","token":"[REDACTED]","user":"ann"}`)
}

func TestHiddenRedaction_Nested(t *testing.T) {
	defer redCatch(t)
	var buf bytes.Buffer
	log := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{Redact: []string{"secret"}}))
	log.WithGroup("a").Info("m", "secret", "x", slog.Group("b", "secret", "y", slog.Group("c", "secret", "z", "n", 1)))
	redCheck(t, `Redact ["secret"]: WithGroup("a").Info("m", secret, Group(b, secret, Group(c, secret, n)))`, &buf,
		`{"a":{"b":{"c":{"n":1,"secret":"[REDACTED]"},"secret":"[REDACTED]"},"secret":"[REDACTED]"}}`)
}

func TestHiddenRedaction_WithAttrs(t *testing.T) {
	defer redCatch(t)
	var buf bytes.Buffer
	log := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{Redact: []string{"api_key"}}))
	log.With("api_key", "k1").WithGroup("g").With("api_key", "k2", "id", 3).Info("m")
	redCheck(t, `Redact ["api_key"]: With(api_key).WithGroup(g).With(api_key, id).Info("m")`, &buf,
		`{"api_key":"[REDACTED]","g":{"api_key":"[REDACTED]","id":3}}`)
}

func TestHiddenRedaction_Context(t *testing.T) {
	defer redCatch(t)
	var buf bytes.Buffer
	log := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{}))
	ctx := obs.ContextWith(context.Background(), slog.String("request_id", "r-1"))
	ctx2 := obs.ContextWith(ctx, slog.String("user", "ann"), slog.Int("n", 2))
	log.InfoContext(ctx2, "m", "k", "v")
	log.InfoContext(ctx, "m")
	log.Info("m")
	redCheck(t, "ctx = ContextWith(bg, request_id); ctx2 = ContextWith(ctx, user, n); InfoContext(ctx2, k), InfoContext(ctx), Info", &buf,
		`{"k":"v","n":2,"request_id":"r-1","user":"ann"}`,
		`{"request_id":"r-1"}`,
		`{}`)
}

func TestHiddenRedaction_ContextGroupAndRedact(t *testing.T) {
	defer redCatch(t)
	var buf bytes.Buffer
	log := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{Redact: []string{"session"}}))
	ctx := obs.ContextWith(context.Background(), slog.String("session", "s3cr3t"), slog.String("trace", "t-9"))
	log.WithGroup("http").InfoContext(ctx, "m", "status", 200)
	redCheck(t, `Redact ["session"]: WithGroup(http).InfoContext(ContextWith(session, trace), status)`, &buf,
		`{"http":{"session":"[REDACTED]","status":200,"trace":"t-9"}}`)
}

func TestHiddenRedaction_ErrorValue(t *testing.T) {
	defer redCatch(t)
	var buf bytes.Buffer
	log := slog.New(obs.NewJSONHandler(&buf, obs.HandlerOptions{Redact: []string{"password"}}))
	err := obs.E("user.Login", obs.KindInvalid, slog.String("user", "ann"), slog.String("password", "hunter2"), errors.New("bad credentials"))
	log.Error("failed", "err", err)
	redCheck(t, `Redact ["password"]: Error("failed", "err", E("user.Login", KindInvalid, user, password, errors.New("bad credentials")))`, &buf,
		`{"err":{"error":"bad credentials","kind":"invalid","op":"user.Login","password":"[REDACTED]","user":"ann"}}`)
}
