package trace

import (
	"context"
	"sync"
	"time"
)

// BatchOptions configure the batch processor.
type BatchOptions struct {
	MaxQueue, MaxBatch int
	Interval           time.Duration
}

// BatchProcessor queues spans and exports them periodically.
type BatchProcessor struct {
	mu       sync.Mutex
	buf      []SpanData
	maxQ     int
	maxB     int
	exporter Exporter
	dropped  uint64
	stopped  bool
	wake     chan struct{}
	quit     chan struct{}
	finished chan struct{}
}

// NewBatchProcessor starts a processor.
func NewBatchProcessor(e Exporter, o BatchOptions) *BatchProcessor {
	p := &BatchProcessor{maxQ: o.MaxQueue, maxB: o.MaxBatch, exporter: e,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), finished: make(chan struct{})}
	if p.maxQ < 1 {
		p.maxQ = 2048
	}
	if p.maxB < 1 {
		p.maxB = 512
	}
	every := o.Interval
	if every <= 0 {
		every = 5 * time.Second
	}
	go p.run(every)
	return p
}

func (p *BatchProcessor) add(d SpanData) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped || len(p.buf) >= p.maxQ {
		p.dropped++
		return
	}
	p.buf = append(p.buf, d)
	if len(p.buf) >= p.maxB {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

func (p *BatchProcessor) drain(all bool) {
	for {
		p.mu.Lock()
		n := min(len(p.buf), p.maxB)
		if n == 0 {
			p.mu.Unlock()
			return
		}
		batch := append([]SpanData(nil), p.buf[:n]...)
		p.buf = p.buf[n:]
		p.mu.Unlock()
		_ = p.exporter.Export(context.Background(), batch)
		if !all {
			return
		}
	}
}

func (p *BatchProcessor) run(every time.Duration) {
	defer close(p.finished)
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-p.wake:
			p.drain(false)
		case <-t.C:
			p.drain(false)
			t.Reset(every)
		case <-p.quit:
			p.drain(true)
			return
		}
	}
}

// Dropped is the number of spans that could not be queued.
func (p *BatchProcessor) Dropped() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// Shutdown flushes and stops the processor.
func (p *BatchProcessor) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	first := !p.stopped
	p.stopped = true
	p.mu.Unlock()
	if first {
		close(p.quit)
	}
	select {
	case <-p.finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
