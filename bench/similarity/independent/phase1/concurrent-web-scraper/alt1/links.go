package scraper

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
)

// ExtractLinks reads an HTML document and returns the targets of its <a href>
// links as absolute http or https URLs without fragments, deduplicated, in
// document order.
func ExtractLinks(base *url.URL, body io.Reader) ([]string, error) {
	raw, err := io.ReadAll(bufio.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("scraper: reading body: %w", err)
	}
	doc := string(raw)
	var links []string
	seen := make(map[string]struct{})
	baseSet := false
	pos := 0
	for pos < len(doc) {
		lt := strings.IndexByte(doc[pos:], '<')
		if lt < 0 {
			break
		}
		pos += lt
		if strings.HasPrefix(doc[pos:], "<!--") {
			end := strings.Index(doc[pos+4:], "-->")
			if end < 0 {
				break
			}
			pos += 4 + end + 3
			continue
		}
		gt := findTagEnd(doc, pos+1)
		if gt < 0 {
			break
		}
		name, attrs := parseTag(doc[pos+1 : gt])
		pos = gt + 1
		href, has := attrs["href"]
		if !has {
			continue
		}
		switch name {
		case "base":
			if !baseSet {
				if b, err := base.Parse(href); err == nil {
					base = b
					baseSet = true
				}
			}
		case "a":
			u, err := base.Parse(href)
			if err != nil {
				continue
			}
			if u.Scheme != "http" && u.Scheme != "https" {
				continue
			}
			u.Fragment = ""
			u.RawFragment = ""
			s := u.String()
			if _, dup := seen[s]; !dup {
				seen[s] = struct{}{}
				links = append(links, s)
			}
		}
	}
	return links, nil
}

// findTagEnd returns the index of the '>' closing the tag that starts at
// from, skipping quoted values.
func findTagEnd(doc string, from int) int {
	var quote byte
	for i := from; i < len(doc); i++ {
		c := doc[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// parseTag splits the inside of a tag into its lower-case name and its
// attributes (the first of each name wins).
func parseTag(s string) (string, map[string]string) {
	attrs := map[string]string{}
	i := 0
	for i < len(s) && !isSpace(s[i]) && s[i] != '/' {
		i++
	}
	name := strings.ToLower(s[:i])
	if name == "" || !isLetter(name[0]) {
		return "", attrs
	}
	for i < len(s) {
		for i < len(s) && (isSpace(s[i]) || s[i] == '/') {
			i++
		}
		j := i
		for j < len(s) && !isSpace(s[j]) && s[j] != '=' && s[j] != '/' {
			j++
		}
		key := strings.ToLower(s[i:j])
		i = j
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		val := ""
		if i < len(s) && s[i] == '=' {
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i < len(s) && (s[i] == '"' || s[i] == '\'') {
				q := s[i]
				end := strings.IndexByte(s[i+1:], q)
				if end < 0 {
					end = len(s) - i - 1
				}
				val = s[i+1 : i+1+end]
				i += end + 2
			} else {
				k := i
				for k < len(s) && !isSpace(s[k]) {
					k++
				}
				val = s[i:k]
				i = k
			}
		}
		if key == "" {
			i++
			continue
		}
		if _, dup := attrs[key]; !dup {
			attrs[key] = strings.TrimSpace(html.UnescapeString(val))
		}
	}
	return name, attrs
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
