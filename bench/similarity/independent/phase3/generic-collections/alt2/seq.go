package coll

import "iter"

func Map[T, U any](s iter.Seq[T], f func(T) U) iter.Seq[U] {
	return func(yield func(U) bool) {
		s(func(t T) bool { return yield(f(t)) })
	}
}

func Filter[T any](s iter.Seq[T], keep func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		s(func(t T) bool {
			if !keep(t) {
				return true
			}
			return yield(t)
		})
	}
}

func Take[T any](s iter.Seq[T], n int) iter.Seq[T] {
	return func(yield func(T) bool) {
		left := n
		if left <= 0 {
			return
		}
		s(func(t T) bool {
			left--
			return yield(t) && left > 0
		})
	}
}

func Zip[A, B any](a iter.Seq[A], b iter.Seq[B]) iter.Seq2[A, B] {
	return func(yield func(A, B) bool) {
		pa, stopA := iter.Pull(a)
		defer stopA()
		pb, stopB := iter.Pull(b)
		defer stopB()
		for {
			x, ok1 := pa()
			if !ok1 {
				return
			}
			y, ok2 := pb()
			if !ok2 || !yield(x, y) {
				return
			}
		}
	}
}

func Reduce[T, A any](s iter.Seq[T], init A, f func(A, T) A) A {
	s(func(t T) bool {
		init = f(init, t)
		return true
	})
	return init
}
