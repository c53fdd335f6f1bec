package coll_test

// Hidden tests, group "SetOps": Set basics, Union and Intersect against a
// map oracle over seeded random sets, and that the results are new sets.
// The order of Set.All is never relied on.

import (
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"testing"

	coll "example.com/generic-collections"
)

// setopsCatch turns a panic of the code under test into a failure of the
// current test only.
func setopsCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

// setopsSorted returns the elements of s in increasing order, and fails the
// test if All yields an element twice.
func setopsSorted(t *testing.T, what string, s *coll.Set[int]) []int {
	t.Helper()
	got := slices.Sorted(s.All())
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("%s: All() yielded %d twice", what, got[i])
		}
	}
	if s.Len() != len(got) {
		t.Errorf("%s: Len() = %d but All() yielded %d elements", what, s.Len(), len(got))
	}
	return got
}

func setopsRandom(r *rand.Rand) ([]int, map[int]bool) {
	n := r.IntN(120)
	items := make([]int, n)
	m := map[int]bool{}
	for i := range items {
		items[i] = r.IntN(200) - 50
		m[items[i]] = true
	}
	return items, m
}

func setopsKeys(m map[int]bool, keep func(int) bool) []int {
	out := []int{}
	for k := range m {
		if keep(k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func TestHiddenSetOps_Basics(t *testing.T) {
	defer setopsCatch(t)
	s := coll.NewSet[int]()
	if s.Len() != 0 || s.Has(0) {
		t.Errorf("NewSet(): Len() = %d, Has(0) = %t, want 0, false", s.Len(), s.Has(0))
	}
	if !s.Add(5) {
		t.Errorf("Add(5) on an empty set = false, want true")
	}
	if s.Add(5) {
		t.Errorf("second Add(5) = true, want false (already present)")
	}
	if !s.Has(5) || s.Len() != 1 {
		t.Errorf("after Add(5): Has(5) = %t, Len() = %d, want true, 1", s.Has(5), s.Len())
	}
	if s.Remove(6) {
		t.Errorf("Remove(6) of an absent element = true, want false")
	}
	if !s.Remove(5) {
		t.Errorf("Remove(5) of a present element = false, want true")
	}
	if s.Has(5) || s.Len() != 0 {
		t.Errorf("after Remove(5): Has(5) = %t, Len() = %d, want false, 0", s.Has(5), s.Len())
	}
	d := coll.NewSet(3, 1, 3, 2, 1)
	if got := setopsSorted(t, "NewSet(3, 1, 3, 2, 1)", d); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("NewSet(3, 1, 3, 2, 1) holds %v, want [1 2 3]", got)
	}
	w := coll.NewSet("x", "y")
	if !w.Has("x") || w.Has("z") || w.Len() != 2 {
		t.Errorf("NewSet(\"x\", \"y\"): Has(\"x\") = %t, Has(\"z\") = %t, Len() = %d, want true, false, 2", w.Has("x"), w.Has("z"), w.Len())
	}
}

func TestHiddenSetOps_All(t *testing.T) {
	defer setopsCatch(t)
	items := make([]int, 1000)
	for i := range items {
		items[i] = 999 - i
	}
	s := coll.NewSet(items...)
	want := slices.Sorted(slices.Values(items))
	if got := setopsSorted(t, "NewSet(0..999)", s); !slices.Equal(got, want) {
		t.Fatalf("NewSet(0..999): All() yielded %d elements, not every one of 0..999 once", len(got))
	}
	for i := 0; i < 1000; i += 2 {
		s.Remove(i)
	}
	s.Add(5000)
	var want2 []int
	for i := 1; i < 1000; i += 2 {
		want2 = append(want2, i)
	}
	want2 = append(want2, 5000)
	if got := setopsSorted(t, "after removing the even numbers and adding 5000", s); !slices.Equal(got, want2) {
		t.Errorf("after removing the even numbers of 0..999 and adding 5000: All() yielded %d elements, want the %d odd numbers and 5000", len(got), len(want2)-1)
	}
}

func TestHiddenSetOps_Union(t *testing.T) {
	defer setopsCatch(t)
	r := rand.New(rand.NewPCG(7, 0x5e7))
	for round := range 200 {
		ai, am := setopsRandom(r)
		bi, bm := setopsRandom(r)
		u := coll.Union(coll.NewSet(ai...), coll.NewSet(bi...))
		want := setopsKeys(am, func(int) bool { return true })
		want = append(want, setopsKeys(bm, func(k int) bool { return !am[k] })...)
		slices.Sort(want)
		if got := setopsSorted(t, "Union", u); !slices.Equal(got, want) {
			t.Fatalf("round %d: Union(%v, %v)\n got %v\nwant %v", round, setopsKeys(am, func(int) bool { return true }), setopsKeys(bm, func(int) bool { return true }), got, want)
		}
	}
	e := coll.NewSet[int]()
	if got := setopsSorted(t, "Union(empty, empty)", coll.Union(e, coll.NewSet[int]())); len(got) != 0 {
		t.Errorf("Union(empty, empty) = %v, want empty", got)
	}
}

func TestHiddenSetOps_Intersect(t *testing.T) {
	defer setopsCatch(t)
	r := rand.New(rand.NewPCG(8, 0x5e7))
	for round := range 200 {
		ai, am := setopsRandom(r)
		bi, bm := setopsRandom(r)
		in := coll.Intersect(coll.NewSet(ai...), coll.NewSet(bi...))
		want := setopsKeys(am, func(k int) bool { return bm[k] })
		if got := setopsSorted(t, "Intersect", in); !slices.Equal(got, want) {
			t.Fatalf("round %d: Intersect(%v, %v)\n got %v\nwant %v", round, setopsKeys(am, func(int) bool { return true }), setopsKeys(bm, func(int) bool { return true }), got, want)
		}
	}
	if got := setopsSorted(t, "Intersect(disjoint)", coll.Intersect(coll.NewSet(1, 2), coll.NewSet(3, 4))); len(got) != 0 {
		t.Errorf("Intersect({1 2}, {3 4}) = %v, want empty", got)
	}
	a := coll.NewSet(1, 2, 3)
	if got := setopsSorted(t, "Intersect(a, a)", coll.Intersect(a, a)); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("Intersect(a, a) with a = {1 2 3}: %v, want [1 2 3]", got)
	}
}

func TestHiddenSetOps_NewSets(t *testing.T) {
	defer setopsCatch(t)
	a, b := coll.NewSet(1, 2, 3), coll.NewSet(3, 4)
	u := coll.Union(a, b)
	u.Add(99)
	u.Remove(1)
	i := coll.Intersect(a, b)
	i.Add(100)
	i.Remove(3)
	if got := setopsSorted(t, "a", a); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("a = {1 2 3}, b = {3 4}; after changing Union(a, b) and Intersect(a, b): a = %v, want [1 2 3] (return new sets; never modify the inputs)", got)
	}
	if got := setopsSorted(t, "b", b); !slices.Equal(got, []int{3, 4}) {
		t.Errorf("a = {1 2 3}, b = {3 4}; after changing Union(a, b) and Intersect(a, b): b = %v, want [3 4] (return new sets; never modify the inputs)", got)
	}
	empty := coll.NewSet[int]()
	for _, c := range []struct {
		name string
		s    *coll.Set[int]
	}{{"Union(a, empty)", coll.Union(a, empty)}, {"Union(empty, a)", coll.Union(empty, a)}, {"Intersect(a, a)", coll.Intersect(a, a)}} {
		c.s.Add(-7)
		if a.Has(-7) || empty.Has(-7) {
			t.Errorf("adding to %s changed an input: it must return a new set", c.name)
		}
	}
}
