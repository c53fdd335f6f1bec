// Package scraper crawls a web site breadth-first, fetching pages
// concurrently under a global and a per-host limit on requests in flight.
package scraper

import (
	"context"
	"errors"
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

// limiter hands out the global slot and the per-host slots.
type limiter struct {
	mu      sync.Mutex
	global  chan struct{}
	perHost int
	hosts   map[string]chan struct{}
}

func (l *limiter) hostChan(host string) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch, ok := l.hosts[host]
	if !ok {
		ch = make(chan struct{}, l.perHost)
		l.hosts[host] = ch
	}
	return ch
}

// acquire takes the host slot first so a waiting request holds no global slot.
func (l *limiter) acquire(ctx context.Context, host string) (func(), error) {
	var hostCh chan struct{}
	if l.perHost > 0 {
		hostCh = l.hostChan(host)
		select {
		case hostCh <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	select {
	case l.global <- struct{}{}:
	case <-ctx.Done():
		if hostCh != nil {
			<-hostCh
		}
		return nil, ctx.Err()
	}
	return func() {
		<-l.global
		if hostCh != nil {
			<-hostCh
		}
	}, nil
}

func fetch(ctx context.Context, client *http.Client, lim *limiter, u *url.URL, depth int) Result {
	res := Result{URL: u.String(), Depth: depth}
	release, err := lim.acquire(ctx, u.Host)
	if err != nil {
		res.Err = err
		return res
	}
	defer release()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, res.URL, nil)
	if err != nil {
		res.Err = err
		return res
	}
	resp, err := client.Do(req)
	if err != nil {
		res.Err = err
		return res
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.Err = fmt.Errorf("scraper: %s: status %d", res.URL, resp.StatusCode)
		io.Copy(io.Discard, resp.Body)
		return res
	}
	res.Links, res.Err = ExtractLinks(resp.Request.URL, resp.Body)
	return res
}

// Crawl fetches seed and, breadth-first, every page reachable from it in at
// most opts.MaxDepth links, each URL once.
func Crawl(ctx context.Context, seed string, opts Options) ([]Result, error) {
	start, err := url.Parse(seed)
	if err != nil {
		return nil, err
	}
	if (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return nil, errors.New("scraper: seed must be an absolute http(s) URL")
	}
	start.Fragment = ""
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	client := opts.Client
	if client == nil {
		client = http.DefaultClient
	}
	conc := opts.Concurrency
	if conc < 1 {
		conc = 1
	}
	maxDepth := max(opts.MaxDepth, 0)
	lim := &limiter{global: make(chan struct{}, conc), perHost: opts.PerHost, hosts: map[string]chan struct{}{}}

	visited := map[string]bool{start.String(): true}
	frontier := []*url.URL{start}
	var results []Result
	for depth := 0; len(frontier) > 0 && depth <= maxDepth; depth++ {
		out := make([]Result, len(frontier))
		var wg sync.WaitGroup
		for i, u := range frontier {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = fetch(ctx, client, lim, u, depth)
			}()
		}
		wg.Wait()
		if ctx.Err() != nil {
			for _, r := range out {
				if r.Err == nil || r.Status != 0 {
					results = append(results, r)
				}
			}
			return results, ctx.Err()
		}
		var next []*url.URL
		for _, r := range out {
			results = append(results, r)
			for _, link := range r.Links {
				if visited[link] {
					continue
				}
				lu, err := url.Parse(link)
				if err != nil || (opts.SameHostOnly && lu.Host != start.Host) {
					continue
				}
				visited[link] = true
				next = append(next, lu)
			}
		}
		frontier = next
	}
	return results, nil
}
