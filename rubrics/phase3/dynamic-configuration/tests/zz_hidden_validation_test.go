package config_test

// Hidden tests, group "Validation": `validate` tags, every problem reported
// at once as *FieldError values with their field paths, parse errors.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	config "example.com/dynamic-configuration"
)

func valCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type valReplica struct {
	Host string `json:"host" validate:"required"`
	Port int    `json:"port" validate:"min=1,max=65535"`
}

type valPool struct {
	Size int `json:"size" default:"4" validate:"max=64"`
}

type valDB struct {
	Replicas []valReplica `json:"replicas" validate:"min=1"`
	Pool     *valPool     `json:"pool"`
}

type valConfig struct {
	Name    string        `json:"name" validate:"required"`
	Mode    string        `json:"mode" default:"dev" validate:"oneof=dev|prod"`
	Port    int           `json:"port" default:"8080" validate:"required,min=1,max=65535"`
	Timeout time.Duration `json:"timeout" default:"5s" validate:"min=1s,max=1m"`
	Tags    []string      `json:"tags" validate:"max=3"`
	Code    string        `json:"code" default:"abc" validate:"min=3,max=5"`
	DB      valDB         `json:"db"`
	Level   uint8         `json:"level" env:"LEVEL"`
}

type valBadDefault struct {
	Workers int `default:"many"`
}

func valFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// valFieldErrors collects every *FieldError of err's tree (through
// Unwrap() error and Unwrap() []error), as "Path/Rule" strings.
func valFieldErrors(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*config.FieldError); ok {
			out = append(out, fe.Path+"/"+fe.Rule)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

const valGood = `{"name": "api", "db": {"replicas": [{"host": "a", "port": 5432}]}}`

func TestHiddenValidation_Valid(t *testing.T) {
	defer valCatch(t)
	c, err := config.Load[valConfig](config.WithFile(valFile(t, valGood)))
	if err != nil {
		t.Fatalf("Load of a valid configuration = %v, want no error", err)
	}
	if c.DB.Pool == nil || c.DB.Pool.Size != 4 || c.Mode != "dev" || c.Port != 8080 {
		t.Errorf("valid configuration: got %+v (DB.Pool %+v), want defaults Mode=dev Port=8080 DB.Pool.Size=4", *c, c.DB.Pool)
	}
}

func TestHiddenValidation_AllViolationsJoined(t *testing.T) {
	defer valCatch(t)
	p := valFile(t, `{
  "name": "",
  "mode": "test",
  "port": 70000,
  "timeout": 0,
  "tags": ["a", "b", "c", "d"],
  "code": "ab",
  "db": {
    "replicas": [{"host": "a", "port": 1}, {"host": "", "port": 5}, {"host": "c", "port": 0}],
    "pool": {"size": 100}
  }
}`)
	c, err := config.Load[valConfig](config.WithFile(p))
	if err == nil {
		t.Fatalf("Load of a configuration with 8 broken fields = nil error, want them all")
	}
	if c != nil {
		t.Errorf("Load returned an error and a non-nil *T; want nil with the error")
	}
	got := valFieldErrors(err)
	want := []string{
		"Name/required", "Mode/oneof", "Port/max", "Timeout/min", "Tags/max", "Code/min",
		"DB.Replicas[1].Host/required", "DB.Replicas[2].Port/min", "DB.Pool.Size/max",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the *FieldError values (Path/Rule) in the returned error (errors.Join of one per broken field):\n got %q\nwant %q", got, want)
	}
}

func TestHiddenValidation_ErrorsAs(t *testing.T) {
	defer valCatch(t)
	_, err := config.Load[valConfig](config.WithFile(valFile(t, `{"name": "x", "db": {"replicas": []}}`)))
	var fe *config.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("Load with db.replicas empty (min=1) = %v, want an error where errors.As finds a *FieldError", err)
	}
	if fe.Path != "DB.Replicas" || fe.Rule != "min" {
		t.Errorf("FieldError = {Path: %q, Rule: %q}, want {Path: \"DB.Replicas\", Rule: \"min\"}", fe.Path, fe.Rule)
	}
	if fe2, ok := errors.AsType[*config.FieldError](err); !ok || fe2.Path != "DB.Replicas" {
		t.Errorf("errors.AsType[*FieldError] = (%v, %v), want the DB.Replicas error", fe2, ok)
	}
	if !strings.Contains(err.Error(), "DB.Replicas") {
		t.Errorf("err.Error() = %q, want it to name the path DB.Replicas", err.Error())
	}
}

func TestHiddenValidation_FieldErrorMethods(t *testing.T) {
	defer valCatch(t)
	inner := errors.New("must be at least 1")
	fe := &config.FieldError{Path: "DB.Replicas[2].Port", Rule: "min", Err: inner}
	var err error = fe
	msg := err.Error()
	if want := "DB.Replicas[2].Port: min: must be at least 1"; msg != want {
		t.Errorf("FieldError.Error() = %q, want %q (\"<Path>: <Rule>: <Err>\")", msg, want)
	}
	if !errors.Is(err, inner) {
		t.Errorf("errors.Is(fieldErr, fieldErr.Err) = false, want true (Unwrap returns Err)")
	}
}

func TestHiddenValidation_Uint8Overflow(t *testing.T) {
	defer valCatch(t)
	for _, v := range []string{"300", "-1", "2.5"} {
		func() {
			defer valCatch(t)
			env := map[string]string{"LEVEL": v}
			c, err := config.Load[valConfig](
				config.WithFile(valFile(t, valGood)),
				config.WithEnv("", func(k string) (string, bool) { s, ok := env[k]; return s, ok }),
			)
			var fe *config.FieldError
			switch {
			case err == nil:
				t.Errorf("LEVEL=%q into a uint8 field: Load = (Level %d, nil), want an error", v, c.Level)
			case !errors.As(err, &fe):
				t.Errorf("LEVEL=%q into a uint8 field: Load = %v, want a *FieldError", v, err)
			case fe.Path != "Level" || fe.Rule != "parse":
				t.Errorf("LEVEL=%q: FieldError = {Path: %q, Rule: %q}, want {Path: \"Level\", Rule: \"parse\"}", v, fe.Path, fe.Rule)
			}
		}()
	}
	if _, err := config.Load[valConfig](config.WithFile(valFile(t, `{"name": "x", "level": 300, "db": {"replicas": [{"host": "a", "port": 1}]}}`))); err == nil {
		t.Errorf(`"level": 300 in the file into a uint8 field: Load = nil error, want an error`)
	}
}

func TestHiddenValidation_BadDefault(t *testing.T) {
	defer valCatch(t)
	_, err := config.Load[valBadDefault]()
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Path != "Workers" || fe.Rule != "parse" {
		t.Errorf("`default:\"many\"` on an int field: Load = %v, want a *FieldError {Path: \"Workers\", Rule: \"parse\"}", err)
	}
}

func TestHiddenValidation_Bounds(t *testing.T) {
	defer valCatch(t)
	cases := []struct {
		json string
		want []string
	}{
		{`"port": 1, "timeout": 1000000000`, nil},
		{`"port": 65535, "timeout": 60000000000, "code": "abcde", "tags": ["a","b","c"]`, nil},
		{`"port": 0`, []string{"Port/required"}},
		{`"port": -5`, []string{"Port/min"}},
		{`"timeout": 999000000`, []string{"Timeout/min"}},
		{`"timeout": 61000000000`, []string{"Timeout/max"}},
		{`"code": "abcdef"`, []string{"Code/max"}},
		{`"mode": "prod"`, nil},
		{`"mode": "Prod"`, []string{"Mode/oneof"}},
	}
	for _, tc := range cases {
		func() {
			defer valCatch(t)
			content := fmt.Sprintf(`{"name": "x", "db": {"replicas": [{"host": "a", "port": 1}]}, %s}`, tc.json)
			_, err := config.Load[valConfig](config.WithFile(valFile(t, content)))
			got := valFieldErrors(err)
			if !slices.Equal(got, tc.want) {
				t.Errorf("file with %s: *FieldErrors (Path/Rule) = %q (err %v), want %q", tc.json, got, err, tc.want)
			}
		}()
	}
}
