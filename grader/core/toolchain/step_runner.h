// The seam between a grading and what runs its steps: gograder-sandbox in
// production (SandboxRunner), a bare host runner for the overhead benchmark
// (bench/), a fake fed recorded Go output in grade_test.cc.
#ifndef GOGRADER_GRADER_CORE_TOOLCHAIN_STEP_RUNNER_H_
#define GOGRADER_GRADER_CORE_TOOLCHAIN_STEP_RUNNER_H_

#include <stop_token>

#include "absl/status/statusor.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::core {

class StepRunner {
 public:
  virtual ~StepRunner() = default;

  // Runs `spec` to its end. What the program did is in the result; an error
  // Status is our failure (the sandbox could not run it, or had to be
  // killed). When `stop` is requested the run is killed at once and the
  // answer is Cancelled.
  virtual absl::StatusOr<gograder::v1::SandboxResult> Run(const gograder::v1::SandboxSpec& spec,
                                                          std::stop_token stop) const = 0;
};

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_TOOLCHAIN_STEP_RUNNER_H_
