package scraper

import (
	"errors"
	"html"
	"io"
	"net/url"
	"strings"
	"unicode"
)

type tag struct {
	name  string
	attrs [][2]string
}

func (t tag) get(key string) (string, bool) {
	for _, kv := range t.attrs {
		if kv[0] == key {
			return kv[1], true
		}
	}
	return "", false
}

// tokenize returns the start tags of doc in order, without comments and
// without a tag cut off by the end of the document.
func tokenize(doc []rune) []tag {
	var tags []tag
	i := 0
	for i < len(doc) {
		if doc[i] != '<' {
			i++
			continue
		}
		if strings.HasPrefix(string(doc[i:min(i+4, len(doc))]), "<!--") {
			end := strings.Index(string(doc[i+4:]), "-->")
			if end < 0 {
				return tags
			}
			i += 4 + len([]rune(string(doc[i+4:])[:end])) + 3
			continue
		}
		i++
		if i >= len(doc) || !unicode.IsLetter(doc[i]) {
			continue
		}
		var t tag
		start := i
		for i < len(doc) && !unicode.IsSpace(doc[i]) && doc[i] != '>' && doc[i] != '/' {
			i++
		}
		t.name = strings.ToLower(string(doc[start:i]))
		closed := false
		for i < len(doc) && !closed {
			switch r := doc[i]; {
			case r == '>':
				closed = true
				i++
			case unicode.IsSpace(r) || r == '/':
				i++
			default:
				k := i
				for i < len(doc) && !unicode.IsSpace(doc[i]) && doc[i] != '=' && doc[i] != '>' && doc[i] != '/' {
					i++
				}
				key := strings.ToLower(string(doc[k:i]))
				for i < len(doc) && unicode.IsSpace(doc[i]) {
					i++
				}
				value := ""
				if i < len(doc) && doc[i] == '=' {
					i++
					for i < len(doc) && unicode.IsSpace(doc[i]) {
						i++
					}
					if i < len(doc) && (doc[i] == '"' || doc[i] == '\'') {
						q := doc[i]
						i++
						v := i
						for i < len(doc) && doc[i] != q {
							i++
						}
						value = string(doc[v:min(i, len(doc))])
						i++
					} else {
						v := i
						for i < len(doc) && !unicode.IsSpace(doc[i]) && doc[i] != '>' {
							i++
						}
						value = string(doc[v:i])
					}
				}
				t.attrs = append(t.attrs, [2]string{key, strings.TrimSpace(html.UnescapeString(value))})
			}
		}
		if closed {
			tags = append(tags, t)
		}
	}
	return tags
}

// ExtractLinks returns the http(s) targets of the document's <a href> links.
func ExtractLinks(base *url.URL, body io.Reader) ([]string, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, errors.Join(errors.New("scraper: read failed"), err)
	}
	result := []string{}
	dedup := map[string]bool{}
	gotBase := false
	for _, t := range tokenize([]rune(string(data))) {
		href, ok := t.get("href")
		if !ok {
			continue
		}
		if t.name == "base" && !gotBase {
			if nb, err := base.Parse(href); err == nil {
				base, gotBase = nb, true
			}
			continue
		}
		if t.name != "a" {
			continue
		}
		abs, err := base.Parse(href)
		if err != nil || !(abs.Scheme == "http" || abs.Scheme == "https") {
			continue
		}
		abs.Fragment, abs.RawFragment = "", ""
		if s := abs.String(); !dedup[s] {
			dedup[s] = true
			result = append(result, s)
		}
	}
	return result, nil
}
