// The sandbox attack suite: every attack program of tests/sandbox/attacks runs
// inside the real gograder-sandbox binary (never on the host), and each test
// asserts the exact verdict, the exact outcome of every probe the program
// printed, and (through SandboxTest::Run) that the host is unharmed. Case
// numbers refer to research/sandbox.md. Every test uses its own slot.
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sandbox/harness.h"

namespace gograder::sandbox::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kMiB = 1 << 20;

std::string Attack(absl::string_view name) { return absl::StrCat("/attacks/", name); }

std::string GoAttack(absl::string_view name) { return absl::StrCat("/attacks/go/", name); }

bool GoAttacksBuilt() {
  return access(GOGRADER_ATTACKS_DIR "/go/net", X_OK) == 0 &&
         access(GOGRADER_ATTACKS_DIR "/go/membomb_race", X_OK) == 0;
}

int64_t FileSize(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 ? info.st_size : -1;
}

void SetTmpSize(SandboxSpec& spec, int64_t bytes) {
  for (auto& mount : *spec.mutable_mounts()) {
    if (mount.target() == "/tmp") mount.mutable_tmpfs()->set_size_bytes(bytes);
  }
}

class AttackTest : public SandboxTest {
 protected:
  // Runs the spec; the probes of its stdout are in probes_.
  SandboxRun RunAttack(const SandboxSpec& spec) {
    SandboxRun run = Run(spec);
    probes_ = ParseProbes(run.result.stdout().data());
    last_ = run.Describe();
    return run;
  }

  // The value of `key` in probe `name`, or "<missing>".
  std::string Value(const std::string& name, const std::string& key) const {
    auto probe = probes_.find(name);
    if (probe == probes_.end()) return "<missing>";
    auto value = probe->second.find(key);
    return value == probe->second.end() ? "<missing>" : value->second;
  }

  void ExpectErrno(const std::string& name, const std::string& err) {
    EXPECT_EQ(Value(name, "errno"), err) << "probe " << name << "\n" << last_;
  }
  void ExpectErrnos(std::initializer_list<const char*> names, const std::string& err) {
    for (const char* name : names) ExpectErrno(name, err);
  }
  void ExpectOk(const std::string& name) {
    EXPECT_EQ(Value(name, "result"), "OK") << "probe " << name << "\n" << last_;
  }
  // The call failed, with whichever errno.
  void ExpectFailed(const std::string& name) {
    EXPECT_NE(Value(name, "errno"), "<missing>") << "probe " << name << " did not fail\n" << last_;
  }
  void ExpectField(const std::string& name, const std::string& key, const std::string& value) {
    EXPECT_EQ(Value(name, key), value) << "probe " << name << " field " << key << "\n" << last_;
  }
  void RequireGo() {
    ASSERT_TRUE(GoAttacksBuilt()) << "the Go attacks were not built: CMake found no go toolchain";
  }

  Probes probes_;
  std::string last_;
};

// --- Cases 1-2: process and thread bombs -----------------------------------

TEST_F(AttackTest, ForkBombStopsAtPidsLimitAndNothingSurvives) {
  SandboxSpec spec = AttackSpec(100, {Attack("fork_bomb")});
  spec.mutable_limits()->set_wall_time_ms(2000);
  spec.mutable_limits()->set_cpu_time_ms(30000);
  spec.mutable_limits()->set_pids(64);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::TIME_LIMIT) << last_;
  ExpectErrno("fork", "EAGAIN");
  int forks = 0;
  EXPECT_TRUE(absl::SimpleAtoi(Value("fork", "forks"), &forks)) << last_;
  EXPECT_LT(forks, 64);
}

TEST_F(AttackTest, GoThreadBombFailsCleanlyAtPidsLimit) {
  ASSERT_NO_FATAL_FAILURE(RequireGo());
  SandboxSpec spec = AttackSpec(101, {GoAttack("threadbomb")});
  spec.mutable_limits()->set_pids(64);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::NONZERO_EXIT) << last_;
  EXPECT_EQ(run.result.exit_code(), 2);
  EXPECT_THAT(run.result.stderr().data(), HasSubstr("failed to create new OS thread")) << last_;
  ExpectOk("threads");
}

// --- Cases 3-5: memory and tmpfs ---------------------------------------------

// The cgroup's peak may pass its limit by a few pages: the kernel charges some
// allocations it cannot refuse (page_counter_charge for kernel memory and OOM
// victims) past the limit. Anything more means the limit did not hold.
constexpr int64_t kForcedChargeSlack = 1 * kMiB;

TEST_F(AttackTest, MemoryBombEndsWithMemoryLimit) {
  SandboxSpec spec = AttackSpec(102, {Attack("mem_bomb")});
  spec.mutable_limits()->set_memory_bytes(128 * kMiB);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::MEMORY_LIMIT) << last_;
  EXPECT_LE(run.result.peak_memory_bytes(), 128 * kMiB + kForcedChargeSlack);
  EXPECT_EQ(Value("alloc", "result"), "<missing>") << "the 10 GiB allocation completed";
}

TEST_F(AttackTest, GoMemoryBombEndsWithMemoryLimit) {
  ASSERT_NO_FATAL_FAILURE(RequireGo());
  SandboxSpec spec = AttackSpec(103, {GoAttack("membomb")});
  spec.mutable_limits()->set_memory_bytes(128 * kMiB);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::MEMORY_LIMIT) << last_;
  EXPECT_LE(run.result.peak_memory_bytes(), 128 * kMiB + kForcedChargeSlack);
}

TEST_F(AttackTest, GoRaceMemoryBombEndsWithMemoryLimitNotTsanFailure) {
  ASSERT_NO_FATAL_FAILURE(RequireGo());
  SandboxSpec spec = AttackSpec(104, {GoAttack("membomb_race")});
  spec.mutable_limits()->set_memory_bytes(256 * kMiB);
  spec.mutable_limits()->set_wall_time_ms(10000);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::MEMORY_LIMIT) << last_;
  EXPECT_THAT(run.result.stderr().data(), Not(HasSubstr("ThreadSanitizer")));
  EXPECT_THAT(run.result.stderr().data(), Not(HasSubstr("out of memory")));
  ExpectField("alloc", "mib", "64");  // it got going before the limit hit
}

TEST_F(AttackTest, TmpFillEndsWithEnospc) {
  SandboxSpec spec = AttackSpec(105, {Attack("tmp_fill"), "/tmp/fill"});
  SetTmpSize(spec, 16 * kMiB);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrno("fill", "ENOSPC");
  EXPECT_THAT(Value("fill", "mib"), AnyOf("15", "16"));
}

TEST_F(AttackTest, TmpfsLargerThanMemoryLimitIsChargedToTheRun) {
  SandboxSpec spec = AttackSpec(106, {Attack("tmp_fill"), "/tmp/fill"});
  SetTmpSize(spec, 1024 * kMiB);
  spec.mutable_limits()->set_memory_bytes(64 * kMiB);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::MEMORY_LIMIT) << last_;
  EXPECT_LE(run.result.peak_memory_bytes(), 64 * kMiB + kForcedChargeSlack);
}

TEST_F(AttackTest, TmpfsInodeFloodEndsWithEnospc) {
  SandboxSpec spec = AttackSpec(151, {Attack("tmp_fill"), "inodes", "/tmp"});
  spec.mutable_limits()->set_memory_bytes(32 * kMiB);
  spec.mutable_limits()->set_wall_time_ms(20000);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrno("inodes", "ENOSPC");
  int64_t count = 0;
  EXPECT_TRUE(absl::SimpleAtoi(Value("inodes", "count"), &count)) << last_;
  EXPECT_LT(count, 16 * kMiB / 8192);  // the 16 MiB /tmp's inode cap
}

TEST_F(AttackTest, DevShmFillIsChargedToTheRun) {
  SandboxSpec spec = AttackSpec(146, {Attack("tmp_fill"), "/dev/shm/fill"});
  spec.mutable_limits()->set_memory_bytes(32 * kMiB);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::MEMORY_LIMIT) << last_;
}

// --- Issue 10: huge pages ------------------------------------------------------

// Opens a host huge-page pool for the life of the object (1 GiB of 2 MiB
// surplus pages, the way database hosts set it) and restores the old value.
class ScopedHugePagePool {
 public:
  static constexpr char kPath[] = "/proc/sys/vm/nr_overcommit_hugepages";
  ScopedHugePagePool() : old_(ReadHostFile(kPath)) { opened_ = WriteHostFile(kPath, "512\n"); }
  ~ScopedHugePagePool() {
    if (opened_) WriteHostFile(kPath, old_);
  }
  bool opened() const { return opened_; }

 private:
  static bool WriteHostFile(const char* path, const std::string& content) {
    std::ofstream file(path);
    file << content;
    file.close();
    return !file.fail();
  }
  std::string old_;
  bool opened_ = false;
};

TEST_F(AttackTest, HugePagesAreDeniedEvenWithAHostPool) {
  ScopedHugePagePool pool;
  if (!pool.opened()) GTEST_SKIP() << "this kernel has no writable " << ScopedHugePagePool::kPath;
  SandboxSpec spec = AttackSpec(152, {Attack("huge_pages")});
  spec.mutable_limits()->set_memory_bytes(256 * kMiB);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos({"mmap_hugetlb", "memfd_hugetlb", "shmget_hugetlb"}, "EPERM");
  ExpectOk("mmap_plain");
  EXPECT_EQ(Value("after", "in_use"), Value("before", "in_use")) << "huge pages were taken\n"
                                                                 << last_;
}

// --- Issue 10: disk floods through the workspace -----------------------------------

// Free bytes and inodes of the host filesystem that holds `path`.
struct DiskFree {
  int64_t bytes = 0, inodes = 0;
};

DiskFree DiskFreeAt(const std::string& path) {
  struct statvfs info;
  if (statvfs(path.c_str(), &info) != 0) return {};
  return {static_cast<int64_t>(info.f_bavail) * static_cast<int64_t>(info.f_frsize),
          static_cast<int64_t>(info.f_favail)};
}

// The attack spec with /box as a private copy of box_dir() on a tmpfs of `bytes`.
SandboxSpec WithPrivateBox(SandboxSpec spec, int64_t bytes) {
  for (auto& mount : *spec.mutable_mounts()) {
    if (mount.target() == "/box") mount.mutable_bind()->set_private_copy_bytes(bytes);
  }
  return spec;
}

// Other tests write to the same disk at the same time (ctest -j): a flood that
// reached the host would take gigabytes or millions of inodes, far above these.
constexpr int64_t kDiskNoise = 256 * kMiB;
constexpr int64_t kInodeNoise = 20000;

class WorkspaceFloodTest : public AttackTest {
 protected:
  // Runs tmp_fill `mode` on /box, a 128 MiB private copy of box_dir(); the
  // host's free space and inodes are in before_ and after_.
  void Flood(int slot, const std::string& mode) {
    SandboxSpec spec =
        WithPrivateBox(AttackSpec(slot, {Attack("tmp_fill"), mode, "/box"}), 128 * kMiB);
    spec.mutable_limits()->set_memory_bytes(256 * kMiB);
    spec.mutable_limits()->set_wall_time_ms(60000);
    before_ = DiskFreeAt(box_dir());
    SandboxRun run = RunAttack(spec);
    after_ = DiskFreeAt(box_dir());
    EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
    ExpectErrno(mode, "ENOSPC");
    EXPECT_TRUE(std::filesystem::is_empty(box_dir())) << "the source directory changed";
  }
  DiskFree before_, after_;
};

TEST_F(WorkspaceFloodTest, FourGibibytesStayInThePrivateCopy) {
  Flood(153, "files");
  EXPECT_THAT(Value("files", "mib"), AnyOf("126", "127", "128")) << last_;
  EXPECT_LT(before_.bytes - after_.bytes, kDiskNoise) << "the host's disk filled";
}

TEST_F(WorkspaceFloodTest, TenMillionFilesStayInThePrivateCopy) {
  Flood(154, "inodes");
  int64_t count = 0;
  EXPECT_TRUE(absl::SimpleAtoi(Value("inodes", "count"), &count)) << last_;
  EXPECT_LT(count, 128 * kMiB / 8192);
  EXPECT_LT(before_.inodes - after_.inodes, kInodeNoise) << "the host's inodes were used up";
}

TEST_F(AttackTest, PrivateCopyShowsTheSourceAndItsOutputFilesComeOut) {
  ASSERT_TRUE(std::ofstream(box_dir() + "/given") << "from the host\n");
  SandboxSpec spec = WithPrivateBox(
      AttackSpec(155, {"/bin/sh", "-c", "cat /box/given > /box/out && echo changed > /box/given"}),
      16 * kMiB);
  auto* output = spec.add_output_files();
  output->set_sandbox_path("/box/out");
  output->set_host_path(out_dir() + "/out");
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ASSERT_EQ(run.result.output_files_size(), 1);
  EXPECT_TRUE(run.result.output_files(0).copied()) << run.result.output_files(0).error();
  EXPECT_EQ(ReadHostFile(out_dir() + "/out"), "from the host\n");
  EXPECT_EQ(ReadHostFile(box_dir() + "/given"), "from the host\n");
  EXPECT_FALSE(std::filesystem::exists(box_dir() + "/out"));
}

// --- Case 6: huge files --------------------------------------------------------

TEST_F(AttackTest, HugeFileIsKilledBySigxfsz) {
  SandboxSpec spec = AttackSpec(107, {Attack("huge_file"), "default", "/box/huge"});
  spec.mutable_limits()->set_file_size_bytes(kMiB);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::SIGNALED) << last_;
  EXPECT_EQ(run.result.signal(), SIGXFSZ);
  EXPECT_EQ(FileSize(box_dir() + "/huge"), kMiB);
}

TEST_F(AttackTest, HugeFileWithSigxfszIgnoredGetsEfbig) {
  SandboxSpec spec = AttackSpec(108, {Attack("huge_file"), "ignore", "/box/huge"});
  spec.mutable_limits()->set_file_size_bytes(kMiB);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrno("write", "EFBIG");
  ExpectField("write", "bytes", absl::StrCat(kMiB));
  ExpectErrnos({"pwrite_far", "ftruncate_far", "fallocate_far"}, "EFBIG");
  EXPECT_EQ(FileSize(box_dir() + "/huge"), kMiB);
}

// --- Case 7: output floods ---------------------------------------------------

TEST_F(AttackTest, StdoutFloodIsCutAtOutputLimit) {
  SandboxSpec spec = AttackSpec(109, {Attack("output_flood"), "stdout"});
  spec.mutable_limits()->set_output_bytes(256 * 1024);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OUTPUT_LIMIT) << last_;
  EXPECT_TRUE(run.result.stdout().truncated());
  EXPECT_EQ(run.result.stdout().bytes(), 256 * 1024);
  EXPECT_EQ(run.result.stdout().data().size(), 256u * 1024);
  EXPECT_THAT(run.result.message(), HasSubstr("stdout"));
}

TEST_F(AttackTest, StderrFloodIntoHostFileIsCutAtOutputLimit) {
  SandboxSpec spec = AttackSpec(110, {Attack("output_flood"), "stderr"});
  spec.mutable_limits()->set_output_bytes(256 * 1024);
  spec.set_stderr_file(out_dir() + "/stderr.txt");
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OUTPUT_LIMIT) << last_;
  EXPECT_TRUE(run.result.stderr().truncated());
  EXPECT_EQ(run.result.stderr().bytes(), 256 * 1024);
  EXPECT_EQ(run.result.stderr().data(), "");
  EXPECT_EQ(FileSize(out_dir() + "/stderr.txt"), 256 * 1024);
}

TEST_F(AttackTest, GoStdoutFloodIsCutAtOutputLimit) {
  ASSERT_NO_FATAL_FAILURE(RequireGo());
  SandboxSpec spec = AttackSpec(111, {GoAttack("flood")});
  spec.mutable_limits()->set_output_bytes(100000);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OUTPUT_LIMIT) << last_;
  EXPECT_TRUE(run.result.stdout().truncated());
  EXPECT_EQ(run.result.stdout().bytes(), 100000);
}

// --- Case 9: CPU ---------------------------------------------------------------

// The CPU limit is checked in CPU time (the host may be busy, so wall time
// says little): the run is stopped soon after the cgroup's CPU time passes
// the limit, long before the wall limit.
void ExpectCpuLimit(const SandboxRun& run, int64_t cpu_ms) {
  EXPECT_EQ(run.result.verdict(), SandboxResult::CPU_LIMIT) << run.Describe();
  EXPECT_GE(run.result.cpu_time_us(), cpu_ms * 1000);
  EXPECT_LT(run.result.cpu_time_us(), cpu_ms * 1000 + 1'000'000)
      << "the CPU limit was not enforced promptly";
}

SandboxSpec CpuSpec(SandboxSpec spec) {
  spec.mutable_limits()->set_cpu_time_ms(500);
  spec.mutable_limits()->set_wall_time_ms(20000);
  return spec;
}

TEST_F(AttackTest, BusyLoopEndsWithCpuLimit) {
  ExpectCpuLimit(RunAttack(CpuSpec(AttackSpec(112, {Attack("busy_loop"), "1"}))), 500);
}

TEST_F(AttackTest, BusyLoopInFourProcessesIsChargedTogether) {
  ExpectCpuLimit(RunAttack(CpuSpec(AttackSpec(113, {Attack("busy_loop"), "4"}))), 500);
}

TEST_F(AttackTest, GoBusyLoopEndsWithCpuLimit) {
  ASSERT_NO_FATAL_FAILURE(RequireGo());
  ExpectCpuLimit(RunAttack(CpuSpec(AttackSpec(114, {GoAttack("busy")}))), 500);
  ExpectOk("busy");
}

// --- Case 10: never finishing ------------------------------------------------

void ExpectTimeLimit(const SandboxRun& run, int64_t wall_ms) {
  EXPECT_EQ(run.result.verdict(), SandboxResult::TIME_LIMIT) << run.Describe();
  EXPECT_GE(run.result.wall_time_us(), wall_ms * 1000);
  EXPECT_LT(run.seconds, wall_ms / 1000.0 + 5) << "the run was not ended promptly";
}

class SleeperTest : public AttackTest,
                    public ::testing::WithParamInterface<std::pair<const char*, int>> {};

TEST_P(SleeperTest, EndsWithTimeLimit) {
  auto [mode, slot] = GetParam();
  SandboxSpec spec = AttackSpec(slot, {Attack("sleeper"), mode});
  spec.mutable_limits()->set_wall_time_ms(1500);
  ExpectTimeLimit(RunAttack(spec), 1500);
  ExpectOk(mode);
  EXPECT_EQ(Value("resumed", "result"), "<missing>");
}

INSTANTIATE_TEST_SUITE_P(Modes, SleeperTest,
                         ::testing::Values(std::pair{"pause", 115}, std::pair{"sigstop", 116},
                                           std::pair{"blocked", 117}),
                         [](const auto& info) { return std::string(info.param.first); });

TEST_F(AttackTest, GoSleepEndsWithTimeLimit) {
  ASSERT_NO_FATAL_FAILURE(RequireGo());
  SandboxSpec spec = AttackSpec(118, {GoAttack("sleep")});
  spec.mutable_limits()->set_wall_time_ms(1500);
  ExpectTimeLimit(RunAttack(spec), 1500);
  ExpectOk("sleep");
}

TEST_F(AttackTest, StoppedChildrenDoNotOutliveTheRun) {
  // A run held open by its stopped children would end with TIME_LIMIT.
  SandboxSpec spec = AttackSpec(119, {Attack("sleeper"), "stopped_children"});
  spec.mutable_limits()->set_wall_time_ms(20000);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectField("stopped_children", "count", "8");
}

// --- Cases 11-13: daemons, zombies, signals -------------------------------------

TEST_F(AttackTest, DoubleForkedDaemonsDoNotSurvive) {
  // One daemon keeps the output pipes open: were the run waiting for it, it
  // would end with TIME_LIMIT.
  SandboxSpec spec = AttackSpec(120, {Attack("daemonize"), "/box/heartbeat"});
  spec.mutable_limits()->set_wall_time_ms(20000);
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectField("daemons", "count", "3");
  int64_t size = FileSize(box_dir() + "/heartbeat");
  EXPECT_GT(size, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(FileSize(box_dir() + "/heartbeat"), size) << "a daemon is still writing";
  EXPECT_EQ(ProcessesOfUid(SlotUid(120)), std::vector<pid_t>{});
}

TEST_F(AttackTest, ZombiesAreReaped) {
  SandboxRun run = RunAttack(AttackSpec(121, {Attack("zombies")}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectField("own_zombies", "count", "20");
  ExpectField("orphan_zombies", "count", "0");
}

TEST_F(AttackTest, KillAllAndKillParentOnlyHitTheSandbox) {
  SandboxSpec spec = AttackSpec(122, {Attack("kill_all"), absl::StrCat(helper_pid())});
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos({"kill_host_pid", "pidfd_open_host_pid"}, "ESRCH");
  ExpectOk("kill_minus1");
  ExpectField("sibling", "killed", "1");
  ExpectField("ppid", "ppid", "1");
  // Signals to init from inside its namespace are discarded: it survives
  // (and still reports the exit status), as does everything on the host.
  ExpectOk("kill_ppid");
  ExpectOk("kill_init_stop");
  ExpectOk("survived");
  ExpectField("survived", "ppid", "1");
  EXPECT_EQ(kill(helper_pid(), 0), 0);
}

TEST_F(AttackTest, KilledSupervisorTakesTheRunWithIt) {
  SandboxSpec spec = AttackSpec(123, {Attack("sleeper"), "pause"});
  spec.mutable_limits()->set_wall_time_ms(30000);
  pid_t supervisor = Start(spec);
  ASSERT_GT(supervisor, 0);
  const uid_t uid = SlotUid(123);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ProcessesOfUid(uid).size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(ProcessesOfUid(uid).size(), 2u) << "the sandboxed program never started";
  ASSERT_EQ(kill(supervisor, SIGKILL), 0);
  // Init dies with its parent (PR_SET_PDEATHSIG) and takes its pid namespace along.
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!ProcessesOfUid(uid).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(ProcessesOfUid(uid), std::vector<pid_t>{});
  SandboxRun run = Finish(supervisor, spec);  // checks the host like any run
  EXPECT_TRUE(WIFSIGNALED(run.exit_status));
  for (pid_t left : ProcessesOfUid(uid)) kill(left, SIGKILL);  // ours: do not leave them running
}

// --- Case 14: network ------------------------------------------------------------

TEST_F(AttackTest, NetworkReachesNothingOutsideButLoopbackWorks) {
  SandboxSpec spec = AttackSpec(
      124, {Attack("net"), absl::StrCat(tcp_port()), absl::StrCat(udp_port()), abstract_name()});
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectField("interfaces", "names", "lo");
  ExpectErrno("tcp_host_listener", "ECONNREFUSED");
  ExpectFailed("tcp6_host_listener");
  ExpectOk("udp_host_listener");  // sent into the sandbox's own loopback; the host saw nothing
  ExpectErrno("route_outside", "ENETUNREACH");
  ExpectFailed("dns");
  ExpectOk("dns_localhost");
  ExpectErrno("abstract_host_listener", "ECONNREFUSED");
  ExpectErrnos({"vsock", "packet_socket", "raw_socket"}, "EPERM");
  // The slot's network namespace outlives the run: no reconfiguring it.
  ExpectErrnos({"loopback_down", "loopback_set_address"}, "EPERM");
  ExpectOk("loopback");
}

TEST_F(AttackTest, GoNetworkReachesNothingOutsideButHttpOnLoopbackWorks) {
  ASSERT_NO_FATAL_FAILURE(RequireGo());
  SandboxSpec spec = AttackSpec(
      125, {GoAttack("net"), absl::StrCat(tcp_port()), absl::StrCat(udp_port()), abstract_name()});
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos({"go_tcp_host_listener", "go_unix_abstract"}, "ECONNREFUSED");
  ExpectOk("go_udp_host_listener");
  ExpectErrnos({"go_dns", "go_dns_purego"}, "LOOKUP_FAILED");
  ExpectOk("go_loopback_http");
  ExpectField("go_loopback_http", "body_ok", "true");
}

// --- Cases 15-16: host files, /proc -----------------------------------------------

TEST_F(AttackTest, HostFilesAreInvisibleOrUnreadable) {
  SandboxSpec spec = AttackSpec(126, {Attack("host_files"), secret_path(), "/ro/secret"});
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos({"shadow", "root_dir", "secret_host_path", "secret_proc_self_root", "sys", "sys_dir",
                "sys_fs_cgroup", "kcore"},
               "ENOENT");
  // Host root's 0600 file through a bind: the sandbox's root is not host root.
  ExpectErrno("secret_bound", "EACCES");
  // init is not dumpable: its root, cwd, environment, memory and descriptors
  // (the report pipe to the supervisor) are closed to the program.
  ExpectErrnos(
      {"secret_proc1_root", "secret_proc1_cwd", "proc1_environ", "proc1_mem", "proc1_fd_dir"},
      "EACCES");
  ExpectField("proc1_fd_open", "writable", "0");
  ExpectField("proc_pids", "count", "2");
  ExpectField("proc_pids", "list", "1:gograder-sandbo,2:host_files");
  ExpectField("proc_cgroup", "host_path", "0");
  ExpectField("fds", "open", "0,1,2");
  ExpectField("environ", "count", "1");
  ExpectField("hostname", "name", "sandbox");
  ExpectField("ids", "uid", "0");
}

TEST_F(AttackTest, ProcWritesFailAndProcRootDoesNotEscape) {
  std::string core_pattern = ReadHostFile("/proc/sys/kernel/core_pattern");
  std::string hostname = ReadHostFile("/proc/sys/kernel/hostname");
  SandboxRun run = RunAttack(AttackSpec(127, {Attack("proc_writes"), secret_path()}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  // Absent when the kernel has no magic SysRq, else not writable.
  EXPECT_THAT(Value("sysrq_trigger", "errno"), AnyOf("ENOENT", "EACCES")) << last_;
  EXPECT_THAT(Value("sysrq", "errno"), AnyOf("ENOENT", "EACCES")) << last_;
  ExpectErrnos({"core_pattern", "drop_caches", "kernel_hostname", "net_port_range",
                "net_ip_forward", "net_somaxconn", "oom_score_adj", "proc1_oom_score_adj"},
               "EACCES");
  ExpectFailed("mkdir_proc");
  ExpectErrnos(
      {"escape_chdir_dotdot", "escape_proc_self_root", "escape_openat_dotdot", "host_path_direct"},
      "ENOENT");
  ExpectErrno("escape_proc1_root", "EACCES");
  EXPECT_EQ(ReadHostFile("/proc/sys/kernel/core_pattern"), core_pattern);
  EXPECT_EQ(ReadHostFile("/proc/sys/kernel/hostname"), hostname);
}

// --- Cases 17-18, 21: ptrace, namespaces, dangerous syscalls ---------------------

TEST_F(AttackTest, PtraceAndProcessVmAreDenied) {
  SandboxRun run = RunAttack(AttackSpec(128, {Attack("ptrace")}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos(
      {"ptrace_attach_sibling", "ptrace_seize_sibling", "ptrace_attach_init", "ptrace_traceme",
       "process_vm_readv", "process_vm_writev", "process_vm_readv_init", "kcmp", "pidfd_getfd"},
      "EPERM");
  ExpectErrno("open_proc1_mem", "EACCES");
}

TEST_F(AttackTest, NamespacesMountsChrootAreDenied) {
  SandboxRun run = RunAttack(AttackSpec(129, {Attack("namespaces")}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos({"unshare_user", "unshare_mount",   "unshare_net", "unshare_pid",   "mount_tmpfs",
                "mount_bind",   "remount_root_rw", "umount_proc", "setns",         "chroot",
                "pivot_root",   "clone_newuser",   "clone_newns", "clone_newnet",  "clone_newpid",
                "fsopen",       "open_tree",       "move_mount",  "mount_setattr", "sethostname"},
               "EPERM");
  ExpectErrno("open_init_mntns", "EACCES");
  // clone3 flags live in memory the filter cannot read: ENOSYS makes libc
  // fall back to clone, whose flags are checked.
  ExpectErrno("clone3", "ENOSYS");
  ExpectOk("clone_plain");
}

TEST_F(AttackTest, DangerousAndForeignSyscallsFailWithErrnoNotDeath) {
  SandboxRun run = RunAttack(AttackSpec(130, {Attack("syscalls")}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos({"io_uring_setup", "io_uring_enter", "bpf", "keyctl", "add_key", "request_key",
                "perf_event_open", "userfaultfd", "init_module", "reboot_bad_magic", "kexec_load",
                "iopl", "ioperm", "modify_ldt", "syslog_read", "swapon", "clock_settime_bad_clock",
                "name_to_handle_at", "tiocsti"},
               "EPERM");
#if defined(__x86_64__)
  ExpectErrnos({"x32_getpid", "int80_getpid", "int80_ptrace"}, "ENOSYS");
#endif
  ExpectErrnos({"unknown_syscall", "clone3"}, "ENOSYS");
  ExpectOk("survived");
}

TEST_F(AttackTest, GoSysProcAttrPrivilegesAreDenied) {
  ASSERT_NO_FATAL_FAILURE(RequireGo());
  SandboxRun run = RunAttack(AttackSpec(131, {GoAttack("procattr")}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectOk("go_exec_plain");
  ExpectOk("go_exec_pidfd");
  ExpectErrnos({"go_exec_newuser", "go_exec_newns", "go_exec_newnet", "go_exec_chroot",
                "go_exec_ptrace", "go_exec_setuid", "go_unshare_user", "go_mount", "go_chroot",
                "go_setuid", "go_ptrace_traceme"},
               "EPERM");
}

// --- Cases 19-20: setuid, devices ---------------------------------------------------

TEST_F(AttackTest, SetuidBinariesGiveNoPrivilege) {
  // A setuid-root binary on the host, bound read-only into the sandbox.
  std::string suid = ro_dir() + "/suid";
  std::filesystem::copy_file(GOGRADER_ATTACKS_DIR "/setuid", suid);
  ASSERT_EQ(chown(suid.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(suid.c_str(), 04755), 0);
  SandboxRun run = RunAttack(AttackSpec(132, {Attack("setuid"), "attack", "/ro/suid"}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  const std::string none = "0000000000000000";
  for (const char* label : {"self", "tmp_suid", "box_suid", "host_root_suid"}) {
    SCOPED_TRACE(label);
    ExpectOk(label);
    for (const char* id : {"ruid", "euid", "suid", "rgid", "egid", "sgid"}) {
      ExpectField(label, id, "0");  // the sandbox's root, i.e. the slot uid
    }
    for (const char* caps : {"capeff", "capprm", "capbnd", "capamb"}) {
      ExpectField(label, caps, none);
    }
    ExpectField(label, "nnp", "1");
  }
  ExpectErrnos({"tmp_chown_other", "box_chown_other", "setuid_1", "setgroups"}, "EPERM");
  for (const char* writable : {"mount_box", "mount_tmp", "mount_shm"}) {
    ExpectField(writable, "rdonly", "0");
    ExpectField(writable, "nosuid", "1");
  }
  ExpectField("mount_root", "nosuid", "1");
  ExpectFailed("setgid_1");
  // What the job left on the host is owned by the slot's uid, not root, and
  // its setuid and setgid bits are gone.
  ExpectOk("box_chmod_suid");
  struct stat info;
  ASSERT_EQ(stat((box_dir() + "/suid-copy").c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, SlotUid(132));
  EXPECT_EQ(info.st_mode & (S_ISUID | S_ISGID), 0u) << std::oct << info.st_mode;
}

TEST_F(AttackTest, DeviceNodesCannotBeMadeOrReached) {
  SandboxRun run = RunAttack(AttackSpec(133, {Attack("devices")}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos({"mknod_mem_tmp", "mknod_mem_box", "mknod_block", "mknod_null_copy",
                "chmod_dev_null", "chown_dev_null"},
               "EPERM");
  ExpectOk("mkfifo");
  ExpectErrnos(
      {"open_dev_mem", "open_dev_kmem", "open_dev_port", "open_dev_kmsg", "open_dev_sda",
       "open_dev_vda", "open_dev_tty", "open_dev_console", "open_dev_fuse", "open_dev_net_tun"},
      "ENOENT");
  ExpectFailed("unlink_dev_null");
  ExpectOk("write_dev_null");
  ExpectField("dev_list", "names", "fd,full,null,random,shm,stderr,stdin,stdout,urandom,zero");
}

// --- Case 22: channels between runs -----------------------------------------------

TEST_F(AttackTest, IpcObjectsDoNotCrossRuns) {
  SandboxRun write = RunAttack(AttackSpec(134, {Attack("ipc"), "write"}));
  EXPECT_EQ(write.result.verdict(), SandboxResult::OK) << last_;
  ExpectOk("shm_open_create");
  ExpectOk("shmget_create");
  ExpectOk("msgget_create");
  ExpectOk("msgsnd");
  ExpectOk("semget_create");
  ExpectOk("mq_open_create");
  ExpectOk("tmp_file_create");
  EXPECT_NE(access("/dev/shm/gograder-xrun", F_OK), 0) << "the POSIX shm object reached the host";
  const std::string key = "1734833761";  // 0x67677261
  for (const char* kind : {"shm", "msg", "sem"}) {
    EXPECT_THAT(ReadHostFile(absl::StrCat("/proc/sysvipc/", kind)), Not(HasSubstr(key))) << kind;
  }
  // The same slot's next run, and another slot's run, see none of it.
  for (int slot : {134, 135}) {
    SCOPED_TRACE(absl::StrCat("reader slot ", slot));
    SandboxRun read = RunAttack(AttackSpec(slot, {Attack("ipc"), "read"}));
    EXPECT_EQ(read.result.verdict(), SandboxResult::OK) << last_;
    ExpectErrnos({"shm_open_existing", "shmget_existing", "msgget_existing", "semget_existing",
                  "mq_open_existing", "tmp_file_existing"},
                 "ENOENT");
    for (const char* kind : {"sysvipc_shm", "sysvipc_msg", "sysvipc_sem"}) {
      ExpectField(kind, "entries", "0");
    }
  }
}

TEST_F(AttackTest, SocketsLeftInTheSlotsNetworkDoNotReachItsNextRun) {
  // Runs of one slot reuse its network namespace; run 1 plants listeners
  // (held only by descriptors in flight) and a TIME_WAIT connection, and the
  // slot's very next run probes for them.
  SandboxRun plant = RunAttack(AttackSpec(150, {Attack("netns_persist"), "plant", "41000"}));
  EXPECT_EQ(plant.result.verdict(), SandboxResult::OK) << last_;
  for (const char* probe : {"tcp_listen", "udp_bind", "abstract_listen", "in_flight"}) {
    ExpectOk(probe);
  }
  SandboxRun probe = RunAttack(AttackSpec(150, {Attack("netns_persist"), "probe", "41000"}));
  EXPECT_EQ(probe.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrnos({"tcp_connect_planted", "abstract_connect_planted"}, "ECONNREFUSED");
  for (const char* name :
       {"tcp_bind_planted_port", "udp_bind_planted_port", "abstract_bind_planted",
        "tcp_bind_time_wait_port_reuseaddr", "tcp_bind_time_wait_port"}) {
    ExpectOk(name);
  }
}

// --- Case 23: output files replaced by links, FIFOs, ... ---------------------------

struct OutputFileCase {
  const char* name;
  int slot;
  const char* mode;
  enum Target { kNone, kSecretHostPath, kSupervisorEnviron, kRoDir, kBoundSecret, kSize } target;
  const char* sandbox_path;
  bool may_copy;      // a copy is allowed (then it must hold `copied_content`)
  const char* error;  // expected error substring when not copied ("" = any)
  const char* copied_content;
};

class OutputFileTest : public AttackTest, public ::testing::WithParamInterface<OutputFileCase> {};

TEST_P(OutputFileTest, CopyOutIsRefusedOrHarmless) {
  const OutputFileCase& c = GetParam();
  std::string target;
  switch (c.target) {
    case OutputFileCase::kNone:
      break;
    case OutputFileCase::kSecretHostPath:
      target = secret_path();
      break;
    case OutputFileCase::kSupervisorEnviron:
      target = "/proc/self/environ";
      break;
    case OutputFileCase::kRoDir:
      target = ro_dir();
      break;
    case OutputFileCase::kBoundSecret:
      target = "/ro/secret";
      break;
    case OutputFileCase::kSize:
      target = absl::StrCat(2 * kMiB);
      break;
  }
  std::vector<std::string> argv = {Attack("output_files"), c.mode};
  if (!target.empty()) argv.push_back(target);
  SandboxSpec spec = AttackSpec(c.slot, argv);
  spec.mutable_limits()->set_output_bytes(kMiB);
  std::string copy = out_dir() + "/copy.txt";
  auto* output = spec.add_output_files();
  output->set_sandbox_path(c.sandbox_path);
  output->set_host_path(copy);
  std::string victim = ReadHostFile(secret_path());
  SandboxRun run = RunAttack(spec);
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ASSERT_EQ(run.result.output_files_size(), 1) << last_;
  const auto& copied = run.result.output_files(0);
  EXPECT_EQ(copied.sandbox_path(), c.sandbox_path);
  if (copied.copied()) {
    EXPECT_TRUE(c.may_copy) << "copied although it must be refused\n" << last_;
    EXPECT_EQ(ReadHostFile(copy), c.copied_content);
  } else {
    EXPECT_THAT(copied.error(), HasSubstr(c.error)) << last_;
    EXPECT_NE(access(copy.c_str(), F_OK), 0) << "a refused copy still created the host file";
  }
  // The victim is untouched (CheckHost also verified it was not read).
  EXPECT_EQ(ReadHostFile(secret_path()), victim);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OutputFileTest,
    ::testing::Values(
        OutputFileCase{"RegularFileIsCopied", 136, "regular", OutputFileCase::kNone, "/box/out.txt",
                       true, "", "regular-output\n"},
        OutputFileCase{"SymlinkToHostSecret", 137, "symlink", OutputFileCase::kSecretHostPath,
                       "/box/out.txt", false, "symbolic links", ""},
        OutputFileCase{"SymlinkToSupervisorEnviron", 138, "symlink",
                       OutputFileCase::kSupervisorEnviron, "/box/out.txt", false, "symbolic links",
                       ""},
        OutputFileCase{"DirectorySymlinkToHostDir", 139, "dir_symlink", OutputFileCase::kRoDir,
                       "/box/dir/secret", false, "symbolic links", ""},
        OutputFileCase{"Fifo", 140, "fifo", OutputFileCase::kNone, "/box/out.txt", false,
                       "not a regular file", ""},
        OutputFileCase{"HardLink", 141, "hardlink", OutputFileCase::kBoundSecret, "/box/out.txt",
                       false, "hard links", ""},
        OutputFileCase{"UnixSocket", 142, "socket", OutputFileCase::kNone, "/box/out.txt", false,
                       "", ""},
        OutputFileCase{"SparseFileOverOutputLimit", 143, "too_large", OutputFileCase::kSize,
                       "/box/out.txt", false, "too large", ""},
        OutputFileCase{"SwappedBySymlinkWhileEnding", 147, "racer", OutputFileCase::kSecretHostPath,
                       "/box/out.txt", true, "", "racer-output\n"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(AttackTest, HardLinkToABoundHostFileIsRefused) {
  SandboxRun run = RunAttack(AttackSpec(148, {Attack("output_files"), "hardlink", "/ro/secret"}));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << last_;
  ExpectErrno("hardlink_host_file", "EXDEV");
  ExpectOk("hardlink_own_file");
}

// --- Case 26: cache poisoning ----------------------------------------------------

// A prepared overlay lower at `lower` shaped like a Go build cache: two
// entries, a README and a world-writable entry (a write to it copies it up).
void MakeCacheLower(const std::string& lower) {
  for (const char* dir : {"", "/00", "/01"}) ASSERT_EQ(mkdir((lower + dir).c_str(), 0755), 0);
  for (auto [name, content] : {std::pair{"/00/aaaa-a", "original-a"},
                               {"/01/bbbb-d", "original-b"},
                               {"/README", "readme"},
                               {"/00/cccc-w", "original-w"}}) {
    std::ofstream(lower + name) << content;
  }
  ASSERT_EQ(chmod((lower + "/00/cccc-w").c_str(), 0666), 0);
  ASSERT_EQ(system((std::string(GOGRADER_SANDBOX_BINARY) + " --prepare-lower " + lower).c_str()),
            0);
}

TEST_F(AttackTest, PoisonedOverlayCacheNeverReachesTheLowerOrTheNextRun) {
  std::string lower = base_dir() + "/lower";
  ASSERT_NO_FATAL_FAILURE(MakeCacheLower(lower));
  const std::string digest = TreeDigest(lower);

  auto spec_for = [&](int slot, const char* mode) {
    SandboxSpec spec = AttackSpec(slot, {Attack("cache_poison"), mode});
    auto* overlay = spec.add_mounts();
    overlay->set_target("/cache");
    overlay->mutable_overlay()->set_lower(lower);
    overlay->mutable_overlay()->set_upper_size_bytes(8 * kMiB);
    return spec;
  };
  SandboxRun poison = RunAttack(spec_for(144, "poison"));
  EXPECT_EQ(poison.result.verdict(), SandboxResult::OK) << last_;
  ExpectOk("overwrite_writable");
  ExpectField("readback_w", "data", "poisoned-w");  // the run saw its own write
  ExpectOk("unlink_readme");
  ExpectOk("new_entry");
  ExpectField("lower_shown", "result", "OK");
  ExpectErrno("lower_direct_write", "ENOENT");  // the host path is not in the sandbox
  EXPECT_EQ(TreeDigest(lower), digest) << "the overlay's lower directory changed";

  for (int slot : {144, 145}) {
    SCOPED_TRACE(absl::StrCat("checker slot ", slot));
    SandboxRun check = RunAttack(spec_for(slot, "check"));
    EXPECT_EQ(check.result.verdict(), SandboxResult::OK) << last_;
    ExpectField("entry_a", "data", "original-a");
    ExpectField("entry_b", "data", "original-b");
    ExpectField("entry_w", "data", "original-w");
    ExpectField("readme", "data", "readme");
    ExpectErrno("new_entry", "ENOENT");
  }
  EXPECT_EQ(TreeDigest(lower), digest) << "the overlay's lower directory changed";
}

// A kept layer (overlay.layer_dir, for the go command's steps of one grading)
// carries a run's writes to the next run that mounts it, and never to the
// lower nor to a run with a private layer.
TEST_F(AttackTest, AKeptOverlayLayerReachesOnlyTheRunsThatMountIt) {
  std::string lower = base_dir() + "/kept-lower", layer = base_dir() + "/kept-layer";
  ASSERT_NO_FATAL_FAILURE(MakeCacheLower(lower));
  ASSERT_EQ(mkdir(layer.c_str(), 0755), 0);  // the grading makes it; the sandbox fills it
  const std::string digest = TreeDigest(lower);
  auto spec_for = [&](const char* mode, const std::string& layer_dir) {
    SandboxSpec spec = AttackSpec(146, {Attack("cache_poison"), mode});
    auto* overlay = spec.add_mounts();
    overlay->set_target("/cache");
    overlay->mutable_overlay()->set_lower(lower);
    overlay->mutable_overlay()->set_layer_dir(layer_dir);
    return spec;
  };
  SandboxRun poison = RunAttack(spec_for("poison", layer));
  EXPECT_EQ(poison.result.verdict(), SandboxResult::OK) << last_;
  ExpectOk("new_entry");
  EXPECT_EQ(TreeDigest(lower), digest) << "the overlay's lower directory changed";

  SandboxRun again = RunAttack(spec_for("check", layer));
  EXPECT_EQ(again.result.verdict(), SandboxResult::OK) << last_;
  ExpectField("entry_w", "data", "poisoned-w");  // the kept layer's own write
  ExpectField("entry_a", "data", "original-a");
  ExpectOk("new_entry");

  SandboxRun fresh = RunAttack(spec_for("check", ""));
  EXPECT_EQ(fresh.result.verdict(), SandboxResult::OK) << last_;
  ExpectField("entry_w", "data", "original-w");
  ExpectErrno("new_entry", "ENOENT");
  EXPECT_EQ(TreeDigest(lower), digest) << "the overlay's lower directory changed";
}

// --- Crashes -----------------------------------------------------------------------

TEST_F(AttackTest, CrashLeavesNoCoreFile) {
  for (auto [mode, signal] : {std::pair{"segv", SIGSEGV}, {"abort", SIGABRT}}) {
    SCOPED_TRACE(mode);
    SandboxSpec spec = AttackSpec(149, {Attack("crash"), mode});
    spec.set_cwd("/box");
    SandboxRun run = RunAttack(spec);
    EXPECT_EQ(run.result.verdict(), SandboxResult::SIGNALED) << last_;
    EXPECT_EQ(run.result.signal(), signal);
    ExpectErrno("raise_core_limit", "EPERM");
    for (const auto& entry : std::filesystem::directory_iterator(box_dir())) {
      EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr("core")));
    }
  }
}

}  // namespace
}  // namespace gograder::sandbox::testing
