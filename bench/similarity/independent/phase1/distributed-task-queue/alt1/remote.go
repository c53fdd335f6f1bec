package taskq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type wireRequest struct {
	Queue string `json:"queue,omitempty"`
	Token string `json:"token,omitempty"`
	Cause string `json:"cause,omitempty"`
}

type wireLease struct {
	Task     Task   `json:"task"`
	Token    string `json:"token"`
	Deadline string `json:"deadline"`
}

// NewHTTPHandler serves b: POST /lease, /ack and /nack with JSON bodies.
func NewHTTPHandler(b *Broker) http.Handler {
	mux := http.NewServeMux()
	handle := func(path string, fn func(r *http.Request, req wireRequest) (any, error)) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			var req wireRequest
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			out, err := fn(r, req)
			switch {
			case errors.Is(err, ErrLeaseExpired):
				http.Error(w, err.Error(), http.StatusGone)
			case err != nil:
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
			default:
				json.NewEncoder(w).Encode(out)
			}
		})
	}
	handle("/lease", func(r *http.Request, req wireRequest) (any, error) {
		l, err := b.Lease(r.Context(), req.Queue)
		if err != nil {
			return nil, err
		}
		return wireLease{l.Task, l.Token, l.Deadline.Format(time.RFC3339Nano)}, nil
	})
	handle("/ack", func(r *http.Request, req wireRequest) (any, error) {
		return struct{}{}, b.Ack(r.Context(), req.Token)
	})
	handle("/nack", func(r *http.Request, req wireRequest) (any, error) {
		return struct{}{}, b.Nack(r.Context(), req.Token, errors.New(req.Cause))
	})
	return mux
}

type httpLeaser struct {
	base string
	hc   *http.Client
}

// NewClient returns a Leaser for a broker served by NewHTTPHandler.
func NewClient(baseURL string, hc *http.Client) Leaser {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &httpLeaser{strings.TrimRight(baseURL, "/"), hc}
}

func (c *httpLeaser) call(ctx context.Context, path string, in wireRequest, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return json.NewDecoder(resp.Body).Decode(out)
	case http.StatusGone:
		return ErrLeaseExpired
	default:
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("taskq: %s: %s", path, resp.Status)
	}
}

func (c *httpLeaser) Lease(ctx context.Context, queue string) (Lease, error) {
	var wl wireLease
	if err := c.call(ctx, "/lease", wireRequest{Queue: queue}, &wl); err != nil {
		return Lease{}, err
	}
	deadline, err := time.Parse(time.RFC3339Nano, wl.Deadline)
	return Lease{Task: wl.Task, Token: wl.Token, Deadline: deadline}, err
}

func (c *httpLeaser) Ack(ctx context.Context, token string) error {
	return c.call(ctx, "/ack", wireRequest{Token: token}, &struct{}{})
}

func (c *httpLeaser) Nack(ctx context.Context, token string, cause error) error {
	msg := ""
	if cause != nil {
		msg = cause.Error()
	}
	return c.call(ctx, "/nack", wireRequest{Token: token, Cause: msg}, &struct{}{})
}
