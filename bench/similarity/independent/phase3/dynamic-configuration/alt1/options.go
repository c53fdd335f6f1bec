// Package config decodes configuration into a struct from defaults, a JSON
// file, environment variables and command-line flags, validates it, and
// keeps an atomically published snapshot that follows the file.
package config

import (
	"os"
	"time"
)

// DefaultPollInterval is the poll interval of Watch without WithPollInterval.
const DefaultPollInterval = time.Second

// Option configures Load and NewStore.
type Option func(*options)

type options struct {
	file   string
	envSet bool
	prefix string
	lookup func(string) (string, bool)
	args   []string
	poll   time.Duration
}

// WithFile names the JSON file to decode.
func WithFile(path string) Option {
	return func(o *options) { o.file = path }
}

// WithEnv reads environment variables named prefix+tag through lookup
// (nil: os.LookupEnv).
func WithEnv(prefix string, lookup func(string) (string, bool)) Option {
	return func(o *options) {
		o.envSet = true
		o.prefix = prefix
		o.lookup = lookup
	}
}

// WithArgs gives the command-line arguments (without the program name).
func WithArgs(args []string) Option {
	return func(o *options) { o.args = args }
}

// WithPollInterval sets how often Watch reads the file (<= 0: the default).
func WithPollInterval(d time.Duration) Option {
	return func(o *options) { o.poll = d }
}

func buildOptions(opts []Option) options {
	o := options{poll: DefaultPollInterval}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.envSet && o.lookup == nil {
		o.lookup = os.LookupEnv
	}
	if o.poll <= 0 {
		o.poll = DefaultPollInterval
	}
	return o
}
