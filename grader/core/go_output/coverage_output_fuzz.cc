// libFuzzer target: a coverage profile (`go test -coverprofile`) read by
// CoveragePercentFromProfile: a percentage in 0..100, or InvalidArgument /
// NotFound.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/fuzzing.h"
#include "grader/core/go_output/coverage_output.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<double> percent =
      gograder::core::CoveragePercentFromProfile(gograder::FuzzInput(data, size));
  if (percent.ok()) {
    gograder::FuzzExpect(std::isfinite(*percent) && *percent >= 0 && *percent <= 100,
                         absl::StrCat("coverage ", *percent, " lies in 0..100"));
  } else {
    gograder::FuzzExpect(
        absl::IsInvalidArgument(percent.status()) || absl::IsNotFound(percent.status()),
        absl::StrCat("a bad profile is InvalidArgument or NotFound, not ",
                     percent.status().ToString()));
  }
  return 0;
}
