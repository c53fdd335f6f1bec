// Prometheus metrics of gograderd: every metric family of the daemon is
// defined once, in metrics.cc, and recorded through the small helpers below.
// The exposition is served on its own port (prometheus-cpp's Exposer), apart
// from the gRPC port.
#ifndef GRADER_SERVER_METRICS_H_
#define GRADER_SERVER_METRICS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/rubric.pb.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::server {

// All metric families of gograderd, defined once (prometheus-cpp), and the
// helpers that record them. Thread-safe.
class Metrics {
 public:
  // Registers every family; when `listen_address` is non-empty
  // ("127.0.0.1:9464"), serves /metrics there.
  static absl::StatusOr<std::unique_ptr<Metrics>> Create(const std::string& listen_address);

  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;
  ~Metrics();

  // Counts a submission accepted into the queue:
  // gograder_submissions_accepted_total{exercise}.
  void SubmissionAccepted(const std::string& exercise);

  // Records a submission that left the queue. `outcome` is graded,
  // grading_failed or cancelled; counts gograder_submissions_finished_total
  // {exercise,outcome}, observes `score` (0..100) in
  // gograder_submission_score{exercise} when graded, and `seconds` of grading
  // in gograder_grading_duration_seconds{outcome}.
  void SubmissionFinished(const std::string& exercise, absl::string_view outcome, double score,
                          double seconds);

  // Counts a submission refused at the door:
  // gograder_submissions_rejected_total{reason}, reason one of
  // invalid_argument, queue_full, unauthenticated, permission_denied, or the
  // fair-queue limit that refused it: student_queue_limit,
  // course_queue_limit, student_hourly_limit, course_hourly_limit.
  void SubmissionRejected(absl::string_view reason);

  // Records one finished grading step: its duration in
  // gograder_step_duration_seconds{step} and its sandbox verdict in
  // gograder_sandbox_verdicts_total{step,verdict}.
  void StepFinished(gograder::v1::Step step, gograder::v1::SandboxResult::Verdict verdict,
                    double seconds);

  // Sets gograder_queue_depth (submissions waiting, not yet grading).
  void SetQueueDepth(int depth);

  // Records how far a regrade got. gograder_regrade_items{state} (pending,
  // graded, failed) sums the regrades still running, gograder_regrades_running
  // counts them; one that has nothing pending, or was reverted, leaves both.
  void RegradeProgress(const std::string& regrade_id, int pending, int graded, int failed,
                       bool reverted);

  // Sets gograder_workers_busy (workers grading a submission now).
  void SetWorkersBusy(int busy);

  // Sets gograder_workers (configured grading workers).
  void SetWorkers(int workers);

  // Records one finished RPC in gograder_rpc_duration_seconds{method,code};
  // `method` is the bare RPC name ("GetReport"), `grpc_code` the numeric
  // grpc::StatusCode, exported by name ("OK").
  void RpcFinished(absl::string_view method, int grpc_code, double seconds);

  // The text exposition of every family (what /metrics serves, less the
  // exposer's own exposer_* families), for tests and the CLI. A labelled
  // family appears once it has a series.
  std::string Scrape() const;

  // The "host:port" /metrics is served on (the bound port when the listen
  // address asked for port 0), or empty when not serving.
  std::string BoundAddress() const;

 private:
  struct Families;
  Metrics();

  std::unique_ptr<Families> families_;
};

}  // namespace gograder::server

#endif  // GRADER_SERVER_METRICS_H_
