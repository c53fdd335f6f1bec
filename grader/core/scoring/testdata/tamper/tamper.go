// Package tamper tries to influence its grading.
package tamper

import (
	"testing"
	_ "unsafe" // for go:linkname
)

//go:linkname runtimeNano runtime.nanotime
func runtimeNano() int64

// Sum adds, and pretends to be under test.
func Sum(a, b int) int {
	if testing.Testing() {
		return 0
	}
	return a + b
}
