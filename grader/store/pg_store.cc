// The PostgreSQL implementation of Store: several daemons (nodes) share one
// queue in one database.
//
// Theory of operation. Every Store call takes a connection from a small pool
// (pg_pool.h) and runs one transaction on it: READ COMMITTED with explicit
// row locks for writes, REPEATABLE READ (one snapshot) for reads of several
// statements; a serialization failure or deadlock runs it again from the
// start. Every time is the database's (clock_timestamp()), so nodes whose
// clocks disagree still agree on leases and on the hourly limits.
//
// Schema: versioned migrations (kMigrations), each recorded as a row of
// schema_version, applied in one transaction that holds
// pg_advisory_xact_lock(kMigrationLock): nodes starting together wait for the
// first, then find nothing left to do.
//
// Insert packs the module at files_dir into a deterministic tar
// (module_tar.h) before its transaction and stores it in blobs under its
// SHA-256 (ON CONFLICT DO NOTHING: equal modules share one row); the
// submission keeps the digest (files_digest). The QueueLimits are checked
// under transaction-scoped advisory locks (the whole queue's when its limit
// applies, then the course's when a course or student limit does), so
// concurrent inserts on any nodes cannot both pass a limit. Two inserts of
// one idempotency key: the second fails on the unique index and runs again,
// finding the first.
//
// Claims. ClaimNext takes the row lock of queue_turn, the counter of claim
// turns (UPDATE ... RETURNING): claims of all nodes take their turns one
// after another (a claim takes milliseconds, a grading seconds), and each
// sees the turns of every claim before it, so the round robin is exact. One
// query then orders the queued rows of a class (interactive, then batch) the
// way the round robin serves them - the course served least recently
// (course_turns; never served first, then by its oldest submission), its
// student served least recently (student_turns), that student's oldest
// (queue_seq) - and locks the first with FOR UPDATE OF s SKIP LOCKED: a row
// another transaction holds (a cancel under way) is passed over, never waited
// for, and no two claims ever take one row. With neither class queued, the
// pending regrade item with the lowest queue_seq is claimed the same way. The
// turn tables are per class, so a class's order does not depend on the
// other's claims. A claim sets node_id, lease_expires = now + lease and
// claim = claim + 1; the claim number is the fencing token that RenewLease
// (with the node id), Finish and FinishRegrade check (with the state) under
// the row's lock.
//
// Leases. ReapExpiredLeases locks the running rows and items whose lease
// expired, SKIP LOCKED, so reapers on several nodes share the work. A reaped
// claim counts in `attempts`: below max_attempts it is queued again (keeping
// queue_seq: the front of its student's line), at max_attempts it is DONE
// with a GRADING_FAILED report (current unless a GRADED one is), or the item
// failed. RecoverAfterCrash requeues only this node's claims (node_id).
//
// Files. A claim (after its transaction committed) and FilesDir return
// options.files_cache_dir/<digest>, unpacked from the blob on first use
// (module_tar.h: checked against the digest, hostile entries refused, moved
// into place atomically). Files that cannot be unpacked on any node end
// their claim with a GRADING_FAILED report.
//
// News. Every change a listener hears of sends pg_notify(kNewsChannel,
// '<kind>:<submission id>') inside its transaction, so every node hears it
// at commit and never of a rolled back change. SetNewsListener starts a
// PgListener; after a lost connection it reports one kQueued, since news may
// have been missed.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/status_macros.h"
#include "grader/core/files/digest.h"
#include "grader/store/fair_queue.h"
#include "grader/store/module_tar.h"
#include "grader/store/pg_db.h"
#include "grader/store/pg_listener.h"
#include "grader/store/pg_pool.h"
#include "grader/store/store.h"
#include "grader/store/store_internal.h"
#include "proto/gograder/v1/api.pb.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store {
namespace {

using gograder::v1::GradeReport;
using Isolation = PgTransaction::Isolation;
using internal::kItemDropped;
using internal::kItemFailed;
using internal::kItemGraded;
using internal::kItemPending;
using internal::kItemRunning;
using internal::Line;
using internal::Outcome;
using internal::OutcomeOf;
using internal::ReasonToKeepCurrent;
using internal::RegradeNotFound;
using internal::SubmissionNotFound;

// Schema migrations: kMigrations[i] takes the schema from version i to i+1.
// Append new ones; never edit one that has shipped.
constexpr const char* kMigrations[] = {
    // 1: everything of store.h's schema version 4 for SQLite, plus leases,
    // batch work, and the files in the database.
    R"sql(
-- Orders the queue: taken by a submission when it is queued (insert,
-- requeue) and by each regrade item, so a regrade report's claim,
-- -queue_seq, is unique too.
CREATE SEQUENCE queue_seq;

-- Submission files: a deterministic tar (module_tar.h) under its SHA-256.
CREATE TABLE blobs (
  digest text PRIMARY KEY,  -- 64 hex digits
  bytes  bytea NOT NULL
);

CREATE TABLE submissions (
  id              text PRIMARY KEY,       -- 32 hex digits: ms timestamp + 80 random bits
  exercise_id     text NOT NULL,
  course_id       text NOT NULL,
  student_id      text NOT NULL,
  attempt_id      text NOT NULL,
  idempotency_key text,                   -- NULL when the client sent none
  digest          text NOT NULL,          -- sha256 of the files (the tree's, from intake)
  files_digest    text NOT NULL REFERENCES blobs (digest),
  intake_notes    text NOT NULL DEFAULT '',  -- one per line
  batch           boolean NOT NULL DEFAULT false,
  state           smallint NOT NULL CHECK (state BETWEEN 1 AND 4),  -- Submission.State
  submitted_at    timestamptz NOT NULL,
  finished_at     timestamptz,
  regrades        integer NOT NULL DEFAULT 0,
  claim           bigint NOT NULL DEFAULT 0,   -- number of the latest claim
  attempts        integer NOT NULL DEFAULT 0,  -- claims reaped since it was queued
  node_id         text,                        -- the node of the running claim
  lease_expires   timestamptz,                 -- of the running claim
  queue_seq       bigint NOT NULL,
  current_report  bigint,                      -- reports.id; NULL = none yet
  events          bigint NOT NULL DEFAULT 0    -- sequence of the latest event
);
CREATE UNIQUE INDEX submissions_by_idempotency_key
  ON submissions (course_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX submissions_queued
  ON submissions (batch, course_id, student_id, queue_seq) WHERE state = 1;
CREATE INDEX submissions_running ON submissions (lease_expires) WHERE state = 2;
CREATE INDEX submissions_by_time ON submissions (submitted_at, id);
CREATE INDEX submissions_by_course ON submissions (course_id, submitted_at, id);
CREATE INDEX submissions_by_exercise ON submissions (exercise_id, submitted_at, id);
CREATE INDEX submissions_by_student ON submissions (student_id, submitted_at, id);
CREATE INDEX submissions_by_course_student ON submissions (course_id, student_id, submitted_at);

-- One row per grading; submissions.current_report names the one Get returns.
CREATE TABLE reports (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  submission_id text NOT NULL REFERENCES submissions (id),
  claim         bigint NOT NULL,            -- a regrade's: -(its item's queue_seq)
  created_at    timestamptz NOT NULL,
  report        bytea NOT NULL,             -- serialized gograder.v1.GradeReport
  status        smallint NOT NULL,          -- GradeReport.Status
  score         double precision NOT NULL,
  UNIQUE (submission_id, claim)
);
ALTER TABLE submissions ADD FOREIGN KEY (current_report) REFERENCES reports (id);

CREATE TABLE events (
  submission_id text NOT NULL REFERENCES submissions (id),
  sequence      bigint NOT NULL,            -- 1, 2, ... per submission
  event         bytea NOT NULL,             -- serialized gograder.v1.WatchEvent
  PRIMARY KEY (submission_id, sequence)
);

-- Fair queueing: the turn counter every claim takes its turn from (its row
-- lock orders the claims), and the turn of the latest claim of each course
-- and of each student of a course, per class of work.
CREATE TABLE queue_turn (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  turn     bigint NOT NULL
);
INSERT INTO queue_turn (turn) VALUES (0);
CREATE TABLE course_turns (
  batch     boolean NOT NULL,
  course_id text NOT NULL,
  turn      bigint NOT NULL,
  PRIMARY KEY (batch, course_id)
);
CREATE TABLE student_turns (
  batch      boolean NOT NULL,
  course_id  text NOT NULL,
  student_id text NOT NULL,
  turn       bigint NOT NULL,
  PRIMARY KEY (batch, course_id, student_id)
);

CREATE TABLE regrades (
  id            text PRIMARY KEY,           -- "rg-" and 32 hex digits
  exercise_id   text NOT NULL,
  course_id     text NOT NULL,              -- '' = every course
  scope         text NOT NULL,
  dry_run       boolean NOT NULL,
  keep_max      boolean NOT NULL,
  rubric_digest text NOT NULL,
  created_at    timestamptz NOT NULL,
  reverted      boolean NOT NULL DEFAULT false
);
CREATE TABLE regrade_items (
  regrade_id    text NOT NULL REFERENCES regrades (id),
  submission_id text NOT NULL REFERENCES submissions (id),
  position      integer NOT NULL,           -- 0, 1, ... as the regrade was started
  state         smallint NOT NULL CHECK (state BETWEEN 0 AND 4),  -- ItemState
  claim         bigint NOT NULL DEFAULT 0,
  attempts      integer NOT NULL DEFAULT 0,
  node_id       text,
  lease_expires timestamptz,
  before_report bigint REFERENCES reports (id),  -- current at the start
  new_report    bigint REFERENCES reports (id),  -- the regrade's
  applied       boolean NOT NULL DEFAULT false,  -- new_report became current
  note          text NOT NULL DEFAULT '',        -- why it was not applied
  queue_seq     bigint NOT NULL,
  PRIMARY KEY (regrade_id, submission_id)
);
CREATE UNIQUE INDEX regrade_items_by_queue_seq ON regrade_items (queue_seq);
CREATE INDEX regrade_items_pending ON regrade_items (queue_seq) WHERE state = 0;
CREATE INDEX regrade_items_running ON regrade_items (lease_expires) WHERE state = 1;
CREATE INDEX regrade_items_by_position ON regrade_items (regrade_id, position);
)sql",
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

// The SQL writes "state = 1" (queued) and "state = 2" (running) as literals
// where the partial indexes must apply.
static_assert(Submission::QUEUED == 1 && Submission::RUNNING == 2);

// The SQL writes "state = 0" (pending) and "state = 1" (running) of
// regrade_items as literals where the partial indexes must apply.
static_assert(internal::kItemPending == 0 && internal::kItemRunning == 1);

// Advisory locks: the migration's (one 64-bit key), and the two-key ones of
// Insert's limits (the two key spaces never collide).
constexpr int64_t kMigrationLock = 0x67677261646572;  // "ggrader"
constexpr int kQueueLimitLockClass = 0x6767;          // (class, 0): the whole queue
constexpr int kCourseLimitLockClass = 0x6768;         // (class, hashtext(course_id))

constexpr char kNewsChannel[] = "gograder_news";
constexpr absl::string_view kNewsQueued = "queued";
constexpr absl::string_view kNewsCancelled = "cancelled";
constexpr absl::string_view kNewsEvent = "event";

// How long a connection may sit idle inside a transaction (a stalled node's
// claim must not hold the turn counter), and wait for a lock.
constexpr char kIdleInTransactionTimeout[] = "60s";
constexpr char kLockTimeout[] = "30s";

// The SQL of an RFC 3339 UTC text (microseconds, fixed width) of a
// timestamptz expression; NULL stays NULL.
std::string TimeText(absl::string_view expression) {
  return absl::StrCat("to_char(", expression,
                      " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
}

// The SQL of a timestamptz expression as Unix microseconds, and back.
std::string Micros(absl::string_view expression) {
  return absl::StrCat("(extract(epoch FROM ", expression, ") * 1000000)::bigint");
}
std::string FromMicros(absl::string_view parameter) {
  return absl::StrCat("(timestamptz 'epoch' + ", parameter, "::bigint * interval '1 microsecond')");
}

// The submissions columns ReadRow reads, in its order, of `s`.
std::string Columns() {
  return absl::StrCat(
      "s.id, s.exercise_id, s.course_id, s.student_id, s.attempt_id, s.state, ",
      TimeText("s.submitted_at"), ", ", TimeText("s.finished_at"),
      ", s.digest, s.regrades, s.files_digest, s.claim, s.queue_seq, s.intake_notes, "
      "s.current_report, s.batch, s.attempts, s.node_id");
}
constexpr int kColumnCount = 18;

// Parameters of the types PgParam leaves to the server to infer: a boolean,
// a double (exactly, 17 digits), an integer or NULL.
PgParam Bool(bool value) { return PgParam::Text(value ? "true" : "false"); }
PgParam Double(double value) { return PgParam::Text(absl::StrFormat("%.17g", value)); }
PgParam OptionalInt(std::optional<int64_t> value) {
  return value.has_value() ? PgParam::Int(*value) : PgParam::Null();
}

// A boolean value (text "t" or "f"), and an integer that may be NULL.
bool BoolAt(const PgResult& result, int row, int column) { return result.Text(row, column) == "t"; }

absl::StatusOr<std::optional<int64_t>> OptionalIntAt(const PgResult& result, int row, int column) {
  if (result.IsNull(row, column)) return std::nullopt;
  return result.Int64(row, column);
}

// A submissions row: the proto plus what only the store sees.
struct Row {
  Submission submission;
  std::string files_digest;
  int64_t claim = 0;
  int64_t queue_seq = 0;
  std::vector<std::string> intake_notes;
  std::optional<int64_t> current_report;  // reports.id
  bool batch = false;
  int64_t attempts = 0;
  std::string node_id;  // of the running claim; '' when not running
};

// Row `i` of a result of Columns().
absl::StatusOr<Row> ReadRow(const PgResult& result, int i) {
  Row row;
  Submission& s = row.submission;
  s.set_submission_id(result.Text(i, 0));
  s.set_exercise_id(result.Text(i, 1));
  s.set_course_id(result.Text(i, 2));
  s.set_student_id(result.Text(i, 3));
  s.set_attempt_id(result.Text(i, 4));
  ASSIGN_OR_RETURN(int64_t state, result.Int64(i, 5));
  s.set_state(static_cast<Submission::State>(state));
  s.set_submitted_at(result.Text(i, 6));
  s.set_finished_at(result.Text(i, 7));
  s.set_submission_digest(result.Text(i, 8));
  ASSIGN_OR_RETURN(int64_t regrades, result.Int64(i, 9));
  s.set_regrades(static_cast<int32_t>(regrades));
  row.files_digest = result.Text(i, 10);
  ASSIGN_OR_RETURN(row.claim, result.Int64(i, 11));
  ASSIGN_OR_RETURN(row.queue_seq, result.Int64(i, 12));
  row.intake_notes = absl::StrSplit(result.Text(i, 13), '\n', absl::SkipEmpty());
  ASSIGN_OR_RETURN(row.current_report, OptionalIntAt(result, i, 14));
  row.batch = BoolAt(result, i, 15);
  ASSIGN_OR_RETURN(row.attempts, result.Int64(i, 16));
  row.node_id = result.Text(i, 17);
  return row;
}

// Parses the serialized report in column `column` of `result`'s row `i`
// into the report of `submission` (left unset when the column is NULL).
absl::Status ReadReport(const PgResult& result, int i, int column, Submission& submission) {
  if (result.IsNull(i, column)) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string bytes, result.Bytes(i, column));
  if (submission.mutable_report()->ParseFromString(bytes)) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("the current report of submission '", result.Text(i, 0), "' does not parse"));
}

// The lines of a result of (key, queued count) rows, in its order.
absl::StatusOr<std::vector<Line>> ReadLines(const PgResult& result) {
  std::vector<Line> lines;
  for (int i = 0; i < result.rows(); ++i) {
    ASSIGN_OR_RETURN(int64_t queued, result.Int64(i, 1));
    lines.push_back(Line{result.Text(i, 0), queued});
  }
  return lines;
}

// The one integer `sql` returns.
absl::StatusOr<int64_t> QueryInt(PgConnection& db, absl::string_view sql,
                                 absl::Span<const PgParam> params = {}) {
  ASSIGN_OR_RETURN(PgResult result, db.Query(sql, params));
  return result.Int64(0, 0);
}

// Sends "<kind>:<submission id>" to every node at commit.
absl::Status Notify(PgConnection& db, absl::string_view kind, absl::string_view submission_id) {
  return db.Notify(kNewsChannel, absl::StrCat(kind, ":", submission_id));
}

// The news of a notification's payload; nullopt for one of another kind.
std::optional<News> ParseNews(absl::string_view payload) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(payload, absl::MaxSplits(':', 1));
  News news;
  news.submission_id = std::string(parts.second);
  if (parts.first == kNewsQueued) {
    news.kind = News::Kind::kQueued;
  } else if (parts.first == kNewsCancelled) {
    news.kind = News::Kind::kCancelled;
  } else if (parts.first == kNewsEvent) {
    news.kind = News::Kind::kEvent;
  } else {
    return std::nullopt;
  }
  return news;
}

// NotFound: regrade `regrade_id` has no item of `submission_id`.
absl::Status NoSuchItem(const std::string& regrade_id, const std::string& submission_id) {
  return absl::NotFoundError(
      absl::StrCat("regrade '", regrade_id, "' has no submission '", submission_id, "'"));
}

// FailedPrecondition: `claim` of `row` is not current.
absl::Status ClaimNotCurrent(const Row& row, int64_t claim) {
  return absl::FailedPreconditionError(absl::StrCat(
      "submission '", row.submission.submission_id(), "': claim ", claim,
      " is not current (the submission is ", Submission::State_Name(row.submission.state()),
      ", latest claim ", row.claim, ")"));
}

// What "<hostname>-<pid>" names this process.
std::string DefaultNodeId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    return absl::StrCat("node-", getpid());
  }
  return absl::StrCat(host, "-", getpid());
}

// A claim taken in a transaction, and the files it needs once committed.
struct Taken {
  Claim claim;
  std::string files_digest;
};

class PostgresStore : public Store {
 public:
  PostgresStore(std::string conninfo, StoreOptions options, std::unique_ptr<PgPool> pool)
      : conninfo_(std::move(conninfo)), options_(std::move(options)), pool_(std::move(pool)) {}

  ~PostgresStore() override {
    absl::MutexLock lock(&listener_mu_);
    listener_.reset();  // stops its thread before anything it uses goes
  }

  // Creates the schema or brings it to kSchemaVersion, once across nodes.
  absl::Status Migrate() {
    return Write([&](PgConnection& db) -> absl::Status {
      RETURN_IF_ERROR(
          db.Query("SELECT pg_advisory_xact_lock($1)", {PgParam::Int(kMigrationLock)}).status());
      ASSIGN_OR_RETURN(PgResult exists, db.Query("SELECT to_regclass('schema_version') IS NULL"));
      if (BoolAt(exists, 0, 0)) {
        RETURN_IF_ERROR(
            db.Exec("CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at "
                    "timestamptz NOT NULL DEFAULT clock_timestamp(), node_id text NOT NULL)"));
      }
      ASSIGN_OR_RETURN(int64_t version,
                       QueryInt(db, "SELECT COALESCE(max(version), 0) FROM schema_version"));
      if (version > kSchemaVersion) {
        return absl::FailedPreconditionError(absl::StrCat("postgres: schema version ", version,
                                                          " is newer than this program's (",
                                                          kSchemaVersion, ")"));
      }
      for (; version < kSchemaVersion; ++version) {
        RETURN_IF_ERROR(db.Exec(kMigrations[version]));
        RETURN_IF_ERROR(db.Query("INSERT INTO schema_version (version, node_id) VALUES ($1, $2)",
                                 {PgParam::Int(version + 1), PgParam::Text(options_.node_id)})
                            .status());
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<InsertOutcome> Insert(const NewSubmission& submission,
                                       const QueueLimits& limits) override {
    if (submission.exercise_id.empty()) return absl::InvalidArgumentError("exercise_id is empty");
    if (submission.files_dir.empty()) return absl::InvalidArgumentError("files_dir is empty");
    ASSIGN_OR_RETURN(std::string tar, PackModule(submission.files_dir));
    const std::string files_digest = core::Sha256Hex(tar);
    const std::string id = NewId();
    auto insert = [&](PgConnection& db) -> absl::StatusOr<InsertOutcome> {
      // A retry of an accepted submission succeeds even when the queue is full.
      if (!submission.idempotency_key.empty()) {
        ASSIGN_OR_RETURN(PgResult earlier,
                         db.Query(absl::StrCat("SELECT ", Columns(),
                                               " FROM submissions AS s WHERE s.course_id = $1 "
                                               "AND s.idempotency_key = $2"),
                                  {PgParam::Text(submission.course_id),
                                   PgParam::Text(submission.idempotency_key)}));
        if (earlier.rows() > 0) {
          ASSIGN_OR_RETURN(Row row, ReadRow(earlier, 0));
          InsertOutcome outcome;
          outcome.duplicate = true;
          ASSIGN_OR_RETURN(outcome.queue_position, PositionOf(db, row));
          outcome.submission = std::move(row.submission);
          return outcome;
        }
      }
      RETURN_IF_ERROR(LockForLimits(db, submission.course_id, limits));
      RETURN_IF_ERROR(CheckLimits(db, submission, limits));
      RETURN_IF_ERROR(db.Query("INSERT INTO blobs (digest, bytes) VALUES ($1, $2) ON CONFLICT "
                               "DO NOTHING",
                               {PgParam::Text(files_digest), PgParam::Bytes(tar)})
                          .status());
      ASSIGN_OR_RETURN(
          PgResult inserted,
          db.Query(absl::StrCat("INSERT INTO submissions AS s (id, exercise_id, course_id, "
                                "student_id, attempt_id, idempotency_key, digest, files_digest, "
                                "intake_notes, batch, state, submitted_at, queue_seq) VALUES ($1, "
                                "$2, $3, $4, $5, $6, $7, $8, $9, $10, 1, clock_timestamp(), "
                                "nextval('queue_seq')) RETURNING ",
                                Columns()),
                   {PgParam::Text(id), PgParam::Text(submission.exercise_id),
                    PgParam::Text(submission.course_id), PgParam::Text(submission.student_id),
                    PgParam::Text(submission.attempt_id),
                    submission.idempotency_key.empty() ? PgParam::Null()
                                                       : PgParam::Text(submission.idempotency_key),
                    PgParam::Text(submission.digest), PgParam::Text(files_digest),
                    PgParam::Text(absl::StrJoin(submission.intake_notes, "\n")),
                    Bool(submission.batch)}));
      ASSIGN_OR_RETURN(Row row, ReadRow(inserted, 0));
      RETURN_IF_ERROR(Notify(db, kNewsQueued, id));
      InsertOutcome outcome;
      ASSIGN_OR_RETURN(outcome.queue_position, PositionOf(db, row));
      outcome.submission = std::move(row.submission);
      return outcome;
    };
    absl::StatusOr<InsertOutcome> outcome = Write(insert);
    // The same key was inserted at the same time (on any node) and won: this
    // is now its duplicate.
    if (!submission.idempotency_key.empty() && IsUniqueViolation(outcome.status())) {
      outcome = Write(insert);
    }
    return outcome;
  }

  absl::StatusOr<Submission> Get(const std::string& submission_id) override {
    return Read([&](PgConnection& db) -> absl::StatusOr<Submission> {
      ASSIGN_OR_RETURN(std::vector<Submission> found,
                       LoadWithReports(db, "s.id = $1", {PgParam::Text(submission_id)}));
      if (found.empty()) return SubmissionNotFound(submission_id);
      return std::move(found.front());
    });
  }

  absl::StatusOr<ListPage> List(const ListFilter& filter) override {
    const int page_size = internal::PageSize(filter.page_size);
    std::optional<std::pair<std::string, std::string>> after;
    if (!filter.page_token.empty()) {
      ASSIGN_OR_RETURN(after, internal::DecodePageToken(filter.page_token));
    }
    std::vector<std::string> conditions;
    std::vector<PgParam> params;
    auto add = [&](absl::string_view column, const std::string& value) {
      if (value.empty()) return;
      params.push_back(PgParam::Text(value));
      conditions.push_back(absl::StrCat(column, " = $", params.size()));
    };
    add("s.course_id", filter.course_id);
    add("s.exercise_id", filter.exercise_id);
    add("s.student_id", filter.student_id);
    if (after.has_value()) {
      params.push_back(PgParam::Text(after->first));
      params.push_back(PgParam::Text(after->second));
      conditions.push_back(absl::StrCat("(s.submitted_at, s.id) < ($", params.size() - 1,
                                        "::timestamptz, $", params.size(), ")"));
    }
    params.push_back(PgParam::Int(page_size + 1));  // one more tells whether a next page exists
    std::string sql = absl::StrCat("SELECT ", Columns(), " FROM submissions AS s");
    if (!conditions.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(conditions, " AND "));
    absl::StrAppend(&sql, " ORDER BY s.submitted_at DESC, s.id DESC LIMIT $", params.size());

    absl::StatusOr<ListPage> page = Read([&](PgConnection& db) -> absl::StatusOr<ListPage> {
      ASSIGN_OR_RETURN(PgResult result, db.Query(sql, params));
      ListPage page;
      for (int i = 0; i < result.rows(); ++i) {
        if (static_cast<int>(page.submissions.size()) == page_size) {
          page.next_page_token = internal::EncodePageToken(page.submissions.back());
          break;
        }
        ASSIGN_OR_RETURN(Row row, ReadRow(result, i));
        page.submissions.push_back(std::move(row.submission));
      }
      return page;
    });
    // A token whose time does not parse is the caller's mistake.
    if (after.has_value() && absl::IsInvalidArgument(page.status())) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid page token '", filter.page_token, "'"));
    }
    return page;
  }

  absl::StatusOr<std::optional<Claim>> ClaimNext() override {
    ASSIGN_OR_RETURN(std::optional<Taken> taken,
                     Write([&](PgConnection& db) { return TakeNext(db); }));
    if (!taken.has_value()) return std::nullopt;
    Claim& claim = taken->claim;
    absl::StatusOr<std::string> dir = ModuleDir(taken->files_digest);
    if (dir.ok()) {
      claim.files_dir = *std::move(dir);
      return std::move(claim);
    }
    // A transient failure (the database, this node's disk) leaves the claim
    // to the reaper; files that no node can unpack end it here.
    if (!absl::IsInvalidArgument(dir.status()) && !absl::IsDataLoss(dir.status())) {
      return dir.status();
    }
    return EndClaimWithUnusableFiles(claim, dir.status());
  }

  absl::Status Finish(const std::string& submission_id, int64_t claim,
                      const GradeReport& report) override {
    return Write([&](PgConnection& db) -> absl::Status {
      ASSIGN_OR_RETURN(Row row, LoadForUpdate(db, submission_id));
      if (row.submission.state() != Submission::RUNNING || row.claim != claim) {
        return ClaimNotCurrent(row, claim);
      }
      return FinishRow(db, row, report);
    });
  }

  absl::StatusOr<Submission> Cancel(const std::string& submission_id) override {
    return Write([&](PgConnection& db) -> absl::StatusOr<Submission> {
      ASSIGN_OR_RETURN(Row row, LoadForUpdate(db, submission_id));
      Submission::State state = row.submission.state();
      if (state == Submission::QUEUED || state == Submission::RUNNING) {
        RETURN_IF_ERROR(
            db.Query("UPDATE submissions SET state = $2, finished_at = "
                     "clock_timestamp(), node_id = NULL, lease_expires = NULL "
                     "WHERE id = $1",
                     {PgParam::Text(submission_id), PgParam::Int(Submission::CANCELLED)})
                .status());
        RETURN_IF_ERROR(Notify(db, kNewsCancelled, submission_id));
      }
      ASSIGN_OR_RETURN(std::vector<Submission> found,
                       LoadWithReports(db, "s.id = $1", {PgParam::Text(submission_id)}));
      if (found.empty()) return SubmissionNotFound(submission_id);
      return std::move(found.front());
    });
  }

  absl::StatusOr<InsertOutcome> Requeue(const std::string& submission_id) override {
    return Write([&](PgConnection& db) -> absl::StatusOr<InsertOutcome> {
      ASSIGN_OR_RETURN(Row row, LoadForUpdate(db, submission_id));
      Submission& s = row.submission;
      if (s.state() == Submission::QUEUED || s.state() == Submission::RUNNING) {
        return absl::FailedPreconditionError(
            absl::StrCat("submission '", submission_id, "' is already ",
                         s.state() == Submission::QUEUED ? "queued" : "being graded"));
      }
      ASSIGN_OR_RETURN(row.queue_seq,
                       QueryInt(db,
                                "UPDATE submissions SET state = 1, regrades = regrades + 1, "
                                "finished_at = NULL, attempts = 0, queue_seq = "
                                "nextval('queue_seq') WHERE id = $1 RETURNING queue_seq",
                                {PgParam::Text(submission_id)}));
      RETURN_IF_ERROR(Notify(db, kNewsQueued, submission_id));
      s.set_state(Submission::QUEUED);
      s.set_regrades(s.regrades() + 1);
      s.clear_finished_at();
      InsertOutcome outcome;
      ASSIGN_OR_RETURN(outcome.queue_position, PositionOf(db, row));
      outcome.submission = std::move(s);
      return outcome;
    });
  }

  absl::StatusOr<int> RecoverAfterCrash() override {
    return Write([&](PgConnection& db) -> absl::StatusOr<int> {
      // The claim numbers stay: the next claim increments them, so a worker
      // still holding an interrupted claim cannot finish.
      int64_t recovered = 0;
      for (const char* sql :
           {"UPDATE submissions SET state = 1, node_id = NULL, lease_expires = NULL WHERE "
            "state = 2 AND node_id = $1",
            "UPDATE regrade_items SET state = 0, node_id = NULL, lease_expires = NULL WHERE "
            "state = 1 AND node_id = $1"}) {
        ASSIGN_OR_RETURN(PgResult updated, db.Query(sql, {PgParam::Text(options_.node_id)}));
        recovered += updated.affected_rows();
      }
      if (recovered > 0) RETURN_IF_ERROR(Notify(db, kNewsQueued, ""));
      return static_cast<int>(recovered);
    });
  }

  // The row is locked and checked first, so a refusal says why (see
  // internal::CheckClaimCurrent) of the row as the renewal found it.
  absl::Status RenewLease(const Claim& claim) override {
    const std::string& id = claim.submission.submission_id();
    return Write([&](PgConnection& db) -> absl::Status {
      if (claim.regrade_id.empty()) {
        ASSIGN_OR_RETURN(Row row, LoadForUpdate(db, id));
        Submission::State state = row.submission.state();
        RETURN_IF_ERROR(internal::CheckClaimCurrent(
            absl::StrCat("submission '", id, "'"), claim.claim, state == Submission::RUNNING,
            internal::SubmissionStateWords(state), row.claim, row.node_id, options_.node_id));
        return db
            .Query(absl::StrCat("UPDATE submissions SET lease_expires = ", LeaseEnd("$2"),
                                " WHERE id = $1"),
                   {PgParam::Text(id), LeaseMicros()})
            .status();
      }
      std::string what = absl::StrCat("regrade '", claim.regrade_id, "' of submission '", id, "'");
      ASSIGN_OR_RETURN(PgResult item,
                       db.Query("SELECT state, claim, node_id FROM regrade_items WHERE "
                                "regrade_id = $1 AND submission_id = $2 FOR UPDATE",
                                {PgParam::Text(claim.regrade_id), PgParam::Text(id)}));
      if (item.rows() == 0) return absl::NotFoundError(absl::StrCat(what, " not found"));
      ASSIGN_OR_RETURN(int64_t state, item.Int64(0, 0));
      ASSIGN_OR_RETURN(int64_t latest, item.Int64(0, 1));
      RETURN_IF_ERROR(internal::CheckClaimCurrent(what, claim.claim, state == kItemRunning,
                                                  internal::ItemStateWords(state), latest,
                                                  item.Text(0, 2), options_.node_id));
      return db
          .Query(absl::StrCat("UPDATE regrade_items SET lease_expires = ", LeaseEnd("$3"),
                              " WHERE regrade_id = $1 AND submission_id = $2"),
                 {PgParam::Text(claim.regrade_id), PgParam::Text(id), LeaseMicros()})
          .status();
    });
  }

  absl::StatusOr<Reaped> ReapExpiredLeases() override {
    return Write([&](PgConnection& db) -> absl::StatusOr<Reaped> {
      Reaped reaped;
      ASSIGN_OR_RETURN(PgResult expired,
                       db.Query(absl::StrCat("SELECT ", Columns(),
                                             " FROM submissions AS s WHERE s.state = 2 AND "
                                             "s.lease_expires < clock_timestamp() ORDER BY "
                                             "s.queue_seq FOR UPDATE SKIP LOCKED")));
      for (int i = 0; i < expired.rows(); ++i) {
        ASSIGN_OR_RETURN(Row row, ReadRow(expired, i));
        const std::string& id = row.submission.submission_id();
        const int64_t attempts = row.attempts + 1;
        RETURN_IF_ERROR(db.Query("UPDATE submissions SET attempts = $2 WHERE id = $1",
                                 {PgParam::Text(id), PgParam::Int(attempts)})
                            .status());
        if (attempts >= options_.max_attempts) {
          GradeReport failed;
          failed.set_status(GradeReport::GRADING_FAILED);
          failed.set_exercise_id(row.submission.exercise_id());
          failed.set_submission_digest(row.submission.submission_digest());
          failed.set_error(internal::LostGradingError(attempts, row.node_id));
          RETURN_IF_ERROR(FinishRow(db, row, failed));
          reaped.failed.push_back(id);
        } else {
          RETURN_IF_ERROR(db.Query("UPDATE submissions SET state = 1, node_id = NULL, "
                                   "lease_expires = NULL WHERE id = $1",
                                   {PgParam::Text(id)})
                              .status());
          // Its claim took its course's and student's turns; a lost grading
          // should not wait a whole round again: next in line.
          RETURN_IF_ERROR(db.Query("UPDATE course_turns SET turn = 0 WHERE course_id = $1 AND "
                                   "batch = (SELECT batch FROM submissions WHERE id = $2)",
                                   {PgParam::Text(row.submission.course_id()), PgParam::Text(id)})
                              .status());
          RETURN_IF_ERROR(db.Query("UPDATE student_turns SET turn = 0 WHERE course_id = $1 AND "
                                   "student_id = $2 AND batch = (SELECT batch FROM submissions "
                                   "WHERE id = $3)",
                                   {PgParam::Text(row.submission.course_id()),
                                    PgParam::Text(row.submission.student_id()), PgParam::Text(id)})
                              .status());
          RETURN_IF_ERROR(Notify(db, kNewsQueued, id));
          reaped.requeued.push_back(id);
        }
      }
      ASSIGN_OR_RETURN(
          PgResult items,
          db.Query("SELECT regrade_id, submission_id, attempts, node_id FROM regrade_items WHERE "
                   "state = 1 AND lease_expires < clock_timestamp() ORDER BY queue_seq FOR UPDATE "
                   "SKIP LOCKED"));
      for (int i = 0; i < items.rows(); ++i) {
        ASSIGN_OR_RETURN(int64_t attempts, items.Int64(i, 2));
        ++attempts;
        const bool failed = attempts >= options_.max_attempts;
        RETURN_IF_ERROR(
            db.Query("UPDATE regrade_items SET state = $3, attempts = $4, note = $5, "
                     "node_id = NULL, lease_expires = NULL WHERE regrade_id = $1 AND "
                     "submission_id = $2",
                     {PgParam::Text(items.Text(i, 0)), PgParam::Text(items.Text(i, 1)),
                      PgParam::Int(failed ? kItemFailed : kItemPending), PgParam::Int(attempts),
                      PgParam::Text(failed ? internal::LostGradingNote(attempts, items.Text(i, 3))
                                           : "")})
                .status());
        (failed ? reaped.failed : reaped.requeued).push_back(items.Text(i, 1));
      }
      if (items.rows() > 0) RETURN_IF_ERROR(Notify(db, kNewsQueued, ""));
      return reaped;
    });
  }

  void SetNewsListener(std::function<void(const News&)> listener) override {
    PgListenerOptions options;
    options.conninfo = conninfo_;
    options.channel = kNewsChannel;
    options.notified = [listener](const PgNotification& notification) {
      if (std::optional<News> news = ParseNews(notification.payload)) listener(*news);
    };
    // News sent while the connection was down is lost: wake the workers.
    options.reconnected = [listener] { listener(News{News::Kind::kQueued, ""}); };
    absl::MutexLock lock(&listener_mu_);
    listener_.reset();
    listener_ = std::make_unique<PgListener>(std::move(options));
  }

  absl::StatusOr<int> QueuePosition(const std::string& submission_id) override {
    return Read([&](PgConnection& db) -> absl::StatusOr<int> {
      ASSIGN_OR_RETURN(Row row, Load(db, submission_id, ""));
      return PositionOf(db, row);
    });
  }

  absl::StatusOr<int> QueueDepth() override {
    return Read([&](PgConnection& db) -> absl::StatusOr<int> {
      ASSIGN_OR_RETURN(int64_t depth,
                       QueryInt(db,
                                "SELECT (SELECT count(*) FROM submissions WHERE state = 1) + "
                                "(SELECT count(*) FROM regrade_items WHERE state = 0)"));
      return static_cast<int>(depth);
    });
  }

  absl::StatusOr<WatchEvent> AppendEvent(const std::string& submission_id,
                                         WatchEvent event) override {
    return Write([&](PgConnection& db) -> absl::StatusOr<WatchEvent> {
      // The row's lock orders the events of one submission.
      ASSIGN_OR_RETURN(PgResult counted,
                       db.Query(absl::StrCat("UPDATE submissions SET events = events + 1 WHERE "
                                             "id = $1 RETURNING events, ",
                                             TimeText("clock_timestamp()")),
                                {PgParam::Text(submission_id)}));
      if (counted.rows() == 0) return SubmissionNotFound(submission_id);
      WatchEvent appended = event;
      ASSIGN_OR_RETURN(int64_t sequence, counted.Int64(0, 0));
      appended.set_sequence(sequence);
      if (appended.time().empty()) appended.set_time(counted.Text(0, 1));
      std::string bytes;
      if (!appended.SerializeToString(&bytes)) {
        return absl::InternalError(
            absl::StrCat("submission '", submission_id, "': cannot serialize the event"));
      }
      RETURN_IF_ERROR(
          db.Query("INSERT INTO events (submission_id, sequence, event) VALUES ($1, $2, $3)",
                   {PgParam::Text(submission_id), PgParam::Int(sequence), PgParam::Bytes(bytes)})
              .status());
      RETURN_IF_ERROR(Notify(db, kNewsEvent, submission_id));
      return appended;
    });
  }

  absl::StatusOr<std::vector<WatchEvent>> EventsAfter(const std::string& submission_id,
                                                      int64_t after_sequence) override {
    return Read([&](PgConnection& db) -> absl::StatusOr<std::vector<WatchEvent>> {
      RETURN_IF_ERROR(Load(db, submission_id, "").status());
      ASSIGN_OR_RETURN(PgResult result,
                       db.Query("SELECT sequence, event FROM events WHERE submission_id = $1 AND "
                                "sequence > $2 ORDER BY sequence",
                                {PgParam::Text(submission_id), PgParam::Int(after_sequence)}));
      std::vector<WatchEvent> events;
      for (int i = 0; i < result.rows(); ++i) {
        ASSIGN_OR_RETURN(std::string bytes, result.Bytes(i, 1));
        if (!events.emplace_back().ParseFromString(bytes)) {
          return absl::DataLossError(absl::StrCat("submission '", submission_id, "': event ",
                                                  result.Text(i, 0), " does not parse"));
        }
      }
      return events;
    });
  }

  absl::StatusOr<std::string> FilesDir(const std::string& submission_id) override {
    ASSIGN_OR_RETURN(Row row, Read([&](PgConnection& db) { return Load(db, submission_id, ""); }));
    return ModuleDir(row.files_digest);
  }

  absl::StatusOr<std::vector<Submission>> Finished(const std::string& exercise_id,
                                                   const std::string& course_id) override {
    return Read([&](PgConnection& db) {
      if (course_id.empty()) {
        return LoadWithReports(db, "s.exercise_id = $1 AND s.state = 3",
                               {PgParam::Text(exercise_id)});
      }
      return LoadWithReports(db, "s.exercise_id = $1 AND s.state = 3 AND s.course_id = $2",
                             {PgParam::Text(exercise_id), PgParam::Text(course_id)});
    });
  }

  absl::StatusOr<Regrade> StartRegrade(const RegradeSpec& spec,
                                       const std::vector<std::string>& submission_ids) override {
    if (spec.exercise_id.empty()) return absl::InvalidArgumentError("exercise_id is empty");
    if (submission_ids.empty()) {
      return absl::InvalidArgumentError("a regrade needs at least one submission");
    }
    const std::string regrade_id = absl::StrCat(internal::kRegradeIdPrefix, NewId());
    return Write([&](PgConnection& db) -> absl::StatusOr<Regrade> {
      std::vector<Row> rows;
      std::set<std::string> listed;
      for (const std::string& id : submission_ids) {
        if (!listed.insert(id).second) {
          return absl::InvalidArgumentError(absl::StrCat("submission '", id, "' is listed twice"));
        }
        ASSIGN_OR_RETURN(Row row, LoadToRegrade(db, spec, id));
        rows.push_back(std::move(row));
      }
      RETURN_IF_ERROR(
          db.Query("INSERT INTO regrades (id, exercise_id, course_id, scope, dry_run, keep_max, "
                   "rubric_digest, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                   "clock_timestamp())",
                   {PgParam::Text(regrade_id), PgParam::Text(spec.exercise_id),
                    PgParam::Text(spec.course_id), PgParam::Text(spec.scope), Bool(spec.dry_run),
                    Bool(spec.keep_max), PgParam::Text(spec.rubric_digest)})
              .status());
      for (size_t position = 0; position < rows.size(); ++position) {
        RETURN_IF_ERROR(
            db.Query("INSERT INTO regrade_items (regrade_id, submission_id, position, state, "
                     "before_report, queue_seq) VALUES ($1, $2, $3, 0, $4, nextval('queue_seq'))",
                     {PgParam::Text(regrade_id),
                      PgParam::Text(rows[position].submission.submission_id()),
                      PgParam::Int(static_cast<int64_t>(position)),
                      OptionalInt(rows[position].current_report)})
                .status());
      }
      RETURN_IF_ERROR(Notify(db, kNewsQueued, ""));
      return ReadRegrade(db, regrade_id);
    });
  }

  absl::Status FinishRegrade(const std::string& regrade_id, const std::string& submission_id,
                             int64_t claim, const GradeReport& report) override {
    return Write([&](PgConnection& db) -> absl::Status {
      ASSIGN_OR_RETURN(
          PgResult item,
          db.Query("SELECT i.state, i.claim, i.queue_seq, r.dry_run, r.keep_max FROM "
                   "regrade_items AS i JOIN regrades AS r ON r.id = i.regrade_id WHERE "
                   "i.regrade_id = $1 AND i.submission_id = $2 FOR UPDATE OF i",
                   {PgParam::Text(regrade_id), PgParam::Text(submission_id)}));
      if (item.rows() == 0) {
        return NoSuchItem(regrade_id, submission_id);
      }
      ASSIGN_OR_RETURN(int64_t state, item.Int64(0, 0));
      ASSIGN_OR_RETURN(int64_t latest_claim, item.Int64(0, 1));
      ASSIGN_OR_RETURN(int64_t queue_seq, item.Int64(0, 2));
      const bool dry_run = BoolAt(item, 0, 3), keep_max = BoolAt(item, 0, 4);
      if (state != kItemRunning || latest_claim != claim) {
        return ItemClaimNotCurrent(db, regrade_id, submission_id, claim);
      }
      // Compared with the report current now, which a grading finished
      // since the regrade started (a single Requeue) may have replaced.
      ASSIGN_OR_RETURN(Row row, LoadForUpdate(db, submission_id));
      ASSIGN_OR_RETURN(int64_t report_id, InsertReport(db, submission_id, -queue_seq, report));
      std::string note(internal::kNoteDryRun);
      if (!dry_run) {
        ASSIGN_OR_RETURN(std::optional<Outcome> current, LoadOutcome(db, row.current_report));
        note = ReasonToKeepCurrent(OutcomeOf(report), current, keep_max);
      }
      const bool applied = note.empty();
      if (applied) {
        RETURN_IF_ERROR(db.Query("UPDATE submissions SET current_report = $2 WHERE id = $1",
                                 {PgParam::Text(submission_id), PgParam::Int(report_id)})
                            .status());
      }
      return db
          .Query(
              "UPDATE regrade_items SET state = $3, new_report = $4, applied = $5, note = $6, "
              "node_id = NULL, lease_expires = NULL WHERE regrade_id = $1 AND "
              "submission_id = $2",
              {PgParam::Text(regrade_id), PgParam::Text(submission_id),
               PgParam::Int(report.status() == GradeReport::GRADED ? kItemGraded : kItemFailed),
               PgParam::Int(report_id), Bool(applied), PgParam::Text(note)})
          .status();
    });
  }

  absl::StatusOr<Regrade> GetRegrade(const std::string& regrade_id) override {
    return Read([&](PgConnection& db) { return ReadRegrade(db, regrade_id); });
  }

  absl::StatusOr<int> RevertRegrade(const std::string& regrade_id) override {
    return Write([&](PgConnection& db) -> absl::StatusOr<int> {
      ASSIGN_OR_RETURN(PgResult regrade,
                       db.Query("SELECT reverted FROM regrades WHERE id = $1 FOR UPDATE",
                                {PgParam::Text(regrade_id)}));
      if (regrade.rows() == 0) return RegradeNotFound(regrade_id);
      if (BoolAt(regrade, 0, 0)) {
        return absl::FailedPreconditionError(
            absl::StrCat("regrade '", regrade_id, "' is already reverted"));
      }
      // Items before submissions, as FinishRegrade locks them.
      RETURN_IF_ERROR(db.Query("SELECT 1 FROM regrade_items WHERE regrade_id = $1 FOR UPDATE",
                               {PgParam::Text(regrade_id)})
                          .status());
      // Only where the regrade's report is still current: a report that
      // replaced it since (a later grading or regrade) is newer than both
      // and stays; that submission is not counted as restored.
      ASSIGN_OR_RETURN(PgResult restored,
                       db.Query("UPDATE submissions AS s SET current_report = i.before_report "
                                "FROM regrade_items AS i WHERE i.regrade_id = $1 AND "
                                "i.submission_id = s.id AND i.applied AND i.new_report = "
                                "s.current_report",
                                {PgParam::Text(regrade_id)}));
      // Items not graded yet are dropped: never claimed again, and a worker
      // still grading one cannot finish it.
      RETURN_IF_ERROR(db.Query("UPDATE regrade_items SET state = $2, note = $3, node_id = NULL, "
                               "lease_expires = NULL WHERE regrade_id = $1 AND state IN (0, 1)",
                               {PgParam::Text(regrade_id), PgParam::Int(kItemDropped),
                                PgParam::Text(internal::kNoteDropped)})
                          .status());
      RETURN_IF_ERROR(
          db.Query("UPDATE regrades SET reverted = true WHERE id = $1", {PgParam::Text(regrade_id)})
              .status());
      return static_cast<int>(restored.affected_rows());
    });
  }

 private:
  template <typename Body>
  auto Write(Body&& body) -> std::invoke_result_t<Body&, PgConnection&> {
    return pool_->Transact(Isolation::kReadCommitted, std::forward<Body>(body));
  }
  template <typename Body>
  auto Read(Body&& body) -> std::invoke_result_t<Body&, PgConnection&> {
    return pool_->Transact(Isolation::kRepeatableRead, std::forward<Body>(body));
  }

  std::string NewId() {
    absl::MutexLock lock(&bitgen_mu_);
    return internal::NewId(absl::Now(), bitgen_);
  }

  // The SQL of now + the lease, the lease's microseconds being `parameter`.
  static std::string LeaseEnd(absl::string_view parameter) {
    return absl::StrCat("clock_timestamp() + ", parameter, "::bigint * interval '1 microsecond'");
  }
  PgParam LeaseMicros() const { return PgParam::Int(absl::ToInt64Microseconds(options_.lease)); }

  // The submissions row `submission_id` (NotFound if none), read with
  // `lock` appended to the query ("" or "FOR UPDATE").
  absl::StatusOr<Row> Load(PgConnection& db, const std::string& submission_id,
                           absl::string_view lock) {
    ASSIGN_OR_RETURN(PgResult result,
                     db.Query(absl::StrCat("SELECT ", Columns(),
                                           " FROM submissions AS s WHERE s.id = $1 ", lock),
                              {PgParam::Text(submission_id)}));
    if (result.rows() == 0) return SubmissionNotFound(submission_id);
    return ReadRow(result, 0);
  }
  absl::StatusOr<Row> LoadForUpdate(PgConnection& db, const std::string& submission_id) {
    return Load(db, submission_id, "FOR UPDATE");
  }

  // The submissions matching `condition` (parameters `params`), oldest
  // first, each with its current report.
  absl::StatusOr<std::vector<Submission>> LoadWithReports(PgConnection& db,
                                                          absl::string_view condition,
                                                          absl::Span<const PgParam> params) {
    ASSIGN_OR_RETURN(PgResult result,
                     db.Query(absl::StrCat("SELECT ", Columns(),
                                           ", r.report FROM submissions AS s LEFT JOIN reports "
                                           "AS r ON r.id = s.current_report WHERE ",
                                           condition, " ORDER BY s.submitted_at, s.id"),
                              params));
    std::vector<Submission> submissions;
    for (int i = 0; i < result.rows(); ++i) {
      ASSIGN_OR_RETURN(Row row, ReadRow(result, i));
      RETURN_IF_ERROR(ReadReport(result, i, kColumnCount, row.submission));
      submissions.push_back(std::move(row.submission));
    }
    return submissions;
  }

  // Stores `report` for the running claim of `row` and marks it DONE; the
  // report becomes current unless it would replace a GRADED one with one
  // that is not.
  absl::Status FinishRow(PgConnection& db, const Row& row, const GradeReport& report) {
    const std::string& id = row.submission.submission_id();
    ASSIGN_OR_RETURN(int64_t report_id, InsertReport(db, id, row.claim, report));
    ASSIGN_OR_RETURN(std::optional<Outcome> current, LoadOutcome(db, row.current_report));
    std::optional<int64_t> current_report = row.current_report;
    if (ReasonToKeepCurrent(OutcomeOf(report), current, /*keep_max=*/false).empty()) {
      current_report = report_id;
    }
    return db
        .Query(
            "UPDATE submissions SET state = 3, finished_at = clock_timestamp(), "
            "current_report = $2, node_id = NULL, lease_expires = NULL WHERE id = $1",
            {PgParam::Text(id), OptionalInt(current_report)})
        .status();
  }

  // Stores a report of `submission_id` under `claim`; returns its id.
  absl::StatusOr<int64_t> InsertReport(PgConnection& db, const std::string& submission_id,
                                       int64_t claim, const GradeReport& report) {
    std::string bytes;
    if (!report.SerializeToString(&bytes)) {
      return absl::InternalError(
          absl::StrCat("submission '", submission_id, "': cannot serialize the report"));
    }
    return QueryInt(db,
                    "INSERT INTO reports (submission_id, claim, created_at, report, status, "
                    "score) VALUES ($1, $2, clock_timestamp(), $3, $4, $5) RETURNING id",
                    {PgParam::Text(submission_id), PgParam::Int(claim), PgParam::Bytes(bytes),
                     PgParam::Int(report.status()), Double(report.score())});
  }

  // What the current-report rule compares of report `report_id`; nullopt
  // when there is none.
  absl::StatusOr<std::optional<Outcome>> LoadOutcome(PgConnection& db,
                                                     std::optional<int64_t> report_id) {
    if (!report_id.has_value()) return std::nullopt;
    ASSIGN_OR_RETURN(PgResult result, db.Query("SELECT status, score FROM reports WHERE id = $1",
                                               {PgParam::Int(*report_id)}));
    if (result.rows() == 0) {
      return absl::DataLossError(absl::StrCat("report ", *report_id, " is missing"));
    }
    ASSIGN_OR_RETURN(int64_t status, result.Int64(0, 0));
    ASSIGN_OR_RETURN(double score, result.Double(0, 1));
    return Outcome{status == GradeReport::GRADED, score};
  }

  // FailedPrecondition saying why `claim` of a regrade item is not current
  // (NotFound when there is no such item).
  absl::Status ItemClaimNotCurrent(PgConnection& db, const std::string& regrade_id,
                                   const std::string& submission_id, int64_t claim) {
    ASSIGN_OR_RETURN(PgResult item,
                     db.Query("SELECT state, claim FROM regrade_items WHERE regrade_id = $1 AND "
                              "submission_id = $2",
                              {PgParam::Text(regrade_id), PgParam::Text(submission_id)}));
    if (item.rows() == 0) {
      return NoSuchItem(regrade_id, submission_id);
    }
    ASSIGN_OR_RETURN(int64_t state, item.Int64(0, 0));
    return absl::FailedPreconditionError(
        absl::StrCat("regrade '", regrade_id, "' of submission '", submission_id, "': claim ",
                     claim, " is not current (the item is ", internal::ItemStateName(state),
                     ", latest claim ", item.Text(0, 1), ")"));
  }

  // Claims the next submission (interactive, then batch) or else the next
  // pending regrade item, in the claim's transaction; nullopt when there is
  // none. The files are not unpacked yet.
  absl::StatusOr<std::optional<Taken>> TakeNext(PgConnection& db) {
    // Idle workers asking an empty queue end here, without taking a lock.
    ASSIGN_OR_RETURN(PgResult any, db.Query("SELECT EXISTS (SELECT 1 FROM submissions WHERE state "
                                            "= 1) OR EXISTS (SELECT 1 FROM regrade_items WHERE "
                                            "state = 0)"));
    if (!BoolAt(any, 0, 0)) return std::nullopt;
    ASSIGN_OR_RETURN(int64_t turn,
                     QueryInt(db, "UPDATE queue_turn SET turn = turn + 1 RETURNING turn"));
    for (bool batch : {false, true}) {
      ASSIGN_OR_RETURN(
          PgResult next,
          db.Query(absl::StrCat(
                       "SELECT ", Columns(),
                       " FROM submissions AS s JOIN (SELECT course_id, min(queue_seq) AS first "
                       "FROM submissions WHERE state = 1 AND batch = $1 GROUP BY course_id) AS c "
                       "ON c.course_id = s.course_id JOIN (SELECT course_id, student_id, "
                       "min(queue_seq) AS first FROM submissions WHERE state = 1 AND batch = $1 "
                       "GROUP BY course_id, student_id) AS st ON st.course_id = s.course_id AND "
                       "st.student_id = s.student_id LEFT JOIN course_turns AS ct ON ct.batch = "
                       "$1 AND ct.course_id = s.course_id LEFT JOIN student_turns AS stt ON "
                       "stt.batch = $1 AND stt.course_id = s.course_id AND stt.student_id = "
                       "s.student_id WHERE s.state = 1 AND s.batch = $1 ORDER BY "
                       "COALESCE(ct.turn, 0), c.first, COALESCE(stt.turn, 0), st.first, "
                       "s.queue_seq LIMIT 1 FOR UPDATE OF s SKIP LOCKED"),
                   {Bool(batch)}));
      if (next.rows() == 0) continue;
      ASSIGN_OR_RETURN(Row row, ReadRow(next, 0));
      const Submission& s = row.submission;
      RETURN_IF_ERROR(db.Query("INSERT INTO course_turns (batch, course_id, turn) VALUES ($1, "
                               "$2, $3) ON CONFLICT (batch, course_id) DO UPDATE SET turn = "
                               "excluded.turn",
                               {Bool(batch), PgParam::Text(s.course_id()), PgParam::Int(turn)})
                          .status());
      RETURN_IF_ERROR(db.Query("INSERT INTO student_turns (batch, course_id, student_id, turn) "
                               "VALUES ($1, $2, $3, $4) ON CONFLICT (batch, course_id, "
                               "student_id) DO UPDATE SET turn = excluded.turn",
                               {Bool(batch), PgParam::Text(s.course_id()),
                                PgParam::Text(s.student_id()), PgParam::Int(turn)})
                          .status());
      ASSIGN_OR_RETURN(
          PgResult claimed,
          db.Query(
              absl::StrCat("UPDATE submissions SET state = 2, claim = claim + 1, node_id = "
                           "$2, lease_expires = ",
                           LeaseEnd("$3"), " WHERE id = $1 RETURNING claim, ",
                           Micros("lease_expires")),
              {PgParam::Text(s.submission_id()), PgParam::Text(options_.node_id), LeaseMicros()}));
      Taken taken;
      RETURN_IF_ERROR(ReadClaimed(claimed, taken.claim));
      taken.files_digest = std::move(row.files_digest);
      taken.claim.intake_notes = std::move(row.intake_notes);
      taken.claim.submission = std::move(row.submission);
      taken.claim.submission.set_state(Submission::RUNNING);
      return taken;
    }
    // Regrades wait until no submission is queued.
    ASSIGN_OR_RETURN(PgResult item,
                     db.Query("SELECT i.regrade_id, i.submission_id FROM regrade_items AS i JOIN "
                              "regrades AS r ON r.id = i.regrade_id WHERE i.state = 0 AND NOT "
                              "r.reverted ORDER BY i.queue_seq LIMIT 1 FOR UPDATE OF i SKIP "
                              "LOCKED"));
    if (item.rows() == 0) return std::nullopt;
    Taken taken;
    taken.claim.regrade_id = item.Text(0, 0);
    const std::string submission_id = item.Text(0, 1);
    ASSIGN_OR_RETURN(
        PgResult claimed,
        db.Query(absl::StrCat("UPDATE regrade_items SET state = 1, claim = claim + 1, node_id = "
                              "$3, lease_expires = ",
                              LeaseEnd("$4"),
                              " WHERE regrade_id = $1 AND submission_id = $2 RETURNING claim, ",
                              Micros("lease_expires")),
                 {PgParam::Text(taken.claim.regrade_id), PgParam::Text(submission_id),
                  PgParam::Text(options_.node_id), LeaseMicros()}));
    RETURN_IF_ERROR(ReadClaimed(claimed, taken.claim));
    ASSIGN_OR_RETURN(Row row, Load(db, submission_id, ""));
    taken.files_digest = std::move(row.files_digest);
    taken.claim.intake_notes = std::move(row.intake_notes);
    taken.claim.submission = std::move(row.submission);
    return taken;
  }

  // The claim number and lease end that a claim's UPDATE ... RETURNING gave.
  static absl::Status ReadClaimed(const PgResult& claimed, Claim& claim) {
    ASSIGN_OR_RETURN(claim.claim, claimed.Int64(0, 0));
    ASSIGN_OR_RETURN(int64_t lease_expires, claimed.Int64(0, 1));
    claim.lease_expires = absl::FromUnixMicros(lease_expires);
    return absl::OkStatus();
  }

  // The local directory of the files with `files_digest`, unpacked from the
  // database on first use.
  absl::StatusOr<std::string> ModuleDir(const std::string& files_digest) {
    return CachedModuleDir(
        options_.files_cache_dir, files_digest, [&]() -> absl::StatusOr<std::string> {
          ASSIGN_OR_RETURN(PgPool::Lease db, pool_->Acquire());
          ASSIGN_OR_RETURN(PgResult blob, db->Query("SELECT bytes FROM blobs WHERE digest = $1",
                                                    {PgParam::Text(files_digest)}));
          if (blob.rows() == 0) {
            return absl::DataLossError(
                absl::StrCat("the stored files ", files_digest, " are missing"));
          }
          return blob.Bytes(0, 0);
        });
  }

  // Ends `claim`, whose files no node can unpack (`why`), with a
  // GRADING_FAILED report, and returns the DataLoss error that says so.
  absl::Status EndClaimWithUnusableFiles(const Claim& claim, const absl::Status& why) {
    const Submission& s = claim.submission;
    GradeReport failed;
    failed.set_status(GradeReport::GRADING_FAILED);
    failed.set_exercise_id(s.exercise_id());
    failed.set_submission_digest(s.submission_digest());
    failed.set_error(absl::StrCat("the stored files cannot be unpacked: ", why.message()));
    absl::Status ended =
        claim.regrade_id.empty()
            ? Finish(s.submission_id(), claim.claim, failed)
            : FinishRegrade(claim.regrade_id, s.submission_id(), claim.claim, failed);
    return absl::DataLossError(absl::StrCat(
        "submission '", s.submission_id(), "': ", failed.error(),
        ended.ok() ? "; it is finished GRADING_FAILED"
                   : absl::StrCat("; finishing it GRADING_FAILED failed too: ", ended.message())));
  }

  // The submission `submission_id` to regrade under `spec`; InvalidArgument
  // naming it when it is unknown, not DONE, or of another exercise or course.
  absl::StatusOr<Row> LoadToRegrade(PgConnection& db, const RegradeSpec& spec,
                                    const std::string& submission_id) {
    absl::StatusOr<Row> row = Load(db, submission_id, "FOR SHARE");
    if (absl::IsNotFound(row.status())) return absl::InvalidArgumentError(row.status().message());
    if (!row.ok()) return row.status();
    std::string problem = internal::RegradeProblem(row->submission, spec);
    if (!problem.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("submission '", submission_id, "' ", problem));
    }
    return row;
  }

  // The regrade `regrade_id` with its items; NotFound if unknown.
  absl::StatusOr<Regrade> ReadRegrade(PgConnection& db, const std::string& regrade_id) {
    Regrade regrade;
    regrade.regrade_id = regrade_id;
    ASSIGN_OR_RETURN(
        PgResult head,
        db.Query(absl::StrCat("SELECT exercise_id, course_id, scope, dry_run, keep_max, "
                              "rubric_digest, ",
                              TimeText("created_at"), ", reverted FROM regrades WHERE id = $1"),
                 {PgParam::Text(regrade_id)}));
    if (head.rows() == 0) return RegradeNotFound(regrade_id);
    RegradeSpec& spec = regrade.spec;
    spec.exercise_id = head.Text(0, 0);
    spec.course_id = head.Text(0, 1);
    spec.scope = head.Text(0, 2);
    spec.dry_run = BoolAt(head, 0, 3);
    spec.keep_max = BoolAt(head, 0, 4);
    spec.rubric_digest = head.Text(0, 5);
    regrade.created_at = head.Text(0, 6);
    regrade.reverted = BoolAt(head, 0, 7);
    ASSIGN_OR_RETURN(
        PgResult items,
        db.Query("SELECT i.submission_id, s.course_id, s.student_id, i.state, b.status, b.score, "
                 "n.status, n.score, i.applied, i.note FROM regrade_items AS i JOIN submissions "
                 "AS s ON s.id = i.submission_id LEFT JOIN reports AS b ON b.id = "
                 "i.before_report LEFT JOIN reports AS n ON n.id = i.new_report WHERE "
                 "i.regrade_id = $1 ORDER BY i.position",
                 {PgParam::Text(regrade_id)}));
    for (int i = 0; i < items.rows(); ++i) {
      RegradeItem& item = regrade.items.emplace_back();
      item.submission_id = items.Text(i, 0);
      item.course_id = items.Text(i, 1);
      item.student_id = items.Text(i, 2);
      ASSIGN_OR_RETURN(int64_t state, items.Int64(i, 3));
      item.state = internal::PublicItemState(state);
      ASSIGN_OR_RETURN(item.before, GradedScore(items, i, 4));
      ASSIGN_OR_RETURN(item.after, GradedScore(items, i, 6));
      item.applied = BoolAt(items, i, 8);
      item.note = items.Text(i, 9);
    }
    return regrade;
  }

  // The score in column `column` + 1 of row `i` when the status in `column`
  // is GRADED, else nullopt (NULL: no report).
  static absl::StatusOr<std::optional<double>> GradedScore(const PgResult& result, int i,
                                                           int column) {
    if (result.IsNull(i, column)) return std::nullopt;
    ASSIGN_OR_RETURN(int64_t status, result.Int64(i, column));
    if (status != GradeReport::GRADED) return std::nullopt;
    return result.Double(i, column + 1);
  }

  // 1-based position of `row` in the order ClaimNext would take the queue;
  // 0 when it is not queued. Batch work comes after every interactive
  // submission queued.
  absl::StatusOr<int> PositionOf(PgConnection& db, const Row& row) {
    const Submission& s = row.submission;
    if (s.state() != Submission::QUEUED) return 0;
    ASSIGN_OR_RETURN(int64_t rank,  // in its student's line
                     QueryInt(db,
                              "SELECT count(*) FROM submissions WHERE state = 1 AND batch = $1 "
                              "AND course_id = $2 AND student_id = $3 AND queue_seq <= $4",
                              {Bool(row.batch), PgParam::Text(s.course_id()),
                               PgParam::Text(s.student_id()), PgParam::Int(row.queue_seq)}));
    ASSIGN_OR_RETURN(
        PgResult student_lines,
        db.Query("SELECT q.student_id, q.queued FROM (SELECT student_id, count(*) AS queued, "
                 "min(queue_seq) AS first FROM submissions WHERE state = 1 AND batch = $1 AND "
                 "course_id = $2 GROUP BY student_id) AS q LEFT JOIN student_turns AS t ON "
                 "t.batch = $1 AND t.course_id = $2 AND t.student_id = q.student_id ORDER BY "
                 "COALESCE(t.turn, 0), q.first",
                 {Bool(row.batch), PgParam::Text(s.course_id())}));
    ASSIGN_OR_RETURN(
        PgResult course_lines,
        db.Query("SELECT q.course_id, q.queued FROM (SELECT course_id, count(*) AS queued, "
                 "min(queue_seq) AS first FROM submissions WHERE state = 1 AND batch = $1 GROUP "
                 "BY course_id) AS q LEFT JOIN course_turns AS t ON t.batch = $1 AND t.course_id "
                 "= q.course_id ORDER BY COALESCE(t.turn, 0), q.first",
                 {Bool(row.batch)}));
    ASSIGN_OR_RETURN(std::vector<Line> students, ReadLines(student_lines));
    ASSIGN_OR_RETURN(std::vector<Line> courses, ReadLines(course_lines));
    std::optional<int64_t> place =
        internal::RoundRobinPosition(courses, s.course_id(), students, s.student_id(), rank);
    if (!place.has_value()) {
      return absl::InternalError(
          absl::StrCat("submission '", s.submission_id(), "' is queued but not in the queue"));
    }
    if (row.batch) {
      ASSIGN_OR_RETURN(int64_t interactive,
                       QueryInt(db,
                                "SELECT count(*) FROM submissions WHERE state = 1 AND NOT "
                                "batch"));
      *place += interactive;
    }
    return static_cast<int>(std::min<int64_t>(*place, INT_MAX));
  }

  // Takes the advisory locks that make Insert's limit checks and insert
  // atomic across nodes: the queue's, then the course's.
  absl::Status LockForLimits(PgConnection& db, const std::string& course_id,
                             const QueueLimits& limits) {
    if (limits.queued > 0) {
      RETURN_IF_ERROR(
          db.Query("SELECT pg_advisory_xact_lock($1::int, 0)", {PgParam::Int(kQueueLimitLockClass)})
              .status());
    }
    if (limits.queued_per_course > 0 || limits.queued_per_student > 0 ||
        limits.hourly_per_course > 0 || limits.hourly_per_student > 0) {
      RETURN_IF_ERROR(db.Query("SELECT pg_advisory_xact_lock($1::int, hashtext($2))",
                               {PgParam::Int(kCourseLimitLockClass), PgParam::Text(course_id)})
                          .status());
    }
    return absl::OkStatus();
  }

  // OK when one more submission fits `limits` (CheckQueueLimits), counted
  // in `db`'s transaction on the database's clock.
  absl::Status CheckLimits(PgConnection& db, const NewSubmission& submission,
                           const QueueLimits& limits) {
    ASSIGN_OR_RETURN(int64_t now,
                     QueryInt(db, absl::StrCat("SELECT ", Micros("clock_timestamp()"))));
    // "course_id = $1 [AND student_id = $2]" and its parameters.
    auto scope = [](const std::string& course_id, const std::string* student_id) {
      std::vector<PgParam> params = {PgParam::Text(course_id)};
      if (student_id == nullptr) return std::make_pair(std::string("course_id = $1"), params);
      params.push_back(PgParam::Text(*student_id));
      return std::make_pair(std::string("course_id = $1 AND student_id = $2"), params);
    };
    internal::LimitQueries queries;
    queries.queued = [&](const std::string* course_id,
                         const std::string* student_id) -> absl::StatusOr<int64_t> {
      if (course_id == nullptr) {
        return QueryInt(db, "SELECT count(*) FROM submissions WHERE state = 1");
      }
      auto [condition, params] = scope(*course_id, student_id);
      return QueryInt(
          db, absl::StrCat("SELECT count(*) FROM submissions WHERE state = 1 AND ", condition),
          params);
    };
    queries.accepted_since = [&](const std::string& course_id, const std::string* student_id,
                                 absl::Time since) -> absl::StatusOr<std::vector<absl::Time>> {
      auto [condition, params] = scope(course_id, student_id);
      params.push_back(PgParam::Int(absl::ToUnixMicros(since)));
      ASSIGN_OR_RETURN(
          PgResult accepted,
          db.Query(
              absl::StrCat("SELECT ", Micros("submitted_at"), " FROM submissions WHERE ", condition,
                           " AND submitted_at > ", FromMicros(absl::StrCat("$", params.size())),
                           " ORDER BY submitted_at"),
              params));
      std::vector<absl::Time> times;
      for (int i = 0; i < accepted.rows(); ++i) {
        ASSIGN_OR_RETURN(int64_t micros, accepted.Int64(i, 0));
        times.push_back(absl::FromUnixMicros(micros));
      }
      return times;
    };
    return internal::CheckQueueLimits(submission, limits, absl::FromUnixMicros(now), queries);
  }

  const std::string conninfo_;
  const StoreOptions options_;
  const std::unique_ptr<PgPool> pool_;
  absl::Mutex bitgen_mu_;
  absl::BitGen bitgen_ ABSL_GUARDED_BY(bitgen_mu_);
  absl::Mutex listener_mu_;
  std::unique_ptr<PgListener> listener_ ABSL_GUARDED_BY(listener_mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                         const StoreOptions& options) {
  StoreOptions resolved = options;
  if (resolved.node_id.empty()) resolved.node_id = DefaultNodeId();
  if (resolved.files_cache_dir.empty()) {
    return absl::InvalidArgumentError("postgres store: files_cache_dir is empty");
  }
  if (resolved.lease <= absl::ZeroDuration() || resolved.max_attempts < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "postgres store: the lease (", absl::FormatDuration(resolved.lease),
        ") must be positive and max_attempts (", resolved.max_attempts, ") at least 1"));
  }
  std::error_code error;
  std::filesystem::create_directories(resolved.files_cache_dir, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("mkdir ", resolved.files_cache_dir, ": ", error.message()));
  }
  PgPoolOptions pool_options;
  pool_options.size = resolved.pool_size;
  pool_options.session_sql = {
      absl::StrCat("SET idle_in_transaction_session_timeout = '", kIdleInTransactionTimeout, "'"),
      absl::StrCat("SET lock_timeout = '", kLockTimeout, "'"),
      absl::StrCat("SET application_name = 'gograder ",
                   absl::StrReplaceAll(resolved.node_id, {{"'", "''"}}), "'"),
  };
  ASSIGN_OR_RETURN(std::unique_ptr<PgPool> pool, PgPool::Open(conninfo, std::move(pool_options)));
  auto store = std::make_unique<PostgresStore>(conninfo, std::move(resolved), std::move(pool));
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

}  // namespace gograder::store
