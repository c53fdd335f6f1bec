// PgPool against a real server (one throwaway cluster for the suite): leases,
// waiting for a free connection, lost connections replaced, and Transact's
// commit, rollback and retries.
#include "grader/store/pg_pool.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/store/pg_test_cluster.h"
#include "gtest/gtest.h"

namespace gograder::store {
namespace {

using Isolation = PgTransaction::Isolation;

class PgPoolTest : public PgClusterTest<PgPoolTest> {
 protected:
  void SetUp() override {
    PgClusterTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(admin_, PgConnection::Open(cluster().conninfo()));
  }

  absl::StatusOr<std::unique_ptr<PgPool>> Open(int size) {
    PgPoolOptions options;
    options.size = size;
    options.session_sql = {"SET lock_timeout = '7s'"};
    return PgPool::Open(cluster().conninfo(), options);
  }

  // The one value of `sql` on the admin connection, as text.
  std::string Scalar(const std::string& sql) {
    absl::StatusOr<PgResult> result = admin_->Query(sql);
    EXPECT_OK(result);
    return result.ok() && result->rows() == 1 ? result->Text(0, 0) : "<no row>";
  }

  void Terminate(int backend_pid) {
    ASSERT_OK(
        admin_->Query("SELECT pg_terminate_backend($1)", {PgParam::Int(backend_pid)}).status());
  }

  std::unique_ptr<PgConnection> admin_;
};

TEST_F(PgPoolTest, OpenConnectsOnceAndAppliesTheSessionSettings) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgPool> pool, Open(3));
  EXPECT_EQ(pool->open_connections(), 1);
  ASSERT_OK_AND_ASSIGN(PgPool::Lease lease, pool->Acquire());
  ASSERT_OK_AND_ASSIGN(PgResult shown, lease->Query("SHOW lock_timeout"));
  EXPECT_EQ(shown.Text(0, 0), "7s");

  EXPECT_THAT(Open(0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PgPool::Open(cluster().conninfo() + " dbname=no_such_db", {}),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(PgPoolTest, AcquireWaitsWhileEveryConnectionIsInUse) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgPool> pool, Open(2));
  std::optional<PgPool::Lease> first, second;
  {
    ASSERT_OK_AND_ASSIGN(PgPool::Lease a, pool->Acquire());
    ASSERT_OK_AND_ASSIGN(PgPool::Lease b, pool->Acquire());
    EXPECT_NE(a->backend_pid(), b->backend_pid());
    first.emplace(std::move(a));
    second.emplace(std::move(b));
  }
  EXPECT_EQ(pool->open_connections(), 2);
  const int first_pid = (*first)->backend_pid();
  absl::Notification got;
  int third_pid = 0;
  std::thread waiter([&] {
    absl::StatusOr<PgPool::Lease> third = pool->Acquire();
    EXPECT_OK(third);
    if (third.ok()) third_pid = (*third)->backend_pid();
    got.Notify();
  });
  EXPECT_FALSE(got.WaitForNotificationWithTimeout(absl::Milliseconds(300)));
  first.reset();
  EXPECT_TRUE(got.WaitForNotificationWithTimeout(absl::Seconds(10)));
  waiter.join();
  EXPECT_EQ(third_pid, first_pid);  // the same connection, not a third one
  EXPECT_EQ(pool->open_connections(), 2);
}

TEST_F(PgPoolTest, ALostConnectionIsDroppedAndReplaced) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgPool> pool, Open(1));
  int pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(PgPool::Lease lease, pool->Acquire());
    pid = lease->backend_pid();
    Terminate(pid);
    EXPECT_THAT(lease->Query("SELECT 1"), StatusIs(absl::StatusCode::kUnavailable));
  }
  EXPECT_EQ(pool->open_connections(), 0);
  ASSERT_OK_AND_ASSIGN(PgPool::Lease lease, pool->Acquire());
  EXPECT_NE(lease->backend_pid(), pid);
  EXPECT_OK(lease->Query("SELECT 1").status());
}

TEST_F(PgPoolTest, TransactReplacesAConnectionLostWhileIdle) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgPool> pool, Open(1));
  int pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(PgPool::Lease lease, pool->Acquire());
    pid = lease->backend_pid();
  }
  Terminate(pid);
  absl::StatusOr<int> other_pid =
      pool->Transact(Isolation::kReadCommitted,
                     [](PgConnection& db) -> absl::StatusOr<int> { return db.backend_pid(); });
  ASSERT_OK(other_pid);
  EXPECT_NE(*other_pid, pid);
}

TEST_F(PgPoolTest, TransactCommitsOrRollsBackAndReturnsTheBodysResult) {
  ASSERT_OK(admin_->Exec("DROP TABLE IF EXISTS lines; CREATE TABLE lines (line text)"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgPool> pool, Open(2));
  absl::StatusOr<int> kept =
      pool->Transact(Isolation::kReadCommitted, [](PgConnection& db) -> absl::StatusOr<int> {
        RETURN_IF_ERROR(db.Exec("INSERT INTO lines VALUES ('kept')"));
        return 42;
      });
  EXPECT_THAT(kept, IsOkAndHolds(42));
  int runs = 0;
  absl::Status dropped = pool->Transact(Isolation::kReadCommitted, [&](PgConnection& db) {
    ++runs;
    RETURN_IF_ERROR(db.Exec("INSERT INTO lines VALUES ('dropped')"));
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_THAT(dropped, StatusIs(absl::StatusCode::kFailedPrecondition, "changed my mind"));
  EXPECT_EQ(runs, 1);
  // A failed statement: its error, and the transaction rolled back.
  EXPECT_THAT(pool->Transact(Isolation::kReadCommitted,
                             [](PgConnection& db) {
                               RETURN_IF_ERROR(db.Exec("INSERT INTO lines VALUES ('also')"));
                               return db.Exec("SELECT no_such_column FROM lines");
                             }),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(Scalar("SELECT string_agg(line, ',') FROM lines"), "kept");
}

TEST_F(PgPoolTest, TransactRetriesASerializationFailure) {
  ASSERT_OK(admin_->Exec(
      "DROP TABLE IF EXISTS counter; CREATE TABLE counter (id int PRIMARY KEY, v int); "
      "INSERT INTO counter VALUES (1, 0)"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgPool> pool, Open(2));
  int runs = 0;
  absl::Status status = pool->Transact(Isolation::kRepeatableRead, [&](PgConnection& db) {
    ++runs;
    RETURN_IF_ERROR(db.Query("SELECT v FROM counter WHERE id = 1").status());
    if (runs == 1) {  // someone else changes the row after this snapshot
      RETURN_IF_ERROR(admin_->Exec("UPDATE counter SET v = v + 10 WHERE id = 1"));
    }
    return db.Exec("UPDATE counter SET v = v + 1 WHERE id = 1");
  });
  EXPECT_OK(status);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(Scalar("SELECT v FROM counter"), "11");

  // Always conflicting: it gives up after max_attempts tries.
  runs = 0;
  status = pool->Transact(Isolation::kRepeatableRead, [&](PgConnection& db) {
    ++runs;
    RETURN_IF_ERROR(db.Query("SELECT v FROM counter WHERE id = 1").status());
    RETURN_IF_ERROR(admin_->Exec("UPDATE counter SET v = v + 10 WHERE id = 1"));
    return db.Exec("UPDATE counter SET v = v + 1 WHERE id = 1");
  });
  EXPECT_TRUE(IsSerializationFailure(status)) << status;
  EXPECT_EQ(runs, PgPoolOptions().max_attempts);
}

TEST_F(PgPoolTest, ManyThreadsShareAFewConnections) {
  ASSERT_OK(
      admin_->Exec("DROP TABLE IF EXISTS hits; CREATE TABLE hits (id int PRIMARY KEY, n int); "
                   "INSERT INTO hits VALUES (1, 0)"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgPool> pool, Open(3));
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        absl::Status status = pool->Transact(Isolation::kReadCommitted, [](PgConnection& db) {
          return db.Exec("UPDATE hits SET n = n + 1 WHERE id = 1");
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Scalar("SELECT n FROM hits"), "160");
  EXPECT_LE(pool->open_connections(), 3);
}

}  // namespace
}  // namespace gograder::store
