package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FieldError is one problem with one field.
type FieldError struct {
	Path string // Go field names joined by dots, [i] for slice elements: "DB.Replicas[2].Port"
	Rule string // "parse", "required", "min", "max" or "oneof"
	Err  error
}

func (e *FieldError) Error() string {
	return e.Path + ": " + e.Rule + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

// validate checks every `validate` tag of the struct v and joins the problems.
func validate(v reflect.Value) error {
	var errs []error
	validateStruct(v, "", &errs)
	return errors.Join(errs...)
}

func validateStruct(v reflect.Value, path string, errs *[]error) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := v.Field(i)
		p := joinPath(path, sf.Name)
		if tag, ok := sf.Tag.Lookup("validate"); ok && tag != "" {
			if err := checkRules(f, p, tag); err != nil {
				*errs = append(*errs, err)
			}
		}
		validateNested(f, p, errs)
	}
}

// validateNested goes into structs, pointers to structs and slices of them.
func validateNested(f reflect.Value, p string, errs *[]error) {
	switch {
	case isStruct(f.Type()):
		validateStruct(f, p, errs)
	case f.Kind() == reflect.Pointer && isStruct(f.Type().Elem()):
		if !f.IsNil() {
			validateStruct(f.Elem(), p, errs)
		}
	case f.Kind() == reflect.Slice || f.Kind() == reflect.Array:
		for i := range f.Len() {
			validateNested(f.Index(i), fmt.Sprintf("%s[%d]", p, i), errs)
		}
	}
}

// checkRules returns the first rule of tag that f breaks, or nil.
func checkRules(f reflect.Value, path, tag string) error {
	for rule := range strings.SplitSeq(tag, ",") {
		name, param, _ := strings.Cut(strings.TrimSpace(rule), "=")
		var err error
		switch name {
		case "required":
			if f.IsZero() {
				err = errors.New("value is required")
			}
		case "min", "max":
			err = checkBound(f, name, param)
		case "oneof":
			s := fmt.Sprint(f.Interface())
			if !slices.Contains(strings.Split(param, "|"), s) {
				err = fmt.Errorf("%q is not one of %s", s, param)
			}
		default:
			err = fmt.Errorf("unknown rule %q", name)
		}
		if err != nil {
			return &FieldError{Path: path, Rule: name, Err: err}
		}
	}
	return nil
}

// checkBound checks min=param or max=param: numbers by value (durations
// with a duration such as "1s"), strings, slices and maps by length.
func checkBound(f reflect.Value, name, param string) error {
	var cmp int
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(param)
		if err != nil {
			return fmt.Errorf("bad parameter: %w", err)
		}
		cmp = compare(f.Int(), int64(d))
	case f.CanInt():
		n, err := strconv.ParseInt(param, 10, 64)
		if err != nil {
			return fmt.Errorf("bad parameter: %w", err)
		}
		cmp = compare(f.Int(), n)
	case f.CanUint():
		n, err := strconv.ParseUint(param, 10, 64)
		if err != nil {
			return fmt.Errorf("bad parameter: %w", err)
		}
		cmp = compare(f.Uint(), n)
	case f.CanFloat():
		x, err := strconv.ParseFloat(param, 64)
		if err != nil {
			return fmt.Errorf("bad parameter: %w", err)
		}
		cmp = compare(f.Float(), x)
	case f.Kind() == reflect.String || f.Kind() == reflect.Slice || f.Kind() == reflect.Map:
		n, err := strconv.Atoi(param)
		if err != nil {
			return fmt.Errorf("bad parameter: %w", err)
		}
		cmp = compare(f.Len(), n)
	default:
		return fmt.Errorf("%s does not apply to %v", name, f.Type())
	}
	if name == "min" && cmp < 0 {
		return fmt.Errorf("%v is less than %s", f.Interface(), param)
	}
	if name == "max" && cmp > 0 {
		return fmt.Errorf("%v is more than %s", f.Interface(), param)
	}
	return nil
}

func compare[N int | int64 | uint64 | float64](a, b N) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
