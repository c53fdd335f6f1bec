#include "grader/cli/batch_progress.h"

#include <filesystem>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/files.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace gograder::cli {

using ::gograder::v1::GradeReport;

std::string ProgressLine(int done, int total, int build_failed, int failed, absl::Duration eta,
                         int width) {
  std::string bar;
  if (width > 0) {
    int filled = total > 0 ? width * done / total : width;
    bar = absl::StrCat("[", std::string(filled, '#'), std::string(width - filled, '.'), "] ");
  }
  std::string left =
      done >= total ? "done"
      : eta == absl::InfiniteDuration()
          ? "ETA unknown"
          : absl::StrCat("ETA ", absl::FormatDuration(absl::Trunc(eta, absl::Seconds(1))));
  return absl::StrFormat("%s%d/%d graded, %d build failed, %d failed (ours), %s", bar, done, total,
                         build_failed, failed, left);
}

std::string BatchMetricsText(const std::string& exercise, int total, int done, int build_failed,
                             int failed, int reused) {
  prometheus::Registry registry;
  auto& submissions = prometheus::BuildGauge()
                          .Name("gograder_batch_submissions")
                          .Help(
                              "Submissions of a gograder batch run, by state: total (to grade "
                              "now), done, build_failed, failed (on our side), reused (graded "
                              "by an earlier run).")
                          .Register(registry);
  const std::pair<const char*, int> states[] = {{"total", total},
                                                {"done", done},
                                                {"build_failed", build_failed},
                                                {"failed", failed},
                                                {"reused", reused}};
  for (const auto& [state, value] : states) {
    submissions.Add({{"exercise", exercise}, {"state", state}}).Set(value);
  }
  prometheus::BuildGauge()
      .Name("gograder_batch_updated_seconds")
      .Help("When the batch's progress was last written, since the Unix epoch.")
      .Register(registry)
      .Add({{"exercise", exercise}})
      .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, registry.Collect());
  return text.str();
}

BatchProgress::BatchProgress(int total, int reused, std::string exercise, std::string metrics_file,
                             std::ostream& err, bool terminal)
    : total_(total),
      reused_(reused),
      exercise_(std::move(exercise)),
      metrics_file_(std::move(metrics_file)),
      err_(err),
      terminal_(terminal) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reused_ > 0) {
    err_ << "batch: " << reused_ << " report(s) reused (same files and rubric as the last run)\n";
  }
  Show("", nullptr);
}

void BatchProgress::Done(const std::string& student, const GradeReport& report) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  if (report.status() != GradeReport::GRADED) {
    ++failed_;
  } else if (report.build_failed()) {
    ++build_failed_;
  }
  Show(student, &report);
}

void BatchProgress::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (terminal_) err_ << "\n" << std::flush;
}

void BatchProgress::Show(const std::string& student, const GradeReport* report) {
  absl::Duration eta = absl::InfiniteDuration();
  if (done_ > 0) eta = (absl::Now() - start_) / done_ * (total_ - done_);
  if (terminal_) {
    err_ << "\r\033[K" << ProgressLine(done_, total_, build_failed_, failed_, eta, 30)
         << std::flush;
  } else if (report != nullptr) {
    std::string outcome = report->status() == GradeReport::GRADED
                              ? absl::StrFormat("%.2f/%.2f", report->score(), report->max_score())
                              : "grading failed (ours)";
    err_ << "batch: " << student << " " << outcome << "; "
         << ProgressLine(done_, total_, build_failed_, failed_, eta, 0) << "\n"
         << std::flush;
  }
  if (!metrics_file_.empty()) {
    std::string partial = metrics_file_ + ".partial";
    std::error_code error;
    if (WriteWholeFile(partial,
                       BatchMetricsText(exercise_, total_, done_, build_failed_, failed_, reused_))
            .ok()) {
      std::filesystem::rename(partial, metrics_file_, error);
    }
  }
}

}  // namespace gograder::cli
