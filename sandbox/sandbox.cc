// Theory of operation.
//
// Three processes take part in a run:
//
//   supervisor (this process, host root, moved into the slot's network namespace)
//     | clone(NEWUSER|NEWNS|NEWPID|NEWIPC|NEWUTS)
//     v
//   init (pid 1 of the new pid namespace, root of the new user namespace)
//     | fork
//     v
//   program (setsid, rlimits, no capabilities, NO_NEW_PRIVS, seccomp, execve)
//
// 1. The supervisor takes the slot's lock file (one run per slot at a time),
//    resets the slot's cgroups and writes the limits, hands writable bind
//    sources to the slot's host uid, enters the slot's private network
//    namespace (loopback only, see network.h), and clones init.
// 2. It maps uid/gid 0 of the new user namespace to the slot's unprivileged
//    host id, puts init into the slot's cgroups and only then releases init
//    through the `go` pipe: every later process is born inside the cgroups.
// 3. Init becomes the namespace's root, enters a new cgroup namespace, builds
//    the root filesystem (mounts.cc) and forks the program.
//    It reports exec failures and the program's wait status on the status
//    pipe, then exits: the kernel SIGKILLs everything left in the pid
//    namespace, so no process of the run outlives it (double forks, setsid,
//    ignored or stopped signals included).
// 4. The supervisor polls the program's stdout/stderr pipes (copying them to
//    files or memory, counting bytes against the cap) and the status pipe,
//    checking wall time and the cgroup's CPU time; on a limit it SIGKILLs init.
//    Afterwards it reads peak memory, CPU and OOM kills from the cgroup,
//    checks the cgroup is empty (killing stragglers if not), copies output
//    files out of writable binds without following links, and returns.
#include "sandbox/sandbox.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/fd.h"
#include "base/status_macros.h"
#include "sandbox/cgroup.h"
#include "sandbox/mounts.h"
#include "sandbox/network.h"
#include "sandbox/seccomp_policy.h"
#include "sandbox/spec.h"

namespace gograder::sandbox {
namespace {

using Clock = std::chrono::steady_clock;
using ::gograder::v1::Mount;

struct Pipe {
  UniqueFd read, write;
};

absl::StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// WriteAll (base/fd.h) for a forked child: no Status, so nothing is
// allocated on an error, which is ignored (the parent sees a short message).
void WriteAllAfterFork(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(n);
  }
}

// ---------------------------------------------------------------------------
// Inside the sandbox: the program process.

// Drops every capability for good: empty bounding, ambient and inheritable
// sets, so even a uid-0 execve inside the namespace gains nothing.
absl::Status DropCapabilities() {
  for (int cap = 0; cap <= 63; ++cap) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) continue;
    if (errno == EINVAL) break;  // past the kernel's last capability
    return ErrnoStatus("PR_CAPBSET_DROP");
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    return ErrnoStatus("PR_CAP_AMBIENT_CLEAR_ALL");
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) != 0) return ErrnoStatus("capset");
  return absl::OkStatus();
}

absl::Status SetLimit(int resource, rlim_t value, absl::string_view name) {
  struct rlimit limit = {value, value};
  if (setrlimit(resource, &limit) != 0) return ErrnoStatus(absl::StrCat("setrlimit ", name));
  return absl::OkStatus();
}

absl::Status SetResourceLimits(const gograder::v1::Limits& limits) {
  RETURN_IF_ERROR(SetLimit(RLIMIT_NOFILE, limits.open_files(), "NOFILE"));
  RETURN_IF_ERROR(SetLimit(RLIMIT_FSIZE, limits.file_size_bytes(), "FSIZE"));
  RETURN_IF_ERROR(SetLimit(RLIMIT_CORE, 0, "CORE"));
  // Backstops only: the cgroup enforces pids and the supervisor enforces CPU.
  RETURN_IF_ERROR(SetLimit(RLIMIT_NPROC, std::max<int64_t>(limits.pids(), 64), "NPROC"));
  RETURN_IF_ERROR(SetLimit(RLIMIT_CPU, limits.cpu_time_ms() / 1000 + 2, "CPU"));
  return absl::OkStatus();
}

std::string LookUpEnv(const SandboxSpec& spec, absl::string_view name) {
  for (const std::string& entry : spec.env()) {
    if (absl::StartsWith(entry, name) && entry.size() > name.size() && entry[name.size()] == '=') {
      return entry.substr(name.size() + 1);
    }
  }
  return "";
}

// execve with a PATH search in the spec's environment (execvpe would use ours).
// Returns only on failure, with the errno of the most telling attempt.
int ExecProgram(const SandboxSpec& spec) {
  std::vector<char*> argv, envp;
  for (const std::string& arg : spec.argv()) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  for (const std::string& entry : spec.env()) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  const std::string& program = spec.argv(0);
  if (program.find('/') != std::string::npos) {
    execve(program.c_str(), argv.data(), envp.data());
    return errno;
  }
  std::string path = LookUpEnv(spec, "PATH");
  if (path.empty()) path = "/usr/local/bin:/usr/bin:/bin";
  int saved = ENOENT;
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", program);
    execve(candidate.c_str(), argv.data(), envp.data());
    if (errno != ENOENT && errno != ENOTDIR) saved = errno;
  }
  return saved;
}

// The program's side of the fork: never returns. Setup failures are sent on
// `exec_error_fd` as text and end the process with 127.
[[noreturn]] void StartProgram(const SandboxSpec& spec, const std::vector<sock_filter>& seccomp,
                               int stdin_fd, int stdout_fd, int stderr_fd, int exec_error_fd) {
  auto fail = [&](absl::string_view message) {
    WriteAllAfterFork(exec_error_fd, message);
    _exit(127);
  };
  setsid();
  if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) {
    fail(absl::StrCat("dup2: ", strerror(errno)));
  }
  if (chdir(spec.cwd().c_str()) != 0)
    fail(absl::StrCat("chdir ", spec.cwd(), ": ", strerror(errno)));
  if (exec_error_fd > 3) syscall(SYS_close_range, 3, exec_error_fd - 1, 0);
  syscall(SYS_close_range, exec_error_fd + 1, ~0U, 0);
  if (auto status = SetResourceLimits(spec.limits()); !status.ok()) fail(status.message());
  if (auto status = DropCapabilities(); !status.ok()) fail(status.message());
  if (auto status = LoadSeccompProgram(seccomp); !status.ok()) fail(status.message());
  int err = ExecProgram(spec);
  fail(absl::StrCat("execve ", spec.argv(0), ": ", strerror(err)));
  __builtin_unreachable();
}

// ---------------------------------------------------------------------------
// Inside the sandbox: init (pid 1).

// What init needs from the supervisor, prepared before clone.
struct InitContext {
  const SandboxSpec& spec;
  std::string new_root;
  std::vector<std::string> cgroup_join_files;
  const std::vector<sock_filter>& seccomp;
  int go_read, status_write, stdin_fd, stdout_write, stderr_write;
};

absl::Status PrepareInit(const InitContext& context) {
  // Still host uid 0 (with no host capabilities): enter the slot's cgroups
  // before anything else runs, so every later process is born inside them.
  for (const std::string& file : context.cgroup_join_files)
    RETURN_IF_ERROR(WriteSmallFile(file, "0"));
  // Drop the host's supplementary groups and become the namespace's root,
  // which is the slot's unprivileged id on the host.
  if (setgroups(0, nullptr) != 0) return ErrnoStatus("setgroups");
  if (setresgid(0, 0, 0) != 0) return ErrnoStatus("setresgid");
  if (setresuid(0, 0, 0) != 0) return ErrnoStatus("setresuid");
  if (unshare(CLONE_NEWCGROUP) != 0) return ErrnoStatus("unshare cgroup namespace");
  RETURN_IF_ERROR(EnterSandboxRoot(context.spec, context.new_root));
  if (sethostname("sandbox", 7) != 0) return ErrnoStatus("sethostname");
  return absl::OkStatus();
}

[[noreturn]] void RunInit(const InitContext& fds) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char go = 0;
  if (read(fds.go_read, &go, 1) != 1) _exit(1);  // the supervisor gave up

  if (auto status = PrepareInit(fds); !status.ok()) {
    WriteAllAfterFork(fds.status_write, absl::StrCat("ERROR ", status.message()));
    _exit(1);
  }
  // Becoming the namespace's root (setresuid in PrepareInit) cleared the
  // parent-death signal, so a killed supervisor would leave the run behind,
  // unlimited in time: arm it again, then check that the supervisor did not
  // die before that (its end of the `go` pipe stays open while it lives).
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct pollfd supervisor = {fds.go_read, POLLIN, 0};
  if (poll(&supervisor, 1, 0) != 0) _exit(1);
  close(fds.go_read);
  int exec_error[2];
  if (pipe2(exec_error, O_CLOEXEC) != 0) {
    WriteAllAfterFork(fds.status_write, absl::StrCat("ERROR pipe2: ", strerror(errno)));
    _exit(1);
  }

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t program = fork();
  if (program < 0) {
    WriteAllAfterFork(fds.status_write, absl::StrCat("ERROR fork: ", strerror(errno)));
    _exit(1);
  }
  if (program == 0) {
    close(exec_error[0]);
    close(fds.status_write);
    StartProgram(fds.spec, fds.seccomp, fds.stdin_fd, fds.stdout_write, fds.stderr_write,
                 exec_error[1]);
  }
  close(exec_error[1]);
  close(fds.stdin_fd);
  close(fds.stdout_write);
  close(fds.stderr_write);
  std::string exec_failure;
  char buffer[512];
  ssize_t n;
  while ((n = read(exec_error[0], buffer, sizeof buffer)) > 0) exec_failure.append(buffer, n);
  close(exec_error[0]);
  // Reap everything; orphans of the program are re-parented to us.
  int program_status = 0;
  while (true) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, __WALL);
    if (pid == program) {
      program_status = status;
      break;
    }
    if (pid < 0 && errno != EINTR) break;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  int64_t wall_us = (end.tv_sec - start.tv_sec) * 1'000'000 + (end.tv_nsec - start.tv_nsec) / 1000;
  struct rusage usage = {};
  getrusage(RUSAGE_CHILDREN, &usage);
  if (!exec_failure.empty()) {
    WriteAllAfterFork(fds.status_write, absl::StrCat("EXEC ", exec_failure));
  } else {
    WriteAllAfterFork(fds.status_write,
                      absl::StrCat("EXIT ", program_status, " ", usage.ru_maxrss, " ", wall_us));
  }
  _exit(0);  // the kernel now kills whatever the program left behind
}

// ---------------------------------------------------------------------------
// The supervisor.

// uid 0 -> the slot's id, uid 1 -> the shared id (owner of overlay lowers),
// gid 0 -> the shared id. No other host id exists inside.
absl::Status WriteIdMaps(pid_t pid, uint32_t slot_id, uint32_t shared_id) {
  RETURN_IF_ERROR(WriteSmallFile(absl::StrCat("/proc/", pid, "/uid_map"),
                                 absl::StrCat("0 ", slot_id, " 1\n1 ", shared_id, " 1\n")));
  return WriteSmallFile(absl::StrCat("/proc/", pid, "/gid_map"),
                        absl::StrCat("0 ", shared_id, " 1\n"));
}

// nftw has no user argument: the ids for the walk are set just before it.
uint32_t walk_uid = 0, walk_gid = 0;
bool walk_dirs_group_writable = false;

int ChownEntry(const char* path, const struct stat* info, int type, struct FTW*) {
  if (lchown(path, walk_uid, walk_gid) != 0) return -1;
  if (walk_dirs_group_writable && type == FTW_D &&
      chmod(path, (info->st_mode & 07777) | 0070) != 0) {
    return -1;
  }
  return 0;
}

absl::Status ChownTree(const std::string& root, uint32_t uid, uint32_t gid,
                       bool dirs_group_writable) {
  walk_uid = uid;
  walk_gid = gid;
  walk_dirs_group_writable = dirs_group_writable;
  if (nftw(root.c_str(), ChownEntry, 64, FTW_PHYS | FTW_MOUNT) != 0)
    return ErrnoStatus("chown " + root);
  return absl::OkStatus();
}

// Hands writable bind sources and kept overlay layers (created here) to the
// slot's host id so the sandbox's root can write there.
absl::Status ChownWritableBinds(const SandboxSpec& spec, const SandboxOptions& options) {
  const uint32_t slot_id = SlotHostId(options, spec.slot());
  for (const Mount& mount : spec.mounts()) {
    if (mount.has_bind() && mount.bind().writable()) {
      RETURN_IF_ERROR(ChownTree(mount.bind().source(), slot_id, options.shared_id, false));
    }
    if (mount.has_overlay() && !mount.overlay().layer_dir().empty()) {
      const std::string& layer = mount.overlay().layer_dir();
      for (const std::string& dir : {layer, layer + "/upper", layer + "/work"}) {
        if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir);
      }
      RETURN_IF_ERROR(ChownTree(layer, slot_id, options.shared_id, false));
    }
  }
  return absl::OkStatus();
}

int StripSetIdEntry(const char* path, const struct stat* info, int type, struct FTW*) {
  if (type == FTW_F && (info->st_mode & (S_ISUID | S_ISGID)) != 0 &&
      chmod(path, info->st_mode & 0777) != 0) {
    return -1;
  }
  return 0;
}

// Clears setuid and setgid bits in writable bind sources: a run must not
// leave the host a setuid file of its slot's uid. Runs after every process
// of the run is gone, so nothing can swap a path during the walk.
absl::Status StripSetIdBits(const SandboxSpec& spec) {
  for (const Mount& mount : spec.mounts()) {
    if (!mount.has_bind() || !mount.bind().writable()) continue;
    if (nftw(mount.bind().source().c_str(), StripSetIdEntry, 64, FTW_PHYS | FTW_MOUNT) != 0) {
      return ErrnoStatus("clear setuid bits below " + mount.bind().source());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> OpenForWriting(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoStatus("open " + path);
  return fd;
}

// One output stream of the program: where it goes and how much came.
struct StreamSink {
  UniqueFd pipe;
  UniqueFd file;  // invalid: keep in memory
  SandboxResult::Stream* result;
  int64_t limit;
  bool over_limit = false;

  // Reads what is available; returns false at end of stream.
  bool Drain() {
    char buffer[65536];
    ssize_t n = read(pipe.get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    int64_t room = std::max<int64_t>(0, limit - result->bytes());
    int64_t keep = std::min<int64_t>(room, n);
    if (keep > 0) {
      if (file.valid()) {
        WriteAll(file.get(), absl::string_view(buffer, keep))
            .IgnoreError();  // a full disk truncates the capture
      } else {
        result->mutable_data()->append(buffer, keep);
      }
    }
    result->set_bytes(result->bytes() + keep);
    if (keep < n) {
      result->set_truncated(true);
      over_limit = true;
    }
    return true;
  }
};

struct InitReport {
  enum Kind { kNone, kExit, kExecFailed, kSetupFailed } kind = kNone;
  int wait_status = 0;
  int64_t max_rss_kb = 0;
  int64_t wall_us = 0;
  std::string message;
};

InitReport ParseInitReport(absl::string_view text) {
  InitReport report;
  if (absl::ConsumePrefix(&text, "EXIT ")) {
    std::vector<absl::string_view> parts = absl::StrSplit(text, ' ');
    if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &report.wait_status) &&
        absl::SimpleAtoi(parts[1], &report.max_rss_kb) &&
        absl::SimpleAtoi(parts[2], &report.wall_us)) {
      report.kind = InitReport::kExit;
    }
  } else if (absl::ConsumePrefix(&text, "EXEC ")) {
    report.kind = InitReport::kExecFailed;
    report.message = std::string(text);
  } else if (absl::ConsumePrefix(&text, "ERROR ")) {
    report.kind = InitReport::kSetupFailed;
    report.message = std::string(text);
  }
  return report;
}

// Reads a sandbox file from the host side through a writable bind, refusing
// symlinks, magic links, other mounts, non-regular files, hard links and
// oversized files.
absl::Status CopyOutputFile(const SandboxSpec& spec, const SandboxSpec::OutputFile& output) {
  const Mount* best = nullptr;
  for (const Mount& mount : spec.mounts()) {
    if (!mount.has_bind() || !mount.bind().writable()) continue;
    const std::string& target = mount.target();
    if (absl::StartsWith(output.sandbox_path(), target + "/") &&
        (best == nullptr || target.size() > best->target().size())) {
      best = &mount;
    }
  }
  if (best == nullptr) return absl::InvalidArgumentError("not inside a writable bind mount");
  std::string relative = output.sandbox_path().substr(best->target().size() + 1);
  UniqueFd dir(open(best->bind().source().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return ErrnoStatus("open " + best->bind().source());
  struct open_how how = {};
  how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  UniqueFd source(
      static_cast<int>(syscall(SYS_openat2, dir.get(), relative.c_str(), &how, sizeof how)));
  if (!source.valid()) return ErrnoStatus("open");
  struct stat info;
  if (fstat(source.get(), &info) != 0) return ErrnoStatus("fstat");
  if (!S_ISREG(info.st_mode)) return absl::InvalidArgumentError("not a regular file");
  if (info.st_nlink != 1) return absl::InvalidArgumentError("has hard links");
  if (info.st_size > spec.limits().output_bytes()) return absl::InvalidArgumentError("too large");
  ASSIGN_OR_RETURN(UniqueFd destination, OpenForWriting(output.host_path()));
  char buffer[65536];
  int64_t left = spec.limits().output_bytes();
  ssize_t n;
  while (left > 0 && (n = read(source.get(), buffer, std::min<int64_t>(sizeof buffer, left))) > 0) {
    RETURN_IF_ERROR(WriteAll(destination.get(), absl::string_view(buffer, n)));
    left -= n;
  }
  return absl::OkStatus();
}

void SetVerdictFromWaitStatus(int status, SandboxResult& result) {
  if (WIFEXITED(status)) {
    result.set_exit_code(WEXITSTATUS(status));
    result.set_verdict(WEXITSTATUS(status) == 0 ? SandboxResult::OK : SandboxResult::NONZERO_EXIT);
  } else if (WIFSIGNALED(status)) {
    result.set_signal(WTERMSIG(status));
    result.set_verdict(SandboxResult::SIGNALED);
    result.set_message(absl::StrCat("killed by signal ", WTERMSIG(status), " (",
                                    sigabbrev_np(WTERMSIG(status)) ?: "?", ")"));
  }
}

class Run {
 public:
  Run(SandboxSpec spec, const SandboxOptions& options)
      : spec_(std::move(spec)), options_(options) {}
  ~Run();

  absl::StatusOr<SandboxResult> Execute();

 private:
  absl::Status AcquireSlot();
  absl::Status MakePrivateCopies();
  absl::StatusOr<pid_t> StartInit(int stdin_fd, Pipe& go, Pipe& status, Pipe& out, Pipe& err);
  absl::Status Supervise(pid_t init, UniqueFd status_read);
  void Kill(pid_t init, SandboxResult::Verdict verdict, std::string message);

  SandboxSpec spec_;  // private copies replace their binds' sources
  const SandboxOptions& options_;
  UniqueFd slot_lock_;
  std::vector<std::string> private_copies_;  // tmpfs mount points in our mount namespace
  std::optional<SlotCgroup> cgroup_;
  std::vector<sock_filter> seccomp_program_;
  SandboxResult result_;
  std::vector<StreamSink> sinks_;
  std::string init_report_text_;
  std::optional<SandboxResult::Verdict> our_kill_;
  std::string our_kill_message_;
};

absl::Status Run::AcquireSlot() {
  if (mkdir(options_.state_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus("mkdir " + options_.state_dir);
  }
  std::string root = options_.state_dir + "/root";
  if (mkdir(root.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + root);
  std::string lock = absl::StrCat(options_.state_dir, "/slot-", spec_.slot(), ".lock");
  slot_lock_.reset(open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!slot_lock_.valid()) return ErrnoStatus("open " + lock);
  while (flock(slot_lock_.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus("flock " + lock);
  }
  return absl::OkStatus();
}

Run::~Run() {
  for (const std::string& copy : private_copies_) {
    umount2(copy.c_str(), MNT_DETACH);
    rmdir(copy.c_str());
  }
}

// Gives every bind with private_copy_bytes a copy of its source on a fresh
// tmpfs and points the bind at it. The tmpfs is mounted in a mount namespace
// of this process only: the host never sees it, and it ends with the run.
absl::Status Run::MakePrivateCopies() {
  bool unshared = false;
  for (int i = 0; i < spec_.mounts_size(); ++i) {
    if (!spec_.mounts(i).has_bind() || spec_.mounts(i).bind().private_copy_bytes() <= 0) continue;
    Mount::Bind* bind = spec_.mutable_mounts(i)->mutable_bind();
    if (!unshared) {
      if (unshare(CLONE_NEWNS) != 0) return ErrnoStatus("unshare mount namespace");
      if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        return ErrnoStatus("make / private");
      }
      unshared = true;
    }
    std::string copy = absl::StrCat(options_.state_dir, "/copy-", spec_.slot(), "-", i);
    if (mkdir(copy.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + copy);
    std::string options = TmpfsOptions(bind->private_copy_bytes(), 0755);
    if (mount("tmpfs", copy.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      return ErrnoStatus("mount tmpfs on " + copy);
    }
    private_copies_.push_back(copy);
    std::error_code error;
    std::filesystem::copy(
        bind->source(), copy,
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks,
        error);
    if (error) {
      return absl::InvalidArgumentError(
          absl::StrCat("mounts[", i, "]: cannot copy ", bind->source(), ": ", error.message()));
    }
    bind->set_source(copy);
  }
  return absl::OkStatus();
}

absl::StatusOr<pid_t> Run::StartInit(int stdin_fd, Pipe& go, Pipe& status, Pipe& out, Pipe& err) {
  // With loopback the supervisor already sits in the slot's network
  // namespace, which init inherits; without, init gets a fresh one, all down.
  int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  if (!spec_.loopback()) flags |= CLONE_NEWNET;
  pid_t pid = static_cast<pid_t>(syscall(SYS_clone, flags, nullptr, nullptr, nullptr, 0));
  if (pid < 0) return ErrnoStatus("clone");
  if (pid == 0) {
    go.write.reset();
    status.read.reset();
    out.read.reset();
    err.read.reset();
    RunInit(InitContext{spec_, options_.state_dir + "/root", cgroup_->SelfJoinFiles(),
                        seccomp_program_, go.read.get(), status.write.get(), stdin_fd,
                        out.write.get(), err.write.get()});
  }
  go.read.reset();
  status.write.reset();
  out.write.reset();
  err.write.reset();
  absl::Status setup = WriteIdMaps(pid, SlotHostId(options_, spec_.slot()), options_.shared_id);
  if (setup.ok() && write(go.write.get(), "g", 1) != 1) setup = ErrnoStatus("release init");
  if (!setup.ok()) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return setup;
  }
  return pid;
}

void Run::Kill(pid_t init, SandboxResult::Verdict verdict, std::string message) {
  if (our_kill_) return;
  our_kill_ = verdict;
  our_kill_message_ = std::move(message);
  kill(init, SIGKILL);
}

absl::Status Run::Supervise(pid_t init, UniqueFd status_read) {
  const auto start = Clock::now();
  const auto wall_limit = std::chrono::milliseconds(spec_.limits().wall_time_ms());
  const int64_t cpu_limit_ns = spec_.limits().cpu_time_ms() * 1'000'000;
  bool status_open = true;
  std::vector<bool> sink_open(sinks_.size(), true);
  auto killed_at = Clock::time_point::max();
  while (status_open || std::count(sink_open.begin(), sink_open.end(), true) > 0) {
    std::vector<pollfd> fds;
    if (status_open) fds.push_back({status_read.get(), POLLIN, 0});
    for (size_t i = 0; i < sinks_.size(); ++i) {
      if (sink_open[i]) fds.push_back({sinks_[i].pipe.get(), POLLIN, 0});
    }
    auto now = Clock::now();
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(start + wall_limit - now);
    int timeout_ms = static_cast<int>(std::clamp<int64_t>(remaining.count(), 0, 25));
    if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) return ErrnoStatus("poll");
    for (const pollfd& fd : fds) {
      if (fd.revents == 0) continue;
      if (fd.fd == status_read.get()) {
        char buffer[512];
        ssize_t n = read(fd.fd, buffer, sizeof buffer);
        if (n > 0) init_report_text_.append(buffer, n);
        if (n == 0 || (n < 0 && errno != EINTR)) status_open = false;
        continue;
      }
      for (size_t i = 0; i < sinks_.size(); ++i) {
        if (sinks_[i].pipe.get() != fd.fd) continue;
        sink_open[i] = sinks_[i].Drain();
        if (sinks_[i].over_limit) {
          Kill(init, SandboxResult::OUTPUT_LIMIT,
               absl::StrCat(i == 0 ? "stdout" : "stderr", " passed ", sinks_[i].limit, " bytes"));
        }
      }
    }
    now = Clock::now();
    if (now - start >= wall_limit) {
      Kill(init, SandboxResult::TIME_LIMIT,
           absl::StrCat("wall time limit of ", spec_.limits().wall_time_ms(), " ms reached"));
    }
    if (auto cpu = cgroup_->CpuTimeNs(); cpu.ok() && *cpu > cpu_limit_ns) {
      Kill(init, SandboxResult::CPU_LIMIT,
           absl::StrCat("CPU time limit of ", spec_.limits().cpu_time_ms(), " ms reached"));
    }
    if (our_kill_ && killed_at == Clock::time_point::max()) killed_at = now;
    // Once init is dead every pipe closes; if something holds one open past a
    // grace period, stop waiting and let the cgroup sweep below finish it.
    if (now - killed_at > std::chrono::seconds(5)) break;
  }
  result_.set_wall_time_us(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
  int init_status = 0;
  while (waitpid(init, &init_status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus("waitpid init");
  }
  return absl::OkStatus();
}

absl::StatusOr<SandboxResult> Run::Execute() {
  RETURN_IF_ERROR(AcquireSlot());
  ASSIGN_OR_RETURN(SlotCgroup cgroup, SlotCgroup::Open(spec_.slot(), options_.cgroup_parent));
  cgroup_.emplace(std::move(cgroup));
  RETURN_IF_ERROR(cgroup_->PrepareRun(
      CgroupLimits{spec_.limits().memory_bytes(), spec_.limits().pids(), spec_.cpus()}));
  // After the network: its namespace pins live in the host's mount namespace.
  if (spec_.loopback()) RETURN_IF_ERROR(EnterSlotNetwork(options_.state_dir, spec_.slot()));
  RETURN_IF_ERROR(MakePrivateCopies());
  RETURN_IF_ERROR(ChownWritableBinds(spec_, options_));
  ASSIGN_OR_RETURN(seccomp_program_, CachedSeccompProgram(options_.state_dir));
  result_.set_cgroup_version(std::string(cgroup_->version()));

  std::string stdin_path = spec_.stdin_file().empty() ? "/dev/null" : spec_.stdin_file();
  UniqueFd stdin_fd(open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!stdin_fd.valid()) return ErrnoStatus("open stdin " + stdin_path);
  ASSIGN_OR_RETURN(Pipe go, MakePipe());
  ASSIGN_OR_RETURN(Pipe status, MakePipe());
  ASSIGN_OR_RETURN(Pipe out, MakePipe());
  ASSIGN_OR_RETURN(Pipe err, MakePipe());
  for (auto [pipe, file, stream] :
       {std::tuple{&out, &spec_.stdout_file(), result_.mutable_stdout()},
        {&err, &spec_.stderr_file(), result_.mutable_stderr()}}) {
    StreamSink sink{std::move(pipe->read), UniqueFd(), stream, spec_.limits().output_bytes()};
    if (!file->empty()) {
      ASSIGN_OR_RETURN(sink.file, OpenForWriting(*file));
    }
    sinks_.push_back(std::move(sink));
  }
  ASSIGN_OR_RETURN(pid_t init, StartInit(stdin_fd.get(), go, status, out, err));
  absl::Status supervised = Supervise(init, std::move(status.read));
  if (!supervised.ok()) {
    kill(init, SIGKILL);
    return supervised;
  }

  // Whatever happened, nothing of the run may survive it.
  ASSIGN_OR_RETURN(std::vector<pid_t> stragglers, cgroup_->Processes());
  if (!stragglers.empty()) RETURN_IF_ERROR(cgroup_->KillAll());
  ASSIGN_OR_RETURN(CgroupUsage usage, cgroup_->ReadUsage());
  result_.set_cpu_time_us(usage.cpu_time_ns / 1000);
  result_.set_peak_memory_bytes(usage.peak_memory_bytes);

  InitReport report = ParseInitReport(init_report_text_);
  if (report.kind == InitReport::kSetupFailed) {
    return absl::InternalError(absl::StrCat("sandbox setup failed: ", report.message));
  }
  if (report.kind == InitReport::kExit) {
    result_.set_max_rss_bytes(report.max_rss_kb * 1024);
    result_.set_wall_time_us(report.wall_us);
  }
  if (our_kill_) {
    result_.set_verdict(*our_kill_);
    result_.set_signal(SIGKILL);
    result_.set_message(our_kill_message_);
  } else if (usage.oom_kills > 0) {
    if (report.kind == InitReport::kExit) SetVerdictFromWaitStatus(report.wait_status, result_);
    result_.set_verdict(SandboxResult::MEMORY_LIMIT);
    result_.set_message(absl::StrCat("memory limit of ", spec_.limits().memory_bytes(),
                                     " bytes reached: ", usage.oom_kills,
                                     " process(es) OOM-killed"));
  } else if (report.kind == InitReport::kExecFailed) {
    result_.set_verdict(SandboxResult::SETUP_ERROR);
    result_.set_message(report.message);
  } else if (report.kind == InitReport::kExit) {
    SetVerdictFromWaitStatus(report.wait_status, result_);
  } else {
    return absl::InternalError(
        absl::StrCat("sandbox init ended without a report: \"", init_report_text_, "\""));
  }

  for (const auto& output : spec_.output_files()) {
    auto* copied = result_.add_output_files();
    copied->set_sandbox_path(output.sandbox_path());
    absl::Status status = CopyOutputFile(spec_, output);
    copied->set_copied(status.ok());
    if (!status.ok()) copied->set_error(std::string(status.message()));
  }
  RETURN_IF_ERROR(StripSetIdBits(spec_));
  return result_;
}

}  // namespace

uint32_t SlotHostId(const SandboxOptions& options, int slot) {
  return options.slot_id_base + static_cast<uint32_t>(slot);
}

absl::Status PrepareOverlayLower(const std::string& directory, const SandboxOptions& options) {
  return ChownTree(directory, options.shared_id, options.shared_id, true);
}

absl::StatusOr<SandboxResult> RunSandboxed(const SandboxSpec& raw_spec,
                                           const SandboxOptions& options) {
  SandboxSpec spec = WithDefaults(raw_spec);
  RETURN_IF_ERROR(ValidateSpec(spec));
  if (geteuid() != 0) return absl::PermissionDeniedError("gograder-sandbox must run as root");
  Run run(spec, options);
  return run.Execute();
}

}  // namespace gograder::sandbox
