package scraper_test

// Hidden tests, group "Cancel": Crawl stops promptly when its context ends,
// returns ctx.Err(), keeps the Results it has, and leaves no goroutine behind
// (checked with go.uber.org/goleak), neither after a cancellation nor after
// a crawl that ran to its end.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	scraper "example.com/concurrent-web-scraper"
	"go.uber.org/goleak"
)

const canReturnWithin = time.Second

// canSite serves a root page linking to n pages. Every page but the root
// blocks until its request's context is done (the client gave up) or the
// test ends.
type canSite struct {
	srv      *httptest.Server
	release  chan struct{}
	requests atomic.Int64
	blocked  atomic.Int64
	n        int
}

func newCanSite(t *testing.T, n int) *canSite {
	t.Helper()
	s := &canSite{release: make(chan struct{}), n: n}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)                 // runs second
	t.Cleanup(func() { close(s.release) }) // runs first
	return s
}

func (s *canSite) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.URL.Path == "/" {
		w.Header().Set("Content-Type", "text/html")
		for i := range s.n {
			fmt.Fprintf(w, "<a href=\"/p%d\">page %d</a>\n", i, i)
		}
		return
	}
	s.blocked.Add(1)
	defer s.blocked.Add(-1)
	select {
	case <-r.Context().Done():
	case <-s.release:
		fmt.Fprint(w, "<p>released</p>")
	}
}

// canClient returns a client with its own transport; closeIdle closes the
// transport's idle connections, whose goroutines are not the crawler's.
func canClient() (client *http.Client, closeIdle func()) {
	tr := &http.Transport{}
	return &http.Client{Transport: tr}, tr.CloseIdleConnections
}

type canOutcome struct {
	results []scraper.Result
	err     error
}

func canStart(ctx context.Context, seed string, opts scraper.Options) <-chan canOutcome {
	done := make(chan canOutcome, 1)
	go func() {
		results, err := scraper.Crawl(ctx, seed, opts)
		done <- canOutcome{results, err}
	}()
	return done
}

// canWait waits for Crawl to return within canReturnWithin of `since`.
func canWait(t *testing.T, done <-chan canOutcome, since time.Time, what string) canOutcome {
	t.Helper()
	select {
	case o := <-done:
		if d := time.Since(since); d > canReturnWithin {
			t.Errorf("Crawl returned %v after %s; want within %v", d.Round(time.Millisecond), what, canReturnWithin)
		}
		return o
	case <-time.After(time.Until(since.Add(canReturnWithin))):
		t.Fatalf("Crawl did not return within %v after %s: it must stop promptly (pass the context to every request and stop waiting when it is done)", canReturnWithin, what)
		return canOutcome{}
	}
}

// canWaitFor polls cond for up to 5 s.
func canWaitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 5s waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func canCheckPartial(t *testing.T, site *canSite, results []scraper.Result) {
	t.Helper()
	seed := site.srv.URL + "/"
	var seedResult *scraper.Result
	for i, r := range results {
		if r.URL == seed {
			seedResult = &results[i]
			continue
		}
		if r.Err == nil {
			t.Errorf("Result for %s has no Err, but its request was interrupted by the cancellation (leave it out or record the error)", r.URL)
		}
	}
	if seedResult == nil {
		t.Errorf("the Results returned with the cancellation do not include the seed %s, which was fetched before it: keep the Results of pages already fetched", seed)
	} else if seedResult.Status != http.StatusOK || seedResult.Err != nil {
		t.Errorf("Result for the seed = {Status: %d, Err: %v}; want {Status: 200, Err: nil}", seedResult.Status, seedResult.Err)
	}
}

func TestHiddenCancel_Prompt(t *testing.T) {
	site := newCanSite(t, 20)
	client, closeIdle := canClient()
	leakOpts := goleak.IgnoreCurrent()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := canStart(ctx, site.srv.URL+"/", scraper.Options{MaxDepth: 2, Concurrency: 4, PerHost: 4, Client: client})
	canWaitFor(t, func() bool { return site.blocked.Load() > 0 }, "a request for a page linked from the seed")
	time.Sleep(50 * time.Millisecond)
	cancelled := time.Now()
	cancel()
	o := canWait(t, done, cancelled, "the context was cancelled")
	if !errors.Is(o.err, context.Canceled) {
		t.Errorf("Crawl returned error %v after its context was cancelled; want one matching errors.Is(err, context.Canceled)", o.err)
	}
	canCheckPartial(t, site, o.results)

	closeIdle()
	if err := goleak.Find(leakOpts); err != nil {
		t.Errorf("goroutines left running after Crawl returned (each goroutine Crawl starts must have ended when it returns):\n%v", err)
	}
}

func TestHiddenCancel_Deadline(t *testing.T) {
	site := newCanSite(t, 20)
	client, closeIdle := canClient()
	leakOpts := goleak.IgnoreCurrent()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	done := canStart(ctx, site.srv.URL+"/", scraper.Options{MaxDepth: 2, Concurrency: 3, PerHost: 2, Client: client})
	o := canWait(t, done, deadline, "the context's deadline")
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Errorf("Crawl returned error %v after its context's deadline; want one matching errors.Is(err, context.DeadlineExceeded) (return ctx.Err())", o.err)
	}

	closeIdle()
	if err := goleak.Find(leakOpts); err != nil {
		t.Errorf("goroutines left running after Crawl returned:\n%v", err)
	}
}

// Cancelling once the crawler has filled its limit with blocked requests:
// every waiting and in-flight request must be abandoned.
func TestHiddenCancel_WhileAtLimit(t *testing.T) {
	const concurrency = 5
	site := newCanSite(t, 40)
	client, closeIdle := canClient()
	leakOpts := goleak.IgnoreCurrent()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := canStart(ctx, site.srv.URL+"/", scraper.Options{MaxDepth: 1, Concurrency: concurrency, PerHost: concurrency, Client: client})
	canWaitFor(t, func() bool { return site.blocked.Load() >= concurrency }, fmt.Sprintf("%d requests in flight", concurrency))
	cancelled := time.Now()
	cancel()
	o := canWait(t, done, cancelled, "the context was cancelled")
	if !errors.Is(o.err, context.Canceled) {
		t.Errorf("Crawl returned error %v after its context was cancelled; want one matching errors.Is(err, context.Canceled)", o.err)
	}
	canCheckPartial(t, site, o.results)

	closeIdle()
	if err := goleak.Find(leakOpts); err != nil {
		t.Errorf("goroutines left running after Crawl returned:\n%v", err)
	}
}

func TestHiddenCancel_AlreadyCancelled(t *testing.T) {
	site := newCanSite(t, 10)
	client, closeIdle := canClient()
	defer closeIdle()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	done := canStart(ctx, site.srv.URL+"/", scraper.Options{MaxDepth: 2, Concurrency: 2, PerHost: 2, Client: client})
	o := canWait(t, done, start, "being called with a cancelled context")
	if !errors.Is(o.err, context.Canceled) {
		t.Errorf("Crawl with an already cancelled context returned error %v; want one matching errors.Is(err, context.Canceled)", o.err)
	}
	if got := site.requests.Load(); got > 1 {
		t.Errorf("Crawl with an already cancelled context made %d requests; want none beyond the seed", got)
	}
}

// A crawl that runs to its end leaves no goroutine behind either (workers
// waiting for more work, senders nobody receives from, ...).
func TestHiddenCancel_NoLeakAfterCrawl(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		var n int
		fmt.Sscanf(r.URL.Path, "/n%d", &n)
		for _, next := range []int{2*n + 1, 2*n + 2, n / 2} {
			if next < 40 {
				fmt.Fprintf(w, "<a href=\"/n%d\">n%d</a>\n", next, next)
			}
		}
	}))
	defer srv.Close()
	client, closeIdle := canClient()
	leakOpts := goleak.IgnoreCurrent()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := canStart(ctx, srv.URL+"/n0", scraper.Options{MaxDepth: 10, Concurrency: 4, PerHost: 3, Client: client})
	var o canOutcome
	select {
	case o = <-done:
	case <-time.After(12 * time.Second):
		t.Fatal("Crawl did not return within 12s (deadlock?)")
	}
	if o.err != nil {
		t.Fatalf("Crawl returned error %v; want nil", o.err)
	}
	if len(o.results) != 40 {
		t.Errorf("Crawl returned %d results; want 40 (a binary tree of pages /n0 ... /n39)", len(o.results))
	}

	closeIdle()
	if err := goleak.Find(leakOpts); err != nil {
		t.Errorf("goroutines left running after Crawl returned (each goroutine Crawl starts must have ended when it returns):\n%v", err)
	}
}
