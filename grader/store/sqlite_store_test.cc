// Tests of the SQLite store on real database files in a temporary directory.
#include "grader/store/sqlite_store_test_support.h"

namespace gograder::store {
namespace {

using gograder::v1::GradeReport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::UnorderedElementsAre;

TEST_F(SqliteStoreTest, InsertThenGet) {
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, store_->Insert(MakeSubmission("c1", "k1"), {}));
  EXPECT_FALSE(first.duplicate);
  EXPECT_EQ(first.queue_position, 1);
  const Submission& s = first.submission;
  EXPECT_THAT(s.submission_id(), MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(s.submitted_at(),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"));
  EXPECT_EQ(s.state(), Submission::QUEUED);

  ASSERT_OK_AND_ASSIGN(InsertOutcome second, store_->Insert(MakeSubmission("c1", "k2"), {}));
  EXPECT_EQ(second.queue_position, 2);
  EXPECT_NE(second.submission.submission_id(), s.submission_id());

  ASSERT_OK_AND_ASSIGN(Submission got, store_->Get(s.submission_id()));
  EXPECT_EQ(got.exercise_id(), "phase1/concurrent-web-scraper");
  EXPECT_EQ(got.course_id(), "c1");
  EXPECT_EQ(got.student_id(), "s1");
  EXPECT_EQ(got.attempt_id(), "a1");
  EXPECT_EQ(got.submission_digest(), "sha256:abc");
  EXPECT_EQ(got.state(), Submission::QUEUED);
  EXPECT_EQ(got.submitted_at(), s.submitted_at());
  EXPECT_EQ(got.finished_at(), "");
  EXPECT_EQ(got.regrades(), 0);
  EXPECT_FALSE(got.has_report());
  ASSERT_OK_AND_ASSIGN(std::string files_dir, store_->FilesDir(s.submission_id()));
  EXPECT_EQ(files_dir, "/data/submissions/x");
}

TEST_F(SqliteStoreTest, UnknownSubmissionIsNotFound) {
  EXPECT_THAT(store_->Get("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(std::string(store_->Get("nope").status().message()), HasSubstr("'nope' not found"));
  EXPECT_THAT(store_->FilesDir("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->Cancel("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->Requeue("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->QueuePosition("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->Finish("nope", 1, MakeReport(1)), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->AppendEvent("nope", WatchEvent()), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->EventsAfter("nope", 0), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(SqliteStoreTest, InsertRejectsMissingFields) {
  NewSubmission s = MakeSubmission("c1");
  s.exercise_id.clear();
  EXPECT_THAT(store_->Insert(s, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  s = MakeSubmission("c1");
  s.files_dir.clear();
  EXPECT_THAT(store_->Insert(s, {}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SqliteStoreTest, IdempotencyKeyIsPerCourse) {
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, store_->Insert(MakeSubmission("c1", "key"), {}));
  ASSERT_OK_AND_ASSIGN(InsertOutcome again, store_->Insert(MakeSubmission("c1", "key"), {}));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.submission.submission_id(), first.submission.submission_id());
  EXPECT_EQ(again.submission.submitted_at(), first.submission.submitted_at());
  EXPECT_EQ(again.queue_position, 1);

  ASSERT_OK_AND_ASSIGN(InsertOutcome other_course, store_->Insert(MakeSubmission("c2", "key"), {}));
  EXPECT_FALSE(other_course.duplicate);
  EXPECT_NE(other_course.submission.submission_id(), first.submission.submission_id());
  EXPECT_EQ(other_course.queue_position, 2);

  // No key: every insert is new.
  ASSERT_OK_AND_ASSIGN(InsertOutcome a, store_->Insert(MakeSubmission("c1"), {}));
  ASSERT_OK_AND_ASSIGN(InsertOutcome b, store_->Insert(MakeSubmission("c1"), {}));
  EXPECT_FALSE(b.duplicate);
  EXPECT_NE(a.submission.submission_id(), b.submission.submission_id());
  ASSERT_OK_AND_ASSIGN(int depth, store_->QueueDepth());
  EXPECT_EQ(depth, 4);

  // A duplicate of a claimed submission reports it as not queued.
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK_AND_ASSIGN(InsertOutcome running, store_->Insert(MakeSubmission("c1", "key"), {}));
  EXPECT_TRUE(running.duplicate);
  EXPECT_EQ(running.submission.state(), Submission::RUNNING);
  EXPECT_EQ(running.queue_position, 0);
}

TEST_F(SqliteStoreTest, IntakeNotesReachTheClaim) {
  NewSubmission with_notes = MakeSubmission("c1");
  with_notes.intake_notes = {"removed vendor/: dependencies come from the module cache",
                             "removed go.work"};
  ASSERT_OK(store_->Insert(with_notes, {}).status());
  ASSERT_OK(store_->Insert(MakeSubmission("c1"), {}).status());
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> first, store_->ClaimNext());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->intake_notes, with_notes.intake_notes);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> second, store_->ClaimNext());
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->intake_notes.empty());
}

TEST_F(SqliteStoreTest, QueueLimitIsResourceExhausted) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store_->Insert(MakeSubmission("c1", absl::StrCat("k", i)), QueueLimits{.queued = 3})
                  .status());
  }
  absl::Status full = store_->Insert(MakeSubmission("c1", "k3"), QueueLimits{.queued = 3}).status();
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(full.message()), HasSubstr("queue is full"));
  ASSERT_OK_AND_ASSIGN(int depth, store_->QueueDepth());
  EXPECT_EQ(depth, 3);

  // A retry of an accepted submission still gets its answer.
  ASSERT_OK_AND_ASSIGN(InsertOutcome retry,
                       store_->Insert(MakeSubmission("c1", "k0"), QueueLimits{.queued = 3}));
  EXPECT_TRUE(retry.duplicate);

  // Running submissions are not queued: claiming makes room.
  ASSERT_OK(store_->ClaimNext().status());
  ASSERT_OK(store_->Insert(MakeSubmission("c1", "k3"), QueueLimits{.queued = 3}).status());
  // No limit.
  ASSERT_OK(store_->Insert(MakeSubmission("c1", "k4"), {}).status());
}

TEST_F(SqliteStoreTest, QueueOrderAndPositions) {
  std::string a = Insert(), b = Insert(), c = Insert();
  EXPECT_EQ(store_->QueuePosition(a).value(), 1);
  EXPECT_EQ(store_->QueuePosition(b).value(), 2);
  EXPECT_EQ(store_->QueuePosition(c).value(), 3);
  EXPECT_EQ(store_->QueueDepth().value(), 3);

  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->submission.submission_id(), a);
  EXPECT_EQ(claim->submission.state(), Submission::RUNNING);
  EXPECT_EQ(claim->claim, 1);
  EXPECT_EQ(claim->files_dir, "/data/submissions/x");
  EXPECT_EQ(store_->Get(a).value().state(), Submission::RUNNING);
  EXPECT_EQ(store_->QueuePosition(a).value(), 0);
  EXPECT_EQ(store_->QueuePosition(b).value(), 1);
  EXPECT_EQ(store_->QueuePosition(c).value(), 2);
  EXPECT_EQ(store_->QueueDepth().value(), 2);

  EXPECT_EQ(store_->ClaimNext().value()->submission.submission_id(), b);
  EXPECT_EQ(store_->ClaimNext().value()->submission.submission_id(), c);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> none, store_->ClaimNext());
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(store_->QueueDepth().value(), 0);
}

TEST_F(SqliteStoreTest, FinishStoresTheReportOnce) {
  std::string id = Insert();
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  GradeReport report = MakeReport(87.5);
  ASSERT_OK(store_->Finish(id, claim->claim, report));

  ASSERT_OK_AND_ASSIGN(Submission done, store_->Get(id));
  EXPECT_EQ(done.state(), Submission::DONE);
  EXPECT_THAT(done.finished_at(), MatchesRegex("[0-9T:.-]+Z"));
  EXPECT_GE(done.finished_at(), done.submitted_at());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(done.report(), report));

  // The same claim again, or a wrong claim number: refused, nothing changes.
  absl::Status again = store_->Finish(id, claim->claim, MakeReport(1));
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(again.message()), HasSubstr("not current"));
  EXPECT_THAT(store_->Finish(id, claim->claim + 1, MakeReport(2)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(Submission unchanged, store_->Get(id));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(unchanged, done));
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM reports"), 1);
}

TEST_F(SqliteStoreTest, FinishWithStaleClaimFailsAndChangesNothing) {
  std::string id = Insert();
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> stale, store_->ClaimNext());
  ASSERT_TRUE(stale.has_value());
  // A crash: the worker holding `stale` is presumed dead.
  ASSERT_OK_AND_ASSIGN(int recovered, store_->RecoverAfterCrash());
  EXPECT_EQ(recovered, 1);
  // Stale while queued again...
  EXPECT_THAT(store_->Finish(id, stale->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> current, store_->ClaimNext());
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->submission.submission_id(), id);
  EXPECT_EQ(current->claim, stale->claim + 1);
  // ...and while someone else holds the current claim.
  EXPECT_THAT(store_->Finish(id, stale->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(Submission running, store_->Get(id));
  EXPECT_EQ(running.state(), Submission::RUNNING);
  EXPECT_FALSE(running.has_report());
  EXPECT_EQ(running.finished_at(), "");

  ASSERT_OK(store_->Finish(id, current->claim, MakeReport(2)));
  EXPECT_EQ(store_->Get(id).value().report().score(), 2);
}

TEST_F(SqliteStoreTest, Cancel) {
  std::string done = Insert(), running = Insert(), queued = Insert();
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> done_claim, store_->ClaimNext());
  ASSERT_EQ(done_claim->submission.submission_id(), done);
  ASSERT_OK(store_->Finish(done, done_claim->claim, MakeReport(10)));
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> running_claim, store_->ClaimNext());
  ASSERT_EQ(running_claim->submission.submission_id(), running);

  ASSERT_OK_AND_ASSIGN(Submission cancelled_queued, store_->Cancel(queued));
  EXPECT_EQ(cancelled_queued.state(), Submission::CANCELLED);
  EXPECT_NE(cancelled_queued.finished_at(), "");
  EXPECT_EQ(store_->QueueDepth().value(), 0);
  EXPECT_EQ(store_->QueuePosition(queued).value(), 0);
  EXPECT_FALSE(store_->ClaimNext().value().has_value());

  ASSERT_OK_AND_ASSIGN(Submission cancelled_running, store_->Cancel(running));
  EXPECT_EQ(cancelled_running.state(), Submission::CANCELLED);
  // The worker's result is dropped.
  EXPECT_THAT(store_->Finish(running, running_claim->claim, MakeReport(5)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(store_->Get(running).value().state(), Submission::CANCELLED);
  EXPECT_FALSE(store_->Get(running).value().has_report());

  // A finished grading is left as it is (and comes with its report).
  ASSERT_OK_AND_ASSIGN(Submission before, store_->Get(done));
  ASSERT_OK_AND_ASSIGN(Submission not_cancelled, store_->Cancel(done));
  EXPECT_EQ(not_cancelled.state(), Submission::DONE);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(not_cancelled, before));

  // Cancelling twice changes nothing the second time.
  ASSERT_OK_AND_ASSIGN(Submission twice, store_->Cancel(queued));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(twice, cancelled_queued));
}

TEST_F(SqliteStoreTest, RequeueKeepsEveryReportAndReturnsTheLatest) {
  std::string id = Insert();
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> first, store_->ClaimNext());
  ASSERT_OK(store_->Finish(id, first->claim, MakeReport(40)));
  std::string newer = Insert();

  ASSERT_OK_AND_ASSIGN(InsertOutcome requeued, store_->Requeue(id));
  EXPECT_FALSE(requeued.duplicate);
  EXPECT_EQ(requeued.submission.state(), Submission::QUEUED);
  EXPECT_EQ(requeued.submission.regrades(), 1);
  EXPECT_EQ(requeued.submission.finished_at(), "");
  // A regrade waits behind what was queued before it.
  EXPECT_EQ(requeued.queue_position, 2);
  EXPECT_EQ(store_->QueuePosition(newer).value(), 1);

  // Already queued or running: refused.
  EXPECT_THAT(store_->Requeue(id), StatusIs(absl::StatusCode::kFailedPrecondition));
  // While the regrade waits, the earlier report is still the latest one.
  ASSERT_OK_AND_ASSIGN(Submission waiting, store_->Get(id));
  EXPECT_EQ(waiting.state(), Submission::QUEUED);
  EXPECT_EQ(waiting.regrades(), 1);
  EXPECT_EQ(waiting.report().score(), 40);

  EXPECT_EQ(store_->ClaimNext().value()->submission.submission_id(), newer);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> second, store_->ClaimNext());
  ASSERT_EQ(second->submission.submission_id(), id);
  EXPECT_EQ(second->claim, first->claim + 1);
  EXPECT_THAT(store_->Requeue(id), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(store_->Finish(id, second->claim, MakeReport(90)));

  ASSERT_OK_AND_ASSIGN(Submission regraded, store_->Get(id));
  EXPECT_EQ(regraded.state(), Submission::DONE);
  EXPECT_EQ(regraded.regrades(), 1);
  EXPECT_EQ(regraded.report().score(), 90);
  RawDb raw(path_);
  EXPECT_THAT(raw.Query(absl::StrCat("SELECT claim, report IS NOT NULL FROM reports WHERE "
                                     "submission_id = '",
                                     id, "' ORDER BY claim")),
              ElementsAre(ElementsAre("1", "1"), ElementsAre("2", "1")));

  // A cancelled submission can be graded again too.
  std::string cancelled = Insert();
  ASSERT_OK(store_->Cancel(cancelled).status());
  ASSERT_OK_AND_ASSIGN(InsertOutcome revived, store_->Requeue(cancelled));
  EXPECT_EQ(revived.submission.state(), Submission::QUEUED);
  EXPECT_EQ(revived.submission.regrades(), 1);
  EXPECT_EQ(revived.queue_position, 1);
}

TEST_F(SqliteStoreTest, RecoverAfterCrashRequeuesRunningAtTheFront) {
  std::string a = Insert(), b = Insert(), c = Insert(), d = Insert();
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim_a, store_->ClaimNext());
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim_b, store_->ClaimNext());
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim_c, store_->ClaimNext());
  ASSERT_OK(store_->Finish(b, claim_b->claim, MakeReport(1)));
  std::string e = Insert();

  Reopen();  // the "restart"
  ASSERT_OK_AND_ASSIGN(int recovered, store_->RecoverAfterCrash());
  EXPECT_EQ(recovered, 2);  // a and c
  EXPECT_EQ(store_->Get(b).value().state(), Submission::DONE);
  // Interrupted gradings first, in their original order, then the queue.
  std::vector<std::string> order;
  while (true) {
    ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
    if (!claim.has_value()) break;
    order.push_back(claim->submission.submission_id());
  }
  EXPECT_THAT(order, ElementsAre(a, c, d, e));
  ASSERT_OK_AND_ASSIGN(int again, store_->RecoverAfterCrash());
  EXPECT_EQ(again, 4);
  ASSERT_OK_AND_ASSIGN(int none, store_->RecoverAfterCrash());
  EXPECT_EQ(none, 0);
}

TEST_F(SqliteStoreTest, EventsGetSequencesPerSubmission) {
  std::string id = Insert(), other = Insert();
  WatchEvent queued;
  queued.mutable_queued()->set_position(1);
  ASSERT_OK_AND_ASSIGN(WatchEvent first, store_->AppendEvent(id, queued));
  EXPECT_EQ(first.sequence(), 1);
  EXPECT_THAT(first.time(), MatchesRegex("[0-9T:.-]+Z"));

  WatchEvent started;
  started.mutable_step_started()->set_label("go build");
  started.set_time("2024-01-02T03:04:05Z");  // kept when given
  ASSERT_OK_AND_ASSIGN(WatchEvent second, store_->AppendEvent(id, started));
  EXPECT_EQ(second.sequence(), 2);
  EXPECT_EQ(second.time(), "2024-01-02T03:04:05Z");

  WatchEvent finished;
  finished.mutable_finished()->set_submission_id(id);
  finished.set_sequence(77);  // assigned by the store, whatever the caller says
  ASSERT_OK_AND_ASSIGN(WatchEvent third, store_->AppendEvent(id, finished));
  EXPECT_EQ(third.sequence(), 3);

  ASSERT_OK_AND_ASSIGN(WatchEvent other_first, store_->AppendEvent(other, queued));
  EXPECT_EQ(other_first.sequence(), 1);

  ASSERT_OK_AND_ASSIGN(std::vector<WatchEvent> all, store_->EventsAfter(id, 0));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(all[0], first));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(all[1], second));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(all[2], third));
  EXPECT_EQ(all[2].finished().submission_id(), id);

  ASSERT_OK_AND_ASSIGN(std::vector<WatchEvent> tail, store_->EventsAfter(id, 2));
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].sequence(), 3);
  ASSERT_OK_AND_ASSIGN(std::vector<WatchEvent> none, store_->EventsAfter(id, 3));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(std::vector<WatchEvent> others, store_->EventsAfter(other, 0));
  EXPECT_EQ(others.size(), 1u);
}

TEST_F(SqliteStoreTest, ListFiltersAndPages) {
  // 9 submissions over 2 courses, 2 students, 2 exercises.
  std::string oldest;
  for (int i = 0; i < 9; ++i) {
    NewSubmission s = MakeSubmission(i % 2 == 0 ? "c1" : "c2", "", i % 3 == 0 ? "s1" : "s2",
                                     i < 5 ? "phase1/a" : "phase2/b");
    ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store_->Insert(s, {}));
    if (oldest.empty()) oldest = outcome.submission.submission_id();
  }
  // One of them done: listings come without reports.
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_OK(store_->Finish(claim->submission.submission_id(), claim->claim, MakeReport(3)));

  auto list_all = [&](ListFilter filter, std::vector<std::string>* pages_sizes) {
    std::vector<Submission> all;
    while (true) {
      auto page = store_->List(filter);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      if (pages_sizes != nullptr) pages_sizes->push_back(absl::StrCat(page->submissions.size()));
      for (const Submission& s : page->submissions) all.push_back(s);
      if (page->next_page_token.empty()) break;
      filter.page_token = page->next_page_token;
    }
    return all;
  };

  ListFilter filter;
  filter.page_size = 4;
  std::vector<std::string> sizes;
  std::vector<Submission> all = list_all(filter, &sizes);
  EXPECT_THAT(sizes, ElementsAre("4", "4", "1"));
  ASSERT_EQ(all.size(), 9u);
  std::set<std::string> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].submission_id());
    EXPECT_FALSE(all[i].has_report());
    if (i > 0) {  // newest first
      EXPECT_GE(std::make_pair(all[i - 1].submitted_at(), all[i - 1].submission_id()),
                std::make_pair(all[i].submitted_at(), all[i].submission_id()));
    }
  }
  EXPECT_EQ(ids.size(), 9u);
  EXPECT_EQ(all.back().submission_id(), oldest);

  // An exact multiple of the page size ends without an extra empty page.
  filter.page_size = 3;
  sizes.clear();
  list_all(filter, &sizes);
  EXPECT_THAT(sizes, ElementsAre("3", "3", "3"));

  filter = ListFilter();
  filter.course_id = "c1";
  std::vector<Submission> c1 = list_all(filter, nullptr);
  EXPECT_EQ(c1.size(), 5u);
  for (const Submission& s : c1) EXPECT_EQ(s.course_id(), "c1");

  filter.student_id = "s1";
  filter.page_size = 1;
  std::vector<Submission> c1_s1 = list_all(filter, nullptr);
  EXPECT_EQ(c1_s1.size(), 2u);  // i = 0, 6
  for (const Submission& s : c1_s1) EXPECT_EQ(s.student_id(), "s1");

  filter = ListFilter();
  filter.exercise_id = "phase2/b";
  filter.course_id = "c2";
  std::vector<Submission> b_c2 = list_all(filter, nullptr);
  EXPECT_EQ(b_c2.size(), 2u);  // i = 5, 7

  // Inserts between pages do not disturb the pages still to come.
  filter = ListFilter();
  filter.page_size = 5;
  ASSERT_OK_AND_ASSIGN(ListPage first_page, store_->List(filter));
  Insert();
  filter.page_token = first_page.next_page_token;
  ASSERT_OK_AND_ASSIGN(ListPage second_page, store_->List(filter));
  EXPECT_EQ(second_page.submissions.size(), 4u);
  EXPECT_EQ(second_page.next_page_token, "");
  EXPECT_EQ(second_page.submissions[0].submission_id(), all[5].submission_id());

  filter.page_token = "not a token!";
  EXPECT_THAT(store_->List(filter), StatusIs(absl::StatusCode::kInvalidArgument));
  filter.page_token = "bm8tc2VwYXJhdG9ycw";  // base64 of "no-separators"
  EXPECT_THAT(store_->List(filter), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SqliteStoreTest, DurableAcrossReopen) {
  std::string done = Insert("c1", "k1"), queued = Insert("c1", "k2");
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_OK(store_->Finish(done, claim->claim, MakeReport(12)));
  WatchEvent event;
  event.mutable_queued()->set_position(1);
  ASSERT_OK(store_->AppendEvent(queued, event).status());

  Reopen();
  EXPECT_EQ(store_->Get(done).value().report().score(), 12);
  EXPECT_EQ(store_->Get(queued).value().state(), Submission::QUEUED);
  EXPECT_EQ(store_->QueuePosition(queued).value(), 1);
  EXPECT_EQ(store_->EventsAfter(queued, 0).value().size(), 1u);
  EXPECT_TRUE(store_->Insert(MakeSubmission("c1", "k1"), {}).value().duplicate);
  EXPECT_EQ(store_->AppendEvent(queued, event).value().sequence(), 2);

  RawDb raw(path_);
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 5);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM schema_version"), 1);
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, MigratesAVersion1Database) {
  ASSERT_OK_AND_ASSIGN(InsertOutcome old, store_->Insert(MakeSubmission("c1"), {}));
  store_.reset();
  {
    RawDb raw(path_);  // back to the schema of version 1
    DowngradeToVersion3(raw);
    raw.Query("DROP TABLE course_turns");
    raw.Query("DROP TABLE student_turns");
    raw.Query("DROP INDEX submissions_queued_by_student");
    raw.Query("DROP INDEX submissions_by_course_student");
    raw.Query("ALTER TABLE submissions DROP COLUMN intake_notes");
    raw.Query("UPDATE schema_version SET version = 1");
  }
  Reopen();
  EXPECT_EQ(store_->Get(old.submission.submission_id()).value().state(), Submission::QUEUED);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  EXPECT_TRUE(claim->intake_notes.empty());
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 5);
}

TEST_F(SqliteStoreTest, MigratesAVersion4Database) {
  std::string running = Insert("c1", "", "s1"), queued = Insert("c1", "", "s2");
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_EQ(claim->submission.submission_id(), running);
  store_.reset();
  {
    RawDb raw(path_);
    DowngradeToVersion4(raw);
  }
  Reopen();
  {
    RawDb raw(path_);
    EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 5);
    EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
    EXPECT_THAT(raw.Query("SELECT batch, node_id, lease_expires_ms, attempts FROM submissions "
                          "ORDER BY queue_seq"),
                ElementsAre(ElementsAre("0", "", "0", "0"), ElementsAre("0", "", "0", "0")));
    EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                           "('submissions_queued', 'submissions_queued_by_student', "
                           "'submissions_running_by_lease', 'regrade_items_running_by_lease') "
                           "AND sql LIKE '%WHERE state = %'"),
              4);
  }
  // A claim from before leases has none: the reaper takes it back.
  ASSERT_OK_AND_ASSIGN(Reaped reaped, store_->ReapExpiredLeases());
  EXPECT_THAT(reaped.requeued, ElementsAre(running));
  EXPECT_EQ(store_->QueuePosition(queued).value(), 1);  // s1 was served last
  EXPECT_EQ(store_->QueuePosition(running).value(), 2);
  ASSERT_OK_AND_ASSIGN(claim, store_->ClaimNext());
  EXPECT_EQ(claim->submission.submission_id(), queued);
  EXPECT_GT(claim->lease_expires, absl::Now());
  ASSERT_OK(store_->RenewLease(*claim));
  ASSERT_OK(store_->Finish(queued, claim->claim, MakeReport(7)));
}

// SQLite is one node's store: a restart recovers every claim, whatever node
// (process) took it, and an interrupted claim is no lost attempt.
TEST_F(SqliteStoreTest, RecoverAfterCrashRequeuesEveryNodesClaimsWithoutCountingThem) {
  store_.reset();
  StoreOptions options;
  options.node_id = "n1";
  options.lease = absl::Milliseconds(200);
  options.max_attempts = 2;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> first, OpenSqliteStore(path_, options));
  options.node_id = "n2";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, OpenSqliteStore(path_, options));
  std::string x =
      first->Insert(MakeSubmission("c1", "", "s1"), {}).value().submission.submission_id();
  std::string y =
      first->Insert(MakeSubmission("c1", "", "s2"), {}).value().submission.submission_id();
  ASSERT_TRUE(first->ClaimNext().value().has_value());
  ASSERT_TRUE(second->ClaimNext().value().has_value());

  EXPECT_EQ(second->RecoverAfterCrash().value(), 2);
  std::vector<std::string> claimed;
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, first->ClaimNext());
    ASSERT_TRUE(claim.has_value());
    EXPECT_EQ(claim->claim, 2);
    claimed.push_back(claim->submission.submission_id());
  }
  EXPECT_THAT(claimed, UnorderedElementsAre(x, y));
  absl::SleepFor(absl::Milliseconds(260));
  ASSERT_OK_AND_ASSIGN(Reaped reaped, second->ReapExpiredLeases());
  EXPECT_THAT(reaped.requeued, UnorderedElementsAre(x, y));  // the first lost attempt
  EXPECT_THAT(reaped.failed, IsEmpty());
}

TEST_F(SqliteStoreTest, RefusesANewerSchema) {
  store_.reset();
  {
    RawDb raw(path_);
    raw.Query("UPDATE schema_version SET version = 99");
  }
  auto store = OpenSqliteStore(path_);
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("schema version 99"));
}

TEST_F(SqliteStoreTest, OpenErrorsNameThePathAndSqlitesReason) {
  std::string missing_dir = (dir_ / "no" / "such" / "dir" / "x.db").string();
  auto store = OpenSqliteStore(missing_dir);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(missing_dir));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("unable to open"));

  std::string not_a_db = (dir_ / "garbage.db").string();
  {
    FILE* f = fopen(not_a_db.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(std::string(4096, 'x').c_str(), f);
    fclose(f);
  }
  store = OpenSqliteStore(not_a_db);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss)) << store.status();
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("not a database"));
}

// Inserters and claimers on two connections to the same file (as two
// daemons would be): every submission is claimed exactly once.
TEST_F(SqliteStoreTest, ConcurrentInsertsAndClaimsClaimEachSubmissionOnce) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, OpenSqliteStore(path_));
  constexpr int kInserters = 4, kPerInserter = 30, kClaimers = 4;
  std::atomic<int> inserters_left = kInserters;
  std::mutex mu;
  std::vector<std::string> inserted, claimed;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kInserters; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *store_ : *second;
      for (int i = 0; i < kPerInserter; ++i) {
        auto outcome = store.Insert(MakeSubmission("c1", absl::StrCat("t", t, "-", i)), {});
        std::lock_guard<std::mutex> lock(mu);
        if (!outcome.ok()) {
          errors.push_back(outcome.status().ToString());
        } else {
          inserted.push_back(outcome->submission.submission_id());
        }
      }
      --inserters_left;
    });
  }
  for (int t = 0; t < kClaimers; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *store_ : *second;
      while (true) {
        bool done_inserting = inserters_left.load() == 0;
        auto claim = store.ClaimNext();
        if (!claim.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back(claim.status().ToString());
          return;
        }
        if (!claim->has_value()) {
          if (done_inserting) return;
          std::this_thread::yield();
          continue;
        }
        const std::string& id = (*claim)->submission.submission_id();
        absl::Status finished = store.Finish(id, (*claim)->claim, MakeReport(1));
        std::lock_guard<std::mutex> lock(mu);
        claimed.push_back(id);
        if (!finished.ok()) errors.push_back(finished.ToString());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(errors, ::testing::IsEmpty());
  ASSERT_EQ(inserted.size(), static_cast<size_t>(kInserters * kPerInserter));
  EXPECT_EQ(claimed.size(), inserted.size());
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()),
            std::set<std::string>(inserted.begin(), inserted.end()));
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM submissions WHERE state = 3"),
            kInserters * kPerInserter);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(DISTINCT submission_id) FROM reports"),
            kInserters * kPerInserter);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM reports"), kInserters * kPerInserter);
}

}  // namespace
}  // namespace gograder::store
