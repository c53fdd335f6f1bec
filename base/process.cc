#include "base/process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"

namespace gograder {

namespace bp = boost::process;

// Kills the child when the thread that started it dies (a SIGKILLed daemon
// must not leave a sandbox supervisor running for the length of its limits).
struct DieWithParent : bp::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
  }
};

absl::StatusOr<ProcessExit> RunProcess(const ProcessSpec& spec) {
  if (spec.argv.empty()) return absl::InvalidArgumentError("no program to run");
  const std::string& name = spec.argv[0];
  boost::filesystem::path program;
  if (name.find('/') != std::string::npos) {
    program = name;
  } else if (spec.search_path.empty()) {
    program = bp::search_path(name);
  } else {
    program = bp::search_path(name, std::vector<boost::filesystem::path>(spec.search_path.begin(),
                                                                         spec.search_path.end()));
  }
  if (program.empty()) return absl::NotFoundError(absl::StrCat(name, " is not on the search path"));
  bp::environment environment = spec.inherit_environment
                                    ? bp::environment(boost::this_process::environment())
                                    : bp::environment();
  for (const auto& [variable, value] : spec.environment) environment[variable] = value;
  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  std::string out = spec.stdout_file.empty() ? "/dev/null" : spec.stdout_file;
  std::string err = spec.stderr_file.empty() ? "/dev/null" : spec.stderr_file;
  std::string cwd = spec.cwd.empty() ? boost::filesystem::current_path().string() : spec.cwd;
  std::error_code error;
  bp::child child =
      out == err && !spec.stdout_file.empty()
          ? bp::child(program, bp::args = args, bp::start_dir = cwd, environment,
                      bp::std_in<bp::null, (bp::std_out & bp::std_err)> out, DieWithParent(), error)
          : bp::child(program, bp::args = args, bp::start_dir = cwd, environment,
                      bp::std_in<bp::null, bp::std_out> out, bp::std_err > err, DieWithParent(),
                      error);
  if (error) return absl::InternalError(absl::StrCat("cannot start ", name, ": ", error.message()));
  ProcessExit exit;
  auto deadline = spec.timeout ? std::optional(std::chrono::steady_clock::now() +
                                               absl::ToChronoNanoseconds(*spec.timeout))
                               : std::nullopt;
  // Poll with a growing interval: short runs are noticed within ~0.1 ms.
  auto pause = std::chrono::microseconds(100);
  while (child.running(error) && !error) {
    exit.stopped = spec.stop.stop_requested();
    exit.timed_out = deadline && std::chrono::steady_clock::now() > *deadline;
    if (exit.stopped || exit.timed_out) {
      child.terminate(error);  // SIGKILL
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10'000));
  }
  child.wait(error);
  exit.exit_code = child.exit_code();
  return exit;
}

}  // namespace gograder
