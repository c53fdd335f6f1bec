// Tests of the SQLite store on real database files in a temporary directory,
// including a crash test: a child process (this binary run again in its
// child mode) inserts, claims and finishes until it is SIGKILLed at a random
// moment, and the database it leaves must be consistent and recoverable.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grader/store/store.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/grader.pb.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store {
namespace {

using gograder::v1::GradeReport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;


constexpr char kCrashChildFlag[] = "--store_crash_child=";

NewSubmission MakeSubmission(std::string course, std::string key = "", std::string student = "s1",
                             std::string exercise = "phase1/concurrent-web-scraper") {
  NewSubmission s;
  s.exercise_id = std::move(exercise);
  s.course_id = std::move(course);
  s.student_id = std::move(student);
  s.attempt_id = "a1";
  s.idempotency_key = std::move(key);
  s.files_dir = "/data/submissions/x";
  s.digest = "sha256:abc";
  return s;
}

GradeReport MakeReport(double score) {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id("phase1/concurrent-web-scraper");
  report.set_score(score);
  report.set_max_score(100);
  report.add_flags("flag");
  return report;
}

// A second, raw connection for looking under the store's hood.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }

  // The rows of `sql`, each column as text.
  std::vector<std::vector<std::string>> Query(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      auto& row = rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
      }
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return rows;
  }

  std::string QueryText(const std::string& sql) {
    auto rows = Query(sql);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0];
  }

  int64_t QueryInt(const std::string& sql) {
    int64_t value = -1;
    if (!absl::SimpleAtoi(QueryText(sql), &value)) ADD_FAILURE() << sql << ": not an integer";
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "store_test.XXXXXX");
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (dir_ / "gograder.db").string();
    Reopen();
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void Reopen() {
    store_.reset();
    auto store = OpenSqliteStore(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }

  std::string Insert(std::string course = "c1", std::string key = "", std::string student = "s1",
                     std::string exercise = "phase1/concurrent-web-scraper") {
    auto outcome = store_->Insert(
        MakeSubmission(std::move(course), std::move(key), std::move(student), std::move(exercise)),
        0);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? outcome->submission.submission_id() : "";
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, InsertThenGet) {
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, store_->Insert(MakeSubmission("c1", "k1"), 0));
  EXPECT_FALSE(first.duplicate);
  EXPECT_EQ(first.queue_position, 1);
  const Submission& s = first.submission;
  EXPECT_THAT(s.submission_id(), MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(s.submitted_at(),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"));
  EXPECT_EQ(s.state(), Submission::QUEUED);

  ASSERT_OK_AND_ASSIGN(InsertOutcome second, store_->Insert(MakeSubmission("c1", "k2"), 0));
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
  EXPECT_THAT(store_->Insert(s, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  s = MakeSubmission("c1");
  s.files_dir.clear();
  EXPECT_THAT(store_->Insert(s, 0), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SqliteStoreTest, IdempotencyKeyIsPerCourse) {
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, store_->Insert(MakeSubmission("c1", "key"), 0));
  ASSERT_OK_AND_ASSIGN(InsertOutcome again, store_->Insert(MakeSubmission("c1", "key"), 0));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.submission.submission_id(), first.submission.submission_id());
  EXPECT_EQ(again.submission.submitted_at(), first.submission.submitted_at());
  EXPECT_EQ(again.queue_position, 1);

  ASSERT_OK_AND_ASSIGN(InsertOutcome other_course, store_->Insert(MakeSubmission("c2", "key"), 0));
  EXPECT_FALSE(other_course.duplicate);
  EXPECT_NE(other_course.submission.submission_id(), first.submission.submission_id());
  EXPECT_EQ(other_course.queue_position, 2);

  // No key: every insert is new.
  ASSERT_OK_AND_ASSIGN(InsertOutcome a, store_->Insert(MakeSubmission("c1"), 0));
  ASSERT_OK_AND_ASSIGN(InsertOutcome b, store_->Insert(MakeSubmission("c1"), 0));
  EXPECT_FALSE(b.duplicate);
  EXPECT_NE(a.submission.submission_id(), b.submission.submission_id());
  ASSERT_OK_AND_ASSIGN(int depth, store_->QueueDepth());
  EXPECT_EQ(depth, 4);

  // A duplicate of a claimed submission reports it as not queued.
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK_AND_ASSIGN(InsertOutcome running, store_->Insert(MakeSubmission("c1", "key"), 0));
  EXPECT_TRUE(running.duplicate);
  EXPECT_EQ(running.submission.state(), Submission::RUNNING);
  EXPECT_EQ(running.queue_position, 0);
}

TEST_F(SqliteStoreTest, IntakeNotesReachTheClaim) {
  NewSubmission with_notes = MakeSubmission("c1");
  with_notes.intake_notes = {"removed vendor/: dependencies come from the module cache", "removed go.work"};
  ASSERT_OK(store_->Insert(with_notes, 0).status());
  ASSERT_OK(store_->Insert(MakeSubmission("c1"), 0).status());
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> first, store_->ClaimNext());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->intake_notes, with_notes.intake_notes);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> second, store_->ClaimNext());
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->intake_notes.empty());
}

TEST_F(SqliteStoreTest, QueueLimitIsResourceExhausted) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store_->Insert(MakeSubmission("c1", absl::StrCat("k", i)), 3).status());
  }
  absl::Status full = store_->Insert(MakeSubmission("c1", "k3"), 3).status();
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(full.message()), HasSubstr("queue is full"));
  ASSERT_OK_AND_ASSIGN(int depth, store_->QueueDepth());
  EXPECT_EQ(depth, 3);

  // A retry of an accepted submission still gets its answer.
  ASSERT_OK_AND_ASSIGN(InsertOutcome retry, store_->Insert(MakeSubmission("c1", "k0"), 3));
  EXPECT_TRUE(retry.duplicate);

  // Running submissions are not queued: claiming makes room.
  ASSERT_OK(store_->ClaimNext().status());
  ASSERT_OK(store_->Insert(MakeSubmission("c1", "k3"), 3).status());
  // No limit.
  ASSERT_OK(store_->Insert(MakeSubmission("c1", "k4"), 0).status());
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
  EXPECT_THAT(store_->Finish(id, claim->claim + 1, MakeReport(2)), StatusIs(absl::StatusCode::kFailedPrecondition));
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
  EXPECT_THAT(store_->Finish(id, stale->claim, MakeReport(1)), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> current, store_->ClaimNext());
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->submission.submission_id(), id);
  EXPECT_EQ(current->claim, stale->claim + 1);
  // ...and while someone else holds the current claim.
  EXPECT_THAT(store_->Finish(id, stale->claim, MakeReport(1)), StatusIs(absl::StatusCode::kFailedPrecondition));
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
  EXPECT_THAT(store_->Finish(running, running_claim->claim, MakeReport(5)), StatusIs(absl::StatusCode::kFailedPrecondition));
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
    ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store_->Insert(s, 0));
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
  EXPECT_TRUE(store_->Insert(MakeSubmission("c1", "k1"), 0).value().duplicate);
  EXPECT_EQ(store_->AppendEvent(queued, event).value().sequence(), 2);

  RawDb raw(path_);
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 2);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM schema_version"), 1);
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, MigratesAVersion1Database) {
  ASSERT_OK_AND_ASSIGN(InsertOutcome old, store_->Insert(MakeSubmission("c1"), 0));
  store_.reset();
  {
    RawDb raw(path_);  // back to the schema of version 1
    raw.Query("ALTER TABLE submissions DROP COLUMN intake_notes");
    raw.Query("UPDATE schema_version SET version = 1");
  }
  Reopen();
  EXPECT_EQ(store_->Get(old.submission.submission_id()).value().state(), Submission::QUEUED);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  EXPECT_TRUE(claim->intake_notes.empty());
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT version FROM schema_version"), 2);
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
        auto outcome = store.Insert(MakeSubmission("c1", absl::StrCat("t", t, "-", i)), 0);
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

// --- Crash test -------------------------------------------------------------

// The child: opens the store and works like a daemon would until it is
// killed, writing a line to stdout after each operation returns:
//   I <id>            an insert returned (the submission must survive)
//   F <id> <claim>    a finish returned (the report must survive)
int RunCrashChild(const std::string& path, const std::string& round) {
  auto opened = OpenSqliteStore(path);
  if (!opened.ok()) {
    std::cerr << "crash child: " << opened.status() << "\n";
    return 2;
  }
  std::unique_ptr<Store> store = std::move(opened).value();
  auto say = [](const std::string& line) {
    std::string text = line + "\n";
    if (write(STDOUT_FILENO, text.data(), text.size()) < 0) _exit(4);
  };
  auto fail = [](const absl::Status& status) {
    std::cerr << "crash child: " << status << "\n";
    _exit(3);
  };
  std::string last_finished;
  for (int i = 0;; ++i) {
    // Every 7th insert retries the previous key: a duplicate.
    int key = i % 7 == 6 ? i - 1 : i;
    auto inserted = store->Insert(MakeSubmission("c1", absl::StrCat(round, "-", key)), 0);
    if (!inserted.ok()) fail(inserted.status());
    if (!inserted->duplicate) say(absl::StrCat("I ", inserted->submission.submission_id()));
    if (i % 3 == 2) continue;  // the queue grows
    auto claim = store->ClaimNext();
    if (!claim.ok()) fail(claim.status());
    if (!claim->has_value()) continue;
    const std::string& id = (*claim)->submission.submission_id();
    WatchEvent event;
    event.mutable_step_started()->set_label("go build");
    if (auto appended = store->AppendEvent(id, event); !appended.ok()) fail(appended.status());
    if (i % 2 == 1) continue;  // left RUNNING
    // The report's score is its claim number, to tell gradings apart.
    absl::Status finished =
        store->Finish(id, (*claim)->claim, MakeReport(static_cast<double>((*claim)->claim)));
    if (!finished.ok()) fail(finished);
    say(absl::StrCat("F ", id, " ", (*claim)->claim));
    if (i % 10 == 0 && !last_finished.empty()) {
      // Regrade an earlier one (DONE, unless it was regraded already and is queued).
      auto requeued = store->Requeue(last_finished);
      if (!requeued.ok() && requeued.status().code() != absl::StatusCode::kFailedPrecondition) {
        fail(requeued.status());
      }
    }
    last_finished = id;
  }
}

struct ChildRun {
  std::vector<std::string> lines;
  int wait_status = 0;
};

// Runs the crash child on `path` and SIGKILLs it after `delay`.
ChildRun RunChildAndKill(const std::string& path, int round, absl::Duration delay) {
  ChildRun run;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return run;
  }
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string flag = absl::StrCat(kCrashChildFlag, path);
  std::string round_flag = absl::StrCat(round);
  std::vector<char*> argv = {self.data(), flag.data(), round_flag.data(), nullptr};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
    execv(self.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    close(fds[0]);
    return run;
  }
  std::string output;
  char buffer[4096];
  absl::Time deadline = absl::Now() + delay;
  bool killed = false;
  while (true) {
    if (!killed && absl::Now() >= deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
    int timeout_ms =
        killed ? -1 : std::max<int>(1, absl::ToInt64Milliseconds(deadline - absl::Now()));
    pollfd pfd = {fds[0], POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0) continue;
    ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      if (!killed) kill(pid, SIGKILL);  // the child ended early: let waitpid tell why
      break;
    }
    output.append(buffer, n);
  }
  close(fds[0]);
  waitpid(pid, &run.wait_status, 0);
  // A line cut by the kill is not a completed operation.
  if (!output.empty() && output.back() != '\n') output.erase(output.rfind('\n') + 1);
  run.lines = absl::StrSplit(output, '\n', absl::SkipEmpty());
  return run;
}

TEST_F(SqliteStoreTest, SurvivesSigkillAtRandomMoments) {
  store_.reset();  // only the children use the database until the end
  std::random_device entropy;
  unsigned seed = entropy();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(50, 350);
  RecordProperty("seed", static_cast<int>(seed));
  constexpr int kRounds = 5;

  std::set<std::string> acked_inserts;
  std::set<std::pair<std::string, int64_t>> acked_finishes;
  for (int round = 0; round < kRounds; ++round) {
    int delay = delay_ms(random);
    ChildRun run = RunChildAndKill(path_, round, absl::Milliseconds(delay));
    ASSERT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL)
        << "the child ended on its own (status " << run.wait_status << "; seed " << seed << ")";
    int inserts = 0, finishes = 0;
    for (const std::string& line : run.lines) {
      std::vector<std::string> fields = absl::StrSplit(line, ' ');
      if (fields[0] == "I" && fields.size() == 2) {
        acked_inserts.insert(fields[1]);
        ++inserts;
      } else if (fields[0] == "F" && fields.size() == 3) {
        int64_t claim = 0;
        ASSERT_TRUE(absl::SimpleAtoi(fields[2], &claim)) << line;
        acked_finishes.emplace(fields[1], claim);
        ++finishes;
      } else {
        FAIL() << "unexpected line from the child: " << line;
      }
    }
    std::cout << "crash round " << round << ": killed after " << delay << " ms, " << inserts
              << " inserts and " << finishes << " finishes acknowledged (seed " << seed << ")\n";

    // Consistent, and everything acknowledged is there.
    RawDb raw(path_);
    ASSERT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok") << "seed " << seed;
    EXPECT_TRUE(raw.Query("PRAGMA foreign_key_check").empty());
    for (const std::string& id : acked_inserts) {
      EXPECT_EQ(
          raw.QueryInt(absl::StrCat("SELECT COUNT(*) FROM submissions WHERE id = '", id, "'")), 1)
          << id;
    }
    for (const auto& [id, claim] : acked_finishes) {
      EXPECT_EQ(raw.QueryInt(absl::StrCat("SELECT COUNT(*) FROM reports WHERE submission_id = '",
                                          id, "' AND claim = ", claim)),
                1)
          << id << " claim " << claim;
    }
  }
  ASSERT_GT(acked_inserts.size(), 0u) << "the children never got to work";

  // The restart: RUNNING gradings go back to the queue; their old claims are stale.
  std::map<std::string, int64_t> interrupted;
  {
    RawDb raw(path_);
    for (const auto& row : raw.Query("SELECT id, claim FROM submissions WHERE state = 2")) {
      interrupted[row[0]] = std::stoll(row[1]);
    }
  }
  Reopen();
  ASSERT_OK_AND_ASSIGN(int recovered, store_->RecoverAfterCrash());
  EXPECT_EQ(recovered, static_cast<int>(interrupted.size()));
  ASSERT_OK_AND_ASSIGN(int queued, store_->QueueDepth());
  int graded = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
    if (!claim.has_value()) break;
    const std::string& id = claim->submission.submission_id();
    if (auto it = interrupted.find(id); it != interrupted.end()) {
      EXPECT_THAT(store_->Finish(id, it->second, MakeReport(-1)), StatusIs(absl::StatusCode::kFailedPrecondition));
    }
    ASSERT_OK(store_->Finish(id, claim->claim, MakeReport(static_cast<double>(claim->claim))));
    ++graded;
  }
  EXPECT_EQ(graded, queued);
  std::cout << "crash test: " << acked_inserts.size() << " submissions acknowledged, "
            << acked_finishes.size() << " finishes acknowledged, " << interrupted.size()
            << " RUNNING at the last kill (recovered " << recovered << "), " << graded
            << " graded after the restart\n";

  // Every submission: DONE, one report per grading, the latest one returned.
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
  auto rows = raw.Query(
      "SELECT s.id, s.state, s.regrades, COUNT(r.id), MAX(r.claim) FROM submissions s "
      "LEFT JOIN reports r ON r.submission_id = s.id GROUP BY s.id");
  EXPECT_GE(rows.size(), acked_inserts.size());
  for (const auto& row : rows) {
    const std::string& id = row[0];
    EXPECT_EQ(row[1], "3") << id;
    EXPECT_EQ(std::stoi(row[3]), std::stoi(row[2]) + 1) << id << ": reports vs gradings";
    ASSERT_OK_AND_ASSIGN(Submission s, store_->Get(id));
    EXPECT_EQ(s.report().score(), std::stod(row[4])) << id << ": latest report";
  }
}

}  // namespace
}  // namespace gograder::store

int main(int argc, char** argv) {
  // The crash test's child: `store_test --store_crash_child=<db> <round>`.
  if (argc == 3 && absl::StartsWith(argv[1], gograder::store::kCrashChildFlag)) {
    std::string path(argv[1] + strlen(gograder::store::kCrashChildFlag));
    return gograder::store::RunCrashChild(path, argv[2]);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
