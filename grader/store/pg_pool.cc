#include "grader/store/pg_pool.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace gograder::store {

PgPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(std::move(connection_));
}

absl::StatusOr<std::unique_ptr<PgPool>> PgPool::Open(const std::string& conninfo,
                                                     PgPoolOptions options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("a connection pool needs at least 1 connection, not ", options.size));
  }
  auto pool = std::unique_ptr<PgPool>(new PgPool(conninfo, std::move(options)));
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> first, pool->Connect());
  absl::MutexLock lock(&pool->mu_);
  pool->idle_.push_back(std::move(first));
  pool->open_ = 1;
  return pool;
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgPool::Connect() const {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> connection, PgConnection::Open(conninfo_));
  for (const std::string& sql : options_.session_sql) RETURN_IF_ERROR(connection->Exec(sql));
  return connection;
}

absl::StatusOr<PgPool::Lease> PgPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    auto can_take = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.size;
    };
    mu_.Await(absl::Condition(&can_take));
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;  // reserved while it connects, outside the lock
  }
  absl::StatusOr<std::unique_ptr<PgConnection>> connection = Connect();
  if (!connection.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return connection.status();
  }
  return Lease(this, *std::move(connection));
}

void PgPool::Release(std::unique_ptr<PgConnection> connection) {
  // One in a transaction was left by a caller that lost track of it: never
  // hand out a connection whose state is not known.
  bool reusable = connection != nullptr && connection->connected() && !connection->in_transaction();
  if (!reusable) connection.reset();  // closes it outside the lock
  absl::MutexLock lock(&mu_);
  if (reusable) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
}

int PgPool::open_connections() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

}  // namespace gograder::store
