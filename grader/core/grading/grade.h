// Grading one submission of one exercise: every step in the sandbox, then the
// rubric's criteria scored from the evidence, in one GradeReport.
#ifndef GOGRADER_GRADER_CORE_GRADING_GRADE_H_
#define GOGRADER_GRADER_CORE_GRADING_GRADE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grader/core/intake/accept.h"
#include "grader/core/rubric/rubric.h"
#include "grader/core/toolchain/slots.h"
#include "grader/core/toolchain/step_runner.h"
#include "grader/core/toolchain/toolchain.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {

struct GraderOptions {
  Toolchain toolchain;
  std::string sandbox_binary;
  std::string inspector_binary;
  std::string work_root;   // where workspaces are made (world-searchable; under the data dir)
  int slot = 0;            // the sandbox slot this grader runs in (one grading at a time per slot)
  bool keep_work = false;  // keep workspaces for debugging
  // Where the reference solution's compiled benchmark binaries are kept
  // between gradings (under the data dir); empty: compiled in every grading.
  std::string reference_cache_dir;
  // Where the host-wide CPU turns are taken (slots.h): benchmark rounds run
  // alone on the host, every other step shares it.
  std::string lock_dir = kSlotLockDir;
};

// Progress of a grading, for streaming: a step started (run unset) or finished.
struct GradeProgress {
  gograder::v1::Step step = gograder::v1::STEP_UNSPECIFIED;
  std::string label;  // "hidden tests", "benchmark round 2 (reference)"
  bool finished = false;
  gograder::v1::StepRun run;  // when finished
};
using ProgressCallback = std::function<void(const GradeProgress&)>;

class Grader {
 public:
  // Checks the options (binaries present, toolchain prepared); the steps
  // run in gograder-sandbox.
  static absl::StatusOr<std::unique_ptr<Grader>> Create(GraderOptions options);
  // The same, with the steps run by `runner` (a fake in tests, the bare host
  // runner of the overhead benchmark); options.sandbox_binary is not used.
  static absl::StatusOr<std::unique_ptr<Grader>> Create(GraderOptions options,
                                                        std::unique_ptr<StepRunner> runner);

  // Grades a submission AcceptSubmission accepted for `exercise` (its checks
  // are not repeated; its digest and notes go into the report). A failure of
  // ours (sandbox, toolchain) gives a report with status GRADING_FAILED and
  // the error, never a score. `progress` may be empty. When `stop` is
  // requested the running step is killed and the answer is Cancelled.
  absl::StatusOr<gograder::v1::GradeReport> Grade(const ExerciseBundle& exercise,
                                                  const Accepted& submission,
                                                  const ProgressCallback& progress = nullptr,
                                                  std::stop_token stop = {}) const;

  // The inspector's normalised token streams of the module at `module_dir`
  // (its -tokens JSON), run in the sandbox on a private copy of the module.
  // With `each`, of every module directly inside `module_dir` in one run
  // (-tokens-each: {"name": {"files": ...}}).
  absl::StatusOr<std::string> InspectorTokens(const std::string& module_dir,
                                              bool each = false) const;

  const GraderOptions& options() const { return options_; }

 private:
  Grader(GraderOptions options, std::unique_ptr<StepRunner> runner)
      : options_(std::move(options)), runner_(std::move(runner)) {}
  GraderOptions options_;
  std::unique_ptr<StepRunner> runner_;
};

// A report of our failure (status GRADING_FAILED): no score, `error` says
// what went wrong on our side.
gograder::v1::GradeReport GradingFailedReport(absl::string_view exercise_id,
                                              absl::string_view error);

// Sums the criteria into the report's score and max score.
void TotalScore(gograder::v1::GradeReport& report);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GRADING_GRADE_H_
