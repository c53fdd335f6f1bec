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

// Replaces sandbox paths (mount targets) by host paths where a path starts:
// at the beginning of `text` or after '=' or ':'.
std::string MapPaths(const std::string& text, const std::vector<std::pair<std::string, std::string>>& map) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    bool at_start = i == 0 || text[i - 1] == '=' || text[i - 1] == ':';
    bool replaced = false;
    if (at_start) {
      for (const auto& [target, source] : map) {
        if (text.compare(i, target.size(), target) == 0 &&
            (i + target.size() == text.size() || text[i + target.size()] == '/' ||
             text[i + target.size()] == ':')) {
          out += source;
          i += target.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

}  // namespace

absl::StatusOr<gograder::v1::SandboxResult> SandboxRunner::RunBare(
    const gograder::v1::SandboxSpec& spec) const {
  std::vector<std::pair<std::string, std::string>> map;  // longest target first
  const std::string prefix = ScratchPrefix(options_.scratch_dir);
  const std::string tmp = prefix + ".tmp";
  std::error_code error;
  std::filesystem::create_directories(tmp, error);
  for (const auto& mount : spec.mounts()) {
    if (mount.has_bind() && mount.target() != mount.bind().source()) {
      map.push_back({mount.target(), mount.bind().source()});
    }
    if (mount.has_overlay()) map.push_back({mount.target(), options_.bare_build_cache});
    if (mount.has_tmpfs() && mount.target() == "/tmp") map.push_back({"/tmp", tmp});
  }
  std::sort(map.begin(), map.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  bp::environment environment;
  for (const std::string& entry : spec.env()) {
    std::string mapped = MapPaths(entry, map);
    size_t equals = mapped.find('=');
    std::string name = mapped.substr(0, equals);
    if (name == "XDG_CONFIG_HOME") continue;
    environment[name] = mapped.substr(equals + 1);
  }
  std::vector<std::string> args;
  for (int i = 1; i < spec.argv_size(); ++i) args.push_back(MapPaths(spec.argv(i), map));
  std::string program = MapPaths(spec.argv(0), map);
  boost::filesystem::path executable =
      program.find('/') != std::string::npos ? boost::filesystem::path(program)
                                             : bp::search_path(program, {boost::filesystem::path(
                                                                            MapPaths("/usr/local/go/bin", map)),
                                                                        "/usr/local/go/bin", "/usr/bin", "/bin"});
  const std::string out_path = prefix + ".out", err_path = prefix + ".err";
  auto start = std::chrono::steady_clock::now();
  bp::child child(executable, bp::args = args, bp::start_dir = MapPaths(spec.cwd(), map), environment,
                  bp::std_in < bp::null, bp::std_out > out_path, bp::std_err > err_path, error);
  if (error) return absl::InternalError(absl::StrCat("cannot start ", program, ": ", error.message()));
  child.wait(error);
  gograder::v1::SandboxResult result;
  result.set_wall_time_us(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - start).count());
  result.set_exit_code(child.exit_code());
  result.set_verdict(child.exit_code() == 0 ? gograder::v1::SandboxResult::OK
                                            : gograder::v1::SandboxResult::NONZERO_EXIT);
  result.mutable_stdout()->set_data(ReadFileOrEmpty(out_path));
  result.mutable_stderr()->set_data(ReadFileOrEmpty(err_path));
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  std::filesystem::remove_all(tmp, error);
  return result;
}

absl::StatusOr<gograder::v1::SandboxResult> SandboxRunner::Run(
    const gograder::v1::SandboxSpec& spec) const {
  if (!options_.bare_build_cache.empty()) return RunBare(spec);
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
  bool timed_out = false;
  while (child.running(error) && !error) {
    if (std::chrono::steady_clock::now() > deadline) {
      timed_out = true;
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
