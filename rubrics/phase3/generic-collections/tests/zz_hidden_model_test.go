package coll_test

// Hidden tests, group "Model": SortedMap, Heap and Deque are driven by long
// seeded random operation sequences and compared, operation by operation,
// with simple slice-based oracles.

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"testing"

	coll "example.com/generic-collections"
)

// modelCatch turns a panic of the code under test into a failure of the
// current test only (a panic would otherwise end the whole test binary).
func modelCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type modelKV[K any] struct {
	K K
	V int
}

// modelSortedOracle is a sorted slice of keys with their values.
type modelSortedOracle[K any] struct {
	cmp  func(a, b K) int
	keys []K
	vals []int
}

func (o *modelSortedOracle[K]) put(k K, v int) (int, bool) {
	i, found := slices.BinarySearchFunc(o.keys, k, o.cmp)
	if found {
		old := o.vals[i]
		o.vals[i] = v
		return old, true
	}
	o.keys = slices.Insert(o.keys, i, k)
	o.vals = slices.Insert(o.vals, i, v)
	return 0, false
}

func (o *modelSortedOracle[K]) get(k K) (int, bool) {
	if i, found := slices.BinarySearchFunc(o.keys, k, o.cmp); found {
		return o.vals[i], true
	}
	return 0, false
}

func (o *modelSortedOracle[K]) del(k K) bool {
	i, found := slices.BinarySearchFunc(o.keys, k, o.cmp)
	if found {
		o.keys = slices.Delete(o.keys, i, i+1)
		o.vals = slices.Delete(o.vals, i, i+1)
	}
	return found
}

func (o *modelSortedOracle[K]) floor(k K) (modelKV[K], bool) {
	i, found := slices.BinarySearchFunc(o.keys, k, o.cmp)
	if found {
		return modelKV[K]{o.keys[i], o.vals[i]}, true
	}
	if i == 0 {
		return modelKV[K]{}, false
	}
	return modelKV[K]{o.keys[i-1], o.vals[i-1]}, true
}

func (o *modelSortedOracle[K]) between(lo, hi K) []modelKV[K] {
	out := []modelKV[K]{}
	if o.cmp(lo, hi) >= 0 {
		return out
	}
	i, _ := slices.BinarySearchFunc(o.keys, lo, o.cmp)
	j, _ := slices.BinarySearchFunc(o.keys, hi, o.cmp)
	for ; i < j; i++ {
		out = append(out, modelKV[K]{o.keys[i], o.vals[i]})
	}
	return out
}

func (o *modelSortedOracle[K]) all(backward bool) []modelKV[K] {
	out := make([]modelKV[K], len(o.keys))
	for i := range o.keys {
		out[i] = modelKV[K]{o.keys[i], o.vals[i]}
	}
	if backward {
		slices.Reverse(out)
	}
	return out
}

func modelCollect2[K any](seq func(func(K, int) bool)) []modelKV[K] {
	out := []modelKV[K]{}
	for k, v := range seq {
		out = append(out, modelKV[K]{k, v})
	}
	return out
}

// modelDiffKV describes the first difference between two pair lists.
func modelDiffKV[K any](got, want []modelKV[K], cmpK func(a, b K) int) string {
	for i := range min(len(got), len(want)) {
		if cmpK(got[i].K, want[i].K) != 0 || got[i].V != want[i].V {
			return fmt.Sprintf("element %d is %v, want %v (got %d pairs, want %d)", i, got[i], want[i], len(got), len(want))
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("got %d pairs, want %d; first extra/missing pair: %v", len(got), len(want), modelExtra(got, want))
	}
	return ""
}

func modelExtra[K any](got, want []modelKV[K]) any {
	if len(got) > len(want) {
		return got[len(want)]
	}
	return want[len(got)]
}

// modelSortedMap runs ops seeded random operations on m (empty, ordered by
// cmpK) and on an oracle, comparing every result.
func modelSortedMap[K any](t *testing.T, m *coll.SortedMap[K, int], cmpK func(a, b K) int, gen func(*rand.Rand) K, seed uint64, ops int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	o := &modelSortedOracle[K]{cmp: cmpK}
	for i := range ops {
		k := gen(r)
		switch p := r.IntN(100); {
		case p < 42:
			v := r.IntN(1 << 20)
			gotOld, gotRep := m.Put(k, v)
			wantOld, wantRep := o.put(k, v)
			if gotOld != wantOld || gotRep != wantRep {
				t.Fatalf("op %d: Put(%v, %d) = (%d, %t), want (%d, %t)", i, k, v, gotOld, gotRep, wantOld, wantRep)
			}
		case p < 58:
			if got, want := m.Delete(k), o.del(k); got != want {
				t.Fatalf("op %d: Delete(%v) = %t, want %t", i, k, got, want)
			}
		case p < 80:
			gotV, gotOK := m.Get(k)
			wantV, wantOK := o.get(k)
			if gotV != wantV || gotOK != wantOK {
				t.Fatalf("op %d: Get(%v) = (%d, %t), want (%d, %t)", i, k, gotV, gotOK, wantV, wantOK)
			}
		case p < 92:
			gk, gv, gok := m.Floor(k)
			want, wantOK := o.floor(k)
			if gok != wantOK || (wantOK && (cmpK(gk, want.K) != 0 || gv != want.V)) {
				t.Fatalf("op %d: Floor(%v) = (%v, %d, %t), want (%v, %d, %t)", i, k, gk, gv, gok, want.K, want.V, wantOK)
			}
		case p < 99:
			hi := gen(r)
			if d := modelDiffKV(modelCollect2(m.Range(k, hi)), o.between(k, hi), cmpK); d != "" {
				t.Fatalf("op %d: Range(%v, %v): %s", i, k, hi, d)
			}
		default:
			if d := modelDiffKV(modelCollect2(m.All()), o.all(false), cmpK); d != "" {
				t.Fatalf("op %d: All(): %s", i, d)
			}
			if d := modelDiffKV(modelCollect2(m.Backward()), o.all(true), cmpK); d != "" {
				t.Fatalf("op %d: Backward(): %s", i, d)
			}
		}
		if got, want := m.Len(), len(o.keys); got != want {
			t.Fatalf("op %d: Len() = %d, want %d", i, got, want)
		}
	}
	if d := modelDiffKV(modelCollect2(m.All()), o.all(false), cmpK); d != "" {
		t.Fatalf("after %d ops: All(): %s", ops, d)
	}
}

func TestHiddenModel_SortedMapInt(t *testing.T) {
	defer modelCatch(t)
	gen := func(r *rand.Rand) int { return r.IntN(4096) - 2048 }
	modelSortedMap(t, coll.NewSortedMap[int, int](), cmp.Compare[int], gen, 1, 50_000)
}

type modelPerson struct {
	Team string
	ID   int
}

func modelComparePerson(a, b modelPerson) int {
	return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.ID, b.ID))
}

func TestHiddenModel_SortedMapStructKeys(t *testing.T) {
	defer modelCatch(t)
	teams := []string{"ops", "db", "web", "ml", "infra", "sec", "qa", "api"}
	gen := func(r *rand.Rand) modelPerson {
		return modelPerson{Team: teams[r.IntN(len(teams))], ID: r.IntN(512)}
	}
	m := coll.NewSortedMapFunc[modelPerson, int](modelComparePerson)
	modelSortedMap(t, m, modelComparePerson, gen, 2, 50_000)
}

func TestHiddenModel_SortedMapBoundaries(t *testing.T) {
	defer modelCatch(t)
	type kv = modelKV[int]

	empty := coll.NewSortedMap[int, int]()
	if k, v, ok := empty.Floor(0); ok {
		t.Errorf("empty map: Floor(0) = (%d, %d, true), want ok == false", k, v)
	}
	if v, ok := empty.Get(0); ok {
		t.Errorf("empty map: Get(0) = (%d, true), want ok == false", v)
	}
	if empty.Delete(0) {
		t.Errorf("empty map: Delete(0) = true, want false")
	}
	for name, seq := range map[string]func(func(int, int) bool){
		"All": empty.All(), "Backward": empty.Backward(), "Range(-10, 10)": empty.Range(-10, 10),
	} {
		if got := modelCollect2(seq); len(got) != 0 {
			t.Errorf("empty map: %s yielded %v, want nothing", name, got)
		}
	}

	m := coll.NewSortedMap[int, int]()
	for _, k := range []int{30, 10, 50, 20, 40} {
		if old, rep := m.Put(k, k*10); rep {
			t.Fatalf("Put(%d) on a new key = (%d, true), want replaced == false", k, old)
		}
	}
	if old, rep := m.Put(10, 1); old != 100 || !rep {
		t.Errorf("Put(10, 1) over 10->100 = (%d, %t), want (100, true)", old, rep)
	}
	m.Put(10, 100)

	floors := []struct {
		k, wantK int
		ok       bool
	}{{5, 0, false}, {9, 0, false}, {10, 10, true}, {15, 10, true}, {29, 20, true}, {50, 50, true}, {1000, 50, true}}
	for _, c := range floors {
		k, v, ok := m.Floor(c.k)
		if ok != c.ok || (ok && (k != c.wantK || v != c.wantK*10)) {
			t.Errorf("keys {10,20,30,40,50}: Floor(%d) = (%d, %d, %t), want (%d, %d, %t)", c.k, k, v, ok, c.wantK, c.wantK*10, c.ok)
		}
	}

	ranges := []struct {
		lo, hi int
		want   []int
	}{
		{10, 40, []int{10, 20, 30}},
		{11, 40, []int{20, 30}},
		{10, 41, []int{10, 20, 30, 40}},
		{0, 10, nil},
		{0, 11, []int{10}},
		{50, 60, []int{50}},
		{49, 50, nil},
		{30, 30, nil},
		{40, 20, nil},
		{-100, 100, []int{10, 20, 30, 40, 50}},
	}
	for _, c := range ranges {
		want := []kv{}
		for _, k := range c.want {
			want = append(want, kv{k, k * 10})
		}
		if d := modelDiffKV(modelCollect2(m.Range(c.lo, c.hi)), want, cmp.Compare[int]); d != "" {
			t.Errorf("keys {10,20,30,40,50}: Range(%d, %d) (lo inclusive, hi exclusive): %s", c.lo, c.hi, d)
		}
	}
	wantAll := []kv{{10, 100}, {20, 200}, {30, 300}, {40, 400}, {50, 500}}
	for pass := range 2 { // an iterator must be reusable
		if d := modelDiffKV(modelCollect2(m.All()), wantAll, cmp.Compare[int]); d != "" {
			t.Errorf("All() (pass %d): %s", pass+1, d)
		}
	}
	wantBack := slices.Clone(wantAll)
	slices.Reverse(wantBack)
	if d := modelDiffKV(modelCollect2(m.Backward()), wantBack, cmp.Compare[int]); d != "" {
		t.Errorf("Backward(): %s", d)
	}

	// Delete everything, including a node with two children first.
	for _, k := range []int{30, 10, 50, 20, 40} {
		if !m.Delete(k) {
			t.Errorf("Delete(%d) = false on a present key", k)
		}
		if m.Delete(k) {
			t.Errorf("second Delete(%d) = true, want false", k)
		}
	}
	if m.Len() != 0 || len(modelCollect2(m.All())) != 0 {
		t.Errorf("after deleting every key: Len() = %d, All() = %v, want an empty map", m.Len(), modelCollect2(m.All()))
	}

	// The order is the comparison function's, not the natural one.
	desc := coll.NewSortedMapFunc[int, int](func(a, b int) int { return cmp.Compare(b, a) })
	for _, k := range []int{30, 10, 50, 20, 40} {
		desc.Put(k, k*10)
	}
	if d := modelDiffKV(modelCollect2(desc.All()), wantBack, cmp.Compare[int]); d != "" {
		t.Errorf("NewSortedMapFunc with a descending comparison: All(): %s", d)
	}
	if k, _, ok := desc.Floor(25); !ok || k != 30 {
		t.Errorf("descending comparison: Floor(25) = (%d, %t), want 30 (the greatest key <= 25 in that order)", k, ok)
	}
	if d := modelDiffKV(modelCollect2(desc.Range(40, 20)), []kv{{40, 400}, {30, 300}}, cmp.Compare[int]); d != "" {
		t.Errorf("descending comparison: Range(40, 20): %s", d)
	}
}

// modelHeap checks a heap of ints ordered by less against a sorted slice,
// over ops seeded random Push/Pop/Peek operations.
func modelHeap(t *testing.T, name string, less func(a, b int) bool, seed uint64, ops int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0x4ea9))
	h := coll.NewHeap(less)
	var oracle []int // sorted so that oracle[0] is the element Pop must return
	order := func(a, b int) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	}
	for i := range ops {
		if r.IntN(100) < 58 {
			v := r.IntN(1000)
			h.Push(v)
			j, _ := slices.BinarySearchFunc(oracle, v, order)
			oracle = slices.Insert(oracle, j, v)
		} else {
			got, ok := h.Pop()
			if len(oracle) == 0 {
				if ok {
					t.Fatalf("%s, op %d: Pop() on an empty heap = (%d, true), want ok == false", name, i, got)
				}
				continue
			}
			if !ok || got != oracle[0] {
				t.Fatalf("%s, op %d: Pop() = (%d, %t), want (%d, true)", name, i, got, ok, oracle[0])
			}
			oracle = oracle[1:]
		}
		if h.Len() != len(oracle) {
			t.Fatalf("%s, op %d: Len() = %d, want %d", name, i, h.Len(), len(oracle))
		}
		if got, ok := h.Peek(); len(oracle) > 0 && (!ok || got != oracle[0]) {
			t.Fatalf("%s, op %d: Peek() = (%d, %t), want (%d, true)", name, i, got, ok, oracle[0])
		}
	}
}

func TestHiddenModel_Heap(t *testing.T) {
	defer modelCatch(t)
	modelHeap(t, "min-heap", func(a, b int) bool { return a < b }, 3, 20_000)
	modelHeap(t, "max-heap", func(a, b int) bool { return a > b }, 4, 20_000)
}

type modelJob struct {
	Prio int
	Name string
}

func TestHiddenModel_HeapInit(t *testing.T) {
	defer modelCatch(t)
	r := rand.New(rand.NewPCG(5, 0x4ea9))
	for _, n := range []int{0, 1, 2, 3, 7, 100, 1000} {
		items := make([]int, n)
		for i := range items {
			items[i] = r.IntN(50)
		}
		want := slices.Clone(items)
		slices.SortFunc(want, cmp.Compare[int])
		h := coll.NewHeap(func(a, b int) bool { return a < b }, items...)
		if h.Len() != n {
			t.Errorf("NewHeap with %d items: Len() = %d", n, h.Len())
			continue
		}
		got := []int{}
		for range n {
			v, ok := h.Pop()
			if !ok {
				break
			}
			got = append(got, v)
		}
		if !slices.Equal(got, want) {
			t.Errorf("NewHeap with %d items, then Pop until empty:\n got %v\nwant %v", n, got, want)
		}
		if v, ok := h.Pop(); ok {
			t.Errorf("Pop() on an emptied heap = (%d, true), want ok == false", v)
		}
		if v, ok := h.Peek(); ok {
			t.Errorf("Peek() on an emptied heap = (%d, true), want ok == false", v)
		}
	}

	// Struct elements under a total order; Push after NewHeap.
	less := func(a, b modelJob) bool { return a.Prio < b.Prio || a.Prio == b.Prio && a.Name < b.Name }
	var jobs []modelJob
	for i := range 300 {
		jobs = append(jobs, modelJob{Prio: r.IntN(20), Name: fmt.Sprintf("job-%03d", i)})
	}
	h := coll.NewHeap(less, jobs[:150]...)
	for _, j := range jobs[150:] {
		h.Push(j)
	}
	if v, ok := h.Peek(); !ok || h.Len() != len(jobs) {
		t.Fatalf("after NewHeap(150 jobs) and 150 Push: Peek() = (%v, %t), Len() = %d, want Len() == %d", v, ok, h.Len(), len(jobs))
	}
	want := slices.Clone(jobs)
	slices.SortFunc(want, func(a, b modelJob) int { return cmp.Or(cmp.Compare(a.Prio, b.Prio), cmp.Compare(a.Name, b.Name)) })
	for i, w := range want {
		if p, _ := h.Peek(); p != w {
			t.Fatalf("struct heap, pop %d: Peek() = %v, want %v", i, p, w)
		}
		if v, ok := h.Pop(); !ok || v != w {
			t.Fatalf("struct heap, pop %d: Pop() = (%v, %t), want (%v, true)", i, v, ok, w)
		}
	}
}

// modelDequeCheck compares every element of d with want, through At and All.
func modelDequeCheck(t *testing.T, ctx string, d *coll.Deque[int], want []int) {
	t.Helper()
	if d.Len() != len(want) {
		t.Fatalf("%s: Len() = %d, want %d", ctx, d.Len(), len(want))
	}
	for i, w := range want {
		if got := d.At(i); got != w {
			t.Fatalf("%s: At(%d) = %d, want %d", ctx, i, got, w)
		}
	}
	var got []int
	next := 0
	for i, v := range d.All() {
		if i != next {
			t.Fatalf("%s: All() yielded index %d, want %d", ctx, i, next)
		}
		next++
		got = append(got, v)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: All() yielded %v, want %v", ctx, got, want)
	}
}

func TestHiddenModel_Deque(t *testing.T) {
	defer modelCatch(t)
	r := rand.New(rand.NewPCG(6, 0xde9e))
	var d coll.Deque[int]
	var oracle []int
	pushBias := 70
	for i := range 50_000 {
		if i%2500 == 0 {
			pushBias = 100 - pushBias // alternate growing and draining phases
		}
		v := r.IntN(1 << 20)
		push := r.IntN(100) < pushBias
		switch back := r.IntN(2) == 0; {
		case push && back:
			d.PushBack(v)
			oracle = append(oracle, v)
		case push:
			d.PushFront(v)
			oracle = slices.Insert(oracle, 0, v)
		default:
			var got int
			var ok bool
			var name string
			want, wantOK := 0, len(oracle) > 0
			if back {
				name = "PopBack"
				got, ok = d.PopBack()
				if wantOK {
					want, oracle = oracle[len(oracle)-1], oracle[:len(oracle)-1]
				}
			} else {
				name = "PopFront"
				got, ok = d.PopFront()
				if wantOK {
					want, oracle = oracle[0], oracle[1:]
				}
			}
			if got != want || ok != wantOK {
				t.Fatalf("op %d: %s() = (%d, %t), want (%d, %t)", i, name, got, ok, want, wantOK)
			}
		}
		if d.Len() != len(oracle) {
			t.Fatalf("op %d: Len() = %d, want %d", i, d.Len(), len(oracle))
		}
		if len(oracle) > 0 {
			j := r.IntN(len(oracle))
			if got := d.At(j); got != oracle[j] {
				t.Fatalf("op %d: At(%d) = %d, want %d (Len %d)", i, j, got, oracle[j], len(oracle))
			}
		}
		if i%500 == 499 {
			modelDequeCheck(t, fmt.Sprintf("op %d", i), &d, oracle)
		}
	}
}

// modelPanics reports whether f panics.
func modelPanics(f func()) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	f()
	return false
}

func TestHiddenModel_DequeWraparound(t *testing.T) {
	defer modelCatch(t)
	// A FIFO of constant size walks its head around the buffer many times.
	var q coll.Deque[int]
	for i := range 5 {
		q.PushBack(i)
	}
	for i := 5; i < 5000; i++ {
		q.PushBack(i)
		if v, ok := q.PopFront(); !ok || v != i-5 {
			t.Fatalf("FIFO via PushBack/PopFront, step %d: PopFront() = (%d, %t), want (%d, true)", i, v, ok, i-5)
		}
	}
	modelDequeCheck(t, "FIFO after 5000 steps", &q, []int{4995, 4996, 4997, 4998, 4999})

	// The same backwards: PushFront/PopBack.
	var s coll.Deque[int]
	for i := range 5 {
		s.PushFront(i)
	}
	for i := 5; i < 5000; i++ {
		s.PushFront(i)
		if v, ok := s.PopBack(); !ok || v != i-5 {
			t.Fatalf("FIFO via PushFront/PopBack, step %d: PopBack() = (%d, %t), want (%d, true)", i, v, ok, i-5)
		}
	}
	modelDequeCheck(t, "reverse FIFO after 5000 steps", &s, []int{4999, 4998, 4997, 4996, 4995})

	// Grow while the contents wrap around the end of the buffer, from both ends.
	var d coll.Deque[int]
	var want []int
	for i := range 6 {
		d.PushBack(i)
		want = append(want, i)
	}
	for range 4 {
		d.PopFront()
		want = want[1:]
	}
	for i := 100; i < 110; i++ {
		d.PushBack(i)
		want = append(want, i)
		d.PushFront(-i)
		want = slices.Insert(want, 0, -i)
		modelDequeCheck(t, fmt.Sprintf("growing while wrapped, after pushing %d and %d", i, -i), &d, want)
	}
	for i := range 1000 {
		d.PushFront(i)
		want = slices.Insert(want, 0, i)
	}
	modelDequeCheck(t, "after 1000 more PushFront", &d, want)
	for len(want) > 0 {
		v, ok := d.PopBack()
		if !ok || v != want[len(want)-1] {
			t.Fatalf("draining with PopBack: got (%d, %t), want (%d, true)", v, ok, want[len(want)-1])
		}
		want = want[:len(want)-1]
	}
	if v, ok := d.PopFront(); ok {
		t.Errorf("PopFront() on an emptied deque = (%d, true), want ok == false", v)
	}
	if v, ok := d.PopBack(); ok {
		t.Errorf("PopBack() on an emptied deque = (%d, true), want ok == false", v)
	}

	// At outside [0, Len()) panics, like a slice index, even when the buffer
	// has room behind the last element.
	d.PushBack(7)
	d.PushBack(8)
	for _, i := range []int{-1, 2, 3, 100} {
		if !modelPanics(func() { d.At(i) }) {
			t.Errorf("Len() == 2: At(%d) did not panic, want a panic (index out of range)", i)
		}
	}
}
