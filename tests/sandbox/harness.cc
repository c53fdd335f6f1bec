#include "tests/sandbox/harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/text_format.h"
#include "sandbox/sandbox.h"

#ifndef GOGRADER_SANDBOX_BINARY
#error "GOGRADER_SANDBOX_BINARY must name the gograder-sandbox binary"
#endif
#ifndef GOGRADER_ATTACKS_DIR
#error "GOGRADER_ATTACKS_DIR must name the directory of the attack binaries"
#endif

namespace gograder::sandbox::testing {
namespace {

constexpr char kCanaryVariable[] = "GOGRADER_HOST_CANARY";
// The secret's atime is set far in the past: any read of it updates atime
// (relatime updates whenever atime is older than mtime).
constexpr time_t kSecretAtime = 978307200;  // 2001-01-01

std::string ReadFile(const std::string& path, size_t limit = 64 << 20) {
  std::string content;
  // O_NOATIME: the test's own reads must not look like reads by the sandbox.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  if (fd < 0) fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return content;
  char buffer[1 << 16];
  while (content.size() < limit) {
    ssize_t n = read(fd, buffer, std::min(sizeof buffer, limit - content.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buffer, n);
  }
  close(fd);
  return content;
}

void WriteFile(const std::string& path, absl::string_view content, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << "create " << path << ": " << strerror(errno);
  ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(fd);
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

std::string RandomHex(int bytes) {
  std::string raw = ReadFile("/dev/urandom", bytes);
  std::string hex;
  for (unsigned char c : raw) absl::StrAppend(&hex, absl::Hex(c, absl::kZeroPad2));
  return hex;
}

int RemoveEntry(const char* path, const struct stat*, int type, struct FTW*) {
  if (type == FTW_DP) {
    rmdir(path);
  } else {
    unlink(path);
  }
  return 0;
}

uint64_t Fnv1a(uint64_t hash, const char* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(data[i]);
    hash *= 1099511628211ULL;
  }
  return hash;
}

void DigestTree(const std::string& root, const std::string& relative, std::string& out) {
  std::string path = relative.empty() ? root : root + "/" + relative;
  struct stat info;
  if (lstat(path.c_str(), &info) != 0) {
    absl::StrAppend(&out, relative, " lstat-error ", errno, "\n");
    return;
  }
  absl::StrAppend(&out, relative.empty() ? "." : relative, " mode=", absl::Hex(info.st_mode),
                  " uid=", info.st_uid, " gid=", info.st_gid, " size=", info.st_size,
                  " mtime=", info.st_mtim.tv_sec, ".", info.st_mtim.tv_nsec);
  char names[4096];
  ssize_t length = llistxattr(path.c_str(), names, sizeof names);
  for (ssize_t i = 0; length > 0 && i < length; i += static_cast<ssize_t>(strlen(names + i)) + 1) {
    char value[256];
    ssize_t value_length = lgetxattr(path.c_str(), names + i, value, sizeof value);
    absl::StrAppend(&out, " xattr:", names + i, "=",
                    value_length >= 0 ? absl::string_view(value, value_length) : "?");
  }
  if (S_ISREG(info.st_mode)) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
    if (fd < 0) fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    uint64_t hash = 14695981039346656037ULL;
    char buffer[1 << 16];
    ssize_t n;
    while (fd >= 0 && (n = read(fd, buffer, sizeof buffer)) > 0) hash = Fnv1a(hash, buffer, n);
    if (fd >= 0) close(fd);
    absl::StrAppend(&out, " fnv=", absl::Hex(hash));
  } else if (S_ISLNK(info.st_mode)) {
    char target[4096];
    ssize_t n = readlink(path.c_str(), target, sizeof target);
    absl::StrAppend(&out, " -> ", absl::string_view(target, n > 0 ? n : 0));
  }
  out += "\n";
  if (!S_ISDIR(info.st_mode)) return;
  std::vector<std::string> children;
  if (DIR* dir = opendir(path.c_str())) {
    while (struct dirent* entry = readdir(dir)) {
      if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
        children.push_back(entry->d_name);
      }
    }
    closedir(dir);
  }
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) {
    DigestTree(root, relative.empty() ? child : relative + "/" + child, out);
  }
}

// Regular files below `root` (recursively), for the token scan.
void ListFiles(const std::string& root, std::vector<std::string>& out) {
  DIR* dir = opendir(root.c_str());
  if (dir == nullptr) return;
  while (struct dirent* entry = readdir(dir)) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    std::string path = root + "/" + entry->d_name;
    struct stat info;
    if (lstat(path.c_str(), &info) != 0) continue;
    if (S_ISDIR(info.st_mode)) ListFiles(path, out);
    if (S_ISREG(info.st_mode)) out.push_back(path);
  }
  closedir(dir);
}

const char* const kSharedDirs[] = {"/tmp", "/var/tmp", "/root", "/dev/shm"};

}  // namespace

std::string ReadHostFile(const std::string& path) { return ReadFile(path); }

Probes ParseProbes(absl::string_view output) {
  Probes probes;
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "probe=")) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    std::string name(fields[0].substr(strlen("probe=")));
    auto& values = probes[name];
    for (size_t i = 1; i < fields.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(fields[i], absl::MaxSplits('=', 1));
      values[std::string(kv.first)] = std::string(kv.second);
    }
  }
  return probes;
}

std::string SkipReason() {
  if (geteuid() != 0) return "the sandbox attack suite needs root (gograder-sandbox does)";
  std::string max_namespaces = ReadFile("/proc/sys/user/max_user_namespaces");
  int value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(max_namespaces), &value) || value == 0) {
    return "the kernel has no user namespaces (user.max_user_namespaces is 0 or absent)";
  }
  return "";
}

std::string TreeDigest(const std::string& root) {
  std::string out;
  DigestTree(root, "", out);
  return out;
}

std::vector<pid_t> ProcessesOfUid(uid_t uid) {
  std::vector<pid_t> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  while (struct dirent* entry = readdir(proc)) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    std::string status = ReadFile(absl::StrCat("/proc/", pid, "/status"), 1 << 16);
    for (absl::string_view line : absl::StrSplit(status, '\n')) {
      if (!absl::ConsumePrefix(&line, "Uid:")) continue;
      for (absl::string_view field :
           absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
        uid_t value = 0;
        if (absl::SimpleAtoi(field, &value) && value == uid) {
          found.push_back(pid);
          break;
        }
      }
    }
  }
  closedir(proc);
  return found;
}

std::string SandboxRun::Describe() const {
  return absl::StrCat("gograder-sandbox wait status ", exit_status, " after ", seconds,
                      " s\n--- result ---\n", result_text, "--- stderr ---\n", stderr_text);
}

uid_t SandboxTest::SlotUid(int slot) const { return SlotHostId(SandboxOptions{}, slot); }

void SandboxTest::SetUp() {
  if (std::string reason = SkipReason(); !reason.empty()) GTEST_SKIP() << reason;
  char pattern[] = "/tmp/gograder-attack-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr) << strerror(errno);
  base_dir_ = pattern;
  // The sandbox's init resolves bind sources as the slot's unprivileged uid.
  ASSERT_EQ(chmod(base_dir_.c_str(), 0755), 0);
  box_dir_ = base_dir_ + "/box";
  ro_dir_ = base_dir_ + "/ro";
  out_dir_ = base_dir_ + "/out";
  ASSERT_EQ(mkdir(box_dir_.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(ro_dir_.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(out_dir_.c_str(), 0700), 0);

  secret_token_ = "gograder-secret-" + RandomHex(16);
  canary_ = "gograder-canary-" + RandomHex(16);
  secret_path_ = ro_dir_ + "/secret";
  ASSERT_NO_FATAL_FAILURE(WriteFile(secret_path_, secret_token_ + "\n", 0600));
  struct timespec times[2] = {{kSecretAtime, 0}, {0, UTIME_OMIT}};
  ASSERT_EQ(utimensat(AT_FDCWD, secret_path_.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  struct stat info;
  ASSERT_EQ(stat(secret_path_.c_str(), &info), 0);
  secret_atime_ = info.st_atim;

  // Host listeners the sandbox must not reach.
  udp_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(udp_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(getsockname(udp_fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
  udp_port_ = ntohs(address.sin_port);

  abstract_name_ = "gograder-attack-" + RandomHex(8);
  abstract_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_un unix_address = {};
  unix_address.sun_family = AF_UNIX;
  memcpy(unix_address.sun_path + 1, abstract_name_.data(), abstract_name_.size());
  ASSERT_EQ(bind(abstract_fd_, reinterpret_cast<sockaddr*>(&unix_address),
                 offsetof(sockaddr_un, sun_path) + 1 + abstract_name_.size()),
            0);
  ASSERT_EQ(listen(abstract_fd_, 8), 0);
  ASSERT_NO_FATAL_FAILURE(StartHelper());
  ASSERT_EQ(PingHelper(), "pong 1");
}

void SandboxTest::StartHelper() {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  tcp_port_ = ntohs(address.sin_port);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The helper: answers every connection with how many it has seen.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (int count = 1;; ++count) {
      int connection = accept(listener, nullptr, nullptr);
      if (connection < 0) continue;
      char reply[32];
      int n = snprintf(reply, sizeof reply, "pong %d", count);
      (void)!write(connection, reply, n);
      close(connection);
    }
  }
  close(listener);
  helper_pid_ = pid;
}

std::string SandboxTest::PingHelper() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(tcp_port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::string error = absl::StrCat("connect: ", strerror(errno));
    close(fd);
    return error;
  }
  ++pings_;
  char reply[32] = {};
  ssize_t n = read(fd, reply, sizeof reply - 1);
  close(fd);
  if (n <= 0) return "no reply";
  return std::string(reply, n);
}

void SandboxTest::TearDown() {
  if (helper_pid_ > 0) {
    kill(helper_pid_, SIGKILL);
    waitpid(helper_pid_, nullptr, 0);
  }
  if (udp_fd_ >= 0) close(udp_fd_);
  if (abstract_fd_ >= 0) close(abstract_fd_);
  if (!base_dir_.empty() && getenv("GOGRADER_KEEP_TEST_DIRS") == nullptr) {
    nftw(base_dir_.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  }
}

SandboxSpec SandboxTest::BaseSpec(int slot, std::vector<std::string> argv) const {
  SandboxSpec spec;
  for (std::string& arg : argv) spec.add_argv(std::move(arg));
  spec.add_env("PATH=/usr/bin:/bin");
  auto add_bind = [&](const std::string& target, const std::string& source, bool writable) {
    auto* mount = spec.add_mounts();
    mount->set_target(target);
    mount->mutable_bind()->set_source(source);
    mount->mutable_bind()->set_writable(writable);
  };
  auto add_symlink = [&](const std::string& target, const std::string& link_target) {
    auto* mount = spec.add_mounts();
    mount->set_target(target);
    mount->mutable_symlink()->set_link_target(link_target);
  };
  add_bind("/usr", "/usr", false);
  add_symlink("/bin", "usr/bin");
  add_symlink("/lib", "usr/lib");
  add_symlink("/lib64", "usr/lib64");
  auto* tmp = spec.add_mounts();
  tmp->set_target("/tmp");
  tmp->mutable_tmpfs()->set_size_bytes(16 << 20);
  add_bind("/box", box_dir_, true);
  auto* limits = spec.mutable_limits();
  limits->set_wall_time_ms(5000);
  limits->set_cpu_time_ms(5000);
  limits->set_memory_bytes(256 << 20);
  limits->set_pids(64);
  limits->set_output_bytes(1 << 20);
  spec.set_slot(slot);
  return spec;
}

SandboxSpec SandboxTest::AttackSpec(int slot, std::vector<std::string> argv) const {
  SandboxSpec spec = BaseSpec(slot, std::move(argv));
  for (auto [target, source] :
       {std::pair<std::string, std::string>{"/attacks", GOGRADER_ATTACKS_DIR}, {"/ro", ro_dir_}}) {
    auto* mount = spec.add_mounts();
    mount->set_target(target);
    mount->mutable_bind()->set_source(source);
  }
  return spec;
}

SandboxTest::Snapshot SandboxTest::TakeSnapshot() const {
  Snapshot snapshot;
  std::vector<std::string> dirs(std::begin(kSharedDirs), std::end(kSharedDirs));
  dirs.push_back(base_dir_);
  for (const std::string& dir_path : dirs) {
    auto& entries = snapshot[dir_path];
    DIR* dir = opendir(dir_path.c_str());
    if (dir == nullptr) continue;
    while (struct dirent* entry = readdir(dir)) {
      struct stat info;
      std::string path = dir_path + "/" + entry->d_name;
      if (lstat(path.c_str(), &info) != 0) continue;
      entries[entry->d_name] = Entry{info.st_ino, info.st_uid, info.st_gid, info.st_mode};
    }
    closedir(dir);
  }
  return snapshot;
}

void SandboxTest::CompareSnapshots(const Snapshot& before, const Snapshot& after,
                                   const std::set<std::string>& run_dirs) const {
  // The test's own directory: nothing may appear, vanish or change owner or
  // mode, except the run's writable bind sources (chowned to the slot).
  const auto& own_before = before.at(base_dir_);
  const auto& own_after = after.at(base_dir_);
  for (const auto& [name, entry] : own_after) {
    auto old = own_before.find(name);
    if (old == own_before.end()) {
      ADD_FAILURE() << "new entry in the test directory: " << base_dir_ << "/" << name;
      continue;
    }
    if (run_dirs.count(base_dir_ + "/" + name)) continue;
    EXPECT_TRUE(old->second.uid == entry.uid && old->second.gid == entry.gid &&
                old->second.mode == entry.mode && old->second.inode == entry.inode)
        << base_dir_ << "/" << name << " changed";
  }
  for (const auto& [name, entry] : own_before) {
    EXPECT_TRUE(own_after.count(name)) << base_dir_ << "/" << name << " vanished";
  }
  // Shared directories: other processes of the host work there too, so only
  // entries that the sandbox's ids own (new, or re-owned) count.
  uid_t shared = SandboxOptions{}.shared_id;
  auto sandbox_owned = [&](const Entry& entry) {
    return (entry.uid >= shared && entry.uid < SlotUid(1024)) ||
           (entry.gid >= shared && entry.gid < SlotUid(1024));
  };
  for (const char* dir : kSharedDirs) {
    const auto& entries_before = before.at(dir);
    for (const auto& [name, entry] : after.at(dir)) {
      auto old = entries_before.find(name);
      bool was_sandbox_owned = old != entries_before.end() && sandbox_owned(old->second);
      if (sandbox_owned(entry) && !was_sandbox_owned) {
        ADD_FAILURE() << dir << "/" << name << " appeared or changed owner to sandbox id "
                      << entry.uid << ":" << entry.gid;
      }
    }
  }
}

pid_t SandboxTest::Start(const SandboxSpec& spec) {
  ++runs_;
  std::string prefix = absl::StrCat(out_dir_, "/run", runs_);
  std::string text;
  google::protobuf::TextFormat::PrintToString(spec, &text);
  std::ofstream(prefix + ".spec.txtpb") << text;
  Snapshot before = TakeSnapshot();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::string result_path = prefix + ".result.txtpb", stderr_path = prefix + ".stderr";
  posix_spawn_file_actions_addopen(&actions, 1, result_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::string spec_path = prefix + ".spec.txtpb";
  std::vector<std::string> args = {GOGRADER_SANDBOX_BINARY, "--spec", spec_path, "--format",
                                   "text"};
  // The supervisor's own environment holds a canary that must never leak.
  std::vector<std::string> env = {"PATH=/usr/bin:/bin",
                                  absl::StrCat(kCanaryVariable, "=", canary_)};
  std::vector<char*> argv, envp;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawn " << argv[0] << ": " << strerror(rc);
    return -1;
  }
  snapshots_[pid] = std::move(before);
  return pid;
}

SandboxRun SandboxTest::Finish(pid_t pid, const SandboxSpec& spec) {
  SandboxRun run;
  if (pid <= 0) return run;
  std::string prefix = absl::StrCat(out_dir_, "/run", runs_);
  auto start = std::chrono::steady_clock::now();
  auto deadline =
      start + std::chrono::milliseconds(spec.limits().wall_time_ms()) + std::chrono::seconds(30);
  int status = 0;
  while (true) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "gograder-sandbox did not finish 30 s after the wall limit; killing it";
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.exit_status = status;
  run.result_text = ReadFile(prefix + ".result.txtpb");
  run.stderr_text = ReadFile(prefix + ".stderr");
  if (!google::protobuf::TextFormat::ParseFromString(run.result_text, &run.result)) {
    ADD_FAILURE() << "cannot parse the result\n" << run.Describe();
  }
  CheckHost(spec, run);
  if (auto it = snapshots_.find(pid); it != snapshots_.end()) {
    std::set<std::string> run_dirs;
    for (const auto& mount : spec.mounts()) {
      if (mount.has_bind() && mount.bind().writable()) run_dirs.insert(mount.bind().source());
      if (mount.has_overlay() && !mount.overlay().layer_dir().empty())
        run_dirs.insert(mount.overlay().layer_dir());
    }
    CompareSnapshots(it->second, TakeSnapshot(), run_dirs);
    snapshots_.erase(it);
  }
  return run;
}

SandboxRun SandboxTest::Run(const SandboxSpec& spec) {
  pid_t pid = Start(spec);
  SandboxRun run = Finish(pid, spec);
  EXPECT_TRUE(WIFEXITED(run.exit_status) && WEXITSTATUS(run.exit_status) == 0)
      << "gograder-sandbox failed\n"
      << run.Describe();
  return run;
}

void SandboxTest::CheckHost(const SandboxSpec& spec, const SandboxRun& run) {
  const int slot = spec.slot();
  const uid_t uid = SlotUid(slot);
  // Nothing of the run survives it.
  EXPECT_EQ(ProcessesOfUid(uid), std::vector<pid_t>{})
      << "processes of slot uid " << uid << " left";
  for (const char* controller : {"memory", "pids", "cpuacct", "cpuset", "freezer", ""}) {
    std::string base =
        *controller ? absl::StrCat("/sys/fs/cgroup/", controller) : std::string("/sys/fs/cgroup");
    for (const char* file : {"cgroup.procs", "tasks"}) {
      std::string path = absl::StrCat(base, "/gograder/slot-", slot, "/", file);
      if (access(path.c_str(), F_OK) != 0) continue;
      EXPECT_EQ(ReadFile(path), "") << path << " is not empty after the run";
    }
  }
  // No SysV IPC object of the slot's uid on the host.
  for (const char* kind : {"shm", "msg", "sem"}) {
    std::string table = ReadFile(absl::StrCat("/proc/sysvipc/", kind));
    std::vector<std::string> lines = absl::StrSplit(table, '\n', absl::SkipEmpty());
    if (lines.empty()) continue;
    std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
    for (size_t i = 1; i < lines.size(); ++i) {
      std::vector<std::string> fields = absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
      for (size_t column = 0; column < header.size() && column < fields.size(); ++column) {
        if ((header[column] == "uid" || header[column] == "cuid") &&
            fields[column] == absl::StrCat(uid)) {
          ADD_FAILURE() << "host SysV " << kind << " object of the slot uid: " << lines[i];
        }
      }
    }
  }
  // The secret was not read and leaked nowhere.
  struct stat info;
  ASSERT_EQ(stat(secret_path_.c_str(), &info), 0) << "the host secret vanished";
  EXPECT_EQ(info.st_atim.tv_sec, secret_atime_.tv_sec) << "the host secret was read";
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  std::vector<std::string> files;
  ListFiles(out_dir_, files);
  ListFiles(box_dir_, files);
  std::vector<std::pair<std::string, std::string>> texts = {{"result", run.result_text},
                                                            {"stderr", run.stderr_text}};
  for (const std::string& file : files) texts.push_back({file, ReadFile(file, 16 << 20)});
  for (const auto& [where, text] : texts) {
    EXPECT_FALSE(absl::StrContains(text, secret_token_)) << "the host secret leaked into " << where;
    EXPECT_FALSE(absl::StrContains(text, canary_))
        << "the supervisor's environment leaked into " << where;
  }
  // The host's /dev/null is intact.
  ASSERT_EQ(stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode) && major(info.st_rdev) == 1 && minor(info.st_rdev) == 3 &&
              (info.st_mode & 0777) == 0666)
      << "host /dev/null changed";
  // The daemon side: we run; our helper lives, answers, and only we talked to it.
  EXPECT_EQ(kill(getpid(), 0), 0);
  EXPECT_EQ(waitpid(helper_pid_, nullptr, WNOHANG), 0) << "the host helper process died";
  std::string reply = PingHelper();
  EXPECT_EQ(reply, absl::StrCat("pong ", pings_))
      << "the helper did not answer, or answered a connection from the sandbox";
  char datagram[64];
  EXPECT_LT(recv(udp_fd_, datagram, sizeof datagram, MSG_DONTWAIT), 0)
      << "the host UDP listener received a datagram from the sandbox";
  int connection = accept(abstract_fd_, nullptr, nullptr);
  EXPECT_LT(connection, 0) << "the host abstract unix listener got a connection";
  if (connection >= 0) close(connection);
}

}  // namespace gograder::sandbox::testing
