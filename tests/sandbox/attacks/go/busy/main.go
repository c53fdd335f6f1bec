// Case 9: spin in as many goroutines as there are CPUs.
package main

import (
	"fmt"
	"runtime"
)

var sink [64]uint64

func main() {
	n := runtime.GOMAXPROCS(0)
	fmt.Printf("probe=busy result=OK goroutines=%d\n", n)
	for i := 1; i < n; i++ {
		go func(i int) {
			for {
				sink[i]++
			}
		}(i)
	}
	for {
		sink[0]++
	}
}
