package trace

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Exporter receives batches of ended spans.
type Exporter interface {
	Export(ctx context.Context, spans []SpanData) error
}

// BatchOptions configures a BatchProcessor; zero or negative fields take
// the defaults: MaxQueue 2048, MaxBatch 512, Interval 5s.
type BatchOptions struct {
	MaxQueue, MaxBatch int
	Interval           time.Duration
}

// BatchProcessor queues ended spans and exports them in batches from a
// goroutine of its own. It never blocks the code that ends a span: when the
// queue is full the span is dropped and counted.
type BatchProcessor struct {
	exp  Exporter
	opts BatchOptions

	mu      sync.Mutex
	queue   []SpanData
	closed  bool
	flushTo context.Context // Shutdown's context, set when closed

	dropped  atomic.Uint64
	wake     chan struct{} // a full batch is waiting
	stop     chan struct{} // closed by Shutdown
	stopOnce sync.Once
	done     chan struct{} // closed when the worker has exited
}

// NewBatchProcessor starts a processor exporting to e.
func NewBatchProcessor(e Exporter, o BatchOptions) *BatchProcessor {
	if o.MaxQueue <= 0 {
		o.MaxQueue = 2048
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	o.MaxBatch = min(o.MaxBatch, o.MaxQueue)
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	p := &BatchProcessor{
		exp:  e,
		opts: o,
		wake: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go p.run()
	return p
}

// Dropped returns the number of spans dropped so far.
func (p *BatchProcessor) Dropped() uint64 { return p.dropped.Load() }

func (p *BatchProcessor) enqueue(d SpanData) {
	p.mu.Lock()
	if p.closed || len(p.queue) >= p.opts.MaxQueue {
		p.mu.Unlock()
		p.dropped.Add(1)
		return
	}
	p.queue = append(p.queue, d)
	full := len(p.queue) >= p.opts.MaxBatch
	p.mu.Unlock()
	if full {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// take removes and returns the first MaxBatch queued spans, or fewer if
// partial is true; nil when there is nothing to take.
func (p *BatchProcessor) take(partial bool) []SpanData {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := min(len(p.queue), p.opts.MaxBatch)
	if n == 0 || (!partial && n < p.opts.MaxBatch) {
		return nil
	}
	batch := slices.Clone(p.queue[:n])
	p.queue = append(p.queue[:0], p.queue[n:]...)
	return batch
}

func (p *BatchProcessor) run() {
	defer close(p.done)
	ticker := time.NewTicker(p.opts.Interval)
	defer ticker.Stop()
	for {
		partial := false
		select {
		case <-p.wake:
		case <-ticker.C:
			partial = true
		case <-p.stop:
			p.mu.Lock()
			ctx := p.flushTo
			p.mu.Unlock()
			for ctx.Err() == nil {
				batch := p.take(true)
				if batch == nil {
					return
				}
				_ = p.exp.Export(ctx, batch) // errors are not retried
			}
			return
		}
		for {
			batch := p.take(partial)
			if batch == nil {
				break
			}
			_ = p.exp.Export(context.Background(), batch)
		}
	}
}

// Shutdown stops the processor: spans ended from now on are dropped, the
// queued ones are exported (with ctx), and the goroutine ends. It returns
// ctx.Err() if ctx ends first.
func (p *BatchProcessor) Shutdown(ctx context.Context) error {
	p.stopOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.flushTo = ctx
		p.mu.Unlock()
		close(p.stop)
	})
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
