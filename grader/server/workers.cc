#include "grader/server/workers.h"

#include <condition_variable>
#include <iostream>
#include <stop_token>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grader/core/rubric/rubric.h"
#include "grader/server/class_views.h"

namespace gograder::server {

using ::gograder::v1::GradeReport;
using ::gograder::v1::Submission;
using ::gograder::v1::WatchEvent;

// How long the gradings stopped at shutdown get to wind down (their sandbox
// runs are killed) before their threads are left behind.
constexpr absl::Duration kStoppedGradingsExit = absl::Seconds(5);

GradeFunction GradeWith(std::unique_ptr<core::Grader> grader) {
  return [grader = std::shared_ptr<const core::Grader>(std::move(grader))](
             const core::ExerciseBundle& exercise, const core::Accepted& submission,
             const core::ProgressCallback& progress,
             std::stop_token stop) { return grader->Grade(exercise, submission, progress, stop); };
}

absl::StatusOr<std::unique_ptr<WorkerPool>> WorkerPool::Start(WorkerPoolOptions options) {
  if (options.store == nullptr || options.catalog == nullptr || options.events == nullptr) {
    return absl::InvalidArgumentError(
        "the worker pool needs a store, an exercise catalog and an event hub");
  }
  if (options.graders.empty()) return absl::InvalidArgumentError("worker pool without graders");
  std::unique_ptr<WorkerPool> pool(new WorkerPool(std::move(options)));
  int workers = static_cast<int>(pool->options_.graders.size());
  RecordWorkers(pool->options_.metrics, workers, 0);
  pool->running_threads_ = workers;
  for (int i = 0; i < workers; ++i)
    pool->threads_.emplace_back([p = pool.get(), i] { p->RunWorker(i); });
  if (pool->options_.reap_every > absl::ZeroDuration()) {
    pool->reaper_ = std::jthread([p = pool.get()](std::stop_token done) { p->Reap(done); });
  }
  return pool;
}

WorkerPool::~WorkerPool() {
  if (!threads_.empty()) Stop(absl::ZeroDuration()).IgnoreError();
}

void WorkerPool::Wake() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++wakeups_;
  wake_.notify_all();
}

int WorkerPool::Busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return busy_;
}

void WorkerPool::StopGrading(const std::string& submission_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = running_.find(submission_id);
  if (found != running_.end()) found->second.request_stop();
}

namespace {

// Sleeps `period` or until `done` is requested; false when done.
bool SleepUnlessDone(absl::Duration period, std::stop_token done) {
  std::mutex mutex;
  std::condition_variable_any never;
  std::unique_lock<std::mutex> lock(mutex);
  never.wait_for(lock, done, absl::ToChronoNanoseconds(period), [] { return false; });
  return !done.stop_requested();
}

}  // namespace

void WorkerPool::Reap(std::stop_token done) {
  while (SleepUnlessDone(options_.reap_every, done)) {
    absl::StatusOr<store::Reaped> reaped = options_.store->ReapExpiredLeases();
    if (!reaped.ok()) {
      std::cerr << "gograderd: reaper: " << reaped.status() << "\n";
      continue;
    }
    for (const std::string& id : reaped->requeued) {
      std::cerr << "gograderd: " << id << ": its lease expired (its node stopped renewing); "
                << "queued again\n";
    }
    for (const std::string& id : reaped->failed) {
      std::cerr << "gograderd: " << id << ": lost too many times; grading failed\n";
      AppendFinalEvent(id);
    }
    if (!reaped->requeued.empty()) Wake();
  }
}

void WorkerPool::RenewLease(const store::Claim& claim, const std::string& running_id,
                            std::stop_token done) {
  while (SleepUnlessDone(options_.renew_every, done)) {
    absl::Status renewed = options_.store->RenewLease(claim);
    if (renewed.ok()) continue;
    if (absl::IsFailedPrecondition(renewed)) {
      std::cerr << "gograderd: " << running_id << ": claim " << claim.claim << " lost ("
                << renewed.message() << "); stopping its grading\n";
      StopGrading(running_id);
      return;
    }
    // The database is unreachable: keep grading and try again; if the
    // lease runs out meanwhile, the finish will be refused.
    std::cerr << "gograderd: " << running_id << ": cannot renew the lease: " << renewed << "\n";
  }
}

absl::Status WorkerPool::Stop(absl::Duration grace) {
  if (reaper_.joinable()) {
    reaper_.request_stop();
    reaper_.join();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
  bool done = exited_.wait_for(lock, absl::ToChronoNanoseconds(grace),
                               [this] { return running_threads_ == 0; });
  std::vector<std::thread> threads = std::move(threads_);
  threads_.clear();
  lock.unlock();
  for (std::thread& thread : threads) {
    if (done) {
      thread.join();
    } else {
      thread.detach();
    }
  }
  if (done) return absl::OkStatus();
  return absl::DeadlineExceededError("gradings still running after the grace period");
}

absl::Status WorkerPool::StopOrRequeue(absl::Duration grace) {
  absl::Status stopped = Stop(grace);
  if (stopped.ok()) return stopped;
  absl::StatusOr<int> requeued = options_.store->RecoverAfterCrash();
  // Requeued first, then stopped: the stopped gradings store nothing.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [id, source] : running_) source.request_stop();
  }
  bool exited = Stop(kStoppedGradingsExit).ok();
  if (!requeued.ok()) {
    return absl::InternalError(
        absl::StrCat("gradings outlived the grace period and could not be requeued: ",
                     requeued.status().message()));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("requeued ", *requeued, " grading(s) that outlived the grace period of ",
                   absl::FormatDuration(grace),
                   exited ? " (their sandbox runs were killed)" : " (still running)"));
}

void WorkerPool::RunWorker(int index) {
  const GradeFunction& grade = options_.graders[index];
  while (true) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
      seen = wakeups_;
    }
    absl::StatusOr<std::optional<store::Claim>> claim = options_.store->ClaimNext();
    if (claim.ok() && claim->has_value()) {
      // Running gradings by submission id (what StopGrading names); a
      // regrade's by regrade and submission, so Cancel never stops one.
      const std::string id =
          (*claim)->regrade_id.empty()
              ? (*claim)->submission.submission_id()
              : RegradeNewsKey((*claim)->regrade_id) + "/" + (*claim)->submission.submission_id();
      std::stop_token stop;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++busy_;
        stop = running_[id].get_token();
        RecordWorkers(options_.metrics, static_cast<int>(options_.graders.size()), busy_);
      }
      if (auto depth = options_.store->QueueDepth(); depth.ok())
        RecordQueue(options_.metrics, *depth);
      {
        std::jthread renewal(
            [this, &claim, &id](std::stop_token done) { RenewLease(**claim, id, done); });
        GradeClaim(grade, **claim, stop);
      }
      std::lock_guard<std::mutex> lock(mutex_);
      running_.erase(id);
      --busy_;
      RecordWorkers(options_.metrics, static_cast<int>(options_.graders.size()), busy_);
      continue;
    }
    if (!claim.ok())
      std::cerr << "gograderd: worker " << index << ": claim failed: " << claim.status() << "\n";
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, absl::ToChronoNanoseconds(options_.poll),
                   [&] { return stopping_ || wakeups_ != seen; });
  }
  std::lock_guard<std::mutex> lock(mutex_);
  --running_threads_;
  exited_.notify_all();
}

void WorkerPool::GradeClaim(const GradeFunction& grade, const store::Claim& claim,
                            std::stop_token stop) {
  const std::string& id = claim.submission.submission_id();
  const std::string& exercise_id = claim.submission.exercise_id();
  const bool regrade = !claim.regrade_id.empty();
  absl::Time start = absl::Now();
  // A regrade's gradings add no events: the submission's own stream ended
  // with its final event, and the regrade's progress is the regrade's.
  auto append = [&](WatchEvent event) {
    if (regrade) return;
    if (auto appended = options_.events->Append(id, std::move(event)); !appended.ok()) {
      std::cerr << "gograderd: " << id << ": cannot store an event: " << appended.status() << "\n";
    }
  };
  core::ProgressCallback progress = [&](const core::GradeProgress& step) {
    WatchEvent event;
    if (step.finished) {
      *event.mutable_step_finished()->mutable_run() = step.run;
      RecordStep(options_.metrics, step.step, step.run.verdict(), step.run.wall_time_us() / 1e6);
    } else {
      event.mutable_step_started()->set_step(step.step);
      event.mutable_step_started()->set_label(step.label);
    }
    append(std::move(event));
  };

  GradeReport report;
  absl::StatusOr<ExerciseCatalog::Bundle> bundle = options_.catalog->Find(exercise_id);
  if (!bundle.ok()) {
    report = core::GradingFailedReport(
        exercise_id, absl::StrCat("cannot load the exercise: ", bundle.status().message()));
  } else {
    core::Accepted accepted{claim.files_dir, claim.submission.submission_digest(),
                            claim.intake_notes};
    absl::StatusOr<GradeReport> graded = grade(**bundle, accepted, progress, stop);
    if (absl::IsCancelled(graded.status())) {
      std::cerr << "gograderd: " << id << ": cancelled while running; its sandbox run was killed\n";
      return;  // the store has it as CANCELLED already, with its final event
    }
    report = graded.ok() ? *std::move(graded)
                         : core::GradingFailedReport(exercise_id, graded.status().message());
  }
  absl::Status finished =
      regrade ? options_.store->FinishRegrade(claim.regrade_id, id, claim.claim, report)
              : options_.store->Finish(id, claim.claim, report);
  if (regrade) options_.events->Notify(RegradeNewsKey(claim.regrade_id));
  if (!finished.ok()) {
    // Cancelled or requeued meanwhile: this claim's report is dropped on purpose.
    std::cerr << "gograderd: " << id << ": report of claim " << claim.claim
              << " not stored: " << finished << "\n";
    return;
  }
  bool graded = report.status() == GradeReport::GRADED;
  double score = report.max_score() > 0 ? 100 * report.score() / report.max_score() : 0;
  RecordFinished(options_.metrics, exercise_id, graded ? "graded" : "grading_failed", score,
                 absl::ToDoubleSeconds(absl::Now() - start));
  if (regrade) {
    if (auto state = options_.store->GetRegrade(claim.regrade_id); state.ok()) {
      RecordRegrade(options_.metrics, *state);
    }
    std::cerr << "gograderd: " << id << " (regrade " << claim.regrade_id << "): "
              << (graded ? absl::StrCat("graded ", report.score(), "/", report.max_score())
                         : absl::StrCat("grading failed: ", report.error()))
              << "\n";
    return;
  }
  AppendFinalEvent(id);
  std::cerr << "gograderd: " << id << " (" << exercise_id << "): "
            << (graded ? absl::StrCat("graded ", report.score(), "/", report.max_score())
                       : absl::StrCat("grading failed: ", report.error()))
            << "\n";
}

void WorkerPool::AppendFinalEvent(const std::string& submission_id) {
  absl::StatusOr<Submission> stored = options_.store->Get(submission_id);
  if (!stored.ok()) {
    std::cerr << "gograderd: " << submission_id << ": no final event: " << stored.status() << "\n";
    return;
  }
  WatchEvent event;
  *event.mutable_finished() = *std::move(stored);
  if (auto appended = options_.events->Append(submission_id, std::move(event)); !appended.ok()) {
    std::cerr << "gograderd: " << submission_id << ": cannot store an event: " << appended.status()
              << "\n";
  }
}

}  // namespace gograder::server
