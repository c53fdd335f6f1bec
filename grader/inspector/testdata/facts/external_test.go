package facts_test

import (
	"testing"

	"example.com/facts"
)

func TestExternal(t *testing.T) {
	_ = facts.Crawl
}
