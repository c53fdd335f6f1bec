// The durable store of the grading service: submissions, their queue, their
// progress events and reports. SQLite (WAL) in the data directory is the
// embedded default for one node; PostgreSQL lets several daemons (nodes)
// share one queue.
//
// Guarantees every implementation keeps:
// - A submission is durable once Insert returns (the files are already in
//   its directory under the data dir, or with PostgreSQL in the database;
//   the row is committed).
// - A grading finishes at most once: Finish succeeds only for the claim
//   (submission id + claim number) that is current, so a stale worker (e.g.
//   from before a crash) cannot add a second report.
// - After a crash, RecoverAfterCrash puts RUNNING submissions (and regrade
//   items being graded) back in the queue, so each accepted submission ends
//   with exactly one final report.
// - A finished submission has one current report. A regrade (Requeue or
//   StartRegrade) never replaces a GRADED current report with a
//   GRADING_FAILED one: the failed report is kept, but not current.
// - A claim is leased to its node (StoreOptions::node_id): only that node
//   renews it (RenewLease), well within the lease; a claim whose lease
//   expired is taken back by any node's reaper (ReapExpiredLeases) and
//   queued again, up to max_attempts claims, after which the submission is
//   DONE with a GRADING_FAILED report that says why ("the grading was lost 3
//   times (its node stopped renewing its lease: node X); the submission can
//   be regraded"). The claim number is the fencing token: a reaped claim's
//   late RenewLease, Finish or FinishRegrade is refused, so a lost worker's
//   result can never overwrite the new one.
// - Interactive submissions are claimed before batch ones
//   (NewSubmission::batch), and both before regrade items. Each class
//   (interactive, batch) has its own round robin: claims of one class never
//   reorder the other's, so a batch submission's QueuePosition is the
//   number of interactive submissions queued plus its place among the
//   batch ones.
// - The queue is fair (fair_queue.h): Insert enforces the QueueLimits inside
//   its transaction, so concurrent inserts cannot both pass a limit, and
//   ClaimNext takes work round-robin across courses, then across the students
//   of the course, so one flood cannot starve anyone else.
#ifndef GOGRADER_GRADER_STORE_STORE_H_
#define GOGRADER_GRADER_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grader/store/fair_queue.h"
#include "proto/gograder/v1/api.pb.h"

namespace gograder::store {

using gograder::v1::Submission;
using gograder::v1::WatchEvent;

// What Submit hands to the store.
struct NewSubmission {
  std::string exercise_id, course_id, student_id, attempt_id;
  std::string idempotency_key;            // empty = none
  std::string files_dir;                  // where intake put the module (inside the data dir)
  std::string digest;                     // sha256 of the files (core::Accepted::digest)
  std::vector<std::string> intake_notes;  // core::Accepted::notes, one line each
  bool batch = false;  // batch work (a class graded at once): claimed after interactive work
};

// How this node uses a store that other nodes may share.
struct StoreOptions {
  std::string node_id;                       // names this node's claims; empty: "<hostname>-<pid>"
  absl::Duration lease = absl::Seconds(60);  // a claim not renewed for this long is lost
  int max_attempts = 3;                      // claims lost (per Insert/Requeue) till GRADING_FAILED
  // PostgreSQL: where a claimed submission's files are unpacked from the
  // database (any node can grade any submission). Unused by SQLite, whose
  // files stay in their directory under the data dir.
  std::string files_cache_dir;
  // PostgreSQL: connections to the database that the Store calls share (a
  // call holds one while it runs); the news listener has one more.
  int pool_size = 4;
};

// What happened to a submission, as every node sharing the store hears it.
struct News {
  enum class Kind { kQueued, kCancelled, kEvent };
  Kind kind = Kind::kQueued;
  std::string submission_id;  // empty for kQueued of a regrade
};

// What ReapExpiredLeases did.
struct Reaped {
  std::vector<std::string> requeued;  // submission ids queued again (or regrade items pending)
  std::vector<std::string> failed;    // submission ids finished GRADING_FAILED (max_attempts),
                                      // or of regrade items failed
};

struct InsertOutcome {
  Submission submission;
  bool duplicate = false;  // the (course_id, idempotency_key) existed: the earlier submission
  int queue_position = 0;  // 1 = next; 0 when not queued
};

// A queued submission taken by a worker, or a submission a regrade grades
// again (regrade_id set: finish it with FinishRegrade).
struct Claim {
  Submission submission;
  std::string files_dir;
  std::vector<std::string> intake_notes;  // as stored with the submission
  int64_t claim = 0;                      // increases with every claim of the submission
  std::string regrade_id;                 // empty: an ordinary grading (Finish)
  absl::Time lease_expires;               // renew (RenewLease) before this
};

// What RegradeAll asks for; the submissions are chosen by the caller.
struct RegradeSpec {
  std::string exercise_id;
  std::string course_id;      // empty = every course
  std::string scope;          // "all", "latest-per-student", "best-per-student" (recorded)
  bool dry_run = false;       // grade, but never make a new report current
  bool keep_max = false;      // a lower new score does not replace the current report
  std::string rubric_digest;  // of the exercise being graded against (recorded)
};

// One submission of a regrade.
struct RegradeItem {
  enum class State { kPending, kGraded, kFailed };  // kPending: not graded yet
  std::string submission_id, course_id, student_id;
  State state = State::kPending;
  std::optional<double> before;  // score of the report current at the start, when GRADED
  std::optional<double> after;   // score of the new report, when GRADED
  bool applied = false;          // the new report became current
  std::string note;              // why it was not applied
};

struct Regrade {
  std::string regrade_id;
  RegradeSpec spec;
  std::string created_at;  // RFC 3339
  bool reverted = false;
  std::vector<RegradeItem> items;  // in the order the regrade was started with
};

struct ListFilter {
  std::string course_id, exercise_id, student_id;  // empty = any
  int page_size = 50;
  std::string page_token;  // opaque; from the previous page
};

struct ListPage {
  std::vector<Submission> submissions;  // newest first, without reports
  std::string next_page_token;          // empty on the last page
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores a new QUEUED submission, or returns the earlier one with the same
  // (course_id, idempotency_key) even when a limit is reached.
  // ResourceExhausted (RefusalStatus) when the submission would exceed one
  // of `limits`.
  virtual absl::StatusOr<InsertOutcome> Insert(const NewSubmission& submission,
                                               const QueueLimits& limits) = 0;

  // The submission with its current report; NotFound if unknown.
  virtual absl::StatusOr<Submission> Get(const std::string& submission_id) = 0;

  // Filtered, paged listing.
  virtual absl::StatusOr<ListPage> List(const ListFilter& filter) = 0;

  // Takes the next QUEUED submission and marks it RUNNING; nullopt when the
  // queue is empty. Next: of the course served least recently among those
  // with queued work (never served first, then by their oldest submission),
  // of the student of that course served least recently, the oldest. With
  // none queued, the next pending regrade item (see StartRegrade).
  virtual absl::StatusOr<std::optional<Claim>> ClaimNext() = 0;

  // Stores the report of `claim` and marks the submission DONE; the report
  // becomes current unless it is not GRADED and the current one is. Fails with
  // FailedPrecondition (and changes nothing) when the claim is not current
  // (cancelled, requeued after a crash, or already finished).
  virtual absl::Status Finish(const std::string& submission_id, int64_t claim,
                              const gograder::v1::GradeReport& report) = 0;

  // Marks a QUEUED or RUNNING submission CANCELLED; a DONE one is unchanged.
  virtual absl::StatusOr<Submission> Cancel(const std::string& submission_id) = 0;

  // Queues a stored submission again (Regrade); its regrade count increases.
  virtual absl::StatusOr<InsertOutcome> Requeue(const std::string& submission_id) = 0;

  // At startup: this node's RUNNING submissions (a crash interrupted them;
  // with SQLite every RUNNING one) go back to QUEUED, and its regrade items
  // being graded to pending. Returns how many. Other nodes' lost claims are
  // the reaper's (ReapExpiredLeases).
  virtual absl::StatusOr<int> RecoverAfterCrash() = 0;

  // Extends the lease of `claim` (a submission's or a regrade item's) to now
  // + StoreOptions::lease. FailedPrecondition when the claim is no longer
  // current - cancelled, finished, reaped after its lease expired (queued
  // again, or taken over by a later claim), or claimed by another node id
  // than this store's (even with the same claim number) - with a message
  // saying which, e.g. "taken over by claim 3 of node n2": the worker must
  // stop grading and drop its result.
  virtual absl::Status RenewLease(const Claim& claim) = 0;

  // Takes back every claim whose lease expired (its node died or stalled):
  // a submission is queued again, a regrade item pending again, unless it
  // has lost StoreOptions::max_attempts claims: then it is DONE with a
  // GRADING_FAILED report saying so (a regrade item: failed, nothing
  // applied). Safe to call from every node at once.
  virtual absl::StatusOr<Reaped> ReapExpiredLeases() = 0;

  // Calls `listener` (from a thread of the store's) with the news of every
  // node sharing the store: a submission queued (wake the workers), one
  // cancelled (stop its grading if it runs here), a new event (wake its
  // watchers). SQLite: this process's news only, synchronously, on the
  // thread that made the change. Set once, before use.
  virtual void SetNewsListener(std::function<void(const News&)> listener) = 0;

  // 1-based position in the order ClaimNext would take the queue as it is
  // now (later submissions of other courses or students can move it back);
  // 0 when not queued.
  virtual absl::StatusOr<int> QueuePosition(const std::string& submission_id) = 0;
  // The QUEUED submissions plus the regrade items waiting to be claimed.
  virtual absl::StatusOr<int> QueueDepth() = 0;

  // Appends a progress event (its sequence is assigned here) and lists the
  // events after `after_sequence`, in order.
  virtual absl::StatusOr<WatchEvent> AppendEvent(const std::string& submission_id,
                                                 WatchEvent event) = 0;
  virtual absl::StatusOr<std::vector<WatchEvent>> EventsAfter(const std::string& submission_id,
                                                              int64_t after_sequence) = 0;

  // Where the files of a submission are kept.
  virtual absl::StatusOr<std::string> FilesDir(const std::string& submission_id) = 0;

  // The DONE submissions of an exercise (of one course, or every course when
  // `course_id` is empty) with their current reports, oldest first.
  virtual absl::StatusOr<std::vector<Submission>> Finished(const std::string& exercise_id,
                                                           const std::string& course_id) = 0;

  // Starts a regrade of `submission_ids` (DONE submissions of the spec's
  // exercise; InvalidArgument naming one that is not): each becomes a
  // pending item that ClaimNext hands out once no ordinary submission is
  // queued. The submissions stay DONE, with their current reports, while
  // the regrade runs.
  virtual absl::StatusOr<Regrade> StartRegrade(const RegradeSpec& spec,
                                               const std::vector<std::string>& submission_ids) = 0;

  // Stores the new report of a regrade item's current claim. Unless the
  // regrade is a dry run, it becomes the submission's current report, except
  // when it is GRADING_FAILED and the current one is GRADED, or with keep_max
  // when it scores less. FailedPrecondition (nothing changes) when the claim
  // is not current.
  virtual absl::Status FinishRegrade(const std::string& regrade_id,
                                     const std::string& submission_id, int64_t claim,
                                     const gograder::v1::GradeReport& report) = 0;

  // The regrade with its items; NotFound if unknown.
  virtual absl::StatusOr<Regrade> GetRegrade(const std::string& regrade_id) = 0;

  // Makes current again, for every item the regrade applied, the report that
  // was current when it started; pending items are dropped. Returns how
  // many submissions were restored. FailedPrecondition when already reverted.
  virtual absl::StatusOr<int> RevertRegrade(const std::string& regrade_id) = 0;
};

// Opens (creating if needed) the SQLite store at `path` in WAL mode, with
// its schema migrated. Safe to use from several threads.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                                       const StoreOptions& options = {});

// Connects to the PostgreSQL database of `conninfo` (a libpq connection
// string or postgresql:// URL, password included: see pg_conninfo.h), with
// its schema migrated (versioned migrations, under an advisory lock so nodes
// starting together migrate once). Submission files are stored in the
// database, content-addressed and deduplicated: Insert packs the module at
// NewSubmission::files_dir into it and does not keep that directory (the
// caller may delete it once Insert returned); a claim, and FilesDir, unpack
// the files under options.files_cache_dir (made if missing; InvalidArgument
// when empty), once per node. Safe to use from several threads.
absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                         const StoreOptions& options);

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_STORE_H_
