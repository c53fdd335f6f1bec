package plug_test

// Hidden tests, group "Inject": configuration injected with reflect into
// fields tagged `plug:"key[,required]"`: numbers (float64 with an integral
// value into integer fields, as JSON decodes them), bools, strings,
// durations from strings, []string, nested and pointer structs; errors that
// name the field path; bad destinations; Load injecting each plugin's
// configuration.

import (
	"context"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	plug "example.com/plugin-system"
	"github.com/google/go-cmp/cmp"
)

func injCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

type injScalars struct {
	Port    int     `plug:"port"`
	Big     int64   `plug:"big"`
	Small   int8    `plug:"small"`
	Count   uint16  `plug:"count"`
	Ratio   float64 `plug:"ratio"`
	Ratio32 float32 `plug:"ratio32"`
	Debug   bool    `plug:"debug"`
	Host    string  `plug:"host"`
	Keep    string  `plug:"keep"`
}

func TestHiddenInject_Scalars(t *testing.T) {
	defer injCatch(t)
	got := injScalars{Keep: "default"}
	err := plug.Inject(&got, map[string]any{
		"port":    8080,
		"big":     float64(1 << 40),
		"small":   int64(-7),
		"count":   float64(65535),
		"ratio":   2,
		"ratio32": 0.5,
		"debug":   true,
		"host":    "example.org",
		"extra":   "keys without a field are ignored",
	})
	if err != nil {
		t.Fatalf("Inject = %v; want nil", err)
	}
	want := injScalars{Port: 8080, Big: 1 << 40, Small: -7, Count: 65535, Ratio: 2, Ratio32: 0.5, Debug: true, Host: "example.org", Keep: "default"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Inject result (-want +got):\n%s", d)
	}
}

// injErr runs Inject and checks that it fails with a message naming path.
func injErr(t *testing.T, what string, dst any, cfg map[string]any, path string) {
	t.Helper()
	err := plug.Inject(dst, cfg)
	if err == nil {
		t.Errorf("%s: Inject(%T, %v) = nil; want an error", what, dst, cfg)
		return
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("%s: Inject error %q does not name the field path %q", what, err, path)
	}
}

func TestHiddenInject_FloatToInt(t *testing.T) {
	defer injCatch(t)
	var ok struct {
		N int `plug:"n"`
	}
	if err := plug.Inject(&ok, map[string]any{"n": 3.0}); err != nil || ok.N != 3 {
		t.Errorf("Inject of float64 3.0 into an int field: N = %d, err = %v; want 3, nil", ok.N, err)
	}
	var s struct {
		N int `plug:"n"`
	}
	injErr(t, "3.5 into an int", &s, map[string]any{"n": 3.5}, "N")
	var s8 struct {
		Level int8 `plug:"level"`
	}
	injErr(t, "300 into an int8", &s8, map[string]any{"level": 300}, "Level")
	var s32 struct {
		Max int32 `plug:"max"`
	}
	injErr(t, "1e30 into an int32", &s32, map[string]any{"max": 1e30}, "Max")
	var u struct {
		Workers uint `plug:"workers"`
	}
	injErr(t, "-1 into a uint", &u, map[string]any{"workers": -1}, "Workers")
}

func TestHiddenInject_Durations(t *testing.T) {
	defer injCatch(t)
	var got struct {
		Timeout time.Duration  `plug:"timeout"`
		Retry   time.Duration  `plug:"retry"`
		Raw     time.Duration  `plug:"raw"`
		Maybe   *time.Duration `plug:"maybe"`
	}
	err := plug.Inject(&got, map[string]any{
		"timeout": "1m30s",
		"retry":   250 * time.Millisecond,
		"raw":     1000,
		"maybe":   "2h",
	})
	if err != nil {
		t.Fatalf("Inject = %v; want nil", err)
	}
	if got.Timeout != 90*time.Second || got.Retry != 250*time.Millisecond || got.Raw != 1000 {
		t.Errorf("Timeout, Retry, Raw = %v, %v, %v; want 1m30s (from \"1m30s\"), 250ms (a Duration), 1µs (from the integer 1000, nanoseconds)", got.Timeout, got.Retry, got.Raw)
	}
	if got.Maybe == nil || *got.Maybe != 2*time.Hour {
		t.Errorf("Maybe (a *time.Duration from \"2h\") = %v; want a pointer to 2h0m0s", got.Maybe)
	}
	var bad struct {
		Timeout time.Duration `plug:"timeout"`
	}
	injErr(t, "\"soon\" into a Duration", &bad, map[string]any{"timeout": "soon"}, "Timeout")
}

func TestHiddenInject_StringSlices(t *testing.T) {
	defer injCatch(t)
	var got struct {
		Tags  []string `plug:"tags"`
		Hosts []string `plug:"hosts"`
		None  []string `plug:"none"`
	}
	err := plug.Inject(&got, map[string]any{
		"tags":  []any{"a", "b", "c"},
		"hosts": []string{"x", "y"},
		"none":  []any{},
	})
	if err != nil {
		t.Fatalf("Inject = %v; want nil", err)
	}
	if d := cmp.Diff([]string{"a", "b", "c"}, got.Tags); d != "" {
		t.Errorf("Tags from []any (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"x", "y"}, got.Hosts); d != "" {
		t.Errorf("Hosts from []string (-want +got):\n%s", d)
	}
	if got.None == nil || len(got.None) != 0 {
		t.Errorf("None from an empty []any = %#v; want an empty, non-nil []string", got.None)
	}
	var bad struct {
		Tags []string `plug:"tags"`
	}
	injErr(t, "[]any{\"a\", 1} into []string", &bad, map[string]any{"tags": []any{"a", 1}}, "Tags")
	injErr(t, "a string into []string", &bad, map[string]any{"tags": "a,b"}, "Tags")
}

type injPool struct {
	Size int           `plug:"size,required"`
	Idle time.Duration `plug:"idle"`
}

type injDB struct {
	DSN  string   `plug:"dsn,required"`
	Pool injPool  `plug:"pool"`
	Port *int     `plug:"port"`
	TLS  *injTLS  `plug:"tls"`
	Skip *injPool `plug:"skip"`
}

type injTLS struct {
	Cert string `plug:"cert,required"`
}

type injApp struct {
	Name string `plug:"name"`
	DB   injDB  `plug:"db"`
}

func TestHiddenInject_NestedAndPointers(t *testing.T) {
	defer injCatch(t)
	var got injApp
	err := plug.Inject(&got, map[string]any{
		"name": "shop",
		"db": map[string]any{
			"dsn":  "postgres://db",
			"pool": map[string]any{"size": 8.0, "idle": "30s"},
			"port": 5432,
			"tls":  map[string]any{"cert": "/etc/cert.pem"},
		},
	})
	if err != nil {
		t.Fatalf("Inject = %v; want nil", err)
	}
	port := 5432
	want := injApp{Name: "shop", DB: injDB{
		DSN:  "postgres://db",
		Pool: injPool{Size: 8, Idle: 30 * time.Second},
		Port: &port,
		TLS:  &injTLS{Cert: "/etc/cert.pem"},
	}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Inject result (-want +got):\n%s", d)
	}
}

func TestHiddenInject_Required(t *testing.T) {
	defer injCatch(t)
	var a injApp
	injErr(t, "db.dsn missing", &a, map[string]any{"db": map[string]any{}}, "DB.DSN")
	var b injApp
	injErr(t, "db.pool.size missing", &b, map[string]any{"db": map[string]any{"dsn": "x", "pool": map[string]any{"idle": "1s"}}}, "DB.Pool.Size")
	var c injApp
	injErr(t, "db.tls.cert missing", &c, map[string]any{"db": map[string]any{"dsn": "x", "tls": map[string]any{}}}, "DB.TLS.Cert")
	var top struct {
		Port int    `plug:"port,required"`
		Name string `plug:"name"`
	}
	injErr(t, "port missing (nil config)", &top, nil, "Port")

	// Absent keys leave fields alone, and the required fields of an absent
	// nested struct are not checked.
	d := injApp{Name: "default"}
	if err := plug.Inject(&d, map[string]any{}); err != nil || d.Name != "default" {
		t.Errorf("Inject with no keys: Name = %q, err = %v; want \"default\" (unchanged), nil", d.Name, err)
	}
}

func TestHiddenInject_TypeMismatch(t *testing.T) {
	defer injCatch(t)
	var s injScalars
	injErr(t, "a string into an int", &s, map[string]any{"port": "8080"}, "Port")
	injErr(t, "an int into a string", &s, map[string]any{"host": 42}, "Host")
	injErr(t, "a string into a bool", &s, map[string]any{"debug": "true"}, "Debug")
	injErr(t, "a bool into a float64", &s, map[string]any{"ratio": true}, "Ratio")
	var a injApp
	injErr(t, "a string into a struct", &a, map[string]any{"db": "postgres://db"}, "DB")
	var b injApp
	injErr(t, "an int into a nested string", &b, map[string]any{"db": map[string]any{"dsn": 1}}, "DB.DSN")
}

type injHidden struct {
	Public  string `plug:"public"`
	private string `plug:"private"`
	Untag   string
	Dash    string `plug:"-"`
}

func TestHiddenInject_SkipsUnexportedAndUntagged(t *testing.T) {
	defer injCatch(t)
	got := injHidden{private: "keep", Untag: "keep", Dash: "keep"}
	err := plug.Inject(&got, map[string]any{"public": "set", "private": "x", "Untag": "x", "untag": "x", "-": "x", "Dash": "x"})
	if err != nil {
		t.Fatalf("Inject = %v; want nil", err)
	}
	if got.Public != "set" || got.private != "keep" || got.Untag != "keep" || got.Dash != "keep" {
		t.Errorf("after Inject: Public=%q private=%q Untag=%q Dash=%q; want \"set\" and the other three unchanged (\"keep\")", got.Public, got.private, got.Untag, got.Dash)
	}
}

func TestHiddenInject_BadDestination(t *testing.T) {
	defer injCatch(t)
	cfg := map[string]any{"port": 1}
	var s injScalars
	var nilPtr *injScalars
	n := 3
	for _, c := range []struct {
		what string
		dst  any
	}{
		{"a struct, not a pointer", s},
		{"a nil *struct", nilPtr},
		{"a pointer to an int", &n},
		{"nil", nil},
		{"a map", map[string]any{}},
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("Inject(%s) panicked: %v; want an error", c.what, r)
				}
			}()
			if err := plug.Inject(c.dst, cfg); err == nil {
				t.Errorf("Inject(%s) = nil; want an error", c.what)
			}
		}()
	}
}

// injPlugin is a plugin configured by Load.
type injPlugin struct {
	Addr    string        `plug:"addr,required"`
	Timeout time.Duration `plug:"timeout"`
	Routes  []string      `plug:"routes"`
}

func (*injPlugin) Name() string { return "http" }

type injOther struct {
	Level string `plug:"level"`
}

func (*injOther) Name() string { return "log" }

func TestHiddenInject_Load(t *testing.T) {
	defer injCatch(t)
	r := plug.NewRegistry()
	if err := r.Register("http", func() plug.Plugin { return &injPlugin{Timeout: time.Second} }); err != nil {
		t.Fatalf("Register = %v", err)
	}
	if err := r.Register("log", func() plug.Plugin { return &injOther{Level: "info"} }); err != nil {
		t.Fatalf("Register = %v", err)
	}
	rt, err := r.Load(context.Background(), map[string]map[string]any{
		"http": {"addr": ":8080", "routes": []any{"/a", "/b"}},
	})
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	p, _ := rt.Lookup("http")
	hp, ok := p.(*injPlugin)
	if !ok {
		t.Fatalf("Lookup(\"http\") = %T; want *injPlugin", p)
	}
	want := injPlugin{Addr: ":8080", Timeout: time.Second, Routes: []string{"/a", "/b"}}
	if d := cmp.Diff(want, *hp); d != "" {
		t.Errorf("plugin \"http\" after Load (-want +got):\n%s", d)
	}
	if q, _ := rt.Lookup("log"); q == nil || q.(*injOther).Level != "info" {
		t.Errorf("plugin \"log\" without configuration: %v; want Level \"info\" (unchanged)", q)
	}

	// A missing required key fails Load, naming the plugin and the field.
	rt, err = r.Load(context.Background(), map[string]map[string]any{"log": {"level": "debug"}})
	if err == nil || rt != nil {
		t.Fatalf("Load without http's required addr = %v, %v; want nil and an error", rt, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "http") || !strings.Contains(msg, "Addr") {
		t.Errorf("Load error %q does not name the plugin \"http\" and the field \"Addr\"", msg)
	}
}
