package plug

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

var durationType = reflect.TypeFor[time.Duration]()

// Inject sets the exported fields of the struct dst points to from cfg.
// A field takes part when it has a tag `plug:"key"` or
// `plug:"key,required"`; see the README for the conversions.
func Inject(dst any, cfg map[string]any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("plug: Inject needs a non-nil pointer to a struct, got %T", dst)
	}
	return injectStruct(v.Elem(), cfg, "")
}

func injectStruct(sv reflect.Value, cfg map[string]any, prefix string) error {
	st := sv.Type()
	for i := range st.NumField() {
		f := st.Field(i)
		tag, ok := f.Tag.Lookup("plug")
		if !ok || tag == "-" || !f.IsExported() {
			continue
		}
		key, opts, _ := strings.Cut(tag, ",")
		if key == "" {
			key = f.Name
		}
		path := prefix + f.Name
		raw, present := cfg[key]
		if !present || raw == nil {
			if opts == "required" {
				return fmt.Errorf("plug: field %s: missing required key %q", path, key)
			}
			continue
		}
		if err := setValue(sv.Field(i), raw, path); err != nil {
			return err
		}
	}
	return nil
}

func setValue(fv reflect.Value, raw any, path string) error {
	rv := reflect.ValueOf(raw)
	if rv.Type().AssignableTo(fv.Type()) {
		fv.Set(rv)
		return nil
	}
	mismatch := func(why string) error {
		return fmt.Errorf("plug: field %s: cannot use %T value %v as %s%s", path, raw, raw, fv.Type(), why)
	}
	if s, ok := raw.(string); ok && fv.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("plug: field %s: %w", path, err)
		}
		fv.SetInt(int64(d))
		return nil
	}
	// Numbers, bools and strings: let reflect convert them.
	if k := fv.Kind(); k != reflect.Struct && k != reflect.Pointer && k != reflect.Slice && rv.CanConvert(fv.Type()) {
		fv.Set(rv.Convert(fv.Type()))
		return nil
	}
	switch fv.Kind() {
	case reflect.Pointer:
		if fv.IsNil() {
			fv.Set(reflect.New(fv.Type().Elem()))
		}
		return setValue(fv.Elem(), raw, path)
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return mismatch(": want a map[string]any")
		}
		return injectStruct(fv, m, path+".")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := raw.(string); ok && fv.Type() == durationType {
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("plug: field %s: %w", path, err)
			}
			fv.SetInt(int64(d))
			return nil
		}
		n, ok := toInt(rv)
		if !ok || fv.OverflowInt(n) {
			return mismatch(": not an integer in range")
		}
		fv.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := toUint(rv)
		if !ok || fv.OverflowUint(n) {
			return mismatch(": not an unsigned integer in range")
		}
		fv.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		var x float64
		switch {
		case rv.CanInt():
			x = float64(rv.Int())
		case rv.CanUint():
			x = float64(rv.Uint())
		case rv.CanFloat():
			x = rv.Float()
		default:
			return mismatch("")
		}
		if fv.OverflowFloat(x) {
			return mismatch(": out of range")
		}
		fv.SetFloat(x)
		return nil
	case reflect.Bool:
		if rv.Kind() != reflect.Bool {
			return mismatch("")
		}
		fv.SetBool(rv.Bool())
		return nil
	case reflect.String:
		if rv.Kind() != reflect.String {
			return mismatch("")
		}
		fv.SetString(rv.String())
		return nil
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String || rv.Kind() != reflect.Slice {
			return mismatch("")
		}
		out := reflect.MakeSlice(fv.Type(), rv.Len(), rv.Len())
		for i := range rv.Len() {
			e := rv.Index(i)
			if e.Kind() == reflect.Interface {
				e = e.Elem()
			}
			if e.Kind() != reflect.String {
				return fmt.Errorf("plug: field %s: element %d is %s, not a string", path, i, e.Kind())
			}
			out.Index(i).SetString(e.String())
		}
		fv.Set(out)
		return nil
	}
	return mismatch(": unsupported field type")
}

// toInt converts an integer, or a float with an integral value, to int64.
func toInt(rv reflect.Value) (int64, bool) {
	switch {
	case rv.CanInt():
		return rv.Int(), true
	case rv.CanUint():
		u := rv.Uint()
		return int64(u), u <= math.MaxInt64
	case rv.CanFloat():
		f := rv.Float()
		if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}

// toUint converts a non-negative integer, or a float with a non-negative
// integral value, to uint64.
func toUint(rv reflect.Value) (uint64, bool) {
	switch {
	case rv.CanInt():
		n := rv.Int()
		return uint64(n), n >= 0
	case rv.CanUint():
		return rv.Uint(), true
	case rv.CanFloat():
		f := rv.Float()
		if f != math.Trunc(f) || f < 0 || f >= math.MaxUint64 {
			return 0, false
		}
		return uint64(f), true
	}
	return 0, false
}
