package coll

import "iter"

// Map returns a lazy sequence of f(v) for each v of s.
func Map[T, U any](s iter.Seq[T], f func(T) U) iter.Seq[U] {
	panic("not implemented")
}

// Filter returns a lazy sequence of the elements v of s with keep(v).
func Filter[T any](s iter.Seq[T], keep func(T) bool) iter.Seq[T] {
	panic("not implemented")
}

// Take returns a lazy sequence of the first n elements of s. It pulls no
// more than n elements from s.
func Take[T any](s iter.Seq[T], n int) iter.Seq[T] {
	panic("not implemented")
}

// Zip returns a lazy sequence of pairs (a[i], b[i]) that stops at the end
// of the shorter sequence. Use iter.Pull, and stop what you pulled from
// when the sequence ends or the consumer breaks.
func Zip[A, B any](a iter.Seq[A], b iter.Seq[B]) iter.Seq2[A, B] {
	panic("not implemented")
}

// Reduce folds s into an accumulator, starting from init.
func Reduce[T, A any](s iter.Seq[T], init A, f func(A, T) A) A {
	panic("not implemented")
}
