package health_test

// Hidden tests, group "HTTP": /livez and /readyz through httptest (a
// recorder on synctest's virtual clock, and a real loopback server), status
// codes, headers, JSON bodies and draining.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	health "example.com/health-check-service"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/goleak"
)

// httpBubble: see tmoBubble in the Timeout group (each group compiles on
// its own).
func httpBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, f)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("synctest: %v: every goroutine of the test was blocked for ever: a call that never returns, or goroutines of the Checker still waiting after the test ended (loops not stopped by their context, or a check still running)", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

func httpChecker(t *testing.T, regs ...health.Registration) *health.Checker {
	t.Helper()
	c := health.New()
	for _, r := range regs {
		r.Timeout = 5 * time.Second // the checks here take up to 3s
		if err := c.Register(r); err != nil {
			t.Fatalf("Register(%q) = %v, want nil", r.Name, err)
		}
	}
	return c
}

// httpCheck returns a check that takes d and then returns err; it counts
// its executions in n (if not nil).
func httpCheck(d time.Duration, err error, n *atomic.Int32) func(context.Context) error {
	return func(ctx context.Context) error {
		if n != nil {
			n.Add(1)
		}
		time.Sleep(d)
		return err
	}
}

// httpGet serves one GET request with h and checks the status code and the
// headers every response must have; it returns the body.
func httpGet(t *testing.T, h http.Handler, path string, wantCode int) []byte {
	t.Helper()
	if h == nil {
		t.Fatalf("the handler for %s is nil", path)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != wantCode {
		t.Errorf("GET %s: status %d, want %d (body %q)", path, rec.Code, wantCode, rec.Body.String())
	}
	httpHeaders(t, path, rec.Result().Header)
	return rec.Body.Bytes()
}

func httpHeaders(t *testing.T, path string, h http.Header) {
	t.Helper()
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q, want application/json", path, ct)
	}
	if cc := h.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET %s: Cache-Control %q, want no-store", path, cc)
	}
}

// httpReport decodes a /readyz body and compares it with want.
func httpReport(t *testing.T, body []byte, want health.Report) {
	t.Helper()
	var got health.Report
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("the body %q is not a JSON Report: %v", body, err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the JSON Report differs (-want +got):\n%s\nbody: %s", diff, body)
	}
}

func TestHiddenHTTP_ReadyUp(t *testing.T) {
	httpBubble(t, func(t *testing.T) {
		c := httpChecker(t,
			health.Registration{Name: "db", Check: httpCheck(2*time.Second, nil, nil), Critical: true},
			health.Registration{Name: "cache", Check: httpCheck(time.Second, nil, nil)},
		)
		t0 := time.Now()
		body := httpGet(t, c.ReadyHandler(), "/readyz", http.StatusOK)
		httpReport(t, body, health.Report{Status: health.Up, Checks: map[string]health.Result{
			"db":    {Status: health.Up, Duration: 2 * time.Second, CheckedAt: t0.Add(2 * time.Second)},
			"cache": {Status: health.Up, Duration: time.Second, CheckedAt: t0.Add(time.Second)},
		}})
	})
}

func TestHiddenHTTP_ReadyDegraded(t *testing.T) {
	httpBubble(t, func(t *testing.T) {
		c := httpChecker(t,
			health.Registration{Name: "db", Check: httpCheck(time.Second, nil, nil), Critical: true},
			health.Registration{Name: "cache", Check: httpCheck(3*time.Second, errors.New("cache: timeout"), nil)},
		)
		t0 := time.Now()
		body := httpGet(t, c.ReadyHandler(), "/readyz", http.StatusOK)
		httpReport(t, body, health.Report{Status: health.Degraded, Checks: map[string]health.Result{
			"db":    {Status: health.Up, Duration: time.Second, CheckedAt: t0.Add(time.Second)},
			"cache": {Status: health.Down, Error: "cache: timeout", Duration: 3 * time.Second, CheckedAt: t0.Add(3 * time.Second)},
		}})
	})
}

func TestHiddenHTTP_ReadyDown(t *testing.T) {
	httpBubble(t, func(t *testing.T) {
		c := httpChecker(t,
			health.Registration{Name: "db", Check: httpCheck(time.Second, errors.New("db: connection refused"), nil), Critical: true},
			health.Registration{Name: "cache", Check: httpCheck(0, nil, nil)},
		)
		t0 := time.Now()
		body := httpGet(t, c.ReadyHandler(), "/readyz", http.StatusServiceUnavailable)
		httpReport(t, body, health.Report{Status: health.Down, Checks: map[string]health.Result{
			"db":    {Status: health.Down, Error: "db: connection refused", Duration: time.Second, CheckedAt: t0.Add(time.Second)},
			"cache": {Status: health.Up, CheckedAt: t0},
		}})
	})
}

func TestHiddenHTTP_Live(t *testing.T) {
	httpBubble(t, func(t *testing.T) {
		var n atomic.Int32
		c := httpChecker(t, health.Registration{Name: "db", Check: httpCheck(0, errors.New("down"), &n), Critical: true})
		for _, draining := range []bool{false, true} {
			c.SetDraining(draining)
			body := httpGet(t, c.LiveHandler(), "/livez", http.StatusOK)
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("GET /livez: the body %q is not JSON: %v", body, err)
			}
			if diff := cmp.Diff(map[string]any{"status": "up"}, got); diff != "" {
				t.Errorf("GET /livez (draining %v): body differs (-want +got):\n%s", draining, diff)
			}
		}
		if n.Load() != 0 {
			t.Errorf("GET /livez ran the checks %d times, want 0: liveness does not depend on dependencies", n.Load())
		}
	})
}

func TestHiddenHTTP_Draining(t *testing.T) {
	httpBubble(t, func(t *testing.T) {
		var n atomic.Int32
		c := httpChecker(t, health.Registration{Name: "db", Check: httpCheck(0, nil, &n), Critical: true})
		c.SetDraining(true)
		body := httpGet(t, c.ReadyHandler(), "/readyz", http.StatusServiceUnavailable)
		httpReport(t, body, health.Report{Status: health.Down})
		if n.Load() != 0 {
			t.Errorf("GET /readyz while draining ran the checks %d times, want 0", n.Load())
		}
		httpGet(t, c.LiveHandler(), "/livez", http.StatusOK)
		c.SetDraining(false)
		t0 := time.Now()
		body = httpGet(t, c.ReadyHandler(), "/readyz", http.StatusOK)
		httpReport(t, body, health.Report{Status: health.Up, Checks: map[string]health.Result{"db": {Status: health.Up, CheckedAt: t0}}})
	})
}

func TestHiddenHTTP_JSONFieldNames(t *testing.T) {
	httpBubble(t, func(t *testing.T) {
		c := httpChecker(t,
			health.Registration{Name: "db", Check: httpCheck(2*time.Second, errors.New("db: down"), nil), Critical: true},
			health.Registration{Name: "cache", Check: httpCheck(1500*time.Millisecond, nil, nil)},
		)
		body := httpGet(t, c.ReadyHandler(), "/readyz", http.StatusServiceUnavailable)
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("the body %q is not JSON: %v", body, err)
		}
		want := map[string]any{
			"status": "down",
			"checks": map[string]any{
				"db":    map[string]any{"status": "down", "error": "db: down", "duration": 2e9, "checked_at": "2000-01-01T00:00:02Z"},
				"cache": map[string]any{"status": "up", "duration": 1.5e9, "checked_at": "2000-01-01T00:00:01.5Z"},
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET /readyz: the JSON body differs (-want +got):\n%s\nbody: %s", diff, body)
		}
	})
}

func TestHiddenHTTP_RealServer(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := httpChecker(t,
		health.Registration{Name: "db", Check: httpCheck(0, nil, nil), Critical: true},
		health.Registration{Name: "cache", Check: httpCheck(0, errors.New("cache: evicted"), nil)},
	)
	mux := http.NewServeMux()
	mux.Handle("/livez", c.LiveHandler())
	mux.Handle("/readyz", c.ReadyHandler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for _, tc := range []struct {
		path   string
		code   int
		status string
	}{{"/livez", 200, "up"}, {"/readyz", 200, "degraded"}} {
		resp, err := client.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tc.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("GET %s: reading the body: %v", tc.path, err)
		}
		if resp.StatusCode != tc.code {
			t.Errorf("GET %s: status %d, want %d", tc.path, resp.StatusCode, tc.code)
		}
		httpHeaders(t, tc.path, resp.Header)
		var got struct{ Status string }
		if err := json.Unmarshal(body, &got); err != nil || got.Status != tc.status {
			t.Errorf("GET %s: body %q, want a JSON object with \"status\": %q", tc.path, body, tc.status)
		}
	}
}
