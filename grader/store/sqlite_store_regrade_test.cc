// Tests of the SQLite store's current reports and regrades on real database
// files in a temporary directory: the rows they keep (every report, nothing
// written by a refused regrade) and the migration of a version 3 database.
// The regrade contract itself is store_conformance_test's, for every backend.
#include "grader/store/sqlite_store_test_support.h"
#include "grader/store/store_backends_testing.h"

namespace gograder::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

constexpr char kExercise[] = "phase1/concurrent-web-scraper";

GradeReport FailedReport() {
  GradeReport report;
  report.set_status(GradeReport::GRADING_FAILED);
  report.set_exercise_id(kExercise);
  return report;
}

RegradeSpec Spec(bool dry_run = false, bool keep_max = false) {
  RegradeSpec spec;
  spec.exercise_id = kExercise;
  spec.scope = "all";
  spec.dry_run = dry_run;
  spec.keep_max = keep_max;
  spec.rubric_digest = "sha256:rubric";
  return spec;
}

class RegradeTest : public SqliteStoreTest {
 protected:
  // The next claim; nullopt when there is none (or on error, which fails
  // the test).
  std::optional<Claim> Next() { return NextClaim(*store_); }

  // Claims the next submission, expecting the ordinary grading of `id`, and
  // finishes it with `report`.
  void FinishNext(const std::string& id, const GradeReport& report) {
    FinishNextClaim(*store_, id, report);
  }

  // A new DONE submission whose report is `report`.
  std::string Done(const GradeReport& report, std::string course = "c1", std::string student = "s1",
                   std::string exercise = kExercise) {
    std::string id = Insert(std::move(course), "", std::move(student), std::move(exercise));
    FinishNext(id, report);
    return id;
  }

  // Grades `id` again through Requeue.
  void RequeueAndFinish(const std::string& id, const GradeReport& report) {
    ASSERT_OK(store_->Requeue(id).status());
    FinishNext(id, report);
  }

  // Claims the next regrade item, which must be of `submission_id`, and
  // finishes it with `report`.
  void FinishNextItem(const std::string& submission_id, const GradeReport& report) {
    store::FinishNextItem(*store_, submission_id, report);
  }

  // The current report of `id`.
  GradeReport Current(const std::string& id) { return CurrentReport(*store_, id); }

  int64_t Count(const std::string& table) {
    RawDb raw(path_);
    return raw.QueryInt(absl::StrCat("SELECT COUNT(*) FROM ", table));
  }
};

TEST_F(RegradeTest, AFailedGradingNeverReplacesAGradedReport) {
  std::string id = Done(MakeReport(70));
  RequeueAndFinish(id, FailedReport());
  ASSERT_OK_AND_ASSIGN(Submission done, store_->Get(id));
  EXPECT_EQ(done.state(), Submission::DONE);
  EXPECT_EQ(done.regrades(), 1);
  EXPECT_EQ(done.report().status(), GradeReport::GRADED);
  EXPECT_EQ(done.report().score(), 70);
  EXPECT_EQ(Count("reports"), 2);  // the failed report is kept
  // A later GRADED report still replaces it.
  RequeueAndFinish(id, MakeReport(65));
  EXPECT_EQ(Current(id).score(), 65);
}

TEST_F(RegradeTest, StartRegradeRejectsWhatItCannotRegradeAndWritesNothing) {
  std::string done = Done(MakeReport(10));
  std::string other_course = Done(MakeReport(10), "c2");
  std::string other_exercise = Done(MakeReport(10), "c1", "s1", "phase1/other");
  std::string queued = Insert();

  struct Case {
    std::vector<std::string> ids;
    std::string message;
  };
  const Case cases[] = {
      {{}, "at least one submission"},
      {{done, "nope"}, "submission 'nope' not found"},
      {{done, queued}, absl::StrCat("submission '", queued, "' is QUEUED, not DONE")},
      {{other_exercise, done},
       absl::StrCat("submission '", other_exercise, "' is of exercise 'phase1/other'")},
      {{done, other_course}, absl::StrCat("submission '", other_course, "' is of course 'c2'")},
      {{done, done}, absl::StrCat("submission '", done, "' is listed twice")},
  };
  RegradeSpec spec = Spec();
  spec.course_id = "c1";
  for (const Case& c : cases) {
    absl::StatusOr<Regrade> regrade = store_->StartRegrade(spec, c.ids);
    EXPECT_THAT(regrade, StatusIs(absl::StatusCode::kInvalidArgument)) << c.message;
    EXPECT_THAT(std::string(regrade.status().message()), HasSubstr(c.message));
  }
  EXPECT_EQ(Count("regrades"), 0);
  EXPECT_EQ(Count("regrade_items"), 0);
  EXPECT_EQ(store_->QueueDepth().value(), 1);  // the queued submission

  // Every course: the course is not checked.
  EXPECT_OK(store_->StartRegrade(Spec(), {done, other_course}).status());
}

TEST_F(RegradeTest, FinishRegradeTakesOnlyTheCurrentClaimOnce) {
  std::string id = Done(MakeReport(50));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {id}));
  // Not claimed yet.
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, id, 0, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  absl::Status stale =
      store_->FinishRegrade(regrade.regrade_id, id, claim->claim + 1, MakeReport(2));
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(stale.message()), HasSubstr("not current"));
  EXPECT_THAT(store_->FinishRegrade("rg-nope", id, claim->claim, MakeReport(3)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, "nope", claim->claim, MakeReport(3)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Count("reports"), 1);

  ASSERT_OK(store_->FinishRegrade(regrade.regrade_id, id, claim->claim, MakeReport(60)));
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, id, claim->claim, MakeReport(70)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Current(id).score(), 60);
  EXPECT_EQ(Count("reports"), 2);
}

TEST_F(RegradeTest, KeepMaxKeepsAHigherCurrentScore) {
  std::string high = Done(MakeReport(80)), low = Done(MakeReport(40));
  ASSERT_OK_AND_ASSIGN(Regrade keep_max,
                       store_->StartRegrade(Spec(false, /*keep_max=*/true), {high, low}));
  FinishNextItem(high, MakeReport(60));
  FinishNextItem(low, MakeReport(60));
  EXPECT_EQ(Current(high).score(), 80);
  EXPECT_EQ(Current(low).score(), 60);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(keep_max.regrade_id));
  EXPECT_FALSE(got.items[0].applied);
  EXPECT_EQ(got.items[0].note, "keep-max: the current score is higher");
  EXPECT_THAT(got.items[0].after, Optional(60.0));
  EXPECT_TRUE(got.items[1].applied);

  // Without keep_max a lower score replaces it (a second regrade of the
  // same submission: its report does not collide with the first's).
  ASSERT_OK(store_->StartRegrade(Spec(), {high}).status());
  FinishNextItem(high, MakeReport(60));
  EXPECT_EQ(Current(high).score(), 60);
  EXPECT_EQ(Count("reports"), 5);
}

TEST_F(RegradeTest, MigratesAVersion3DatabaseWithTheLatestReportsCurrent) {
  std::string regraded = Done(MakeReport(40));
  RequeueAndFinish(regraded, MakeReport(90));
  std::string waiting = Done(MakeReport(30));
  ASSERT_OK(store_->Requeue(waiting).status());
  std::string queued = Insert();
  store_.reset();
  {
    RawDb raw(path_);
    DowngradeToVersion3(raw);
  }
  Reopen();
  {
    RawDb raw(path_);
    EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 6);
    EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM reports WHERE status IS NULL"), 3);
    EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
  }
  EXPECT_EQ(Current(regraded).score(), 90);
  ASSERT_OK_AND_ASSIGN(Submission still_waiting, store_->Get(waiting));
  EXPECT_EQ(still_waiting.state(), Submission::QUEUED);
  EXPECT_EQ(still_waiting.report().score(), 30);
  EXPECT_FALSE(store_->Get(queued).value().has_report());

  // The old reports' status and score come from their blobs.
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {regraded}));
  EXPECT_THAT(regrade.items[0].before, Optional(90.0));
  FinishNext(waiting, MakeReport(31));
  FinishNext(queued, MakeReport(32));
  FinishNextItem(regraded, FailedReport());
  EXPECT_EQ(Current(regraded).score(), 90);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  EXPECT_EQ(got.items[0].note, "grading failed on our side: the GRADED report stays");
}

}  // namespace
}  // namespace gograder::store
