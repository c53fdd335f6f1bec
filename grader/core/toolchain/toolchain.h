// The grader's Go toolchain: the machine's Go, an offline module cache with
// the allowlist, and a warm build cache (std, race std, allowlist) built once
// inside the sandbox and then shared read-only with every grading run.
#ifndef GOGRADER_GRADER_CORE_TOOLCHAIN_TOOLCHAIN_H_
#define GOGRADER_GRADER_CORE_TOOLCHAIN_TOOLCHAIN_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grader/core/toolchain/go_command.h"

namespace gograder::core {

// A module of the offline allowlist and the packages to pre-build from it.
struct AllowedModule {
  std::string path;
  std::string version;
  std::vector<std::string> packages;
};

// The default allowlist (goleak, go-cmp, x/sync, testify).
const std::vector<AllowedModule>& DefaultAllowlist();

struct Toolchain {
  GoEnvironment environment;
  std::string go_version;  // "go1.26.8"
  std::string platform;    // "linux/amd64"
  std::string go_sum;      // go.sum lines of the allowlist and its dependencies
  std::string test2json;   // host path of cmd/test2json (Go 1.24+ ships it unbuilt)
  std::vector<AllowedModule> modules;
  // "go1.26.8 linux/amd64" as reports show it.
  std::string Description() const { return go_version + " " + platform; }
};

struct ToolchainOptions {
  std::string data_dir;        // holds gomodcache/, gocache/, allowlist/ (must be world-searchable)
  std::string sandbox_binary;  // gograder-sandbox
  std::vector<AllowedModule> modules = DefaultAllowlist();
  int slot = 0;  // sandbox slot used to warm the cache
};

// Opens a prepared toolchain, or FailedPrecondition saying to run
// `gograder toolchain prepare` (also when the machine's Go changed since).
absl::StatusOr<Toolchain> OpenToolchain(const std::string& data_dir);

// Prepares data_dir from scratch: downloads the allowlist through the Go
// module proxy (the only network use, at setup time), then builds std, race
// std and the allowlist into the build cache inside the sandbox, and makes it
// an overlay lower. Progress goes to `log`.
absl::StatusOr<Toolchain> PrepareToolchain(const ToolchainOptions& options, std::ostream& log);

// The host's `go env` value of `name` (GOROOT, GOVERSION, ...).
absl::StatusOr<std::string> HostGoEnv(const std::string& name);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_TOOLCHAIN_TOOLCHAIN_H_
