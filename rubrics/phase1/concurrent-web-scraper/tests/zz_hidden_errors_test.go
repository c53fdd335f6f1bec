package scraper_test

// Hidden tests, group "Errors": ExtractLinks (resolution, <base href>,
// skipped schemes, attribute syntax, read errors) and how Crawl records
// pages that fail (error statuses, broken HTML, unreachable hosts, truncated
// bodies) without aborting the crawl; invalid seeds are rejected.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	scraper "example.com/concurrent-web-scraper"
)

const errPage = "http://example.com/dir/page.html"

type errLinksCase struct {
	name string
	doc  string
	want []string
}

func errRunLinksCases(t *testing.T, cases []errLinksCase) {
	t.Helper()
	base, err := url.Parse(errPage)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scraper.ExtractLinks(base, strings.NewReader(tc.doc))
			if err != nil {
				t.Fatalf("ExtractLinks(%s, %q) returned error %v; want nil (malformed markup is not an error)", errPage, tc.doc, err)
			}
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ExtractLinks(%s, %q)\n got %q\nwant %q", errPage, tc.doc, got, tc.want)
			}
		})
	}
}

func TestHiddenErrors_ExtractLinks(t *testing.T) {
	errRunLinksCases(t, []errLinksCase{
		{
			name: "relative and absolute forms",
			doc: `<html><body>
<a href="other.html">1</a> <a href="/root">2</a> <a href="../up.html">3</a>
<a href="./same/x">4</a> <a href="//cdn.example.net/lib">5</a>
<a href="https://other.example:8443/p?q=1">6</a> <a href="?q=2">7</a>
</body></html>`,
			want: []string{
				"http://example.com/dir/other.html", "http://example.com/root", "http://example.com/up.html",
				"http://example.com/dir/same/x", "http://cdn.example.net/lib",
				"https://other.example:8443/p?q=1", "http://example.com/dir/page.html?q=2",
			},
		},
		{
			name: "fragments stripped and duplicates removed",
			doc:  `<a href="/a#one">a</a><a href="/a#two">a</a><a href="/a">a</a><a href="#top">top</a><a href="">self</a><a href="page.html">self</a><a href="/b">b</a><a href="/a">a</a>`,
			want: []string{"http://example.com/a", "http://example.com/dir/page.html", "http://example.com/b"},
		},
		{
			name: "attribute syntax",
			doc: `<a href='/single'>s</a> <a href=/unquoted>u</a> <a href = "/spaces" >s</a>
<A HREF="/upper">U</A> <a class="x" id=y href="/later" title='t'>l</a>
<a
  href="/newline"
>n</a> <a href="/self-closing"/> <a href="/first" href="/second">f</a>`,
			want: []string{
				"http://example.com/single", "http://example.com/unquoted", "http://example.com/spaces",
				"http://example.com/upper", "http://example.com/later", "http://example.com/newline",
				"http://example.com/self-closing", "http://example.com/first",
			},
		},
		{
			name: "character references and white space in values",
			doc:  `<a href="/q?a=1&amp;b=2">q</a> <a href="  /trim  ">t</a> <a href="/num&#47;ber">n</a>`,
			want: []string{"http://example.com/q?a=1&b=2", "http://example.com/trim", "http://example.com/num/ber"},
		},
		{
			name: "not links",
			doc: `<!-- <a href="/commented">c</a> -->
<abbr href="/abbr">x</abbr> <link rel="stylesheet" href="/style.css">
<a data-href="/data">d</a> <a name="anchor">n</a> <article href="/article"></article>
<p>a href="/text" is text</p> </a href="/end-tag">
<a href="/real">real</a>`,
			want: []string{"http://example.com/real"},
		},
		{
			name: "unparsable hrefs skipped",
			doc:  `<a href="http://%zz/">bad escape</a><a href="http://[::1">bad host</a><a href="/ok">ok</a>`,
			want: []string{"http://example.com/ok"},
		},
		{
			name: "document order through nested markup",
			doc:  `<ul><li><a href="/3"><b>three</b></a></li><li><p><a href="/1"><img src="/img.png"></a></p></li></ul><div><a href="/2">two</a></div>`,
			want: []string{"http://example.com/3", "http://example.com/1", "http://example.com/2"},
		},
		{
			name: "no links",
			doc:  `<html><head><title>empty</title></head><body><p>nothing to see</p></body></html>`,
			want: nil,
		},
	})
}

func TestHiddenErrors_ExtractLinksBase(t *testing.T) {
	errRunLinksCases(t, []errLinksCase{
		{
			name: "absolute base",
			doc:  `<html><head><base href="http://base.example/sub/"></head><body><a href="x">x</a><a href="/root">r</a></body></html>`,
			want: []string{"http://base.example/sub/x", "http://base.example/root"},
		},
		{
			name: "relative base resolved against the page",
			doc:  `<head><base href="/other/"></head><a href="y">y</a>`,
			want: []string{"http://example.com/other/y"},
		},
		{
			name: "first base wins",
			doc:  `<head><base href="/one/"><base href="/two/"></head><a href="z">z</a>`,
			want: []string{"http://example.com/one/z"},
		},
		{
			name: "base without href ignored",
			doc:  `<head><base target="_blank"></head><a href="w">w</a>`,
			want: []string{"http://example.com/dir/w"},
		},
		{
			name: "first base with an href wins",
			doc:  `<head><base target="_blank"><base href="/three/"></head><a href="w">w</a>`,
			want: []string{"http://example.com/three/w"},
		},
		{
			name: "upper case",
			doc:  `<HEAD><BASE HREF='https://secure.example/'></HEAD><A HREF="s">s</A>`,
			want: []string{"https://secure.example/s"},
		},
	})
}

func TestHiddenErrors_ExtractLinksSkipsSchemes(t *testing.T) {
	errRunLinksCases(t, []errLinksCase{
		{
			name: "only http and https",
			doc: `<a href="mailto:someone@example.com">mail</a>
<a href="javascript:void(0)">js</a> <a href="JavaScript:alert(1)">js</a> <a href=" javascript:x()">js</a>
<a href="http://ok.example/">ok</a>
<a href="tel:+15551234">tel</a> <a href="data:text/plain,hello">data</a>
<a href="ftp://files.example/f">ftp</a> <a href="file:///etc/passwd">file</a> <a href="about:blank">about</a>
<a href="HTTPS://up.example/path">up</a>`,
			want: []string{"http://ok.example/", "https://up.example/path"},
		},
	})
}

// errServe starts a server whose handler is h and returns its URL.
func errServe(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func errClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// errCrawl runs Crawl and fails the test if it errs or does not return in time.
func errCrawl(t *testing.T, seed string, opts scraper.Options) []scraper.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
			t.Fatalf("Crawl(%q) returned error %v; want nil (errors of single pages belong in their Result)", seed, o.err)
		}
		return o.results
	case <-time.After(12 * time.Second):
		t.Fatalf("Crawl(%q) did not return within 12s (deadlock?)", seed)
		return nil
	}
}

// errResult returns the Result for u, failing the test if there is none.
func errResult(t *testing.T, results []scraper.Result, u string) scraper.Result {
	t.Helper()
	for _, r := range results {
		if r.URL == u {
			return r
		}
	}
	var urls []string
	for _, r := range results {
		urls = append(urls, r.URL)
	}
	t.Fatalf("no Result for %s among %q", u, urls)
	return scraper.Result{}
}

// errCounter counts requests per path.
type errCounter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (c *errCounter) hit(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits == nil {
		c.hits = map[string]int{}
	}
	c.hits[path]++
}

func (c *errCounter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[path]
}

func TestHiddenErrors_ExtractLinksReadError(t *testing.T) {
	t.Run("ExtractLinks", func(t *testing.T) {
		errBoom := errors.New("boom: connection reset")
		base, _ := url.Parse(errPage)
		body := io.MultiReader(strings.NewReader(`<a href="/x">x</a><a href="/y">`), iotest.ErrReader(errBoom))
		_, err := scraper.ExtractLinks(base, body)
		if !errors.Is(err, errBoom) {
			t.Errorf("ExtractLinks on a body whose Read fails with %q returned error %v; want that error (errors.Is)", errBoom, err)
		}
	})

	t.Run("Crawl", func(t *testing.T) {
		var counter errCounter
		u := errServe(t, func(w http.ResponseWriter, r *http.Request) {
			counter.hit(r.URL.Path)
			switch r.URL.Path {
			case "/":
				fmt.Fprint(w, `<a href="/short">short</a> <a href="/fine">fine</a>`)
			case "/short":
				// Promises 1000 bytes, sends fewer, and the connection closes.
				w.Header().Set("Content-Length", "1000")
				w.WriteHeader(http.StatusOK)
				fmt.Fprint(w, `<a href="/never">`)
			case "/fine":
				fmt.Fprint(w, `<p>fine</p>`)
			default:
				http.NotFound(w, r)
			}
		})
		results := errCrawl(t, u+"/", scraper.Options{MaxDepth: 2, Concurrency: 2, PerHost: 2, Client: errClient(t)})
		short := errResult(t, results, u+"/short")
		if short.Status != http.StatusOK || short.Err == nil {
			t.Errorf("Result for a page whose body is cut short = {Status: %d, Err: %v}; want {Status: 200, Err: non-nil}", short.Status, short.Err)
		}
		if fine := errResult(t, results, u+"/fine"); fine.Status != http.StatusOK || fine.Err != nil {
			t.Errorf("Result for %s = {Status: %d, Err: %v}; want {Status: 200, Err: nil}", fine.URL, fine.Status, fine.Err)
		}
	})
}

func TestHiddenErrors_PageErrors(t *testing.T) {
	var counter errCounter
	u := errServe(t, func(w http.ResponseWriter, r *http.Request) {
		counter.hit(r.URL.Path)
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="/500">a</a> <a href="/404">b</a> <a href="/ok">c</a>`)
		case "/500":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `<p>oops</p><a href="/from500">do not follow</a>`)
		case "/ok":
			fmt.Fprint(w, `<a href="/ok2">next</a>`)
		case "/ok2":
			fmt.Fprint(w, `<p>end</p>`)
		default:
			http.NotFound(w, r)
		}
	})

	t.Run("pages", func(t *testing.T) {
		results := errCrawl(t, u+"/", scraper.Options{MaxDepth: 3, Concurrency: 3, PerHost: 3, Client: errClient(t)})
		if len(results) != 5 {
			t.Errorf("Crawl returned %d results; want 5 (/, /500, /404, /ok, /ok2)", len(results))
		}
		for _, tc := range []struct {
			path   string
			status int
		}{{"/500", 500}, {"/404", 404}} {
			r := errResult(t, results, u+tc.path)
			if r.Status != tc.status || r.Err == nil {
				t.Errorf("Result for %s = {Status: %d, Err: %v}; want {Status: %d, Err: non-nil}", r.URL, r.Status, r.Err, tc.status)
			}
			if len(r.Links) != 0 {
				t.Errorf("Result for %s has Links %q; want none (links are taken from 2xx responses only)", r.URL, r.Links)
			}
		}
		for _, path := range []string{"/", "/ok", "/ok2"} {
			if r := errResult(t, results, u+path); r.Status != 200 || r.Err != nil {
				t.Errorf("Result for %s = {Status: %d, Err: %v}; want {Status: 200, Err: nil}", r.URL, r.Status, r.Err)
			}
		}
		if n := counter.count("/from500"); n != 0 {
			t.Errorf("/from500, linked only from a 500 response, was requested %d times; want never", n)
		}
	})

	t.Run("seed fails", func(t *testing.T) {
		results := errCrawl(t, u+"/500", scraper.Options{MaxDepth: 3, Concurrency: 3, PerHost: 3, Client: errClient(t)})
		if len(results) != 1 {
			t.Fatalf("Crawl of a seed answering 500 returned %d results; want 1", len(results))
		}
		if r := results[0]; r.URL != u+"/500" || r.Status != 500 || r.Err == nil {
			t.Errorf("Result = {URL: %s, Status: %d, Err: %v}; want {URL: %s, Status: 500, Err: non-nil}", r.URL, r.Status, r.Err, u+"/500")
		}
	})
}

func TestHiddenErrors_BrokenHTML(t *testing.T) {
	var counter errCounter
	u := errServe(t, func(w http.ResponseWriter, r *http.Request) {
		counter.hit(r.URL.Path)
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><body><a href="/one">one</a><div class="x><<>>&&& </p></b><a href="/two`)
		case "/one":
			w.Write([]byte("\x00\xff<\x01<< >>\"'<a"))
		default:
			http.NotFound(w, r)
		}
	})
	results := errCrawl(t, u+"/", scraper.Options{MaxDepth: 2, Concurrency: 2, PerHost: 2, Client: errClient(t)})
	root := errResult(t, results, u+"/")
	if root.Status != 200 || root.Err != nil {
		t.Errorf("Result for a page with broken HTML = {Status: %d, Err: %v}; want {Status: 200, Err: nil}", root.Status, root.Err)
	}
	if !slices.Contains(root.Links, u+"/one") {
		t.Errorf("Result for the page with broken HTML has Links %q; want them to include %s, well formed before the breakage", root.Links, u+"/one")
	}
	one := errResult(t, results, u+"/one")
	if one.Status != 200 || one.Err != nil || len(one.Links) != 0 {
		t.Errorf("Result for a page of binary garbage = {Status: %d, Err: %v, Links: %q}; want {Status: 200, Err: nil, Links: none}", one.Status, one.Err, one.Links)
	}
	if n := counter.count("/one"); n != 1 {
		t.Errorf("/one was requested %d times; want once", n)
	}
}

func TestHiddenErrors_Unreachable(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/gone"
	dead.Close()
	var counter errCounter
	u := errServe(t, func(w http.ResponseWriter, r *http.Request) {
		counter.hit(r.URL.Path)
		switch r.URL.Path {
		case "/":
			fmt.Fprintf(w, `<a href="%s">dead</a> <a href="/ok">ok</a>`, deadURL)
		case "/ok":
			fmt.Fprint(w, `<p>ok</p>`)
		default:
			http.NotFound(w, r)
		}
	})
	results := errCrawl(t, u+"/", scraper.Options{MaxDepth: 2, Concurrency: 2, PerHost: 2, Client: errClient(t)})
	if r := errResult(t, results, deadURL); r.Status != 0 || r.Err == nil {
		t.Errorf("Result for an unreachable host = {Status: %d, Err: %v}; want {Status: 0, Err: non-nil}", r.Status, r.Err)
	}
	if r := errResult(t, results, u+"/ok"); r.Status != 200 || r.Err != nil {
		t.Errorf("Result for %s = {Status: %d, Err: %v}; want {Status: 200, Err: nil}", r.URL, r.Status, r.Err)
	}
}

func TestHiddenErrors_InvalidSeed(t *testing.T) {
	t.Run("valid seed", func(t *testing.T) {
		u := errServe(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<p>hello</p>") })
		results := errCrawl(t, u+"/", scraper.Options{MaxDepth: 1, Concurrency: 1, PerHost: 1, Client: errClient(t)})
		if len(results) != 1 || results[0].URL != u+"/" || results[0].Status != 200 {
			t.Errorf("Crawl(%q) returned %+v; want one Result for it with Status 200", u+"/", results)
		}
	})
	for _, seed := range []string{
		"",
		"example.com/no-scheme",
		"/relative/path",
		"mailto:someone@example.com",
		"ftp://example.com/",
		"http://%zz/",
		"http:///no-host",
	} {
		t.Run(fmt.Sprintf("%q", seed), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			type outcome struct {
				results []scraper.Result
				err     error
			}
			done := make(chan outcome, 1)
			go func() {
				results, err := scraper.Crawl(ctx, seed, scraper.Options{MaxDepth: 1, Concurrency: 1, PerHost: 1, Client: errClient(t)})
				done <- outcome{results, err}
			}()
			select {
			case o := <-done:
				if o.err == nil {
					t.Errorf("Crawl(%q) returned a nil error; want an error (the seed must be an absolute http or https URL)", seed)
				}
				if len(o.results) != 0 {
					t.Errorf("Crawl(%q) returned %d results; want none", seed, len(o.results))
				}
			case <-time.After(6 * time.Second):
				t.Fatalf("Crawl(%q) did not return within 6s", seed)
			}
		})
	}
}
