// Package config loads a typed configuration from defaults, a JSON file,
// the environment and flags, validates it and reloads it on change.
package config

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// FieldError describes a field that failed to parse or validate.
type FieldError struct {
	Path string // Go field names joined by dots, [i] for slice elements: "DB.Replicas[2].Port"
	Rule string // "parse", "required", "min", "max" or "oneof"
	Err  error  // what went wrong
}

func (e *FieldError) Error() string { return fmt.Sprintf("config: %s: %s: %v", e.Path, e.Rule, e.Err) }

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// Load builds a T from the sources in opts.
func Load[T any](opts ...Option) (*T, error) {
	o := buildOptions(opts)
	var content []byte
	if o.file != "" {
		data, err := os.ReadFile(o.file)
		if err != nil {
			return nil, err
		}
		content = data
	}
	return loadFrom[T](o, content)
}

func loadFrom[T any](o options, content []byte) (*T, error) {
	cfg := new(T)
	root := reflect.ValueOf(cfg).Elem()
	if root.Kind() != reflect.Struct {
		return nil, errors.New("config: T must be a struct")
	}
	if err := walk(root, "", func(f reflect.Value, sf reflect.StructField, path string) error {
		if def, ok := sf.Tag.Lookup("default"); ok {
			return setText(f, def, path)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if content != nil {
		dec := json.NewDecoder(bytes.NewReader(content))
		dec.DisallowUnknownFields()
		if err := dec.Decode(cfg); err != nil {
			return nil, fmt.Errorf("config: %s: %w", o.file, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, fmt.Errorf("config: %s: trailing data", o.file)
		}
	}
	if o.envSet {
		if err := walk(root, "", func(f reflect.Value, sf reflect.StructField, path string) error {
			name, ok := sf.Tag.Lookup("env")
			if !ok {
				return nil
			}
			if v, found := o.lookup(o.prefix + name); found {
				return setText(f, v, path)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if o.args != nil {
		if err := applyFlags(root, o.args); err != nil {
			return nil, err
		}
	}
	if err := walk(root, "", validateField); err != nil {
		return nil, err
	}
	return cfg, nil
}

// walk calls fn for every field of the struct v, depth first, descending
// into nested structs and non-nil struct pointers.
func walk(v reflect.Value, prefix string, fn func(reflect.Value, reflect.StructField, string) error) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := v.Field(i)
		path := sf.Name
		if prefix != "" {
			path = prefix + "." + sf.Name
		}
		if err := fn(f, sf, path); err != nil {
			return err
		}
		switch {
		case f.Kind() == reflect.Struct && !isTextType(f):
			if err := walk(f, path, fn); err != nil {
				return err
			}
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct && !f.IsNil() && !isTextType(f.Elem()):
			if err := walk(f.Elem(), path, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

var (
	durationType  = reflect.TypeOf(time.Duration(0))
	unmarshalType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

func isTextType(v reflect.Value) bool {
	return reflect.PointerTo(v.Type()).Implements(unmarshalType)
}

// setText converts s into the field f by the text rules.
func setText(f reflect.Value, s, path string) error {
	fail := func(err error) error { return &FieldError{Path: path, Rule: "parse", Err: err} }
	if f.Kind() == reflect.Pointer {
		elem := reflect.New(f.Type().Elem())
		if err := setText(elem.Elem(), s, path); err != nil {
			return err
		}
		f.Set(elem)
		return nil
	}
	if isTextType(f) {
		if err := f.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fail(err)
		}
		return nil
	}
	if f.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fail(err)
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fail(err)
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 0, f.Type().Bits())
		if err != nil {
			return fail(err)
		}
		f.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 0, f.Type().Bits())
		if err != nil {
			return fail(err)
		}
		f.SetUint(n)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(s, f.Type().Bits())
		if err != nil {
			return fail(err)
		}
		f.SetFloat(x)
	case reflect.Slice:
		parts := []string{}
		if s != "" {
			parts = strings.Split(s, ",")
		}
		out := reflect.MakeSlice(f.Type(), len(parts), len(parts))
		for i, p := range parts {
			if err := setText(out.Index(i), strings.TrimSpace(p), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		f.Set(out)
	default:
		return fail(fmt.Errorf("unsupported type %s", f.Type()))
	}
	return nil
}

// flagValue adapts a field to flag.Value.
type flagValue struct {
	f    reflect.Value
	path string
	err  error
}

func (v *flagValue) String() string { return "" }
func (v *flagValue) Set(s string) error {
	v.err = setText(v.f, s, v.path)
	return v.err
}
func (v *flagValue) IsBoolFlag() bool { return v.f.IsValid() && v.f.Kind() == reflect.Bool }

func applyFlags(root reflect.Value, args []string) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var values []*flagValue
	walk(root, "", func(f reflect.Value, sf reflect.StructField, path string) error {
		if name, ok := sf.Tag.Lookup("flag"); ok {
			fv := &flagValue{f: f, path: path}
			values = append(values, fv)
			fs.Var(fv, name, "")
		}
		return nil
	})
	if err := fs.Parse(args); err != nil {
		for _, fv := range values {
			if fv.err != nil {
				return fv.err
			}
		}
		return err
	}
	return nil
}
