package scraper

import (
	"net/url"
	"strings"
	"testing"
)

// An example of a test of your own: add more. The grader runs its own hidden
// tests instead of these, but yours are how you find your bugs first.
func TestExtractLinksRelative(t *testing.T) {
	t.Skip("remove this line once ExtractLinks is implemented")
	base, _ := url.Parse("http://example.com/dir/page.html")
	got, err := ExtractLinks(base, strings.NewReader(`<a href="other.html">other</a>`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://example.com/dir/other.html"; len(got) != 1 || got[0] != want {
		t.Errorf("ExtractLinks = %q; want [%q]", got, want)
	}
}
