package scraper

import (
	"bytes"
	"html"
	"io"
	"net/url"
	"strings"
)

// ExtractLinks reads an HTML document and returns the targets of its <a href>
// links as absolute http or https URLs without fragments, deduplicated, in
// document order.
//
// Relative links are resolved against the first <base href> of the document
// (itself resolved against base) or, without one, against base. Links inside
// comments, links that do not parse and links to other schemes (mailto:,
// javascript:, tel:, ...) are skipped. Malformed markup is not an error: the
// links found up to the point where the document stops making sense are
// returned. The error is non-nil only when reading body fails.
func ExtractLinks(base *url.URL, body io.Reader) ([]string, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	var hrefs []string
	resolveAgainst := base
	haveBase := false
	for tag := range scanTags(data) {
		switch tag.name {
		case "base":
			href, ok := tag.attrs["href"]
			if !ok || haveBase {
				continue
			}
			if u, err := base.Parse(href); err == nil {
				resolveAgainst, haveBase = u, true
			}
		case "a":
			if href, ok := tag.attrs["href"]; ok {
				hrefs = append(hrefs, href)
			}
		}
	}

	links := make([]string, 0, len(hrefs))
	seen := make(map[string]bool, len(hrefs))
	for _, href := range hrefs {
		u, err := resolveAgainst.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		u.Fragment, u.RawFragment = "", ""
		s := u.String()
		if !seen[s] {
			seen[s] = true
			links = append(links, s)
		}
	}
	return links, nil
}

// startTag is one start tag: its lower-case name and attributes (the first
// of repeated attributes wins), with character references decoded and
// surrounding white space trimmed from the values.
type startTag struct {
	name  string
	attrs map[string]string
}

// scanTags yields the complete start tags of an HTML document in order. It
// skips comments, end tags, doctypes and processing instructions, and stops
// at a tag cut off by the end of the document.
func scanTags(data []byte) func(yield func(startTag) bool) {
	return func(yield func(startTag) bool) {
		for i := 0; i < len(data); {
			lt := bytes.IndexByte(data[i:], '<')
			if lt < 0 {
				return
			}
			i += lt
			rest := data[i:]
			switch {
			case bytes.HasPrefix(rest, []byte("<!--")):
				end := bytes.Index(rest[4:], []byte("-->"))
				if end < 0 {
					return
				}
				i += 4 + end + 3
			case len(rest) > 1 && isLetter(rest[1]):
				tag, n, ok := parseStartTag(rest)
				if !ok {
					return
				}
				i += n
				if !yield(tag) {
					return
				}
			case len(rest) > 1 && (rest[1] == '/' || rest[1] == '!' || rest[1] == '?'):
				end := bytes.IndexByte(rest, '>')
				if end < 0 {
					return
				}
				i += end + 1
			default:
				i++ // a '<' that opens no tag is text
			}
		}
	}
}

// parseStartTag parses the start tag at the beginning of s (s[0] == '<' and
// s[1] is a letter) and returns it with the number of bytes it spans; ok is
// false when the document ends inside the tag.
func parseStartTag(s []byte) (tag startTag, n int, ok bool) {
	i := 1
	for i < len(s) && !isSpace(s[i]) && s[i] != '/' && s[i] != '>' {
		i++
	}
	tag.name = strings.ToLower(string(s[1:i]))
	tag.attrs = make(map[string]string)
	for {
		for i < len(s) && (isSpace(s[i]) || s[i] == '/') {
			i++
		}
		if i >= len(s) {
			return tag, 0, false
		}
		if s[i] == '>' {
			return tag, i + 1, true
		}
		start := i
		for i < len(s) && !isSpace(s[i]) && s[i] != '/' && s[i] != '>' && (s[i] != '=' || i == start) {
			i++
		}
		name := strings.ToLower(string(s[start:i]))
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		value := ""
		if i < len(s) && s[i] == '=' {
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i >= len(s) {
				return tag, 0, false
			}
			if q := s[i]; q == '"' || q == '\'' {
				end := bytes.IndexByte(s[i+1:], q)
				if end < 0 {
					return tag, 0, false
				}
				value = string(s[i+1 : i+1+end])
				i += end + 2
			} else {
				start := i
				for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
					i++
				}
				value = string(s[start:i])
			}
		}
		if _, dup := tag.attrs[name]; !dup {
			tag.attrs[name] = strings.TrimSpace(html.UnescapeString(value))
		}
	}
}

func isLetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f'
}
