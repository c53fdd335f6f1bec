// A thin, Status-returning layer over libpq for a PostgreSQL store: one
// connection that runs parameterized queries, results that free themselves,
// transactions that roll back unless committed, and LISTEN/NOTIFY with a
// timed wait. pg_conninfo.h turns the `database` config value into the
// conninfo that PgConnection::Open takes.
//
// Formats on the wire: parameters are sent as text, except bytea, which is
// sent in binary (so NUL bytes survive); results come back as text, and
// PgResult::Bytes decodes bytea's hex text with libpq's PQunescapeBytea.
//
// Errors carry the SQLSTATE in the message ("(SQLSTATE 23505)") and as a
// payload: IsSerializationFailure and IsUniqueViolation tell apart the
// failures a caller retries or treats as "exists already". A lost connection
// is Unavailable; a PgConnection whose connection is lost stays unusable (open
// a new one). Not thread-safe: one thread uses a connection at a time.
#ifndef GOGRADER_GRADER_STORE_PG_DB_H_
#define GOGRADER_GRADER_STORE_PG_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

struct pg_conn;
struct pg_result;

namespace gograder::store {

// The SQLSTATE an error Status of this file carries ("23505"), or "" when it
// carries none (not a server error, or not from here).
std::string SqlState(const absl::Status& status);

// True for the failures a transaction is retried on: serialization failure
// (40001) and deadlock detected (40P01).
bool IsSerializationFailure(const absl::Status& status);

// True for a unique constraint violation (23505).
bool IsUniqueViolation(const absl::Status& status);

// One query parameter: text, bytea (sent in binary), an integer (sent as its
// decimal text) or NULL. The server infers every type but bytea from where
// the parameter stands (add a cast, $1::bigint, where it cannot).
class PgParam {
 public:
  // A text value; it must not contain a NUL byte (Query refuses it).
  static PgParam Text(absl::string_view value);
  // A bytea value, any bytes.
  static PgParam Bytes(absl::string_view value);
  // An integer value (of any integer type: int, bigint, ...).
  static PgParam Int(int64_t value);
  // SQL NULL (of a type the server infers).
  static PgParam Null();

  // What Query sends: the bytes (nullopt for NULL), whether in binary, and
  // the type (0: the server infers it).
  const std::optional<std::string>& value() const { return value_; }
  bool binary() const { return binary_; }
  unsigned int type_oid() const { return type_oid_; }

 private:
  PgParam(std::optional<std::string> value, bool binary, unsigned int type_oid)
      : value_(std::move(value)), binary_(binary), type_oid_(type_oid) {}

  std::optional<std::string> value_;  // nullopt = NULL
  bool binary_;
  unsigned int type_oid_;  // 0 = inferred by the server
};

// The rows of one query (text format), freed on destruction. Rows and
// columns are 0-based; an index out of range is an OutOfRange error.
class PgResult {
 public:
  // Takes ownership of `result` (may be null: no rows).
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  // Rows returned, and columns per row.
  int rows() const;
  int columns() const;
  // Rows an INSERT, UPDATE or DELETE changed, or a SELECT returned (0 for
  // other statements).
  int64_t affected_rows() const;

  // Whether the value is SQL NULL (false when out of range).
  bool IsNull(int row, int column) const;
  // The value as text ("" for NULL or out of range).
  std::string Text(int row, int column) const;
  // The value as an integer / a double; an error for NULL or a value that is
  // not one.
  absl::StatusOr<int64_t> Int64(int row, int column) const;
  absl::StatusOr<double> Double(int row, int column) const;
  // A bytea value's bytes; an error for NULL or a column of another type.
  absl::StatusOr<std::string> Bytes(int row, int column) const;

 private:
  friend class PgConnection;  // checks the result it made

  // The value's text; an error when (row, column) is out of range or NULL.
  absl::StatusOr<std::string> CheckedText(int row, int column) const;
  // InvalidArgument naming the column and row, saying `problem`.
  absl::Status ValueError(int row, int column, absl::string_view problem) const;

  pg_result* result_;
};

// A notification received on a channel this connection listens to.
struct PgNotification {
  std::string channel;
  std::string payload;
  int backend_pid = 0;  // the backend of the connection that sent it
};

// One connection to a PostgreSQL server.
class PgConnection {
 public:
  // Connects with `conninfo` (a libpq key=value string or a postgresql://
  // URL). Without a connect_timeout of its own, it gives up after 10 s. A
  // malformed conninfo is InvalidArgument; failing to connect (no server,
  // refused authentication, no such database) is Unavailable. No message
  // contains the password.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Open(const std::string& conninfo);

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs SQL without parameters and ignores any rows: one statement or
  // several separated by semicolons (a schema script).
  absl::Status Exec(absl::string_view sql);

  // Runs one statement with parameters $1, $2, ... and returns its rows.
  absl::StatusOr<PgResult> Query(absl::string_view sql, absl::Span<const PgParam> params = {});

  // Listens to `channel` (any name: it is quoted as an identifier).
  absl::Status Listen(absl::string_view channel);
  // Sends `payload` on `channel` through pg_notify (inside a transaction, on
  // commit).
  absl::Status Notify(absl::string_view channel, absl::string_view payload);
  // The notifications received so far, waiting up to `timeout` for the
  // first when there are none yet: empty when none came in time.
  absl::StatusOr<std::vector<PgNotification>> WaitForNotification(absl::Duration timeout);

  // Whether the connection is still up (false once the server closed it or
  // a read or write on it failed).
  bool connected() const;
  // The process id of the server backend serving this connection.
  int backend_pid() const;
  // True inside a transaction block (also a failed one, until it ends).
  bool in_transaction() const;
  // True inside a transaction block in which a statement failed: until it
  // ends, every statement but ROLLBACK fails.
  bool in_failed_transaction() const;

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}

  // Unavailable when the connection is lost, else OK.
  absl::Status CheckConnected() const;
  // The Status for a query result that is not a success (or no result).
  absl::Status ResultStatus(pg_result* result, absl::string_view sql) const;
  // Moves the notifications libpq has received into `out`.
  void TakeNotifications(std::vector<PgNotification>& out);

  pg_conn* conn_;
};

// A transaction block on one connection. Rolls back when destroyed without
// Commit, or when Commit fails.
class PgTransaction {
 public:
  enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

  // BEGIN ISOLATION LEVEL `isolation` on `connection`, which must not be in a
  // transaction already (FailedPrecondition).
  static absl::StatusOr<std::unique_ptr<PgTransaction>> Begin(
      PgConnection& connection, Isolation isolation = Isolation::kReadCommitted);

  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  ~PgTransaction();

  // COMMIT. A transaction in which a statement failed cannot commit: that is
  // Aborted, and so is a serialization failure at commit (see
  // IsSerializationFailure).
  absl::Status Commit();

 private:
  explicit PgTransaction(PgConnection& connection) : connection_(connection) {}

  PgConnection& connection_;
  bool open_ = true;
};

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_PG_DB_H_
