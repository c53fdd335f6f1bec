// Package facts exercises every fact the inspector reports.
package facts

import (
	"context"
	"math/rand/v2"
	"net/http"
	clock "time"

	"example.com/facts/internal/store"
	sf "golang.org/x/sync/singleflight"
	"gopkg.in/yaml.v3"
)

var (
	visited = map[string]bool{}
	queue   []string
	made    = make(map[string]int, 4)
	buf     = make([]byte, 0)
	lit     = []int{1, 2}
	conv    = []byte(nil)
	named   Registry
	namedV  = Registry{}
	paren   = (map[int]int{})
	grown   = append([]string(nil), "a")
	arr     [4]int
	ptr     = &[]int{}
	count   int
	client  = http.DefaultClient
	_       = map[int]int{}
)

// Registry is a named map type.
type Registry map[string]int

// Limit is an exported constant.
const Limit = 4

// ErrStop is an exported variable.
var ErrStop error

// Options has exported and unexported fields.
type Options struct {
	MaxDepth int
	Client   *http.Client
	hidden   int
}

// Fetcher has exported and unexported methods.
type Fetcher interface {
	Fetch(ctx context.Context, url string) error
	private()
}

// Crawl uses imported packages through aliases and guessed names.
func Crawl(ctx context.Context, seed string, opts Options) error {
	clock.Sleep(clock.Millisecond)
	wait := clock.Sleep
	wait(1)
	var g sf.Group
	_ = g
	_ = rand.IntN(3)
	_, _ = yaml.Marshal(nil)
	store.Put(seed)
	sf := struct{ Group int }{}
	_ = sf.Group
	return ctx.Err()
}

func helper() {}
