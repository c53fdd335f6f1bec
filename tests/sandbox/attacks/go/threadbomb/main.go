// Case 2: thread bomb. Every goroutine locks its OS thread and blocks, so the
// runtime keeps creating threads until the pids cgroup refuses; the Go
// runtime must fail cleanly ("failed to create new OS thread").
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	for i := 0; ; i++ {
		go func() {
			runtime.LockOSThread()
			time.Sleep(time.Hour)
		}()
		if i%16 == 0 {
			fmt.Printf("probe=threads result=OK goroutines=%d\n", i)
		}
		time.Sleep(time.Millisecond)
	}
}
