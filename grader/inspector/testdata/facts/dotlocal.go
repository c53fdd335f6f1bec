package facts

import (
	. "example.com/facts/internal/store"
	. "strings"
)

func dottedLocal() {
	Put(ToUpper("x"))
}
