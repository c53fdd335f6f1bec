package scraper

import (
	"io"
	"net/url"
	"regexp"
)

// hrefPattern finds the href of <a> tags.
//
// BUG (intended): a regular expression is not an HTML tokenizer: it finds
// links inside comments and in other attributes, ignores <base href>, and
// leaves character references undecoded.
var hrefPattern = regexp.MustCompile(`(?i)<a\s[^>]*href\s*=\s*["']?([^"'\s>]*)`)

// ExtractLinks returns the absolute http(s) targets of the <a href> links of
// body, resolved against base, without fragments, deduplicated.
func ExtractLinks(base *url.URL, body io.Reader) ([]string, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	var links []string
	seen := map[string]bool{}
	for _, m := range hrefPattern.FindAllSubmatch(data, -1) {
		u, err := base.Parse(string(m[1]))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		u.Fragment = ""
		if s := u.String(); !seen[s] {
			seen[s] = true
			links = append(links, s)
		}
	}
	return links, nil
}
