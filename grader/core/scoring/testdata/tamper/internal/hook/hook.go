// Package hook is compiled only when cgo is on (as under -race).
package hook

/*
int answer(void) { return 42; }
*/
import "C"

// Answer calls into C.
func Answer() int { return int(C.answer()) }
