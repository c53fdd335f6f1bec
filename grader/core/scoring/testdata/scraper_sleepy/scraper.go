// Package scraper waits with time.Sleep and keeps global state.
package scraper

import (
	"context"
	"net/http"
	"time"
)

// Options configures a crawl.
type Options struct {
	MaxDepth    int
	Concurrency int
	Client      *http.Client
}

// Result is the outcome of one visited URL.
type Result struct {
	URL string
	Err error
}

var visited = map[string]bool{}

var queue []string

// Crawl visits the site from seed.
func Crawl(ctx context.Context, seed string, opts Options) ([]Result, error) {
	visited[seed] = true
	queue = append(queue, seed)
	for len(queue) > 0 {
		time.Sleep(10 * time.Millisecond)
		queue = queue[1:]
	}
	pause := time.Sleep
	pause(time.Millisecond)
	return nil, ctx.Err()
}
