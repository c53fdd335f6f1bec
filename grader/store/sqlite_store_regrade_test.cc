// Tests of the SQLite store's current reports and regrades on real database
// files in a temporary directory.
#include "grader/store/sqlite_store_test_support.h"

namespace gograder::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using State = RegradeItem::State;

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
  std::optional<Claim> Next() {
    absl::StatusOr<std::optional<Claim>> claim = store_->ClaimNext();
    EXPECT_TRUE(claim.ok()) << claim.status();
    return claim.ok() ? *std::move(claim) : std::nullopt;
  }

  // Claims the next submission, expecting the ordinary grading of `id`, and
  // finishes it with `report`.
  void FinishNext(const std::string& id, const GradeReport& report) {
    std::optional<Claim> claim = Next();
    ASSERT_TRUE(claim.has_value());
    ASSERT_EQ(claim->submission.submission_id(), id);
    ASSERT_EQ(claim->regrade_id, "");
    ASSERT_OK(store_->Finish(id, claim->claim, report));
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
    std::optional<Claim> claim = Next();
    ASSERT_TRUE(claim.has_value());
    ASSERT_EQ(claim->submission.submission_id(), submission_id);
    ASSERT_NE(claim->regrade_id, "");
    ASSERT_OK(store_->FinishRegrade(claim->regrade_id, submission_id, claim->claim, report));
  }

  // The current report of `id`.
  GradeReport Current(const std::string& id) {
    absl::StatusOr<Submission> submission = store_->Get(id);
    EXPECT_TRUE(submission.ok()) << submission.status();
    return submission.ok() ? submission->report() : GradeReport();
  }

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

TEST_F(RegradeTest, AGradedReportReplacesAFailedOne) {
  std::string id = Done(FailedReport());
  EXPECT_EQ(Current(id).status(), GradeReport::GRADING_FAILED);
  RequeueAndFinish(id, MakeReport(80));
  EXPECT_EQ(Current(id).status(), GradeReport::GRADED);
  EXPECT_EQ(Current(id).score(), 80);
}

TEST_F(RegradeTest, FinishedListsTheDoneSubmissionsOfAnExerciseOldestFirst) {
  std::string a = Done(MakeReport(1), "c1");
  std::string b = Done(MakeReport(2), "c2", "s2");
  Done(MakeReport(3), "c1", "s1", "phase1/other");
  std::string cancelled = Insert("c1");
  ASSERT_OK(store_->Cancel(cancelled).status());
  std::string c = Done(MakeReport(4), "c1", "s3");
  Insert("c1");  // queued

  auto ids_and_scores = [](const std::vector<Submission>& submissions) {
    std::vector<std::pair<std::string, double>> out;
    for (const Submission& s : submissions) out.emplace_back(s.submission_id(), s.report().score());
    return out;
  };
  ASSERT_OK_AND_ASSIGN(std::vector<Submission> all, store_->Finished(kExercise, ""));
  EXPECT_THAT(ids_and_scores(all),
              ElementsAre(std::make_pair(a, 1.0), std::make_pair(b, 2.0), std::make_pair(c, 4.0)));
  ASSERT_OK_AND_ASSIGN(std::vector<Submission> c1, store_->Finished(kExercise, "c1"));
  EXPECT_THAT(ids_and_scores(c1), ElementsAre(std::make_pair(a, 1.0), std::make_pair(c, 4.0)));
  EXPECT_EQ(c1[0].state(), Submission::DONE);
  EXPECT_EQ(c1[0].course_id(), "c1");
  ASSERT_OK_AND_ASSIGN(std::vector<Submission> none, store_->Finished("phase9/none", ""));
  EXPECT_THAT(none, IsEmpty());
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

TEST_F(RegradeTest, StartRegradeRecordsTheSpecAndTheItemsInTheGivenOrder) {
  std::string a = Done(MakeReport(40), "c1", "s1");
  std::string b = Done(FailedReport(), "c1", "s2");
  RegradeSpec spec = Spec(/*dry_run=*/true, /*keep_max=*/true);
  spec.course_id = "c1";
  spec.scope = "latest-per-student";
  ASSERT_OK_AND_ASSIGN(Regrade started, store_->StartRegrade(spec, {b, a}));
  EXPECT_THAT(started.regrade_id, ::testing::MatchesRegex("rg-[0-9a-f]{32}"));
  EXPECT_THAT(started.created_at, ::testing::MatchesRegex("[0-9T:.-]+Z"));
  EXPECT_FALSE(started.reverted);
  ASSERT_EQ(started.items.size(), 2u);
  EXPECT_EQ(started.items[0].submission_id, b);
  EXPECT_EQ(started.items[0].student_id, "s2");
  EXPECT_EQ(started.items[0].course_id, "c1");
  EXPECT_EQ(started.items[0].before, std::nullopt);  // not GRADED
  EXPECT_EQ(started.items[1].submission_id, a);
  EXPECT_THAT(started.items[1].before, Optional(40.0));
  for (const RegradeItem& item : started.items) {
    EXPECT_EQ(item.state, State::kPending);
    EXPECT_EQ(item.after, std::nullopt);
    EXPECT_FALSE(item.applied);
  }

  Reopen();
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(started.regrade_id));
  EXPECT_EQ(got.spec.exercise_id, kExercise);
  EXPECT_EQ(got.spec.course_id, "c1");
  EXPECT_EQ(got.spec.scope, "latest-per-student");
  EXPECT_TRUE(got.spec.dry_run);
  EXPECT_TRUE(got.spec.keep_max);
  EXPECT_EQ(got.spec.rubric_digest, "sha256:rubric");
  EXPECT_EQ(got.created_at, started.created_at);
  ASSERT_EQ(got.items.size(), 2u);
  EXPECT_EQ(got.items[0].submission_id, b);
  EXPECT_EQ(got.items[1].submission_id, a);
  EXPECT_THAT(store_->GetRegrade("rg-nope"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RegradeTest, QueuedSubmissionsGoBeforeRegradeItemsWhichGoInOrder) {
  std::string a = Done(MakeReport(1)), b = Done(MakeReport(2), "c2", "s2");
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {b, a}));
  std::string later = Insert("c3");
  EXPECT_EQ(store_->QueueDepth().value(), 3);

  std::optional<Claim> first = Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->submission.submission_id(), later);
  EXPECT_EQ(first->regrade_id, "");

  std::optional<Claim> item_b = Next();
  ASSERT_TRUE(item_b.has_value());
  EXPECT_EQ(item_b->submission.submission_id(), b);
  EXPECT_EQ(item_b->regrade_id, regrade.regrade_id);
  EXPECT_EQ(item_b->claim, 1);
  EXPECT_EQ(item_b->submission.state(), Submission::DONE);
  EXPECT_EQ(item_b->submission.course_id(), "c2");
  EXPECT_EQ(item_b->files_dir, "/data/submissions/x");
  EXPECT_EQ(store_->QueueDepth().value(), 1);  // item a; the running ones are not queued

  // A submission arriving while a regrade runs still goes first.
  std::string interactive = Insert("c2", "", "s2");
  EXPECT_EQ(store_->QueuePosition(interactive).value(), 1);
  EXPECT_EQ(Next()->submission.submission_id(), interactive);
  std::optional<Claim> item_a = Next();
  ASSERT_TRUE(item_a.has_value());
  EXPECT_EQ(item_a->submission.submission_id(), a);
  EXPECT_EQ(item_a->regrade_id, regrade.regrade_id);
  EXPECT_FALSE(Next().has_value());
  EXPECT_EQ(store_->QueueDepth().value(), 0);
}

TEST_F(RegradeTest, TheSubmissionStaysDoneWithItsReportWhileItsItemRuns) {
  std::string id = Done(MakeReport(50));
  ASSERT_OK_AND_ASSIGN(Submission before, store_->Get(id));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {id}));
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_EQ(claim->regrade_id, regrade.regrade_id);

  ASSERT_OK_AND_ASSIGN(Submission running, store_->Get(id));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(running, before));
  EXPECT_EQ(store_->QueuePosition(id).value(), 0);
  // The item's claim is not a claim of the submission.
  EXPECT_THAT(store_->Finish(id, claim->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(Regrade pending, store_->GetRegrade(regrade.regrade_id));
  EXPECT_EQ(pending.items[0].state, State::kPending);

  ASSERT_OK(store_->FinishRegrade(regrade.regrade_id, id, claim->claim, MakeReport(90)));
  ASSERT_OK_AND_ASSIGN(Submission after, store_->Get(id));
  EXPECT_EQ(after.state(), Submission::DONE);
  EXPECT_EQ(after.report().score(), 90);
  EXPECT_EQ(after.regrades(), before.regrades());
  EXPECT_EQ(after.finished_at(), before.finished_at());
  ASSERT_OK_AND_ASSIGN(Regrade finished, store_->GetRegrade(regrade.regrade_id));
  const RegradeItem& item = finished.items[0];
  EXPECT_EQ(item.state, State::kGraded);
  EXPECT_THAT(item.before, Optional(50.0));
  EXPECT_THAT(item.after, Optional(90.0));
  EXPECT_TRUE(item.applied);
  EXPECT_EQ(item.note, "");
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

TEST_F(RegradeTest, ADryRunRecordsScoresButChangesNoCurrentReport) {
  std::string a = Done(MakeReport(50)), b = Done(MakeReport(70));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(/*dry_run=*/true), {a, b}));
  FinishNextItem(a, MakeReport(90));
  FinishNextItem(b, MakeReport(30));
  EXPECT_EQ(Current(a).score(), 50);
  EXPECT_EQ(Current(b).score(), 70);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  ASSERT_EQ(got.items.size(), 2u);
  EXPECT_THAT(got.items[0].after, Optional(90.0));
  EXPECT_THAT(got.items[1].after, Optional(30.0));
  for (const RegradeItem& item : got.items) {
    EXPECT_EQ(item.state, State::kGraded);
    EXPECT_FALSE(item.applied);
    EXPECT_EQ(item.note, "dry run");
  }
  // Nothing to restore.
  EXPECT_EQ(store_->RevertRegrade(regrade.regrade_id).value(), 0);
  EXPECT_EQ(Current(a).score(), 50);
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

TEST_F(RegradeTest, AFailedRegradeNeverReplacesAGradedReport) {
  std::string graded = Done(MakeReport(75)), failed = Done(FailedReport());
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {graded, failed}));
  FinishNextItem(graded, FailedReport());
  FinishNextItem(failed, MakeReport(55));
  EXPECT_EQ(Current(graded).status(), GradeReport::GRADED);
  EXPECT_EQ(Current(graded).score(), 75);
  EXPECT_EQ(Current(failed).score(), 55);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  const RegradeItem& kept = got.items[0];
  EXPECT_EQ(kept.state, State::kFailed);
  EXPECT_THAT(kept.before, Optional(75.0));
  EXPECT_EQ(kept.after, std::nullopt);
  EXPECT_FALSE(kept.applied);
  EXPECT_EQ(kept.note, "grading failed on our side: the GRADED report stays");
  EXPECT_EQ(got.items[1].state, State::kGraded);
  EXPECT_EQ(got.items[1].before, std::nullopt);
  EXPECT_TRUE(got.items[1].applied);
}

TEST_F(RegradeTest, ARegradeComparesWithTheReportCurrentWhenItFinishes) {
  std::string id = Done(MakeReport(30));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(false, /*keep_max=*/true), {id}));
  // A single regrade finishes first and raises the score.
  RequeueAndFinish(id, MakeReport(90));
  FinishNextItem(id, MakeReport(60));
  EXPECT_EQ(Current(id).score(), 90);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  EXPECT_THAT(got.items[0].before, Optional(30.0));
  EXPECT_EQ(got.items[0].note, "keep-max: the current score is higher");
}

TEST_F(RegradeTest, RevertRestoresTheReportsCurrentAtTheStartOnce) {
  std::string a = Done(MakeReport(50)), b = Done(MakeReport(60)), c = Done(MakeReport(70));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {a, b, c}));
  FinishNextItem(a, MakeReport(90));
  FinishNextItem(b, FailedReport());
  FinishNextItem(c, MakeReport(20));
  // c is graded again after the regrade: that report stays.
  RequeueAndFinish(c, MakeReport(33));

  ASSERT_OK_AND_ASSIGN(int restored, store_->RevertRegrade(regrade.regrade_id));
  EXPECT_EQ(restored, 1);
  EXPECT_EQ(Current(a).score(), 50);
  EXPECT_EQ(Current(b).score(), 60);
  EXPECT_EQ(Current(c).score(), 33);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  EXPECT_TRUE(got.reverted);

  absl::Status again = store_->RevertRegrade(regrade.regrade_id).status();
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(again.message()), HasSubstr("already reverted"));
  EXPECT_EQ(Current(a).score(), 50);
  EXPECT_THAT(store_->RevertRegrade("rg-nope"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RegradeTest, ARevertedRegradesRemainingItemsAreNeverGraded) {
  std::string a = Done(MakeReport(1)), b = Done(MakeReport(2)), c = Done(MakeReport(3));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {a, b, c}));
  FinishNextItem(a, MakeReport(10));
  std::optional<Claim> running = Next();
  ASSERT_TRUE(running.has_value());
  ASSERT_EQ(running->submission.submission_id(), b);
  EXPECT_EQ(store_->QueueDepth().value(), 1);

  ASSERT_OK_AND_ASSIGN(int restored, store_->RevertRegrade(regrade.regrade_id));
  EXPECT_EQ(restored, 1);
  EXPECT_EQ(store_->QueueDepth().value(), 0);
  EXPECT_FALSE(Next().has_value());
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, b, running->claim, MakeReport(20)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(store_->RecoverAfterCrash().value(), 0);
  EXPECT_FALSE(Next().has_value());
  EXPECT_EQ(Current(b).score(), 2);

  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  EXPECT_TRUE(got.items[0].applied);
  for (int i : {1, 2}) {
    EXPECT_EQ(got.items[i].state, State::kPending);
    EXPECT_EQ(got.items[i].note, "dropped: the regrade was reverted");
  }
}

TEST_F(RegradeTest, RecoverAfterCrashRequeuesARunningItem) {
  std::string a = Done(MakeReport(40));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {a}));
  std::string b = Insert();
  ASSERT_EQ(Next()->submission.submission_id(), b);
  std::optional<Claim> stale = Next();
  ASSERT_TRUE(stale.has_value());
  ASSERT_EQ(stale->regrade_id, regrade.regrade_id);
  EXPECT_EQ(store_->QueueDepth().value(), 0);

  Reopen();  // the "restart"
  ASSERT_OK_AND_ASSIGN(int recovered, store_->RecoverAfterCrash());
  EXPECT_EQ(recovered, 2);  // b and the item
  EXPECT_EQ(store_->QueueDepth().value(), 2);
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, a, stale->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  FinishNext(b, MakeReport(5));
  std::optional<Claim> current = Next();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->regrade_id, regrade.regrade_id);
  EXPECT_EQ(current->claim, stale->claim + 1);
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, a, stale->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(store_->FinishRegrade(regrade.regrade_id, a, current->claim, MakeReport(45)));
  EXPECT_EQ(Current(a).score(), 45);
  EXPECT_EQ(store_->RecoverAfterCrash().value(), 0);
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
    EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 5);
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
