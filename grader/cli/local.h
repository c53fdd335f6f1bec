// What the local subcommands share: exit codes, error printing, a grader on a
// leased sandbox slot, and fresh directories under the data dir.
#ifndef GOGRADER_GRADER_CLI_LOCAL_H_
#define GOGRADER_GRADER_CLI_LOCAL_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

}  // namespace gograder::cli

#endif  // GOGRADER_GRADER_CLI_LOCAL_H_
