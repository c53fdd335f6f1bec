// The progress of `gograder batch`: a bar on a terminal, plain lines
// otherwise, and optionally a Prometheus textfile (node_exporter's textfile
// collector) with the batch's progress as gauges.
#ifndef GOGRADER_GRADER_CLI_BATCH_PROGRESS_H_
#define GOGRADER_GRADER_CLI_BATCH_PROGRESS_H_

#include <mutex>
#include <ostream>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::cli {

// One line of progress: "[#####.....]  12/40 graded, 1 build failed, 0
// failed (ours), ETA 2m10s". `width` is the bar's (0: no bar).
std::string ProgressLine(int done, int total, int build_failed, int failed, absl::Duration eta,
                         int width);

// The textfile of the batch's gauges: gograder_batch_submissions{exercise,
// state} with states total, done, build_failed, failed, reused, and
// gograder_batch_updated_seconds.
std::string BatchMetricsText(const std::string& exercise, int total, int done, int build_failed,
                             int failed, int reused);

class BatchProgress {
 public:
  // `total` gradings to do now (besides `reused` earlier reports); writes to
  // `err` (a bar when `terminal`) and, unless empty, to `metrics_file`.
  BatchProgress(int total, int reused, std::string exercise, std::string metrics_file,
                std::ostream& err, bool terminal);

  // One grading finished. Thread-safe.
  void Done(const std::string& student, const gograder::v1::GradeReport& report);

  // Ends the bar's line.
  void Finish();

 private:
  void Show(const std::string& student, const gograder::v1::GradeReport* report);

  const int total_, reused_;
  const std::string exercise_, metrics_file_;
  std::ostream& err_;
  const bool terminal_;
  const absl::Time start_ = absl::Now();
  std::mutex mutex_;
  int done_ = 0, build_failed_ = 0, failed_ = 0;
};

}  // namespace gograder::cli

#endif  // GOGRADER_GRADER_CLI_BATCH_PROGRESS_H_
