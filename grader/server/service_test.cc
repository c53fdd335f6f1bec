// The handlers of GraderService through a real gRPC client: the service on
// 127.0.0.1 (an ephemeral port) with a SQLite store in a temporary directory
// and no workers (the test stands in for them through the store and the
// event hub).
#include "grader/server/service.h"

#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "grader/server/metrics.h"
#include "grader/server/service_testing.h"
#include "grader/server/workers.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::Submission;
using ::gograder::v1::WatchEvent;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

constexpr char kExercise[] = "phase1/concurrent-web-scraper";
// Tokens "sub" (SUBMITTER of cs101) and "admin"; their SHA-256 by sha256sum.
constexpr char kTokens[] =
    "tokens { name: \"lms\" role: SUBMITTER courses: \"cs101\"\n"
    "  sha256: \"ddc6e2b224d0fd821669202258386936fc9ce2899e215eec6322b95f8dd96d6a\" }\n"
    "tokens { name: \"ops\" role: ADMIN\n"
    "  sha256: \"8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918\" }\n";

// A client call with a bearer token (none when empty) and a deadline.
std::unique_ptr<grpc::ClientContext> CallAs(const std::string& token,
                                            absl::Duration timeout = absl::Seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

// The files of `dir` as a Submit request of kExercise.
v1::SubmitRequest SubmitFiles(const fs::path& dir) {
  v1::SubmitRequest request;
  request.set_exercise_id(kExercise);
  request.set_course_id("cs101");
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::stringstream content;
    content << std::ifstream(entry.path(), std::ios::binary).rdbuf();
    (*request.mutable_file_map()->mutable_files())[fs::relative(entry.path(), dir).string()] =
        content.str();
  }
  return request;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(GOGRADER_SOURCE_DIR "/rubrics", rubrics_, fs::copy_options::recursive);
    std::ofstream(tokens_) << kTokens;
    auto metrics = CreateMetrics("");
    ASSERT_OK(metrics);
    metrics_ = *metrics;
    TestServiceOptions options;
    options.dir = dir_.path();
    options.rubrics_dir = rubrics_.string();
    options.tokens_file = tokens_.string();
    options.metrics = metrics_;
    options.limits = limits_;
    // Far beyond any deadline below: a Watch or Grade that was not woken by
    // the event hub fails its test.
    options.watch_fallback = absl::Hours(1);
    auto service = TestService::Start(options);
    ASSERT_OK(service);
    service_ = *std::move(service);
    stub_ = service_->NewStub();
  }

  AdmissionLimits limits_{.defaults = {.queued = 1000}};  // set before SetUp to change them
  TempDir dir_{"gograder_service_test_"};
  fs::path rubrics_ = fs::path(dir_.path()) / "rubrics";
  fs::path tokens_ = fs::path(dir_.path()) / "tokens.textproto";
  MetricsHandle metrics_;
  std::unique_ptr<TestService> service_;
  std::unique_ptr<v1::Grader::Stub> stub_;
};

TEST_F(ServiceTest, CallersWithoutAValidTokenAreUnauthenticated) {
  v1::ListExercisesResponse exercises;
  grpc::Status none = stub_->ListExercises(CallAs("").get(), {}, &exercises);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(none.error_message().empty());
  grpc::Status wrong = stub_->ListExercises(CallAs("wrong").get(), {}, &exercises);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::SubmitResponse submitted;
  EXPECT_EQ(
      stub_->Submit(CallAs("").get(), SubmitFiles(rubrics_ / kExercise / "reference"), &submitted)
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(metrics_.metrics->Scrape(),
              HasSubstr("gograder_submissions_rejected_total{reason=\"unauthenticated\"} 1"));
}

TEST_F(ServiceTest, RolesAndCoursesAreChecked) {
  v1::SubmitRequest other_course = SubmitFiles(rubrics_ / kExercise / "reference");
  other_course.set_course_id("cs102");
  v1::SubmitResponse submitted;
  grpc::Status denied = stub_->Submit(CallAs("sub").get(), other_course, &submitted);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), HasSubstr("cs102"));
  v1::ListSubmissionsResponse listing;
  EXPECT_EQ(stub_->ListSubmissions(CallAs("sub").get(), {}, &listing).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ReloadExercisesResponse reloaded;
  grpc::Status reload = stub_->ReloadExercises(CallAs("sub").get(), {}, &reloaded);
  EXPECT_EQ(reload.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(reload.error_message(), HasSubstr("needs an ADMIN token"));
}

TEST_F(ServiceTest, BadRequestsGetAClearStatus) {
  v1::SubmitResponse submitted;
  v1::SubmitRequest request;
  grpc::Status no_exercise = stub_->Submit(CallAs("sub").get(), request, &submitted);
  EXPECT_EQ(no_exercise.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_exercise.error_message(), "exercise_id is required");
  request.set_exercise_id("phase1/nope");
  grpc::Status unknown = stub_->Submit(CallAs("sub").get(), request, &submitted);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(unknown.error_message(), HasSubstr("unknown exercise \"phase1/nope\""));
  request.set_exercise_id(kExercise);
  request.set_course_id("cs101");
  grpc::Status empty = stub_->Submit(CallAs("sub").get(), request, &submitted);
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(empty.error_message(), HasSubstr("the submission is empty"));
  v1::ListSubmissionsRequest negative;
  negative.set_page_size(-1);
  v1::ListSubmissionsResponse listing;
  grpc::Status page = stub_->ListSubmissions(CallAs("admin").get(), negative, &listing);
  EXPECT_EQ(page.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(page.error_message(), "page_size -1 must not be negative");
}

TEST_F(ServiceTest, GetReportOfAnUnknownOrMissingIdAndItsMetrics) {
  v1::GetReportRequest request;
  request.set_submission_id("nope");
  Submission submission;
  grpc::Status unknown = stub_->GetReport(CallAs("admin").get(), request, &submission);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_message(), "unknown submission \"nope\"");
  grpc::Status missing = stub_->GetReport(CallAs("admin").get(), {}, &submission);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(missing.error_message(), "submission_id is required");
  std::string scrape = metrics_.metrics->Scrape();
  EXPECT_THAT(
      scrape,
      HasSubstr("gograder_rpc_duration_seconds_count{code=\"NOT_FOUND\",method=\"GetReport\"} 1"));
  EXPECT_THAT(
      scrape,
      HasSubstr(
          "gograder_rpc_duration_seconds_count{code=\"INVALID_ARGUMENT\",method=\"GetReport\"} 1"));
}

TEST_F(ServiceTest, ListAndGetExercisesComeFromTheCatalog) {
  v1::ListExercisesResponse listing;
  ASSERT_TRUE(stub_->ListExercises(CallAs("sub").get(), {}, &listing).ok());
  std::vector<std::string> ids;
  for (const auto& exercise : listing.exercises()) ids.push_back(exercise.id());
  EXPECT_THAT(ids, ElementsAreArray(ExerciseIdsIn(rubrics_.string())));
  EXPECT_THAT(ids, IsSupersetOf({kExercise, "phase2/high-performance-cache"}));
  ASSERT_EQ(ids.front(), kExercise);
  EXPECT_EQ(listing.exercises(0).title(), "Concurrent Web Scraper");
  EXPECT_EQ(listing.exercises(0).max_score(), 100);
  v1::GetExerciseRequest request;
  request.set_exercise_id(kExercise);
  v1::ExerciseInfo info;
  ASSERT_TRUE(stub_->GetExercise(CallAs("sub").get(), request, &info).ok());
  EXPECT_TRUE(info.starter_files().contains("go.mod"));
  EXPECT_FALSE(info.statement().empty());
}

TEST_F(ServiceTest, ReloadExercisesRefusesAnInvalidCatalogAndTakesAFixedOne) {
  const int loaded = static_cast<int>(ExerciseIdsIn(rubrics_.string()).size());
  fs::copy(rubrics_ / kExercise, rubrics_ / "phase1/second", fs::copy_options::recursive);
  v1::ReloadExercisesResponse reloaded;
  grpc::Status invalid = stub_->ReloadExercises(CallAs("admin").get(), {}, &reloaded);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(invalid.error_message(),
              HasSubstr(absl::StrCat("the ", loaded, " loaded ones stay")));
  EXPECT_THAT(invalid.error_message(), HasSubstr("phase1/second/exercise.textproto: id"));
  v1::SubmitRequest request = SubmitFiles(rubrics_ / kExercise / "reference");
  request.set_exercise_id("phase1/second");
  v1::SubmitResponse submitted;
  EXPECT_EQ(stub_->Submit(CallAs("sub").get(), request, &submitted).error_code(),
            grpc::StatusCode::NOT_FOUND);

  fs::remove_all(rubrics_ / "phase1/second");
  std::ofstream(rubrics_ / kExercise / "exercise.textproto", std::ios::app) << "# edited\n";
  grpc::Status ok = stub_->ReloadExercises(CallAs("admin").get(), {}, &reloaded);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(reloaded.exercises(), loaded);
  EXPECT_THAT(reloaded.changed(), ElementsAre(kExercise));
  EXPECT_TRUE(reloaded.added().empty());
}

// Watch is woken by the events it waits for (the fallback re-read is an hour
// away, the call's deadline 30 s).
TEST_F(ServiceTest, WatchStreamsEventsAsTheyAreAppended) {
  auto id = InsertSubmission(service_->store(), kExercise, dir_.path());
  ASSERT_OK(id);
  WatchEvent queued;
  queued.mutable_queued()->set_position(1);
  ASSERT_OK(service_->events().Append(*id, queued));
  v1::WatchRequest request;
  request.set_submission_id(*id);
  auto context = CallAs("admin");
  auto reader = stub_->Watch(context.get(), request);
  WatchEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.queued().position(), 1);

  auto claim = service_->store().ClaimNext();
  ASSERT_TRUE(claim.ok() && claim->has_value());
  WatchEvent started;
  started.mutable_step_started()->set_label("build");
  ASSERT_OK(service_->events().Append(*id, started));
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.step_started().label(), "build");
  EXPECT_EQ(event.sequence(), 2);

  v1::GradeReport report;
  report.set_status(v1::GradeReport::GRADED);
  ASSERT_OK(service_->store().Finish(*id, (*claim)->claim, report));
  WatchEvent finished;
  *finished.mutable_finished() = *service_->store().Get(*id);
  ASSERT_OK(service_->events().Append(*id, finished));
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.finished().state(), Submission::DONE);
  EXPECT_FALSE(reader->Read(&event));
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

class LimitedServiceTest : public ServiceTest {
 protected:
  LimitedServiceTest() {
    limits_.defaults.queued_per_student = 2;
    limits_.defaults.hourly_per_course = 3;
    limits_.courses["cs102"] = limits_.defaults;
    limits_.courses["cs102"].queued_per_student = 0;
  }
};

TEST_F(LimitedServiceTest, SubmitOverALimitIsResourceExhaustedNamingIt) {
  v1::SubmitRequest request = SubmitFiles(rubrics_ / kExercise / "reference");
  request.set_student_id("ann");
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    request.set_idempotency_key(absl::StrCat("ann-", i));
    v1::SubmitResponse submitted;
    ASSERT_TRUE(stub_->Submit(CallAs("sub").get(), request, &submitted).ok());
    ids.push_back(submitted.submission_id());
  }
  request.set_idempotency_key("ann-2");
  v1::SubmitResponse refused;
  grpc::Status status = stub_->Submit(CallAs("sub").get(), request, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(),
            "student 'ann' of course 'cs101' has 2 submissions queued (limit 2 per student); "
            "retry when one of them is graded");
  // The retry of an accepted one is answered, not refused.
  request.set_idempotency_key("ann-1");
  v1::SubmitResponse retry;
  ASSERT_TRUE(stub_->Submit(CallAs("sub").get(), request, &retry).ok());
  EXPECT_TRUE(retry.duplicate());
  EXPECT_EQ(retry.submission_id(), ids[1]);
  // A classmate gets in; then the course's hourly limit says when to retry.
  request.set_student_id("bob");
  request.clear_idempotency_key();
  v1::SubmitResponse bob;
  ASSERT_TRUE(stub_->Submit(CallAs("sub").get(), request, &bob).ok());
  status = stub_->Submit(CallAs("sub").get(), request, &bob);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("course 'cs101' made 3 submissions in the last hour (limit 3 per hour per "
                        "course); retry after "));
  // cs102 overrides the per-student limit away.
  request.set_course_id("cs102");
  for (int i = 0; i < 3; ++i) {
    v1::SubmitResponse other;
    EXPECT_TRUE(stub_->Submit(CallAs("admin").get(), request, &other).ok()) << i;
  }
  std::string text = metrics_.metrics->Scrape();
  EXPECT_THAT(text,
              HasSubstr("gograder_submissions_rejected_total{reason=\"student_queue_limit\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("gograder_submissions_rejected_total{reason=\"course_hourly_limit\"} 1"));
  EXPECT_THAT(text, HasSubstr("gograder_submissions_rejected_total{reason=\"queue_full\"} 0"));
}

// The test, through Submit and real workers (a fake grading step):
// one student submits 200 times, then another course submits 5. The 5 are
// graded before the 200 are done: right after the grading already running,
// taking turns with the flood. One worker, so that the finishing order is the
// claiming order.
TEST_F(ServiceTest, AnotherCoursesFiveAreGradedBeforeOneStudentsTwoHundred) {
  constexpr int kWorkers = 1, kFlood = 200, kOthers = 5;
  // The worker first takes the flood's first submission and holds it until
  // every submission is queued: the order that follows is the queue's.
  std::promise<void> all_queued;
  std::shared_future<void> go = all_queued.get_future().share();
  WorkerPoolOptions pool;
  pool.store = &service_->store();
  pool.catalog = &service_->catalog();
  pool.events = &service_->events();
  pool.poll = absl::Milliseconds(5);
  for (int i = 0; i < kWorkers; ++i) {
    pool.graders.push_back([go](const core::ExerciseBundle& exercise, const core::Accepted&,
                                const core::ProgressCallback&,
                                std::stop_token) -> absl::StatusOr<v1::GradeReport> {
      go.wait();
      absl::SleepFor(absl::Milliseconds(2));
      v1::GradeReport report;
      report.set_status(v1::GradeReport::GRADED);
      report.set_exercise_id(exercise.exercise.id());
      return report;
    });
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WorkerPool> workers, WorkerPool::Start(std::move(pool)));

  v1::SubmitRequest request = SubmitFiles(rubrics_ / kExercise / "reference");
  request.set_student_id("flooder");
  std::set<std::string> flood, others;
  for (int i = 0; i < kFlood; ++i) {
    v1::SubmitResponse submitted;
    grpc::Status status = stub_->Submit(CallAs("sub").get(), request, &submitted);
    ASSERT_TRUE(status.ok()) << status.error_message();
    flood.insert(submitted.submission_id());
  }
  while (workers->Busy() < kWorkers) absl::SleepFor(absl::Milliseconds(5));
  request.set_course_id("cs102");
  for (int i = 0; i < kOthers; ++i) {
    request.set_student_id(absl::StrCat("student", i));
    v1::SubmitResponse submitted;
    ASSERT_TRUE(stub_->Submit(CallAs("admin").get(), request, &submitted).ok());
    // Positions in the round robin: cs102 (never served) first, then turns.
    EXPECT_EQ(submitted.queue_position(), 2 * i + 1) << i;
    others.insert(submitted.submission_id());
  }
  all_queued.set_value();

  // The order in which the reports were stored.
  std::vector<std::pair<std::string, std::string>> finished;  // (finished_at, id)
  absl::Time give_up = absl::Now() + absl::Seconds(120);
  while (finished.size() < flood.size() + others.size() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));
    finished.clear();
    for (const std::string& course : {"cs101", "cs102"}) {
      store::ListFilter filter{course, "", "", 500, ""};
      ASSERT_OK_AND_ASSIGN(store::ListPage page, service_->store().List(filter));
      for (const Submission& s : page.submissions)
        if (s.state() == Submission::DONE)
          finished.emplace_back(s.finished_at(), s.submission_id());
    }
  }
  ASSERT_OK(workers->Stop(absl::Seconds(30)));
  ASSERT_EQ(finished.size(), flood.size() + others.size());
  std::sort(finished.begin(), finished.end());
  std::vector<int> places;  // 1-based places of the 5 in the finishing order
  for (size_t i = 0; i < finished.size(); ++i)
    if (others.count(finished[i].second)) places.push_back(static_cast<int>(i) + 1);
  // After the held grading, every other report is one of the 5; first in
  // first out would have put them at 201..205.
  EXPECT_THAT(places, ElementsAre(2, 4, 6, 8, 10));
}

// Grade waits for the report; Cancel (through the service) ends the wait.
TEST_F(ServiceTest, GradeIsWokenByCancelAndGivesUpAtItsDeadline) {
  Submission late;
  grpc::Status timed_out = stub_->Grade(CallAs("sub", absl::Seconds(1)).get(),
                                        SubmitFiles(rubrics_ / kExercise / "reference"), &late);
  EXPECT_EQ(timed_out.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(timed_out.error_message(), HasSubstr("is not graded yet"));

  Submission graded;
  grpc::Status status;
  std::thread grade([&] {
    v1::SubmitRequest request = SubmitFiles(rubrics_ / kExercise / "reference");
    request.set_student_id("bob");
    status = stub_->Grade(CallAs("sub").get(), request, &graded);
  });
  std::string bob;
  while (bob.empty()) {  // the test's only poll: until Grade has submitted
    auto page = service_->store().List({"cs101", "", "bob", 10, ""});
    ASSERT_OK(page);
    if (!page->submissions.empty()) bob = page->submissions[0].submission_id();
    absl::SleepFor(absl::Milliseconds(10));
  }
  v1::CancelRequest cancel;
  cancel.set_submission_id(bob);
  Submission cancelled;
  ASSERT_TRUE(stub_->Cancel(CallAs("sub").get(), cancel, &cancelled).ok());
  grade.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(graded.submission_id(), bob);
  EXPECT_EQ(graded.state(), Submission::CANCELLED);
}

// An event written by another process (straight into the store, no hub) is
// seen at the fallback re-read.
TEST(ServiceFallbackTest, WatchSeesEventsTheHubWasNotToldAbout) {
  TempDir dir("gograder_service_fallback_test_");
  TestServiceOptions options;
  options.dir = dir.path();
  options.watch_fallback = absl::Milliseconds(50);
  auto service = TestService::Start(options);
  ASSERT_OK(service);
  auto id = InsertSubmission((*service)->store(), kExercise, dir.path());
  ASSERT_OK(id);
  v1::WatchRequest request;
  request.set_submission_id(*id);
  auto context = CallAs("");
  auto reader = (*service)->NewStub()->Watch(context.get(), request);
  ASSERT_OK((*service)->store().Cancel(*id));
  WatchEvent finished;
  *finished.mutable_finished() = *(*service)->store().Get(*id);
  ASSERT_OK((*service)->store().AppendEvent(*id, finished));
  WatchEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.finished().state(), Submission::CANCELLED);
  EXPECT_TRUE(reader->Finish().ok());
}

}  // namespace
}  // namespace gograder::server
