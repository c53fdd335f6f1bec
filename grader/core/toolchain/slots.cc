#include "grader/core/toolchain/slots.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"

namespace gograder::core {
namespace {

// Opens (creating) the lock file `name` in `lock_dir`.
absl::StatusOr<UniqueFd> OpenLock(const std::string& lock_dir, const std::string& name) {
  if (mkdir(lock_dir.c_str(), 01777) == 0) {
    chmod(lock_dir.c_str(), 01777);  // whatever the umask said
  } else if (errno != EEXIST) {
    return ErrnoStatus(absl::StrCat("create ", lock_dir));
  }
  std::string path = absl::StrCat(lock_dir, "/", name);
  // Read-only is enough for flock, and works on a lock file another uid created.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return ErrnoStatus(absl::StrCat("open ", path));
  return fd;
}

// Tries flock(`operation` | LOCK_NB): true when taken, false when held elsewhere.
absl::StatusOr<bool> TryFlock(int fd, int operation) {
  if (flock(fd, operation | LOCK_NB) == 0) return true;
  if (errno == EWOULDBLOCK) return false;
  return ErrnoStatus("flock");
}

// Waits for flock(`operation`), polling so that `stop` is noticed.
absl::Status WaitFlock(int fd, int operation, const std::stop_token& stop) {
  for (auto pause = absl::Microseconds(100);; pause = std::min(pause * 2, absl::Milliseconds(5))) {
    ASSIGN_OR_RETURN(bool taken, TryFlock(fd, operation));
    if (taken) return absl::OkStatus();
    if (stop.stop_requested()) return absl::CancelledError("stopped while waiting for a CPU turn");
    absl::SleepFor(pause);
  }
}

// The lock of `slot`, or an empty UniqueFd when another process holds it.
absl::StatusOr<UniqueFd> TryLock(int slot, const std::string& lock_dir) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenLock(lock_dir, absl::StrCat("slot-", slot, ".lock")));
  ASSIGN_OR_RETURN(bool taken, TryFlock(fd.get(), LOCK_EX));
  return taken ? std::move(fd) : UniqueFd();
}

}  // namespace

int DefaultGradingWorkers() {
  return 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

absl::StatusOr<SlotLease> SlotLease::Acquire(int slot, const std::string& lock_dir) {
  if (slot < 0 || slot > 1023) {
    return absl::InvalidArgumentError(absl::StrCat("sandbox slot ", slot, " is not in 0..1023"));
  }
  ASSIGN_OR_RETURN(UniqueFd lock, TryLock(slot, lock_dir));
  if (!lock.valid()) {
    return absl::FailedPreconditionError(
        absl::StrCat("sandbox slot ", slot, " is in use by another gograder process (", lock_dir,
                     "/slot-", slot, ".lock); leave --slot out to take a free one"));
  }
  return SlotLease(slot, std::move(lock));
}

absl::StatusOr<SlotLease> SlotLease::AcquireAny(int first, int last, const std::string& lock_dir) {
  for (int slot = first; slot <= last; ++slot) {
    ASSIGN_OR_RETURN(UniqueFd lock, TryLock(slot, lock_dir));
    if (lock.valid()) return SlotLease(slot, std::move(lock));
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("every sandbox slot of ", first, "..", last, " is in use (", lock_dir, ")"));
}

absl::StatusOr<CpuTurn> CpuTurn::Take(bool exclusive, std::stop_token stop,
                                      const std::string& lock_dir) {
  ASSIGN_OR_RETURN(UniqueFd gate, OpenLock(lock_dir, "cpu-gate.lock"));
  ASSIGN_OR_RETURN(UniqueFd cpu, OpenLock(lock_dir, "cpu.lock"));
  if (exclusive) {
    RETURN_IF_ERROR(WaitFlock(gate.get(), LOCK_EX, stop));  // no new shared turn from now on
    RETURN_IF_ERROR(WaitFlock(cpu.get(), LOCK_EX, stop));   // the running ones end
    return CpuTurn(std::move(cpu), std::move(gate));
  }
  RETURN_IF_ERROR(WaitFlock(gate.get(), LOCK_SH, stop));  // passes unless an exclusive turn waits
  RETURN_IF_ERROR(WaitFlock(cpu.get(), LOCK_SH, stop));
  return CpuTurn(std::move(cpu), UniqueFd());  // the gate closes with its fd
}

}  // namespace gograder::core
