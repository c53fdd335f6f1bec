// A thin, Status-returning layer over libsqlite3 for the store: one
// connection with a cache of prepared statements, statements that reset
// themselves when they go out of scope, and transactions that roll back
// unless committed. Not thread-safe by itself: the store serializes access.
#ifndef GOGRADER_GRADER_STORE_SQLITE_DB_H_
#define GOGRADER_GRADER_STORE_SQLITE_DB_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gograder::store {

// Turns an SQLite result code into a Status whose message names `what`, the
// SQLite error text and the code. Busy/locked -> Unavailable, full ->
// ResourceExhausted, corrupt -> DataLoss, constraint -> FailedPrecondition.
absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view what);

// One prepared statement in use. Bind parameters (1-based), Step through the
// rows, read columns (0-based); the statement is reset and its bindings
// cleared when this object goes away, so the cached statement can be reused.
class Statement {
 public:
  // Uses `stmt`, marked busy through `in_use` until destroyed.
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {
    *in_use_ = true;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds a text, blob, integer, real or NULL parameter.
  Statement& BindText(int index, absl::string_view value);
  Statement& BindBlob(int index, absl::string_view value);
  Statement& BindInt(int index, int64_t value);
  Statement& BindDouble(int index, double value);
  Statement& BindNull(int index);

  // Advances to the next row: true when there is one, false when done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows (or ignores them).
  absl::Status Run();

  // Column values of the current row.
  std::string ColumnText(int index) const;
  std::string ColumnBlob(int index) const;
  int64_t ColumnInt(int index) const;
  double ColumnDouble(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
  absl::Status bind_status_;  // the first binding error, reported by Step
};

// An SQLite connection. Open sets the pragmas the store relies on.
class Database {
 public:
  // Opens (creating if needed) the database at `path` with WAL journaling,
  // synchronous=FULL, foreign keys on and a busy timeout.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more SQL statements that take no parameters.
  absl::Status Exec(absl::string_view sql);

  // A cached prepared statement for `sql` (prepared on first use). One
  // statement text can be in use once at a time.
  absl::StatusOr<std::unique_ptr<Statement>> Prepare(const std::string& sql);

  // How many rows the last INSERT, UPDATE or DELETE changed.
  int Changes() const;

  // The underlying connection and the file it was opened on.
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  std::map<std::string, CachedStatement, std::less<>> statements_;
};

// A transaction: BEGIN IMMEDIATE (takes the write lock up front, so a
// read-then-write cannot be overtaken by another writer) or BEGIN DEFERRED
// (a consistent snapshot for multi-statement reads). Rolls back when
// destroyed without Commit.
class Transaction {
 public:
  enum class Mode { kImmediate, kDeferred };

  // Begins a transaction on `db`.
  static absl::StatusOr<std::unique_ptr<Transaction>> Begin(Database& db, Mode mode);

  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Commits; after an error the transaction is rolled back.
  absl::Status Commit();

 private:
  explicit Transaction(Database& db) : db_(db) {}

  Database& db_;
  bool open_ = true;
};

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_SQLITE_DB_H_
