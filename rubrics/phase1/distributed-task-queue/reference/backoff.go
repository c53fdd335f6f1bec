package taskq

import (
	"math/rand/v2"
	"time"
)

// backoff is the delay before the retry of a task whose attempt-th
// delivery failed: base * 2^(attempt-1), capped at max.
func backoff(base, max time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// fullJitter returns a uniform random duration in [0, d].
func fullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}
