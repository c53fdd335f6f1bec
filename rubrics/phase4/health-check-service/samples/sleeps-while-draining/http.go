package health

import (
	"encoding/json"
	"net/http"
	"time"
)

// drainDelay is how long /readyz waits before answering while draining.
const drainDelay = 10 * time.Millisecond

// LiveHandler serves /livez: 200 and {"status":"up"} as long as the process
// can answer, draining or not. It runs no check.
func (c *Checker) LiveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, liveBody{Status: Up})
	})
}

// ReadyHandler serves /readyz: it runs the checks and answers 200 when the
// service is up or degraded and 503 when it is down or draining, with the
// Report as JSON.
func (c *Checker) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.draining.Load() {
			// Slow down load balancers that retry in a tight loop.
			time.Sleep(drainDelay)
			writeJSON(w, http.StatusServiceUnavailable, Report{Status: Down, Checks: map[string]Result{}})
			return
		}
		rep := c.Run(r.Context())
		code := http.StatusOK
		if rep.Status == Down {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, rep)
	})
}

// liveBody is the body of /livez.
type liveBody struct {
	Status Status `json:"status"`
}

// writeJSON writes v as the JSON body of a response that must not be cached.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
