package scraper_test

// Hidden tests, group "Limits": the global and per-host limits on requests
// in flight are honoured and actually used (the measured maximum must equal
// the limit, not only stay below it).
//
// Each non-root page request is counted by an in-flight gauge and parked on
// a barrier that opens limSettle after `size` requests wait at it, so a
// crawler that keeps exactly `size` requests in flight moves in quick waves,
// and one that sends more is caught during the settle time. A crawler
// that keeps fewer in flight makes the barrier wait; after limBarrierWait the
// barrier gives up for good and lets every later request through, so such a
// crawler is slow for that one wait only.

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	scraper "example.com/concurrent-web-scraper"
)

const (
	limBarrierWait = 500 * time.Millisecond
	limSettle      = 10 * time.Millisecond
	limCrawlLimit  = 10 * time.Second
)

// limGauge counts requests in flight and remembers the highest count.
type limGauge struct{ cur, max atomic.Int64 }

func (g *limGauge) enter() {
	n := g.cur.Add(1)
	for {
		m := g.max.Load()
		if n <= m || g.max.CompareAndSwap(m, n) {
			return
		}
	}
}

func (g *limGauge) leave() { g.cur.Add(-1) }

// limBarrier releases requests in waves of `size`.
type limBarrier struct {
	mu      sync.Mutex
	size    int
	waiting int
	wave    chan struct{}
	broken  bool
}

func newLimBarrier(size int) *limBarrier {
	return &limBarrier{size: size, wave: make(chan struct{})}
}

func (b *limBarrier) wait() {
	b.mu.Lock()
	if b.broken {
		b.mu.Unlock()
		return
	}
	wave := b.wave
	b.waiting++
	if b.waiting == b.size {
		b.wave, b.waiting = make(chan struct{}), 0
		b.mu.Unlock()
		// Hold the full wave a moment, so that a request over the limit
		// has the time to arrive and be counted.
		time.Sleep(limSettle)
		close(wave)
		return
	}
	b.mu.Unlock()
	timer := time.NewTimer(limBarrierWait)
	defer timer.Stop()
	select {
	case <-wave:
	case <-timer.C:
		b.mu.Lock()
		b.broken = true
		if b.wave == wave {
			close(wave)
		}
		b.mu.Unlock()
	}
}

// limSite serves pages whose links are set after the server has started (so
// that two sites can link to each other).
type limSite struct {
	srv     *httptest.Server
	own     limGauge
	global  *limGauge
	barrier *limBarrier

	mu    sync.Mutex
	pages map[string][]string // path -> hrefs
	hits  map[string]int
}

func newLimSite(t *testing.T, global *limGauge, barrier *limBarrier) *limSite {
	t.Helper()
	s := &limSite{global: global, barrier: barrier, pages: map[string][]string{}, hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *limSite) setPage(path string, hrefs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = hrefs
}

func (s *limSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.RequestURI()]++
	hrefs, ok := s.pages[r.URL.RequestURI()]
	s.mu.Unlock()
	if r.URL.Path != "/" {
		s.own.enter()
		defer s.own.leave()
		if s.global != nil {
			s.global.enter()
			defer s.global.leave()
		}
		if s.barrier != nil {
			s.barrier.wait()
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!doctype html><html><body>\n")
	for _, h := range hrefs {
		fmt.Fprintf(w, "<p><a href=\"%s\">link</a></p>\n", html.EscapeString(h))
	}
	fmt.Fprint(w, "</body></html>\n")
}

func (s *limSite) hitCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.hits))
	for k, v := range s.hits {
		out[k] = v
	}
	return out
}

func limClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: limCrawlLimit}
}

// limCrawl runs Crawl and fails the test if it errs or does not return in time.
func limCrawl(t *testing.T, seed string, opts scraper.Options) []scraper.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limCrawlLimit)
	defer cancel()
	type outcome struct {
		results []scraper.Result
		err     error
	}
	done := make(chan outcome, 1)
	go func() {
		results, err := scraper.Crawl(ctx, seed, opts)
		done <- outcome{results, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			t.Fatalf("Crawl(%q, %+v) returned error %v; want nil", seed, opts, o.err)
		}
		return o.results
	case <-time.After(limCrawlLimit + 2*time.Second):
		t.Fatalf("Crawl(%q, %+v) did not return within %v (deadlock?)", seed, opts, limCrawlLimit+2*time.Second)
		return nil
	}
}

// limFanOut makes site's root link to n pages /p0 ... /p(n-1), which link
// back to the root.
func limFanOut(s *limSite, n int) {
	var hrefs []string
	for i := range n {
		path := fmt.Sprintf("/p%d", i)
		hrefs = append(hrefs, path)
		s.setPage(path, "/")
	}
	s.setPage("/", hrefs...)
}

func limCheckAllFetched(t *testing.T, s *limSite, results []scraper.Result, pages int) {
	t.Helper()
	if len(results) != pages {
		t.Errorf("Crawl returned %d results; want %d (the root and its %d linked pages)", len(results), pages, pages-1)
	}
	for path, n := range s.hitCounts() {
		if n != 1 {
			t.Errorf("%s was requested %d times; want exactly once", path, n)
		}
	}
}

func TestHiddenLimits_Global(t *testing.T) {
	const concurrency, pages = 5, 50
	site := newLimSite(t, nil, newLimBarrier(concurrency))
	limFanOut(site, pages)
	opts := scraper.Options{MaxDepth: 1, Concurrency: concurrency, PerHost: concurrency, Client: limClient(t)}
	results := limCrawl(t, site.srv.URL+"/", opts)
	if got := site.own.max.Load(); got != concurrency {
		t.Errorf("with Concurrency %d and %d pages to fetch, the server saw at most %d requests in flight; want exactly %d", concurrency, pages, got, concurrency)
	}
	limCheckAllFetched(t, site, results, pages+1)
}

func TestHiddenLimits_GlobalBelowPerHost(t *testing.T) {
	const concurrency, perHost, pages = 3, 10, 30
	site := newLimSite(t, nil, newLimBarrier(concurrency))
	limFanOut(site, pages)
	opts := scraper.Options{MaxDepth: 1, Concurrency: concurrency, PerHost: perHost, Client: limClient(t)}
	results := limCrawl(t, site.srv.URL+"/", opts)
	if got := site.own.max.Load(); got != concurrency {
		t.Errorf("with Concurrency %d and PerHost %d, the server saw at most %d requests in flight; want exactly %d", concurrency, perHost, got, concurrency)
	}
	limCheckAllFetched(t, site, results, pages+1)
}

func TestHiddenLimits_PerHostSingleServer(t *testing.T) {
	const concurrency, perHost, pages = 8, 3, 30
	site := newLimSite(t, nil, newLimBarrier(perHost))
	limFanOut(site, pages)
	opts := scraper.Options{MaxDepth: 1, Concurrency: concurrency, PerHost: perHost, Client: limClient(t)}
	results := limCrawl(t, site.srv.URL+"/", opts)
	if got := site.own.max.Load(); got != perHost {
		t.Errorf("with Concurrency %d and PerHost %d on a single host, the server saw at most %d requests in flight; want exactly %d", concurrency, perHost, got, perHost)
	}
	limCheckAllFetched(t, site, results, pages+1)
}

func TestHiddenLimits_PerHost(t *testing.T) {
	const concurrency, perHost, pages = 4, 2, 20
	// One barrier for both servers: it opens when `concurrency` requests
	// wait at it, which a crawler can only reach with PerHost requests on
	// each of the two hosts at once.
	var global limGauge
	barrier := newLimBarrier(concurrency)
	a := newLimSite(t, &global, barrier)
	b := newLimSite(t, &global, barrier)
	// a's root links to a1, b1, a2, b2, ...; every page of a links to b's
	// pages and every page of b to a's (all already seen by then).
	var rootLinks []string
	for i := range pages {
		rootLinks = append(rootLinks, fmt.Sprintf("%s/a%d", a.srv.URL, i), fmt.Sprintf("%s/b%d", b.srv.URL, i))
	}
	a.setPage("/", rootLinks...)
	for i := range pages {
		a.setPage(fmt.Sprintf("/a%d", i), b.srv.URL+fmt.Sprintf("/b%d", (i+1)%pages), a.srv.URL+"/")
		b.setPage(fmt.Sprintf("/b%d", i), a.srv.URL+fmt.Sprintf("/a%d", (i+1)%pages), a.srv.URL+"/", "/b0")
	}
	opts := scraper.Options{MaxDepth: 3, Concurrency: concurrency, PerHost: perHost, Client: limClient(t)}
	results := limCrawl(t, a.srv.URL+"/", opts)

	for name, s := range map[string]*limSite{"first": a, "second": b} {
		if got := s.own.max.Load(); got > perHost {
			t.Errorf("the %s server (%s) saw %d requests in flight at once; want at most PerHost = %d", name, s.srv.URL, got, perHost)
		}
	}
	if got := global.max.Load(); got <= perHost {
		t.Errorf("with Concurrency %d and PerHost %d over two hosts, at most %d requests were in flight at once over both; want more than %d (the hosts are limited separately, so both should be fetched from at the same time)", concurrency, perHost, got, perHost)
	}
	if len(results) != 2*pages+1 {
		t.Errorf("Crawl returned %d results; want %d (the root, %d pages on each host)", len(results), 2*pages+1, pages)
	}
	for name, s := range map[string]*limSite{"first": a, "second": b} {
		for path, n := range s.hitCounts() {
			if n != 1 {
				t.Errorf("%s on the %s server was requested %d times; want exactly once", path, name, n)
			}
		}
	}
}

// The zero Options: one request at a time, no per-host limit beyond that,
// http.DefaultClient.
func TestHiddenLimits_ZeroOptionsDefaults(t *testing.T) {
	const pages = 6
	site := newLimSite(t, nil, newLimBarrier(2))
	limFanOut(site, pages)
	t.Cleanup(func() {
		if tr, ok := http.DefaultTransport.(*http.Transport); ok {
			tr.CloseIdleConnections()
		}
	})
	results := limCrawl(t, site.srv.URL+"/", scraper.Options{MaxDepth: 1})
	if got := site.own.max.Load(); got != 1 {
		t.Errorf("with Concurrency 0 (meaning 1), the server saw at most %d requests in flight; want exactly 1", got)
	}
	limCheckAllFetched(t, site, results, pages+1)
}
