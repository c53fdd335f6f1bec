// Package scraper is a breadth-first concurrent crawler.
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

type job struct {
	target string
	host   string
	depth  int
}

type crawler struct {
	ctx      context.Context
	client   *http.Client
	opts     Options
	seedHost string

	mu       sync.Mutex
	cond     *sync.Cond
	inFlight map[string]int
	total    int
}

// wait blocks until the job's host and the crawl have a free slot.
func (c *crawler) wait(host string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.ctx.Err() == nil {
		hostOK := c.opts.PerHost < 1 || c.inFlight[host] < c.opts.PerHost
		if hostOK && c.total < max(c.opts.Concurrency, 1) {
			c.inFlight[host]++
			c.total++
			return true
		}
		c.cond.Wait()
	}
	return false
}

func (c *crawler) done(host string) {
	c.mu.Lock()
	c.inFlight[host]--
	c.total--
	c.mu.Unlock()
	c.cond.Broadcast()
}

func (c *crawler) visit(j job) (r Result, ok bool) {
	r = Result{URL: j.target, Depth: j.depth}
	if !c.wait(j.host) {
		return r, false
	}
	defer c.done(j.host)
	req, err := http.NewRequestWithContext(c.ctx, "GET", j.target, nil)
	if err != nil {
		r.Err = err
		return r, true
	}
	resp, err := c.client.Do(req)
	if err != nil {
		r.Err = err
		return r, c.ctx.Err() == nil
	}
	defer resp.Body.Close()
	r.Status = resp.StatusCode
	if r.Status/100 != 2 {
		r.Err = fmt.Errorf("GET %s: %s", j.target, resp.Status)
		return r, true
	}
	r.Links, r.Err = ExtractLinks(resp.Request.URL, resp.Body)
	return r, true
}

// Crawl fetches seed and the pages reachable from it, level by level.
func Crawl(ctx context.Context, seed string, opts Options) ([]Result, error) {
	u, err := url.Parse(seed)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("scraper: bad seed %q", seed)
	}
	u.Fragment = ""
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	c := &crawler{ctx: ctx, client: opts.Client, opts: opts, seedHost: u.Host, inFlight: map[string]int{}}
	if c.client == nil {
		c.client = http.DefaultClient
	}
	c.cond = sync.NewCond(&c.mu)
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.mu.Unlock()
		c.cond.Broadcast()
	})
	defer stop()

	var all []Result
	seen := map[string]bool{u.String(): true}
	level := []job{{u.String(), u.Host, 0}}
	for len(level) > 0 {
		results := make(chan Result, len(level))
		var wg sync.WaitGroup
		for _, j := range level {
			wg.Add(1)
			go func(j job) {
				defer wg.Done()
				if r, ok := c.visit(j); ok {
					results <- r
				}
			}(j)
		}
		wg.Wait()
		close(results)
		var next []job
		for r := range results {
			all = append(all, r)
			if r.Depth >= opts.MaxDepth {
				continue
			}
			for _, l := range r.Links {
				p, err := url.Parse(l)
				if err != nil || seen[l] || (opts.SameHostOnly && p.Host != c.seedHost) {
					continue
				}
				seen[l] = true
				next = append(next, job{l, p.Host, r.Depth + 1})
			}
		}
		if ctx.Err() != nil {
			return all, ctx.Err()
		}
		level = next
	}
	return all, nil
}

// discard drains what is left of a body so the connection can be reused.
func discard(r io.Reader) { io.Copy(io.Discard, r) }
