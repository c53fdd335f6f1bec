// Tests of what is the SQLite store's own, on real database files in a
// temporary directory: its files stay where intake put them, its rows (every
// report kept), WAL, schema migrations, recovery of every node's claims,
// open errors and several connections to one file. The Store contract
// itself is store_conformance_test's and store_lease_test's, for every
// backend.
#include "grader/store/sqlite_store_test_support.h"
#include "grader/store/store_backends_testing.h"

namespace gograder::store {
namespace {

using gograder::v1::GradeReport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::UnorderedElementsAre;

// SQLite keeps a submission's files where intake put them (inside the data
// dir): the claim and FilesDir name that directory.
TEST_F(SqliteStoreTest, FilesStayInTheirDirectory) {
  std::string id = Insert();
  ASSERT_OK_AND_ASSIGN(std::string files_dir, store_->FilesDir(id));
  EXPECT_EQ(files_dir, "/data/submissions/x");
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->files_dir, "/data/submissions/x");
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
  EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 6);
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
  EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 6);
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
    EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 6);
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
  EXPECT_EQ(store_->QueuePosition(running).value(), 1);  // a reaped grading is next
  EXPECT_EQ(store_->QueuePosition(queued).value(), 2);
  ASSERT_OK_AND_ASSIGN(claim, store_->ClaimNext());
  EXPECT_EQ(claim->submission.submission_id(), running);
  EXPECT_GT(claim->lease_expires, absl::Now());
  ASSERT_OK(store_->RenewLease(*claim));
  ASSERT_OK(store_->Finish(running, claim->claim, MakeReport(7)));
}

// Version 6 keeps turns per class of work; the turns of version 5, shared
// by both classes, become each class's.
TEST_F(SqliteStoreTest, MigratesAVersion5DatabaseWithTurnsPerClass) {
  Insert("c1", "", "s1");
  std::string c2 = Insert("c2", "", "s2");
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  store_.reset();
  {
    RawDb raw(path_);
    DowngradeToVersion5(raw);
  }
  Reopen();
  {
    RawDb raw(path_);
    EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 6);
    EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
    EXPECT_THAT(raw.Query("SELECT batch, course_id, turn FROM course_turns ORDER BY batch"),
                ElementsAre(ElementsAre("0", "c1", "1"), ElementsAre("1", "c1", "1")));
    EXPECT_THAT(raw.Query("SELECT batch, course_id, student_id FROM student_turns ORDER BY batch"),
                ElementsAre(ElementsAre("0", "c1", "s1"), ElementsAre("1", "c1", "s1")));
  }
  // Batch work: c1 was served (in both classes as migrated), c2 comes first.
  NewSubmission batch_c1 = MakeSubmission("c1", "", "s1"),
                batch_c2 = MakeSubmission("c2", "", "s2");
  batch_c1.batch = batch_c2.batch = true;
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, store_->Insert(batch_c1, {}));
  ASSERT_OK_AND_ASSIGN(InsertOutcome second, store_->Insert(batch_c2, {}));
  EXPECT_EQ(store_->QueuePosition(c2).value(), 1);
  EXPECT_EQ(store_->QueuePosition(second.submission.submission_id()).value(), 2);
  EXPECT_EQ(store_->QueuePosition(first.submission.submission_id()).value(), 3);
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
  auto [inserted, claimed, errors] = RaceInsertsAndClaims(
      *store_, *second, kInserters, kPerInserter, kClaimers,
      [](int t, int i) { return MakeSubmission("c1", absl::StrCat("t", t, "-", i)); });
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
