// Reads the event stream of `go test -json` (test2json) into one outcome per
// top-level test, plus what the stream says about packages: build failures
// (build-output / build-fail events), package-level failures (panics outside
// a test, [setup failed], [build failed]), package output and t.Attr values.
//
// What a test prints is output, never a verdict: test2json only turns lines
// that carry its framing marker into events. But in Go 1.26 the test binary
// writes that marker ("\x16") to the same stdout the student's code writes
// to, so a submission that prints "\x16--- PASS: TestX (0.00s)" does forge an
// event (see the forged fixtures and their tests). Forgery of one test leaves
// traces this parser reports: more than one terminal event for a test
// (`terminal_events`), or a test starting while another sequential test is
// still running (`started_out_of_turn`). A whole run forged by code that
// then exits the process with status 0 leaves none.
#ifndef GOGRADER_GRADER_CORE_GO_OUTPUT_TEST_EVENTS_H_
#define GOGRADER_GRADER_CORE_GO_OUTPUT_TEST_EVENTS_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {

// One top-level test as reported by `go test -json`.
struct TestOutcome {
  std::string package;  // import path
  std::string name;     // top-level test name; subtests fold into it
  // PASSED / FAILED / SKIPPED. FAILED when any of its terminal events or any
  // of its subtests' says fail, and when it started but never ended (crash,
  // timeout) -- except a benchmark: test2json sends no event for a benchmark
  // that passed, so one without a terminal event passed when another test of
  // its package started after it, or when its package passed.
  gograder::v1::TestResult::Status status = gograder::v1::TestResult::STATUS_UNSPECIFIED;
  double elapsed_seconds = 0;  // from its (last) terminal event
  // Its output lines, subtests' included, trimmed to max_output_bytes with a
  // "[... N bytes cut ...]" line in the middle.
  std::string output;
  // Full names ("TestX/case_1") of the subtests, at any depth, that failed,
  // in the order they failed; for a test that never ended, also those that
  // were still running when the stream ended.
  std::vector<std::string> failed_subtests;
  // pass/fail/skip events seen for the top-level test itself: more than 1 means
  // forged or duplicated results (or a run with -count > 1).
  int terminal_events = 0;
  // It started while another top-level test of its package was running and
  // not paused, which `go test` never does on its own: forged framing.
  bool started_out_of_turn = false;
};

// A package whose test binary could not be built, from build-output and
// build-fail events (and the FailedBuild field of a package's fail event).
struct BuildFailure {
  // As go reports it: "example.com/m [example.com/m.test]" for a package
  // built with its tests, the missing package for [setup failed].
  std::string import_path;
  std::string output;  // the compiler's text: "# pkg" then "./x_test.go:12:9: ..." lines
};

struct TestRun {
  std::vector<TestOutcome> tests;            // in order of first appearance
  std::vector<BuildFailure> build_failures;  // packages whose test build failed
  // Packages with a package-level "fail" event: failed tests, panics,
  // timeouts, [setup failed], [build failed].
  std::vector<std::string> failed_packages;
  // Package output lines not tied to a test (without '\n'), whole lines even
  // when test2json split them over several events: "FAIL\tpkg\t0.01s",
  // coverage lines, benchmark results.
  std::vector<std::string> package_output;
  // Lines that were not test2json events (go command errors on a merged
  // stderr, a truncated last line), as valid UTF-8, trimmed like an output.
  std::string non_json;
  // "attr" events (t.Attr): the full test name and "key=value".
  std::vector<std::pair<std::string, std::string>> attributes;
};

// Parses the concatenated stdout of `go test -json`, of one or several
// packages. Tolerates blank lines, lines that are not events and a truncated
// last line; empty input gives an empty TestRun. Fails only on an internal
// error (e.g. out of memory).
absl::StatusOr<TestRun> ParseTestEvents(absl::string_view json_lines,
                                        size_t max_output_bytes = 8192);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GO_OUTPUT_TEST_EVENTS_H_
