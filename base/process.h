// Running a host program and waiting for it: the one adapter over
// Boost.Process (its error_code overloads only; nothing throws) used by the
// sandbox runner, the toolchain's host commands and the bench's bare runner.
#ifndef GOGRADER_BASE_PROCESS_H_
#define GOGRADER_BASE_PROCESS_H_

#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gograder {

struct ProcessSpec {
  // argv[0] is looked up in `search_path` (default: our PATH) when it has no '/'.
  std::vector<std::string> argv;
  std::vector<std::string> search_path;
  std::string cwd;                  // empty: ours
  bool inherit_environment = true;  // start from our environment, else from an empty one
  std::vector<std::pair<std::string, std::string>> environment;  // set on top
  // Where stdout and stderr go; empty = /dev/null; the same file twice merges them. Stdin is
  // /dev/null.
  std::string stdout_file, stderr_file;
  std::optional<absl::Duration> timeout;  // killed (SIGKILL) once it has run this long
  std::stop_token stop;                   // killed (SIGKILL) when stop is requested
};

struct ProcessExit {
  int exit_code = 0;
  bool timed_out = false;  // killed at spec.timeout
  bool stopped = false;    // killed because stop was requested
};

// Runs `spec` to its end; the child is SIGKILLed should this thread die
// first. An error Status means it could not be started.
// The kill for a timeout or a stop happens within 10 ms.
absl::StatusOr<ProcessExit> RunProcess(const ProcessSpec& spec);

}  // namespace gograder

#endif  // GOGRADER_BASE_PROCESS_H_
