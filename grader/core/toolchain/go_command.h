// Sandbox specs for Go toolchain commands: the same filesystem, environment
// and offline settings for every step, so the warm build cache matches.
#ifndef GOGRADER_GRADER_CORE_TOOLCHAIN_GO_COMMAND_H_
#define GOGRADER_GRADER_CORE_TOOLCHAIN_GO_COMMAND_H_

#include <string>
#include <vector>

#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::core {

// Where the Go toolchain and its caches live on the host.
struct GoEnvironment {
  std::string goroot;                 // host GOROOT, seen at the same path inside
  std::string module_cache;           // read-only GOMODCACHE with the offline allowlist
  std::string build_cache;            // warm GOCACHE: an overlay lower, or writable when warming
  bool writable_build_cache = false;  // only while preparing the toolchain
};

// One command run in a module directory.
struct GoCommand {
  std::vector<std::string> argv;       // e.g. {"go", "test", "-json", "./..."}
  std::string module_dir;              // host directory, mounted writable at /box
  std::string cwd;                     // working directory inside the sandbox; empty = /box
  std::vector<std::string> extra_env;  // NAME=VALUE added to the standard ones
  bool cgo = false;                    // CGO_ENABLED=1 (the race detector needs it)
  gograder::v1::Limits limits;
  int slot = 0;
  std::string stdout_file, stderr_file;  // host files; empty = captured in the result
  // Host directory of a writable build-cache layer kept across runs (the
  // steps of one grading that compile and run no submission code share it,
  // so each package is compiled once); empty = a private layer per run.
  std::string cache_layer_dir;
  // Extra read-only binds: host path -> sandbox path (e.g. the inspector binary).
  std::vector<std::pair<std::string, std::string>> read_only_binds;
  // The command runs submission code: /box is a private copy of module_dir on
  // a tmpfs counted in its memory (the host's disk is never written, the
  // directory never changed); what the grader reads back is in output_files.
  bool private_module_dir = false;
  // Files copied out after the run: sandbox path -> host path.
  std::vector<std::pair<std::string, std::string>> output_files;
};

// The directory a submission's module is mounted at inside the sandbox.
inline constexpr char kSandboxModuleDir[] = "/box";
// The go command's record of its last cache trim, written fresh into every
// run's view of the read-only build cache.
inline constexpr char kCacheTrimFile[] = "trim.txt";

// Builds the SandboxSpec of `command`: /usr (with gcc) and GOROOT read-only,
// /box writable (or a private copy), GOCACHE at /cache through an overlay over the warm cache
// (private, or the command's cache_layer_dir; with a trim.txt of now, so the
// go command does not trim it),
// GOMODCACHE read-only at /gomodcache, a private /tmp, telemetry off through
// a read-only config file, GOPROXY=off, GOTOOLCHAIN=local, GOFLAGS=-mod=mod,
// GOWORK=off, GOENV=off, GOMAXPROCS=2, and nothing of the caller's environment.
gograder::v1::SandboxSpec GoCommandSpec(const GoEnvironment& environment, const GoCommand& command);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_TOOLCHAIN_GO_COMMAND_H_
