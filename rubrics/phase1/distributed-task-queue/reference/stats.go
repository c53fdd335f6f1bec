package taskq

// DeadLetters returns the dead tasks of queue, oldest death first.
func (b *Broker) DeadLetters(name string) []Task {
	b.mu.Lock()
	defer b.mu.Unlock()
	q, ok := b.queues[name]
	if !ok {
		return nil
	}
	out := make([]Task, len(q.dead))
	for i, t := range q.dead {
		t.Payload = append([]byte(nil), t.Payload...)
		out[i] = t
	}
	return out
}

// Stats counts the tasks of queue by state.
func (b *Broker) Stats(name string) Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	q, ok := b.queues[name]
	if !ok {
		return Stats{}
	}
	return Stats{Ready: len(q.ready), Leased: q.leased, Delayed: q.delayed, Dead: len(q.dead)}
}
