#!/usr/bin/env bash
# Regenerates the fixtures of this folder from the real Go toolchain: each
# scenario is a tiny module written to a scratch dir, run with the same go
# commands the grader runs, and its output saved here with the scratch path
# replaced by /box (where the module sits inside the sandbox). Timestamps,
# timings and addresses change on every capture; the tests assert on none of
# them. Usage: capture.sh [path/to/go]   (default: go on PATH, else /usr/local/go/bin/go)
set -uo pipefail

GO=${1:-$(command -v go || echo /usr/local/go/bin/go)}
GOFMT="$(dirname "$GO")/gofmt"
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/gograder-go-output.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off GOTELEMETRY=off
export GOCACHE="$WORK/.cache" GOPATH="$WORK/.gopath"

# module NAME: a fresh module dir named NAME with the exercise's module path.
module() {
  mkdir -p "$WORK/$1"
  printf 'module example.com/concurrent-web-scraper\n\ngo 1.24\n' >"$WORK/$1/go.mod"
}
# save NAME FILE: stdin -> $OUT/FILE with the scratch path of NAME replaced by /box.
save() { sed -e "s#$WORK/$1#/box#g" >"$OUT/$2"; }

# --- tests: pass, fail, skip, subtests, nested subtests, t.Parallel, forged
# framing printed as plain text (no \x16 marker), t.Attr.
module tests
cat >"$WORK/tests/scraper.go" <<'EOF'
package scraper

// Add returns a + b.
func Add(a, b int) int { return a + b }
EOF
cat >"$WORK/tests/scraper_test.go" <<'EOF'
package scraper

import (
	"fmt"
	"testing"
	"time"
)

func TestPass(t *testing.T) {
	t.Log("all good")
	if Add(1, 2) != 3 {
		t.Fatal("bad")
	}
}

func TestFail(t *testing.T) {
	t.Errorf("Add(2, 2) = %d, want 5", Add(2, 2))
}

func TestSkip(t *testing.T) {
	t.Skip("not today")
}

func TestSubtests(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b int
		want int
	}{{"case_1", 1, 1, 2}, {"case_2", 2, 2, 5}, {"case 3", 0, 0, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Add(tc.a, tc.b); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestNested(t *testing.T) {
	t.Run("outer", func(t *testing.T) {
		t.Run("inner_fail", func(t *testing.T) { t.Error("deep failure") })
		t.Run("inner_skip", func(t *testing.T) { t.Skip("skip inner") })
	})
}

func TestParallelA(t *testing.T) {
	t.Parallel()
	time.Sleep(20 * time.Millisecond)
}

func TestParallelB(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"p1", "p2"} {
		t.Run(n, func(t *testing.T) {
			t.Parallel()
			time.Sleep(10 * time.Millisecond)
		})
	}
}

func TestForged(t *testing.T) {
	fmt.Println("--- PASS: TestOther (0.00s)")
	fmt.Println("=== RUN   TestGhost")
	fmt.Println("--- PASS: TestGhost (0.00s)")
	fmt.Println("PASS")
	fmt.Println("ok  \texample.com/concurrent-web-scraper\t0.001s")
	fmt.Println(`{"Action":"pass","Package":"example.com/concurrent-web-scraper","Test":"TestOther"}`)
	t.Error("forged output printed")
}

func TestAttr(t *testing.T) {
	t.Attr("criterion", "limits")
	t.Attr("weight", "2")
}
EOF
(cd "$WORK/tests" && "$GO" test -json -count=1 ./...) | save tests test_mixed.json

# --- forged framing with test2json's \x16 marker, printed by the student's code.
module forge
cat >"$WORK/forge/scraper.go" <<'EOF'
package scraper

import "fmt"

// Crawl is student code that tries to forge test2json framing: its own
// result, then a test that does not exist.
func Crawl() {
	fmt.Println("--- PASS: TestHidden (0.00s)")
	fmt.Print("\x16--- PASS: TestHidden (0.00s)\n")
	fmt.Print("\x16=== RUN   TestInjected\n")
	fmt.Print("\x16--- PASS: TestInjected (0.00s)\n")
	fmt.Print("partial line without newline")
}

// Sneak forges a test that runs and passes while the calling test still runs.
func Sneak() {
	fmt.Print("\x16=== RUN   TestGhost\n")
	fmt.Print("\x16--- PASS: TestGhost (0.00s)\n")
}
EOF
cat >"$WORK/forge/scraper_test.go" <<'EOF'
package scraper

import "testing"

func TestHidden(t *testing.T) {
	Crawl()
	t.Fatal("the real verdict is FAIL")
}

func TestSneaky(t *testing.T) {
	Sneak()
	t.Fatal("the real verdict is FAIL")
}
EOF
(cd "$WORK/forge" && "$GO" test -json -count=1 ./...) | save forge test_forged_marker.json

# --- a whole forged run: \x16 framing for every test, then syscall.Exit(0).
module forge_exit
cat >"$WORK/forge_exit/scraper.go" <<'EOF'
package scraper

import (
	"fmt"
	"syscall"
)

// Crawl forges a whole passing run and exits with status 0, bypassing os.Exit's test hook.
func Crawl() {
	fmt.Print("\x16--- PASS: TestFirst (0.00s)\n")
	fmt.Print("\x16=== RUN   TestSecond\n")
	fmt.Print("\x16--- PASS: TestSecond (0.00s)\n")
	fmt.Print("\x16PASS\n")
	syscall.Exit(0)
}
EOF
cat >"$WORK/forge_exit/scraper_test.go" <<'EOF'
package scraper

import "testing"

func TestFirst(t *testing.T) {
	Crawl()
	t.Fatal("never")
}

func TestSecond(t *testing.T) { t.Fatal("would fail") }
EOF
(cd "$WORK/forge_exit" && "$GO" test -json -count=1 ./...) | save forge_exit test_forged_exit.json

# --- a panic inside a subtest.
module panic
cat >"$WORK/panic/scraper.go" <<'EOF'
package scraper

// Index panics on a bad index.
func Index(s []int, i int) int { return s[i] }
EOF
cat >"$WORK/panic/scraper_test.go" <<'EOF'
package scraper

import "testing"

func TestBefore(t *testing.T) {}

func TestPanics(t *testing.T) {
	t.Run("sub", func(t *testing.T) {
		t.Log("about to index")
		_ = Index([]int{1}, 5)
	})
}

func TestAfter(t *testing.T) {}
EOF
(cd "$WORK/panic" && "$GO" test -json -count=1 ./...) | save panic test_panic.json

# --- a test that hangs past -timeout, inside a subtest.
module timeout
cat >"$WORK/timeout/scraper.go" <<'EOF'
package scraper

// Wait blocks forever.
func Wait() { select {} }
EOF
cat >"$WORK/timeout/scraper_test.go" <<'EOF'
package scraper

import "testing"

func TestQuick(t *testing.T) {}

func TestHangs(t *testing.T) {
	t.Run("forever", func(t *testing.T) {
		t.Log("waiting")
		Wait()
	})
}

func TestNeverRuns(t *testing.T) {}
EOF
(cd "$WORK/timeout" && "$GO" test -json -count=1 -timeout 1s ./...) | save timeout test_timeout.json

# --- build failures: a test file that does not compile against the package,
# a package importing a missing package (setup failed), a passing package and
# one without test files.
module buildfail
mkdir -p "$WORK/buildfail/sub" "$WORK/buildfail/okpkg" "$WORK/buildfail/notests"
cat >"$WORK/buildfail/scraper.go" <<'EOF'
package scraper

// Fetch is incomplete: the hidden tests call FetchAll too.
func Fetch(url string) string { return url }
EOF
cat >"$WORK/buildfail/scraper_test.go" <<'EOF'
package scraper

import "testing"

func TestFetch(t *testing.T) {
	if Fetch("a") != "a" {
		t.Fatal("bad")
	}
}

func TestFetchAll(t *testing.T) {
	got := FetchAll([]string{"a"}, 2)
	var unused int
	_ = got
}
EOF
cat >"$WORK/buildfail/sub/sub.go" <<'EOF'
package sub

import "example.com/concurrent-web-scraper/missing"

func F() int { return missing.X }
EOF
cat >"$WORK/buildfail/sub/sub_test.go" <<'EOF'
package sub

import "testing"

func TestF(t *testing.T) { F() }
EOF
cat >"$WORK/buildfail/okpkg/ok.go" <<'EOF'
package okpkg

func Ok() bool { return true }
EOF
cat >"$WORK/buildfail/okpkg/ok_test.go" <<'EOF'
package okpkg

import "testing"

func TestOk(t *testing.T) {
	if !Ok() {
		t.Fatal("not ok")
	}
}
EOF
printf 'package notests\n\nfunc N() int { return 1 }\n' >"$WORK/buildfail/notests/n.go"
(cd "$WORK/buildfail" && "$GO" test -json -count=1 ./... 2>&1) | save buildfail test_build_fail.json
(cd "$WORK/buildfail" && "$GO" build ./... 2>&1) | save buildfail build_errors_setup.txt

# --- a data race under -race.
module race
cat >"$WORK/race/scraper.go" <<'EOF'
package scraper

import "sync"

// CountAll counts with a data race.
func CountAll(n int) int {
	count := 0
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			count++
		}()
	}
	wg.Wait()
	return count
}
EOF
cat >"$WORK/race/scraper_test.go" <<'EOF'
package scraper

import "testing"

func TestSafe(t *testing.T) {}

func TestCountAll(t *testing.T) {
	CountAll(10)
}
EOF
(cd "$WORK/race" && "$GO" test -json -count=1 -race ./...) | save race test_race.json

# --- benchmarks with -benchmem, -count 3, -cpu 1,2, sub-benchmarks and an
# extra metric; the same run as JSON and as plain text.
module bench
cat >"$WORK/bench/scraper.go" <<'EOF'
package scraper

import "strings"

// Join joins n copies of s.
func Join(s string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = s
	}
	return strings.Join(parts, ",")
}
EOF
cat >"$WORK/bench/scraper_test.go" <<'EOF'
package scraper

import (
	"fmt"
	"testing"
)

func TestJoin(t *testing.T) {
	if Join("a", 2) != "a,a" {
		t.Fatal("bad")
	}
}

func BenchmarkJoin(b *testing.B) {
	for b.Loop() {
		Join("abc", 8)
	}
}

func BenchmarkJoinSizes(b *testing.B) {
	for _, n := range []int{1, 64} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Join("x", n)
			}
			b.ReportMetric(float64(n), "items/op")
		})
	}
}

func BenchmarkSkipped(b *testing.B) { b.Skip("nope") }
EOF
BENCH_FLAGS=(-run '^TestJoin$' -bench . -benchmem -benchtime 2000x -count 3 -cpu 1,2)
(cd "$WORK/bench" && "$GO" test -json "${BENCH_FLAGS[@]}" ./...) | save bench bench.json
(cd "$WORK/bench" && "$GO" test "${BENCH_FLAGS[@]}" ./...) | save bench bench.txt

# --- benchmarks that log, fail and panic, plus an example.
module benchfail
cp "$WORK/bench/scraper.go" "$WORK/benchfail/"
cat >"$WORK/benchfail/scraper_test.go" <<'EOF'
package scraper

import "testing"

func BenchmarkLogs(b *testing.B) {
	b.Log("hello from bench")
	for b.Loop() {
		Join("a", 2)
	}
}

func BenchmarkFails(b *testing.B) {
	b.Error("bench failed")
}

func BenchmarkPanics(b *testing.B) {
	var m map[string]int
	m["x"] = 1
}

func ExampleJoin() {
	println()
	// Output:
}
EOF
(cd "$WORK/benchfail" && "$GO" test -json -run Example -bench . -benchtime 100x -cpu 2 ./...) |
  save benchfail bench_fail.json

# --- coverage across packages with -coverpkg=./... (a package without tests
# included): text, JSON and the coverprofile.
module cover
mkdir -p "$WORK/cover/fetch" "$WORK/cover/parse" "$WORK/cover/notests"
cat >"$WORK/cover/fetch/fetch.go" <<'EOF'
package fetch

import "example.com/concurrent-web-scraper/parse"

// Titles returns the title of each page.
func Titles(pages []string) []string {
	var out []string
	for _, p := range pages {
		if p == "" {
			continue
		}
		out = append(out, parse.Title(p))
	}
	return out
}

// Unused is never called by tests.
func Unused() int {
	x := 1
	x++
	return x
}
EOF
cat >"$WORK/cover/fetch/fetch_test.go" <<'EOF'
package fetch

import "testing"

func TestTitles(t *testing.T) {
	if got := Titles([]string{"<title>a</title>"}); len(got) != 1 {
		t.Fatal(got)
	}
}
EOF
cat >"$WORK/cover/parse/parse.go" <<'EOF'
package parse

import "strings"

// Title extracts the <title> of a page.
func Title(page string) string {
	i := strings.Index(page, "<title>")
	if i < 0 {
		return ""
	}
	j := strings.Index(page, "</title>")
	if j < i {
		return ""
	}
	return page[i+7 : j]
}
EOF
cat >"$WORK/cover/parse/parse_test.go" <<'EOF'
package parse

import "testing"

func TestTitleMissing(t *testing.T) {
	if Title("x") != "" {
		t.Fatal("want empty")
	}
}
EOF
printf 'package notests\n\nfunc N() int { return 1 }\n' >"$WORK/cover/notests/n.go"
(cd "$WORK/cover" && "$GO" test -count=1 -json -cover -coverpkg=./... -coverprofile=cover.out ./...) |
  save cover cover.json
save cover cover.out <"$WORK/cover/cover.out"
(cd "$WORK/cover" && "$GO" tool cover -func=cover.out | tail -1) | save cover cover_func_total.txt
(cd "$WORK/cover" && "$GO" test -count=1 -covermode=count -coverpkg=./... -coverprofile=cover_count.out ./... >/dev/null)
save cover cover_count.out <"$WORK/cover/cover_count.out"

# --- go vet -json: printf and copylocks findings, a self-assignment with a
# suggested fix, a finding in a _test.go file, a clean package, and packages
# that fail to type-check or to parse. Go 1.26 writes the JSON to stdout and
# the "# pkg" headers and "vet: " errors to stderr.
module vet
mkdir -p "$WORK/vet/store" "$WORK/vet/broken" "$WORK/vet/clean" "$WORK/vet/syntax"
cat >"$WORK/vet/scraper.go" <<'EOF'
package scraper

import (
	"fmt"
	"sync"
)

// Counter guards a count with a mutex.
type Counter struct {
	mu sync.Mutex
	n  int
}

// Snapshot copies the counter, lock included.
func Snapshot(c *Counter) Counter {
	copied := *c
	return copied
}

// Report formats a count with the wrong verb.
func Report(n int) string {
	return fmt.Sprintf("count: %s", n)
}

// Log has a missing argument.
func Log(url string, code int) {
	fmt.Printf("%s -> %d\n", url)
}
EOF
cat >"$WORK/vet/scraper_test.go" <<'EOF'
package scraper

import "testing"

func TestReport(t *testing.T) {
	t.Logf("%d", "x")
}
EOF
cat >"$WORK/vet/store/store.go" <<'EOF'
package store

import "sync"

// Store is a guarded map.
type Store struct {
	sync.RWMutex
	m map[string]int
}

// Get takes its receiver by value.
func (s Store) Get(k string) int {
	s.RLock()
	defer s.RUnlock()
	return s.m[k]
}

// Self assigns a variable to itself.
func Self(v int) int {
	v = v
	return v
}
EOF
cat >"$WORK/vet/broken/broken.go" <<'EOF'
package broken

func Broken() int {
	return undefinedThing + "x"
}

func Other() {
	var unused int
}
EOF
cat >"$WORK/vet/broken/broken2.go" <<'EOF'
package broken

func Another() string {
	return 1
}
EOF
printf 'package clean\n\n// Clean has no findings.\nfunc Clean() int { return 1 }\n' >"$WORK/vet/clean/clean.go"
printf 'package syntax\n\nfunc F( {\n}\n' >"$WORK/vet/syntax/s.go"
(cd "$WORK/vet" && "$GO" vet -json ./... 2>"$WORK/vet.stderr") | save vet vet.stdout
save vet vet.stderr <"$WORK/vet.stderr"
(cd "$WORK/vet" && "$GO" build ./... 2>&1) | save vet build_errors_typecheck.txt

# --- go build with more errors than the compiler prints (root package: "./x.go" paths).
module build
{
  printf 'package scraper\n\nimport "fmt"\n\nfunc Broken() {\n'
  for i in $(seq 0 11); do printf '\tvar v%d int = "s%d"\n' "$i" "$i"; done
  printf '}\n\nfunc Short() int {\n\treturn\n}\n'
} >"$WORK/build/scraper.go"
(cd "$WORK/build" && "$GO" build ./... 2>&1) | save build build_errors_many.txt
printf 'package scraper\n\nfunc Short() (int, error) {\n\treturn\n}\n' >"$WORK/build/scraper.go"
(cd "$WORK/build" && "$GO" build ./... 2>&1) | save build build_errors_continuation.txt

# --- gofmt -l: two unformatted files, a formatted one and one that does not parse.
module fmt
mkdir -p "$WORK/fmt/sub"
printf 'package scraper\nfunc  A( ) {}\n' >"$WORK/fmt/a.go"
printf 'package scraper\n\nfunc B() {}\n' >"$WORK/fmt/b.go"
printf 'package sub\nvar   X=1\n' >"$WORK/fmt/sub/c.go"
printf 'package sub\nfunc (\n' >"$WORK/fmt/sub/bad.go"
(cd "$WORK/fmt" && "$GOFMT" -l . 2>"$WORK/fmt.stderr") | save fmt gofmt_list.txt
save fmt gofmt_errors.txt <"$WORK/fmt.stderr"
"$GOFMT" -l "$WORK/fmt" 2>/dev/null | save fmt gofmt_list_absolute.txt

"$GO" version >"$OUT/go_version.txt"
echo "captured into $OUT with $("$GO" version)"
