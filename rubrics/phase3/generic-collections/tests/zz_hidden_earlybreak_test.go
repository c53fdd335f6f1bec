package coll_test

// Hidden tests, group "EarlyBreak": every iterator stops as soon as the
// consumer breaks, the adapters are lazy (they pull from their source only
// what the consumer asks for), and Zip stops the sequences it pulls from.

import (
	"fmt"
	"iter"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	coll "example.com/generic-collections"
)

// ebCatch turns a panic of the code under test into a failure of the
// current test only, and explains the runtime's range-over-func check.
func ebCatch(t *testing.T) {
	r := recover()
	if r == nil {
		return
	}
	if strings.Contains(fmt.Sprint(r), "continued iteration") {
		t.Errorf("panic: %v\n(the iterator called yield again after yield returned false: "+
			"when yield returns false, the loop body has broken out and the iterator must return at once)\n%s", r, debug.Stack())
		return
	}
	t.Errorf("panic: %v\n%s", r, debug.Stack())
}

// ebSource is an instrumented sequence 0, 1, ..., n-1: it counts the
// elements it yields, and records when it starts and when its deferred
// cleanup has run.
type ebSource struct {
	n       int
	pulled  int
	started bool
	cleaned bool
}

func (s *ebSource) seq() iter.Seq[int] {
	return func(yield func(int) bool) {
		s.started = true
		defer func() { s.cleaned = true }()
		for i := range s.n {
			s.pulled++
			if !yield(i) {
				return
			}
		}
	}
}

func ebKeys(n int) []int {
	keys := make([]int, n)
	for i := range keys {
		keys[i] = (i * 7919) % n // a permutation of 0..n-1 (7919 is prime)
	}
	return keys
}

func TestHiddenEarlyBreak_SetAll(t *testing.T) {
	defer ebCatch(t)
	s := coll.NewSet(ebKeys(100)...)
	for _, stopAt := range []int{1, 10} {
		seen := 0
		for v := range s.All() {
			if v < 0 || v >= 100 {
				t.Fatalf("Set.All yielded %d, not an element", v)
			}
			seen++
			if seen == stopAt {
				break
			}
		}
		if seen != stopAt {
			t.Errorf("breaking out of Set.All after %d elements: the loop body ran %d times", stopAt, seen)
		}
	}
}

func TestHiddenEarlyBreak_DequeAll(t *testing.T) {
	defer ebCatch(t)
	var d coll.Deque[int]
	for i := range 20 {
		d.PushBack(i)
	}
	for range 10 {
		d.PopFront()
	}
	for i := 20; i < 30; i++ {
		d.PushBack(i) // the contents now wrap around the buffer
	}
	for _, stopAt := range []int{1, 5} {
		var got []int
		for i, v := range d.All() {
			if i != len(got) {
				t.Fatalf("Deque.All yielded index %d, want %d", i, len(got))
			}
			got = append(got, v)
			if len(got) == stopAt {
				break
			}
		}
		if want := []int{10, 11, 12, 13, 14}[:stopAt]; !slices.Equal(got, want) {
			t.Errorf("breaking out of Deque.All after %d elements: got %v, want %v", stopAt, got, want)
		}
	}
}

func ebSortedMap() *coll.SortedMap[int, string] {
	m := coll.NewSortedMap[int, string]()
	for _, k := range ebKeys(1000) {
		m.Put(k, fmt.Sprint(k))
	}
	return m
}

// ebFirst collects the keys of seq, breaking after stopAt of them.
func ebFirst(seq iter.Seq2[int, string], stopAt int) []int {
	var got []int
	for k := range seq {
		got = append(got, k)
		if len(got) == stopAt {
			break
		}
	}
	return got
}

func TestHiddenEarlyBreak_SortedMapAll(t *testing.T) {
	defer ebCatch(t)
	m := ebSortedMap()
	if got := ebFirst(m.All(), 1); !slices.Equal(got, []int{0}) {
		t.Errorf("breaking out of All on the first pair: keys seen %v, want [0]", got)
	}
	if got := ebFirst(m.All(), 10); !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("breaking out of All after 10 pairs: keys seen %v, want [0 ... 9]", got)
	}
}

func TestHiddenEarlyBreak_SortedMapBackward(t *testing.T) {
	defer ebCatch(t)
	m := ebSortedMap()
	if got := ebFirst(m.Backward(), 1); !slices.Equal(got, []int{999}) {
		t.Errorf("breaking out of Backward on the first pair: keys seen %v, want [999]", got)
	}
	if got := ebFirst(m.Backward(), 10); !slices.Equal(got, []int{999, 998, 997, 996, 995, 994, 993, 992, 991, 990}) {
		t.Errorf("breaking out of Backward after 10 pairs: keys seen %v, want [999 ... 990]", got)
	}
}

func TestHiddenEarlyBreak_SortedMapRange(t *testing.T) {
	defer ebCatch(t)
	m := ebSortedMap()
	if got := ebFirst(m.Range(500, 900), 1); !slices.Equal(got, []int{500}) {
		t.Errorf("breaking out of Range(500, 900) on the first pair: keys seen %v, want [500]", got)
	}
	if got := ebFirst(m.Range(250, 900), 10); !slices.Equal(got, []int{250, 251, 252, 253, 254, 255, 256, 257, 258, 259}) {
		t.Errorf("breaking out of Range(250, 900) after 10 pairs: keys seen %v, want [250 ... 259]", got)
	}
}

func TestHiddenEarlyBreak_MapFilter(t *testing.T) {
	defer ebCatch(t)
	src := &ebSource{n: 100}
	calls := 0
	for v := range coll.Map(src.seq(), func(i int) string { calls++; return fmt.Sprint(i * i) }) {
		if v != "0" {
			t.Errorf("Map: first element %q, want %q", v, "0")
		}
		break
	}
	if src.pulled != 1 || calls != 1 {
		t.Errorf("breaking out of Map on the first element: the source yielded %d elements and f ran %d times, want 1 and 1", src.pulled, calls)
	}

	src = &ebSource{n: 100}
	var got []int
	for v := range coll.Filter(src.seq(), func(i int) bool { return i%2 == 1 }) {
		got = append(got, v)
		if len(got) == 3 {
			break
		}
	}
	if !slices.Equal(got, []int{1, 3, 5}) || src.pulled != 6 {
		t.Errorf("breaking out of Filter(odd) after 3 elements: got %v with %d elements pulled from the source, want [1 3 5] with 6 pulled", got, src.pulled)
	}
}

func TestHiddenEarlyBreak_Take(t *testing.T) {
	defer ebCatch(t)
	cases := []struct {
		srcLen, n int
		want      []int
	}{
		{10, 3, []int{0, 1, 2}},
		{10, 1, []int{0}},
		{10, 0, nil},
		{10, -1, nil},
		{2, 5, []int{0, 1}},
		{1_000_000, 4, []int{0, 1, 2, 3}},
	}
	for _, c := range cases {
		src := &ebSource{n: c.srcLen}
		got := slices.Collect(coll.Take(src.seq(), c.n))
		if !slices.Equal(got, c.want) {
			t.Errorf("Take(0..%d, %d) = %v, want %v", c.srcLen-1, c.n, got, c.want)
		}
		if src.pulled != len(c.want) {
			t.Errorf("Take(0..%d, %d) pulled %d elements from its source, want exactly %d (it must stop as soon as it has yielded n elements)",
				c.srcLen-1, c.n, src.pulled, len(c.want))
		}
	}
	src := &ebSource{n: 100}
	for range coll.Take(src.seq(), 5) {
		break
	}
	if src.pulled != 1 {
		t.Errorf("breaking out of Take(0..99, 5) on the first element pulled %d elements, want 1", src.pulled)
	}
}

func TestHiddenEarlyBreak_Zip(t *testing.T) {
	defer ebCatch(t)
	a, b := &ebSource{n: 100}, &ebSource{n: 100}
	n := 0
	for x, y := range coll.Zip(a.seq(), coll.Map(b.seq(), func(i int) string { return fmt.Sprint(i) })) {
		if x != 0 || y != "0" {
			t.Errorf("Zip: first pair (%d, %q), want (0, %q)", x, y, "0")
		}
		n++
		break
	}
	if n != 1 {
		t.Errorf("breaking out of Zip on the first pair: the loop body ran %d times", n)
	}
	if !a.cleaned || !b.cleaned {
		t.Errorf("after breaking out of Zip: first source stopped = %t, second source stopped = %t, want both true "+
			"(call the stop functions returned by iter.Pull, e.g. with defer)", a.cleaned, b.cleaned)
	}

	for _, lens := range [][2]int{{5, 3}, {2, 5}, {0, 4}, {4, 4}} {
		a, b := &ebSource{n: lens[0]}, &ebSource{n: lens[1]}
		var got []string
		for x, y := range coll.Zip(a.seq(), b.seq()) {
			got = append(got, fmt.Sprintf("%d/%d", x, y))
		}
		var want []string
		for i := range min(lens[0], lens[1]) {
			want = append(want, fmt.Sprintf("%d/%d", i, i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("Zip(0..%d, 0..%d) yielded %v, want %v (it stops at the shorter)", lens[0]-1, lens[1]-1, got, want)
		}
		if a.started && !a.cleaned || b.started && !b.cleaned {
			t.Errorf("after Zip(0..%d, 0..%d) ended: first source started = %t and stopped = %t, second source started = %t and stopped = %t; "+
				"a source that was started must be stopped (call the stop functions returned by iter.Pull, e.g. with defer)",
				lens[0]-1, lens[1]-1, a.started, a.cleaned, b.started, b.cleaned)
		}
	}
}

func TestHiddenEarlyBreak_Lazy(t *testing.T) {
	defer ebCatch(t)
	// Building an adapter does not touch its source.
	src := &ebSource{n: 10}
	calls := 0
	double := func(i int) int { calls++; return 2 * i }
	mapped := coll.Map(src.seq(), double)
	filtered := coll.Filter(src.seq(), func(i int) bool { calls++; return true })
	taken := coll.Take(src.seq(), 3)
	zipped := coll.Zip(src.seq(), src.seq())
	if src.started || calls != 0 {
		t.Fatalf("calling Map, Filter, Take and Zip started the source (%t) or called f (%d times); "+
			"they must only return a sequence, which does its work when ranged over", src.started, calls)
	}

	// Each sequence can be ranged over again, with the same result.
	for pass := range 2 {
		if got := slices.Collect(mapped); !slices.Equal(got, []int{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}) {
			t.Errorf("pass %d over Map(0..9, double) = %v", pass+1, got)
		}
		if got := slices.Collect(filtered); len(got) != 10 {
			t.Errorf("pass %d over Filter(0..9, always true) = %v", pass+1, got)
		}
		if got := slices.Collect(taken); !slices.Equal(got, []int{0, 1, 2}) {
			t.Errorf("pass %d over Take(0..9, 3) = %v, want [0 1 2] (keep the counter inside the sequence, not in Take)", pass+1, got)
		}
		pairs := 0
		for x, y := range zipped {
			if x != y {
				t.Errorf("pass %d over Zip(0..9, 0..9): pair (%d, %d)", pass+1, x, y)
			}
			pairs++
		}
		if pairs != 10 {
			t.Errorf("pass %d over Zip(0..9, 0..9) yielded %d pairs, want 10", pass+1, pairs)
		}
	}

	// Map computes f only for the elements that are consumed.
	src = &ebSource{n: 1000}
	calls = 0
	if got := slices.Collect(coll.Take(coll.Map(src.seq(), double), 2)); !slices.Equal(got, []int{0, 2}) {
		t.Errorf("Take(Map(0..999, double), 2) = %v, want [0 2]", got)
	}
	if calls != 2 || src.pulled != 2 {
		t.Errorf("Take(Map(0..999, double), 2) called f %d times and pulled %d elements, want 2 and 2", calls, src.pulled)
	}

	// Reduce consumes its sequence once, in order.
	src = &ebSource{n: 5}
	got := coll.Reduce(src.seq(), "", func(acc string, i int) string { return acc + fmt.Sprint(i) })
	if got != "01234" || src.pulled != 5 {
		t.Errorf("Reduce(0..4, \"\", concat) = %q after pulling %d elements, want %q after 5", got, src.pulled, "01234")
	}
}
