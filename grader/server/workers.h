// The worker pool of gograderd. Theory of operation: each worker thread owns
// one grading function (a core::Grader with its own sandbox slot) and loops:
// Store::ClaimNext takes the next queued submission in its fair order
// (round-robin across courses, then across a course's students), marking it
// RUNNING with a new claim number, the exercise comes from the shared catalog (the
// rubric loaded at startup or at the last reload), the grading's progress is
// appended as WatchEvents through the EventHub (which wakes Watch and Grade),
// and Store::Finish stores the report for that claim only (a cancelled or
// requeued claim cannot add a report). Then the final event is appended.
// Idle workers sleep until Wake() or a short poll. While a worker grades, a
// thread of its own renews the claim's lease (Store::RenewLease); a refused
// renewal (the claim was cancelled, or another node's reaper took it back
// after this node stalled) stops the grading at once and drops its result.
// A reaper thread takes back claims whose lease expired on any node
// (Store::ReapExpiredLeases) and wakes the workers.
#ifndef GOGRADER_GRADER_SERVER_WORKERS_H_
#define GOGRADER_GRADER_SERVER_WORKERS_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grader/core/grading/grade.h"
#include "grader/server/catalog.h"
#include "grader/server/event_hub.h"
#include "grader/server/record.h"
#include "grader/store/store.h"

namespace gograder::server {

// Grades an accepted submission against `exercise`; Cancelled once `stop` is
// requested (core::Grader::Grade in gograderd; tests pass their own).
using GradeFunction = std::function<absl::StatusOr<gograder::v1::GradeReport>(
    const core::ExerciseBundle& exercise, const core::Accepted& submission,
    const core::ProgressCallback& progress, std::stop_token stop)>;

// Grades with `grader` (shared by the returned function).
GradeFunction GradeWith(std::unique_ptr<core::Grader> grader);

struct WorkerPoolOptions {
  store::Store* store = nullptr;             // not owned; outlives the pool
  const ExerciseCatalog* catalog = nullptr;  // not owned; outlives the pool
  EventHub* events = nullptr;                // not owned; outlives the pool
  std::vector<GradeFunction> graders;        // one per worker
  MetricsHandle metrics;
  absl::Duration poll = absl::Milliseconds(250);
  // A quarter of the store's lease: three renewals may fail before it expires.
  absl::Duration renew_every = absl::Seconds(15);
  absl::Duration reap_every = absl::Seconds(15);  // ZeroDuration: no reaper
};

class WorkerPool {
 public:
  // Starts one thread per grader.
  static absl::StatusOr<std::unique_ptr<WorkerPool>> Start(WorkerPoolOptions options);
  // Stops (with no grace) if still running.
  ~WorkerPool();

  // Tells idle workers that the queue has work.
  void Wake();

  // Stops claiming and waits up to `grace` for running gradings. OK when all
  // finished; DeadlineExceeded when some still run (their threads are left
  // behind; a later Stop waits for them again).
  absl::Status Stop(absl::Duration grace);

  // Stop(grace), then puts the gradings still running back in the queue
  // (Store::RecoverAfterCrash: the next start grades them again) and stops
  // them (their sandbox runs are killed; a late report would be refused).
  // OK when every grading finished in time; DeadlineExceeded saying how many
  // were requeued otherwise (the process should exit now).
  absl::Status StopOrRequeue(absl::Duration grace);

  // Workers grading now.
  int Busy() const;

  // Stops the grading of `submission_id` if a worker runs it: its sandbox
  // run is killed and the worker takes the next claim (its report is not
  // stored). Call it after the store has marked the submission cancelled.
  void StopGrading(const std::string& submission_id);

 private:
  explicit WorkerPool(WorkerPoolOptions options) : options_(std::move(options)) {}
  void RunWorker(int index);
  void GradeClaim(const GradeFunction& grade, const store::Claim& claim, std::stop_token stop);
  // Renews `claim`'s lease until stopped; stops the grading `running_id` when
  // a renewal is refused.
  void RenewLease(const store::Claim& claim, const std::string& running_id, std::stop_token done);
  // Takes back expired claims every reap_every until stopped.
  void Reap(std::stop_token done);
  // Appends the final event of a submission that is DONE now.
  void AppendFinalEvent(const std::string& submission_id);

  WorkerPoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable exited_;
  bool stopping_ = false;
  int running_threads_ = 0;
  int busy_ = 0;
  uint64_t wakeups_ = 0;
  std::map<std::string, std::stop_source> running_;  // by submission id
  std::vector<std::thread> threads_;
  std::jthread reaper_;
};

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_WORKERS_H_
