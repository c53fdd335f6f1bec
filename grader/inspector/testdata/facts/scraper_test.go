package facts

import (
	"testing"
	"time"
	_ "unsafe"
)

var fixtures = []string{"a"}

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

func TestCrawl(t *testing.T) {
	time.Sleep(time.Millisecond)
}
