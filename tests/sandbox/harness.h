// Test harness of the sandbox attack suite: runs a SandboxSpec through the
// real gograder-sandbox binary (never an attack program on the host), parses
// the SandboxResult, and checks the host after every run:
//   - no process of the slot's host uid is left, the slot's cgroups are empty,
//     no SysV IPC object of the slot uid exists on the host;
//   - nothing new or re-owned appeared in /tmp, /var/tmp, /root, /dev/shm or
//     the test's own directory (beyond the run's own directories);
//   - the host secret (0600, owned by root) was not read (its atime is
//     unchanged) and neither its token nor the supervisor's environment
//     canary appears in anything the run produced;
//   - a helper process started by the test (a TCP server on 127.0.0.1)
//     is still alive and answering, and saw no connection from the sandbox;
//     the test's UDP and abstract unix listeners received nothing.
#ifndef GOGRADER_TESTS_SANDBOX_HARNESS_H_
#define GOGRADER_TESTS_SANDBOX_HARNESS_H_

#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::sandbox::testing {

using ::gograder::v1::SandboxResult;
using ::gograder::v1::SandboxSpec;

// Parsed "probe=NAME key=value ..." lines: name -> key -> value.
using Probes = std::map<std::string, std::map<std::string, std::string>>;
Probes ParseProbes(absl::string_view output);

// Reads a host file (up to 64 MiB) without updating its atime; "" if absent.
std::string ReadHostFile(const std::string& path);

// Why the suite cannot run here ("" when it can): needs root and user namespaces.
std::string SkipReason();

// A listing of a directory tree with each entry's type, mode, owner, size,
// xattrs and a content hash of regular files: equal listings mean an
// unchanged tree.
std::string TreeDigest(const std::string& root);

// Host pids whose real, effective, saved or fs uid is `uid`.
std::vector<pid_t> ProcessesOfUid(uid_t uid);

// What one invocation of gograder-sandbox produced.
struct SandboxRun {
  int exit_status = -1;  // of the gograder-sandbox process (wait status)
  SandboxResult result;
  std::string result_text;       // the text proto as printed
  std::string stderr_text;       // gograder-sandbox's own stderr
  double seconds = 0;            // wall time seen by the test
  std::string Describe() const;  // for failure messages
};

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A spec that runs `argv` with /usr (read-only), /bin, /lib, /lib64
  // symlinks, a 16 MiB /tmp and box_dir() writable at /box, in `slot`, with
  // small limits (wall 5 s, CPU 5 s, 256 MiB, 64 pids, 1 MiB output).
  SandboxSpec BaseSpec(int slot, std::vector<std::string> argv) const;
  // BaseSpec plus the attack binaries at /attacks and ro_dir() at /ro (both
  // read-only).
  SandboxSpec AttackSpec(int slot, std::vector<std::string> argv) const;

  // Runs the spec to completion and checks the host afterwards. Fails the
  // test (non-fatally) if gograder-sandbox itself failed.
  SandboxRun Run(const SandboxSpec& spec);
  // The same in two steps, for tests that act during the run.
  pid_t Start(const SandboxSpec& spec);
  SandboxRun Finish(pid_t pid, const SandboxSpec& spec);

  // Host checks (Run calls it); public so tests can call it again later.
  void CheckHost(const SandboxSpec& spec, const SandboxRun& run);

  // The TCP helper's answer ("pong N") or an error text.
  std::string PingHelper();

  const std::string& base_dir() const { return base_dir_; }
  const std::string& box_dir() const { return box_dir_; }
  const std::string& ro_dir() const { return ro_dir_; }
  const std::string& out_dir() const { return out_dir_; }
  const std::string& secret_path() const { return secret_path_; }
  const std::string& secret_token() const { return secret_token_; }
  const std::string& canary() const { return canary_; }
  int tcp_port() const { return tcp_port_; }
  int udp_port() const { return udp_port_; }
  const std::string& abstract_name() const { return abstract_name_; }
  pid_t helper_pid() const { return helper_pid_; }
  uid_t SlotUid(int slot) const;

 private:
  struct Entry {
    ino_t inode;
    uid_t uid;
    gid_t gid;
    mode_t mode;
  };
  using Snapshot = std::map<std::string, std::map<std::string, Entry>>;
  Snapshot TakeSnapshot() const;
  void CompareSnapshots(const Snapshot& before, const Snapshot& after,
                        const std::set<std::string>& run_dirs) const;
  void StartHelper();

  std::string base_dir_, box_dir_, ro_dir_, out_dir_;
  std::string secret_path_, secret_token_, canary_;
  struct timespec secret_atime_ = {};
  int tcp_port_ = 0, udp_port_ = 0;
  int udp_fd_ = -1, abstract_fd_ = -1;
  std::string abstract_name_;
  pid_t helper_pid_ = -1;
  int pings_ = 0;
  int runs_ = 0;
  std::map<pid_t, Snapshot> snapshots_;  // taken by Start, per run
};

}  // namespace gograder::sandbox::testing

#endif  // GOGRADER_TESTS_SANDBOX_HARNESS_H_
