package config_test

// Hidden tests, group "Precedence": flags > environment > file > default >
// zero value, for every combination of sources, field by field.

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	config "example.com/dynamic-configuration"
)

func precCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type precWithDefault struct {
	Port int `json:"port" env:"PORT" flag:"port" default:"1"`
}

type precNoDefault struct {
	Port int `json:"port" env:"PORT" flag:"port"`
}

type precMany struct {
	A string `json:"a" env:"A" flag:"a" default:"def-a"`
	B string `json:"b" env:"B" flag:"b" default:"def-b"`
	C string `json:"c" env:"C" flag:"c" default:"def-c"`
	D string `json:"d" env:"D" flag:"d" default:"def-d"`
}

func precFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// precCombos loads T for the 8 combinations of file (2), env (3) and flag
// (4) and checks the winner; def is the value without any source.
func precCombos[T any](t *testing.T, def int, port func(*T) int) {
	for mask := range 8 {
		file, env, flg := mask&1 != 0, mask&2 != 0, mask&4 != 0
		name := fmt.Sprintf("file=%v/env=%v/flag=%v", file, env, flg)
		func() {
			defer precCatch(t)
			var opts []config.Option
			want := def
			content := `{}`
			if file {
				content = `{"port": 2}`
				want = 2
			}
			opts = append(opts, config.WithFile(precFile(t, content)))
			envMap := map[string]string{"OTHER": "9"}
			if env {
				envMap["PORT"] = "3"
				want = 3
			}
			opts = append(opts, config.WithEnv("", func(k string) (string, bool) { v, ok := envMap[k]; return v, ok }))
			args := []string{}
			if flg {
				args = []string{"--port=4"}
				want = 4
			}
			opts = append(opts, config.WithArgs(args))
			c, err := config.Load[T](opts...)
			if err != nil {
				t.Errorf("%s: Load = %v, want no error", name, err)
				return
			}
			if got := port(c); got != want {
				t.Errorf("%s (default %d, file 2, env 3, flag 4): Port = %d, want %d (flag > env > file > default)", name, def, got, want)
			}
		}()
	}
}

func TestHiddenPrecedence_WithDefault(t *testing.T) {
	precCombos(t, 1, func(c *precWithDefault) int { return c.Port })
}

func TestHiddenPrecedence_NoDefault(t *testing.T) {
	precCombos(t, 0, func(c *precNoDefault) int { return c.Port })
}

func TestHiddenPrecedence_FieldByField(t *testing.T) {
	defer precCatch(t)
	p := precFile(t, `{"b": "file-b", "c": "file-c", "d": "file-d"}`)
	env := map[string]string{"C": "env-c", "D": "env-d"}
	c, err := config.Load[precMany](
		config.WithFile(p),
		config.WithEnv("", func(k string) (string, bool) { v, ok := env[k]; return v, ok }),
		config.WithArgs([]string{"-d", "flag-d"}),
	)
	if err != nil {
		t.Fatalf("Load = %v, want no error", err)
	}
	want := precMany{A: "def-a", B: "file-b", C: "env-c", D: "flag-d"}
	if *c != want {
		t.Errorf("each field takes its own highest source: got %+v, want %+v", *c, want)
	}
}

func TestHiddenPrecedence_EmptyEnvIsAValue(t *testing.T) {
	defer precCatch(t)
	p := precFile(t, `{"a": "file-a"}`)
	env := map[string]string{"A": ""}
	c, err := config.Load[precMany](
		config.WithFile(p),
		config.WithEnv("", func(k string) (string, bool) { v, ok := env[k]; return v, ok }),
	)
	if err != nil {
		t.Fatalf("Load = %v, want no error", err)
	}
	if c.A != "" {
		t.Errorf(`env A set to "" (lookup returns "", true) over file a="file-a": A = %q, want "" (a variable that is set wins, even empty)`, c.A)
	}
}

func TestHiddenPrecedence_OptionOrder(t *testing.T) {
	defer precCatch(t)
	p := precFile(t, `{"a": "file-a"}`)
	env := map[string]string{"A": "env-a"}
	// Options given in the reverse order: precedence does not depend on it.
	c, err := config.Load[precMany](
		config.WithArgs([]string{"--b=flag-b"}),
		config.WithEnv("", func(k string) (string, bool) { v, ok := env[k]; return v, ok }),
		config.WithFile(p),
	)
	if err != nil {
		t.Fatalf("Load = %v, want no error", err)
	}
	want := precMany{A: "env-a", B: "flag-b", C: "def-c", D: "def-d"}
	if *c != want {
		t.Errorf("options given as WithArgs, WithEnv, WithFile: got %+v, want %+v (precedence is fixed, not the order of the options)", *c, want)
	}
}
