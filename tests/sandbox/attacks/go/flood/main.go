// Case 7: flood stdout through the Go runtime.
package main

import (
	"bytes"
	"os"
)

func main() {
	line := bytes.Repeat([]byte("G"), 8192)
	for {
		if _, err := os.Stdout.Write(line); err != nil {
			os.Exit(1)
		}
	}
}
