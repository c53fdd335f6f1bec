package analytics

// Ingest adds ev to the window of its metric that holds ev.Time. Events
// outside the retained windows (too old, or in the future) are dropped.
func (e *Engine) Ingest(ev Event) {
	first, last := e.retained()
	// A window ends at its boundary: (start, start+Window].
	n := (ev.Time.UnixNano() - 1) / e.window
	if n < first || n > last {
		return
	}
	s := e.lookup(ev.Metric, true)
	slot := int((n%e.retain + e.retain) % e.retain)
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.slots[slot]
	switch {
	case w == nil:
		w = newWindow(n, e.relErr, e.prec)
		s.slots[slot] = w
	case w.n > n: // the slot already holds a newer window: ev is too old
		return
	case w.n < n:
		w.reset(n)
	}
	w.add(&ev)
}
