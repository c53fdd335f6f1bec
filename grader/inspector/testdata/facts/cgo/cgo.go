// Package cgo imports "C".
package cgo

/*
#include <stdlib.h>
*/
import "C"

// Free calls into C.
func Free() { C.free(nil) }
