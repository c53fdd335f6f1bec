// Host-wide allocation of sandbox slots. Each slot has its own host uid and
// cgroups, and two runs of one slot wait for each other, so two graders on
// one slot (two `gograder grade` at once, a daemon beside the test suite)
// delay each other past their guards. A lease is an flock on
// /run/lock/gograder-slots/slot-N.lock: it is released when the lease is
// destroyed or its process dies, however it dies.
#ifndef GOGRADER_GRADER_CORE_TOOLCHAIN_SLOTS_H_
#define GOGRADER_GRADER_CORE_TOOLCHAIN_SLOTS_H_

#include <stop_token>
#include <string>

#include "absl/status/statusor.h"
#include "base/fd.h"

namespace gograder::core {

// Where the slot locks live (created 01777 if missing).
inline constexpr char kSlotLockDir[] = "/run/lock/gograder-slots";

// The slot ranges by default (the sandbox has 0..1023): the CLI and `rubric
// test` take free slots of 1..99, gograderd's workers 100.., and the test
// suite names its slots explicitly in 900..999.
inline constexpr int kFirstCliSlot = 1;
inline constexpr int kLastCliSlot = 99;

// Gradings at once by default, for gograderd's workers and `rubric test`:
// two per core, since a grading spends much of its time in tests that wait
// (servers, timers) and CPU turns keep benchmark rounds alone on the host
// (bench-batch, 2 cores: 21.5 submissions a minute with 2 workers, 32.6 with
// 4, under the same load).
int DefaultGradingWorkers();

class SlotLease {
 public:
  // Takes `slot`, or FailedPrecondition when another process holds it.
  static absl::StatusOr<SlotLease> Acquire(int slot, const std::string& lock_dir = kSlotLockDir);
  // Takes the lowest free slot of first..last, or ResourceExhausted.
  static absl::StatusOr<SlotLease> AcquireAny(int first, int last,
                                              const std::string& lock_dir = kSlotLockDir);

  // The slot held.
  int slot() const { return slot_; }

 private:
  SlotLease(int slot, UniqueFd lock) : slot_(slot), lock_(std::move(lock)) {}
  int slot_;
  UniqueFd lock_;
};

// A turn on the host's CPUs, host-wide (all gograder processes): benchmark
// rounds take an exclusive turn, so no other grading's step shares the CPU
// they time; every other step takes a shared one. Exclusive turns go first:
// once one waits, no new shared turn starts (a gate lock in front of the
// CPU lock). Released when destroyed or when the process dies.
class CpuTurn {
 public:
  // Waits for a shared (or, with `exclusive`, an exclusive) turn; Cancelled
  // when `stop` is requested while waiting.
  static absl::StatusOr<CpuTurn> Take(bool exclusive, std::stop_token stop = {},
                                      const std::string& lock_dir = kSlotLockDir);

 private:
  explicit CpuTurn(UniqueFd cpu, UniqueFd gate) : cpu_(std::move(cpu)), gate_(std::move(gate)) {}
  UniqueFd cpu_;
  UniqueFd gate_;  // held by an exclusive turn
};

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_TOOLCHAIN_SLOTS_H_
