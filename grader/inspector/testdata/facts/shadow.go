package facts

import "time"

func shadowed(time struct{ Sleep func(int) }) {
	time.Sleep(1)
}

func notShadowed() time.Duration {
	return time.Duration(2)
}
