// Package coll is a small library of type-safe generic collections: a Set,
// a ring-buffer Deque, a binary Heap, an ordered SortedMap, and lazy
// adapters over iter.Seq (Map, Filter, Take, Zip, Reduce).
//
// Every iterator is a range-over-func iterator that stops as soon as the
// consumer breaks out of its loop. None of the types is safe for concurrent
// use without external synchronisation.
package coll
