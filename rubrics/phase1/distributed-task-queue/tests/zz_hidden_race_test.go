package taskq_test

// Hidden tests, group "Race": one Broker used from many goroutines at once
// (producers, workers that ack and nack, Stats and DeadLetters readers), in
// process and over HTTP. They score nothing by themselves; the race criterion
// runs them under -race. They check that the work gets done, so that a stub
// cannot pass them. Real time, never asserted on: the watchdogs only fail
// code that hangs.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	taskq "example.com/distributed-task-queue"
	"go.uber.org/goleak"
)

// raceLoad enqueues n tasks from 4 producers while workers built by leaser
// process them (every third task fails on its first attempt) and a reader
// polls Stats and DeadLetters; it checks every task is handled successfully
// once.
func raceLoad(t *testing.T, b *taskq.Broker, leasers []taskq.Leaser, n int) {
	t.Helper()
	var (
		mu   sync.Mutex
		ok   = map[string]int{}
		all  = make(chan struct{})
		errT = errors.New("first attempt fails")
	)
	handler := func(_ context.Context, task taskq.Task) error {
		var i int
		fmt.Sscan(task.ID[1:], &i)
		if i%3 == 0 && task.Attempt == 1 {
			return errT
		}
		mu.Lock()
		defer mu.Unlock()
		ok[task.ID]++
		if len(ok) == n && ok[task.ID] == 1 {
			close(all)
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg, workers sync.WaitGroup
	for _, l := range leasers {
		workers.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("RunWorkers panicked: %v", r)
				}
			}()
			if err := taskq.RunWorkers(ctx, l, "q", 2, handler); err != nil {
				t.Errorf("RunWorkers = %v, want nil", err)
			}
		})
	}
	for p := range 4 {
		wg.Go(func() {
			for i := p; i < n; i += 4 {
				if _, err := b.Enqueue(context.Background(), taskq.Task{ID: fmt.Sprint("t", i), Queue: "q", Payload: []byte{byte(i)}}); err != nil {
					t.Errorf("Enqueue = %v", err)
					return
				}
			}
		})
	}
	readerDone := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-readerDone:
				return
			default:
			}
			_ = b.Stats("q")
			_ = b.DeadLetters("q")
			time.Sleep(time.Millisecond)
		}
	})
	workersDone := make(chan struct{})
	go func() { workers.Wait(); close(workersDone) }()
	select {
	case <-all:
	case <-workersDone:
		mu.Lock()
		t.Errorf("RunWorkers returned before its context was cancelled, with %d of %d tasks handled successfully", len(ok), n)
		mu.Unlock()
	case <-time.After(60 * time.Second):
		mu.Lock()
		t.Errorf("after 60 s, %d of %d tasks handled successfully (Stats %+v)", len(ok), n, b.Stats("q"))
		mu.Unlock()
	}
	close(readerDone)
	cancel()
	stopped := make(chan struct{})
	go func() { wg.Wait(); <-workersDone; close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(20 * time.Second):
		t.Fatalf("RunWorkers did not return within 20 s of the cancel")
	}
	// RunWorkers' drain is the Workers group's business: here the acks
	// only have to reach the broker within a few seconds.
	settled := time.Now().Add(5 * time.Second)
	for b.Stats("q") != (taskq.Stats{}) && time.Now().Before(settled) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		if id := fmt.Sprint("t", i); ok[id] != 1 {
			t.Errorf("task %q succeeded %d times, want once", id, ok[id])
		}
	}
	if got := b.Stats("q"); got != (taskq.Stats{}) {
		t.Errorf("at the end: Stats = %+v, want all zero", got)
	}
}

func TestHiddenRace_InProcess(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	b := taskq.NewBroker(taskq.Options{Visibility: time.Hour, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	raceLoad(t, b, []taskq.Leaser{b, b}, 300)
}

func TestHiddenRace_Remote(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	b := taskq.NewBroker(taskq.Options{Visibility: time.Hour, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	srv := httptest.NewServer(taskq.NewHTTPHandler(b))
	tr := &http.Transport{}
	defer func() {
		tr.CloseIdleConnections()
		srv.Close()
		tr.CloseIdleConnections()
	}()
	hc := &http.Client{Transport: tr}
	raceLoad(t, b, []taskq.Leaser{taskq.NewClient(srv.URL, hc), taskq.NewClient(srv.URL, hc)}, 60)
}
