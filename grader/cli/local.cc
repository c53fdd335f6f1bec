#include "grader/cli/local.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "grader/core/toolchain/toolchain.h"

namespace gograder::cli {
namespace {

namespace fs = std::filesystem;

}  // namespace

absl::StatusOr<core::SlotLease> LeaseSlot(const GlobalOptions& global) {
  if (global.slot >= 0) return core::SlotLease::Acquire(global.slot);
  return core::SlotLease::AcquireAny(core::kFirstCliSlot, core::kLastCliSlot);
}

int Fail(std::ostream& err, const absl::Status& status) {
  err << "gograder: " << status.message() << "\n";
  return status.code() == absl::StatusCode::kInvalidArgument ||
                 status.code() == absl::StatusCode::kNotFound
             ? kBadInput
             : kOurFailure;
}

absl::StatusOr<LocalGrader> MakeGrader(const GlobalOptions& global) {
  auto toolchain = core::OpenToolchain(global.data_dir);
  if (!toolchain.ok()) return toolchain.status();
  ASSIGN_OR_RETURN(core::SlotLease lease, LeaseSlot(global));
  core::GraderOptions options;
  options.toolchain = *std::move(toolchain);
  options.sandbox_binary = global.sandbox;
  options.inspector_binary = global.inspector;
  options.work_root = (fs::path(global.data_dir) / "work").string();
  options.reference_cache_dir = (fs::path(global.data_dir) / "reference-benchmarks").string();
  options.slot = lease.slot();
  options.keep_work = global.keep_work;
  ASSIGN_OR_RETURN(std::unique_ptr<core::Grader> grader, core::Grader::Create(std::move(options)));
  return LocalGrader{std::move(lease), std::move(grader)};
}

absl::StatusOr<std::string> FreshIntakeDir(const GlobalOptions& global, const std::string& kind) {
  fs::path dir = fs::path(global.data_dir) / kind / absl::StrCat(getpid(), "-", rand());
  std::error_code error;
  fs::remove_all(dir, error);
  fs::create_directories(dir, error);
  if (error)
    return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", error.message()));
  return dir.string();
}

}  // namespace gograder::cli
