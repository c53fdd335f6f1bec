package taskq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The wire protocol (shared by NewHTTPHandler and NewClient):
//
//	POST /lease?queue=Q        200 and the Lease as JSON (long poll)
//	POST /ack?token=T          204, or 409 for ErrLeaseExpired
//	POST /nack?token=T         body: the cause's text; 204, or 409
const expiredStatus = http.StatusConflict

// NewHTTPHandler serves b to remote workers built with NewClient.
func NewHTTPHandler(b *Broker) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /lease", func(w http.ResponseWriter, r *http.Request) {
		l, err := b.Lease(r.Context(), r.URL.Query().Get("queue"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(l); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	settle := func(w http.ResponseWriter, err error) {
		switch {
		case err == nil:
			w.WriteHeader(http.StatusNoContent)
		case errors.Is(err, ErrLeaseExpired):
			http.Error(w, err.Error(), expiredStatus)
		default:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
	mux.HandleFunc("POST /ack", func(w http.ResponseWriter, r *http.Request) {
		settle(w, b.Ack(r.Context(), r.URL.Query().Get("token")))
	})
	mux.HandleFunc("POST /nack", func(w http.ResponseWriter, r *http.Request) {
		msg, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		settle(w, b.Nack(r.Context(), r.URL.Query().Get("token"), errors.New(string(msg))))
	})
	return mux
}

// client is a Leaser that talks to a NewHTTPHandler server.
type client struct {
	base string
	hc   *http.Client
}

// NewClient returns a Leaser for the broker served at baseURL; a nil hc
// means http.DefaultClient.
func NewClient(baseURL string, hc *http.Client) Leaser {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &client{base: strings.TrimSuffix(baseURL, "/"), hc: hc}
}

// post sends one request and returns the response's status and body.
func (c *client) post(ctx context.Context, path string, q url.Values, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path+"?"+q.Encode(), strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		return 0, nil, err
	}
	return resp.StatusCode, data, nil
}

func (c *client) Lease(ctx context.Context, queue string) (Lease, error) {
	status, data, err := c.post(ctx, "/lease", url.Values{"queue": {queue}}, "")
	if err != nil {
		return Lease{}, err
	}
	if status != http.StatusOK {
		return Lease{}, fmt.Errorf("taskq: lease %q: %d %s", queue, status, bytes.TrimSpace(data))
	}
	var l Lease
	if err := json.Unmarshal(data, &l); err != nil {
		return Lease{}, fmt.Errorf("taskq: lease %q: %w", queue, err)
	}
	return l, nil
}

func (c *client) settle(ctx context.Context, path, token, body string) error {
	status, data, err := c.post(ctx, path, url.Values{"token": {token}}, body)
	switch {
	case err != nil:
		return err
	case status == expiredStatus:
		return ErrLeaseExpired
	case status/100 != 2:
		return fmt.Errorf("taskq: %s: %d %s", path, status, bytes.TrimSpace(data))
	}
	return nil
}

func (c *client) Ack(ctx context.Context, token string) error {
	return c.settle(ctx, "/ack", token, "")
}

func (c *client) Nack(ctx context.Context, token string, cause error) error {
	msg := ""
	if cause != nil {
		msg = cause.Error()
	}
	return c.settle(ctx, "/nack", token, msg)
}
