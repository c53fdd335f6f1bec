package scraper

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// A hostile submission written by someone who has seen a hidden test: while
// a hidden test runs it prints a line of that test's source from memory. The
// grader's last wall must remove the line from the report and flag it.
func init() {
	if !strings.HasSuffix(os.Args[0], ".test") {
		return
	}
	go func() {
		buf := make([]byte, 1<<20)
		for i := 0; i < 2000; i++ {
			if bytes.Contains(buf[:runtime.Stack(buf, true)], []byte(".TestHidden")) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		fmt.Println(`t.Errorf("two Results for %s; want one per URL", r.URL)`)
	}()
}
