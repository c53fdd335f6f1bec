package config_test

// Hidden tests, group "Allocs": Get allocates nothing. testing.AllocsPerRun
// is deterministic here; these tests never run under -race.

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	config "example.com/dynamic-configuration"
)

func allocCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type allocInner struct {
	Hosts []string `json:"hosts"`
}

type allocCfg struct {
	Name  string         `json:"name" default:"svc"`
	Port  int            `json:"port" default:"8080"`
	Inner *allocInner    `json:"inner"`
	Map   map[string]int `json:"map"`
}

var (
	allocSink int
	allocKeep *allocCfg // the snapshot escapes, as a real caller's would
)

func TestHiddenAllocs_GetDefaults(t *testing.T) {
	defer allocCatch(t)
	s, err := config.NewStore[allocCfg]()
	if err != nil || s == nil {
		t.Fatalf("NewStore = (%v, %v), want a Store", s, err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		for range 100 {
			allocKeep = s.Get()
			allocSink += allocKeep.Port
		}
	})
	if allocs != 0 {
		t.Errorf("100 calls of Get made %v allocations, want 0 (return the published pointer: no copy)", allocs)
	}
}

func TestHiddenAllocs_GetWithFile(t *testing.T) {
	defer allocCatch(t)
	p := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(p, []byte(`{"name": "x", "inner": {"hosts": ["a", "b"]}, "map": {"k": 1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := config.NewStore[allocCfg](config.WithFile(p))
	if err != nil || s == nil {
		t.Fatalf("NewStore = (%v, %v), want a Store", s, err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		for range 100 {
			allocKeep = s.Get()
			allocSink += len(allocKeep.Inner.Hosts)
		}
	})
	if allocs != 0 {
		t.Errorf("100 calls of Get made %v allocations, want 0 (return the published pointer: no copy)", allocs)
	}
}
