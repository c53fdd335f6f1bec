// Package scraper crawls a web site breadth-first, fetching pages
// concurrently under a global and a per-host limit on requests in flight.
package scraper

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
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

// Crawl fetches seed and, breadth-first, every page reachable from it in at
// most opts.MaxDepth links, each URL once. It returns one Result per URL it
// requested. Page errors are reported in the Results; the error is non-nil
// only for an invalid seed or when ctx ends, in which case the Results of the
// pages fetched so far come with ctx.Err().
func Crawl(ctx context.Context, seed string, opts Options) ([]Result, error) {
	start, err := url.Parse(seed)
	if err != nil {
		return nil, fmt.Errorf("scraper: invalid seed: %w", err)
	}
	if (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return nil, fmt.Errorf("scraper: invalid seed %q: want an absolute http or https URL", seed)
	}
	start.Fragment, start.RawFragment = "", ""
	c := newCrawler(opts, start.Host)
	return c.crawl(ctx, start.String())
}

// crawler holds the state of one Crawl call.
type crawler struct {
	opts     Options
	client   *http.Client
	seedHost string        // host:port of the seed
	global   chan struct{} // one token per request in flight

	mu    sync.Mutex
	hosts map[string]chan struct{} // per-host tokens, nil without a per-host limit
}

func newCrawler(opts Options, seedHost string) *crawler {
	opts.Concurrency = max(opts.Concurrency, 1)
	opts.MaxDepth = max(opts.MaxDepth, 0)
	c := &crawler{
		opts:     opts,
		client:   opts.Client,
		seedHost: seedHost,
		global:   make(chan struct{}, opts.Concurrency),
		hosts:    make(map[string]chan struct{}),
	}
	if c.client == nil {
		c.client = http.DefaultClient
	}
	return c
}

// crawl walks the site level by level: every page of depth d is fetched
// before any page of depth d+1 is requested, so the first time a URL is seen
// is through a shortest path.
func (c *crawler) crawl(ctx context.Context, seed string) ([]Result, error) {
	seen := map[string]bool{seed: true}
	frontier := []string{seed}
	var results []Result
	for depth := 0; len(frontier) > 0; depth++ {
		level := c.fetchLevel(ctx, frontier, depth)
		results = append(results, level...)
		if err := ctx.Err(); err != nil {
			return results, err
		}
		if depth == c.opts.MaxDepth {
			break
		}
		var next []string
		for _, r := range level {
			for _, link := range r.Links {
				if !seen[link] && c.follows(link) {
					seen[link] = true
					next = append(next, link)
				}
			}
		}
		frontier = next
	}
	return results, nil
}

// follows reports whether a link may be crawled under SameHostOnly.
func (c *crawler) follows(link string) bool {
	if !c.opts.SameHostOnly {
		return true
	}
	u, err := url.Parse(link)
	return err == nil && u.Host == c.seedHost
}

// fetchLevel fetches the URLs of one depth concurrently and returns the
// Results of those it requested, in frontier order. Each URL has its own
// goroutine, which takes a per-host token and then a global one, so a slot
// of the global limit is never held by a request waiting for its host.
func (c *crawler) fetchLevel(ctx context.Context, frontier []string, depth int) []Result {
	results := make([]Result, len(frontier))
	requested := make([]bool, len(frontier))
	var wg sync.WaitGroup
	for i, link := range frontier {
		wg.Go(func() {
			release, ok := c.acquire(ctx, link)
			if !ok {
				return
			}
			defer release()
			results[i] = c.fetch(ctx, link, depth)
			requested[i] = true
		})
	}
	wg.Wait()

	out := results[:0]
	for i, r := range results {
		if requested[i] {
			out = append(out, r)
		}
	}
	return out
}

// acquire takes the tokens for one request to link; ok is false when ctx
// ended first.
func (c *crawler) acquire(ctx context.Context, link string) (release func(), ok bool) {
	if ctx.Err() != nil {
		return nil, false
	}
	host := c.hostTokens(link)
	if host != nil {
		select {
		case host <- struct{}{}:
		case <-ctx.Done():
			return nil, false
		}
	}
	select {
	case c.global <- struct{}{}:
	case <-ctx.Done():
		if host != nil {
			<-host
		}
		return nil, false
	}
	release = func() {
		<-c.global
		if host != nil {
			<-host
		}
	}
	if ctx.Err() != nil { // both cases were ready and select took the token
		release()
		return nil, false
	}
	return release, true
}

// hostTokens returns the token channel of link's host:port, or nil without a
// per-host limit.
func (c *crawler) hostTokens(link string) chan struct{} {
	if c.opts.PerHost < 1 {
		return nil
	}
	host := ""
	if u, err := url.Parse(link); err == nil {
		host = u.Host
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	tokens, ok := c.hosts[host]
	if !ok {
		tokens = make(chan struct{}, c.opts.PerHost)
		c.hosts[host] = tokens
	}
	return tokens
}

// fetch requests one page and extracts its links when the status is 2xx.
func (c *crawler) fetch(ctx context.Context, link string, depth int) Result {
	r := Result{URL: link, Depth: depth}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		r.Err = err
		return r
	}
	resp, err := c.client.Do(req)
	if err != nil {
		r.Err = err
		return r
	}
	defer resp.Body.Close()
	r.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		r.Err = fmt.Errorf("scraper: GET %s: %s", link, resp.Status)
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return r
	}
	r.Links, err = ExtractLinks(resp.Request.URL, resp.Body)
	if err != nil {
		r.Err = fmt.Errorf("scraper: reading %s: %w", link, err)
	}
	return r
}
