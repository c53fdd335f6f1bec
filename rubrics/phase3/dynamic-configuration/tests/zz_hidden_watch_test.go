package config_test

// Hidden tests, group "Watch": Store.Watch polls the file on synctest's
// virtual clock: a changed content notifies the subscribers once, within
// one poll interval; invalid content goes to onError and keeps the old
// snapshot; the same content (a touch) notifies nobody; cancelling the
// context ends Watch. Each bubble runs on a goroutine of its own with a
// 20 s real-time watchdog, so that a deadlock fails one test only.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	config "example.com/dynamic-configuration"
)

func watchCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

// watchBubble runs f in a synctest bubble on a goroutine of its own.
func watchBubble(t *testing.T, f func(t *testing.T, dir string)) {
	t.Helper()
	dir := t.TempDir()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, func(t *testing.T) {
			defer watchCatch(t)
			f(t, dir)
		})
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("synctest: %v: goroutines of the test were still blocked when it ended, or blocked for ever: Watch must return when its context is cancelled, and leave no goroutine behind", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

type watchCfg struct {
	Name string `json:"name" env:"NAME" validate:"required"`
	Port int    `json:"port" env:"PORT" default:"80"`
}

// watchRec records subscriber calls and onError calls.
type watchRec struct {
	mu    sync.Mutex
	calls [][2]*watchCfg
	errs  []error
}

func (r *watchRec) sub(old, cur *watchCfg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, [2]*watchCfg{old, cur})
}

func (r *watchRec) onErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *watchRec) counts() (calls, errs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls), len(r.errs)
}

func (r *watchRec) check(t *testing.T, when string, wantCalls, wantErrs int) {
	t.Helper()
	c, e := r.counts()
	if c != wantCalls || e != wantErrs {
		r.mu.Lock()
		errs := fmt.Sprint(r.errs)
		r.mu.Unlock()
		t.Errorf("%s: %d subscriber calls and %d onError calls (%s), want %d and %d", when, c, e, errs, wantCalls, wantErrs)
	}
}

// watchWrite replaces the file's content at once (write + rename).
func watchWrite(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// watchAt sleeps until t0+d and lets every goroutine of the bubble settle.
func watchAt(t0 time.Time, d time.Duration) {
	time.Sleep(time.Until(t0.Add(d)))
	synctest.Wait()
}

// watchRun starts s.Watch(ctx, rec.onErr) on a goroutine; stop cancels it
// and checks that Watch returned context.Canceled at once.
func watchRun(t *testing.T, s *config.Store[watchCfg], rec *watchRec) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("Watch panicked: %v", r)
			}
		}()
		done <- s.Watch(ctx, rec.onErr)
	}()
	return func() {
		t.Helper()
		cancel()
		synctest.Wait()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Watch returned %v after its context was cancelled, want an error wrapping context.Canceled", err)
			}
		default:
			t.Errorf("Watch has not returned after its context was cancelled (it must return at once)")
		}
	}
}

func watchStore(t *testing.T, path, content string, opts ...config.Option) *config.Store[watchCfg] {
	t.Helper()
	watchWrite(t, path, content)
	s, err := config.NewStore[watchCfg](append([]config.Option{config.WithFile(path)}, opts...)...)
	if err != nil {
		t.Fatalf("NewStore = %v, want no error", err)
	}
	if s == nil || s.Get() == nil {
		t.Fatalf("NewStore returned a nil Store or a Store whose Get is nil")
	}
	return s
}

func TestHiddenWatch_NotifiesOnceWithinInterval(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "c.json")
		s := watchStore(t, p, `{"name": "a"}`, config.WithPollInterval(10*time.Second))
		first := s.Get()
		rec := &watchRec{}
		s.Subscribe(rec.sub)
		t0 := time.Now()
		stop := watchRun(t, s, rec)
		watchAt(t0, time.Second)
		watchWrite(t, p, `{"name": "b"}`)
		watchAt(t0, 9*time.Second)
		rec.check(t, "9s after Watch started (poll interval 10s, file changed at 1s)", 0, 0)
		watchAt(t0, 10*time.Second)
		rec.check(t, "10s after Watch started (poll interval 10s, file changed at 1s)", 1, 0)
		watchAt(t0, 45*time.Second)
		rec.check(t, "45s after Watch started (one change only)", 1, 0)
		cur := s.Get()
		if cur == nil || cur.Name != "b" {
			t.Errorf("after the reload, Get() = %+v, want a new snapshot with Name \"b\"", cur)
		}
		if first.Name != "a" {
			t.Errorf("the first snapshot was modified by the reload: Name = %q, want \"a\" (a published snapshot is never changed)", first.Name)
		}
		rec.mu.Lock()
		if len(rec.calls) == 1 && (rec.calls[0][0] == nil || rec.calls[0][0].Name != "a" || rec.calls[0][1] == nil || rec.calls[0][1].Name != "b") {
			t.Errorf("subscriber got (old, cur) = (%+v, %+v), want the snapshots with Name \"a\" and Name \"b\"", rec.calls[0][0], rec.calls[0][1])
		}
		rec.mu.Unlock()
		stop()
	})
}

func TestHiddenWatch_InvalidJSONKeepsOld(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "c.json")
		s := watchStore(t, p, `{"name": "a"}`, config.WithPollInterval(10*time.Second))
		rec := &watchRec{}
		s.Subscribe(rec.sub)
		t0 := time.Now()
		stop := watchRun(t, s, rec)
		watchAt(t0, time.Second)
		watchWrite(t, p, `{"name": `)
		watchAt(t0, 10*time.Second)
		rec.check(t, "one poll after the file became invalid JSON", 0, 1)
		if got := s.Get(); got == nil || got.Name != "a" {
			t.Errorf("after invalid JSON, Get() = %+v, want the old snapshot (Name \"a\")", got)
		}
		watchAt(t0, 35*time.Second)
		rec.check(t, "three polls of the same invalid content (reported once)", 0, 1)
		watchWrite(t, p, `{"name": "c"}`)
		watchAt(t0, 40*time.Second)
		rec.check(t, "one poll after the file became valid again", 1, 1)
		if got := s.Get(); got == nil || got.Name != "c" {
			t.Errorf("after the fix, Get() = %+v, want Name \"c\"", got)
		}
		stop()
	})
}

func TestHiddenWatch_InvalidValueKeepsOld(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "c.json")
		s := watchStore(t, p, `{"name": "a"}`, config.WithPollInterval(10*time.Second))
		rec := &watchRec{}
		s.Subscribe(rec.sub)
		t0 := time.Now()
		stop := watchRun(t, s, rec)
		watchWrite(t, p, `{"name": ""}`)
		watchAt(t0, 10*time.Second)
		rec.check(t, "one poll after the file got an empty required name", 0, 1)
		rec.mu.Lock()
		if len(rec.errs) == 1 {
			var fe *config.FieldError
			if !errors.As(rec.errs[0], &fe) || fe.Path != "Name" || fe.Rule != "required" {
				t.Errorf("onError got %v, want an error holding a *FieldError {Path: \"Name\", Rule: \"required\"}", rec.errs[0])
			}
		}
		rec.mu.Unlock()
		if got := s.Get(); got == nil || got.Name != "a" {
			t.Errorf("after an invalid value, Get() = %+v, want the old snapshot (Name \"a\")", got)
		}
		stop()
	})
}

func TestHiddenWatch_TouchDoesNotNotify(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "c.json")
		s := watchStore(t, p, `{"name": "a"}`, config.WithPollInterval(10*time.Second))
		rec := &watchRec{}
		s.Subscribe(rec.sub)
		t0 := time.Now()
		stop := watchRun(t, s, rec)
		for i, at := range []time.Duration{time.Second, 11 * time.Second, 21 * time.Second} {
			watchAt(t0, at)
			watchWrite(t, p, `{"name": "a"}`)
			mt := time.Date(2030, 1, 1, 0, 0, i, 0, time.UTC)
			if err := os.Chtimes(p, mt, mt); err != nil {
				t.Fatal(err)
			}
		}
		watchAt(t0, 35*time.Second)
		rec.check(t, "the same content rewritten 3 times (new modification times)", 0, 0)
		if got := s.Get(); got == nil || got.Name != "a" {
			t.Errorf("after rewriting the same content, Get() = %+v, want Name \"a\"", got)
		}
		stop()
	})
}

func TestHiddenWatch_CancelReturns(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "c.json")
		s := watchStore(t, p, `{"name": "a"}`, config.WithPollInterval(10*time.Second))
		rec := &watchRec{}
		s.Subscribe(rec.sub)
		t0 := time.Now()
		stop := watchRun(t, s, rec)
		watchAt(t0, 15*time.Second)
		stop()
		watchWrite(t, p, `{"name": "b"}`)
		watchAt(t0, 60*time.Second)
		rec.check(t, "changes after Watch's context was cancelled", 0, 0)
	})
}

func TestHiddenWatch_SubscribeCancelAndOrder(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "c.json")
		s := watchStore(t, p, `{"name": "a"}`, config.WithPollInterval(10*time.Second))
		var mu sync.Mutex
		var order []int
		add := func(id int) func(old, cur *watchCfg) {
			return func(old, cur *watchCfg) {
				mu.Lock()
				defer mu.Unlock()
				order = append(order, id)
			}
		}
		s.Subscribe(add(1))
		cancel2 := s.Subscribe(add(2))
		s.Subscribe(add(3))
		cancel2()
		cancel2() // a second call does nothing
		rec := &watchRec{}
		t0 := time.Now()
		stop := watchRun(t, s, rec)
		watchWrite(t, p, `{"name": "b"}`)
		watchAt(t0, 10*time.Second)
		watchWrite(t, p, `{"name": "c"}`)
		watchAt(t0, 20*time.Second)
		cancel4 := s.Subscribe(add(4))
		watchWrite(t, p, `{"name": "d"}`)
		watchAt(t0, 30*time.Second)
		cancel4()
		watchWrite(t, p, `{"name": "e"}`)
		watchAt(t0, 40*time.Second)
		stop()
		mu.Lock()
		defer mu.Unlock()
		want := []int{1, 3, 1, 3, 1, 3, 4, 1, 3}
		if fmt.Sprint(order) != fmt.Sprint(want) {
			t.Errorf("subscribers 1, 2 (cancelled twice), 3, then 4 (added before the 3rd change, cancelled before the 4th): calls %v, want %v (in Subscribe order)", order, want)
		}
	})
}

func TestHiddenWatch_DefaultInterval(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "c.json")
		s := watchStore(t, p, `{"name": "a"}`)
		rec := &watchRec{}
		s.Subscribe(rec.sub)
		t0 := time.Now()
		stop := watchRun(t, s, rec)
		watchWrite(t, p, `{"name": "b"}`)
		watchAt(t0, 999*time.Millisecond)
		rec.check(t, "999ms after Watch started without WithPollInterval (default 1s)", 0, 0)
		watchAt(t0, time.Second)
		rec.check(t, "1s after Watch started without WithPollInterval (default 1s)", 1, 0)
		stop()
	})
}

func TestHiddenWatch_ReloadKeepsEnv(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "c.json")
		env := func(k string) (string, bool) {
			if k == "APP_PORT" {
				return "9", true
			}
			return "", false
		}
		s := watchStore(t, p, `{"name": "a", "port": 1}`, config.WithPollInterval(10*time.Second), config.WithEnv("APP_", env))
		if got := s.Get().Port; got != 9 {
			t.Errorf("NewStore with APP_PORT=9 and file port 1: Port = %d, want 9", got)
		}
		rec := &watchRec{}
		t0 := time.Now()
		stop := watchRun(t, s, rec)
		watchWrite(t, p, `{"name": "b", "port": 2}`)
		watchAt(t0, 10*time.Second)
		if got := s.Get(); got.Name != "b" || got.Port != 9 {
			t.Errorf("after a reload with APP_PORT=9 and file {name b, port 2}: Get() = %+v, want Name b, Port 9 (a reload applies every source again)", *got)
		}
		stop()
	})
}

func TestHiddenWatch_StoreErrors(t *testing.T) {
	watchBubble(t, func(t *testing.T, dir string) {
		p := filepath.Join(dir, "bad.json")
		watchWrite(t, p, `{"name": ""}`)
		if s, err := config.NewStore[watchCfg](config.WithFile(p)); err == nil || s != nil {
			t.Errorf("NewStore of an invalid configuration = (%v, %v), want (nil, an error)", s, err)
		}
		s, err := config.NewStore[watchCfg](config.WithEnv("", func(k string) (string, bool) { return "x", k == "NAME" }))
		if err != nil {
			t.Fatalf("NewStore without a file = %v, want no error", err)
		}
		done := make(chan error, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- fmt.Errorf("panic: %v", r)
				}
			}()
			done <- s.Watch(context.Background(), nil)
		}()
		synctest.Wait()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("Watch on a Store without a file = nil, want an error")
			}
		default:
			t.Errorf("Watch on a Store without a file blocks, want an error at once")
		}
	})
}
