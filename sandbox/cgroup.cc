#include "sandbox/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"

namespace gograder::sandbox {
namespace {

struct Hierarchies {
  std::string v2;           // cgroup2 mount with memory + pids, or empty
  bool v2_hugetlb = false;  // the cgroup2 mount offers the hugetlb controller
  std::string memory, pids, cpuacct, cpuset, freezer, hugetlb;  // v1 mounts
};

Hierarchies FindHierarchies() {
  Hierarchies found;
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  while (std::getline(mounts, line)) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    if (fields.size() < 4) continue;
    const std::string& dir = fields[1];
    if (fields[2] == "cgroup2") {
      auto controllers = ReadSmallFile(dir + "/cgroup.controllers");
      if (!controllers.ok()) continue;
      std::vector<absl::string_view> names =
          absl::StrSplit(absl::StripAsciiWhitespace(*controllers), ' ');
      bool memory = false, pids = false, hugetlb = false;
      for (auto name : names) {
        memory |= name == "memory";
        pids |= name == "pids";
        hugetlb |= name == "hugetlb";
      }
      if (memory && pids) {
        found.v2 = dir;
        found.v2_hugetlb = hugetlb;
      }
    } else if (fields[2] == "cgroup") {
      for (absl::string_view option : absl::StrSplit(fields[3], ',')) {
        if (option == "memory") found.memory = dir;
        if (option == "pids") found.pids = dir;
        if (option == "cpuacct") found.cpuacct = dir;
        if (option == "cpuset") found.cpuset = dir;
        if (option == "freezer") found.freezer = dir;
        if (option == "hugetlb") found.hugetlb = dir;
      }
    }
  }
  return found;
}

absl::Status MakeDirectory(const std::string& path) {
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + path);
  return absl::OkStatus();
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// A v1 cpuset cgroup starts with empty cpus and mems and refuses tasks until both are set.
absl::Status InheritCpuset(const std::string& parent, const std::string& child) {
  for (const char* file : {"/cpuset.cpus", "/cpuset.mems"}) {
    ASSIGN_OR_RETURN(std::string current, ReadSmallFile(child + file));
    if (!absl::StripAsciiWhitespace(current).empty()) continue;
    ASSIGN_OR_RETURN(std::string value, ReadSmallFile(parent + file));
    RETURN_IF_ERROR(WriteSmallFile(child + file, absl::StripAsciiWhitespace(value)));
  }
  return absl::OkStatus();
}

// Creates mount/parent/slot-N (and the cpuset values a v1 cpuset needs).
absl::StatusOr<std::string> CreateSlotDirectory(const std::string& mount, absl::string_view parent,
                                                int slot, bool v1_cpuset) {
  std::string parent_dir = absl::StrCat(mount, "/", parent);
  std::string slot_dir = absl::StrCat(parent_dir, "/slot-", slot);
  if (Exists(slot_dir + "/cgroup.procs")) return slot_dir;  // made by an earlier run
  RETURN_IF_ERROR(MakeDirectory(parent_dir));
  if (v1_cpuset) RETURN_IF_ERROR(InheritCpuset(mount, parent_dir));
  RETURN_IF_ERROR(MakeDirectory(slot_dir));
  if (v1_cpuset) RETURN_IF_ERROR(InheritCpuset(parent_dir, slot_dir));
  return slot_dir;
}

absl::StatusOr<int64_t> ReadInt(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  int64_t value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value)) {
    return absl::InternalError(absl::StrCat(path, ": not a number: ", text));
  }
  return value;
}

// Reads "key value" lines (memory.stat, memory.events, cpu.stat, memory.oom_control).
absl::StatusOr<int64_t> ReadKeyedInt(const std::string& path, absl::string_view key) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ' ');
    int64_t value = 0;
    if (kv.first == key && absl::SimpleAtoi(kv.second, &value)) return value;
  }
  return int64_t{0};
}

}  // namespace

absl::Status SlotCgroup::DenyHugePages() const {
  if (hugetlb_dir_.empty()) return absl::OkStatus();
  // One limit file per huge page size: hugetlb.2MB.max (v2; not the .rsvd.
  // ones) or hugetlb.2MB.limit_in_bytes (v1).
  absl::string_view suffix = v2_ ? ".max" : ".limit_in_bytes";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(hugetlb_dir_, error)) {
    std::string name = entry.path().filename().string();
    if (!absl::StartsWith(name, "hugetlb.") || !absl::EndsWith(name, suffix) ||
        absl::StrContains(name, ".rsvd.")) {
      continue;
    }
    RETURN_IF_ERROR(WriteSmallFile(entry.path().string(), "0"));
  }
  if (error) return absl::InternalError(absl::StrCat("list ", hugetlb_dir_, ": ", error.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path);
  std::string content;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) content.append(buffer, n);
  int err = errno;
  close(fd);
  if (n < 0) return ErrnoStatus("read " + path, err);
  return content;
}

absl::Status WriteSmallFile(const std::string& path, absl::string_view content) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path);
  ssize_t n = write(fd, content.data(), content.size());
  int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(content.size())) {
    return ErrnoStatus(absl::StrCat("write \"", content, "\" to ", path), n < 0 ? err : EIO);
  }
  return absl::OkStatus();
}

absl::StatusOr<SlotCgroup> SlotCgroup::Open(int slot, absl::string_view parent) {
  Hierarchies found = FindHierarchies();
  SlotCgroup cgroup;
  if (!found.v2.empty()) {
    cgroup.v2_ = true;
    // Children of a v2 cgroup get controllers only through subtree_control.
    std::string controllers =
        absl::StrCat("+memory +pids +cpu +cpuset", found.v2_hugetlb ? " +hugetlb" : "");
    RETURN_IF_ERROR(WriteSmallFile(found.v2 + "/cgroup.subtree_control", controllers));
    std::string parent_dir = absl::StrCat(found.v2, "/", parent);
    RETURN_IF_ERROR(MakeDirectory(parent_dir));
    RETURN_IF_ERROR(WriteSmallFile(parent_dir + "/cgroup.subtree_control", controllers));
    ASSIGN_OR_RETURN(std::string dir, CreateSlotDirectory(found.v2, parent, slot, false));
    cgroup.memory_dir_ = cgroup.pids_dir_ = cgroup.cpu_dir_ = cgroup.cpuset_dir_ = dir;
    cgroup.freezer_dir_ = dir;
    if (found.v2_hugetlb) cgroup.hugetlb_dir_ = dir;
    cgroup.directories_ = {dir};
  } else {
    if (found.memory.empty() || found.pids.empty() || found.cpuacct.empty()) {
      return absl::FailedPreconditionError(
          "no usable cgroups: need cgroup v2 with memory and pids delegated, or the v1 memory, "
          "pids and cpuacct controllers mounted");
    }
    ASSIGN_OR_RETURN(cgroup.memory_dir_, CreateSlotDirectory(found.memory, parent, slot, false));
    ASSIGN_OR_RETURN(cgroup.pids_dir_, CreateSlotDirectory(found.pids, parent, slot, false));
    ASSIGN_OR_RETURN(cgroup.cpu_dir_, CreateSlotDirectory(found.cpuacct, parent, slot, false));
    cgroup.directories_ = {cgroup.memory_dir_, cgroup.pids_dir_, cgroup.cpu_dir_};
    if (!found.cpuset.empty()) {
      ASSIGN_OR_RETURN(cgroup.cpuset_dir_, CreateSlotDirectory(found.cpuset, parent, slot, true));
      cgroup.directories_.push_back(cgroup.cpuset_dir_);
    }
    if (!found.freezer.empty()) {
      ASSIGN_OR_RETURN(cgroup.freezer_dir_,
                       CreateSlotDirectory(found.freezer, parent, slot, false));
      cgroup.directories_.push_back(cgroup.freezer_dir_);
    }
    if (!found.hugetlb.empty()) {
      ASSIGN_OR_RETURN(cgroup.hugetlb_dir_,
                       CreateSlotDirectory(found.hugetlb, parent, slot, false));
      cgroup.directories_.push_back(cgroup.hugetlb_dir_);
    }
  }
  return cgroup;
}

absl::Status SlotCgroup::PrepareRun(const CgroupLimits& limits) {
  ASSIGN_OR_RETURN(std::vector<pid_t> leftovers, Processes());
  if (!leftovers.empty()) RETURN_IF_ERROR(KillAll());
  RETURN_IF_ERROR(DenyHugePages());
  std::string memory = absl::StrCat(limits.memory_bytes);
  if (v2_) {
    RETURN_IF_ERROR(WriteSmallFile(memory_dir_ + "/memory.max", memory));
    RETURN_IF_ERROR(WriteSmallFile(memory_dir_ + "/memory.swap.max", "0"));
    // memory.peak cannot be reset for other readers: on v2 the peak covers the slot's life.
    RETURN_IF_ERROR(WriteSmallFile(pids_dir_ + "/pids.max", absl::StrCat(limits.pids)));
    if (!limits.cpus.empty())
      RETURN_IF_ERROR(WriteSmallFile(cpuset_dir_ + "/cpuset.cpus", limits.cpus));
    ASSIGN_OR_RETURN(oom_kills_before_run_,
                     ReadKeyedInt(memory_dir_ + "/memory.events", "oom_kill"));
    return absl::OkStatus();
  }
  // v1: memsw (RAM + swap) must never be below the RAM limit, so order the two writes.
  std::string memsw = memory_dir_ + "/memory.memsw.limit_in_bytes";
  bool has_memsw = Exists(memsw);
  absl::Status lowered = WriteSmallFile(memory_dir_ + "/memory.limit_in_bytes", memory);
  if (has_memsw) RETURN_IF_ERROR(WriteSmallFile(memsw, memory));
  if (!lowered.ok())
    RETURN_IF_ERROR(WriteSmallFile(memory_dir_ + "/memory.limit_in_bytes", memory));
  RETURN_IF_ERROR(WriteSmallFile(memory_dir_ + "/memory.max_usage_in_bytes", "0"));
  if (has_memsw)
    RETURN_IF_ERROR(WriteSmallFile(memory_dir_ + "/memory.memsw.max_usage_in_bytes", "0"));
  RETURN_IF_ERROR(WriteSmallFile(pids_dir_ + "/pids.max", absl::StrCat(limits.pids)));
  RETURN_IF_ERROR(WriteSmallFile(cpu_dir_ + "/cpuacct.usage", "0"));
  if (!cpuset_dir_.empty() && !limits.cpus.empty()) {
    RETURN_IF_ERROR(WriteSmallFile(cpuset_dir_ + "/cpuset.cpus", limits.cpus));
  }
  ASSIGN_OR_RETURN(oom_kills_before_run_,
                   ReadKeyedInt(memory_dir_ + "/memory.oom_control", "oom_kill"));
  return absl::OkStatus();
}

std::vector<std::string> SlotCgroup::SelfJoinFiles() const {
  std::vector<std::string> files;
  for (const std::string& dir : directories_)
    files.push_back(dir + (v2_ ? "/cgroup.procs" : "/tasks"));
  return files;
}

absl::StatusOr<int64_t> SlotCgroup::CpuTimeNs() const {
  if (v2_) {
    ASSIGN_OR_RETURN(int64_t usec, ReadKeyedInt(cpu_dir_ + "/cpu.stat", "usage_usec"));
    return usec * 1000;
  }
  return ReadInt(cpu_dir_ + "/cpuacct.usage");
}

absl::StatusOr<CgroupUsage> SlotCgroup::ReadUsage() const {
  CgroupUsage usage;
  ASSIGN_OR_RETURN(usage.cpu_time_ns, CpuTimeNs());
  int64_t oom_kills = 0;
  if (v2_) {
    if (Exists(memory_dir_ + "/memory.peak")) {
      ASSIGN_OR_RETURN(usage.peak_memory_bytes, ReadInt(memory_dir_ + "/memory.peak"));
    }
    ASSIGN_OR_RETURN(oom_kills, ReadKeyedInt(memory_dir_ + "/memory.events", "oom_kill"));
  } else {
    std::string memsw_peak = memory_dir_ + "/memory.memsw.max_usage_in_bytes";
    ASSIGN_OR_RETURN(
        usage.peak_memory_bytes,
        ReadInt(Exists(memsw_peak) ? memsw_peak : memory_dir_ + "/memory.max_usage_in_bytes"));
    ASSIGN_OR_RETURN(oom_kills, ReadKeyedInt(memory_dir_ + "/memory.oom_control", "oom_kill"));
  }
  usage.oom_kills = oom_kills - oom_kills_before_run_;
  return usage;
}

absl::StatusOr<std::vector<pid_t>> SlotCgroup::Processes() const {
  // Every process of a run joins all controllers at once (init joins before it
  // forks), so the pids controller alone lists them all.
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(pids_dir_ + "/cgroup.procs"));
  std::vector<pid_t> pids;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    pid_t pid = 0;
    if (absl::SimpleAtoi(line, &pid)) pids.push_back(pid);
  }
  return pids;
}

absl::Status SlotCgroup::KillAll() const {
  if (v2_ && Exists(memory_dir_ + "/cgroup.kill")) {
    RETURN_IF_ERROR(WriteSmallFile(memory_dir_ + "/cgroup.kill", "1"));
  }
  std::string freeze_file = freezer_dir_.empty() ? ""
                            : v2_                ? freezer_dir_ + "/cgroup.freeze"
                                                 : freezer_dir_ + "/freezer.state";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    ASSIGN_OR_RETURN(std::vector<pid_t> pids, Processes());
    if (pids.empty()) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::InternalError(absl::StrCat("cgroup ", memory_dir_, " still has ", pids.size(),
                                              " processes after SIGKILL"));
    }
    // Frozen processes cannot fork between the read of cgroup.procs and the kill.
    if (!freeze_file.empty()) (void)WriteSmallFile(freeze_file, v2_ ? "1" : "FROZEN");
    for (pid_t pid : pids) kill(pid, SIGKILL);
    if (!freeze_file.empty()) (void)WriteSmallFile(freeze_file, v2_ ? "0" : "THAWED");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return absl::OkStatus();
}

}  // namespace gograder::sandbox
