#include "bench/bare_runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/process.h"
#include "base/status_macros.h"
#include "grader/core/files/files.h"

namespace gograder::bench {
namespace {

// Replaces sandbox paths (mount targets) by host paths where a path starts:
// at the beginning of `text` or after '=' or ':'.
std::string MapPaths(const std::string& text,
                     const std::vector<std::pair<std::string, std::string>>& map) {
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

absl::StatusOr<gograder::v1::SandboxResult> BareRunner::Run(const gograder::v1::SandboxSpec& spec,
                                                            std::stop_token) const {
  static std::atomic<uint64_t> counter{0};
  std::vector<std::pair<std::string, std::string>> map;  // longest target first
  const std::string prefix =
      absl::StrCat(scratch_dir_, "/bare-", getpid(), "-", counter.fetch_add(1));
  const std::string tmp = prefix + ".tmp";
  std::error_code error;
  std::filesystem::create_directories(tmp, error);
  for (const auto& mount : spec.mounts()) {
    if (mount.has_bind() && mount.target() != mount.bind().source()) {
      map.push_back({mount.target(), mount.bind().source()});
    }
    if (mount.has_overlay()) map.push_back({mount.target(), build_cache_});
    if (mount.has_tmpfs() && mount.target() == "/tmp") map.push_back({"/tmp", tmp});
  }
  std::sort(map.begin(), map.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  ProcessSpec process;
  process.inherit_environment = false;
  for (const std::string& entry : spec.env()) {
    std::string mapped = MapPaths(entry, map);
    size_t equals = mapped.find('=');
    std::string name = mapped.substr(0, equals);
    if (name == "XDG_CONFIG_HOME") continue;
    process.environment.push_back({name, mapped.substr(equals + 1)});
  }
  for (const std::string& arg : spec.argv()) process.argv.push_back(MapPaths(arg, map));
  process.search_path = {MapPaths("/usr/local/go/bin", map), "/usr/local/go/bin", "/usr/bin",
                         "/bin"};
  process.cwd = MapPaths(spec.cwd(), map);
  const std::string out_path = prefix + ".out", err_path = prefix + ".err";
  process.stdout_file = out_path;
  process.stderr_file = err_path;
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(ProcessExit exit, RunProcess(process));
  gograder::v1::SandboxResult result;
  result.set_wall_time_us(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count());
  result.set_exit_code(exit.exit_code);
  result.set_verdict(exit.exit_code == 0 ? gograder::v1::SandboxResult::OK
                                         : gograder::v1::SandboxResult::NONZERO_EXIT);
  result.mutable_stdout()->set_data(ReadFileOrEmpty(out_path));
  result.mutable_stderr()->set_data(ReadFileOrEmpty(err_path));
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  std::filesystem::remove_all(tmp, error);
  return result;
}

}  // namespace gograder::bench
