// libFuzzer target: a sandbox spec as gograder-sandbox reads it: ParseSpecText,
// then WithDefaults and ValidateSpec as RunSandboxed applies them. Bad input
// must be InvalidArgument; a valid spec's paths are clean and absolute.
#include "base/fuzzing.h"
#include "sandbox/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gograder::FuzzExpect;
  using namespace gograder::sandbox;
  absl::StatusOr<SandboxSpec> spec = ParseSpecText(gograder::FuzzInput(data, size), "spec");
  gograder::FuzzExpectOkOr(spec.status(), absl::StatusCode::kInvalidArgument, "ParseSpecText");
  if (!spec.ok()) return 0;
  gograder::FuzzExpectOkOr(ValidateSpec(*spec), absl::StatusCode::kInvalidArgument, "ValidateSpec");
  SandboxSpec defaulted = WithDefaults(*spec);
  absl::Status valid = ValidateSpec(defaulted);
  gograder::FuzzExpectOkOr(valid, absl::StatusCode::kInvalidArgument, "ValidateSpec");
  if (!valid.ok()) return 0;
  FuzzExpect(IsCleanAbsolutePath(defaulted.cwd()), "a valid spec's cwd is clean and absolute");
  for (const gograder::v1::Mount& mount : defaulted.mounts()) {
    FuzzExpect(IsCleanAbsolutePath(mount.target()), "a valid spec's mount targets are clean");
  }
  const auto& limits = defaulted.limits();
  FuzzExpect(limits.wall_time_ms() > 0 && limits.cpu_time_ms() > 0 && limits.memory_bytes() > 0 &&
                 limits.pids() > 0 && limits.output_bytes() > 0 && limits.file_size_bytes() > 0 &&
                 limits.open_files() > 0,
             "a valid spec with defaults has every limit set");
  return 0;
}
