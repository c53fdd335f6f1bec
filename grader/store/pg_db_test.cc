// PgConnection, PgResult and PgTransaction against a real PostgreSQL server
// (one throwaway cluster for the suite): round trips of every parameter and
// value kind, the errors callers act on, transactions, SKIP LOCKED claims,
// LISTEN/NOTIFY and a lost connection.
#include "grader/store/pg_db.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/store/pg_test_cluster.h"
#include "gtest/gtest.h"

namespace gograder::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class PgDbTest : public PgClusterTest<PgDbTest> {
 public:
  static PgTestClusterOptions ClusterOptions() { return {}; }

 protected:
  void SetUp() override {
    PgClusterTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(db_, Connect());
  }

  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect() {
    return PgConnection::Open(cluster().conninfo());
  }

  // The one value `sql` returns, as text.
  std::string Scalar(PgConnection& db, const std::string& sql) {
    absl::StatusOr<PgResult> result = db.Query(sql);
    EXPECT_OK(result);
    if (!result.ok() || result->rows() != 1) return "<no row>";
    return result->Text(0, 0);
  }

  std::unique_ptr<PgConnection> db_;
};

TEST_F(PgDbTest, ExecAndQueryRoundTrip) {
  ASSERT_OK(
      db_->Exec("DROP TABLE IF EXISTS items; "
                "CREATE TABLE items (id bigint PRIMARY KEY, name text, score double precision)"));
  for (int64_t id : {1, 2, 3}) {
    ASSERT_OK_AND_ASSIGN(PgResult inserted,
                         db_->Query("INSERT INTO items VALUES ($1, $2, $3)",
                                    {PgParam::Int(id), PgParam::Text(absl::StrCat("item ", id)),
                                     PgParam::Text(absl::StrCat(id, ".5"))}));
    EXPECT_EQ(inserted.affected_rows(), 1);
  }
  ASSERT_OK_AND_ASSIGN(
      PgResult updated,
      db_->Query("UPDATE items SET score = score * 2 WHERE id >= $1", {PgParam::Int(2)}));
  EXPECT_EQ(updated.affected_rows(), 2);

  ASSERT_OK_AND_ASSIGN(PgResult rows, db_->Query("SELECT id, name, score FROM items ORDER BY id"));
  ASSERT_EQ(rows.rows(), 3);
  ASSERT_EQ(rows.columns(), 3);
  EXPECT_EQ(rows.affected_rows(), 3);
  EXPECT_THAT(rows.Int64(2, 0), IsOkAndHolds(3));
  EXPECT_EQ(rows.Text(2, 1), "item 3");
  EXPECT_THAT(rows.Double(0, 2), IsOkAndHolds(1.5));
  EXPECT_THAT(rows.Double(2, 2), IsOkAndHolds(7.0));
  EXPECT_FALSE(rows.IsNull(0, 1));
}

TEST_F(PgDbTest, ParametersRoundTripIncludingNullAndBinaryBytes) {
  const std::string bytes(
      "\0\xff\x00"
      "ab\\x'\"\n\x80",
      10);
  ASSERT_OK(
      db_->Exec("DROP TABLE IF EXISTS blobs; CREATE TABLE blobs (id int PRIMARY KEY, data bytea, "
                "note text)"));
  ASSERT_OK(db_->Query("INSERT INTO blobs VALUES (1, $1, $2), (2, $3, $4)",
                       {PgParam::Bytes(bytes), PgParam::Text("'; DROP TABLE blobs; --"),
                        PgParam::Bytes(""), PgParam::Null()})
                .status());
  ASSERT_OK_AND_ASSIGN(PgResult rows,
                       db_->Query("SELECT data, note, length(data) FROM blobs ORDER BY id"));
  ASSERT_EQ(rows.rows(), 2);
  ASSERT_OK_AND_ASSIGN(std::string read, rows.Bytes(0, 0));
  EXPECT_EQ(read, bytes);
  EXPECT_THAT(rows.Int64(0, 2), IsOkAndHolds(10));  // stored as sent, not cut at the NUL
  EXPECT_EQ(rows.Text(0, 1), "'; DROP TABLE blobs; --");
  EXPECT_THAT(rows.Bytes(1, 0), IsOkAndHolds(""));  // empty, not NULL
  EXPECT_FALSE(rows.IsNull(1, 0));
  EXPECT_TRUE(rows.IsNull(1, 1));

  // Parameters straight back, with the types the server gives them.
  ASSERT_OK_AND_ASSIGN(
      PgResult echoed,
      db_->Query("SELECT $1::bigint, $2::bigint, $3, $4::text IS NULL, $5",
                 {PgParam::Int(std::numeric_limits<int64_t>::min()),
                  PgParam::Int(std::numeric_limits<int64_t>::max()), PgParam::Bytes(bytes),
                  PgParam::Null(), PgParam::Text("héllo ✓")}));
  EXPECT_THAT(echoed.Int64(0, 0), IsOkAndHolds(std::numeric_limits<int64_t>::min()));
  EXPECT_THAT(echoed.Int64(0, 1), IsOkAndHolds(std::numeric_limits<int64_t>::max()));
  EXPECT_THAT(echoed.Bytes(0, 2), IsOkAndHolds(bytes));
  EXPECT_EQ(echoed.Text(0, 3), "t");
  EXPECT_EQ(echoed.Text(0, 4), "héllo ✓");
}

TEST_F(PgDbTest, TextParameterWithNulIsRefused) {
  EXPECT_THAT(db_->Query("SELECT $1", {PgParam::Text(std::string("a\0b", 3))}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("$1 has a NUL byte")));
}

TEST_F(PgDbTest, ValueAccessErrors) {
  ASSERT_OK_AND_ASSIGN(PgResult row, db_->Query("SELECT 'abc'::text, NULL::bigint, 'x'::text"));
  EXPECT_THAT(row.Int64(0, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("\"abc\" is not a 64-bit integer")));
  EXPECT_THAT(row.Double(0, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(row.Int64(0, 1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NULL")));
  EXPECT_THAT(row.Bytes(0, 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not bytea")));
  EXPECT_THAT(row.Int64(1, 0), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(row.Int64(0, 3), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_EQ(row.Text(5, 5), "");
  EXPECT_FALSE(row.IsNull(-1, 0));
}

TEST_F(PgDbTest, ServerErrorsCarryTheirSqlState) {
  absl::StatusOr<PgResult> syntax = db_->Query("SELEC 1");
  EXPECT_THAT(syntax, StatusIs(absl::StatusCode::kInternal, HasSubstr("(SQLSTATE 42601)")));
  EXPECT_EQ(SqlState(syntax.status()), "42601");
  EXPECT_THAT(db_->Exec("SELECT 1/0"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("division by zero")));
  EXPECT_EQ(SqlState(absl::InternalError("not from postgres")), "");
}

TEST_F(PgDbTest, UniqueViolationIsRecognized) {
  ASSERT_OK(
      db_->Exec("DROP TABLE IF EXISTS keys; "
                "CREATE TABLE keys (k text PRIMARY KEY, v text NOT NULL)"));
  ASSERT_OK(db_->Query("INSERT INTO keys VALUES ($1, 'a')", {PgParam::Text("x")}).status());
  absl::Status duplicate =
      db_->Query("INSERT INTO keys VALUES ($1, 'b')", {PgParam::Text("x")}).status();
  EXPECT_THAT(duplicate,
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("Key (k)=(x) already exists")));
  EXPECT_TRUE(IsUniqueViolation(duplicate));
  EXPECT_FALSE(IsSerializationFailure(duplicate));

  absl::Status not_null = db_->Exec("INSERT INTO keys VALUES ('y', NULL)");
  EXPECT_THAT(not_null, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(SqlState(not_null), "23502");
  EXPECT_FALSE(IsUniqueViolation(not_null));
}

TEST_F(PgDbTest, TransactionRollsBackUnlessCommitted) {
  ASSERT_OK(db_->Exec("DROP TABLE IF EXISTS log; CREATE TABLE log (line text)"));
  {
    ASSERT_OK_AND_ASSIGN(auto transaction, PgTransaction::Begin(*db_));
    EXPECT_TRUE(db_->in_transaction());
    ASSERT_OK(db_->Exec("INSERT INTO log VALUES ('dropped')"));
  }
  EXPECT_FALSE(db_->in_transaction());
  {
    ASSERT_OK_AND_ASSIGN(auto transaction, PgTransaction::Begin(*db_));
    ASSERT_OK(db_->Exec("INSERT INTO log VALUES ('kept')"));
    ASSERT_OK(transaction->Commit());
    EXPECT_THAT(transaction->Commit(), StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  EXPECT_EQ(Scalar(*db_, "SELECT string_agg(line, ',') FROM log"), "kept");
}

TEST_F(PgDbTest, CommitAfterAFailedStatementIsAborted) {
  ASSERT_OK(db_->Exec("DROP TABLE IF EXISTS log2; CREATE TABLE log2 (line text)"));
  ASSERT_OK_AND_ASSIGN(auto transaction, PgTransaction::Begin(*db_));
  ASSERT_OK(db_->Exec("INSERT INTO log2 VALUES ('lost')"));
  EXPECT_FALSE(db_->Exec("SELECT no_such_column FROM log2").ok());
  EXPECT_TRUE(db_->in_failed_transaction());
  EXPECT_THAT(db_->Exec("SELECT 1"), StatusIs(absl::StatusCode::kAborted));  // 25P02
  EXPECT_THAT(transaction->Commit(),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("rolled back")));
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM log2"), "0");
}

TEST_F(PgDbTest, TransactionIsolationLevelAndNoNesting) {
  for (auto [isolation, name] :
       {std::pair{PgTransaction::Isolation::kReadCommitted, "read committed"},
        std::pair{PgTransaction::Isolation::kRepeatableRead, "repeatable read"},
        std::pair{PgTransaction::Isolation::kSerializable, "serializable"}}) {
    ASSERT_OK_AND_ASSIGN(auto transaction, PgTransaction::Begin(*db_, isolation));
    EXPECT_EQ(Scalar(*db_, "SHOW transaction_isolation"), name);
    EXPECT_THAT(PgTransaction::Begin(*db_), StatusIs(absl::StatusCode::kFailedPrecondition));
  }
}

TEST_F(PgDbTest, SerializationFailureIsRecognized) {
  // Write skew: each transaction reads what the other writes.
  ASSERT_OK(
      db_->Exec("DROP TABLE IF EXISTS doctors; CREATE TABLE doctors (name text, on_call bool); "
                "INSERT INTO doctors VALUES ('a', true), ('b', true)"));
  ASSERT_OK_AND_ASSIGN(auto other, Connect());
  ASSERT_OK_AND_ASSIGN(auto first,
                       PgTransaction::Begin(*db_, PgTransaction::Isolation::kSerializable));
  ASSERT_OK_AND_ASSIGN(auto second,
                       PgTransaction::Begin(*other, PgTransaction::Isolation::kSerializable));
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM doctors WHERE on_call"), "2");
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM doctors WHERE on_call"), "2");
  ASSERT_OK(db_->Exec("UPDATE doctors SET on_call = false WHERE name = 'a'"));
  ASSERT_OK(other->Exec("UPDATE doctors SET on_call = false WHERE name = 'b'"));
  ASSERT_OK(first->Commit());
  absl::Status conflict = second->Commit();
  EXPECT_THAT(conflict, StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(IsSerializationFailure(conflict)) << conflict;
  EXPECT_EQ(SqlState(conflict), "40001");
  EXPECT_FALSE(IsUniqueViolation(conflict));
}

TEST_F(PgDbTest, DeadlockIsRecognized) {
  ASSERT_OK(
      db_->Exec("DROP TABLE IF EXISTS pair; CREATE TABLE pair (id int PRIMARY KEY); "
                "INSERT INTO pair VALUES (1), (2)"));
  ASSERT_OK_AND_ASSIGN(auto other, Connect());
  for (PgConnection* connection : {db_.get(), other.get()}) {
    ASSERT_OK(connection->Exec("SET deadlock_timeout = '50ms'"));
  }
  ASSERT_OK_AND_ASSIGN(auto first, PgTransaction::Begin(*db_));
  ASSERT_OK_AND_ASSIGN(auto second, PgTransaction::Begin(*other));
  ASSERT_OK(db_->Exec("SELECT * FROM pair WHERE id = 1 FOR UPDATE"));
  ASSERT_OK(other->Exec("SELECT * FROM pair WHERE id = 2 FOR UPDATE"));
  absl::Status first_status, second_status;
  std::thread waiter(
      [&] { first_status = db_->Exec("SELECT * FROM pair WHERE id = 2 FOR UPDATE"); });
  second_status = other->Exec("SELECT * FROM pair WHERE id = 1 FOR UPDATE");
  if (!second_status.ok()) second.reset();  // releases row 2 for the waiter
  waiter.join();
  // The server breaks the cycle by failing one of the two.
  absl::Status failed = first_status.ok() ? second_status : first_status;
  EXPECT_NE(first_status.ok(), second_status.ok()) << first_status << " / " << second_status;
  EXPECT_TRUE(IsSerializationFailure(failed)) << failed;
  EXPECT_EQ(SqlState(failed), "40P01");
}

TEST_F(PgDbTest, SkipLockedClaimsTheNextFreeRow) {
  ASSERT_OK(
      db_->Exec("DROP TABLE IF EXISTS jobs; CREATE TABLE jobs (id int PRIMARY KEY); "
                "INSERT INTO jobs VALUES (1), (2), (3)"));
  const std::string claim = "SELECT id FROM jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
  ASSERT_OK_AND_ASSIGN(auto other, Connect());
  ASSERT_OK_AND_ASSIGN(auto first, PgTransaction::Begin(*db_));
  EXPECT_EQ(Scalar(*db_, claim), "1");
  ASSERT_OK_AND_ASSIGN(auto second, PgTransaction::Begin(*other));
  EXPECT_EQ(Scalar(*other, claim), "2");  // 1 is locked: skipped, not waited for
  second.reset();
  // The rolled-back claim's row is free again; the held one is not.
  ASSERT_OK_AND_ASSIGN(auto third, PgTransaction::Begin(*other));
  EXPECT_EQ(Scalar(*other, claim), "2");
  first.reset();
  EXPECT_EQ(Scalar(*db_, claim), "1");
}

TEST_F(PgDbTest, ListenAndNotifyBetweenConnections) {
  ASSERT_OK_AND_ASSIGN(auto sender, Connect());
  const std::string channel = "queue \"odd\" name";
  ASSERT_OK(db_->Listen(channel));
  ASSERT_OK(sender->Notify(channel, "it's; DROP TABLE x; --"));
  ASSERT_OK(sender->Notify("nobody listens here", "lost"));
  ASSERT_OK_AND_ASSIGN(std::vector<PgNotification> received,
                       db_->WaitForNotification(absl::Seconds(10)));
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_EQ(received[0].channel, channel);
  EXPECT_EQ(received[0].payload, "it's; DROP TABLE x; --");
  EXPECT_EQ(received[0].backend_pid, sender->backend_pid());

  // Inside a transaction: delivered at commit, not before.
  {
    ASSERT_OK_AND_ASSIGN(auto transaction, PgTransaction::Begin(*sender));
    ASSERT_OK(sender->Notify(channel, "one"));
    ASSERT_OK(sender->Notify(channel, "two"));
    EXPECT_THAT(db_->WaitForNotification(absl::Milliseconds(100)), IsOkAndHolds(IsEmpty()));
    ASSERT_OK(transaction->Commit());
  }
  std::vector<std::string> payloads;
  for (absl::Time deadline = absl::Now() + absl::Seconds(10);
       payloads.size() < 2 && absl::Now() < deadline;) {
    ASSERT_OK_AND_ASSIGN(received, db_->WaitForNotification(absl::Seconds(1)));
    for (const PgNotification& notification : received) payloads.push_back(notification.payload);
  }
  EXPECT_THAT(payloads, ElementsAre("one", "two"));
}

TEST_F(PgDbTest, WaitForNotificationTimesOutEmpty) {
  ASSERT_OK(db_->Listen("quiet"));
  absl::Time start = absl::Now();
  EXPECT_THAT(db_->WaitForNotification(absl::Milliseconds(200)), IsOkAndHolds(IsEmpty()));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_THAT(db_->WaitForNotification(absl::ZeroDuration()), IsOkAndHolds(IsEmpty()));
}

TEST_F(PgDbTest, LostConnectionIsUnavailable) {
  ASSERT_OK_AND_ASSIGN(auto admin, Connect());
  ASSERT_OK_AND_ASSIGN(auto transaction, PgTransaction::Begin(*db_));
  ASSERT_OK(
      admin->Query("SELECT pg_terminate_backend($1)", {PgParam::Int(db_->backend_pid())}).status());
  EXPECT_THAT(db_->Query("SELECT 1"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("connection is lost")));
  EXPECT_FALSE(db_->connected());
  EXPECT_THAT(db_->Exec("SELECT 1"), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(db_->WaitForNotification(absl::Seconds(1)), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(transaction->Commit(), StatusIs(absl::StatusCode::kUnavailable));
  transaction.reset();  // no rollback to send: must not crash or block
  EXPECT_THAT(PgTransaction::Begin(*db_), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(admin->connected());
}

TEST_F(PgDbTest, ListenerLearnsOfLostConnectionWhileWaiting) {
  ASSERT_OK_AND_ASSIGN(auto admin, Connect());
  ASSERT_OK(db_->Listen("jobs"));
  const int pid = db_->backend_pid();
  std::thread terminator([&] {
    absl::SleepFor(absl::Milliseconds(200));
    EXPECT_OK(admin->Query("SELECT pg_terminate_backend($1)", {PgParam::Int(pid)}).status());
  });
  absl::Time start = absl::Now();
  absl::StatusOr<std::vector<PgNotification>> waited = db_->WaitForNotification(absl::Seconds(20));
  // The termination notice may come before the end of the connection.
  while (waited.ok() && absl::Now() - start < absl::Seconds(20)) {
    waited = db_->WaitForNotification(absl::Seconds(20) - (absl::Now() - start));
  }
  terminator.join();
  EXPECT_THAT(waited, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST_F(PgDbTest, OpenFailures) {
  EXPECT_THAT(PgConnection::Open("host=x dbname"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot parse")));
  EXPECT_THAT(PgConnection::Open("nosuchoption=1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nosuchoption")));
  EXPECT_THAT(PgConnection::Open(cluster().conninfo() + " dbname=no_such_db"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("no_such_db")));
}

}  // namespace
}  // namespace gograder::store
