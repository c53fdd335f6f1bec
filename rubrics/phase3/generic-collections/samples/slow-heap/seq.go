package coll

import "iter"

// Map returns a lazy sequence of f(v) for each v of s.
func Map[T, U any](s iter.Seq[T], f func(T) U) iter.Seq[U] {
	return func(yield func(U) bool) {
		for v := range s {
			if !yield(f(v)) {
				return
			}
		}
	}
}

// Filter returns a lazy sequence of the elements v of s with keep(v).
func Filter[T any](s iter.Seq[T], keep func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range s {
			if keep(v) && !yield(v) {
				return
			}
		}
	}
}

// Take returns a lazy sequence of the first n elements of s. It pulls no
// more than n elements from s.
func Take[T any](s iter.Seq[T], n int) iter.Seq[T] {
	return func(yield func(T) bool) {
		if n <= 0 {
			return
		}
		i := 0
		for v := range s {
			if !yield(v) {
				return
			}
			if i++; i == n {
				return
			}
		}
	}
}

// Zip returns a lazy sequence of pairs (a[i], b[i]) that stops at the end
// of the shorter sequence. Both sources are stopped (their deferred
// cleanup runs) when the sequence ends or the consumer breaks.
func Zip[A, B any](a iter.Seq[A], b iter.Seq[B]) iter.Seq2[A, B] {
	return func(yield func(A, B) bool) {
		nextA, stopA := iter.Pull(a)
		defer stopA()
		nextB, stopB := iter.Pull(b)
		defer stopB()
		for {
			va, ok := nextA()
			if !ok {
				return
			}
			vb, ok := nextB()
			if !ok || !yield(va, vb) {
				return
			}
		}
	}
}

// Reduce folds s into an accumulator, starting from init.
func Reduce[T, A any](s iter.Seq[T], init A, f func(A, T) A) A {
	acc := init
	for v := range s {
		acc = f(acc, v)
	}
	return acc
}
