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

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType        = reflect.TypeFor[time.Duration]()
)

// Load builds a T from the sources named by opts, in increasing
// precedence: `default` tags, the JSON file, the environment, the
// arguments. Then it validates the result.
func Load[T any](opts ...Option) (*T, error) {
	o := buildOptions(opts)
	var data []byte
	if o.file != "" {
		b, err := os.ReadFile(o.file)
		if err != nil {
			return nil, err
		}
		data = b
	}
	return decode[T](&o, data)
}

// decode builds a new T from data (the file's content, nil without a file)
// and the other sources of o.
func decode[T any](o *options, data []byte) (*T, error) {
	dst := new(T)
	rv := reflect.ValueOf(dst).Elem()
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("config: %v is not a struct type", rv.Type())
	}
	err := walk(rv, "", func(f reflect.Value, sf reflect.StructField, path string) error {
		if s, ok := sf.Tag.Lookup("default"); ok {
			return setField(f, path, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if data != nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst); err != nil {
			return nil, fmt.Errorf("config: %s: %w", o.file, err)
		}
	}
	// Flags first, then the environment.
	if err := parseArgs(rv, o.args); err != nil {
		return nil, err
	}
	if o.lookup != nil {
		err := walk(rv, "", func(f reflect.Value, sf reflect.StructField, path string) error {
			name, ok := sf.Tag.Lookup("env")
			if !ok || name == "" {
				return nil
			}
			if s, ok := o.lookup(o.prefix + name); ok {
				return setField(f, path, s)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if err := validate(rv); err != nil {
		return nil, err
	}
	return dst, nil
}

// walk calls fn for every exported leaf field of the struct v, going into
// nested structs and pointers to structs (allocating nil ones).
func walk(v reflect.Value, path string, fn func(reflect.Value, reflect.StructField, string) error) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := v.Field(i)
		p := joinPath(path, sf.Name)
		switch {
		case isStruct(f.Type()):
			if err := walk(f, p, fn); err != nil {
				return err
			}
		case f.Kind() == reflect.Pointer && isStruct(f.Type().Elem()):
			if f.IsNil() {
				f.Set(reflect.New(f.Type().Elem()))
			}
			if err := walk(f.Elem(), p, fn); err != nil {
				return err
			}
		default:
			if err := fn(f, sf, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// isStruct reports whether t is a struct to walk into (not a TextUnmarshaler).
func isStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(textUnmarshalerType)
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// setField stores the text s into f; a failure is a *FieldError with Rule "parse".
func setField(f reflect.Value, path, s string) error {
	if err := setString(f, s); err != nil {
		return &FieldError{Path: path, Rule: "parse", Err: err}
	}
	return nil
}

func setString(f reflect.Value, s string) error {
	if f.CanAddr() && f.Addr().Type().Implements(textUnmarshalerType) {
		return f.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	}
	if f.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
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
			return err
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetUint(n)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(s, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetFloat(x)
	case reflect.Slice:
		if f.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported type %v", f.Type())
		}
		parts := []string{}
		if s != "" {
			parts = strings.Split(s, ",")
		}
		out := reflect.MakeSlice(f.Type(), len(parts), len(parts))
		for i, p := range parts {
			out.Index(i).SetString(strings.TrimSpace(p))
		}
		f.Set(out)
	case reflect.Pointer:
		if f.IsNil() {
			f.Set(reflect.New(f.Type().Elem()))
		}
		return setString(f.Elem(), s)
	default:
		return fmt.Errorf("unsupported type %v", f.Type())
	}
	return nil
}

// fieldFlag is a flag.Value that stores into one field.
type fieldFlag struct {
	f    reflect.Value
	path string
	err  error
}

func (ff *fieldFlag) String() string { return "" }

func (ff *fieldFlag) Set(s string) error {
	if err := setField(ff.f, ff.path, s); err != nil {
		ff.err = err
		return err
	}
	return nil
}

func (ff *fieldFlag) IsBoolFlag() bool { return ff.f.Kind() == reflect.Bool }

// parseArgs applies the flags of args to the fields tagged `flag`.
func parseArgs(rv reflect.Value, args []string) error {
	if len(args) == 0 {
		return nil
	}
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var flags []*fieldFlag
	err := walk(rv, "", func(f reflect.Value, sf reflect.StructField, path string) error {
		name, ok := sf.Tag.Lookup("flag")
		if !ok || name == "" || fs.Lookup(name) != nil {
			return nil
		}
		ff := &fieldFlag{f: f, path: path}
		flags = append(flags, ff)
		fs.Var(ff, name, "")
		return nil
	})
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		for _, ff := range flags {
			if ff.err != nil {
				return ff.err
			}
		}
		return errors.Join(errors.New("config: bad arguments"), err)
	}
	return nil
}
