#include "grader/server/workers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "grader/server/service_testing.h"

namespace gograder::server {
namespace {

using ::gograder::v1::GradeReport;
using ::gograder::v1::Submission;
using ::gograder::v1::WatchEvent;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kExercise[] = "phase1/concurrent-web-scraper";

// A grader that reports one step and a full score.
absl::StatusOr<GradeReport> FullMarks(const core::ExerciseBundle& exercise, const core::Accepted&,
                                      const core::ProgressCallback& progress, std::stop_token) {
  core::GradeProgress step;
  step.step = gograder::v1::BUILD;
  step.label = "build";
  progress(step);
  step.finished = true;
  progress(step);
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id(exercise.exercise.id());
  report.set_score(100);
  report.set_max_score(100);
  return report;
}

class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore(dir_.path() + "/gograder.db");
    ASSERT_OK(store);
    store_ = *std::move(store);
    events_ = std::make_unique<EventHub>(store_.get());
    auto catalog = ExerciseCatalog::Load(GOGRADER_SOURCE_DIR "/rubrics");
    ASSERT_OK(catalog);
    catalog_ = *std::move(catalog);
  }

  std::unique_ptr<WorkerPool> StartPool(GradeFunction grade) {
    WorkerPoolOptions options;
    options.store = store_.get();
    options.catalog = catalog_.get();
    options.events = events_.get();
    options.graders.push_back(std::move(grade));
    auto pool = WorkerPool::Start(std::move(options));
    EXPECT_OK(pool);
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  std::string Insert(const std::string& exercise_id = kExercise) {
    auto id = InsertSubmission(*store_, exercise_id, dir_.path());
    EXPECT_OK(id);
    return id.value_or("");
  }

  // Waits (woken by the hub, not by polling) for the final event, which the
  // worker appends after storing the report; returns the submission in it.
  Submission AwaitDone(const std::string& id) {
    EventHub::Subscription news = events_->Subscribe(id);
    absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      std::vector<WatchEvent> events = Events(id);
      if (!events.empty() && events.back().has_finished()) return events.back().finished();
      news.WaitUntil(give_up);
    }
    return Submission();
  }

  std::vector<WatchEvent> Events(const std::string& id) {
    return store_->EventsAfter(id, 0).value_or(std::vector<WatchEvent>());
  }

  TempDir dir_{"gograder_workers_test_"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<EventHub> events_;
  std::unique_ptr<ExerciseCatalog> catalog_;
};

TEST_F(WorkerPoolTest, GradesAClaimAndAppendsItsProgressAndFinalEvent) {
  std::unique_ptr<WorkerPool> pool = StartPool(FullMarks);
  std::string id = Insert();
  pool->Wake();
  Submission done = AwaitDone(id);
  EXPECT_EQ(done.state(), Submission::DONE);
  EXPECT_EQ(done.report().score(), 100);
  std::vector<WatchEvent> events = Events(id);
  ASSERT_EQ(events.size(), 3);
  EXPECT_EQ(events[0].step_started().label(), "build");
  EXPECT_TRUE(events[1].has_step_finished());
  EXPECT_EQ(events[2].finished().state(), Submission::DONE);
  EXPECT_EQ(events[2].finished().report().score(), 100);
  for (const WatchEvent& event : events) EXPECT_FALSE(event.time().empty());
  EXPECT_OK(pool->Stop(absl::Seconds(30)));
}

TEST_F(WorkerPoolTest, OurFailuresBecomeGradingFailedReports) {
  std::unique_ptr<WorkerPool> pool =
      StartPool([](const core::ExerciseBundle&, const core::Accepted&,
                   const core::ProgressCallback&, std::stop_token) -> absl::StatusOr<GradeReport> {
        return absl::InternalError("the sandbox broke");
      });
  std::string failing = Insert();
  std::string unknown = Insert("phase1/removed-by-a-reload");
  pool->Wake();
  Submission failed = AwaitDone(failing);
  EXPECT_EQ(failed.report().status(), GradeReport::GRADING_FAILED);
  EXPECT_EQ(failed.report().exercise_id(), kExercise);
  EXPECT_EQ(failed.report().error(), "the sandbox broke");
  Submission not_loaded = AwaitDone(unknown);
  EXPECT_EQ(not_loaded.report().status(), GradeReport::GRADING_FAILED);
  EXPECT_THAT(not_loaded.report().error(), HasSubstr("cannot load the exercise: unknown exercise"));
  EXPECT_EQ(Events(unknown).back().finished().report().status(), GradeReport::GRADING_FAILED);
  EXPECT_OK(pool->Stop(absl::Seconds(30)));
}

// The SIGTERM path of gograderd: a grading that outlives the grace period
// goes back to the queue and is stopped; it stores nothing.
TEST_F(WorkerPoolTest, AGradingThatOutlivesTheGracePeriodIsRequeuedAndStopped) {
  std::promise<void> started;
  std::atomic<bool> stopped{false};
  std::unique_ptr<WorkerPool> pool = StartPool(
      [&](const core::ExerciseBundle&, const core::Accepted&, const core::ProgressCallback&,
          std::stop_token stop) -> absl::StatusOr<GradeReport> {
        started.set_value();
        absl::Time give_up = absl::Now() + absl::Seconds(60);
        while (!stop.stop_requested() && absl::Now() < give_up)
          absl::SleepFor(absl::Milliseconds(5));
        stopped = stop.stop_requested();
        return absl::CancelledError("stopped");
      });
  std::string id = Insert();
  pool->Wake();
  started.get_future().wait();
  ASSERT_EQ(store_->Get(id)->state(), Submission::RUNNING);

  absl::Status stopping = pool->StopOrRequeue(absl::Milliseconds(100));
  EXPECT_THAT(stopping, StatusIs(absl::StatusCode::kDeadlineExceeded,
                                 AllOf(HasSubstr("requeued 1 grading(s)"),
                                       HasSubstr("their sandbox runs were killed"))));
  EXPECT_TRUE(stopped);
  EXPECT_OK(pool->Stop(absl::ZeroDuration()));  // every thread has exited
  auto after = store_->Get(id);
  EXPECT_EQ(after->state(), Submission::QUEUED);
  EXPECT_EQ(*store_->QueuePosition(id), 1);
  EXPECT_FALSE(after->has_report());
  for (const WatchEvent& event : Events(id)) EXPECT_FALSE(event.has_finished());

  // The next start grades it once.
  std::unique_ptr<WorkerPool> next = StartPool(FullMarks);
  next->Wake();
  EXPECT_EQ(AwaitDone(id).report().score(), 100);
  EXPECT_OK(next->Stop(absl::Seconds(30)));
}

TEST_F(WorkerPoolTest, NeedsAStoreACatalogAndAnEventHub) {
  WorkerPoolOptions options;
  options.store = store_.get();
  options.graders.push_back(FullMarks);
  EXPECT_THAT(WorkerPool::Start(std::move(options)), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace gograder::server
