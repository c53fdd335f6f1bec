package plug

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

func isStructPointer(x any) bool {
	v := reflect.ValueOf(x)
	return v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct
}

// Inject sets the `plug:"key[,required]"` fields of the struct dst points
// to from cfg.
func Inject(dst any, cfg map[string]any) error {
	if !isStructPointer(dst) {
		return fmt.Errorf("plug: Inject needs a non-nil struct pointer, got %T", dst)
	}
	return injectStruct(reflect.ValueOf(dst).Elem(), cfg, "")
}

func injectStruct(v reflect.Value, cfg map[string]any, prefix string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("plug")
		if !ok || tag == "-" || !sf.IsExported() {
			continue
		}
		key, opt, _ := strings.Cut(tag, ",")
		path := prefix + key
		raw, present := cfg[key]
		if !present || raw == nil {
			if opt == "required" {
				return fmt.Errorf("plug: %s is required", path)
			}
			continue
		}
		if err := assign(v.Field(i), raw, path); err != nil {
			return err
		}
	}
	return nil
}

func assign(f reflect.Value, raw any, path string) error {
	bad := func() error {
		return fmt.Errorf("plug: %s: cannot use %T as %s", path, raw, f.Type())
	}
	if f.Type() == reflect.TypeOf(time.Duration(0)) {
		switch x := raw.(type) {
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return fmt.Errorf("plug: %s: %w", path, err)
			}
			f.SetInt(int64(d))
			return nil
		case time.Duration:
			f.SetInt(int64(x))
			return nil
		}
		return bad()
	}
	rv := reflect.ValueOf(raw)
	switch f.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		switch {
		case rv.CanInt():
			n = rv.Int()
		case rv.CanFloat() && rv.Float() == math.Trunc(rv.Float()):
			n = int64(rv.Float())
		default:
			return bad()
		}
		if f.OverflowInt(n) {
			return fmt.Errorf("plug: %s: %d overflows %s", path, n, f.Type())
		}
		f.SetInt(n)
	case reflect.Float32, reflect.Float64:
		switch {
		case rv.CanFloat():
			f.SetFloat(rv.Float())
		case rv.CanInt():
			f.SetFloat(float64(rv.Int()))
		default:
			return bad()
		}
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return bad()
		}
		return injectStruct(f, m, path+".")
	case reflect.Slice:
		items, ok := raw.([]any)
		if !ok {
			if rv.Type().AssignableTo(f.Type()) {
				f.Set(rv)
				return nil
			}
			return bad()
		}
		s := reflect.MakeSlice(f.Type(), len(items), len(items))
		for i, it := range items {
			if err := assign(s.Index(i), it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		f.Set(s)
	default:
		if !rv.Type().AssignableTo(f.Type()) {
			return bad()
		}
		f.Set(rv)
	}
	return nil
}
