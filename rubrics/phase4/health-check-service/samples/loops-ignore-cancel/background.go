package health

import (
	"context"
	"time"
)

// Start runs every check that has an Interval in the background: at once,
// then every Interval, until ctx is done. It returns at once.
func (c *Checker) Start(ctx context.Context) {
	for _, ch := range c.snapshot() {
		if ch.reg.Interval > 0 {
			go c.loop(ctx, ch)
		}
	}
}

// loop refreshes one check every Interval.
func (c *Checker) loop(ctx context.Context, ch *check) {
	ticker := time.NewTicker(ch.reg.Interval)
	defer ticker.Stop()
	c.result(ctx, ch, true)
	for range ticker.C {
		c.result(ctx, ch, true)
	}
}
