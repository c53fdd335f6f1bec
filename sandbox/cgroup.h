// Per-slot control groups: memory (with swap), pids, CPU accounting,
// cpuset and hugetlb (limit 0), through cgroup v2 where its controllers are
// delegated and cgroup v1 otherwise. A slot's cgroups are created once and reused by every run.
#ifndef GOGRADER_SANDBOX_CGROUP_H_
#define GOGRADER_SANDBOX_CGROUP_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::sandbox {

// What a run consumed, read from the slot's cgroups after it ended.
struct CgroupUsage {
  int64_t cpu_time_ns = 0;
  int64_t peak_memory_bytes = 0;
  int64_t oom_kills = 0;  // OOM kills since the cgroup was created
};

// Limits applied to a slot before each run.
struct CgroupLimits {
  int64_t memory_bytes = 0;  // RAM + swap
  int64_t pids = 0;
  std::string cpus;  // cpuset list; empty = the parent's
};

class SlotCgroup {
 public:
  // Finds the cgroup hierarchy (v2 with memory+pids+cpu, else v1) and creates
  // <hierarchy>/<parent>/slot-<slot> in each controller if it is missing.
  static absl::StatusOr<SlotCgroup> Open(int slot, absl::string_view parent = "gograder");

  // Kills leftovers, resets the peak and CPU counters and writes `limits`.
  absl::Status PrepareRun(const CgroupLimits& limits);

  // Files into which a single-threaded process writes "0" to move itself into
  // the slot: v1 "tasks" files, whose self-move skips the global cgroup lock
  // (and its RCU grace period, several ms); "cgroup.procs" on v2.
  std::vector<std::string> SelfJoinFiles() const;

  // CPU time used since PrepareRun, in nanoseconds.
  absl::StatusOr<int64_t> CpuTimeNs() const;

  // CPU, peak memory and OOM kill count since PrepareRun.
  absl::StatusOr<CgroupUsage> ReadUsage() const;

  // Process ids currently in the slot.
  absl::StatusOr<std::vector<pid_t>> Processes() const;

  // SIGKILLs every process in the slot (freezing first where possible) until it is empty.
  absl::Status KillAll() const;

  // "v1" or "v2".
  absl::string_view version() const { return v2_ ? "v2" : "v1"; }

  // Directories of the slot, one per controller (one in all for v2).
  const std::vector<std::string>& directories() const { return directories_; }

 private:
  // Sets every huge page size's limit to 0 where a hugetlb controller is
  // available (seccomp denies the hugetlb flags in any case).
  absl::Status DenyHugePages() const;

  bool v2_ = false;
  std::string memory_dir_, pids_dir_, cpu_dir_, cpuset_dir_, freezer_dir_, hugetlb_dir_;
  std::vector<std::string> directories_;
  int64_t oom_kills_before_run_ = 0;
};

// Reads a whole small file (cgroup or proc file).
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

// Writes `content` to an existing file (cgroup control files).
absl::Status WriteSmallFile(const std::string& path, absl::string_view content);

}  // namespace gograder::sandbox

#endif  // GOGRADER_SANDBOX_CGROUP_H_
