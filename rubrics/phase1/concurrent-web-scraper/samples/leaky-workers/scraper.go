// Package scraper crawls a web site breadth-first with a pool of workers.
//
// BUG (intended): the workers are never stopped (the jobs channel is never
// closed) and, when the context ends, Crawl returns while workers and the
// job sender are still blocked on channels nobody will ever use again.
package scraper

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// Options tune a crawl.
type Options struct {
	MaxDepth     int          // seed = depth 0
	Concurrency  int          // max in-flight requests overall
	PerHost      int          // max in-flight per host:port
	SameHostOnly bool         // follow only links to the seed's host:port
	Client       *http.Client // nil → http.DefaultClient
}

// Result is the outcome of fetching one URL.
type Result struct {
	URL    string
	Depth  int
	Status int
	Links  []string // absolute, fragment-stripped, deduplicated
	Err    error
}

type job struct {
	url   string
	depth int
}

type hostLimiter struct {
	mu    sync.Mutex
	limit int
	sems  map[string]chan struct{}
}

func (h *hostLimiter) sem(link string) chan struct{} {
	if h.limit < 1 {
		return nil
	}
	u, err := url.Parse(link)
	host := ""
	if err == nil {
		host = u.Host
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.sems[host]
	if !ok {
		s = make(chan struct{}, h.limit)
		h.sems[host] = s
	}
	return s
}

// Crawl fetches seed and every page reachable from it in at most
// opts.MaxDepth links, level by level.
func Crawl(ctx context.Context, seed string, opts Options) ([]Result, error) {
	start, err := url.Parse(seed)
	if err != nil {
		return nil, err
	}
	if (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return nil, fmt.Errorf("scraper: invalid seed %q", seed)
	}
	start.Fragment = ""
	client := opts.Client
	if client == nil {
		client = http.DefaultClient
	}
	limiter := &hostLimiter{limit: opts.PerHost, sems: map[string]chan struct{}{}}

	jobs := make(chan job)
	out := make(chan Result)
	for range max(opts.Concurrency, 1) {
		go func() {
			for j := range jobs {
				s := limiter.sem(j.url)
				if s != nil {
					s <- struct{}{}
				}
				r := fetch(ctx, client, j)
				if s != nil {
					<-s
				}
				out <- r
			}
		}()
	}

	seen := map[string]bool{start.String(): true}
	frontier := []string{start.String()}
	var results []Result
	for depth := 0; len(frontier) > 0; depth++ {
		go func(frontier []string) {
			for _, u := range frontier {
				jobs <- job{u, depth}
			}
		}(frontier)
		level := make([]Result, 0, len(frontier))
		for range frontier {
			select {
			case r := <-out:
				level = append(level, r)
			case <-ctx.Done():
				return append(results, level...), ctx.Err()
			}
		}
		results = append(results, level...)
		if err := ctx.Err(); err != nil {
			return results, err
		}
		if depth >= opts.MaxDepth {
			break
		}
		var next []string
		for _, r := range level {
			for _, l := range r.Links {
				if seen[l] {
					continue
				}
				if opts.SameHostOnly {
					if u, err := url.Parse(l); err != nil || u.Host != start.Host {
						continue
					}
				}
				seen[l] = true
				next = append(next, l)
			}
		}
		frontier = next
	}
	return results, nil
}

func fetch(ctx context.Context, client *http.Client, j job) Result {
	r := Result{URL: j.url, Depth: j.depth}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		r.Err = err
		return r
	}
	resp, err := client.Do(req)
	if err != nil {
		r.Err = err
		return r
	}
	defer resp.Body.Close()
	r.Status = resp.StatusCode
	if resp.StatusCode/100 != 2 {
		r.Err = fmt.Errorf("GET %s: %s", j.url, resp.Status)
		io.Copy(io.Discard, resp.Body)
		return r
	}
	r.Links, r.Err = ExtractLinks(resp.Request.URL, resp.Body)
	return r
}
