// Running one SandboxSpec through the gograder-sandbox binary. The grader is
// multi-threaded and never forks into a sandbox itself: it launches the
// binary (Boost.Process, error_code overloads only), hands it the spec in wire
// format and reads the result back, with a wall-clock guard on top of the
// sandbox's own limits.
#ifndef GOGRADER_GRADER_CORE_TOOLCHAIN_SANDBOX_RUNNER_H_
#define GOGRADER_GRADER_CORE_TOOLCHAIN_SANDBOX_RUNNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grader/core/toolchain/step_runner.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::core {

struct SandboxRunnerOptions {
  std::string binary;       // path of gograder-sandbox
  std::string scratch_dir;  // where spec and result files are written (must exist)
  // Added to the spec's wall limit before the guard kills the sandbox binary.
  absl::Duration grace = absl::Seconds(20);
};

class SandboxRunner : public StepRunner {
 public:
  explicit SandboxRunner(SandboxRunnerOptions options) : options_(std::move(options)) {}

  // Runs `spec` in gograder-sandbox. What the program did is in the result;
  // an error Status means the sandbox itself failed (with its message), had
  // to be killed at the wall guard, or was killed because `stop` was
  // requested (Cancelled, noticed within 10 ms).
  absl::StatusOr<gograder::v1::SandboxResult> Run(const gograder::v1::SandboxSpec& spec,
                                                  std::stop_token stop) const override;

  const SandboxRunnerOptions& options() const { return options_; }

 private:
  SandboxRunnerOptions options_;
};

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_TOOLCHAIN_SANDBOX_RUNNER_H_
