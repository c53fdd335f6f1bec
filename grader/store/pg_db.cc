#include "grader/store/pg_db.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "grader/store/pg_conninfo.h"

namespace gograder::store {
namespace {

// The Status payload holding the SQLSTATE of a server error.
constexpr absl::string_view kSqlStatePayload = "type.gograder.dev/postgres.sqlstate";
// How long Open waits for a server when the conninfo says nothing.
constexpr absl::string_view kDefaultConnectTimeoutSeconds = "10";
// The type OID of bytea (pg_type.h is a server header).
constexpr Oid kByteaOid = 17;

// The status code for a server error's SQLSTATE.
absl::StatusCode CodeFor(absl::string_view state) {
  if (state == "23505") return absl::StatusCode::kAlreadyExists;
  if (state == "57014") return absl::StatusCode::kDeadlineExceeded;  // statement_timeout
  if (state == "42501") return absl::StatusCode::kPermissionDenied;
  if (state == "55P03" || state == "57P01" || state == "57P02" || state == "57P03") {
    return absl::StatusCode::kUnavailable;  // lock not available, server shutting down
  }
  absl::string_view sqlclass = state.substr(0, 2);
  if (sqlclass == "08") return absl::StatusCode::kUnavailable;  // connection exception
  if (sqlclass == "40" || state == "25P02") return absl::StatusCode::kAborted;
  if (sqlclass == "23") return absl::StatusCode::kFailedPrecondition;  // other constraints
  if (sqlclass == "22") return absl::StatusCode::kInvalidArgument;     // data exception
  if (sqlclass == "28") return absl::StatusCode::kPermissionDenied;
  if (sqlclass == "53") return absl::StatusCode::kResourceExhausted;
  return absl::StatusCode::kInternal;
}

// A libpq message on one line.
std::string OneLine(absl::string_view message) {
  return absl::StrReplaceAll(absl::StripTrailingAsciiWhitespace(message),
                             {{"\n\t", " "}, {"\n", " "}});
}

// The start of `sql`, to name a statement in a message.
std::string Shown(absl::string_view sql) {
  constexpr size_t kMaxShown = 80;
  return sql.size() > kMaxShown ? absl::StrCat(sql.substr(0, kMaxShown), "...") : std::string(sql);
}

absl::Status WithSqlState(absl::StatusCode code, absl::string_view message,
                          absl::string_view state) {
  if (state.empty()) return absl::Status(code, message);
  absl::Status status(code, absl::StrCat(message, " (SQLSTATE ", state, ")"));
  status.SetPayload(kSqlStatePayload, absl::Cord(state));
  return status;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

std::string SqlState(const absl::Status& status) {
  auto state = status.GetPayload(kSqlStatePayload);
  return state ? std::string(*state) : "";
}

bool IsSerializationFailure(const absl::Status& status) {
  std::string state = SqlState(status);
  return state == "40001" || state == "40P01";
}

bool IsUniqueViolation(const absl::Status& status) { return SqlState(status) == "23505"; }

PgParam PgParam::Text(absl::string_view value) { return PgParam(std::string(value), false, 0); }

PgParam PgParam::Bytes(absl::string_view value) {
  return PgParam(std::string(value), true, kByteaOid);
}

PgParam PgParam::Int(int64_t value) { return PgParam(absl::StrCat(value), false, 0); }

PgParam PgParam::Null() { return PgParam(std::nullopt, false, 0); }

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

PgResult::~PgResult() { PQclear(result_); }

int PgResult::rows() const { return result_ != nullptr ? PQntuples(result_) : 0; }

int PgResult::columns() const { return result_ != nullptr ? PQnfields(result_) : 0; }

int64_t PgResult::affected_rows() const {
  int64_t rows = 0;
  if (result_ == nullptr || !absl::SimpleAtoi(PQcmdTuples(result_), &rows)) return 0;
  return rows;
}

bool PgResult::IsNull(int row, int column) const {
  return row >= 0 && row < rows() && column >= 0 && column < columns() &&
         PQgetisnull(result_, row, column);
}

std::string PgResult::Text(int row, int column) const {
  if (row < 0 || row >= rows() || column < 0 || column >= columns()) return "";
  return std::string(PQgetvalue(result_, row, column), PQgetlength(result_, row, column));
}

absl::Status PgResult::ValueError(int row, int column, absl::string_view problem) const {
  return absl::InvalidArgumentError(
      absl::StrCat("postgres: column ", PQfname(result_, column), " of row ", row, ": ", problem));
}

absl::StatusOr<std::string> PgResult::CheckedText(int row, int column) const {
  if (row < 0 || row >= rows() || column < 0 || column >= columns()) {
    return absl::OutOfRangeError(absl::StrCat("postgres: no value at row ", row, ", column ",
                                              column, " (", rows(), " rows, ", columns(),
                                              " columns)"));
  }
  if (PQgetisnull(result_, row, column)) return ValueError(row, column, "NULL");
  return Text(row, column);
}

absl::StatusOr<int64_t> PgResult::Int64(int row, int column) const {
  ASSIGN_OR_RETURN(std::string text, CheckedText(row, column));
  int64_t value = 0;
  if (absl::SimpleAtoi(text, &value)) return value;
  return ValueError(row, column, absl::StrCat("\"", text, "\" is not a 64-bit integer"));
}

absl::StatusOr<double> PgResult::Double(int row, int column) const {
  ASSIGN_OR_RETURN(std::string text, CheckedText(row, column));
  double value = 0;
  if (absl::SimpleAtod(text, &value)) return value;
  return ValueError(row, column, absl::StrCat("\"", text, "\" is not a number"));
}

absl::StatusOr<std::string> PgResult::Bytes(int row, int column) const {
  ASSIGN_OR_RETURN(std::string text, CheckedText(row, column));
  if (PQftype(result_, column) != kByteaOid) {
    return ValueError(row, column,
                      absl::StrCat("not bytea (type oid ", PQftype(result_, column), ")"));
  }
  size_t length = 0;
  unsigned char* bytes =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(text.c_str()), &length);
  if (bytes == nullptr) return absl::ResourceExhaustedError("postgres: out of memory");
  std::string value(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return value;
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo) {
  // A malformed conninfo is the caller's mistake, not an unreachable server.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string message = parse_error != nullptr ? parse_error : "out of memory";
    PQfreemem(parse_error);
    return absl::InvalidArgumentError(
        absl::StrCat("postgres: cannot parse \"", Redacted(conninfo),
                     "\": ", RedactedMessage(OneLine(message), conninfo)));
  }
  PQconninfoFree(parsed);
  // The conninfo is expanded in place of dbname: its own settings override
  // the defaults before it.
  const char* const keywords[] = {"connect_timeout", "fallback_application_name", "dbname",
                                  nullptr};
  const char* const values[] = {kDefaultConnectTimeoutSeconds.data(), "gograder", conninfo.c_str(),
                                nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return absl::ResourceExhaustedError("postgres: out of memory");
  auto connection = std::unique_ptr<PgConnection>(new PgConnection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("postgres: cannot connect to \"", Redacted(conninfo),
                     "\": ", RedactedMessage(OneLine(PQerrorMessage(conn)), conninfo)));
  }
  // The server's notices (e.g. "table does not exist, skipping") would go to
  // stderr; nothing acts on them.
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return connection;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::connected() const { return PQstatus(conn_) == CONNECTION_OK; }

int PgConnection::backend_pid() const { return PQbackendPID(conn_); }

bool PgConnection::in_transaction() const {
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool PgConnection::in_failed_transaction() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

absl::Status PgConnection::CheckConnected() const {
  if (connected()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("postgres: the connection is lost (",
                                             OneLine(PQerrorMessage(conn_)), "); open a new one"));
}

absl::Status PgConnection::ResultStatus(pg_result* result, absl::string_view sql) const {
  ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return absl::OkStatus();
  }
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* detail =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL) : nullptr;
  std::string message = primary != nullptr ? primary : OneLine(PQerrorMessage(conn_));
  if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
    message = "COPY is not supported";
  }
  if (detail != nullptr) absl::StrAppend(&message, ": ", detail);
  absl::string_view sqlstate = state != nullptr ? state : "";
  if (!connected()) {
    return WithSqlState(
        absl::StatusCode::kUnavailable,
        absl::StrCat("postgres: ", Shown(sql), ": the connection is lost: ", OneLine(message)),
        sqlstate);
  }
  return WithSqlState(CodeFor(sqlstate), absl::StrCat("postgres: ", Shown(sql), ": ", message),
                      sqlstate);
}

absl::Status PgConnection::Exec(absl::string_view sql) {
  RETURN_IF_ERROR(CheckConnected());
  PgResult result(PQexec(conn_, std::string(sql).c_str()));
  return ResultStatus(result.result_, sql);
}

absl::StatusOr<PgResult> PgConnection::Query(absl::string_view sql,
                                             absl::Span<const PgParam> params) {
  RETURN_IF_ERROR(CheckConnected());
  std::vector<Oid> types;
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::optional<std::string>& value = params[i].value();
    if (value && !params[i].binary() && value->find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("postgres: ", Shown(sql), ": text parameter $", i + 1,
                       " has a NUL byte (send bytes with PgParam::Bytes)"));
    }
    types.push_back(params[i].type_oid());
    values.push_back(value ? value->c_str() : nullptr);
    lengths.push_back(value ? static_cast<int>(value->size()) : 0);
    formats.push_back(params[i].binary() ? 1 : 0);
  }
  PgResult result(PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(params.size()),
                               types.data(), values.data(), lengths.data(), formats.data(),
                               /*resultFormat=*/0));
  RETURN_IF_ERROR(ResultStatus(result.result_, sql));
  return result;
}

absl::Status PgConnection::Listen(absl::string_view channel) {
  RETURN_IF_ERROR(CheckConnected());
  char* quoted = PQescapeIdentifier(conn_, channel.data(), channel.size());
  if (quoted == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("postgres: LISTEN: bad channel name: ", OneLine(PQerrorMessage(conn_))));
  }
  std::string sql = absl::StrCat("LISTEN ", quoted);
  PQfreemem(quoted);
  return Exec(sql);
}

absl::Status PgConnection::Notify(absl::string_view channel, absl::string_view payload) {
  return Query("SELECT pg_notify($1, $2)", {PgParam::Text(channel), PgParam::Text(payload)})
      .status();
}

void PgConnection::TakeNotifications(std::vector<PgNotification>& out) {
  while (PGnotify* notify = PQnotifies(conn_)) {
    out.push_back(PgNotification{notify->relname, notify->extra, notify->be_pid});
    PQfreemem(notify);
  }
}

absl::StatusOr<std::vector<PgNotification>> PgConnection::WaitForNotification(
    absl::Duration timeout) {
  RETURN_IF_ERROR(CheckConnected());
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<PgNotification> received;
  while (true) {
    // Reads whatever the server sent (notifications, or the end of the
    // connection) without blocking.
    if (!PQconsumeInput(conn_)) {
      return absl::UnavailableError(
          absl::StrCat("postgres: waiting for notifications: the connection is lost: ",
                       OneLine(PQerrorMessage(conn_))));
    }
    TakeNotifications(received);
    absl::Duration left = deadline - absl::Now();
    if (!received.empty() || left <= absl::ZeroDuration()) return received;
    pollfd socket = {PQsocket(conn_), POLLIN, 0};
    if (socket.fd < 0) return CheckConnected();
    int ms =
        static_cast<int>(std::min<double>(std::ceil(absl::ToDoubleMilliseconds(left)), INT_MAX));
    if (poll(&socket, 1, ms) < 0 && errno != EINTR) return ErrnoStatus("postgres: poll");
  }
}

absl::StatusOr<std::unique_ptr<PgTransaction>> PgTransaction::Begin(PgConnection& connection,
                                                                    Isolation isolation) {
  if (connection.in_transaction()) {
    return absl::FailedPreconditionError(
        "postgres: BEGIN: the connection is in a transaction already");
  }
  const char* sql = "BEGIN ISOLATION LEVEL READ COMMITTED";
  if (isolation == Isolation::kRepeatableRead) sql = "BEGIN ISOLATION LEVEL REPEATABLE READ";
  if (isolation == Isolation::kSerializable) sql = "BEGIN ISOLATION LEVEL SERIALIZABLE";
  RETURN_IF_ERROR(connection.Exec(sql));
  return std::unique_ptr<PgTransaction>(new PgTransaction(connection));
}

PgTransaction::~PgTransaction() {
  // Nothing to report to; a lost connection has rolled back by itself.
  if (open_ && connection_.connected() && connection_.in_transaction()) {
    connection_.Exec("ROLLBACK").IgnoreError();
  }
}

absl::Status PgTransaction::Commit() {
  if (!open_) return absl::FailedPreconditionError("postgres: COMMIT: the transaction has ended");
  open_ = false;
  // COMMIT of a failed transaction "succeeds" as a ROLLBACK: say what it is.
  if (connection_.in_failed_transaction()) {
    connection_.Exec("ROLLBACK").IgnoreError();
    return absl::AbortedError(
        "postgres: COMMIT: a statement of the transaction failed; it was rolled back");
  }
  return connection_.Exec("COMMIT");
}

}  // namespace gograder::store
