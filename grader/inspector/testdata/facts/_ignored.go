package skipped

import "time"

func f() { time.Sleep(1) }
