// The overhead benchmark's baseline, never for untrusted code: runs a step's
// spec directly on the host, with sandbox paths mapped to their host
// sources and the overlay at /cache replaced by a writable host directory.
#ifndef GOGRADER_BENCH_BARE_RUNNER_H_
#define GOGRADER_BENCH_BARE_RUNNER_H_

#include <string>

#include "grader/core/toolchain/step_runner.h"

namespace gograder::bench {

class BareRunner : public core::StepRunner {
 public:
  // Temporaries go to `scratch_dir`; `build_cache` is a writable copy of the warm cache.
  BareRunner(std::string scratch_dir, std::string build_cache)
      : scratch_dir_(std::move(scratch_dir)), build_cache_(std::move(build_cache)) {}

  // Runs `spec` on the host to its end (`stop` is not watched).
  absl::StatusOr<gograder::v1::SandboxResult> Run(const gograder::v1::SandboxSpec& spec,
                                                  std::stop_token stop) const override;

 private:
  std::string scratch_dir_, build_cache_;
};

}  // namespace gograder::bench

#endif  // GOGRADER_BENCH_BARE_RUNNER_H_
