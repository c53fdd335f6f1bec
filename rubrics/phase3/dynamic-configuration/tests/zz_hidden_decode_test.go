package config_test

// Hidden tests, group "Decode": every supported field type, from each
// source: `default` tags, the JSON file, the environment and the flags.

import (
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	config "example.com/dynamic-configuration"
	"github.com/google/go-cmp/cmp"
)

// decCatch turns a panic of the code under test into a failure of this test only.
func decCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type DecBase struct {
	Name string `json:"name" env:"NAME" default:"svc"`
}

type decDB struct {
	Host    string        `json:"host" env:"DB_HOST" default:"localhost"`
	Port    int           `json:"port" flag:"db-port" default:"5432"`
	Timeout time.Duration `json:"timeout" env:"DB_TIMEOUT" default:"1m30s"`
}

type decTLS struct {
	Cert string `json:"cert" env:"TLS_CERT"`
}

type decConfig struct {
	DecBase
	DB      decDB          `json:"db"`
	TLS     *decTLS        `json:"tls"`
	Tags    []string       `json:"tags" env:"TAGS"`
	Limits  map[string]int `json:"limits"`
	Addr    netip.Addr     `json:"addr" env:"ADDR" default:"127.0.0.1"`
	Debug   bool           `json:"debug" flag:"debug"`
	Level   uint8          `json:"level" env:"LEVEL"`
	Ratio   float64        `json:"ratio" env:"RATIO" default:"0.5"`
	Retries *int           `json:"retries" env:"RETRIES"`
	secret  string         // unexported: never touched
}

func decFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func decEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func decLoad(t *testing.T, opts ...config.Option) *decConfig {
	t.Helper()
	c, err := config.Load[decConfig](opts...)
	if err != nil {
		t.Fatalf("Load = %v, want no error", err)
	}
	if c == nil {
		t.Fatalf("Load returned a nil *T and no error")
	}
	return c
}

func TestHiddenDecode_Defaults(t *testing.T) {
	defer decCatch(t)
	c := decLoad(t)
	want := decConfig{
		DecBase: DecBase{Name: "svc"},
		DB:      decDB{Host: "localhost", Port: 5432, Timeout: 90 * time.Second},
		TLS:     &decTLS{},
		Addr:    netip.MustParseAddr("127.0.0.1"),
		Ratio:   0.5,
	}
	if diff := cmp.Diff(want, *c, cmp.AllowUnexported(decConfig{}), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("Load() with no options (only `default` tags; a nil pointer to a struct is allocated): result differs (-want +got):\n%s", diff)
	}
}

func TestHiddenDecode_JSONFile(t *testing.T) {
	defer decCatch(t)
	p := decFile(t, `{
  "name": "api",
  "db": {"host": "db.internal", "timeout": 2000000000},
  "tls": {"cert": "/etc/cert.pem"},
  "tags": ["x", "y"],
  "limits": {"rps": 100, "burst": 20},
  "addr": "10.1.2.3",
  "level": 3,
  "retries": 5
}`)
	c := decLoad(t, config.WithFile(p))
	five := 5
	want := decConfig{
		DecBase: DecBase{Name: "api"},
		DB:      decDB{Host: "db.internal", Port: 5432, Timeout: 2 * time.Second},
		TLS:     &decTLS{Cert: "/etc/cert.pem"},
		Tags:    []string{"x", "y"},
		Limits:  map[string]int{"rps": 100, "burst": 20},
		Addr:    netip.MustParseAddr("10.1.2.3"),
		Level:   3,
		Ratio:   0.5,
		Retries: &five,
	}
	if diff := cmp.Diff(want, *c, cmp.AllowUnexported(decConfig{}), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("Load(WithFile) of a file with nested, pointer, embedded, map, TextUnmarshaler fields: result differs (-want +got):\n%s", diff)
	}
}

func TestHiddenDecode_Env(t *testing.T) {
	defer decCatch(t)
	env := map[string]string{
		"APP_NAME":       "from-env",
		"APP_DB_HOST":    "envhost",
		"APP_DB_TIMEOUT": "2m",
		"APP_TLS_CERT":   "c.pem",
		"APP_TAGS":       "a, b,c",
		"APP_ADDR":       "::1",
		"APP_LEVEL":      "7",
		"APP_RATIO":      "1.25",
		"APP_RETRIES":    "3",
		"NAME":           "no-prefix", // without the prefix: never read
	}
	c := decLoad(t, config.WithEnv("APP_", decEnv(env)))
	checks := []struct {
		what      string
		got, want any
	}{
		{"Name (APP_NAME)", c.Name, "from-env"},
		{"DB.Host (APP_DB_HOST)", c.DB.Host, "envhost"},
		{"DB.Timeout (APP_DB_TIMEOUT=2m)", c.DB.Timeout, 2 * time.Minute},
		{"DB.Port (no env tag: default)", c.DB.Port, 5432},
		{"Addr (APP_ADDR=::1, via UnmarshalText)", c.Addr, netip.MustParseAddr("::1")},
		{"Level (APP_LEVEL=7)", c.Level, uint8(7)},
		{"Ratio (APP_RATIO=1.25)", c.Ratio, 1.25},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
	if c.TLS == nil || c.TLS.Cert != "c.pem" {
		t.Errorf("TLS.Cert (APP_TLS_CERT=c.pem) = %+v, want c.pem", c.TLS)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(c.Tags, want) {
		t.Errorf("Tags from APP_TAGS=%q = %q, want %q (split on commas, spaces trimmed)", env["APP_TAGS"], c.Tags, want)
	}
	if c.Retries == nil || *c.Retries != 3 {
		t.Errorf("Retries (*int) from APP_RETRIES=3 = %v, want a pointer to 3", c.Retries)
	}
}

func TestHiddenDecode_NilLookupUsesOSEnv(t *testing.T) {
	defer decCatch(t)
	t.Setenv("DCFGHIDDEN_NAME", "os-env")
	c := decLoad(t, config.WithEnv("DCFGHIDDEN_", nil))
	if c.Name != "os-env" {
		t.Errorf("WithEnv(prefix, nil) with DCFGHIDDEN_NAME=os-env in the process environment: Name = %q, want %q (nil lookup means os.LookupEnv)", c.Name, "os-env")
	}
}

func TestHiddenDecode_Flags(t *testing.T) {
	defer decCatch(t)
	c := decLoad(t, config.WithArgs([]string{"-debug", "--db-port=6000"}))
	if !c.Debug || c.DB.Port != 6000 {
		t.Errorf(`WithArgs("-debug", "--db-port=6000"): Debug = %v, DB.Port = %d, want true, 6000`, c.Debug, c.DB.Port)
	}
	c = decLoad(t, config.WithArgs([]string{"-db-port", "7000"}))
	if c.Debug || c.DB.Port != 7000 {
		t.Errorf(`WithArgs("-db-port", "7000"): Debug = %v, DB.Port = %d, want false, 7000`, c.Debug, c.DB.Port)
	}
	c = decLoad(t, config.WithArgs([]string{"--debug=false"}))
	if c.Debug {
		t.Errorf(`WithArgs("--debug=false"): Debug = true, want false`)
	}
}

func TestHiddenDecode_UnknownJSONField(t *testing.T) {
	defer decCatch(t)
	p := decFile(t, `{"name": "api", "hots": "typo"}`)
	c, err := config.Load[decConfig](config.WithFile(p))
	if err == nil {
		t.Errorf(`Load of a file with the unknown key "hots" = (%+v, nil), want an error`, c)
	} else if c != nil {
		t.Errorf("Load returned an error and a non-nil *T; want nil with the error")
	}
	p = decFile(t, `{"db": {"hots": "typo"}}`)
	if _, err := config.Load[decConfig](config.WithFile(p)); err == nil {
		t.Errorf(`Load of a file with the unknown key "db.hots" = nil error, want an error`)
	}
}

func TestHiddenDecode_Errors(t *testing.T) {
	defer decCatch(t)
	cases := []struct {
		what string
		opts []config.Option
	}{
		{"a missing file", []config.Option{config.WithFile(filepath.Join(t.TempDir(), "nope.json"))}},
		{"a file that is not JSON", []config.Option{config.WithFile(decFile(t, "port = 8080"))}},
		{"an unknown flag", []config.Option{config.WithArgs([]string{"--nope=1"})}},
		{"a flag value that does not parse (--db-port=abc)", []config.Option{config.WithArgs([]string{"--db-port=abc"})}},
		{"an env value that does not parse (RATIO=fast)", []config.Option{config.WithEnv("", decEnv(map[string]string{"RATIO": "fast"}))}},
		{"an env value that does not parse (ADDR=999.1.1.1)", []config.Option{config.WithEnv("", decEnv(map[string]string{"ADDR": "999.1.1.1"}))}},
		{"an env duration without unit (DB_TIMEOUT=10)", []config.Option{config.WithEnv("", decEnv(map[string]string{"DB_TIMEOUT": "10"}))}},
	}
	for _, tc := range cases {
		func() {
			defer decCatch(t)
			c, err := config.Load[decConfig](tc.opts...)
			if err == nil || c != nil {
				t.Errorf("Load with %s = (%v, %v), want (nil, an error)", tc.what, c, err)
			}
		}()
	}
}

func TestHiddenDecode_NotAStruct(t *testing.T) {
	defer decCatch(t)
	if c, err := config.Load[int](); err == nil || c != nil {
		t.Errorf("Load[int]() = (%v, %v), want (nil, an error): T must be a struct type", c, err)
	}
	if c, err := config.Load[map[string]int](); err == nil || c != nil {
		t.Errorf("Load[map[string]int]() = (%v, %v), want (nil, an error): T must be a struct type", c, err)
	}
}
