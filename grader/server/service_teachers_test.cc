// The teachers' RPCs (ExportGradebook, RegradeAll, RevertRegrade) through a
// real gRPC client: the service on 127.0.0.1 with a SQLite store in a
// temporary directory; the test stands in for the workers (claims and
// finishes through the store, news through the event hub).
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "grader/server/class_views.h"
#include "grader/server/service_testing.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::GradeReport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kExercise[] = "phase1/concurrent-web-scraper";
// Tokens "sub" (SUBMITTER of cs101) and "teach" (TEACHER); SHA-256 by sha256sum.
constexpr char kTokens[] =
    "tokens { name: \"lms\" role: SUBMITTER courses: \"cs101\"\n"
    "  sha256: \"ddc6e2b224d0fd821669202258386936fc9ce2899e215eec6322b95f8dd96d6a\" }\n"
    "tokens { name: \"prof\" role: TEACHER\n"
    "  sha256: \"eb0b4270edb36c1ea88cc99ee34e45b591da06b486f6b3e7fde5ba7a9c283349\" }\n";

std::unique_ptr<grpc::ClientContext> CallAs(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

// A report scoring `score` of 100, all of it in the exercise's first criterion.
GradeReport Scored(double score) {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id(kExercise);
  report.set_score(score);
  report.set_max_score(100);
  return report;
}

GradeReport FailedOnOurSide() {
  GradeReport report;
  report.set_status(GradeReport::GRADING_FAILED);
  report.set_exercise_id(kExercise);
  report.set_error("the sandbox could not start");
  return report;
}

class TeachersServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(GOGRADER_SOURCE_DIR "/rubrics", rubrics_, fs::copy_options::recursive);
    std::ofstream(tokens_) << kTokens;
    TestServiceOptions options;
    options.dir = dir_.path();
    options.rubrics_dir = rubrics_.string();
    options.tokens_file = tokens_.string();
    options.watch_fallback = absl::Hours(1);  // a stream the hub does not wake fails its test
    auto service = TestService::Start(options);
    ASSERT_OK(service);
    service_ = *std::move(service);
    stub_ = service_->NewStub();
  }

  // A submission of `student` in cs101, graded (as a worker would) with `report`.
  std::string Graded(const std::string& student, const GradeReport& report) {
    store::NewSubmission submission{kExercise, "cs101", student, "1", "", dir_.path(), "digest"};
    auto inserted = store().Insert(submission, {});
    EXPECT_OK(inserted);
    auto claim = store().ClaimNext();
    EXPECT_OK(claim);
    EXPECT_TRUE(claim->has_value());
    EXPECT_OK(store().Finish((*claim)->submission.submission_id(), (*claim)->claim, report));
    return inserted->submission.submission_id();
  }

  // Stands in for a worker: grades each item of the regrade running now with
  // `reports[student]`, then tells the regrade's stream.
  void GradeRegradeItems(const std::map<std::string, GradeReport>& reports) {
    size_t done = 0;
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (done < reports.size() && absl::Now() < deadline) {
      auto claim = store().ClaimNext();
      ASSERT_OK(claim);
      if (!claim->has_value()) {
        absl::SleepFor(absl::Milliseconds(10));
        continue;
      }
      const store::Claim& item = **claim;
      ASSERT_FALSE(item.regrade_id.empty());
      ASSERT_OK(store().FinishRegrade(item.regrade_id, item.submission.submission_id(), item.claim,
                                      reports.at(item.submission.student_id())));
      service_->events().Notify(RegradeNewsKey(item.regrade_id));
      ++done;
    }
    ASSERT_EQ(done, reports.size());
  }

  // RegradeAll's whole stream, while the test grades its items.
  std::vector<v1::RegradeEvent> RegradeAll(const v1::RegradeAllRequest& request,
                                           const std::map<std::string, GradeReport>& reports) {
    auto stream = std::async(std::launch::async, [&] {
      auto context = CallAs("teach");
      auto reader = stub_->RegradeAll(context.get(), request);
      std::vector<v1::RegradeEvent> events;
      v1::RegradeEvent event;
      while (reader->Read(&event)) events.push_back(event);
      EXPECT_TRUE(reader->Finish().ok());
      return events;
    });
    GradeRegradeItems(reports);
    return stream.get();
  }

  double CurrentScore(const std::string& id) {
    auto submission = store().Get(id);
    EXPECT_OK(submission);
    return submission->report().score();
  }

  std::string Export(const v1::ExportGradebookRequest& request, const std::string& token,
                     grpc::StatusCode* code = nullptr) {
    auto context = CallAs(token);
    auto reader = stub_->ExportGradebook(context.get(), request);
    std::string csv;
    v1::CsvChunk chunk;
    while (reader->Read(&chunk)) csv += chunk.data();
    grpc::Status status = reader->Finish();
    if (code != nullptr) *code = status.error_code();
    return csv;
  }

  store::Store& store() { return service_->store(); }

  TempDir dir_{"gograder_teachers_test_"};
  fs::path rubrics_ = fs::path(dir_.path()) / "rubrics";
  fs::path tokens_ = fs::path(dir_.path()) / "tokens.textproto";
  std::unique_ptr<TestService> service_;
  std::unique_ptr<v1::Grader::Stub> stub_;
};

// The score column of each student row of a wide gradebook.
std::map<std::string, std::string> ScoreColumn(const std::string& csv) {
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  std::vector<std::string> header = absl::StrSplit(lines.at(0), ',');
  size_t score = std::find(header.begin(), header.end(), "score") - header.begin();
  std::map<std::string, std::string> scores;
  for (size_t i = 2; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    scores[cells.at(0)] = cells.at(score);
  }
  return scores;
}

TEST_F(TeachersServiceTest, ExportGradebookCountsEachStudentsLatestOrBestForTeachersOnly) {
  Graded("alice", Scored(80));
  Graded("alice", Scored(50));
  Graded("bob", Scored(70));
  Graded("carol", FailedOnOurSide());
  v1::ExportGradebookRequest request;
  request.set_course_id("cs101");
  request.set_exercise_id(kExercise);

  grpc::StatusCode code;
  Export(request, "sub", &code);
  EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED);

  std::string latest = Export(request, "teach", &code);
  ASSERT_EQ(code, grpc::StatusCode::OK) << latest;
  EXPECT_THAT(latest, HasSubstr("student_id,submitted_at,commit,raw_score,late_penalty,score"));
  EXPECT_THAT(ScoreColumn(latest),
              (std::map<std::string, std::string>{{"alice", "50"}, {"bob", "70"}, {"carol", ""}}));
  EXPECT_THAT(latest, HasSubstr("grading_failed"));

  request.set_best(true);
  EXPECT_EQ(ScoreColumn(Export(request, "teach")).at("alice"), "80");

  // Every submission is long past this due time: 10% a day, at most 40%.
  request.set_best(false);
  request.mutable_late_policy()->set_due("2020-01-01T00:00:00Z");
  request.mutable_late_policy()->set_percent_per_day(10);
  request.mutable_late_policy()->set_max_percent(40);
  EXPECT_THAT(ScoreColumn(Export(request, "teach")),
              (std::map<std::string, std::string>{{"alice", "10"}, {"bob", "30"}, {"carol", ""}}));

  request.mutable_late_policy()->set_due("next tuesday");
  Export(request, "teach", &code);
  EXPECT_EQ(code, grpc::StatusCode::INVALID_ARGUMENT);

  request.clear_late_policy();
  request.set_long_format(true);
  EXPECT_THAT(Export(request, "teach"), HasSubstr("student_id,kind,id,points,max_points,result"));
}

TEST_F(TeachersServiceTest, RegradeAllNeverReplacesAGradeWithOurFailureAndCanBeReverted) {
  std::string alice = Graded("alice", Scored(60));
  std::string bob = Graded("bob", Scored(70));
  v1::RegradeAllRequest request;
  request.set_exercise_id(kExercise);
  request.set_course_id("cs101");

  std::vector<v1::RegradeEvent> events =
      RegradeAll(request, {{"alice", Scored(90)}, {"bob", FailedOnOurSide()}});
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front().progress().total(), 2);
  ASSERT_TRUE(events.back().has_summary());
  const v1::RegradeSummary& summary = events.back().summary();
  EXPECT_EQ(summary.progress().graded(), 1);
  EXPECT_EQ(summary.progress().failed(), 1);
  ASSERT_EQ(summary.changes_size(), 2);
  std::map<std::string, v1::ScoreChange> changes;
  for (const v1::ScoreChange& change : summary.changes()) changes[change.student_id()] = change;
  EXPECT_EQ(changes["alice"].before(), 60);
  EXPECT_EQ(changes["alice"].after(), 90);
  EXPECT_TRUE(changes["alice"].applied());
  EXPECT_FALSE(changes["bob"].has_score());
  EXPECT_FALSE(changes["bob"].applied());
  EXPECT_THAT(changes["bob"].note(), HasSubstr("grading failed"));
  EXPECT_EQ(CurrentScore(alice), 90);
  EXPECT_EQ(CurrentScore(bob), 70);  // the GRADED report stays

  v1::RevertRegradeRequest revert;
  revert.set_regrade_id(summary.progress().regrade_id());
  v1::RevertRegradeResponse reverted;
  auto context = CallAs("sub");
  EXPECT_EQ(stub_->RevertRegrade(context.get(), revert, &reverted).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  context = CallAs("teach");
  ASSERT_TRUE(stub_->RevertRegrade(context.get(), revert, &reverted).ok());
  EXPECT_EQ(reverted.restored(), 1);
  EXPECT_EQ(CurrentScore(alice), 60);
  context = CallAs("teach");
  EXPECT_EQ(stub_->RevertRegrade(context.get(), revert, &reverted).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(TeachersServiceTest, ADryRunChangesNothingAndKeepMaxKeepsTheHigherScore) {
  std::string alice = Graded("alice", Scored(60));
  std::string bob = Graded("bob", Scored(70));
  v1::RegradeAllRequest request;
  request.set_exercise_id(kExercise);
  request.set_dry_run(true);
  std::vector<v1::RegradeEvent> dry =
      RegradeAll(request, {{"alice", Scored(90)}, {"bob", Scored(70)}});
  ASSERT_TRUE(dry.back().has_summary());
  ASSERT_EQ(dry.back().summary().changes_size(), 1);
  EXPECT_EQ(dry.back().summary().changes(0).student_id(), "alice");
  EXPECT_EQ(dry.back().summary().changes(0).after(), 90);
  EXPECT_FALSE(dry.back().summary().changes(0).applied());
  EXPECT_EQ(dry.back().summary().unchanged(), 1);
  EXPECT_EQ(CurrentScore(alice), 60);

  request.set_dry_run(false);
  request.set_keep_max(true);
  std::vector<v1::RegradeEvent> kept =
      RegradeAll(request, {{"alice", Scored(40)}, {"bob", Scored(80)}});
  ASSERT_TRUE(kept.back().has_summary());
  EXPECT_EQ(CurrentScore(alice), 60);
  EXPECT_EQ(CurrentScore(bob), 80);
  for (const v1::ScoreChange& change : kept.back().summary().changes()) {
    EXPECT_EQ(change.applied(), change.student_id() == "bob");
    if (change.student_id() == "alice") EXPECT_THAT(change.note(), HasSubstr("keep-max"));
  }
}

TEST_F(TeachersServiceTest, RegradeAllOfNothingOrAnUnknownExerciseIsAClearError) {
  v1::RegradeAllRequest request;
  request.set_exercise_id(kExercise);
  auto context = CallAs("teach");
  v1::RegradeEvent event;
  auto reader = stub_->RegradeAll(context.get(), request);
  while (reader->Read(&event)) {
  }
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("no finished submission"));

  request.set_exercise_id("phase9/nothing");
  context = CallAs("teach");
  reader = stub_->RegradeAll(context.get(), request);
  while (reader->Read(&event)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(ClassViewsTest, PickCountsEachStudentsLatestOrBest) {
  auto submission = [](const std::string& id, const std::string& student, double score,
                       bool graded = true) {
    v1::Submission s;
    s.set_submission_id(id);
    s.set_course_id("c");
    s.set_student_id(student);
    *s.mutable_report() = graded ? Scored(score) : FailedOnOurSide();
    return s;
  };
  std::vector<v1::Submission> finished = {submission("1", "a", 80), submission("2", "b", 10),
                                          submission("3", "a", 50), submission("4", "b", 0, false),
                                          submission("5", "", 0),   submission("6", "", 0)};
  auto ids = [](const std::vector<v1::Submission>& picked) {
    std::vector<std::string> out;
    for (const auto& s : picked) out.push_back(s.submission_id());
    return out;
  };
  EXPECT_THAT(ids(PickSubmissions(finished, Pick::kAll)),
              ElementsAre("1", "2", "3", "4", "5", "6"));
  EXPECT_THAT(ids(PickSubmissions(finished, Pick::kLatestPerStudent)),
              ElementsAre("3", "4", "5", "6"));
  EXPECT_THAT(ids(PickSubmissions(finished, Pick::kBestPerStudent)),
              ElementsAre("1", "2", "5", "6"));
}

}  // namespace
}  // namespace gograder::server
