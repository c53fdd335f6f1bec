// What the local subcommands share: exit codes, error printing, a grader on a
// leased sandbox slot, and fresh directories under the data dir.
#ifndef GOGRADER_GRADER_CLI_LOCAL_H_
#define GOGRADER_GRADER_CLI_LOCAL_H_

#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grader/cli/commands.h"
#include "grader/core/grading/grade.h"
#include "grader/core/toolchain/slots.h"

namespace gograder::cli {

inline constexpr int kOk = 0, kBelowMinimum = 1, kBadInput = 2, kOurFailure = 3;

// Prints "gograder: <message>" and returns kBadInput for bad input
// (InvalidArgument, NotFound), kOurFailure otherwise.
int Fail(std::ostream& err, const absl::Status& status);

// The slot named by --slot, or a free one of the CLI's range.
absl::StatusOr<core::SlotLease> LeaseSlot(const GlobalOptions& global);

// A grader on a slot this process holds.
struct LocalGrader {
  core::SlotLease slot;
  std::unique_ptr<core::Grader> grader;
};

// A grader on the slot named by --slot, or on a free one of the CLI's range.
absl::StatusOr<LocalGrader> MakeGrader(const GlobalOptions& global);

// A fresh directory under DATA_DIR/<kind> (intake: a submission's files;
// sample: a composed sample).
absl::StatusOr<std::string> FreshIntakeDir(const GlobalOptions& global,
                                           const std::string& kind = "intake");

// Runs `body(worker, i)` for every i in [0, count) on `threads` threads.
// Each thread first makes its own `worker` with `make` (a grader on a slot of
// its own, a client of gograderd); a thread whose `make` fails takes no item.
// `body` runs outside any lock. InternalError naming those failures when no
// thread could take the items.
template <typename Worker>
absl::Status ForEachOnWorkers(size_t count, int threads,
                              const std::function<absl::StatusOr<Worker>()>& make,
                              const std::function<void(Worker&, size_t)>& body) {
  std::mutex mutex;
  size_t next = 0;
  std::vector<std::string> errors;
  auto work = [&] {
    absl::StatusOr<Worker> worker = make();
    if (!worker.ok()) {
      std::lock_guard<std::mutex> lock(mutex);
      errors.push_back(std::string(worker.status().message()));
      return;
    }
    while (true) {
      size_t index;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next >= count) return;
        index = next++;
      }
      body(*worker, index);
    }
  };
  std::vector<std::thread> started;
  for (int i = 0; i < threads; ++i) started.emplace_back(work);
  for (std::thread& thread : started) thread.join();
  if (next < count) {
    return absl::InternalError(
        absl::StrCat("no worker could grade: ", absl::StrJoin(errors, "; ")));
  }
  return absl::OkStatus();
}

}  // namespace gograder::cli

#endif  // GOGRADER_GRADER_CLI_LOCAL_H_
