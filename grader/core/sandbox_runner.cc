#include "grader/core/files.h"
#include "grader/core/sandbox_runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gograder::core {
namespace {

namespace bp = boost::process;

// Unique file names for concurrent runs from several threads.
std::string ScratchPrefix(const std::string& dir) {
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat(dir, "/sandbox-", getpid(), "-", counter.fetch_add(1));
}

}  // namespace

absl::StatusOr<gograder::v1::SandboxResult> SandboxRunner::Run(const gograder::v1::SandboxSpec& spec,
                                                               std::stop_token stop) const {
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
  std::error_code error;
  bp::child child(bp::exe = options_.binary,
                  bp::args = {"--spec", spec_path, "--spec-format", "binary", "--format", "binary",
                              "--output", result_path},
                  bp::std_in < bp::null, bp::std_out > bp::null, bp::std_err > error_path, error);
  if (error) {
    cleanup();
    return absl::InternalError(absl::StrCat("cannot start ", options_.binary, ": ", error.message()));
  }
  int64_t wall_ms = spec.limits().wall_time_ms() ? spec.limits().wall_time_ms() : 10'000;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wall_ms) +
                  absl::ToChronoMilliseconds(options_.grace);
  // Poll with a growing interval: short runs are noticed within ~0.1 ms.
  auto pause = std::chrono::microseconds(100);
  bool timed_out = false, cancelled = false;
  while (child.running(error) && !error) {
    cancelled = stop.stop_requested();
    timed_out = std::chrono::steady_clock::now() > deadline;
    if (cancelled || timed_out) {
      child.terminate(error);  // SIGKILL; the sandbox's init dies with it (PDEATHSIG)
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10'000));
  }
  child.wait(error);
  int exit_code = child.exit_code();
  std::string stderr_text(absl::StripAsciiWhitespace(ReadFileOrEmpty(error_path)));
  std::string result_bytes = ReadFileOrEmpty(result_path);
  cleanup();
  if (cancelled) return absl::CancelledError("the grading was cancelled; its sandbox run was killed");
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
