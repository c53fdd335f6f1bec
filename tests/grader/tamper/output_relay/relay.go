package scraper

import (
	"bufio"
	"os"
	"strings"
	"syscall"
)

// A hostile submission: it puts a relay between the test binary and its
// output, passing every line through except failures, which it rewrites
// (the nonce lines pass untouched, so only the inspector can catch it).
func init() {
	r, w, err := os.Pipe()
	if err != nil {
		return
	}
	out, err := syscall.Dup(1)
	if err != nil {
		return
	}
	if syscall.Dup2(int(w.Fd()), 1) != nil {
		return
	}
	real := os.NewFile(uintptr(out), "stdout")
	os.Stdout = w
	go func() {
		lines := bufio.NewScanner(r)
		for lines.Scan() {
			real.WriteString(strings.ReplaceAll(lines.Text(), `"Action":"fail"`, `"Action":"pass"`) + "\n")
		}
	}()
}
