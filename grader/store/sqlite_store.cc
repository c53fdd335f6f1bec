// The SQLite implementation of Store.
//
// Theory of operation: one connection (WAL, synchronous=FULL) guarded by a
// mutex serves every thread of the daemon. Each Store call is one
// transaction: writes take the write lock up front (BEGIN IMMEDIATE), so a
// read-then-write such as a claim cannot be overtaken even by another
// process on the same file; multi-statement reads use a deferred transaction
// for a consistent snapshot. A call returns only after its commit reached
// the disk, which is what makes Insert's "durable once it returns" true.
//
// The queue is the set of QUEUED rows; queue_seq, a number taken when a
// submission is queued (insert, regrade), orders each student's own line.
// ClaimNext serves the lines round-robin, in two levels: the course served
// least recently (course_turns holds the turn of each course's latest claim;
// a course never served comes first, ties go to the oldest submission), then
// in that course the student served least recently (student_turns), then
// that student's oldest submission. Turns are 1, 2, ... across all claims, so
// every course and student with queued work is served once per round.
// Recovery after a crash keeps a submission's number, so an interrupted
// grading goes back to the front of its student's line. Each claim
// increments the row's claim number; Finish checks it (with the state)
// inside its transaction, which is what lets only the current claim store a
// report.
//
// Insert checks the QueueLimits inside its write transaction: the counts it
// compares are those of the committed queue, and no other insert can come
// between the check and the new row.
//
// Reports: every grading adds a row to reports, and submissions.current_report
// names the one Get returns. Finish makes its report current unless that
// would put a failed grading in place of a GRADED report. A regrade
// (StartRegrade) is a row in regrades and one regrade_items row per
// submission, numbered from the same queue_seq sequence as submissions.
// ClaimNext hands out the pending item with the lowest number once no
// submission is queued, leaving the submission DONE with its report;
// FinishRegrade checks the item's own claim number as Finish does, stores
// the report and applies it by the regrade's rules (dry run, keep_max, a
// failed grading never replaces a GRADED report), recording why not in the
// item's note. The item keeps the report current at the start
// (before_report), which RevertRegrade makes current again.
//
// Batch submissions (batch = 1) are a second class of work: ClaimNext
// serves the interactive class, then the batch class, then the regrade
// items. Each class has its own round robin: the turn tables are keyed by
// class (schema version 6), so a class's order does not depend on the
// other's claims, and a batch submission's position is the interactive
// queue's length plus its place in the batch round robin.
//
// Leases: a claim (of a submission or an item) records its node and when
// its lease expires (lease_expires_ms, unix ms); RenewLease moves that on
// while the claim is current - its number and node match (the messages of
// a refusal and of a grading given up are store_internal's, shared with
// PostgreSQL). ReapExpiredLeases, one write transaction like
// every call, so reapers of several processes never take a claim twice,
// counts each expired claim in the row's attempts and queues the row again
// as recovery does (claim number and queue_seq kept), or at max_attempts
// finishes it as Finish would, with a GRADING_FAILED report that says why
// (an item: failed, nothing applied). Requeue starts the count again. The
// claim number stays the fencing token: a lost worker's late Finish is
// refused because the row is no longer RUNNING under its claim.
//
// News: the calls that queue, cancel or add an event collect it
// (PendingNews) and hand it to the listener once their transaction
// committed and the lock is released, on the calling thread, so a listener
// may call back into the store.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "grader/store/fair_queue.h"
#include "grader/store/sqlite_db.h"
#include "grader/store/store.h"
#include "grader/store/store_internal.h"
#include "proto/gograder/v1/api.pb.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store {
namespace {

using gograder::v1::GradeReport;
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
using Mode = Transaction::Mode;

// Schema migrations: kMigrations[i] takes the schema from version i to i+1.
// Append new ones; never edit one that has shipped.
constexpr const char* kMigrations[] = {
    // 1: submissions, their reports and progress events.
    R"sql(
CREATE TABLE submissions (
  id              TEXT PRIMARY KEY NOT NULL,  -- 32 hex digits: ms timestamp + 80 random bits
  exercise_id     TEXT NOT NULL,
  course_id       TEXT NOT NULL,
  student_id      TEXT NOT NULL,
  attempt_id      TEXT NOT NULL,
  idempotency_key TEXT,                       -- NULL when the client sent none
  files_dir       TEXT NOT NULL,
  digest          TEXT NOT NULL,              -- sha256 of the files
  state           INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),  -- Submission.State
  submitted_at    TEXT NOT NULL,              -- RFC 3339 UTC, fixed width: sorts as text
  finished_at     TEXT NOT NULL DEFAULT '',
  regrades        INTEGER NOT NULL DEFAULT 0,
  claim           INTEGER NOT NULL DEFAULT 0, -- number of the latest claim
  queue_seq       INTEGER NOT NULL            -- order in the queue, taken when queued
);
CREATE UNIQUE INDEX submissions_by_idempotency_key
  ON submissions (course_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX submissions_by_queue_seq ON submissions (queue_seq);
CREATE INDEX submissions_queued ON submissions (queue_seq) WHERE state = 1;
CREATE INDEX submissions_by_time ON submissions (submitted_at, id);
CREATE INDEX submissions_by_course ON submissions (course_id, submitted_at, id);
CREATE INDEX submissions_by_exercise ON submissions (exercise_id, submitted_at, id);
CREATE INDEX submissions_by_student ON submissions (student_id, submitted_at, id);

-- One row per grading: a regrade adds a row; the latest claim's is current.
CREATE TABLE reports (
  id            INTEGER PRIMARY KEY,
  submission_id TEXT NOT NULL REFERENCES submissions (id),
  claim         INTEGER NOT NULL,
  created_at    TEXT NOT NULL,
  report        BLOB NOT NULL,                -- serialized gograder.v1.GradeReport
  UNIQUE (submission_id, claim)
);

CREATE TABLE events (
  submission_id TEXT NOT NULL REFERENCES submissions (id),
  sequence      INTEGER NOT NULL,             -- 1, 2, ... per submission
  event         BLOB NOT NULL,                -- serialized gograder.v1.WatchEvent
  PRIMARY KEY (submission_id, sequence)
) WITHOUT ROWID;
)sql",
    // 2: what intake removed (vendor/, go.work), one note per line, for the report.
    R"sql(
ALTER TABLE submissions ADD COLUMN intake_notes TEXT NOT NULL DEFAULT '';
)sql",
    // 3: fair queueing: the turn (1, 2, ... across all claims) of the latest
    // claim of each course and of each student of a course, and the indexes
    // of the round robin and of the per-course and per-student limits.
    R"sql(
CREATE TABLE course_turns (
  course_id TEXT PRIMARY KEY NOT NULL,
  turn      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE student_turns (
  course_id  TEXT NOT NULL,
  student_id TEXT NOT NULL,
  turn       INTEGER NOT NULL,
  PRIMARY KEY (course_id, student_id)
) WITHOUT ROWID;
CREATE INDEX submissions_queued_by_student
  ON submissions (course_id, student_id, queue_seq) WHERE state = 1;
CREATE INDEX submissions_by_course_student ON submissions (course_id, student_id, submitted_at);
)sql",
    // 4: regrades, and one current report per submission (until now, the
    // report of the latest claim). Reports get their status and score as
    // columns; rows from before this version leave them NULL (the blob
    // has them). A regrade's report is stored with claim = -(its item's
    // queue_seq): unique across items, and never a claim number (>= 1), so
    // UNIQUE (submission_id, claim) holds without rebuilding the table.
    R"sql(
ALTER TABLE submissions ADD COLUMN current_report INTEGER;  -- reports.id; NULL = none yet
UPDATE submissions SET current_report =
  (SELECT id FROM reports r WHERE r.submission_id = submissions.id ORDER BY claim DESC LIMIT 1);
ALTER TABLE reports ADD COLUMN status INTEGER;  -- GradeReport.Status
ALTER TABLE reports ADD COLUMN score REAL;

CREATE TABLE regrades (
  id            TEXT PRIMARY KEY NOT NULL,  -- "rg-" and 32 hex digits, like a submission's
  exercise_id   TEXT NOT NULL,
  course_id     TEXT NOT NULL,              -- '' = every course
  scope         TEXT NOT NULL,
  dry_run       INTEGER NOT NULL,
  keep_max      INTEGER NOT NULL,
  rubric_digest TEXT NOT NULL,
  created_at    TEXT NOT NULL,              -- RFC 3339 UTC
  reverted      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE regrade_items (
  regrade_id    TEXT NOT NULL REFERENCES regrades (id),
  submission_id TEXT NOT NULL REFERENCES submissions (id),
  position      INTEGER NOT NULL,           -- 0, 1, ... in the order the regrade was started with
  state         INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),  -- ItemState
  claim         INTEGER NOT NULL DEFAULT 0, -- number of the item's latest claim
  before_report INTEGER,                    -- reports.id current at the start
  new_report    INTEGER,                    -- reports.id of the regrade's report
  applied       INTEGER NOT NULL DEFAULT 0, -- new_report became current
  note          TEXT NOT NULL DEFAULT '',   -- why it was not applied
  queue_seq     INTEGER NOT NULL,           -- from the submissions' sequence: the claim order
  PRIMARY KEY (regrade_id, submission_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX regrade_items_by_queue_seq ON regrade_items (queue_seq);
CREATE INDEX regrade_items_pending ON regrade_items (queue_seq) WHERE state = 0;
CREATE INDEX regrade_items_by_position ON regrade_items (regrade_id, position);
)sql",
    // 5: leases and batch work. A claim (of a submission or of a regrade
    // item) records its node and when its lease expires (unix ms; 0 on rows
    // from before this version, which counts as expired); attempts counts
    // the claims lost since the submission was queued. Batch submissions
    // queue behind interactive ones: the queued indexes take the level, to
    // serve the claim order level by level, and the reaper finds expired
    // leases through the running ones.
    R"sql(
ALTER TABLE submissions ADD COLUMN batch INTEGER NOT NULL DEFAULT 0 CHECK (batch IN (0, 1));
ALTER TABLE submissions ADD COLUMN node_id TEXT NOT NULL DEFAULT '';   -- of the latest claim
ALTER TABLE submissions ADD COLUMN lease_expires_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;  -- claims lost
ALTER TABLE regrade_items ADD COLUMN node_id TEXT NOT NULL DEFAULT '';
ALTER TABLE regrade_items ADD COLUMN lease_expires_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE regrade_items ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

DROP INDEX submissions_queued;
DROP INDEX submissions_queued_by_student;
CREATE INDEX submissions_queued ON submissions (batch, queue_seq) WHERE state = 1;
CREATE INDEX submissions_queued_by_student
  ON submissions (course_id, student_id, batch, queue_seq) WHERE state = 1;
CREATE INDEX submissions_running_by_lease ON submissions (lease_expires_ms) WHERE state = 2;
CREATE INDEX regrade_items_running_by_lease ON regrade_items (lease_expires_ms) WHERE state = 1;
)sql",
    // 6: turns per class of work (batch 0: interactive, 1: batch), so that
    // one class's claims do not reorder the other's round robin. The turns
    // recorded so far, shared by both classes, become each class's.
    R"sql(
CREATE TABLE course_turns_by_class (
  batch     INTEGER NOT NULL CHECK (batch IN (0, 1)),
  course_id TEXT NOT NULL,
  turn      INTEGER NOT NULL,
  PRIMARY KEY (batch, course_id)
) WITHOUT ROWID;
INSERT INTO course_turns_by_class (batch, course_id, turn)
  SELECT b.batch, t.course_id, t.turn FROM course_turns AS t,
    (SELECT 0 AS batch UNION ALL SELECT 1) AS b;
DROP TABLE course_turns;
ALTER TABLE course_turns_by_class RENAME TO course_turns;

CREATE TABLE student_turns_by_class (
  batch      INTEGER NOT NULL CHECK (batch IN (0, 1)),
  course_id  TEXT NOT NULL,
  student_id TEXT NOT NULL,
  turn       INTEGER NOT NULL,
  PRIMARY KEY (batch, course_id, student_id)
) WITHOUT ROWID;
INSERT INTO student_turns_by_class (batch, course_id, student_id, turn)
  SELECT b.batch, t.course_id, t.student_id, t.turn FROM student_turns AS t,
    (SELECT 0 AS batch UNION ALL SELECT 1) AS b;
DROP TABLE student_turns;
ALTER TABLE student_turns_by_class RENAME TO student_turns;
)sql",
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

// The SQL writes "state = 1" and "state = 2" as literals where the partial
// indexes on queued and running rows must apply.
static_assert(Submission::QUEUED == 1);
static_assert(Submission::RUNNING == 2);

// The SQL writes "state = 0" (pending) and "state = 1" (running) of
// regrade_items as literals where the partial indexes must apply.
static_assert(kItemPending == 0 && kItemRunning == 1);

// Columns read by ReadRow, in its order.
constexpr absl::string_view kColumns =
    "id, exercise_id, course_id, student_id, attempt_id, state, submitted_at, finished_at, "
    "digest, regrades, files_dir, claim, queue_seq, intake_notes, current_report, batch, node_id";

constexpr int kColumnCount = 17;  // in kColumns

// A submissions row: the proto plus what only the store sees.
struct Row {
  Submission submission;
  std::string files_dir;
  int64_t claim = 0;
  int64_t queue_seq = 0;
  std::vector<std::string> intake_notes;
  std::optional<int64_t> current_report;  // reports.id
  bool batch = false;
  std::string node_id;  // of the latest claim; '' when queued again
};

// Column `index` of the current row, nullopt when NULL.
std::optional<int64_t> OptionalInt(const Statement& statement, int index) {
  if (statement.ColumnIsNull(index)) return std::nullopt;
  return statement.ColumnInt(index);
}

// Binds `value`, or NULL when there is none.
Statement& BindOptionalInt(Statement& statement, int index, std::optional<int64_t> value) {
  return value.has_value() ? statement.BindInt(index, *value) : statement.BindNull(index);
}

Row ReadRow(const Statement& statement) {
  Row row;
  Submission& s = row.submission;
  s.set_submission_id(statement.ColumnText(0));
  s.set_exercise_id(statement.ColumnText(1));
  s.set_course_id(statement.ColumnText(2));
  s.set_student_id(statement.ColumnText(3));
  s.set_attempt_id(statement.ColumnText(4));
  s.set_state(static_cast<Submission::State>(statement.ColumnInt(5)));
  s.set_submitted_at(statement.ColumnText(6));
  s.set_finished_at(statement.ColumnText(7));
  s.set_submission_digest(statement.ColumnText(8));
  s.set_regrades(static_cast<int32_t>(statement.ColumnInt(9)));
  row.files_dir = statement.ColumnText(10);
  row.claim = statement.ColumnInt(11);
  row.queue_seq = statement.ColumnInt(12);
  row.intake_notes = absl::StrSplit(statement.ColumnText(13), '\n', absl::SkipEmpty());
  row.current_report = OptionalInt(statement, 14);
  row.batch = statement.ColumnInt(15) != 0;
  row.node_id = statement.ColumnText(16);
  return row;
}

// The stored time format: RFC 3339 UTC with microseconds; fixed width, so
// text order is time order.
constexpr char kTimeFormat[] = "%Y-%m-%dT%H:%M:%E6SZ";
constexpr char kTimeParseFormat[] = "%Y-%m-%dT%H:%M:%E*SZ";

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime(kTimeFormat, time, absl::UTCTimeZone());
}

std::string NowRfc3339() { return Rfc3339(absl::Now()); }

// The condition of a limit's count: the queue (no course), a course, or one
// student of a course, as parameters ?1 and ?2; "1" for the whole queue.
std::string ScopeCondition(const std::string* course_id, const std::string* student_id) {
  if (course_id == nullptr) return "1";
  return student_id == nullptr ? "course_id = ?1" : "course_id = ?1 AND student_id = ?2";
}
Statement& BindScope(Statement& statement, const std::string* course_id,
                     const std::string* student_id) {
  if (course_id != nullptr) statement.BindText(1, *course_id);
  if (student_id != nullptr) statement.BindText(2, *student_id);
  return statement;
}

absl::Status MissingReport(int64_t report_id) {
  return absl::DataLossError(absl::StrCat("report ", report_id, " is missing"));
}

absl::Status ParseReport(const std::string& blob, int64_t report_id, GradeReport& report) {
  if (report.ParseFromString(blob)) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat("report ", report_id, " does not parse"));
}

// `options` with the defaults filled in; InvalidArgument when a value is
// out of range.
absl::StatusOr<StoreOptions> ResolveOptions(StoreOptions options) {
  if (options.lease <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the lease must be positive, not ", absl::FormatDuration(options.lease)));
  }
  if (options.max_attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_attempts must be at least 1, not ", options.max_attempts));
  }
  if (options.node_id.empty()) {
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof(host) - 1) != 0) {
      return ErrnoStatus("gethostname, for the default node id");
    }
    options.node_id = absl::StrCat(host, "-", getpid());
  }
  return options;
}

class SqliteStore : public Store {
 public:
  // `options` as ResolveOptions returns them.
  SqliteStore(std::unique_ptr<Database> db, StoreOptions options)
      : options_(std::move(options)),
        lease_ms_(absl::ToInt64Milliseconds(absl::Ceil(options_.lease, absl::Milliseconds(1)))),
        db_(std::move(db)) {}

  // Creates the schema or brings it to kSchemaVersion.
  absl::Status Migrate() {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    RETURN_IF_ERROR(
        db_->Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    int64_t version = 0;
    {
      ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT version FROM schema_version"));
      ASSIGN_OR_RETURN(bool row, select->Step());
      if (row) {
        version = select->ColumnInt(0);
      } else {
        ASSIGN_OR_RETURN(auto insert,
                         db_->Prepare("INSERT INTO schema_version (version) VALUES (0)"));
        RETURN_IF_ERROR(insert->Run());
      }
    }
    if (version > kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(db_->path(), ": schema version ", version,
                                                        " is newer than this program's (",
                                                        kSchemaVersion, ")"));
    }
    for (; version < kSchemaVersion; ++version) {
      RETURN_IF_ERROR(db_->Exec(kMigrations[version]));
    }
    {
      ASSIGN_OR_RETURN(auto update, db_->Prepare("UPDATE schema_version SET version = ?"));
      RETURN_IF_ERROR(update->BindInt(1, version).Run());
    }
    return transaction->Commit();
  }

  absl::StatusOr<InsertOutcome> Insert(const NewSubmission& submission,
                                       const QueueLimits& limits) override {
    if (submission.exercise_id.empty()) return absl::InvalidArgumentError("exercise_id is empty");
    if (submission.files_dir.empty()) return absl::InvalidArgumentError("files_dir is empty");
    PendingNews news(*this);
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));

    // A retry of an accepted submission succeeds even when the queue is full.
    if (!submission.idempotency_key.empty()) {
      std::optional<Row> earlier;
      {
        ASSIGN_OR_RETURN(auto select,
                         db_->Prepare(absl::StrCat("SELECT ", kColumns,
                                                   " FROM submissions WHERE course_id = ? AND "
                                                   "idempotency_key = ?")));
        select->BindText(1, submission.course_id).BindText(2, submission.idempotency_key);
        ASSIGN_OR_RETURN(bool found, select->Step());
        if (found) earlier = ReadRow(*select);
      }
      if (earlier.has_value()) {
        InsertOutcome outcome;
        outcome.duplicate = true;
        ASSIGN_OR_RETURN(outcome.queue_position, PositionOf(*earlier));
        outcome.submission = std::move(earlier->submission);
        RETURN_IF_ERROR(transaction->Commit());
        return outcome;
      }
    }

    RETURN_IF_ERROR(CheckLimits(submission, limits));

    Row row;
    Submission& s = row.submission;
    s.set_submission_id(NewId());
    s.set_exercise_id(submission.exercise_id);
    s.set_course_id(submission.course_id);
    s.set_student_id(submission.student_id);
    s.set_attempt_id(submission.attempt_id);
    s.set_state(Submission::QUEUED);
    s.set_submitted_at(NowRfc3339());
    s.set_submission_digest(submission.digest);
    row.files_dir = submission.files_dir;
    row.intake_notes = submission.intake_notes;
    row.batch = submission.batch;
    ASSIGN_OR_RETURN(row.queue_seq, NextQueueSeq());
    {
      ASSIGN_OR_RETURN(auto insert,
                       db_->Prepare("INSERT INTO submissions (id, exercise_id, course_id, "
                                    "student_id, attempt_id, idempotency_key, files_dir, digest, "
                                    "state, submitted_at, queue_seq, intake_notes, batch) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
      insert->BindText(1, s.submission_id())
          .BindText(2, s.exercise_id())
          .BindText(3, s.course_id())
          .BindText(4, s.student_id())
          .BindText(5, s.attempt_id())
          .BindText(7, row.files_dir)
          .BindText(8, s.submission_digest())
          .BindInt(9, s.state())
          .BindText(10, s.submitted_at())
          .BindInt(11, row.queue_seq)
          .BindText(12, absl::StrJoin(row.intake_notes, "\n"))
          .BindInt(13, row.batch);
      if (submission.idempotency_key.empty()) {
        insert->BindNull(6);
      } else {
        insert->BindText(6, submission.idempotency_key);
      }
      RETURN_IF_ERROR(insert->Run());
    }
    InsertOutcome outcome;
    ASSIGN_OR_RETURN(outcome.queue_position, PositionOf(row));
    RETURN_IF_ERROR(transaction->Commit());
    news.Add(News::Kind::kQueued, s.submission_id());
    outcome.submission = std::move(row.submission);
    return outcome;
  }

  absl::StatusOr<Submission> Get(const std::string& submission_id) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kDeferred));
    ASSIGN_OR_RETURN(Row row, Load(submission_id));
    RETURN_IF_ERROR(AttachCurrentReport(row));
    RETURN_IF_ERROR(transaction->Commit());
    return std::move(row.submission);
  }

  absl::StatusOr<ListPage> List(const ListFilter& filter) override {
    int page_size = internal::PageSize(filter.page_size);
    std::optional<std::pair<std::string, std::string>> after;
    if (!filter.page_token.empty()) {
      ASSIGN_OR_RETURN(after, internal::DecodePageToken(filter.page_token));
    }
    // One statement per combination of filters, so each can use its index.
    std::vector<std::string> conditions;
    std::vector<std::string> values;
    auto add = [&](const std::string& column, const std::string& value) {
      if (value.empty()) return;
      conditions.push_back(absl::StrCat(column, " = ?"));
      values.push_back(value);
    };
    add("course_id", filter.course_id);
    add("exercise_id", filter.exercise_id);
    add("student_id", filter.student_id);
    if (after.has_value()) conditions.push_back("(submitted_at, id) < (?, ?)");
    std::string sql = absl::StrCat("SELECT ", kColumns, " FROM submissions");
    if (!conditions.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(conditions, " AND "));
    absl::StrAppend(&sql, " ORDER BY submitted_at DESC, id DESC LIMIT ?");

    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto select, db_->Prepare(sql));
    int index = 1;
    for (const std::string& value : values) select->BindText(index++, value);
    if (after.has_value()) {
      select->BindText(index, after->first).BindText(index + 1, after->second);
      index += 2;
    }
    select->BindInt(index, page_size + 1);  // one more tells whether a next page exists
    ListPage page;
    while (true) {
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (!found) break;
      if (static_cast<int>(page.submissions.size()) == page_size) {
        page.next_page_token = internal::EncodePageToken(page.submissions.back());
        break;
      }
      page.submissions.push_back(ReadRow(*select).submission);
    }
    return page;
  }

  absl::StatusOr<std::optional<Claim>> ClaimNext() override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    int64_t lease_expires_ms = absl::ToUnixMillis(absl::Now()) + lease_ms_;
    std::optional<Claim> claim;
    // Interactive submissions, then batch ones, then regrade items.
    for (bool batch : {false, true}) {
      ASSIGN_OR_RETURN(claim, ClaimSubmission(batch, lease_expires_ms));
      if (claim.has_value()) break;
    }
    if (!claim.has_value()) {
      ASSIGN_OR_RETURN(claim, ClaimRegradeItem(lease_expires_ms));
    }
    RETURN_IF_ERROR(transaction->Commit());
    return claim;
  }

  absl::Status Finish(const std::string& submission_id, int64_t claim,
                      const GradeReport& report) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    ASSIGN_OR_RETURN(Row row, Load(submission_id));
    if (row.submission.state() != Submission::RUNNING || row.claim != claim) {
      return absl::FailedPreconditionError(absl::StrCat(
          "submission '", submission_id, "': claim ", claim, " is not current (the submission is ",
          Submission::State_Name(row.submission.state()), ", latest claim ", row.claim, ")"));
    }
    RETURN_IF_ERROR(StoreFinalReport(row, report));
    return transaction->Commit();
  }

  absl::StatusOr<Submission> Cancel(const std::string& submission_id) override {
    PendingNews news(*this);
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    ASSIGN_OR_RETURN(Row row, Load(submission_id));
    Submission& s = row.submission;
    bool cancels = s.state() == Submission::QUEUED || s.state() == Submission::RUNNING;
    if (cancels) {
      s.set_state(Submission::CANCELLED);
      s.set_finished_at(NowRfc3339());
      ASSIGN_OR_RETURN(
          auto update,
          db_->Prepare("UPDATE submissions SET state = ?, finished_at = ? WHERE id = ?"));
      RETURN_IF_ERROR(update->BindInt(1, s.state())
                          .BindText(2, s.finished_at())
                          .BindText(3, submission_id)
                          .Run());
    }
    RETURN_IF_ERROR(AttachCurrentReport(row));
    RETURN_IF_ERROR(transaction->Commit());
    if (cancels) news.Add(News::Kind::kCancelled, submission_id);
    return std::move(s);
  }

  absl::StatusOr<InsertOutcome> Requeue(const std::string& submission_id) override {
    PendingNews news(*this);
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    ASSIGN_OR_RETURN(Row row, Load(submission_id));
    Submission& s = row.submission;
    if (s.state() == Submission::QUEUED || s.state() == Submission::RUNNING) {
      return absl::FailedPreconditionError(
          absl::StrCat("submission '", submission_id, "' is already ",
                       s.state() == Submission::QUEUED ? "queued" : "being graded"));
    }
    s.set_state(Submission::QUEUED);
    s.set_regrades(s.regrades() + 1);
    s.clear_finished_at();
    ASSIGN_OR_RETURN(row.queue_seq, NextQueueSeq());
    {
      // A new grading: the claims lost before count no more.
      ASSIGN_OR_RETURN(auto update, db_->Prepare("UPDATE submissions SET state = ?, regrades = ?, "
                                                 "finished_at = '', queue_seq = ?, attempts = 0 "
                                                 "WHERE id = ?"));
      RETURN_IF_ERROR(update->BindInt(1, s.state())
                          .BindInt(2, s.regrades())
                          .BindInt(3, row.queue_seq)
                          .BindText(4, submission_id)
                          .Run());
    }
    InsertOutcome outcome;
    ASSIGN_OR_RETURN(outcome.queue_position, PositionOf(row));
    RETURN_IF_ERROR(transaction->Commit());
    news.Add(News::Kind::kQueued, submission_id);
    outcome.submission = std::move(s);
    return outcome;
  }

  // SQLite is one node's store (the data dir is local), so every RUNNING
  // submission and running item is this node's, whatever node id its claim
  // recorded (a restart with a new pid has a new default node id): all go
  // back to the queue. An interrupted claim is no lost attempt.
  absl::StatusOr<int> RecoverAfterCrash() override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    int recovered = 0;
    {
      // The claim number stays: the next claim increments it, so a worker
      // still holding the interrupted claim cannot finish.
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE submissions SET state = ?, node_id = '' WHERE "
                                    "state = ?"));
      RETURN_IF_ERROR(update->BindInt(1, Submission::QUEUED).BindInt(2, Submission::RUNNING).Run());
      recovered = db_->Changes();
    }
    {
      // Likewise for regrade items, which keep their place in the order.
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE regrade_items SET state = ?, node_id = '' WHERE "
                                    "state = ?"));
      RETURN_IF_ERROR(update->BindInt(1, kItemPending).BindInt(2, kItemRunning).Run());
      recovered += db_->Changes();
    }
    RETURN_IF_ERROR(transaction->Commit());
    return recovered;
  }

  absl::Status RenewLease(const Claim& claim) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    const std::string& submission_id = claim.submission.submission_id();
    int64_t lease_expires_ms = absl::ToUnixMillis(absl::Now()) + lease_ms_;
    if (claim.regrade_id.empty()) {
      ASSIGN_OR_RETURN(Row row, Load(submission_id));
      Submission::State state = row.submission.state();
      RETURN_IF_ERROR(internal::CheckClaimCurrent(absl::StrCat("submission '", submission_id, "'"),
                                                  claim.claim, state == Submission::RUNNING,
                                                  internal::SubmissionStateWords(state), row.claim,
                                                  row.node_id, options_.node_id));
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE submissions SET lease_expires_ms = ? WHERE id = ?"));
      RETURN_IF_ERROR(update->BindInt(1, lease_expires_ms).BindText(2, submission_id).Run());
    } else {
      std::string item =
          absl::StrCat("regrade '", claim.regrade_id, "' of submission '", submission_id, "'");
      {
        ASSIGN_OR_RETURN(auto select,
                         db_->Prepare("SELECT state, claim, node_id FROM regrade_items WHERE "
                                      "regrade_id = ? AND submission_id = ?"));
        select->BindText(1, claim.regrade_id).BindText(2, submission_id);
        ASSIGN_OR_RETURN(bool found, select->Step());
        if (!found) return absl::NotFoundError(absl::StrCat(item, " not found"));
        int64_t state = select->ColumnInt(0);
        RETURN_IF_ERROR(internal::CheckClaimCurrent(
            item, claim.claim, state == kItemRunning, internal::ItemStateWords(state),
            select->ColumnInt(1), select->ColumnText(2), options_.node_id));
      }
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE regrade_items SET lease_expires_ms = ? WHERE "
                                    "regrade_id = ? AND submission_id = ?"));
      RETURN_IF_ERROR(update->BindInt(1, lease_expires_ms)
                          .BindText(2, claim.regrade_id)
                          .BindText(3, submission_id)
                          .Run());
    }
    return transaction->Commit();
  }

  absl::StatusOr<Reaped> ReapExpiredLeases() override {
    PendingNews news(*this);
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    // The clock is read with the write lock held, so a reaper of another
    // process that ran meanwhile has already taken what it saw expired.
    int64_t now_ms = absl::ToUnixMillis(absl::Now());
    Reaped reaped;
    RETURN_IF_ERROR(ReapSubmissions(now_ms, reaped));
    size_t submissions_requeued = reaped.requeued.size();
    RETURN_IF_ERROR(ReapRegradeItems(now_ms, reaped));
    RETURN_IF_ERROR(transaction->Commit());
    for (size_t i = 0; i < reaped.requeued.size(); ++i) {
      // A regrade item queued again is news of the regrades, without an id.
      news.Add(News::Kind::kQueued, i < submissions_requeued ? reaped.requeued[i] : "");
    }
    return reaped;
  }

  // SQLite: synchronously, on the thread that made the change, once its
  // transaction committed and the store's lock is released.
  void SetNewsListener(std::function<void(const News&)> listener) override {
    absl::MutexLock lock(&listener_mu_);
    listener_ = std::move(listener);
  }

  absl::StatusOr<int> QueuePosition(const std::string& submission_id) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kDeferred));
    ASSIGN_OR_RETURN(Row row, Load(submission_id));
    ASSIGN_OR_RETURN(int position, PositionOf(row));
    RETURN_IF_ERROR(transaction->Commit());
    return position;
  }

  absl::StatusOr<int> QueueDepth() override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto select,
                     db_->Prepare("SELECT (SELECT COUNT(*) FROM submissions WHERE state = 1) + "
                                  "(SELECT COUNT(*) FROM regrade_items WHERE state = 0)"));
    ASSIGN_OR_RETURN(bool found, select->Step());
    return found ? static_cast<int>(select->ColumnInt(0)) : 0;
  }

  absl::StatusOr<WatchEvent> AppendEvent(const std::string& submission_id,
                                         WatchEvent event) override {
    PendingNews news(*this);
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    RETURN_IF_ERROR(CheckExists(submission_id));
    {
      ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT COALESCE(MAX(sequence), 0) + 1 FROM "
                                                 "events WHERE submission_id = ?"));
      select->BindText(1, submission_id);
      ASSIGN_OR_RETURN(bool found, select->Step());
      event.set_sequence(found ? select->ColumnInt(0) : 1);
    }
    if (event.time().empty()) event.set_time(NowRfc3339());
    std::string blob;
    if (!event.SerializeToString(&blob)) {
      return absl::InternalError(
          absl::StrCat("submission '", submission_id, "': cannot serialize the event"));
    }
    {
      ASSIGN_OR_RETURN(auto insert, db_->Prepare("INSERT INTO events (submission_id, sequence, "
                                                 "event) VALUES (?, ?, ?)"));
      RETURN_IF_ERROR(
          insert->BindText(1, submission_id).BindInt(2, event.sequence()).BindBlob(3, blob).Run());
    }
    RETURN_IF_ERROR(transaction->Commit());
    news.Add(News::Kind::kEvent, submission_id);
    return event;
  }

  absl::StatusOr<std::vector<WatchEvent>> EventsAfter(const std::string& submission_id,
                                                      int64_t after_sequence) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kDeferred));
    RETURN_IF_ERROR(CheckExists(submission_id));
    std::vector<WatchEvent> events;
    {
      ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT sequence, event FROM events WHERE "
                                                 "submission_id = ? AND sequence > ? "
                                                 "ORDER BY sequence"));
      select->BindText(1, submission_id).BindInt(2, after_sequence);
      while (true) {
        ASSIGN_OR_RETURN(bool found, select->Step());
        if (!found) break;
        WatchEvent& event = events.emplace_back();
        if (!event.ParseFromString(select->ColumnBlob(1))) {
          return absl::DataLossError(absl::StrCat("submission '", submission_id, "': event ",
                                                  select->ColumnInt(0), " does not parse"));
        }
      }
    }
    RETURN_IF_ERROR(transaction->Commit());
    return events;
  }

  absl::StatusOr<std::string> FilesDir(const std::string& submission_id) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT files_dir FROM submissions WHERE id = ?"));
    select->BindText(1, submission_id);
    ASSIGN_OR_RETURN(bool found, select->Step());
    if (!found) return SubmissionNotFound(submission_id);
    return select->ColumnText(0);
  }

  absl::StatusOr<std::vector<Submission>> Finished(const std::string& exercise_id,
                                                   const std::string& course_id) override {
    std::string sql = absl::StrCat("SELECT ", kColumns,
                                   " FROM submissions WHERE exercise_id = ?1 AND state = ?2");
    if (!course_id.empty()) absl::StrAppend(&sql, " AND course_id = ?3");
    absl::StrAppend(&sql, " ORDER BY submitted_at, id");
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kDeferred));
    std::vector<Submission> finished;
    {
      ASSIGN_OR_RETURN(auto select, db_->Prepare(sql));
      select->BindText(1, exercise_id).BindInt(2, Submission::DONE);
      if (!course_id.empty()) select->BindText(3, course_id);
      while (true) {
        ASSIGN_OR_RETURN(bool found, select->Step());
        if (!found) break;
        Row row = ReadRow(*select);
        RETURN_IF_ERROR(AttachCurrentReport(row));
        finished.push_back(std::move(row.submission));
      }
    }
    RETURN_IF_ERROR(transaction->Commit());
    return finished;
  }

  absl::StatusOr<Regrade> StartRegrade(const RegradeSpec& spec,
                                       const std::vector<std::string>& submission_ids) override {
    if (spec.exercise_id.empty()) return absl::InvalidArgumentError("exercise_id is empty");
    if (submission_ids.empty()) {
      return absl::InvalidArgumentError("a regrade needs at least one submission");
    }
    PendingNews news(*this);
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    std::vector<Row> rows;
    std::set<std::string> listed;
    for (const std::string& id : submission_ids) {
      if (!listed.insert(id).second) {
        return absl::InvalidArgumentError(absl::StrCat("submission '", id, "' is listed twice"));
      }
      ASSIGN_OR_RETURN(Row row, LoadToRegrade(spec, id));
      rows.push_back(std::move(row));
    }
    std::string regrade_id = absl::StrCat(internal::kRegradeIdPrefix, NewId());
    {
      ASSIGN_OR_RETURN(auto insert, db_->Prepare("INSERT INTO regrades (id, exercise_id, "
                                                 "course_id, scope, dry_run, keep_max, "
                                                 "rubric_digest, created_at) VALUES (?, ?, ?, ?, "
                                                 "?, ?, ?, ?)"));
      RETURN_IF_ERROR(insert->BindText(1, regrade_id)
                          .BindText(2, spec.exercise_id)
                          .BindText(3, spec.course_id)
                          .BindText(4, spec.scope)
                          .BindInt(5, spec.dry_run)
                          .BindInt(6, spec.keep_max)
                          .BindText(7, spec.rubric_digest)
                          .BindText(8, NowRfc3339())
                          .Run());
    }
    ASSIGN_OR_RETURN(int64_t queue_seq, NextQueueSeq());
    for (size_t position = 0; position < rows.size(); ++position) {
      ASSIGN_OR_RETURN(auto insert, db_->Prepare("INSERT INTO regrade_items (regrade_id, "
                                                 "submission_id, position, state, "
                                                 "before_report, queue_seq) VALUES (?, ?, ?, ?, "
                                                 "?, ?)"));
      insert->BindText(1, regrade_id)
          .BindText(2, rows[position].submission.submission_id())
          .BindInt(3, static_cast<int64_t>(position))
          .BindInt(4, kItemPending)
          .BindInt(6, queue_seq + static_cast<int64_t>(position));
      RETURN_IF_ERROR(BindOptionalInt(*insert, 5, rows[position].current_report).Run());
    }
    ASSIGN_OR_RETURN(Regrade regrade, ReadRegrade(regrade_id));
    RETURN_IF_ERROR(transaction->Commit());
    news.Add(News::Kind::kQueued);
    return regrade;
  }

  absl::Status FinishRegrade(const std::string& regrade_id, const std::string& submission_id,
                             int64_t claim, const GradeReport& report) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    int64_t state = 0, latest_claim = 0, queue_seq = 0;
    bool dry_run = false, keep_max = false;
    {
      ASSIGN_OR_RETURN(auto select,
                       db_->Prepare("SELECT i.state, i.claim, i.queue_seq, r.dry_run, r.keep_max "
                                    "FROM regrade_items AS i JOIN regrades AS r ON r.id = "
                                    "i.regrade_id WHERE i.regrade_id = ? AND i.submission_id = ?"));
      select->BindText(1, regrade_id).BindText(2, submission_id);
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (!found) {
        return absl::NotFoundError(
            absl::StrCat("regrade '", regrade_id, "' has no submission '", submission_id, "'"));
      }
      state = select->ColumnInt(0);
      latest_claim = select->ColumnInt(1);
      queue_seq = select->ColumnInt(2);
      dry_run = select->ColumnInt(3) != 0;
      keep_max = select->ColumnInt(4) != 0;
    }
    if (state != kItemRunning || latest_claim != claim) {
      return absl::FailedPreconditionError(
          absl::StrCat("regrade '", regrade_id, "' of submission '", submission_id, "': claim ",
                       claim, " is not current (the item is ", internal::ItemStateName(state),
                       ", latest claim ", latest_claim, ")"));
    }
    // Compared with the report current now, which a grading finished since
    // the regrade started (a single Requeue) may have replaced.
    ASSIGN_OR_RETURN(Row row, Load(submission_id));
    ASSIGN_OR_RETURN(int64_t report_id,
                     InsertReport(submission_id, -queue_seq, NowRfc3339(), report));
    std::string note(internal::kNoteDryRun);
    if (!dry_run) {
      ASSIGN_OR_RETURN(std::optional<Outcome> current, LoadOutcome(row.current_report));
      note = ReasonToKeepCurrent(OutcomeOf(report), current, keep_max);
    }
    bool applied = note.empty();
    if (applied) {
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE submissions SET current_report = ? WHERE id = ?"));
      RETURN_IF_ERROR(update->BindInt(1, report_id).BindText(2, submission_id).Run());
    }
    {
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE regrade_items SET state = ?, new_report = ?, "
                                    "applied = ?, note = ? WHERE regrade_id = ? AND "
                                    "submission_id = ?"));
      RETURN_IF_ERROR(
          update->BindInt(1, report.status() == GradeReport::GRADED ? kItemGraded : kItemFailed)
              .BindInt(2, report_id)
              .BindInt(3, applied)
              .BindText(4, note)
              .BindText(5, regrade_id)
              .BindText(6, submission_id)
              .Run());
    }
    return transaction->Commit();
  }

  absl::StatusOr<Regrade> GetRegrade(const std::string& regrade_id) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kDeferred));
    ASSIGN_OR_RETURN(Regrade regrade, ReadRegrade(regrade_id));
    RETURN_IF_ERROR(transaction->Commit());
    return regrade;
  }

  absl::StatusOr<int> RevertRegrade(const std::string& regrade_id) override {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_, Mode::kImmediate));
    {
      ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT reverted FROM regrades WHERE id = ?"));
      select->BindText(1, regrade_id);
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (!found) return RegradeNotFound(regrade_id);
      if (select->ColumnInt(0) != 0) {
        return absl::FailedPreconditionError(
            absl::StrCat("regrade '", regrade_id, "' is already reverted"));
      }
    }
    int restored = 0;
    {
      // Only where the regrade's report is still current: a report that
      // replaced it since (a later grading or regrade) is newer than both
      // and stays; that submission is not counted as restored.
      ASSIGN_OR_RETURN(
          auto update,
          db_->Prepare("UPDATE submissions SET current_report = (SELECT i.before_report FROM "
                       "regrade_items AS i WHERE i.regrade_id = ?1 AND i.submission_id = "
                       "submissions.id) WHERE EXISTS (SELECT 1 FROM regrade_items AS i WHERE "
                       "i.regrade_id = ?1 AND i.submission_id = submissions.id AND i.applied = 1 "
                       "AND i.new_report = submissions.current_report)"));
      RETURN_IF_ERROR(update->BindText(1, regrade_id).Run());
      restored = db_->Changes();
    }
    {
      // Items not graded yet are dropped: never claimed again, and a worker
      // still grading one cannot finish it.
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE regrade_items SET state = ?, note = ? WHERE "
                                    "regrade_id = ? AND state IN (?, ?)"));
      RETURN_IF_ERROR(update->BindInt(1, kItemDropped)
                          .BindText(2, internal::kNoteDropped)
                          .BindText(3, regrade_id)
                          .BindInt(4, kItemPending)
                          .BindInt(5, kItemRunning)
                          .Run());
    }
    {
      ASSIGN_OR_RETURN(auto update, db_->Prepare("UPDATE regrades SET reverted = 1 WHERE id = ?"));
      RETURN_IF_ERROR(update->BindText(1, regrade_id).Run());
    }
    RETURN_IF_ERROR(transaction->Commit());
    return restored;
  }

 private:
  // A new id (internal::NewId).
  std::string NewId() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return internal::NewId(absl::Now(), bitgen_);
  }

  absl::StatusOr<Row> Load(const std::string& submission_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(auto select, db_->Prepare(absl::StrCat("SELECT ", kColumns,
                                                            " FROM submissions WHERE id = ?")));
    select->BindText(1, submission_id);
    ASSIGN_OR_RETURN(bool found, select->Step());
    if (!found) return SubmissionNotFound(submission_id);
    return ReadRow(*select);
  }

  // Stores `report` under the current claim of `row` and marks the
  // submission DONE; the report becomes current unless it is not GRADED
  // and the current one is.
  absl::Status StoreFinalReport(const Row& row, const GradeReport& report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::string& submission_id = row.submission.submission_id();
    std::string now = NowRfc3339();
    ASSIGN_OR_RETURN(int64_t report_id, InsertReport(submission_id, row.claim, now, report));
    ASSIGN_OR_RETURN(std::optional<Outcome> current, LoadOutcome(row.current_report));
    std::optional<int64_t> current_report = row.current_report;
    if (ReasonToKeepCurrent(OutcomeOf(report), current, /*keep_max=*/false).empty()) {
      current_report = report_id;
    }
    ASSIGN_OR_RETURN(auto update, db_->Prepare("UPDATE submissions SET state = ?, finished_at = "
                                               "?, current_report = ? WHERE id = ?"));
    update->BindInt(1, Submission::DONE).BindText(2, now).BindText(4, submission_id);
    return BindOptionalInt(*update, 3, current_report).Run();
  }

  // Takes back the submissions whose claim's lease expired before `now_ms`
  // (see ReapExpiredLeases), adding their ids to `reaped`.
  absl::Status ReapSubmissions(int64_t now_ms, Reaped& reaped) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<std::pair<Row, int64_t>> lost;  // with its claims lost before
    {
      ASSIGN_OR_RETURN(auto select, db_->Prepare(absl::StrCat(
                                        "SELECT ", kColumns,
                                        ", attempts FROM submissions WHERE state = 2 AND "
                                        "lease_expires_ms < ? ORDER BY lease_expires_ms")));
      select->BindInt(1, now_ms);
      while (true) {
        ASSIGN_OR_RETURN(bool found, select->Step());
        if (!found) break;
        lost.emplace_back(ReadRow(*select), select->ColumnInt(kColumnCount));
      }
    }
    for (const auto& [row, attempts_before] : lost) {
      const std::string& submission_id = row.submission.submission_id();
      int64_t attempts = attempts_before + 1;
      if (attempts < options_.max_attempts) {
        // Its claim number and queue_seq stay: the front of its student's
        // line, and the lost worker's claim is no longer current.
        ASSIGN_OR_RETURN(auto update,
                         db_->Prepare("UPDATE submissions SET state = ?, node_id = '', "
                                      "attempts = ? WHERE id = ?"));
        RETURN_IF_ERROR(update->BindInt(1, Submission::QUEUED)
                            .BindInt(2, attempts)
                            .BindText(3, submission_id)
                            .Run());
        // Its claim took its course's and student's turns; a lost grading
        // should not wait a whole round again: next in line.
        for (const char* sql :
             {"UPDATE course_turns SET turn = 0 WHERE course_id = ?1 AND batch = (SELECT batch "
              "FROM submissions WHERE id = ?3)",
              "UPDATE student_turns SET turn = 0 WHERE course_id = ?1 AND student_id = ?2 AND "
              "batch = (SELECT batch FROM submissions WHERE id = ?3)"}) {
          ASSIGN_OR_RETURN(auto reset, db_->Prepare(sql));
          RETURN_IF_ERROR(reset->BindText(1, row.submission.course_id())
                              .BindText(2, row.submission.student_id())
                              .BindText(3, submission_id)
                              .Run());
        }
        reaped.requeued.push_back(submission_id);
        continue;
      }
      {
        ASSIGN_OR_RETURN(auto update,
                         db_->Prepare("UPDATE submissions SET attempts = ? WHERE id = ?"));
        RETURN_IF_ERROR(update->BindInt(1, attempts).BindText(2, submission_id).Run());
      }
      GradeReport report;
      report.set_status(GradeReport::GRADING_FAILED);
      report.set_exercise_id(row.submission.exercise_id());
      report.set_submission_digest(row.submission.submission_digest());
      report.set_error(internal::LostGradingError(attempts, row.node_id));
      RETURN_IF_ERROR(StoreFinalReport(row, report));
      reaped.failed.push_back(submission_id);
    }
    return absl::OkStatus();
  }

  // Takes back the regrade items whose claim's lease expired before
  // `now_ms`, adding their submission ids to `reaped`. A failed item
  // applies nothing; its note says why.
  absl::Status ReapRegradeItems(int64_t now_ms, Reaped& reaped) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    struct LostItem {
      std::string regrade_id, submission_id, node_id;
      int64_t attempts = 0;
    };
    std::vector<LostItem> lost;
    {
      ASSIGN_OR_RETURN(auto select,
                       db_->Prepare("SELECT regrade_id, submission_id, node_id, attempts FROM "
                                    "regrade_items WHERE state = 1 AND lease_expires_ms < ? "
                                    "ORDER BY lease_expires_ms"));
      select->BindInt(1, now_ms);
      while (true) {
        ASSIGN_OR_RETURN(bool found, select->Step());
        if (!found) break;
        lost.push_back(LostItem{select->ColumnText(0), select->ColumnText(1), select->ColumnText(2),
                                select->ColumnInt(3) + 1});
      }
    }
    for (const LostItem& item : lost) {
      bool fails = item.attempts >= options_.max_attempts;
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE regrade_items SET state = ?, node_id = ?, attempts = "
                                    "?, note = ? WHERE regrade_id = ? AND submission_id = ?"));
      RETURN_IF_ERROR(
          update->BindInt(1, fails ? kItemFailed : kItemPending)
              .BindText(2, fails ? item.node_id : "")
              .BindInt(3, item.attempts)
              .BindText(4, fails ? internal::LostGradingNote(item.attempts, item.node_id) : "")
              .BindText(5, item.regrade_id)
              .BindText(6, item.submission_id)
              .Run());
      (fails ? reaped.failed : reaped.requeued).push_back(item.submission_id);
    }
    return absl::OkStatus();
  }

  absl::Status CheckExists(const std::string& submission_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT 1 FROM submissions WHERE id = ?"));
    select->BindText(1, submission_id);
    ASSIGN_OR_RETURN(bool found, select->Step());
    return found ? absl::OkStatus() : SubmissionNotFound(submission_id);
  }

  // Claims the next queued submission of the interactive (`batch` false)
  // or the batch level, leased until `lease_expires_ms`: nullopt when that
  // level has none queued.
  absl::StatusOr<std::optional<Claim>> ClaimSubmission(bool batch, int64_t lease_expires_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(std::vector<Line> courses, CourseLines(batch));
    if (courses.empty()) return std::nullopt;
    const std::string& course_id = courses.front().key;
    ASSIGN_OR_RETURN(std::vector<Line> students, StudentLines(course_id, batch));
    if (students.empty()) {
      return absl::InternalError(
          absl::StrCat("course '", course_id, "' has queued submissions but no students"));
    }
    const std::string& student_id = students.front().key;
    std::optional<Row> next;
    {
      ASSIGN_OR_RETURN(
          auto select,
          db_->Prepare(absl::StrCat("SELECT ", kColumns,
                                    " FROM submissions WHERE state = 1 AND course_id = ? AND "
                                    "student_id = ? AND batch = ? ORDER BY queue_seq LIMIT 1")));
      select->BindText(1, course_id).BindText(2, student_id).BindInt(3, batch);
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (found) next = ReadRow(*select);
    }
    if (!next.has_value()) {
      return absl::InternalError(absl::StrCat("student '", student_id, "' of course '", course_id,
                                              "' has no queued submission"));
    }
    RETURN_IF_ERROR(RecordTurn(batch, course_id, student_id));
    {
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE submissions SET state = ?, claim = ?, node_id = ?, "
                                    "lease_expires_ms = ? WHERE id = ?"));
      RETURN_IF_ERROR(update->BindInt(1, Submission::RUNNING)
                          .BindInt(2, next->claim + 1)
                          .BindText(3, options_.node_id)
                          .BindInt(4, lease_expires_ms)
                          .BindText(5, next->submission.submission_id())
                          .Run());
    }
    Claim claim;
    claim.claim = next->claim + 1;
    claim.files_dir = std::move(next->files_dir);
    claim.intake_notes = std::move(next->intake_notes);
    claim.submission = std::move(next->submission);
    claim.submission.set_state(Submission::RUNNING);
    claim.lease_expires = absl::FromUnixMillis(lease_expires_ms);
    return claim;
  }

  // Claims the pending regrade item first in the queue order, leased until
  // `lease_expires_ms`: nullopt when there is none. The submission itself
  // stays as it is (DONE).
  absl::StatusOr<std::optional<Claim>> ClaimRegradeItem(int64_t lease_expires_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Claim claim;
    {
      ASSIGN_OR_RETURN(auto select,
                       db_->Prepare("SELECT regrade_id, submission_id, claim FROM regrade_items "
                                    "WHERE state = 0 ORDER BY queue_seq LIMIT 1"));
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (!found) return std::nullopt;
      claim.regrade_id = select->ColumnText(0);
      claim.submission.set_submission_id(select->ColumnText(1));
      claim.claim = select->ColumnInt(2) + 1;
    }
    {
      ASSIGN_OR_RETURN(auto update,
                       db_->Prepare("UPDATE regrade_items SET state = ?, claim = ?, node_id = ?, "
                                    "lease_expires_ms = ? WHERE regrade_id = ? AND "
                                    "submission_id = ?"));
      RETURN_IF_ERROR(update->BindInt(1, kItemRunning)
                          .BindInt(2, claim.claim)
                          .BindText(3, options_.node_id)
                          .BindInt(4, lease_expires_ms)
                          .BindText(5, claim.regrade_id)
                          .BindText(6, claim.submission.submission_id())
                          .Run());
    }
    claim.lease_expires = absl::FromUnixMillis(lease_expires_ms);
    ASSIGN_OR_RETURN(Row row, Load(claim.submission.submission_id()));
    claim.submission = std::move(row.submission);
    claim.files_dir = std::move(row.files_dir);
    claim.intake_notes = std::move(row.intake_notes);
    return claim;
  }

  // The submission `submission_id` to regrade under `spec`; InvalidArgument
  // naming it when it is unknown, not DONE, or of another exercise or course.
  absl::StatusOr<Row> LoadToRegrade(const RegradeSpec& spec, const std::string& submission_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::StatusOr<Row> row = Load(submission_id);
    if (absl::IsNotFound(row.status())) return absl::InvalidArgumentError(row.status().message());
    if (!row.ok()) return row.status();
    std::string problem = internal::RegradeProblem(row->submission, spec);
    if (!problem.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("submission '", submission_id, "' ", problem));
    }
    return row;
  }

  // The regrade `regrade_id` with its items; NotFound if unknown.
  absl::StatusOr<Regrade> ReadRegrade(const std::string& regrade_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Regrade regrade;
    regrade.regrade_id = regrade_id;
    {
      ASSIGN_OR_RETURN(auto select,
                       db_->Prepare("SELECT exercise_id, course_id, scope, dry_run, keep_max, "
                                    "rubric_digest, created_at, reverted FROM regrades WHERE id "
                                    "= ?"));
      select->BindText(1, regrade_id);
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (!found) return RegradeNotFound(regrade_id);
      RegradeSpec& spec = regrade.spec;
      spec.exercise_id = select->ColumnText(0);
      spec.course_id = select->ColumnText(1);
      spec.scope = select->ColumnText(2);
      spec.dry_run = select->ColumnInt(3) != 0;
      spec.keep_max = select->ColumnInt(4) != 0;
      spec.rubric_digest = select->ColumnText(5);
      regrade.created_at = select->ColumnText(6);
      regrade.reverted = select->ColumnInt(7) != 0;
    }
    ASSIGN_OR_RETURN(
        auto select,
        db_->Prepare("SELECT i.submission_id, s.course_id, s.student_id, i.state, "
                     "i.before_report, i.new_report, i.applied, i.note FROM regrade_items AS i "
                     "JOIN submissions AS s ON s.id = i.submission_id WHERE i.regrade_id = ? "
                     "ORDER BY i.position"));
    select->BindText(1, regrade_id);
    while (true) {
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (!found) break;
      RegradeItem& item = regrade.items.emplace_back();
      item.submission_id = select->ColumnText(0);
      item.course_id = select->ColumnText(1);
      item.student_id = select->ColumnText(2);
      item.state = internal::PublicItemState(select->ColumnInt(3));
      ASSIGN_OR_RETURN(item.before, GradedScore(OptionalInt(*select, 4)));
      ASSIGN_OR_RETURN(item.after, GradedScore(OptionalInt(*select, 5)));
      item.applied = select->ColumnInt(6) != 0;
      item.note = select->ColumnText(7);
    }
    return regrade;
  }

  // Puts the row's current report (if any) into its submission.
  absl::Status AttachCurrentReport(Row& row) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!row.current_report.has_value()) return absl::OkStatus();
    ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT report FROM reports WHERE id = ?"));
    select->BindInt(1, *row.current_report);
    ASSIGN_OR_RETURN(bool found, select->Step());
    if (!found) return MissingReport(*row.current_report);
    return ParseReport(select->ColumnBlob(0), *row.current_report,
                       *row.submission.mutable_report());
  }

  // What the current-report rules compare of report `report_id`; nullopt
  // when there is no report. Reports stored before schema version 4 have no
  // status and score columns: their blob is read instead.
  absl::StatusOr<std::optional<Outcome>> LoadOutcome(std::optional<int64_t> report_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!report_id.has_value()) return std::nullopt;
    ASSIGN_OR_RETURN(auto select,
                     db_->Prepare("SELECT status, score, report FROM reports WHERE id = ?"));
    select->BindInt(1, *report_id);
    ASSIGN_OR_RETURN(bool found, select->Step());
    if (!found) return MissingReport(*report_id);
    if (!select->ColumnIsNull(0)) {
      return Outcome{select->ColumnInt(0) == GradeReport::GRADED, select->ColumnDouble(1)};
    }
    GradeReport report;
    RETURN_IF_ERROR(ParseReport(select->ColumnBlob(2), *report_id, report));
    return OutcomeOf(report);
  }

  // The score of report `report_id` when it is GRADED, else nullopt.
  absl::StatusOr<std::optional<double>> GradedScore(std::optional<int64_t> report_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(std::optional<Outcome> outcome, LoadOutcome(report_id));
    if (!outcome.has_value() || !outcome->graded) return std::nullopt;
    return outcome->score;
  }

  // Stores a report of `submission_id` under `claim`; returns its id.
  absl::StatusOr<int64_t> InsertReport(const std::string& submission_id, int64_t claim,
                                       const std::string& created_at, const GradeReport& report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::string blob;
    if (!report.SerializeToString(&blob)) {
      return absl::InternalError(
          absl::StrCat("submission '", submission_id, "': cannot serialize the report"));
    }
    ASSIGN_OR_RETURN(auto insert,
                     db_->Prepare("INSERT INTO reports (submission_id, claim, created_at, report, "
                                  "status, score) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"));
    ASSIGN_OR_RETURN(bool inserted, insert->BindText(1, submission_id)
                                        .BindInt(2, claim)
                                        .BindText(3, created_at)
                                        .BindBlob(4, blob)
                                        .BindInt(5, report.status())
                                        .BindDouble(6, report.score())
                                        .Step());
    if (!inserted) {
      return absl::InternalError(
          absl::StrCat("submission '", submission_id, "': the new report has no id"));
    }
    return insert->ColumnInt(0);
  }

  // The next number of the queue order, shared by submissions and regrade
  // items (so a regrade report's claim, -queue_seq, is unique).
  absl::StatusOr<int64_t> NextQueueSeq() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(auto select,
                     db_->Prepare("SELECT MAX((SELECT COALESCE(MAX(queue_seq), 0) FROM "
                                  "submissions), (SELECT COALESCE(MAX(queue_seq), 0) FROM "
                                  "regrade_items)) + 1"));
    ASSIGN_OR_RETURN(bool found, select->Step());
    return found ? select->ColumnInt(0) : 1;
  }

  // 1-based position of `row` in the order ClaimNext would take the queue;
  // 0 when it is not queued.
  absl::StatusOr<int> PositionOf(const Row& row) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const Submission& s = row.submission;
    if (s.state() != Submission::QUEUED) return 0;
    int64_t rank = 0;  // in its student's line
    {
      ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT COUNT(*) FROM submissions WHERE state = "
                                                 "1 AND course_id = ? AND student_id = ? AND "
                                                 "batch = ? AND queue_seq <= ?"));
      select->BindText(1, s.course_id())
          .BindText(2, s.student_id())
          .BindInt(3, row.batch)
          .BindInt(4, row.queue_seq);
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (found) rank = select->ColumnInt(0);
    }
    int64_t ahead = 0;  // the whole interactive level comes before a batch submission
    if (row.batch) {
      ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT COUNT(*) FROM submissions WHERE state = "
                                                 "1 AND batch = 0"));
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (found) ahead = select->ColumnInt(0);
    }
    ASSIGN_OR_RETURN(std::vector<Line> students, StudentLines(s.course_id(), row.batch));
    ASSIGN_OR_RETURN(std::vector<Line> courses, CourseLines(row.batch));
    std::optional<int64_t> place =
        internal::RoundRobinPosition(courses, s.course_id(), students, s.student_id(), rank);
    if (!place.has_value()) {
      return absl::InternalError(
          absl::StrCat("submission '", s.submission_id(), "' is queued but not in the queue"));
    }
    return static_cast<int>(ahead + *place);
  }

  // The courses with work queued in the interactive (`batch` false) or the
  // batch class, in the order that class's round robin serves them.
  absl::StatusOr<std::vector<Line>> CourseLines(bool batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(auto select,
                     db_->Prepare("SELECT q.course_id, q.queued FROM (SELECT course_id, COUNT(*) "
                                  "AS queued, MIN(queue_seq) AS first FROM submissions WHERE "
                                  "state = 1 AND batch = ?1 GROUP BY course_id) AS q LEFT JOIN "
                                  "course_turns AS t ON t.batch = ?1 AND t.course_id = "
                                  "q.course_id ORDER BY COALESCE(t.turn, 0), q.first"));
    select->BindInt(1, batch);
    return ReadLines(*select);
  }

  // The students of `course_id` with work queued in that class, in the
  // order the round robin serves them.
  absl::StatusOr<std::vector<Line>> StudentLines(const std::string& course_id, bool batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(
        auto select,
        db_->Prepare("SELECT q.student_id, q.queued FROM (SELECT student_id, COUNT(*) AS queued, "
                     "MIN(queue_seq) AS first FROM submissions WHERE state = 1 AND course_id = ?1 "
                     "AND batch = ?2 GROUP BY student_id) AS q LEFT JOIN student_turns AS t ON "
                     "t.batch = ?2 AND t.course_id = ?1 AND t.student_id = q.student_id ORDER BY "
                     "COALESCE(t.turn, 0), q.first"));
    select->BindText(1, course_id).BindInt(2, batch);
    return ReadLines(*select);
  }

  absl::StatusOr<std::vector<Line>> ReadLines(Statement& select) {
    std::vector<Line> lines;
    while (true) {
      ASSIGN_OR_RETURN(bool found, select.Step());
      if (!found) return lines;
      lines.push_back(Line{select.ColumnText(0), select.ColumnInt(1)});
    }
  }

  // Marks the course and the student as served, in the `batch` class, by
  // the newest claim. Turns increase across both classes.
  absl::Status RecordTurn(bool batch, const std::string& course_id, const std::string& student_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int64_t turn = 1;
    {
      ASSIGN_OR_RETURN(auto select,
                       db_->Prepare("SELECT COALESCE(MAX(turn), 0) + 1 FROM course_turns"));
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (found) turn = select->ColumnInt(0);
    }
    {
      ASSIGN_OR_RETURN(auto upsert,
                       db_->Prepare("INSERT INTO course_turns (batch, course_id, turn) VALUES (?, "
                                    "?, ?) ON CONFLICT (batch, course_id) DO UPDATE SET turn = "
                                    "excluded.turn"));
      RETURN_IF_ERROR(upsert->BindInt(1, batch).BindText(2, course_id).BindInt(3, turn).Run());
    }
    ASSIGN_OR_RETURN(auto upsert,
                     db_->Prepare("INSERT INTO student_turns (batch, course_id, student_id, turn) "
                                  "VALUES (?, ?, ?, ?) ON CONFLICT (batch, course_id, student_id) "
                                  "DO UPDATE SET turn = excluded.turn"));
    return upsert->BindInt(1, batch)
        .BindText(2, course_id)
        .BindText(3, student_id)
        .BindInt(4, turn)
        .Run();
  }

  // OK when one more submission fits `limits` (internal::CheckQueueLimits
  // over the committed queue).
  absl::Status CheckLimits(const NewSubmission& submission, const QueueLimits& limits)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    internal::LimitQueries queries;
    queries.queued = [this](const std::string* course_id, const std::string* student_id)
                         ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::StatusOr<int64_t> {
      return CountQueued(course_id, student_id);
    };
    queries.accepted_since = [this](const std::string& course_id, const std::string* student_id,
                                    absl::Time since) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return AcceptedSince(course_id, student_id, since);
    };
    return internal::CheckQueueLimits(submission, limits, absl::Now(), queries);
  }

  // The submissions queued now, of a student of a course, of a course
  // (`student_id` null), or of the whole queue (both null).
  absl::StatusOr<int64_t> CountQueued(const std::string* course_id, const std::string* student_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(auto select,
                     db_->Prepare(absl::StrCat("SELECT COUNT(*) FROM submissions WHERE state = 1 "
                                               "AND ",
                                               ScopeCondition(course_id, student_id))));
    ASSIGN_OR_RETURN(bool found, BindScope(*select, course_id, student_id).Step());
    return found ? select->ColumnInt(0) : 0;
  }

  // When the submissions of a student of `course_id` (or of the whole
  // course: `student_id` null) accepted after `since` were, oldest first.
  absl::StatusOr<std::vector<absl::Time>> AcceptedSince(const std::string& course_id,
                                                        const std::string* student_id,
                                                        absl::Time since)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(auto select,
                     db_->Prepare(absl::StrCat("SELECT submitted_at FROM submissions WHERE ",
                                               ScopeCondition(&course_id, student_id),
                                               " AND submitted_at > ?3 ORDER BY submitted_at")));
    BindScope(*select, &course_id, student_id).BindText(3, Rfc3339(since));
    std::vector<absl::Time> accepted;
    while (true) {
      ASSIGN_OR_RETURN(bool found, select->Step());
      if (!found) return accepted;
      absl::Time time;
      std::string error;
      if (!absl::ParseTime(kTimeParseFormat, select->ColumnText(0), &time, &error)) {
        return absl::DataLossError(absl::StrCat("cannot read the time '", select->ColumnText(0),
                                                "' of a submission of course '", course_id,
                                                "': ", error));
      }
      accepted.push_back(time);
    }
  }

  // Hands `news` to the listener, if one is set, in order.
  void Publish(const std::vector<News>& news) ABSL_LOCKS_EXCLUDED(mu_, listener_mu_) {
    std::function<void(const News&)> listener;
    {
      absl::MutexLock lock(&listener_mu_);
      listener = listener_;
    }
    if (!listener) return;
    for (const News& one : news) listener(one);
  }

  // The news of one call, handed to the listener when this goes away.
  // Declared before the call's MutexLock, it goes away after the lock is
  // released; add to it only once the transaction committed.
  class PendingNews {
   public:
    explicit PendingNews(SqliteStore& store) : store_(store) {}
    PendingNews(const PendingNews&) = delete;
    PendingNews& operator=(const PendingNews&) = delete;
    ~PendingNews() {
      if (!news_.empty()) store_.Publish(news_);
    }

    void Add(News::Kind kind, std::string submission_id = "") {
      news_.push_back(News{kind, std::move(submission_id)});
    }

   private:
    SqliteStore& store_;
    std::vector<News> news_;
  };

  const StoreOptions options_;  // resolved: node_id set
  const int64_t lease_ms_;      // options_.lease, rounded up to ms
  absl::Mutex mu_;
  std::unique_ptr<Database> db_ ABSL_GUARDED_BY(mu_);
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);
  absl::Mutex listener_mu_;
  std::function<void(const News&)> listener_ ABSL_GUARDED_BY(listener_mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                                       const StoreOptions& options) {
  ASSIGN_OR_RETURN(StoreOptions resolved, ResolveOptions(options));
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path));
  auto store = std::make_unique<SqliteStore>(std::move(db), std::move(resolved));
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

}  // namespace gograder::store
