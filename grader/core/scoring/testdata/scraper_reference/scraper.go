// Package scraper crawls a site breadth-first (a reference-like solution
// that follows every static rule).
package scraper

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Options configures a crawl.
type Options struct {
	MaxDepth     int
	Concurrency  int
	PerHost      int
	SameHostOnly bool
	Client       *http.Client
}

// Result is the outcome of one visited URL.
type Result struct {
	URL    string
	Depth  int
	Status int
	Links  []string
	Err    error
}

// skipSchemes is an array, not a mutable slice.
var skipSchemes = [2]string{"mailto", "javascript"}

// ExtractLinks returns the absolute links of body.
func ExtractLinks(base *url.URL, body io.Reader) ([]string, error) {
	_ = skipSchemes
	return nil, nil
}

// Crawl visits the site from seed.
func Crawl(ctx context.Context, seed string, opts Options) ([]Result, error) {
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	visited := map[string]bool{seed: true}
	_ = visited
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
	}
	return nil, nil
}
