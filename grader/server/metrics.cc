// Every metric family of gograderd is defined here, once. Names follow the
// Prometheus conventions: a gograder_ prefix, base units (seconds), _total on
// counters, and labels of bounded cardinality only (exercise names come from
// the loaded rubrics, never from a rejected request).
#include "grader/server/metrics.h"

#include <array>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

#ifndef GOGRADER_VERSION
#define GOGRADER_VERSION "unknown"
#endif
#ifndef GOGRADER_GIT_COMMIT
#define GOGRADER_GIT_COMMIT "unknown"
#endif

namespace gograder::server {
namespace {

using ::prometheus::Counter;
using ::prometheus::Family;
using ::prometheus::Gauge;
using ::prometheus::Histogram;

constexpr std::array<absl::string_view, 3> kRegradeItemStates = {"pending", "graded", "failed"};
constexpr std::array<absl::string_view, 3> kOutcomes = {"graded", "grading_failed", "cancelled"};
constexpr std::array<absl::string_view, 8> kRejectReasons = {
    "invalid_argument",    "queue_full",         "unauthenticated",      "permission_denied",
    "student_queue_limit", "course_queue_limit", "student_hourly_limit", "course_hourly_limit"};

// grpc::StatusCode by number, named as gRPC names them.
constexpr std::array<absl::string_view, 17> kGrpcCodes = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

// Scores are 0..100; one bucket per ten points.
Histogram::BucketBoundaries ScoreBuckets() {
  Histogram::BucketBoundaries buckets;
  for (int score = 0; score <= 100; score += 10) buckets.push_back(score);
  return buckets;
}

// Grading steps run from a fraction of a second (gofmt) to minutes (race,
// bench); whole submissions up to the longest deadline.
Histogram::BucketBoundaries StepBuckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600};
}
Histogram::BucketBoundaries GradingBuckets() {
  return {0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200};
}

// RPCs are answered from memory or SQLite: sub-millisecond to a few seconds
// (Submit persists the archive before it acknowledges).
Histogram::BucketBoundaries RpcBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};
}

// "BUILD" -> "build"; values outside the enum (from a newer peer) keep a
// bounded name.
std::string StepLabel(gograder::v1::Step step) {
  const std::string& name = gograder::v1::Step_Name(step);
  return name.empty() ? "unknown" : absl::AsciiStrToLower(name);
}
std::string VerdictLabel(gograder::v1::SandboxResult::Verdict verdict) {
  const std::string& name = gograder::v1::SandboxResult::Verdict_Name(verdict);
  return name.empty() ? "unknown" : absl::AsciiStrToLower(name);
}
std::string GrpcCodeLabel(int code) {
  if (code < 0 || code >= static_cast<int>(kGrpcCodes.size())) {
    return "UNKNOWN";
  }
  return std::string(kGrpcCodes[code]);
}
// Anything but the documented values is counted as "other", so a caller's
// typo shows up without adding series.
std::string OneOf(absl::string_view value, absl::Span<const absl::string_view> allowed) {
  for (absl::string_view candidate : allowed) {
    if (value == candidate) return std::string(value);
  }
  return "other";
}

}  // namespace

struct Metrics::Families {
  // Declared first so that it outlives the exposer that reads it.
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  Family<Counter>& accepted = prometheus::BuildCounter()
                                  .Name("gograder_submissions_accepted_total")
                                  .Help("Submissions accepted into the grading queue, by exercise.")
                                  .Register(*registry);
  Family<Counter>& finished = prometheus::BuildCounter()
                                  .Name("gograder_submissions_finished_total")
                                  .Help(
                                      "Submissions that left the queue, by exercise and outcome "
                                      "(graded, grading_failed, cancelled).")
                                  .Register(*registry);
  Family<Counter>& rejected = prometheus::BuildCounter()
                                  .Name("gograder_submissions_rejected_total")
                                  .Help("Submissions refused before queueing, by reason.")
                                  .Register(*registry);
  Family<Histogram>& score = prometheus::BuildHistogram()
                                 .Name("gograder_submission_score")
                                 .Help("Total score (0-100) of graded submissions, by exercise.")
                                 .Register(*registry);
  Family<Histogram>& grading_duration =
      prometheus::BuildHistogram()
          .Name("gograder_grading_duration_seconds")
          .Help("Wall time a worker spent on one submission, by outcome.")
          .Register(*registry);
  Family<Histogram>& step_duration =
      prometheus::BuildHistogram()
          .Name("gograder_step_duration_seconds")
          .Help(
              "Wall time of one grading step, sandbox runs included, by "
              "step.")
          .Register(*registry);
  Family<Counter>& verdicts = prometheus::BuildCounter()
                                  .Name("gograder_sandbox_verdicts_total")
                                  .Help("Sandbox verdicts of grading steps, by step and verdict.")
                                  .Register(*registry);
  Family<Gauge>& queue_depth = prometheus::BuildGauge()
                                   .Name("gograder_queue_depth")
                                   .Help("Submissions queued and not yet picked up by a worker.")
                                   .Register(*registry);
  Family<Gauge>& workers_busy = prometheus::BuildGauge()
                                    .Name("gograder_workers_busy")
                                    .Help("Grading workers currently grading a submission.")
                                    .Register(*registry);
  Family<Gauge>& workers = prometheus::BuildGauge()
                               .Name("gograder_workers")
                               .Help("Grading workers configured.")
                               .Register(*registry);
  Family<Gauge>& regrade_items =
      prometheus::BuildGauge()
          .Name("gograder_regrade_items")
          .Help(
              "Submissions of the regrades running now (RegradeAll with items left), by state: "
              "pending (queued or grading), graded, failed (our side; the earlier report stays).")
          .Register(*registry);
  Family<Gauge>& regrades_running = prometheus::BuildGauge()
                                        .Name("gograder_regrades_running")
                                        .Help("RegradeAll runs with submissions still pending.")
                                        .Register(*registry);
  // Items per state of each running regrade, by regrade id.
  std::mutex regrades_mutex;
  std::map<std::string, std::array<int, 3>> regrades;
  Family<Histogram>& rpc_duration =
      prometheus::BuildHistogram()
          .Name("gograder_rpc_duration_seconds")
          .Help("Time to answer a gRPC call, by method and status code.")
          .Register(*registry);
  Family<Gauge>& build_info = prometheus::BuildGauge()
                                  .Name("gograder_build_info")
                                  .Help("Always 1; the labels say which build of gograderd runs.")
                                  .Register(*registry);
  Family<Gauge>& start_time = prometheus::BuildGauge()
                                  .Name("gograder_start_time_seconds")
                                  .Help("Start time of gograderd since the Unix epoch, in seconds.")
                                  .Register(*registry);

  // Declared last: destroyed first, stopping the HTTP threads before the
  // families go away.
  std::unique_ptr<prometheus::Exposer> exposer;
  std::string bound_address;
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Create(const std::string& listen_address) {
  // prometheus-cpp reports bad names and bind failures by throwing; none of
  // that crosses this boundary.
  std::unique_ptr<Metrics> metrics(new Metrics());
  try {
    metrics->families_ = std::make_unique<Families>();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("registering metric families: ", e.what()));
  }
  Families& f = *metrics->families_;

  // Series that alerts and ratios divide by exist from the start, at zero.
  for (absl::string_view reason : kRejectReasons) {
    f.rejected.Add({{"reason", std::string(reason)}});
  }
  for (absl::string_view outcome : kOutcomes) {
    f.grading_duration.Add({{"outcome", std::string(outcome)}}, GradingBuckets());
  }
  for (int step = gograder::v1::Step_MIN + 1; step <= gograder::v1::Step_MAX; ++step) {
    if (!gograder::v1::Step_IsValid(step)) continue;
    f.step_duration.Add({{"step", StepLabel(gograder::v1::Step(step))}}, StepBuckets());
  }
  f.queue_depth.Add({});
  for (absl::string_view state : kRegradeItemStates)
    f.regrade_items.Add({{"state", std::string(state)}});
  f.regrades_running.Add({});
  f.workers_busy.Add({});
  f.workers.Add({});
  f.build_info.Add({{"version", GOGRADER_VERSION}, {"commit", GOGRADER_GIT_COMMIT}}).Set(1);
  f.start_time.Add({}).Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());

  if (!listen_address.empty()) {
    try {
      f.exposer = std::make_unique<prometheus::Exposer>(listen_address,
                                                        /*num_threads=*/2);
    } catch (const std::exception& e) {
      return absl::UnavailableError(
          absl::StrCat("serving metrics on ", listen_address, ": ", e.what()));
    }
    f.exposer->RegisterCollectable(f.registry);
    std::vector<int> ports = f.exposer->GetListeningPorts();
    std::string host = listen_address.substr(0, listen_address.rfind(':'));
    f.bound_address = ports.empty() ? listen_address : absl::StrCat(host, ":", ports[0]);
  }
  return metrics;
}

void Metrics::SubmissionAccepted(const std::string& exercise) {
  families_->accepted.Add({{"exercise", exercise}}).Increment();
  // Zero series for every outcome, so failure ratios are defined at once.
  for (absl::string_view outcome : kOutcomes) {
    families_->finished.Add({{"exercise", exercise}, {"outcome", std::string(outcome)}});
  }
}

void Metrics::SubmissionFinished(const std::string& exercise, absl::string_view outcome,
                                 double score, double seconds) {
  std::string outcome_label = OneOf(outcome, kOutcomes);
  families_->finished.Add({{"exercise", exercise}, {"outcome", outcome_label}}).Increment();
  if (outcome_label == "graded") {
    families_->score.Add({{"exercise", exercise}}, ScoreBuckets()).Observe(score);
  }
  families_->grading_duration.Add({{"outcome", outcome_label}}, GradingBuckets()).Observe(seconds);
}

void Metrics::SubmissionRejected(absl::string_view reason) {
  families_->rejected.Add({{"reason", OneOf(reason, kRejectReasons)}}).Increment();
}

void Metrics::StepFinished(gograder::v1::Step step, gograder::v1::SandboxResult::Verdict verdict,
                           double seconds) {
  std::string step_label = StepLabel(step);
  families_->step_duration.Add({{"step", step_label}}, StepBuckets()).Observe(seconds);
  families_->verdicts.Add({{"step", step_label}, {"verdict", VerdictLabel(verdict)}}).Increment();
}

void Metrics::SetQueueDepth(int depth) { families_->queue_depth.Add({}).Set(depth); }

void Metrics::RegradeProgress(const std::string& regrade_id, int pending, int graded, int failed,
                              bool reverted) {
  Families& f = *families_;
  std::lock_guard<std::mutex> lock(f.regrades_mutex);
  if (pending == 0 || reverted) {
    f.regrades.erase(regrade_id);
  } else {
    f.regrades[regrade_id] = {pending, graded, failed};
  }
  std::array<int, 3> sums = {0, 0, 0};
  for (const auto& [id, counts] : f.regrades) {
    for (size_t i = 0; i < sums.size(); ++i) sums[i] += counts[i];
  }
  for (size_t i = 0; i < sums.size(); ++i) {
    f.regrade_items.Add({{"state", std::string(kRegradeItemStates[i])}}).Set(sums[i]);
  }
  f.regrades_running.Add({}).Set(static_cast<double>(f.regrades.size()));
}

void Metrics::SetWorkersBusy(int busy) { families_->workers_busy.Add({}).Set(busy); }

void Metrics::SetWorkers(int workers) { families_->workers.Add({}).Set(workers); }

void Metrics::RpcFinished(absl::string_view method, int grpc_code, double seconds) {
  families_->rpc_duration
      .Add({{"method", std::string(method)}, {"code", GrpcCodeLabel(grpc_code)}}, RpcBuckets())
      .Observe(seconds);
}

std::string Metrics::Scrape() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families_->registry->Collect());
  return out.str();
}

std::string Metrics::BoundAddress() const { return families_->bound_address; }

}  // namespace gograder::server
