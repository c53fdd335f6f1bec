package scraper_test

// Hidden tests, group "Dedup": every URL is fetched exactly once whatever the
// shape of the link graph (cycles, self-links, fragments, ../ paths), each
// Result has the depth of the shortest link path from the seed, and nothing
// deeper than MaxDepth is fetched.

import (
	"context"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	scraper "example.com/concurrent-web-scraper"
)

const dedCrawlLimit = 10 * time.Second

// dedSite serves fixed pages and counts requests per request URI.
type dedSite struct {
	srv *httptest.Server

	mu     sync.Mutex
	pages  map[string][]string // request URI -> hrefs
	before map[string]func()   // request URI -> runs before the page is served
	hits   map[string]int
}

func newDedSite(t *testing.T) *dedSite {
	t.Helper()
	s := &dedSite{pages: map[string][]string{}, before: map[string]func(){}, hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *dedSite) setPage(uri string, hrefs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[uri] = hrefs
}

func (s *dedSite) setBefore(uri string, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before[uri] = f
}

func (s *dedSite) serve(w http.ResponseWriter, r *http.Request) {
	uri := r.URL.RequestURI()
	s.mu.Lock()
	s.hits[uri]++
	hrefs, ok := s.pages[uri]
	before := s.before[uri]
	s.mu.Unlock()
	if before != nil {
		before()
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!doctype html>\n<html><head><title>page</title></head><body>\n")
	for _, h := range hrefs {
		fmt.Fprintf(w, "<a href=\"%s\">%s</a><br>\n", html.EscapeString(h), html.EscapeString(h))
	}
	fmt.Fprint(w, "</body></html>\n")
}

func (s *dedSite) hitCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.hits)
}

func dedClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: dedCrawlLimit}
}

// dedCrawl runs Crawl and fails the test if it errs or does not return in time.
func dedCrawl(t *testing.T, seed string, opts scraper.Options) []scraper.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), dedCrawlLimit)
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
			t.Fatalf("Crawl(%q) returned error %v; want nil", seed, o.err)
		}
		return o.results
	case <-time.After(dedCrawlLimit + 2*time.Second):
		t.Fatalf("Crawl(%q) did not return within %v (deadlock?)", seed, dedCrawlLimit+2*time.Second)
		return nil
	}
}

// dedCheckDepths checks that results holds exactly one Result per URL of
// want, with the wanted depth.
func dedCheckDepths(t *testing.T, results []scraper.Result, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, r := range results {
		if _, dup := got[r.URL]; dup {
			t.Errorf("two Results for %s; want one per URL", r.URL)
		}
		got[r.URL] = r.Depth
	}
	for _, u := range slices.Sorted(maps.Keys(want)) {
		d, ok := got[u]
		switch {
		case !ok:
			t.Errorf("no Result for %s; want one with Depth %d", u, want[u])
		case d != want[u]:
			t.Errorf("Result for %s has Depth %d; want %d (the length of the shortest link path from the seed)", u, d, want[u])
		}
	}
	for _, u := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[u]; !ok {
			t.Errorf("unexpected Result for %s (Depth %d)", u, got[u])
		}
	}
}

// dedCheckHits checks that the site served exactly the request URIs of want,
// each once.
func dedCheckHits(t *testing.T, name string, s *dedSite, want []string) {
	t.Helper()
	hits := s.hitCounts()
	for _, uri := range want {
		if n := hits[uri]; n != 1 {
			t.Errorf("%s: %s was requested %d times; want exactly once", name, uri, n)
		}
	}
	for _, uri := range slices.Sorted(maps.Keys(hits)) {
		if !slices.Contains(want, uri) {
			t.Errorf("%s: %s was requested %d times; want never", name, uri, hits[uri])
		}
	}
}

func dedFind(results []scraper.Result, url string) (scraper.Result, bool) {
	for _, r := range results {
		if r.URL == url {
			return r, true
		}
	}
	return scraper.Result{}, false
}

func TestHiddenDedup_VisitOnce(t *testing.T) {
	site := newDedSite(t)
	site.setPage("/", "a", "/b", "/a#x", "/", "#top", "a", "/dir/")
	site.setPage("/a", "/b", "./c", "/a", "/dir/")
	site.setPage("/b", "/a", "../c")
	site.setPage("/c", "/dir/e?x=1", "/", "c#frag")
	site.setPage("/dir/", "../a", "d", "./d#frag", "../dir/", ".")
	site.setPage("/dir/d", "../../../b", "e?x=1", "/dir/d")
	site.setPage("/dir/e?x=1", "?x=2", "e?x=1#f")
	site.setPage("/dir/e?x=2", "../", "/c")
	depths := map[string]int{
		"/": 0, "/a": 1, "/b": 1, "/dir/": 1, "/c": 2, "/dir/d": 2, "/dir/e?x=1": 3, "/dir/e?x=2": 4,
	}

	for _, concurrency := range []int{1, 4} {
		t.Run(fmt.Sprintf("Concurrency=%d", concurrency), func(t *testing.T) {
			site.mu.Lock()
			clear(site.hits)
			site.mu.Unlock()
			opts := scraper.Options{MaxDepth: 10, Concurrency: concurrency, PerHost: concurrency, Client: dedClient(t)}
			results := dedCrawl(t, site.srv.URL+"/", opts)
			want := map[string]int{}
			for uri, d := range depths {
				want[site.srv.URL+uri] = d
			}
			dedCheckDepths(t, results, want)
			dedCheckHits(t, "server", site, slices.Collect(maps.Keys(depths)))
		})
	}
}

func TestHiddenDedup_DepthCutoff(t *testing.T) {
	site := newDedSite(t)
	site.setPage("/", "/d1")
	for i := 1; i <= 6; i++ {
		site.setPage(fmt.Sprintf("/d%d", i), fmt.Sprintf("/d%d", i+1), "/")
	}
	u := site.srv.URL

	t.Run("MaxDepth=3", func(t *testing.T) {
		opts := scraper.Options{MaxDepth: 3, Concurrency: 2, PerHost: 2, Client: dedClient(t)}
		results := dedCrawl(t, u+"/", opts)
		dedCheckDepths(t, results, map[string]int{u + "/": 0, u + "/d1": 1, u + "/d2": 2, u + "/d3": 3})
		dedCheckHits(t, "server", site, []string{"/", "/d1", "/d2", "/d3"})
		if r, ok := dedFind(results, u+"/d3"); ok {
			if want := []string{u + "/d4", u + "/"}; !slices.Equal(r.Links, want) {
				t.Errorf("Result for %s has Links %q; want %q (links are listed even when they are too deep to follow)", r.URL, r.Links, want)
			}
		}
	})

	t.Run("MaxDepth=0", func(t *testing.T) {
		site.mu.Lock()
		clear(site.hits)
		site.mu.Unlock()
		opts := scraper.Options{MaxDepth: 0, Concurrency: 2, PerHost: 2, Client: dedClient(t)}
		results := dedCrawl(t, u+"/", opts)
		dedCheckDepths(t, results, map[string]int{u + "/": 0})
		dedCheckHits(t, "server", site, []string{"/"})
		if r, ok := dedFind(results, u+"/"); ok {
			if want := []string{u + "/d1"}; !slices.Equal(r.Links, want) {
				t.Errorf("Result for the seed has Links %q; want %q", r.Links, want)
			}
		}
	})
}

// /target is two links away through /slow and three through /fast and
// /fast2. /slow answers only once /target has been requested (or after
// 300 ms), so a crawler that does not finish depth 1 before fetching depth 2
// finds /target through the longer path first.
func TestHiddenDedup_ShortestDepth(t *testing.T) {
	site := newDedSite(t)
	targetRequested := make(chan struct{})
	var once sync.Once
	site.setPage("/", "/slow", "/fast")
	site.setPage("/fast", "/fast2")
	site.setPage("/fast2", "/target")
	site.setPage("/slow", "/target")
	site.setPage("/target")
	site.setBefore("/target", func() { once.Do(func() { close(targetRequested) }) })
	site.setBefore("/slow", func() {
		select {
		case <-targetRequested:
		case <-time.After(300 * time.Millisecond):
		}
	})
	u := site.srv.URL
	opts := scraper.Options{MaxDepth: 3, Concurrency: 4, PerHost: 4, Client: dedClient(t)}
	results := dedCrawl(t, u+"/", opts)
	dedCheckDepths(t, results, map[string]int{u + "/": 0, u + "/slow": 1, u + "/fast": 1, u + "/fast2": 2, u + "/target": 2})
	dedCheckHits(t, "server", site, []string{"/", "/slow", "/fast", "/fast2", "/target"})
}

func TestHiddenDedup_SameHostOnly(t *testing.T) {
	a, b := newDedSite(t), newDedSite(t)
	a.setPage("/", b.srv.URL+"/", "/x")
	a.setPage("/x", b.srv.URL+"/z")
	a.setPage("/y")
	b.setPage("/", a.srv.URL+"/y")
	b.setPage("/z")

	t.Run("SameHostOnly=true", func(t *testing.T) {
		opts := scraper.Options{MaxDepth: 3, Concurrency: 2, PerHost: 2, SameHostOnly: true, Client: dedClient(t)}
		results := dedCrawl(t, a.srv.URL+"/", opts)
		dedCheckDepths(t, results, map[string]int{a.srv.URL + "/": 0, a.srv.URL + "/x": 1})
		dedCheckHits(t, "seed's server", a, []string{"/", "/x"})
		dedCheckHits(t, "other server", b, nil)
		if r, ok := dedFind(results, a.srv.URL+"/"); ok {
			if want := []string{b.srv.URL + "/", a.srv.URL + "/x"}; !slices.Equal(r.Links, want) {
				t.Errorf("Result for the seed has Links %q; want %q (links to other hosts are listed, only not followed)", r.Links, want)
			}
		}
	})

	t.Run("SameHostOnly=false", func(t *testing.T) {
		for _, s := range []*dedSite{a, b} {
			s.mu.Lock()
			clear(s.hits)
			s.mu.Unlock()
		}
		opts := scraper.Options{MaxDepth: 3, Concurrency: 2, PerHost: 2, Client: dedClient(t)}
		results := dedCrawl(t, a.srv.URL+"/", opts)
		dedCheckDepths(t, results, map[string]int{
			a.srv.URL + "/": 0, b.srv.URL + "/": 1, a.srv.URL + "/x": 1, a.srv.URL + "/y": 2, b.srv.URL + "/z": 2,
		})
		dedCheckHits(t, "seed's server", a, []string{"/", "/x", "/y"})
		dedCheckHits(t, "other server", b, []string{"/", "/z"})
	})
}
