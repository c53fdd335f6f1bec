#include "grader/store/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace gograder::store {
namespace {

// How long a statement waits for another connection's lock before failing.
constexpr int kBusyTimeoutMs = 5000;

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::StatusCode::kUnavailable;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return absl::StatusCode::kPermissionDenied;
    default:
      return absl::StatusCode::kInternal;
  }
}

}  // namespace

absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view what) {
  // sqlite3_errmsg describes the most recent failure on the connection; fall
  // back to the generic text of the code when there is no connection.
  const char* text = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc), absl::StrCat("sqlite: ", what, ": ", text, " (code ", rc, ")"));
}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Statement& Statement::BindText(int index, absl::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteStatus(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindBlob(int index, absl::string_view value) {
  // A zero-length blob still binds as a blob (not NULL) with a non-null pointer.
  static const char kEmpty = 0;
  const char* data = value.empty() ? &kEmpty : value.data();
  int rc = sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteStatus(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindInt(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteStatus(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteStatus(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteStatus(db_, rc, "bind");
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  RETURN_IF_ERROR(bind_status_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(db_, rc, sqlite3_sql(stmt_));
}

absl::Status Statement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

std::string Statement::ColumnText(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, index));
}

std::string Statement::ColumnBlob(int index) const {
  const void* blob = sqlite3_column_blob(stmt_, index);
  if (blob == nullptr) return "";
  return std::string(static_cast<const char*>(blob), sqlite3_column_bytes(stmt_, index));
}

int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

double Statement::ColumnDouble(int index) const { return sqlite3_column_double(stmt_, index); }

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  // The store serializes all use of the connection with its own mutex.
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteStatus(db, rc, absl::StrCat("open ", path));
    sqlite3_close_v2(db);  // a handle is returned even on failure
    return status;
  }
  auto database = std::unique_ptr<Database>(new Database(db, path));
  sqlite3_extended_result_codes(db, 1);
  rc = sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, "busy_timeout");

  // journal_mode answers with the mode in effect: anything but "wal" (e.g. a
  // file system without shared memory) is an error, not a silent downgrade.
  {
    ASSIGN_OR_RETURN(auto statement, database->Prepare("PRAGMA journal_mode=WAL"));
    ASSIGN_OR_RETURN(bool row, statement->Step());
    std::string mode = row ? absl::AsciiStrToLower(statement->ColumnText(0)) : "";
    if (mode != "wal") {
      return absl::FailedPreconditionError(absl::StrCat(
          "sqlite: ", path, ": cannot use WAL journaling (journal_mode is '", mode, "')"));
    }
  }
  RETURN_IF_ERROR(database->Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  // Pragmas are silently ignored inside a transaction or by builds without
  // them: check that both took (synchronous FULL is 2).
  constexpr std::pair<const char*, int> kExpected[] = {{"synchronous", 2}, {"foreign_keys", 1}};
  for (const auto& [pragma, expected] : kExpected) {
    ASSIGN_OR_RETURN(auto statement, database->Prepare(absl::StrCat("PRAGMA ", pragma)));
    ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row || statement->ColumnInt(0) != expected) {
      return absl::FailedPreconditionError(
          absl::StrCat("sqlite: ", path, ": cannot set PRAGMA ", pragma, " to ", expected));
    }
  }
  return database;
}

Database::~Database() {
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

absl::Status Database::Exec(absl::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return absl::OkStatus();
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  // Name the statement by its start: schema scripts are long.
  constexpr size_t kMaxShown = 80;
  std::string shown =
      text.size() > kMaxShown ? absl::StrCat(text.substr(0, kMaxShown), "...") : text;
  return absl::Status(CodeFor(rc),
                      absl::StrCat("sqlite: ", shown, ": ", message, " (code ", rc, ")"));
}

absl::StatusOr<std::unique_ptr<Statement>> Database::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return SqliteStatus(db_, rc, absl::StrCat("prepare ", sql));
    }
    it = statements_.emplace(sql, CachedStatement{stmt, false}).first;
  }
  if (it->second.in_use) {
    return absl::InternalError(absl::StrCat("sqlite: statement already in use: ", sql));
  }
  return std::make_unique<Statement>(db_, it->second.stmt, &it->second.in_use);
}

int Database::Changes() const { return sqlite3_changes(db_); }

absl::StatusOr<std::unique_ptr<Transaction>> Transaction::Begin(Database& db, Mode mode) {
  // A transaction left open by a failed rollback would make every BEGIN fail.
  if (!sqlite3_get_autocommit(db.handle())) db.Exec("ROLLBACK").IgnoreError();
  ASSIGN_OR_RETURN(auto begin,
                   db.Prepare(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  RETURN_IF_ERROR(begin->Run());
  return std::unique_ptr<Transaction>(new Transaction(db));
}

Transaction::~Transaction() {
  if (!open_) return;
  // Nothing to report to: a transaction a failed rollback leaves open is
  // rolled back by the next Begin.
  db_.Exec("ROLLBACK").IgnoreError();
}

absl::Status Transaction::Commit() {
  ASSIGN_OR_RETURN(auto commit, db_.Prepare("COMMIT"));
  RETURN_IF_ERROR(commit->Run());
  open_ = false;
  return absl::OkStatus();
}

}  // namespace gograder::store
