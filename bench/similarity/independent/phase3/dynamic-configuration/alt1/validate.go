package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

func validateField(f reflect.Value, sf reflect.StructField, path string) error {
	tag := sf.Tag.Get("validate")
	if tag == "" {
		return nil
	}
	for _, rule := range strings.Split(tag, ",") {
		name, arg, _ := strings.Cut(rule, "=")
		if err := checkRule(f, name, arg); err != nil {
			return &FieldError{Path: path, Rule: name, Err: err}
		}
	}
	return nil
}

func number(f reflect.Value) (float64, bool) {
	switch f.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(f.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(f.Uint()), true
	case reflect.Float32, reflect.Float64:
		return f.Float(), true
	case reflect.String, reflect.Slice, reflect.Map:
		return float64(f.Len()), true
	}
	return 0, false
}

func checkRule(f reflect.Value, name, arg string) error {
	switch name {
	case "required":
		if f.IsZero() {
			return errors.New("is required")
		}
		return nil
	case "oneof":
		got := fmt.Sprint(f.Interface())
		for _, allowed := range strings.Split(arg, "|") {
			if got == allowed {
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", got, arg)
	case "min", "max":
		limit := reflect.New(f.Type()).Elem()
		if f.Type() == durationType || f.Kind() != reflect.String && f.Kind() != reflect.Slice && f.Kind() != reflect.Map {
			if err := setText(limit, arg, ""); err != nil {
				return err
			}
		}
		have, ok := number(f)
		want, _ := number(limit)
		if f.Kind() == reflect.String || f.Kind() == reflect.Slice || f.Kind() == reflect.Map {
			fmt.Sscan(arg, &want)
		}
		if f.Type() == durationType {
			have, want = float64(time.Duration(f.Int())), float64(time.Duration(limit.Int()))
		}
		if !ok {
			return fmt.Errorf("%s does not apply to %s", name, f.Type())
		}
		if name == "min" && have < want {
			return fmt.Errorf("%v is below %s", f.Interface(), arg)
		}
		if name == "max" && have > want {
			return fmt.Errorf("%v is above %s", f.Interface(), arg)
		}
		return nil
	}
	return fmt.Errorf("unknown rule %q", name)
}
