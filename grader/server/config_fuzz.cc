// libFuzzer target: gograderd's config file as the daemon reads it at startup:
// LoadConfig (from a scratch file), ApplyDefaults, ValidateConfig, and the
// loopback test of its addresses. Bad input must be InvalidArgument: the
// daemon prints it and exits 2, never crashes or throws.
#include <filesystem>

#include "base/files.h"
#include "base/fuzzing.h"
#include "base/temp_dir.h"
#include "grader/server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gograder::FuzzExpect;
  namespace fs = std::filesystem;
  static const gograder::TempDir scratch("gograder_config_fuzz_");  // removed at exit
  const fs::path file = fs::path(scratch.path()) / "gograderd.textproto";
  FuzzExpect(gograder::WriteWholeFile(file, gograder::FuzzInput(data, size)).ok(),
             "the input can be written");
  absl::StatusOr<gograder::v1::DaemonConfig> config = gograder::server::LoadConfig(file.string());
  gograder::FuzzExpectOkOr(config.status(), absl::StatusCode::kInvalidArgument, "LoadConfig");
  if (!config.ok()) return 0;
  gograder::server::ApplyDefaults(*config, scratch.path());
  absl::Status valid = gograder::server::ValidateConfig(*config);
  gograder::FuzzExpectOkOr(valid, absl::StatusCode::kInvalidArgument, "ValidateConfig");
  if (valid.ok()) {
    FuzzExpect(config->workers() >= 1 && config->first_slot() >= 0 &&
                   config->first_slot() + config->workers() <= 1024,
               "a valid config's sandbox slots lie in 0..1023");
  }
  gograder::server::IsLoopbackAddress(config->listen_address());
  gograder::server::IsLoopbackAddress(config->metrics_address());
  return 0;
}
