package plug

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Inject copies cfg values into the tagged fields of *dst.
func Inject(dst any, cfg map[string]any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return errors.New("plug: dst must point to a struct")
	}
	return fill(v.Elem(), cfg, "")
}

func fill(s reflect.Value, cfg map[string]any, path string) error {
	for i := range s.NumField() {
		info := s.Type().Field(i)
		tag := info.Tag.Get("plug")
		if tag == "" || tag == "-" || info.PkgPath != "" {
			continue
		}
		parts := strings.Split(tag, ",")
		key := parts[0]
		required := len(parts) > 1 && parts[1] == "required"
		val := cfg[key]
		if val == nil {
			if required {
				return fmt.Errorf("plug: missing required key %q", path+key)
			}
			continue
		}
		if err := convert(s.Field(i), val); err != nil {
			return fmt.Errorf("plug: key %q: %w", path+key, err)
		}
	}
	return nil
}

func convert(dst reflect.Value, val any) error {
	src := reflect.ValueOf(val)
	if dst.Type() == reflect.TypeFor[time.Duration]() {
		if text, ok := val.(string); ok {
			d, err := time.ParseDuration(text)
			if err == nil {
				dst.Set(reflect.ValueOf(d))
			}
			return err
		}
	}
	if src.Type().AssignableTo(dst.Type()) {
		dst.Set(src)
		return nil
	}
	switch dst.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if f, ok := val.(float64); ok && f == float64(int64(f)) && !dst.OverflowInt(int64(f)) {
			dst.SetInt(int64(f))
			return nil
		}
		if src.CanInt() && !dst.OverflowInt(src.Int()) {
			dst.SetInt(src.Int())
			return nil
		}
	case reflect.Float64, reflect.Float32:
		if src.CanInt() {
			dst.SetFloat(float64(src.Int()))
			return nil
		}
		if src.CanFloat() {
			dst.SetFloat(src.Float())
			return nil
		}
	case reflect.Struct:
		if m, ok := val.(map[string]any); ok {
			return fill(dst, m, "")
		}
	case reflect.Slice:
		if list, ok := val.([]any); ok {
			out := reflect.MakeSlice(dst.Type(), len(list), len(list))
			for i := range list {
				if err := convert(out.Index(i), list[i]); err != nil {
					return fmt.Errorf("[%d]: %w", i, err)
				}
			}
			dst.Set(out)
			return nil
		}
	}
	return fmt.Errorf("cannot convert %T to %s", val, dst.Type())
}
