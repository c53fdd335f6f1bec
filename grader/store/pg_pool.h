// A few PostgreSQL connections shared by the threads of one process, and
// transactions run on them that are retried when the server asks for it.
//
// A thread takes a connection (Acquire) for one unit of work and gives it
// back when its Lease ends; with every connection in use, the next thread
// waits. Connections are opened on demand up to the pool's size; one found
// lost is dropped (never handed out again) and replaced by a new one.
// Transact is the usual entry: BEGIN, the caller's statements, COMMIT, and
// all of it again, on a fresh snapshot, after a serialization failure or a
// deadlock (the server rolled the transaction back, so a retry is safe).
#ifndef GOGRADER_GRADER_STORE_PG_POOL_H_
#define GOGRADER_GRADER_STORE_PG_POOL_H_

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grader/store/pg_db.h"

namespace gograder::store {

struct PgPoolOptions {
  int size = 4;  // connections open at most
  // Statements run on every new connection before its first use (session
  // settings such as "SET lock_timeout = '30s'").
  std::vector<std::string> session_sql;
  // Tries of one Transact (the first and the retries).
  int max_attempts = 5;
  // Wait before retry n: n times this.
  absl::Duration retry_backoff = absl::Milliseconds(10);
};

class PgPool {
 public:
  // A connection taken from the pool, given back on destruction (dropped
  // instead when it is lost or still in a transaction).
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    PgConnection& operator*() const { return *connection_; }
    PgConnection* operator->() const { return connection_.get(); }

   private:
    friend class PgPool;
    Lease(PgPool* pool, std::unique_ptr<PgConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}

    PgPool* pool_;
    std::unique_ptr<PgConnection> connection_;
  };

  // A pool for `conninfo` (see PgConnection::Open). Opens its first
  // connection now, so that a bad conninfo or an unreachable server fails
  // here. InvalidArgument for a size below 1.
  static absl::StatusOr<std::unique_ptr<PgPool>> Open(const std::string& conninfo,
                                                      PgPoolOptions options);

  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;
  // Every Lease must have ended.
  ~PgPool() = default;

  // A free connection, waiting for one while all `size` are in use.
  // Unavailable when a new connection cannot be opened.
  absl::StatusOr<Lease> Acquire();

  // Runs `body(PgConnection&)` (returning absl::Status or absl::StatusOr<T>)
  // inside BEGIN ISOLATION LEVEL `isolation` ... COMMIT on a pooled
  // connection and returns what it returned, or the error of BEGIN or
  // COMMIT. An error of `body` rolls back. A serialization failure or
  // deadlock (IsSerializationFailure) runs everything again, up to
  // max_attempts tries; so may a connection that was lost while it waited
  // in the pool (noticed at BEGIN). `body` must be safe to run again.
  template <typename Body>
  auto Transact(PgTransaction::Isolation isolation, Body&& body)
      -> std::invoke_result_t<Body&, PgConnection&>;

  // Connections open now (idle or in use).
  int open_connections() const;

 private:
  PgPool(std::string conninfo, PgPoolOptions options)
      : conninfo_(std::move(conninfo)), options_(std::move(options)) {}

  // A new connection with the session settings applied.
  absl::StatusOr<std::unique_ptr<PgConnection>> Connect() const;
  // Takes back a connection of a Lease that ended.
  void Release(std::unique_ptr<PgConnection> connection);

  static const absl::Status& StatusOf(const absl::Status& status) { return status; }
  template <typename T>
  static const absl::Status& StatusOf(const absl::StatusOr<T>& result) {
    return result.status();
  }

  const std::string conninfo_;
  const PgPoolOptions options_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

template <typename Body>
auto PgPool::Transact(PgTransaction::Isolation isolation, Body&& body)
    -> std::invoke_result_t<Body&, PgConnection&> {
  using Result = std::invoke_result_t<Body&, PgConnection&>;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<Lease> db = Acquire();
    if (!db.ok()) return Result(db.status());
    absl::StatusOr<std::unique_ptr<PgTransaction>> transaction =
        PgTransaction::Begin(**db, isolation);
    if (!transaction.ok()) {
      // Nothing ran: a connection lost while idle is replaced and tried again.
      if (!(*db)->connected() && attempt < options_.max_attempts) continue;
      return Result(transaction.status());
    }
    Result result = body(**db);
    absl::Status status = StatusOf(result);
    if (status.ok()) status = (*transaction)->Commit();
    if (status.ok()) return result;
    transaction->reset();  // rolls back what is still open
    if (!IsSerializationFailure(status) || attempt >= options_.max_attempts) return Result(status);
    absl::SleepFor(options_.retry_backoff * attempt);
  }
}

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_PG_POOL_H_
