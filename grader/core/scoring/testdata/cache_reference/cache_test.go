package cache

import (
	"reflect"
	"testing"
)

func TestGet(t *testing.T) {
	c := New(Options[string, int]{})
	v, ok := c.Get("a")
	if !reflect.DeepEqual(v, 0) || ok {
		t.Fatal("hit on an empty cache")
	}
}
