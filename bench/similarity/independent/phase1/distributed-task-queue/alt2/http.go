package taskq

import (
	"context"
	"encoding/gob"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// NewHTTPHandler exposes the broker:
//
//	GET  /lease?queue=Q        long poll, gob-encoded Lease
//	POST /ack?token=T
//	POST /nack?token=T         cause in the body
func NewHTTPHandler(b *Broker) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /lease", func(w http.ResponseWriter, r *http.Request) {
		l, err := b.Lease(r.Context(), r.URL.Query().Get("queue"))
		if err != nil {
			w.WriteHeader(http.StatusRequestTimeout)
			return
		}
		w.Header().Set("Content-Type", "application/x-gob")
		gob.NewEncoder(w).Encode(l)
	})
	settle := func(fn func(token string, body string) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if err := fn(r.URL.Query().Get("token"), string(body)); err != nil {
				w.WriteHeader(http.StatusConflict)
				io.WriteString(w, err.Error())
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}
	}
	mux.HandleFunc("POST /ack", settle(func(tok, _ string) error { return b.Ack(context.Background(), tok) }))
	mux.HandleFunc("POST /nack", settle(func(tok, cause string) error {
		return b.Nack(context.Background(), tok, errors.New(cause))
	}))
	return mux
}

type client struct {
	base string
	http *http.Client
}

// NewClient talks to a server made with NewHTTPHandler.
func NewClient(baseURL string, hc *http.Client) Leaser {
	if hc == nil {
		hc = http.DefaultClient
	}
	return client{base: baseURL, http: hc}
}

func (c client) do(ctx context.Context, method, path string, q url.Values, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path+"?"+q.Encode(), strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return resp, err
}

func (c client) Lease(ctx context.Context, queue string) (Lease, error) {
	resp, err := c.do(ctx, "GET", "/lease", url.Values{"queue": {queue}}, "")
	if err != nil {
		return Lease{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if ctx.Err() != nil {
			return Lease{}, ctx.Err()
		}
		return Lease{}, errors.New("taskq: lease failed: " + resp.Status)
	}
	var l Lease
	err = gob.NewDecoder(resp.Body).Decode(&l)
	l.Deadline = l.Deadline.Round(time.Duration(0))
	return l, err
}

func (c client) settle(ctx context.Context, path, token, cause string) error {
	resp, err := c.do(ctx, "POST", path, url.Values{"token": {token}}, cause)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusConflict {
		return ErrLeaseExpired
	}
	return nil
}

func (c client) Ack(ctx context.Context, token string) error {
	return c.settle(ctx, "/ack", token, "")
}

func (c client) Nack(ctx context.Context, token string, cause error) error {
	text := "nack"
	if cause != nil {
		text = cause.Error()
	}
	return c.settle(ctx, "/nack", token, text)
}
