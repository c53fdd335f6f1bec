#include "grader/core/toolchain/sandbox_runner.h"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/process.h"
#include "grader/core/files/files.h"

namespace gograder::core {
namespace {

// Unique file names for concurrent runs from several threads.
std::string ScratchPrefix(const std::string& dir) {
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat(dir, "/sandbox-", getpid(), "-", counter.fetch_add(1));
}

}  // namespace

absl::StatusOr<gograder::v1::SandboxResult> SandboxRunner::Run(
    const gograder::v1::SandboxSpec& spec, std::stop_token stop) const {
  const std::string prefix = ScratchPrefix(options_.scratch_dir);
  const std::string spec_path = prefix + ".spec", result_path = prefix + ".result",
                    error_path = prefix + ".stderr";
  {
    std::ofstream out(spec_path, std::ios::binary);
    if (!out || !spec.SerializeToOstream(&out)) {
      return absl::InternalError(absl::StrCat("cannot write ", spec_path));
    }
  }
  auto cleanup = [&] {
    unlink(spec_path.c_str());
    unlink(result_path.c_str());
    unlink(error_path.c_str());
  };
  ProcessSpec process;
  process.argv = {options_.binary, "--spec", spec_path,  "--spec-format", "binary",
                  "--format",      "binary", "--output", result_path};
  process.stderr_file = error_path;
  int64_t wall_ms = spec.limits().wall_time_ms() ? spec.limits().wall_time_ms() : 10'000;
  process.timeout = absl::Milliseconds(wall_ms) +
                    options_.grace;  // then SIGKILL; the sandbox's init dies with it (PDEATHSIG)
  process.stop = stop;
  absl::StatusOr<ProcessExit> exit = RunProcess(process);
  if (!exit.ok()) {
    cleanup();
    return absl::InternalError(
        absl::StrCat("cannot start ", options_.binary, ": ", exit.status().message()));
  }
  bool cancelled = exit->stopped, timed_out = exit->timed_out;
  int exit_code = exit->exit_code;
  std::string stderr_text(absl::StripAsciiWhitespace(ReadFileOrEmpty(error_path)));
  std::string result_bytes = ReadFileOrEmpty(result_path);
  cleanup();
  if (cancelled)
    return absl::CancelledError("the grading was cancelled; its sandbox run was killed");
  if (timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat("gograder-sandbox did not finish within its wall limit plus ",
                     absl::FormatDuration(options_.grace), "; killed"));
  }
  if (exit_code != 0) {
    return absl::InternalError(absl::StrCat("gograder-sandbox failed (exit ", exit_code, "): ",
                                            stderr_text.empty() ? "no message" : stderr_text));
  }
  gograder::v1::SandboxResult result;
  if (!result.ParseFromString(result_bytes)) {
    return absl::InternalError("gograder-sandbox wrote an unreadable result");
  }
  return result;
}

}  // namespace gograder::core
