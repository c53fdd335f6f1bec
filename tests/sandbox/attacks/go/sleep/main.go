// Case 10: a Go program that never ends (all goroutines asleep on timers,
// so the runtime's deadlock detector does not fire).
package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("probe=sleep result=OK")
	done := make(chan bool)
	go func() {
		time.Sleep(24 * time.Hour)
		done <- true
	}()
	<-done
}
