package trace

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// BatchOptions tune a BatchProcessor.
type BatchOptions struct {
	MaxQueue, MaxBatch int
	Interval           time.Duration
}

// BatchProcessor buffers finished spans and exports them in batches from
// one goroutine.
type BatchProcessor struct {
	exp     Exporter
	opts    BatchOptions
	queue   chan SpanData
	flush   chan chan struct{}
	done    chan struct{}
	dropped atomic.Uint64
	closed  atomic.Bool
	once    sync.Once
}

// NewBatchProcessor starts the export loop.
func NewBatchProcessor(e Exporter, o BatchOptions) *BatchProcessor {
	if o.MaxQueue <= 0 {
		o.MaxQueue = 2048
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	p := &BatchProcessor{exp: e, opts: o, queue: make(chan SpanData, o.MaxQueue),
		flush: make(chan chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

func (p *BatchProcessor) enqueue(d SpanData) {
	if p.closed.Load() {
		p.dropped.Add(1)
		return
	}
	select {
	case p.queue <- d:
	default:
		p.dropped.Add(1)
	}
}

func (p *BatchProcessor) loop() {
	defer close(p.done)
	tick := time.NewTicker(p.opts.Interval)
	defer tick.Stop()
	var batch []SpanData
	export := func() {
		if len(batch) > 0 {
			p.exp.Export(context.Background(), batch)
			batch = nil
		}
	}
	for {
		select {
		case d := <-p.queue:
			batch = append(batch, d)
			if len(batch) >= p.opts.MaxBatch {
				export()
			}
		case <-tick.C:
			export()
		case ack := <-p.flush:
			for {
				select {
				case d := <-p.queue:
					batch = append(batch, d)
					if len(batch) >= p.opts.MaxBatch {
						export()
					}
					continue
				default:
				}
				break
			}
			export()
			close(ack)
			return
		}
	}
}

// Dropped counts spans lost to a full queue or after Shutdown.
func (p *BatchProcessor) Dropped() uint64 { return p.dropped.Load() }

// Shutdown exports what is queued and stops the loop.
func (p *BatchProcessor) Shutdown(ctx context.Context) error {
	ack := make(chan struct{})
	p.once.Do(func() {
		p.closed.Store(true)
		select {
		case p.flush <- ack:
		case <-ctx.Done():
		}
	})
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
