// What is particular to the PostgreSQL store, with several stores (nodes)
// on one database: concurrent claims, leases reaped across nodes, node-scoped
// recovery, files kept in the database, news between nodes, migrations of
// nodes starting together. The Store contract itself is
// store_conformance_test.cc's.
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_matchers.h"
#include "base/temp_dir.h"
#include "gmock/gmock.h"
#include "grader/core/files/digest.h"
#include "grader/store/files_testing.h"
#include "grader/store/pg_db.h"
#include "grader/store/store.h"
#include "grader/store/store_backends_testing.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store {
namespace {

namespace fs = std::filesystem;
using gograder::v1::GradeReport;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

GradeReport MakeReport(double score) {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_score(score);
  return report;
}

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    ASSERT_OK_AND_ASSIGN(conninfo_, FreshPostgresDatabase());
    ASSERT_OK_AND_ASSIGN(raw_, PgConnection::Open(conninfo_));
    module_ = Path("module");
    WriteTree(module_, module_files_);
  }

  std::string Path(const std::string& name) const {
    return (fs::path(temp_.path()) / name).string();
  }

  StoreOptions NodeOptions(const std::string& node,
                           absl::Duration lease = absl::Seconds(60)) const {
    StoreOptions options;
    options.node_id = node;
    options.lease = lease;
    options.files_cache_dir = Path(absl::StrCat(node, "-files"));
    return options;
  }

  std::unique_ptr<Store> Open(const StoreOptions& options) {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo_, options);
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }

  NewSubmission MakeSubmission(const std::string& course, const std::string& student,
                               const std::string& key = "") const {
    NewSubmission s;
    s.exercise_id = "phase1/x";
    s.course_id = course;
    s.student_id = student;
    s.attempt_id = "a1";
    s.idempotency_key = key;
    s.files_dir = module_;
    s.digest = "sha256:tree";
    return s;
  }

  std::string Insert(Store& store, const std::string& course = "c1",
                     const std::string& student = "s1") {
    absl::StatusOr<InsertOutcome> outcome = store.Insert(MakeSubmission(course, student), {});
    EXPECT_OK(outcome);
    return outcome.ok() ? outcome->submission.submission_id() : "";
  }

  // The one value of `sql` (with `params`) on the raw connection, as text.
  std::string Scalar(const std::string& sql, std::vector<PgParam> params = {}) {
    absl::StatusOr<PgResult> result = raw_->Query(sql, params);
    EXPECT_OK(result);
    return result.ok() && result->rows() == 1 ? result->Text(0, 0) : "<no row>";
  }

  TempDir temp_{"pg-store-test-"};
  std::string conninfo_;
  std::unique_ptr<PgConnection> raw_;
  std::string module_;
  const std::map<std::string, std::string> module_files_ = {
      {"go.mod", "module example.com/m\n\ngo 1.22\n"},
      {"main.go", "package main\n\nfunc main() {}\n"},
      {"testdata/input.bin", std::string("\0\x01\x02\xff\xfe binary\n", 12)},
      {std::string(40, 'd') + "/" + std::string(90, 'f') + ".go", "package long\n"},
  };
  NewsLog heard_;  // outlives the stores of a test, whose listeners may call it
};

TEST_F(PgStoreTest, TwoNodesClaimingConcurrentlyNeverTakeTheSameSubmission) {
  std::unique_ptr<Store> a = Open(NodeOptions("node-a")), b = Open(NodeOptions("node-b"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::vector<std::string> inserted;
  for (int i = 0; i < 50; ++i) {
    inserted.push_back(
        Insert(i % 2 == 0 ? *a : *b, absl::StrCat("c", i % 4), absl::StrCat("s", i % 7)));
  }
  std::mutex mu;
  std::vector<std::string> claimed, errors;
  std::map<std::string, int> by_node;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *a : *b;
      while (true) {
        // Claims are held, not finished: every claim races the others.
        absl::StatusOr<std::optional<Claim>> claim = store.ClaimNext();
        std::lock_guard<std::mutex> lock(mu);
        if (!claim.ok()) errors.push_back(claim.status().ToString());
        if (!claim.ok() || !claim->has_value()) return;
        claimed.push_back((*claim)->submission.submission_id());
        ++by_node[t % 2 == 0 ? "node-a" : "node-b"];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_THAT(claimed, UnorderedElementsAreArray(inserted));  // each exactly once
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), 50u);
  EXPECT_EQ(Scalar("SELECT count(*) FROM submissions WHERE state = 2 AND claim = 1"), "50");
  EXPECT_EQ(Scalar("SELECT count(*) FROM submissions WHERE node_id = 'node-a'"),
            absl::StrCat(by_node["node-a"]));
  EXPECT_EQ(Scalar("SELECT count(*) FROM submissions WHERE node_id = 'node-b'"),
            absl::StrCat(by_node["node-b"]));
}

TEST_F(PgStoreTest, AnExpiredClaimIsReapedByTheOtherNodeAndTheFirstIsFenced) {
  std::unique_ptr<Store> a = Open(NodeOptions("node-a", absl::Milliseconds(1000)));
  std::unique_ptr<Store> b = Open(NodeOptions("node-b", absl::Seconds(60)));
  std::string id = Insert(*a);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> first, a->ClaimNext());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(Scalar("SELECT node_id FROM submissions"), "node-a");
  ASSERT_OK(a->RenewLease(*first));
  // B's reaper leaves a live lease alone...
  ASSERT_OK_AND_ASSIGN(Reaped none, b->ReapExpiredLeases());
  EXPECT_THAT(none.requeued, IsEmpty());
  // ...and takes back one that A stopped renewing.
  absl::SleepFor(absl::Milliseconds(1300));
  ASSERT_OK_AND_ASSIGN(Reaped reaped, b->ReapExpiredLeases());
  EXPECT_THAT(reaped.requeued, ElementsAre(id));
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> second, b->ClaimNext());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->submission.submission_id(), id);
  EXPECT_EQ(second->claim, first->claim + 1);
  EXPECT_GT(second->lease_expires, absl::Now() + absl::Seconds(50));  // B's lease
  EXPECT_EQ(Scalar("SELECT node_id FROM submissions"), "node-b");

  // A's late worker is refused whatever it tries.
  EXPECT_THAT(a->RenewLease(*first), StatusIs(absl::StatusCode::kFailedPrecondition,
                                              HasSubstr("taken over by claim 2 of node node-b")));
  EXPECT_THAT(a->Finish(id, first->claim, MakeReport(10)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(b->Finish(id, second->claim, MakeReport(90)));
  EXPECT_THAT(a->Finish(id, first->claim, MakeReport(10)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Scalar("SELECT count(*) FROM reports"), "1");
  ASSERT_OK_AND_ASSIGN(Submission done, a->Get(id));
  EXPECT_EQ(done.report().score(), 90);
  EXPECT_EQ(Scalar("SELECT attempts FROM submissions"), "1");
}

TEST_F(PgStoreTest, ClaimsLostMaxAttemptsTimesAcrossNodesEndGradingFailed) {
  StoreOptions a_options = NodeOptions("node-a", absl::Milliseconds(100));
  StoreOptions b_options = NodeOptions("node-b", absl::Milliseconds(100));
  a_options.max_attempts = b_options.max_attempts = 2;
  std::unique_ptr<Store> a = Open(a_options), b = Open(b_options);
  std::string id = Insert(*a);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> first, a->ClaimNext());
  ASSERT_TRUE(first.has_value());
  absl::SleepFor(absl::Milliseconds(250));
  ASSERT_OK_AND_ASSIGN(Reaped reaped, b->ReapExpiredLeases());
  EXPECT_THAT(reaped.requeued, ElementsAre(id));
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> second, b->ClaimNext());
  ASSERT_TRUE(second.has_value());
  absl::SleepFor(absl::Milliseconds(250));
  ASSERT_OK_AND_ASSIGN(reaped, a->ReapExpiredLeases());
  EXPECT_THAT(reaped.failed, ElementsAre(id));
  EXPECT_THAT(reaped.requeued, IsEmpty());

  ASSERT_OK_AND_ASSIGN(Submission failed, b->Get(id));
  EXPECT_EQ(failed.state(), Submission::DONE);
  EXPECT_EQ(failed.report().status(), GradeReport::GRADING_FAILED);
  EXPECT_EQ(failed.report().exercise_id(), "phase1/x");
  EXPECT_THAT(failed.report().error(), HasSubstr("lost 2 times"));
  EXPECT_THAT(b->Finish(id, second->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Scalar("SELECT count(*) FROM reports"), "1");
  EXPECT_EQ(Scalar("SELECT attempts FROM submissions"), "2");
  EXPECT_FALSE(a->ClaimNext().value().has_value());
}

TEST_F(PgStoreTest, RecoverAfterCrashTouchesOnlyItsOwnNodesClaims) {
  std::unique_ptr<Store> a = Open(NodeOptions("node-a")), b = Open(NodeOptions("node-b"));
  std::string graded = Insert(*a, "c0", "s0");
  {
    ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, a->ClaimNext());
    ASSERT_OK(a->Finish(graded, claim->claim, MakeReport(5)));
  }
  std::string a1 = Insert(*a, "c1"), a2 = Insert(*a, "c2"), b1 = Insert(*b, "c3");
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim_a1, a->ClaimNext());
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim_a2, a->ClaimNext());
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim_b1, b->ClaimNext());
  ASSERT_EQ(claim_b1->submission.submission_id(), b1);
  RegradeSpec spec;
  spec.exercise_id = "phase1/x";
  ASSERT_OK(a->StartRegrade(spec, {graded}).status());
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> item_b, b->ClaimNext());
  ASSERT_NE(item_b->regrade_id, "");

  a = Open(NodeOptions("node-a"));  // node A restarts
  EXPECT_THAT(a->RecoverAfterCrash(), IsOkAndHolds(2));
  EXPECT_EQ(a->Get(a1).value().state(), Submission::QUEUED);
  EXPECT_EQ(a->Get(a2).value().state(), Submission::QUEUED);
  EXPECT_EQ(a->Get(b1).value().state(), Submission::RUNNING);
  // B's claims are B's to finish.
  ASSERT_OK(b->RenewLease(*claim_b1));
  ASSERT_OK(b->Finish(b1, claim_b1->claim, MakeReport(7)));
  ASSERT_OK(b->RenewLease(*item_b));
  ASSERT_OK(b->FinishRegrade(item_b->regrade_id, graded, item_b->claim, MakeReport(8)));
  EXPECT_THAT(b->RecoverAfterCrash(), IsOkAndHolds(0));
  EXPECT_THAT(a->Finish(a1, claim_a1->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(PgStoreTest, EqualModulesShareOneBlob) {
  std::unique_ptr<Store> a = Open(NodeOptions("node-a"));
  std::string first = Insert(*a), second = Insert(*a, "c2", "s2");
  std::string other_module = Path("other");
  WriteTree(other_module, {{"go.mod", "module example.com/other\n"}});
  NewSubmission other = MakeSubmission("c1", "s3");
  other.files_dir = other_module;
  ASSERT_OK(a->Insert(other, {}).status());
  EXPECT_EQ(Scalar("SELECT count(*) FROM blobs"), "2");
  EXPECT_EQ(Scalar("SELECT count(DISTINCT files_digest) FROM submissions"), "2");
  std::string digest =
      Scalar("SELECT files_digest FROM submissions WHERE id = $1", {PgParam::Text(first)});
  EXPECT_EQ(digest,
            Scalar("SELECT files_digest FROM submissions WHERE id = $1", {PgParam::Text(second)}));
  EXPECT_THAT(digest, ::testing::MatchesRegex("[0-9a-f]{64}"));
  EXPECT_EQ(Scalar("SELECT encode(sha256(bytes), 'hex') = digest FROM blobs WHERE digest = $1",
                   {PgParam::Text(digest)}),
            "t");
}

TEST_F(PgStoreTest, AnotherNodeGetsTheFilesByteForByteAfterTheInsertersCopyIsGone) {
  std::unique_ptr<Store> a = Open(NodeOptions("node-a")), b = Open(NodeOptions("node-b"));
  std::string id = Insert(*a);
  fs::remove_all(module_);  // the store keeps no reference to it
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, b->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(fs::path(claim->files_dir).parent_path(), fs::path(Path("node-b-files")));
  std::map<std::string, std::string> files = ReadTree(claim->files_dir);
  for (const auto& [path, content] : module_files_) {
    ASSERT_TRUE(files.count(path)) << path;
    EXPECT_EQ(files[path], content) << path;
  }
  EXPECT_EQ(files.size(), module_files_.size() + 2);  // and the two directories
  ASSERT_OK_AND_ASSIGN(std::string b_dir, b->FilesDir(id));
  EXPECT_EQ(b_dir, claim->files_dir);
  ASSERT_OK_AND_ASSIGN(std::string a_dir, a->FilesDir(id));
  EXPECT_EQ(fs::path(a_dir).parent_path(), fs::path(Path("node-a-files")));
  EXPECT_EQ(ReadTree(a_dir), files);
  // Nothing else in the caches (no temporary directory left).
  EXPECT_EQ(std::distance(fs::directory_iterator(Path("node-b-files")), fs::directory_iterator()),
            1);
}

TEST_F(PgStoreTest, FilesThatCannotBeUnpackedEndTheClaimGradingFailed) {
  std::unique_ptr<Store> a = Open(NodeOptions("node-a"));
  std::string hostile = Insert(*a, "c1"), corrupt = Insert(*a, "c2");
  const std::string tar = TarOf({TarFile("../escaped.go", "package evil\n")});
  const std::string digest = core::Sha256Hex(tar);
  ASSERT_OK(raw_->Query("INSERT INTO blobs (digest, bytes) VALUES ($1, $2)",
                        {PgParam::Text(digest), PgParam::Bytes(tar)})
                .status());
  ASSERT_OK(raw_->Query("UPDATE submissions SET files_digest = $1 WHERE id = $2",
                        {PgParam::Text(digest), PgParam::Text(hostile)})
                .status());
  ASSERT_OK(raw_->Query("UPDATE blobs SET bytes = 'garbage' WHERE digest = (SELECT files_digest "
                        "FROM submissions WHERE id = $1)",
                        {PgParam::Text(corrupt)})
                .status());

  EXPECT_THAT(a->FilesDir(hostile),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'..' component")));
  EXPECT_THAT(a->ClaimNext(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("finished GRADING_FAILED")));
  EXPECT_THAT(a->ClaimNext(), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt")));
  for (const std::string& id : {hostile, corrupt}) {
    ASSERT_OK_AND_ASSIGN(Submission failed, a->Get(id));
    EXPECT_EQ(failed.state(), Submission::DONE);
    EXPECT_EQ(failed.report().status(), GradeReport::GRADING_FAILED);
    EXPECT_THAT(failed.report().error(), HasSubstr("cannot be unpacked"));
  }
  EXPECT_FALSE(fs::exists(Path("escaped.go")));
  EXPECT_FALSE(fs::exists(Path("node-a-files/../escaped.go")));
  EXPECT_THAT(ReadTree(Path("node-a-files")), IsEmpty());
}

TEST_F(PgStoreTest, NodeBHearsNodeAsNews) {
  std::unique_ptr<Store> a = Open(NodeOptions("node-a")), b = Open(NodeOptions("node-b"));
  b->SetNewsListener(heard_.Listener());
  std::string id = Insert(*a);
  EXPECT_TRUE(heard_.WaitFor(News::Kind::kQueued, id));
  WatchEvent event;
  event.mutable_step_started()->set_label("go vet");
  ASSERT_OK(a->AppendEvent(id, event).status());
  EXPECT_TRUE(heard_.WaitFor(News::Kind::kEvent, id));
  ASSERT_OK(a->Cancel(id).status());
  EXPECT_TRUE(heard_.WaitFor(News::Kind::kCancelled, id));

  // After a lost connection B says "queued" once, since it may have missed
  // news, and hears A again.
  ASSERT_OK_AND_ASSIGN(PgResult killed,
                       raw_->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                   "datname = current_database() AND query LIKE 'LISTEN%'"));
  ASSERT_EQ(killed.rows(), 1);
  EXPECT_TRUE(heard_.WaitFor(News::Kind::kQueued, ""));
  std::string later = Insert(*a);
  EXPECT_TRUE(heard_.WaitFor(News::Kind::kQueued, later));
}

TEST_F(PgStoreTest, NodesStartingTogetherMigrateOnce) {
  std::vector<std::thread> threads;
  std::vector<absl::Status> opened(6);
  for (size_t i = 0; i < opened.size(); ++i) {
    threads.emplace_back([&, i] {
      opened[i] = OpenPostgresStore(conninfo_, NodeOptions(absl::StrCat("node-", i))).status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& status : opened) EXPECT_OK(status);
  EXPECT_EQ(Scalar("SELECT count(*) FROM schema_version"), "1");
  EXPECT_EQ(Scalar("SELECT max(version) FROM schema_version"), "1");
  EXPECT_EQ(Scalar("SELECT count(*) FROM queue_turn"), "1");

  // A database of a newer program is refused.
  ASSERT_OK(raw_->Exec("INSERT INTO schema_version (version, node_id) VALUES (99, 'future')"));
  EXPECT_THAT(OpenPostgresStore(conninfo_, NodeOptions("node-old")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("schema version 99")));
}

TEST_F(PgStoreTest, OpenChecksItsOptionsAndTheServer) {
  StoreOptions no_cache = NodeOptions("node-a");
  no_cache.files_cache_dir.clear();
  EXPECT_THAT(OpenPostgresStore(conninfo_, no_cache),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("files_cache_dir")));
  StoreOptions no_lease = NodeOptions("node-a", absl::ZeroDuration());
  EXPECT_THAT(OpenPostgresStore(conninfo_, no_lease), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(OpenPostgresStore(conninfo_ + " dbname=no_such_db", NodeOptions("node-a")),
              StatusIs(absl::StatusCode::kUnavailable));
  // An empty node id becomes "<hostname>-<pid>".
  StoreOptions unnamed = NodeOptions("");
  std::unique_ptr<Store> store = Open(unnamed);
  ASSERT_NE(store, nullptr);
  Insert(*store);
  ASSERT_OK(store->ClaimNext().status());
  EXPECT_THAT(Scalar("SELECT node_id FROM submissions"),
              ::testing::EndsWith(absl::StrCat("-", getpid())));
}

TEST_F(PgStoreTest, AStoreOutlivesItsLostConnections) {
  std::unique_ptr<Store> a = Open(NodeOptions("node-a"));
  std::string id = Insert(*a);
  ASSERT_OK_AND_ASSIGN(PgResult killed,
                       raw_->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                   "datname = current_database() AND pid <> pg_backend_pid()"));
  ASSERT_GE(killed.rows(), 1);
  absl::SleepFor(absl::Milliseconds(100));
  ASSERT_OK_AND_ASSIGN(Submission got, a->Get(id));
  EXPECT_EQ(got.state(), Submission::QUEUED);
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, a->ClaimNext());
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK(a->Finish(id, claim->claim, MakeReport(3)));
}

}  // namespace
}  // namespace gograder::store
