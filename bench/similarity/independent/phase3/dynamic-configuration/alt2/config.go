// Package config reads configuration structs from several sources.
package config

import (
	"context"
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
	"sync"
	"sync/atomic"
	"time"
)

// FieldError is a parse or validation failure of one field.
type FieldError struct {
	Path string // Go field names joined by dots, [i] for slice elements: "DB.Replicas[2].Port"
	Rule string // "parse", "required", "min", "max" or "oneof"
	Err  error  // what went wrong
}

func (e *FieldError) Error() string {
	return "config: field " + e.Path + " fails " + e.Rule + ": " + e.Err.Error()
}

// Unwrap exposes the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// field is one leaf of the configuration struct.
type field struct {
	path string
	v    reflect.Value
	tag  reflect.StructTag
}

func collect(v reflect.Value, path string, out *[]field) {
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		if sf.PkgPath != "" {
			continue
		}
		p := sf.Name
		if path != "" {
			p = path + "." + p
		}
		fv := v.Field(i)
		*out = append(*out, field{p, fv, sf.Tag})
		if _, isText := fv.Addr().Interface().(encoding.TextUnmarshaler); isText {
			continue
		}
		if fv.Kind() == reflect.Struct {
			collect(fv, p, out)
		} else if fv.Kind() == reflect.Pointer && !fv.IsNil() && fv.Elem().Kind() == reflect.Struct {
			collect(fv.Elem(), p, out)
		}
	}
}

func fields(root reflect.Value) []field {
	var fs []field
	collect(root, "", &fs)
	return fs
}

func parseInto(v reflect.Value, text string) error {
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := parseInto(p.Elem(), text); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(text))
	}
	if _, isDur := v.Interface().(time.Duration); isDur {
		d, err := time.ParseDuration(text)
		v.SetInt(int64(d))
		return err
	}
	var err error
	switch k := v.Kind(); {
	case k == reflect.String:
		v.SetString(text)
	case k == reflect.Bool:
		var b bool
		b, err = strconv.ParseBool(text)
		v.SetBool(b)
	case k >= reflect.Int && k <= reflect.Int64:
		var n int64
		n, err = strconv.ParseInt(text, 10, v.Type().Bits())
		v.SetInt(n)
	case k >= reflect.Uint && k <= reflect.Uint64:
		var n uint64
		n, err = strconv.ParseUint(text, 10, v.Type().Bits())
		v.SetUint(n)
	case k == reflect.Float32 || k == reflect.Float64:
		var x float64
		x, err = strconv.ParseFloat(text, v.Type().Bits())
		v.SetFloat(x)
	case k == reflect.Slice:
		items := strings.Split(text, ",")
		if text == "" {
			items = nil
		}
		s := reflect.MakeSlice(v.Type(), 0, len(items))
		for _, it := range items {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := parseInto(e, strings.TrimSpace(it)); err != nil {
				return err
			}
			s = reflect.Append(s, e)
		}
		v.Set(s)
	default:
		err = fmt.Errorf("cannot set %s from text", v.Type())
	}
	return err
}

func set(f field, text string) error {
	if err := parseInto(f.v, text); err != nil {
		return &FieldError{Path: f.path, Rule: "parse", Err: err}
	}
	return nil
}

type boolFlag interface{ IsBoolFlag() bool }

type fieldFlag struct {
	f   field
	err *error
}

func (ff fieldFlag) String() string { return "" }
func (ff fieldFlag) Set(s string) error {
	if err := set(ff.f, s); err != nil {
		*ff.err = err
		return err
	}
	return nil
}
func (ff fieldFlag) IsBoolFlag() bool { return ff.f.v.Kind() == reflect.Bool }

var _ boolFlag = fieldFlag{}

func build[T any](o options, fileData []byte) (*T, error) {
	out := new(T)
	root := reflect.ValueOf(out).Elem()
	if root.Kind() != reflect.Struct {
		return nil, fmt.Errorf("config: %T is not a struct", *out)
	}
	for _, f := range fields(root) {
		if d, ok := f.tag.Lookup("default"); ok {
			if err := set(f, d); err != nil {
				return nil, err
			}
		}
	}
	if fileData != nil {
		dec := json.NewDecoder(strings.NewReader(string(fileData)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(out); err != nil {
			return nil, fmt.Errorf("config: decoding %s: %w", o.file, err)
		}
	}
	all := fields(root) // pointers may have been filled by the file
	if o.envSet {
		for _, f := range all {
			if key := f.tag.Get("env"); key != "" {
				if val, ok := o.lookup(o.prefix + key); ok {
					if err := set(f, val); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if len(o.args) > 0 {
		var flagErr error
		fs := flag.NewFlagSet("config", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		for _, f := range all {
			if name := f.tag.Get("flag"); name != "" {
				fs.Var(fieldFlag{f, &flagErr}, name, f.path)
			}
		}
		if err := fs.Parse(o.args); err != nil {
			if flagErr != nil {
				return nil, flagErr
			}
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	for _, f := range all {
		if err := check(f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func check(f field) error {
	rules := f.tag.Get("validate")
	if rules == "" {
		return nil
	}
	for _, r := range strings.Split(rules, ",") {
		key, param, _ := strings.Cut(r, "=")
		var bad error
		switch key {
		case "required":
			if f.v.IsZero() {
				bad = errors.New("missing value")
			}
		case "oneof":
			if !contains(strings.Split(param, "|"), fmt.Sprint(f.v.Interface())) {
				bad = fmt.Errorf("must be one of %s", param)
			}
		case "min", "max":
			bad = compare(f.v, key, param)
		}
		if bad != nil {
			return &FieldError{Path: f.path, Rule: key, Err: bad}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func compare(v reflect.Value, op, param string) error {
	var got, limit float64
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		got = float64(v.Len())
		n, err := strconv.Atoi(param)
		if err != nil {
			return err
		}
		limit = float64(n)
	default:
		lv := reflect.New(v.Type()).Elem()
		if err := parseInto(lv, param); err != nil {
			return err
		}
		got, limit = toFloat(v), toFloat(lv)
	}
	if (op == "min" && got < limit) || (op == "max" && got > limit) {
		return fmt.Errorf("%v violates %s=%s", v.Interface(), op, param)
	}
	return nil
}

func toFloat(v reflect.Value) float64 {
	switch {
	case v.CanInt():
		return float64(v.Int())
	case v.CanUint():
		return float64(v.Uint())
	case v.CanFloat():
		return v.Float()
	}
	return 0
}

// Load returns a new T read from every configured source.
func Load[T any](opts ...Option) (*T, error) {
	o := buildOptions(opts)
	var data []byte
	if o.file != "" {
		var err error
		if data, err = os.ReadFile(o.file); err != nil {
			return nil, err
		}
	}
	return build[T](o, data)
}

// Store publishes the latest valid configuration.
type Store[T any] struct {
	cur     atomic.Pointer[T]
	o       options
	modTime time.Time
	size    int64
	lock    sync.Mutex
	subs    []*func(old, cur *T)
}

// NewStore loads a first configuration.
func NewStore[T any](opts ...Option) (*Store[T], error) {
	s := &Store[T]{o: buildOptions(opts)}
	if s.o.file != "" {
		if st, err := os.Stat(s.o.file); err == nil {
			s.modTime, s.size = st.ModTime(), st.Size()
		}
	}
	c, err := Load[T](opts...)
	if err != nil {
		return nil, err
	}
	s.cur.Store(c)
	return s, nil
}

// Get returns the current configuration.
func (s *Store[T]) Get() *T { return s.cur.Load() }

// Subscribe adds a listener of reloads.
func (s *Store[T]) Subscribe(fn func(old, cur *T)) (cancel func()) {
	p := &fn
	s.lock.Lock()
	s.subs = append(s.subs, p)
	s.lock.Unlock()
	return func() {
		s.lock.Lock()
		defer s.lock.Unlock()
		for i, q := range s.subs {
			if q == p {
				s.subs = append(s.subs[:i], s.subs[i+1:]...)
				return
			}
		}
	}
}

func (s *Store[T]) reload() error {
	st, err := os.Stat(s.o.file)
	if err != nil {
		return err
	}
	if st.ModTime().Equal(s.modTime) && st.Size() == s.size {
		return nil
	}
	s.modTime, s.size = st.ModTime(), st.Size()
	data, err := os.ReadFile(s.o.file)
	if err != nil {
		return err
	}
	next, err := build[T](s.o, data)
	if err != nil {
		return err
	}
	prev := s.cur.Swap(next)
	s.lock.Lock()
	listeners := append([]*func(old, cur *T){}, s.subs...)
	s.lock.Unlock()
	for _, l := range listeners {
		(*l)(prev, next)
	}
	return nil
}

// Watch reloads the file every poll interval until ctx ends.
func (s *Store[T]) Watch(ctx context.Context, onError func(error)) error {
	t := time.NewTicker(s.o.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if s.o.file == "" {
				continue
			}
			if err := s.reload(); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}
