package scraper

import (
	"context"
	"testing"
	"time"
)

// Tests may sleep and keep package-level tables.
var seeds = []string{"http://127.0.0.1/"}

func TestCrawl(t *testing.T) {
	time.Sleep(time.Millisecond)
	if _, err := Crawl(context.Background(), seeds[0], Options{}); err != nil {
		t.Fatal(err)
	}
}
