package coll_test

// Hidden tests, group "Generics": the collections work for any element
// type: struct values, pointers, a named string type; the zero Deque is
// ready to use; Map, Reduce and Zip change element types.

import (
	"cmp"
	"iter"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	coll "example.com/generic-collections"
	gocmp "github.com/google/go-cmp/cmp"
)

// genCatch turns a panic of the code under test into a failure of the
// current test only.
func genCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type genPoint struct{ X, Y int }

type genTask struct {
	Prio  int
	Label string
	Tags  [2]string
}

type genColor string

type genNode struct{ ID int }

func genPairs[K, V any](seq iter.Seq2[K, V]) (ks []K, vs []V) {
	for k, v := range seq {
		ks = append(ks, k)
		vs = append(vs, v)
	}
	return ks, vs
}

func genDrain[T any](h *coll.Heap[T]) []T {
	var out []T
	for {
		v, ok := h.Pop()
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

func TestHiddenGenerics_StructValues(t *testing.T) {
	defer genCatch(t)
	m := coll.NewSortedMap[string, genPoint]()
	m.Put("b", genPoint{2, 2})
	m.Put("a", genPoint{1, 1})
	if old, rep := m.Put("b", genPoint{3, 3}); !rep || old != (genPoint{2, 2}) {
		t.Errorf("SortedMap[string, point]: Put(\"b\", {3 3}) = (%v, %t), want ({2 2}, true)", old, rep)
	}
	ks, vs := genPairs(m.All())
	if diff := gocmp.Diff([]string{"a", "b"}, ks); diff != "" {
		t.Errorf("SortedMap[string, point].All() keys (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff([]genPoint{{1, 1}, {3, 3}}, vs); diff != "" {
		t.Errorf("SortedMap[string, point].All() values (-want +got):\n%s", diff)
	}

	var d coll.Deque[genPoint]
	d.PushBack(genPoint{1, 2})
	d.PushFront(genPoint{0, 1})
	if p, ok := d.PopBack(); !ok || p != (genPoint{1, 2}) {
		t.Errorf("Deque[point]: PopBack() = (%v, %t), want ({1 2}, true)", p, ok)
	}

	tasks := []genTask{{3, "c", [2]string{"x", "y"}}, {1, "a", [2]string{}}, {2, "b", [2]string{"z"}}}
	h := coll.NewHeap(func(a, b genTask) bool { return a.Prio < b.Prio }, tasks...)
	want := slices.Clone(tasks)
	slices.SortFunc(want, func(a, b genTask) int { return cmp.Compare(a.Prio, b.Prio) })
	if diff := gocmp.Diff(want, genDrain(h)); diff != "" {
		t.Errorf("Heap[task] by priority, popped until empty (-want +got):\n%s", diff)
	}

	s := coll.NewSet(genPoint{1, 2}, genPoint{1, 2}, genPoint{3, 4})
	if s.Len() != 2 || !s.Has(genPoint{1, 2}) || s.Has(genPoint{2, 1}) {
		t.Errorf("NewSet({1 2}, {1 2}, {3 4}): Len() = %d, Has({1 2}) = %t, Has({2 1}) = %t, want 2, true, false",
			s.Len(), s.Has(genPoint{1, 2}), s.Has(genPoint{2, 1}))
	}
}

func TestHiddenGenerics_Pointers(t *testing.T) {
	defer genCatch(t)
	p1, p2, p3 := &genNode{1}, &genNode{1}, &genNode{2}
	s := coll.NewSet(p1, p2, p1)
	if s.Len() != 2 || !s.Has(p2) || s.Has(&genNode{1}) {
		t.Errorf("Set[*node] compares pointers, not what they point to: NewSet(p1, p2, p1) with *p1 == *p2: Len() = %d, Has(p2) = %t, Has(&node{1}) = %t, want 2, true, false",
			s.Len(), s.Has(p2), s.Has(&genNode{1}))
	}

	var d coll.Deque[*genNode]
	d.PushBack(p1)
	d.PushBack(nil)
	d.PushFront(p3)
	if got := d.At(0); got != p3 {
		t.Errorf("Deque[*node]: At(0) = %p, want %p", got, p3)
	}
	if got, ok := d.PopBack(); !ok || got != nil {
		t.Errorf("Deque[*node]: PopBack() = (%v, %t), want (nil, true)", got, ok)
	}
	if got, ok := d.PopBack(); !ok || got != p1 {
		t.Errorf("Deque[*node]: PopBack() = (%p, %t), want (%p, true): the same pointer", got, ok, p1)
	}

	h := coll.NewHeap(func(a, b *genNode) bool { return a.ID > b.ID }, p1, p3)
	h.Push(p2)
	got := genDrain(h)
	if len(got) != 3 || got[0] != p3 || got[1].ID != 1 || got[2].ID != 1 || got[1] == got[2] {
		t.Errorf("Heap[*node] by descending ID: popped %v, want p3 then p1 and p2 (the same pointers)", got)
	}

	m := coll.NewSortedMapFunc[*genNode, string](func(a, b *genNode) int { return cmp.Compare(a.ID, b.ID) })
	m.Put(p3, "three")
	m.Put(p1, "one")
	if v, ok := m.Get(&genNode{2}); !ok || v != "three" {
		t.Errorf("SortedMapFunc[*node] ordered by ID: Get(&node{2}) = (%q, %t), want (\"three\", true)", v, ok)
	}
	if old, rep := m.Put(p2, "uno"); !rep || old != "one" {
		t.Errorf("SortedMapFunc[*node] ordered by ID: Put(p2) with p2.ID == p1.ID = (%q, %t), want (\"one\", true)", old, rep)
	}
	pm := coll.NewSortedMap[int, *genNode]()
	pm.Put(1, p1)
	pm.Put(2, nil)
	if v, ok := pm.Get(1); !ok || v != p1 {
		t.Errorf("SortedMap[int, *node]: Get(1) = (%p, %t), want (%p, true)", v, ok, p1)
	}
	if v, ok := pm.Get(2); !ok || v != nil {
		t.Errorf("SortedMap[int, *node]: Get(2) = (%v, %t), want (nil, true)", v, ok)
	}
}

func TestHiddenGenerics_NamedString(t *testing.T) {
	defer genCatch(t)
	colors := []genColor{"red", "green", "blue", "green"}
	s := coll.NewSet(colors...)
	if s.Len() != 3 || !s.Has("blue") {
		t.Errorf("Set[Color]: Len() = %d, Has(\"blue\") = %t, want 3, true", s.Len(), s.Has("blue"))
	}

	m := coll.NewSortedMap[genColor, int]()
	for i, c := range colors {
		m.Put(c, i)
	}
	ks, vs := genPairs(m.All())
	if diff := gocmp.Diff([]genColor{"blue", "green", "red"}, ks); diff != "" {
		t.Errorf("SortedMap[Color, int].All() keys (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff([]int{2, 3, 0}, vs); diff != "" {
		t.Errorf("SortedMap[Color, int].All() values (-want +got):\n%s", diff)
	}
	if k, v, ok := m.Floor("cyan"); !ok || k != "blue" || v != 2 {
		t.Errorf("SortedMap[Color, int]: Floor(\"cyan\") = (%q, %d, %t), want (\"blue\", 2, true)", k, v, ok)
	}

	h := coll.NewHeap(func(a, b genColor) bool { return a < b }, colors...)
	if diff := gocmp.Diff([]genColor{"blue", "green", "green", "red"}, genDrain(h)); diff != "" {
		t.Errorf("Heap[Color] popped until empty (-want +got):\n%s", diff)
	}

	upper := slices.Collect(coll.Map(slices.Values(colors), func(c genColor) string { return strings.ToUpper(string(c)) }))
	if diff := gocmp.Diff([]string{"RED", "GREEN", "BLUE", "GREEN"}, upper); diff != "" {
		t.Errorf("Map(colors, upper) (-want +got):\n%s", diff)
	}
	g := slices.Collect(coll.Filter(slices.Values(colors), func(c genColor) bool { return strings.HasPrefix(string(c), "g") }))
	if diff := gocmp.Diff([]genColor{"green", "green"}, g); diff != "" {
		t.Errorf("Filter(colors, starts with g) (-want +got):\n%s", diff)
	}
}

type genHolder struct {
	name  string
	queue coll.Deque[genPoint]
}

func TestHiddenGenerics_ZeroValueDeque(t *testing.T) {
	defer genCatch(t)
	var d coll.Deque[string]
	if d.Len() != 0 {
		t.Errorf("zero Deque: Len() = %d, want 0", d.Len())
	}
	if v, ok := d.PopFront(); ok || v != "" {
		t.Errorf("zero Deque: PopFront() = (%q, %t), want (\"\", false)", v, ok)
	}
	if v, ok := d.PopBack(); ok || v != "" {
		t.Errorf("zero Deque: PopBack() = (%q, %t), want (\"\", false)", v, ok)
	}
	for i, v := range d.All() {
		t.Errorf("zero Deque: All() yielded (%d, %q), want nothing", i, v)
	}
	d.PushFront("b")
	d.PushFront("a")
	d.PushBack("c")
	var got []string
	for _, v := range d.All() {
		got = append(got, v)
	}
	if diff := gocmp.Diff([]string{"a", "b", "c"}, got); diff != "" {
		t.Errorf("zero Deque after PushFront(b), PushFront(a), PushBack(c): All() (-want +got):\n%s", diff)
	}

	var h genHolder // a Deque embedded as a zero-valued field
	h.queue.PushBack(genPoint{1, 1})
	h.queue.PushBack(genPoint{2, 2})
	if p, ok := h.queue.PopFront(); !ok || p != (genPoint{1, 1}) || h.queue.Len() != 1 {
		t.Errorf("zero Deque[point] field: PopFront() = (%v, %t) with Len() = %d after, want ({1 1}, true) and 1", p, ok, h.queue.Len())
	}

	pd := new(coll.Deque[int])
	pd.PushFront(42)
	if v := pd.At(0); v != 42 {
		t.Errorf("new(Deque[int]) after PushFront(42): At(0) = %d, want 42", v)
	}
}

func TestHiddenGenerics_MapReduceZip(t *testing.T) {
	defer genCatch(t)
	words := slices.Values([]string{"go", "is", "fun"})
	if got := slices.Collect(coll.Map(words, func(s string) int { return len(s) })); !slices.Equal(got, []int{2, 2, 3}) {
		t.Errorf("Map(words, len) = %v, want [2 2 3]", got)
	}
	if got := coll.Reduce(words, 0, func(acc int, s string) int { return acc + len(s) }); got != 7 {
		t.Errorf("Reduce(words, 0, sum of lengths) = %d, want 7", got)
	}
	counts := coll.Reduce(slices.Values([]genColor{"a", "b", "a"}), map[genColor]int{}, func(acc map[genColor]int, c genColor) map[genColor]int {
		acc[c]++
		return acc
	})
	if diff := gocmp.Diff(map[genColor]int{"a": 2, "b": 1}, counts); diff != "" {
		t.Errorf("Reduce into a map (-want +got):\n%s", diff)
	}
	if got := coll.Reduce(slices.Values([]int(nil)), 3.5, func(acc float64, i int) float64 { return acc + float64(i) }); got != 3.5 {
		t.Errorf("Reduce(empty, 3.5, f) = %v, want 3.5 (init)", got)
	}

	pts := coll.Map(slices.Values([]int{1, 2, 3}), func(i int) genPoint { return genPoint{i, i * i} })
	var got []string
	for p, w := range coll.Zip(pts, words) {
		got = append(got, w+":"+strings.Repeat("*", p.Y))
	}
	if diff := gocmp.Diff([]string{"go:*", "is:****", "fun:*********"}, got); diff != "" {
		t.Errorf("Zip(points, words) (-want +got):\n%s", diff)
	}
}
