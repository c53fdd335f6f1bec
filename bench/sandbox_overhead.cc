// Sandbox overhead benchmark: the median wall time of `/bin/true` run bare
// (posix_spawn + waitpid) and through `gograder-sandbox` (namespaces, tmpfs
// root with binds, /proc, /dev, seccomp, cgroup limits and accounting, output
// capture, result printing), interleaved in one run so machine noise hits
// all alike. The sandboxed run is timed twice: with a text spec and a text
// result (a person at a shell) and with wire-format spec and result (what
// grader/core uses). Prints medians, p10/p90, differences and ratios.
//
//   bench/sandbox_overhead --sandbox build/sandbox/gograder-sandbox [--rounds 300]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "proto/gograder/v1/sandbox.pb.h"

extern char** environ;

namespace {

constexpr char kSpec[] = R"pb(
  argv: "/bin/true"
  mounts {
    target: "/usr"
    bind { source: "/usr" }
  }
  mounts {
    target: "/bin"
    symlink { link_target: "usr/bin" }
  }
  mounts {
    target: "/lib"
    symlink { link_target: "usr/lib" }
  }
  mounts {
    target: "/lib64"
    symlink { link_target: "usr/lib64" }
  }
  mounts {
    target: "/tmp"
    tmpfs { size_bytes: 16777216 }
  }
  limits { wall_time_ms: 5000 memory_bytes: 268435456 pids: 64 }
  slot: 1000
)pb";

// Runs argv with stdout to /dev/null; returns wall milliseconds.
double TimeCommand(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  auto start = std::chrono::steady_clock::now();
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    std::perror(argv[0]);
    std::exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "%s exited with status %d\n", argv[0], status);
    std::exit(1);
  }
  return ms;
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * (values.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  std::string sandbox;
  int rounds = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--sandbox") sandbox = argv[i + 1];
    if (flag == "--rounds") rounds = std::atoi(argv[i + 1]);
  }
  if (sandbox.empty() || rounds < 10) {
    std::fprintf(stderr, "usage: sandbox_overhead --sandbox PATH [--rounds N>=10]\n");
    return 1;
  }
  char dir_template[] = "/tmp/sandbox-bench-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::string spec_path = dir + "/true.textproto";
  std::ofstream(spec_path) << kSpec;
  gograder::v1::SandboxSpec spec;
  google::protobuf::TextFormat::ParseFromString(kSpec, &spec);
  std::string binary_spec_path = dir + "/true.binpb";
  std::ofstream(binary_spec_path) << spec.SerializeAsString();

  std::vector<std::string> bare = {"/bin/true"};
  std::vector<std::string> text = {sandbox, "--spec", spec_path};
  std::vector<std::string> binary = {sandbox,  "--spec",   binary_spec_path, "--spec-format",
                                     "binary", "--format", "binary"};
  for (int i = 0; i < 10; ++i) {  // warm caches, the slot's cgroups and network namespace
    TimeCommand(bare);
    TimeCommand(text);
    TimeCommand(binary);
  }
  std::vector<double> bare_ms, text_ms, binary_ms;
  for (int i = 0; i < rounds; ++i) {
    bare_ms.push_back(TimeCommand(bare));
    text_ms.push_back(TimeCommand(text));
    binary_ms.push_back(TimeCommand(binary));
  }
  unlink(spec_path.c_str());
  unlink(binary_spec_path.c_str());
  rmdir(dir.c_str());

  double bare_median = Percentile(bare_ms, 0.5);
  std::printf("rounds: %d (interleaved)\n", rounds);
  auto report = [&](const char* name, const std::vector<double>& ms) {
    double median = Percentile(ms, 0.5);
    std::printf("%-34s median %.3f ms  p10 %.3f  p90 %.3f", name, median, Percentile(ms, 0.1),
                Percentile(ms, 0.9));
    if (&ms != &bare_ms) {
      std::printf("  overhead %.3f ms, ratio %.2fx", median - bare_median, median / bare_median);
    }
    std::printf("\n");
  };
  report("bare /bin/true", bare_ms);
  report("sandboxed, wire-format spec+result", binary_ms);
  report("sandboxed, text spec+result", text_ms);
  std::printf("target: overhead <= 3 ms (median difference)\n");
  return 0;
}
