package taskq

import (
	"math/rand/v2"
	"time"
)

// backoff is the delay before the retry of a task whose attempt-th
// delivery failed: base * 2^(attempt-1).
func backoff(base, max time.Duration, attempt int) time.Duration {
	return base << (attempt - 1)
}

// fullJitter returns a uniform random duration in [0, d].
func fullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}
