// libFuzzer target: the stdout of `go test -json` (test2json events mixed with
// whatever else a submission printed) read by ParseTestEvents with the
// grader's defaults. It fails only on an internal error, so every input must
// parse; outputs stay within their limit and non-JSON text is valid UTF-8.
#include "grader/core/go_output/go_output_fuzz_checks.h"
#include "grader/core/go_output/test_events.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gograder::core;
  using gograder::FuzzExpect;
  constexpr size_t kMaxOutputBytes = 8192;  // ParseTestEvents' default, the grader's
  absl::StatusOr<TestRun> run = ParseTestEvents(gograder::FuzzInput(data, size), kMaxOutputBytes);
  FuzzExpect(run.ok(), "ParseTestEvents accepts any input");
  ExpectValidUtf8(run->non_json, "non-JSON text");
  FuzzExpect(run->non_json.size() <= kMaxOutputBytes, "non-JSON text is trimmed");
  for (const TestOutcome& test : run->tests) {
    FuzzExpect(test.status == gograder::v1::TestResult::PASSED ||
                   test.status == gograder::v1::TestResult::FAILED ||
                   test.status == gograder::v1::TestResult::SKIPPED,
               "every test passed, failed or was skipped");
    FuzzExpect(test.output.size() <= kMaxOutputBytes, "a test's output is trimmed");
    FuzzExpect(test.terminal_events >= 0, "terminal events are counted");
  }
  return 0;
}
