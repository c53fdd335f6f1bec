package cache

import "fmt"

// fnv hashes any comparable key through its printed form (FNV-1a).
func fnv[K comparable](k K) uint32 {
	h := uint32(2166136261)
	for _, b := range []byte(fmt.Sprint(k)) {
		h ^= uint32(b)
		h *= 16777619
	}
	return h
}
