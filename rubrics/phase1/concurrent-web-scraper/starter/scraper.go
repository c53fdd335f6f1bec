// Package scraper crawls a web site breadth-first, fetching pages
// concurrently under a global and a per-host limit on requests in flight.
//
// See README.md for the full statement. Keep the exported API exactly as it
// is: the grader's tests call it.
package scraper

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
)

// Options tune a crawl. The zero value crawls only the seed, one request at
// a time, with http.DefaultClient.
type Options struct {
	MaxDepth     int          // seed = depth 0; pages deeper than this are not fetched
	Concurrency  int          // max in-flight requests overall; < 1 means 1
	PerHost      int          // max in-flight per host:port; < 1 means no per-host limit
	SameHostOnly bool         // follow only links to the seed's host:port
	Client       *http.Client // nil → http.DefaultClient
}

// Result is the outcome of fetching one URL.
type Result struct {
	URL    string
	Depth  int      // length of the shortest link path from the seed
	Status int      // HTTP status code, 0 when no response arrived
	Links  []string // absolute, fragment-stripped, deduplicated
	Err    error    // transport error, non-2xx status or failed body read
}

// ExtractLinks reads an HTML document and returns the targets of its <a href>
// links as absolute http or https URLs without fragments, deduplicated, in
// document order. Relative links are resolved against the document's first
// <base href> (itself resolved against base) or, without one, against base.
// The error is non-nil only when reading body fails.
func ExtractLinks(base *url.URL, body io.Reader) ([]string, error) {
	return nil, errors.New("scraper: ExtractLinks is not implemented")
}

// Crawl fetches seed and, breadth-first, every page reachable from it in at
// most opts.MaxDepth links, each URL once, and returns one Result per URL it
// requested. The error is non-nil only for an invalid seed or when ctx ends
// (then it is ctx.Err(), returned with the Results of the pages fetched so
// far).
func Crawl(ctx context.Context, seed string, opts Options) ([]Result, error) {
	return nil, errors.New("scraper: Crawl is not implemented")
}
