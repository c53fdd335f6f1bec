// The Store contract (store.h), one suite for every implementation
// (StoreBackends): submissions, the fair queue and its limits, claims and
// their fencing, recovery, leases, events and news, current reports and
// regrades. What is particular to one implementation (SQLite's files, the
// PostgreSQL nodes) is tested beside it.
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_matchers.h"
#include "base/temp_dir.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grader/store/files_testing.h"
#include "grader/store/store.h"
#include "grader/store/store_backends_testing.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/api.pb.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store {
namespace {

using gograder::v1::GradeReport;
using google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Optional;
using State = RegradeItem::State;

constexpr char kExercise[] = "phase1/concurrent-web-scraper";
constexpr char kNode[] = "node-a";

const std::map<std::string, std::string>& ModuleFiles() {
  static const auto* files = new std::map<std::string, std::string>{
      {"go.mod", "module example.com/scraper\n\ngo 1.22\n"},
      {"scraper.go", "package scraper\n\nfunc Fetch() {}\n"},
      {"internal/queue/queue.go", "package queue\n"},
  };
  return *files;
}

GradeReport FailedReport() {
  GradeReport report;
  report.set_status(GradeReport::GRADING_FAILED);
  report.set_exercise_id(kExercise);
  return report;
}

RegradeSpec Spec(bool dry_run = false, bool keep_max = false) {
  RegradeSpec spec;
  spec.exercise_id = kExercise;
  spec.scope = "all";
  spec.dry_run = dry_run;
  spec.keep_max = keep_max;
  spec.rubric_digest = "sha256:rubric";
  return spec;
}

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    module_ = (std::filesystem::path(temp_.path()) / "module").string();
    WriteTree(module_, ModuleFiles());
    Reopen();
  }

  void TearDown() override { store_.reset(); }

  StoreOptions Options() const {
    StoreOptions options;
    options.node_id = kNode;
    return options;
  }

  // Another store on the same data (a second daemon, or this one restarted).
  absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options) {
    return GetParam().open(temp_.path(), options);
  }

  void Reopen(const StoreOptions& options) {
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> store = Open(options);
    ASSERT_OK(store);
    store_ = *std::move(store);
  }
  void Reopen() { Reopen(Options()); }

  // store::MakeSubmission with files: PostgreSQL stores them.
  NewSubmission MakeSubmission(std::string course, std::string key = "", std::string student = "s1",
                               std::string exercise = kExercise) {
    NewSubmission s = store::MakeSubmission(std::move(course), std::move(key), std::move(student),
                                            std::move(exercise));
    s.files_dir = module_;
    return s;
  }

  std::string Insert(std::string course = "c1", std::string key = "", std::string student = "s1",
                     std::string exercise = kExercise) {
    absl::StatusOr<InsertOutcome> outcome = store_->Insert(
        MakeSubmission(std::move(course), std::move(key), std::move(student), std::move(exercise)),
        {});
    EXPECT_OK(outcome);
    return outcome.ok() ? outcome->submission.submission_id() : "";
  }

  std::string InsertBatch(std::string course, std::string student) {
    NewSubmission s = MakeSubmission(std::move(course), "", std::move(student));
    s.batch = true;
    absl::StatusOr<InsertOutcome> outcome = store_->Insert(s, {});
    EXPECT_OK(outcome);
    return outcome.ok() ? outcome->submission.submission_id() : "";
  }

  absl::StatusOr<InsertOutcome> Submit(const std::string& course, const std::string& student,
                                       const QueueLimits& limits, const std::string& key = "") {
    return store_->Insert(MakeSubmission(course, key, student), limits);
  }

  // The next claim; nullopt when there is none (or on error, which fails
  // the test).
  std::optional<Claim> Next() { return NextClaim(*store_); }

  // Claims until the queue is empty; the submission ids in claim order.
  std::vector<std::string> ClaimAll() {
    std::vector<std::string> order;
    while (std::optional<Claim> claim = Next()) order.push_back(claim->submission.submission_id());
    return order;
  }

  // Claims the next submission, expecting the ordinary grading of `id`, and
  // finishes it with `report`.
  void FinishNext(const std::string& id, const GradeReport& report) {
    FinishNextClaim(*store_, id, report);
  }

  // A new DONE submission whose report is `report`.
  std::string Done(const GradeReport& report, std::string course = "c1", std::string student = "s1",
                   std::string exercise = kExercise) {
    std::string id = Insert(std::move(course), "", std::move(student), std::move(exercise));
    FinishNext(id, report);
    return id;
  }

  // Grades `id` again through Requeue.
  void RequeueAndFinish(const std::string& id, const GradeReport& report) {
    ASSERT_OK(store_->Requeue(id).status());
    FinishNext(id, report);
  }

  // Claims the next regrade item, which must be of `submission_id`, and
  // finishes it with `report`.
  void FinishNextItem(const std::string& submission_id, const GradeReport& report) {
    store::FinishNextItem(*store_, submission_id, report);
  }

  // The current report of `id`.
  GradeReport Current(const std::string& id) { return CurrentReport(*store_, id); }

  TempDir temp_{"store-conformance-"};
  std::string module_;
  NewsLog news_;  // outlives store_, whose listener may call it
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::ValuesIn(StoreBackends()),
                         StoreBackendName);

// --- Submissions: insert, get, list --------------------------------------

TEST_P(StoreConformanceTest, InsertThenGet) {
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, store_->Insert(MakeSubmission("c1", "k1"), {}));
  EXPECT_FALSE(first.duplicate);
  EXPECT_EQ(first.queue_position, 1);
  const Submission& s = first.submission;
  EXPECT_THAT(s.submission_id(), MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(s.submitted_at(),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"));
  EXPECT_EQ(s.state(), Submission::QUEUED);

  ASSERT_OK_AND_ASSIGN(InsertOutcome second, store_->Insert(MakeSubmission("c1", "k2"), {}));
  EXPECT_EQ(second.queue_position, 2);
  EXPECT_NE(second.submission.submission_id(), s.submission_id());

  ASSERT_OK_AND_ASSIGN(Submission got, store_->Get(s.submission_id()));
  EXPECT_EQ(got.exercise_id(), kExercise);
  EXPECT_EQ(got.course_id(), "c1");
  EXPECT_EQ(got.student_id(), "s1");
  EXPECT_EQ(got.attempt_id(), "a1");
  EXPECT_EQ(got.submission_digest(), "sha256:abc");
  EXPECT_EQ(got.state(), Submission::QUEUED);
  EXPECT_EQ(got.submitted_at(), s.submitted_at());
  EXPECT_EQ(got.finished_at(), "");
  EXPECT_EQ(got.regrades(), 0);
  EXPECT_FALSE(got.has_report());
  ASSERT_OK_AND_ASSIGN(std::string files_dir, store_->FilesDir(s.submission_id()));
  EXPECT_EQ(ReadTree(files_dir), ReadTree(module_));
}

TEST_P(StoreConformanceTest, UnknownSubmissionIsNotFound) {
  EXPECT_THAT(store_->Get("nope"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'nope' not found")));
  EXPECT_THAT(store_->FilesDir("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->Cancel("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->Requeue("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->QueuePosition("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->Finish("nope", 1, MakeReport(1)), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->AppendEvent("nope", WatchEvent()), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->EventsAfter("nope", 0), StatusIs(absl::StatusCode::kNotFound));
  Claim unknown;
  unknown.submission.set_submission_id("nope");
  unknown.claim = 1;
  EXPECT_FALSE(store_->RenewLease(unknown).ok());
}

TEST_P(StoreConformanceTest, InsertRejectsMissingFields) {
  NewSubmission s = MakeSubmission("c1");
  s.exercise_id.clear();
  EXPECT_THAT(store_->Insert(s, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  s = MakeSubmission("c1");
  s.files_dir.clear();
  EXPECT_THAT(store_->Insert(s, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(store_->QueueDepth().value(), 0);
}

TEST_P(StoreConformanceTest, IdempotencyKeyIsPerCourse) {
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, store_->Insert(MakeSubmission("c1", "key"), {}));
  ASSERT_OK_AND_ASSIGN(InsertOutcome again, store_->Insert(MakeSubmission("c1", "key"), {}));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.submission.submission_id(), first.submission.submission_id());
  EXPECT_EQ(again.submission.submitted_at(), first.submission.submitted_at());
  EXPECT_EQ(again.queue_position, 1);

  ASSERT_OK_AND_ASSIGN(InsertOutcome other_course, store_->Insert(MakeSubmission("c2", "key"), {}));
  EXPECT_FALSE(other_course.duplicate);
  EXPECT_NE(other_course.submission.submission_id(), first.submission.submission_id());
  EXPECT_EQ(other_course.queue_position, 2);

  // No key: every insert is new.
  ASSERT_OK_AND_ASSIGN(InsertOutcome a, store_->Insert(MakeSubmission("c1"), {}));
  ASSERT_OK_AND_ASSIGN(InsertOutcome b, store_->Insert(MakeSubmission("c1"), {}));
  EXPECT_FALSE(b.duplicate);
  EXPECT_NE(a.submission.submission_id(), b.submission.submission_id());
  EXPECT_EQ(store_->QueueDepth().value(), 4);

  // A duplicate of a claimed submission reports it as not queued.
  ASSERT_TRUE(Next().has_value());
  ASSERT_OK_AND_ASSIGN(InsertOutcome running, store_->Insert(MakeSubmission("c1", "key"), {}));
  EXPECT_TRUE(running.duplicate);
  EXPECT_EQ(running.submission.state(), Submission::RUNNING);
  EXPECT_EQ(running.queue_position, 0);
}

// Retries of one submission racing on two stores: one is accepted, every
// other call gets it back as a duplicate.
TEST_P(StoreConformanceTest, ConcurrentRetriesOfOneKeyMakeOneSubmission) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, Open(Options()));
  std::mutex mu;
  std::vector<absl::StatusOr<InsertOutcome>> outcomes;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *store_ : *second;
      absl::StatusOr<InsertOutcome> outcome = store.Insert(MakeSubmission("c1", "retry"), {});
      std::lock_guard<std::mutex> lock(mu);
      outcomes.push_back(std::move(outcome));
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> ids;
  int fresh = 0;
  for (const auto& outcome : outcomes) {
    ASSERT_OK(outcome);
    ids.insert(outcome->submission.submission_id());
    if (!outcome->duplicate) ++fresh;
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(store_->QueueDepth().value(), 1);
}

TEST_P(StoreConformanceTest, IntakeNotesReachTheClaim) {
  NewSubmission with_notes = MakeSubmission("c1");
  with_notes.intake_notes = {"removed vendor/: dependencies come from the module cache",
                             "removed go.work"};
  ASSERT_OK(store_->Insert(with_notes, {}).status());
  ASSERT_OK(store_->Insert(MakeSubmission("c1"), {}).status());
  std::optional<Claim> first = Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->intake_notes, with_notes.intake_notes);
  std::optional<Claim> second = Next();
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->intake_notes.empty());
}

TEST_P(StoreConformanceTest, ListFiltersAndPages) {
  // 9 submissions over 2 courses, 2 students, 2 exercises.
  std::string oldest;
  for (int i = 0; i < 9; ++i) {
    NewSubmission s = MakeSubmission(i % 2 == 0 ? "c1" : "c2", "", i % 3 == 0 ? "s1" : "s2",
                                     i < 5 ? "phase1/a" : "phase2/b");
    ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store_->Insert(s, {}));
    if (oldest.empty()) oldest = outcome.submission.submission_id();
  }
  // One of them done: listings come without reports.
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK(store_->Finish(claim->submission.submission_id(), claim->claim, MakeReport(3)));

  auto list_all = [&](ListFilter filter, std::vector<size_t>* page_sizes) {
    std::vector<Submission> all;
    while (true) {
      absl::StatusOr<ListPage> page = store_->List(filter);
      EXPECT_OK(page);
      if (!page.ok()) break;
      if (page_sizes != nullptr) page_sizes->push_back(page->submissions.size());
      for (const Submission& s : page->submissions) all.push_back(s);
      if (page->next_page_token.empty()) break;
      filter.page_token = page->next_page_token;
    }
    return all;
  };

  ListFilter filter;
  filter.page_size = 4;
  std::vector<size_t> sizes;
  std::vector<Submission> all = list_all(filter, &sizes);
  EXPECT_THAT(sizes, ElementsAre(4, 4, 1));
  ASSERT_EQ(all.size(), 9u);
  std::set<std::string> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].submission_id());
    EXPECT_FALSE(all[i].has_report());
    if (i > 0) {  // newest first
      EXPECT_GE(std::make_pair(all[i - 1].submitted_at(), all[i - 1].submission_id()),
                std::make_pair(all[i].submitted_at(), all[i].submission_id()));
    }
  }
  EXPECT_EQ(ids.size(), 9u);
  EXPECT_EQ(all.back().submission_id(), oldest);

  // An exact multiple of the page size ends without an extra empty page.
  filter.page_size = 3;
  sizes.clear();
  list_all(filter, &sizes);
  EXPECT_THAT(sizes, ElementsAre(3, 3, 3));

  filter = ListFilter();
  filter.course_id = "c1";
  std::vector<Submission> c1 = list_all(filter, nullptr);
  EXPECT_EQ(c1.size(), 5u);
  for (const Submission& s : c1) EXPECT_EQ(s.course_id(), "c1");

  filter.student_id = "s1";
  filter.page_size = 1;
  std::vector<Submission> c1_s1 = list_all(filter, nullptr);
  EXPECT_EQ(c1_s1.size(), 2u);  // i = 0, 6
  for (const Submission& s : c1_s1) EXPECT_EQ(s.student_id(), "s1");

  filter = ListFilter();
  filter.exercise_id = "phase2/b";
  filter.course_id = "c2";
  EXPECT_EQ(list_all(filter, nullptr).size(), 2u);  // i = 5, 7

  // Inserts between pages do not disturb the pages still to come.
  filter = ListFilter();
  filter.page_size = 5;
  ASSERT_OK_AND_ASSIGN(ListPage first_page, store_->List(filter));
  Insert();
  filter.page_token = first_page.next_page_token;
  ASSERT_OK_AND_ASSIGN(ListPage second_page, store_->List(filter));
  EXPECT_EQ(second_page.submissions.size(), 4u);
  EXPECT_EQ(second_page.next_page_token, "");
  EXPECT_EQ(second_page.submissions[0].submission_id(), all[5].submission_id());

  filter.page_token = "not a token!";
  EXPECT_THAT(store_->List(filter), StatusIs(absl::StatusCode::kInvalidArgument));
  filter.page_token = "bm8tc2VwYXJhdG9ycw";  // base64 of "no-separators"
  EXPECT_THAT(store_->List(filter), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(StoreConformanceTest, DurableAcrossReopen) {
  std::string done = Insert("c1", "k1"), queued = Insert("c1", "k2");
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK(store_->Finish(done, claim->claim, MakeReport(12)));
  WatchEvent event;
  event.mutable_queued()->set_position(1);
  ASSERT_OK(store_->AppendEvent(queued, event).status());

  Reopen();
  EXPECT_EQ(store_->Get(done).value().report().score(), 12);
  EXPECT_EQ(store_->Get(queued).value().state(), Submission::QUEUED);
  EXPECT_EQ(store_->QueuePosition(queued).value(), 1);
  EXPECT_EQ(store_->EventsAfter(queued, 0).value().size(), 1u);
  EXPECT_TRUE(store_->Insert(MakeSubmission("c1", "k1"), {}).value().duplicate);
  EXPECT_EQ(store_->AppendEvent(queued, event).value().sequence(), 2);
  ASSERT_OK_AND_ASSIGN(std::string files_dir, store_->FilesDir(queued));
  EXPECT_EQ(ReadTree(files_dir), ReadTree(module_));
}

// --- Limits ----------------------------------------------------------------

TEST_P(StoreConformanceTest, QueueLimitIsResourceExhausted) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store_->Insert(MakeSubmission("c1", absl::StrCat("k", i)), QueueLimits{.queued = 3})
                  .status());
  }
  absl::Status full = store_->Insert(MakeSubmission("c1", "k3"), QueueLimits{.queued = 3}).status();
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("queue is full")));
  EXPECT_EQ(store_->QueueDepth().value(), 3);

  // A retry of an accepted submission still gets its answer.
  ASSERT_OK_AND_ASSIGN(InsertOutcome retry,
                       store_->Insert(MakeSubmission("c1", "k0"), QueueLimits{.queued = 3}));
  EXPECT_TRUE(retry.duplicate);

  // Running submissions are not queued: claiming makes room.
  ASSERT_TRUE(Next().has_value());
  ASSERT_OK(store_->Insert(MakeSubmission("c1", "k3"), QueueLimits{.queued = 3}).status());
  ASSERT_OK(store_->Insert(MakeSubmission("c1", "k4"), {}).status());  // no limit
}

TEST_P(StoreConformanceTest, QueuedLimitsPerStudentAndPerCourse) {
  QueueLimits limits{.queued_per_course = 3, .queued_per_student = 2};
  ASSERT_OK(Submit("c1", "s1", limits, "k1").status());
  ASSERT_OK(Submit("c1", "s1", limits, "k2").status());
  absl::Status student = Submit("c1", "s1", limits, "k3").status();
  EXPECT_THAT(student, StatusIs(absl::StatusCode::kResourceExhausted,
                                "student 's1' of course 'c1' has 2 submissions queued (limit 2 "
                                "per student); retry when one of them is graded"));
  EXPECT_THAT(RefusedLimitLabel(student), Optional(std::string("student_queue_limit")));

  // A classmate still gets in, up to the course's limit.
  ASSERT_OK(Submit("c1", "s2", limits).status());
  absl::Status course = Submit("c1", "s3", limits).status();
  EXPECT_THAT(course, StatusIs(absl::StatusCode::kResourceExhausted,
                               HasSubstr("course 'c1' has 3 submissions queued (limit 3 per "
                                         "course)")));
  EXPECT_THAT(RefusedLimitLabel(course), Optional(std::string("course_queue_limit")));

  // The same student id in another course is another student.
  ASSERT_OK(Submit("c2", "s1", limits).status());
  // A retry of an accepted submission gets its answer, limit or not.
  ASSERT_OK_AND_ASSIGN(InsertOutcome retry, Submit("c1", "s1", limits, "k1"));
  EXPECT_TRUE(retry.duplicate);
  // Claimed submissions are no longer queued: a claim makes room.
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->submission.submission_id(), retry.submission.submission_id());
  ASSERT_OK(Submit("c1", "s1", limits, "k3").status());
  EXPECT_EQ(store_->QueueDepth().value(), 4);
}

TEST_P(StoreConformanceTest, HourlyLimitsCountGradedSubmissionsAndSayWhenToRetry) {
  QueueLimits limits{.hourly_per_student = 2};
  ASSERT_OK(Submit("c1", "s1", limits).status());
  ASSERT_OK(Submit("c1", "s1", limits).status());
  // Graded or not, an accepted submission counts.
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK(store_->Finish(claim->submission.submission_id(), claim->claim, MakeReport(1)));

  absl::Status refused = Submit("c1", "s1", limits).status();
  EXPECT_THAT(refused,
              StatusIs(absl::StatusCode::kResourceExhausted,
                       MatchesRegex("student 's1' of course 'c1' made 2 submissions in the last "
                                    "hour \\(limit 2 per hour per student\\); retry after "
                                    "[0-9-]+T[0-9:]+Z \\(in (59m[0-9]+s|1h)\\)")));
  EXPECT_THAT(RefusedLimitLabel(refused), Optional(std::string("student_hourly_limit")));
  EXPECT_OK(Submit("c1", "s2", limits).status());  // a classmate

  QueueLimits course_limits{.hourly_per_course = 3};
  refused = Submit("c1", "s3", course_limits).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted,
                                HasSubstr("course 'c1' made 3 submissions in the last hour")));
  EXPECT_THAT(RefusedLimitLabel(refused), Optional(std::string("course_hourly_limit")));
  EXPECT_OK(Submit("c2", "s3", course_limits).status());  // another course
}

TEST_P(StoreConformanceTest, TheStudentsLimitIsNamedBeforeTheCoursesAndTheQueues) {
  QueueLimits limits{.queued = 1, .queued_per_course = 1, .queued_per_student = 1};
  ASSERT_OK(Submit("c1", "s1", limits).status());
  EXPECT_THAT(RefusedLimitLabel(Submit("c1", "s1", limits).status()),
              Optional(std::string("student_queue_limit")));
  EXPECT_THAT(RefusedLimitLabel(Submit("c1", "s2", limits).status()),
              Optional(std::string("course_queue_limit")));
  EXPECT_THAT(RefusedLimitLabel(Submit("c2", "s2", limits).status()),
              Optional(std::string("queue_full")));
}

// Inserters on two stores (as two daemons would be): the check and the
// insert are one transaction, so exactly the limit gets in.
TEST_P(StoreConformanceTest, ConcurrentInsertsCannotBothPassALimit) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, Open(Options()));
  // 6 threads x 4 inserts into `course`, thread t as student "s<t % students>".
  auto race = [&](const std::string& course, int students, const QueueLimits& limits) {
    std::atomic<int> accepted = 0, refused = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&, t] {
        Store& store = t % 2 == 0 ? *store_ : *second;
        for (int i = 0; i < 4; ++i) {
          absl::StatusOr<InsertOutcome> outcome =
              store.Insert(MakeSubmission(course, "", absl::StrCat("s", t % students)), limits);
          if (outcome.ok()) {
            ++accepted;
          } else {
            EXPECT_THAT(outcome, StatusIs(absl::StatusCode::kResourceExhausted));
            ++refused;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    return std::make_pair(accepted.load(), refused.load());
  };
  EXPECT_EQ(race("c1", 1, {.queued_per_student = 5}), std::make_pair(5, 19));
  EXPECT_EQ(race("c2", 3, {.hourly_per_course = 12}), std::make_pair(12, 12));
  EXPECT_EQ(race("c3", 2, {.queued = 20}), std::make_pair(3, 21));
  EXPECT_EQ(store_->QueueDepth().value(), 20);
}

// --- The queue: order, positions, claims -----------------------------------

TEST_P(StoreConformanceTest, QueueOrderAndPositions) {
  std::string a = Insert(), b = Insert(), c = Insert();
  EXPECT_EQ(store_->QueuePosition(a).value(), 1);
  EXPECT_EQ(store_->QueuePosition(b).value(), 2);
  EXPECT_EQ(store_->QueuePosition(c).value(), 3);
  EXPECT_EQ(store_->QueueDepth().value(), 3);

  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->submission.submission_id(), a);
  EXPECT_EQ(claim->submission.state(), Submission::RUNNING);
  EXPECT_EQ(claim->claim, 1);
  EXPECT_EQ(claim->regrade_id, "");
  EXPECT_EQ(ReadTree(claim->files_dir), ReadTree(module_));
  EXPECT_EQ(store_->Get(a).value().state(), Submission::RUNNING);
  EXPECT_EQ(store_->QueuePosition(a).value(), 0);
  EXPECT_EQ(store_->QueuePosition(b).value(), 1);
  EXPECT_EQ(store_->QueuePosition(c).value(), 2);
  EXPECT_EQ(store_->QueueDepth().value(), 2);

  EXPECT_THAT(ClaimAll(), ElementsAre(b, c));
  EXPECT_FALSE(Next().has_value());
  EXPECT_EQ(store_->QueueDepth().value(), 0);
}

TEST_P(StoreConformanceTest, ClaimsGoRoundRobinAcrossCoursesThenStudents) {
  auto add = [&](const std::string& course, const std::string& student) {
    return Insert(course, "", student);
  };
  // A flood from s1, a little from s2, then another course.
  std::vector<std::string> s1, s2, s3;
  for (int i = 0; i < 4; ++i) s1.push_back(add("c1", "s1"));
  for (int i = 0; i < 2; ++i) s2.push_back(add("c1", "s2"));
  for (int i = 0; i < 2; ++i) s3.push_back(add("c2", "s3"));
  std::vector<std::string> expected = {s1[0], s3[0], s2[0], s3[1], s1[1], s2[1], s1[2], s1[3]};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(store_->QueuePosition(expected[i]).value(), static_cast<int>(i + 1)) << i;
  }
  EXPECT_THAT(ClaimAll(), ElementsAreArray(expected));

  // Served courses and students take their turn after those never served,
  // and after those served longer ago.
  std::string c1 = add("c1", "s1"), c2 = add("c2", "s3"), c3 = add("c3", "s9");
  std::string c1_classmate = add("c1", "s4");
  EXPECT_EQ(store_->QueuePosition(c3).value(), 1);
  EXPECT_EQ(store_->QueuePosition(c2).value(), 2);  // c2 was served before c1 last
  EXPECT_EQ(store_->QueuePosition(c1_classmate).value(), 3);
  EXPECT_EQ(store_->QueuePosition(c1).value(), 4);
  EXPECT_THAT(ClaimAll(), ElementsAreArray({c3, c2, c1_classmate, c1}));
}

TEST_P(StoreConformanceTest, InteractiveBeforeBatchBeforeRegradeItems) {
  std::string graded = Done(MakeReport(10), "c9", "s9");
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {graded}));
  std::string batch_a = InsertBatch("c1", "s1"), batch_b = InsertBatch("c1", "s1");
  std::string batch_c = InsertBatch("c2", "s2");
  std::string interactive_a = Insert("c1", "", "s1"), interactive_b = Insert("c3", "", "s3");
  // Batch work waits behind every interactive submission, and is fair
  // among its own courses.
  EXPECT_EQ(store_->QueuePosition(interactive_a).value(), 1);
  EXPECT_EQ(store_->QueuePosition(interactive_b).value(), 2);
  EXPECT_EQ(store_->QueuePosition(batch_a).value(), 3);
  EXPECT_EQ(store_->QueuePosition(batch_c).value(), 4);
  EXPECT_EQ(store_->QueuePosition(batch_b).value(), 5);
  EXPECT_EQ(store_->QueueDepth().value(), 6);

  std::optional<Claim> first = Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->submission.submission_id(), interactive_a);
  // Interactive work arriving later still goes before the batch.
  std::string later = Insert("c1", "", "s7");
  EXPECT_EQ(store_->QueuePosition(later).value(), 2);
  std::vector<std::string> order = {first->submission.submission_id()};
  for (std::string id : ClaimAll()) order.push_back(std::move(id));
  EXPECT_THAT(order,
              ElementsAre(interactive_a, interactive_b, later, batch_a, batch_c, batch_b, graded));
  ASSERT_OK_AND_ASSIGN(Regrade running, store_->GetRegrade(regrade.regrade_id));
  EXPECT_EQ(running.items[0].state, State::kPending);  // claimed, not graded yet
}

// Whatever mix of inserts (interactive and batch) and claims came before,
// the positions of the queued submissions are the order in which they are
// then claimed.
TEST_P(StoreConformanceTest, QueuePositionsAreTheClaimOrder) {
  std::mt19937 random(20260101);
  std::set<std::string> queued;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 30; ++i) {
      if (random() % 3 == 0) {
        if (std::optional<Claim> claim = Next()) queued.erase(claim->submission.submission_id());
      } else {
        std::string course = absl::StrCat("c", random() % 3),
                    student = absl::StrCat("s", random() % 4);
        queued.insert(random() % 4 == 0 ? InsertBatch(course, student)
                                        : Insert(course, "", student));
      }
    }
    std::vector<std::string> by_position(queued.size());
    for (const std::string& id : queued) {
      ASSERT_OK_AND_ASSIGN(int position, store_->QueuePosition(id));
      ASSERT_GE(position, 1);
      ASSERT_LE(position, static_cast<int>(queued.size()));
      ASSERT_EQ(by_position[position - 1], "") << "two submissions at position " << position;
      by_position[position - 1] = id;
    }
    EXPECT_THAT(ClaimAll(), ElementsAreArray(by_position)) << "round " << round;
    queued.clear();
  }
}

// Inserters and claimers on two stores (as two daemons would be): every
// submission is claimed exactly once.
TEST_P(StoreConformanceTest, ConcurrentInsertsAndClaimsClaimEachSubmissionOnce) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, Open(Options()));
  constexpr int kInserters = 4, kPerInserter = 25, kClaimers = 4;
  auto [inserted, claimed, errors] = RaceInsertsAndClaims(
      *store_, *second, kInserters, kPerInserter, kClaimers, [&](int t, int i) {
        return MakeSubmission(absl::StrCat("c", i % 3), absl::StrCat("t", t, "-", i),
                              absl::StrCat("s", t));
      });
  EXPECT_THAT(errors, IsEmpty());
  ASSERT_EQ(inserted.size(), static_cast<size_t>(kInserters * kPerInserter));
  EXPECT_EQ(claimed.size(), inserted.size());
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()),
            std::set<std::string>(inserted.begin(), inserted.end()));
  for (const std::string& id : inserted) {
    ASSERT_OK_AND_ASSIGN(Submission done, store_->Get(id));
    EXPECT_EQ(done.state(), Submission::DONE);
    EXPECT_EQ(done.report().score(), 1);
  }
}

// --- Finish, cancel, requeue, recover ---------------------------------------

TEST_P(StoreConformanceTest, FinishStoresTheReportOnce) {
  std::string id = Insert();
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  GradeReport report = MakeReport(87.125);
  ASSERT_OK(store_->Finish(id, claim->claim, report));

  ASSERT_OK_AND_ASSIGN(Submission done, store_->Get(id));
  EXPECT_EQ(done.state(), Submission::DONE);
  EXPECT_THAT(done.finished_at(), MatchesRegex("[0-9T:.-]+Z"));
  EXPECT_GE(done.finished_at(), done.submitted_at());
  EXPECT_TRUE(MessageDifferencer::Equals(done.report(), report));

  // The same claim again, or a wrong claim number: refused, nothing changes.
  EXPECT_THAT(store_->Finish(id, claim->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not current")));
  EXPECT_THAT(store_->Finish(id, claim->claim + 1, MakeReport(2)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(Submission unchanged, store_->Get(id));
  EXPECT_TRUE(MessageDifferencer::Equals(unchanged, done));
}

TEST_P(StoreConformanceTest, FinishWithStaleClaimFailsAndChangesNothing) {
  std::string id = Insert();
  std::optional<Claim> stale = Next();
  ASSERT_TRUE(stale.has_value());
  // A crash: the worker holding `stale` is presumed dead.
  EXPECT_THAT(store_->RecoverAfterCrash(), IsOkAndHolds(1));
  // Stale while queued again...
  EXPECT_THAT(store_->Finish(id, stale->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  std::optional<Claim> current = Next();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->submission.submission_id(), id);
  EXPECT_EQ(current->claim, stale->claim + 1);
  // ...and while someone else holds the current claim.
  EXPECT_THAT(store_->Finish(id, stale->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(Submission running, store_->Get(id));
  EXPECT_EQ(running.state(), Submission::RUNNING);
  EXPECT_FALSE(running.has_report());
  EXPECT_EQ(running.finished_at(), "");

  ASSERT_OK(store_->Finish(id, current->claim, MakeReport(2)));
  EXPECT_EQ(store_->Get(id).value().report().score(), 2);
}

TEST_P(StoreConformanceTest, Cancel) {
  std::string done = Insert(), running = Insert(), queued = Insert();
  FinishNext(done, MakeReport(10));
  std::optional<Claim> running_claim = Next();
  ASSERT_TRUE(running_claim.has_value());
  ASSERT_EQ(running_claim->submission.submission_id(), running);

  ASSERT_OK_AND_ASSIGN(Submission cancelled_queued, store_->Cancel(queued));
  EXPECT_EQ(cancelled_queued.state(), Submission::CANCELLED);
  EXPECT_NE(cancelled_queued.finished_at(), "");
  EXPECT_EQ(store_->QueueDepth().value(), 0);
  EXPECT_EQ(store_->QueuePosition(queued).value(), 0);
  EXPECT_FALSE(Next().has_value());

  ASSERT_OK_AND_ASSIGN(Submission cancelled_running, store_->Cancel(running));
  EXPECT_EQ(cancelled_running.state(), Submission::CANCELLED);
  // The worker's result is dropped, and it is told to stop.
  EXPECT_THAT(store_->Finish(running, running_claim->claim, MakeReport(5)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->RenewLease(*running_claim), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(store_->Get(running).value().state(), Submission::CANCELLED);
  EXPECT_FALSE(store_->Get(running).value().has_report());

  // A finished grading is left as it is (and comes with its report).
  ASSERT_OK_AND_ASSIGN(Submission before, store_->Get(done));
  ASSERT_OK_AND_ASSIGN(Submission not_cancelled, store_->Cancel(done));
  EXPECT_EQ(not_cancelled.state(), Submission::DONE);
  EXPECT_TRUE(MessageDifferencer::Equals(not_cancelled, before));

  // Cancelling twice changes nothing the second time.
  ASSERT_OK_AND_ASSIGN(Submission twice, store_->Cancel(queued));
  EXPECT_TRUE(MessageDifferencer::Equals(twice, cancelled_queued));
}

TEST_P(StoreConformanceTest, RequeueGradesAgainAndReturnsTheLatest) {
  std::string id = Insert();
  std::optional<Claim> first = Next();
  ASSERT_TRUE(first.has_value());
  ASSERT_OK(store_->Finish(id, first->claim, MakeReport(40)));
  std::string newer = Insert();

  ASSERT_OK_AND_ASSIGN(InsertOutcome requeued, store_->Requeue(id));
  EXPECT_FALSE(requeued.duplicate);
  EXPECT_EQ(requeued.submission.state(), Submission::QUEUED);
  EXPECT_EQ(requeued.submission.regrades(), 1);
  EXPECT_EQ(requeued.submission.finished_at(), "");
  // A regrade waits behind what was queued before it.
  EXPECT_EQ(requeued.queue_position, 2);
  EXPECT_EQ(store_->QueuePosition(newer).value(), 1);

  // Already queued or running: refused.
  EXPECT_THAT(store_->Requeue(id), StatusIs(absl::StatusCode::kFailedPrecondition));
  // While the regrade waits, the earlier report is still the current one.
  ASSERT_OK_AND_ASSIGN(Submission waiting, store_->Get(id));
  EXPECT_EQ(waiting.state(), Submission::QUEUED);
  EXPECT_EQ(waiting.regrades(), 1);
  EXPECT_EQ(waiting.report().score(), 40);

  EXPECT_EQ(Next()->submission.submission_id(), newer);
  std::optional<Claim> second = Next();
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->submission.submission_id(), id);
  EXPECT_EQ(second->claim, first->claim + 1);
  EXPECT_THAT(store_->Requeue(id), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(store_->Finish(id, second->claim, MakeReport(90)));

  ASSERT_OK_AND_ASSIGN(Submission regraded, store_->Get(id));
  EXPECT_EQ(regraded.state(), Submission::DONE);
  EXPECT_EQ(regraded.regrades(), 1);
  EXPECT_EQ(regraded.report().score(), 90);

  // A cancelled submission can be graded again too.
  std::string cancelled = Insert();
  ASSERT_OK(store_->Cancel(cancelled).status());
  ASSERT_OK_AND_ASSIGN(InsertOutcome revived, store_->Requeue(cancelled));
  EXPECT_EQ(revived.submission.state(), Submission::QUEUED);
  EXPECT_EQ(revived.submission.regrades(), 1);
  EXPECT_EQ(revived.queue_position, 1);
}

TEST_P(StoreConformanceTest, RecoverAfterCrashRequeuesRunningAtTheFront) {
  std::string a = Insert(), b = Insert(), c = Insert(), d = Insert();
  std::optional<Claim> claim_a = Next(), claim_b = Next(), claim_c = Next();
  ASSERT_TRUE(claim_b.has_value());
  ASSERT_OK(store_->Finish(b, claim_b->claim, MakeReport(1)));
  std::string e = Insert();

  Reopen();                                                   // the "restart", as the same node
  EXPECT_THAT(store_->RecoverAfterCrash(), IsOkAndHolds(2));  // a and c
  EXPECT_EQ(store_->Get(b).value().state(), Submission::DONE);
  // Interrupted gradings first, in their original order, then the queue.
  EXPECT_THAT(ClaimAll(), ElementsAre(a, c, d, e));
  EXPECT_THAT(store_->RecoverAfterCrash(), IsOkAndHolds(4));
  EXPECT_THAT(store_->RecoverAfterCrash(), IsOkAndHolds(0));
}

TEST_P(StoreConformanceTest, RecoveryPutsAnInterruptedGradingFirstInItsStudentsLine) {
  std::string a = Insert("c1", "", "s1"), b = Insert("c1", "", "s1");
  std::string other = Insert("c2", "", "s2");
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->submission.submission_id(), a);
  Reopen();  // the "restart"
  EXPECT_THAT(store_->RecoverAfterCrash(), IsOkAndHolds(1));
  // c2 was never served: it goes first; then a (claim 2), then b.
  EXPECT_THAT(ClaimAll(), ElementsAre(other, a, b));
  EXPECT_THAT(store_->Finish(a, claim->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// --- Leases -------------------------------------------------------------------

TEST_P(StoreConformanceTest, RenewLeaseKeepsAClaimPastItsLease) {
  StoreOptions options = Options();
  options.lease = absl::Milliseconds(600);
  Reopen(options);
  std::string id = Insert();
  absl::Time before = absl::Now();
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  EXPECT_GT(claim->lease_expires, before + absl::Milliseconds(300));
  EXPECT_LT(claim->lease_expires, absl::Now() + absl::Seconds(5));
  for (int i = 0; i < 4; ++i) {
    absl::SleepFor(absl::Milliseconds(300));
    ASSERT_OK(store_->RenewLease(*claim));
    ASSERT_OK_AND_ASSIGN(Reaped reaped, store_->ReapExpiredLeases());
    EXPECT_THAT(reaped.requeued, IsEmpty());
    EXPECT_THAT(reaped.failed, IsEmpty());
  }
  ASSERT_OK(store_->Finish(id, claim->claim, MakeReport(70)));
  EXPECT_THAT(store_->RenewLease(*claim), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_P(StoreConformanceTest, AnExpiredClaimIsQueuedAgainAndItsWorkerFenced) {
  StoreOptions options = Options();
  options.lease = absl::Milliseconds(800);  // room for a slow machine before the early reap
  Reopen(options);
  std::string id = Insert(), other = Insert("c1", "", "s2");
  std::optional<Claim> lost = Next();
  ASSERT_TRUE(lost.has_value());
  ASSERT_EQ(lost->submission.submission_id(), id);
  ASSERT_OK_AND_ASSIGN(Reaped early, store_->ReapExpiredLeases());
  EXPECT_THAT(early.requeued, IsEmpty());

  absl::SleepFor(absl::Milliseconds(1000));
  ASSERT_OK_AND_ASSIGN(Reaped reaped, store_->ReapExpiredLeases());
  EXPECT_THAT(reaped.requeued, ElementsAre(id));
  EXPECT_THAT(reaped.failed, IsEmpty());
  EXPECT_EQ(store_->Get(id).value().state(), Submission::QUEUED);
  // Next in line (its turns given back); the lost worker is fenced.
  EXPECT_THAT(store_->RenewLease(*lost), StatusIs(absl::StatusCode::kFailedPrecondition));
  std::optional<Claim> again = Next();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->submission.submission_id(), id);
  EXPECT_EQ(again->claim, lost->claim + 1);
  EXPECT_THAT(store_->RenewLease(*lost), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->Finish(id, lost->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(store_->Finish(id, again->claim, MakeReport(80)));
  EXPECT_EQ(Current(id).score(), 80);
  again = Next();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->submission.submission_id(), other);
}

TEST_P(StoreConformanceTest, ClaimsLostMaxAttemptsTimesEndGradingFailed) {
  StoreOptions options = Options();
  options.lease = absl::Milliseconds(100);
  options.max_attempts = 2;
  Reopen(options);
  std::string graded = Done(MakeReport(55), "c2", "s2");
  ASSERT_OK(store_->Requeue(graded).status());
  std::string fresh = Insert();
  for (int attempt = 1; attempt <= 2; ++attempt) {
    std::set<std::string> claimed;
    while (std::optional<Claim> claim = Next()) claimed.insert(claim->submission.submission_id());
    EXPECT_EQ(claimed, (std::set<std::string>{fresh, graded})) << attempt;
    absl::SleepFor(absl::Milliseconds(250));
    ASSERT_OK_AND_ASSIGN(Reaped reaped, store_->ReapExpiredLeases());
    std::set<std::string> requeued(reaped.requeued.begin(), reaped.requeued.end());
    std::set<std::string> failed(reaped.failed.begin(), reaped.failed.end());
    EXPECT_EQ(attempt < 2 ? requeued : failed, claimed) << attempt;
    EXPECT_THAT(attempt < 2 ? failed : requeued, IsEmpty()) << attempt;
  }
  ASSERT_OK_AND_ASSIGN(Submission failed, store_->Get(fresh));
  EXPECT_EQ(failed.state(), Submission::DONE);
  EXPECT_NE(failed.finished_at(), "");
  EXPECT_EQ(failed.report().status(), GradeReport::GRADING_FAILED);
  EXPECT_THAT(failed.report().error(), HasSubstr("lost 2 times"));
  // A GRADED report stays current.
  ASSERT_OK_AND_ASSIGN(Submission kept, store_->Get(graded));
  EXPECT_EQ(kept.state(), Submission::DONE);
  EXPECT_EQ(kept.report().status(), GradeReport::GRADED);
  EXPECT_EQ(kept.report().score(), 55);
  EXPECT_EQ(store_->QueueDepth().value(), 0);
  // A requeue starts counting again.
  ASSERT_OK(store_->Requeue(fresh).status());
  FinishNext(fresh, MakeReport(99));
  EXPECT_EQ(Current(fresh).score(), 99);
}

TEST_P(StoreConformanceTest, ARegradeItemsLeaseIsReapedLikeASubmissions) {
  StoreOptions options = Options();
  options.lease = absl::Milliseconds(150);
  options.max_attempts = 2;
  Reopen(options);
  std::string id = Done(MakeReport(30));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {id}));
  std::optional<Claim> first = Next();
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->regrade_id, regrade.regrade_id);
  ASSERT_OK(store_->RenewLease(*first));
  absl::SleepFor(absl::Milliseconds(350));
  ASSERT_OK_AND_ASSIGN(Reaped reaped, store_->ReapExpiredLeases());
  EXPECT_THAT(reaped.requeued, ElementsAre(id));
  EXPECT_EQ(store_->QueueDepth().value(), 1);
  EXPECT_THAT(store_->RenewLease(*first), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, id, first->claim, MakeReport(90)),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  std::optional<Claim> second = Next();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->claim, first->claim + 1);
  absl::SleepFor(absl::Milliseconds(350));
  ASSERT_OK_AND_ASSIGN(reaped, store_->ReapExpiredLeases());
  EXPECT_THAT(reaped.failed, ElementsAre(id));
  EXPECT_FALSE(Next().has_value());
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  EXPECT_EQ(got.items[0].state, State::kFailed);
  EXPECT_FALSE(got.items[0].applied);
  EXPECT_EQ(got.items[0].after, std::nullopt);
  EXPECT_EQ(Current(id).score(), 30);
}

// --- Events and news ----------------------------------------------------------

TEST_P(StoreConformanceTest, EventsGetSequencesPerSubmission) {
  std::string id = Insert(), other = Insert();
  WatchEvent queued;
  queued.mutable_queued()->set_position(1);
  ASSERT_OK_AND_ASSIGN(WatchEvent first, store_->AppendEvent(id, queued));
  EXPECT_EQ(first.sequence(), 1);
  EXPECT_THAT(first.time(), MatchesRegex("[0-9T:.-]+Z"));

  WatchEvent started;
  started.mutable_step_started()->set_label("go build");
  started.set_time("2024-01-02T03:04:05Z");  // kept when given
  ASSERT_OK_AND_ASSIGN(WatchEvent second, store_->AppendEvent(id, started));
  EXPECT_EQ(second.sequence(), 2);
  EXPECT_EQ(second.time(), "2024-01-02T03:04:05Z");

  WatchEvent finished;
  finished.mutable_finished()->set_submission_id(id);
  finished.set_sequence(77);  // assigned by the store, whatever the caller says
  ASSERT_OK_AND_ASSIGN(WatchEvent third, store_->AppendEvent(id, finished));
  EXPECT_EQ(third.sequence(), 3);

  ASSERT_OK_AND_ASSIGN(WatchEvent other_first, store_->AppendEvent(other, queued));
  EXPECT_EQ(other_first.sequence(), 1);

  ASSERT_OK_AND_ASSIGN(std::vector<WatchEvent> all, store_->EventsAfter(id, 0));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(MessageDifferencer::Equals(all[0], first));
  EXPECT_TRUE(MessageDifferencer::Equals(all[1], second));
  EXPECT_TRUE(MessageDifferencer::Equals(all[2], third));
  EXPECT_EQ(all[2].finished().submission_id(), id);

  ASSERT_OK_AND_ASSIGN(std::vector<WatchEvent> tail, store_->EventsAfter(id, 2));
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].sequence(), 3);
  EXPECT_THAT(store_->EventsAfter(id, 3), IsOkAndHolds(IsEmpty()));
  EXPECT_EQ(store_->EventsAfter(other, 0).value().size(), 1u);
}

TEST_P(StoreConformanceTest, ConcurrentEventsGetDistinctSequences) {
  std::string id = Insert();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, Open(Options()));
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *store_ : *second;
      for (int i = 0; i < 10; ++i) {
        WatchEvent event;
        event.mutable_step_started()->set_label(absl::StrCat(t, "-", i));
        if (!store.AppendEvent(id, event).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(std::vector<WatchEvent> events, store_->EventsAfter(id, 0));
  ASSERT_EQ(events.size(), 40u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].sequence(), i + 1);
}

TEST_P(StoreConformanceTest, TheListenerHearsQueuedCancelledAndEvents) {
  NewsLog& log = news_;
  store_->SetNewsListener(log.Listener());
  std::string id = Insert();
  EXPECT_TRUE(log.WaitFor(News::Kind::kQueued, id));
  WatchEvent event;
  event.mutable_queued()->set_position(1);
  ASSERT_OK(store_->AppendEvent(id, event).status());
  EXPECT_TRUE(log.WaitFor(News::Kind::kEvent, id));
  ASSERT_OK(store_->Cancel(id).status());
  EXPECT_TRUE(log.WaitFor(News::Kind::kCancelled, id));
  ASSERT_OK(store_->Requeue(id).status());
  EXPECT_TRUE(log.WaitFor(News::Kind::kQueued, id));
}

TEST_P(StoreConformanceTest, TheListenerHearsARegradeQueued) {
  std::string id = Done(MakeReport(1));
  NewsLog& log = news_;
  store_->SetNewsListener(log.Listener());
  ASSERT_OK(store_->StartRegrade(Spec(), {id}).status());
  EXPECT_TRUE(log.WaitForAny(News::Kind::kQueued));
}

// --- Current reports and regrades ----------------------------------------------

TEST_P(StoreConformanceTest, AFailedGradingNeverReplacesAGradedReport) {
  std::string id = Done(MakeReport(70));
  RequeueAndFinish(id, FailedReport());
  ASSERT_OK_AND_ASSIGN(Submission done, store_->Get(id));
  EXPECT_EQ(done.state(), Submission::DONE);
  EXPECT_EQ(done.regrades(), 1);
  EXPECT_EQ(done.report().status(), GradeReport::GRADED);
  EXPECT_EQ(done.report().score(), 70);
  // A later GRADED report still replaces it.
  RequeueAndFinish(id, MakeReport(65));
  EXPECT_EQ(Current(id).score(), 65);
}

TEST_P(StoreConformanceTest, AGradedReportReplacesAFailedOne) {
  std::string id = Done(FailedReport());
  EXPECT_EQ(Current(id).status(), GradeReport::GRADING_FAILED);
  RequeueAndFinish(id, MakeReport(80));
  EXPECT_EQ(Current(id).status(), GradeReport::GRADED);
  EXPECT_EQ(Current(id).score(), 80);
}

TEST_P(StoreConformanceTest, FinishedListsTheDoneSubmissionsOfAnExerciseOldestFirst) {
  std::string a = Done(MakeReport(1), "c1");
  std::string b = Done(MakeReport(2), "c2", "s2");
  Done(MakeReport(3), "c1", "s1", "phase1/other");
  std::string cancelled = Insert("c1");
  ASSERT_OK(store_->Cancel(cancelled).status());
  std::string c = Done(MakeReport(4), "c1", "s3");
  Insert("c1");  // queued

  auto ids_and_scores = [](const std::vector<Submission>& submissions) {
    std::vector<std::pair<std::string, double>> out;
    for (const Submission& s : submissions) out.emplace_back(s.submission_id(), s.report().score());
    return out;
  };
  ASSERT_OK_AND_ASSIGN(std::vector<Submission> all, store_->Finished(kExercise, ""));
  EXPECT_THAT(ids_and_scores(all),
              ElementsAre(std::make_pair(a, 1.0), std::make_pair(b, 2.0), std::make_pair(c, 4.0)));
  ASSERT_OK_AND_ASSIGN(std::vector<Submission> c1, store_->Finished(kExercise, "c1"));
  EXPECT_THAT(ids_and_scores(c1), ElementsAre(std::make_pair(a, 1.0), std::make_pair(c, 4.0)));
  EXPECT_EQ(c1[0].state(), Submission::DONE);
  EXPECT_EQ(c1[0].course_id(), "c1");
  EXPECT_THAT(store_->Finished("phase9/none", ""), IsOkAndHolds(IsEmpty()));
}

TEST_P(StoreConformanceTest, StartRegradeRejectsWhatItCannotRegradeAndWritesNothing) {
  std::string done = Done(MakeReport(10));
  std::string other_course = Done(MakeReport(10), "c2");
  std::string other_exercise = Done(MakeReport(10), "c1", "s1", "phase1/other");
  std::string queued = Insert();

  struct Case {
    std::vector<std::string> ids;
    std::string message;
  };
  const Case cases[] = {
      {{}, "at least one submission"},
      {{done, "nope"}, "submission 'nope' not found"},
      {{done, queued}, absl::StrCat("submission '", queued, "' is QUEUED, not DONE")},
      {{other_exercise, done},
       absl::StrCat("submission '", other_exercise, "' is of exercise 'phase1/other'")},
      {{done, other_course}, absl::StrCat("submission '", other_course, "' is of course 'c2'")},
      {{done, done}, absl::StrCat("submission '", done, "' is listed twice")},
  };
  RegradeSpec spec = Spec();
  spec.course_id = "c1";
  for (const Case& c : cases) {
    EXPECT_THAT(store_->StartRegrade(spec, c.ids),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.message;
  }
  EXPECT_EQ(store_->QueueDepth().value(), 1);  // the queued submission, no item
  ASSERT_EQ(Next()->submission.submission_id(), queued);
  EXPECT_FALSE(Next().has_value());

  // Every course: the course is not checked.
  EXPECT_OK(store_->StartRegrade(Spec(), {done, other_course}).status());
}

TEST_P(StoreConformanceTest, StartRegradeRecordsTheSpecAndTheItemsInTheGivenOrder) {
  std::string a = Done(MakeReport(40), "c1", "s1");
  std::string b = Done(FailedReport(), "c1", "s2");
  RegradeSpec spec = Spec(/*dry_run=*/true, /*keep_max=*/true);
  spec.course_id = "c1";
  spec.scope = "latest-per-student";
  ASSERT_OK_AND_ASSIGN(Regrade started, store_->StartRegrade(spec, {b, a}));
  EXPECT_THAT(started.regrade_id, MatchesRegex("rg-[0-9a-f]{32}"));
  EXPECT_THAT(started.created_at, MatchesRegex("[0-9T:.-]+Z"));
  EXPECT_FALSE(started.reverted);
  ASSERT_EQ(started.items.size(), 2u);
  EXPECT_EQ(started.items[0].submission_id, b);
  EXPECT_EQ(started.items[0].student_id, "s2");
  EXPECT_EQ(started.items[0].course_id, "c1");
  EXPECT_EQ(started.items[0].before, std::nullopt);  // not GRADED
  EXPECT_EQ(started.items[1].submission_id, a);
  EXPECT_THAT(started.items[1].before, Optional(40.0));
  for (const RegradeItem& item : started.items) {
    EXPECT_EQ(item.state, State::kPending);
    EXPECT_EQ(item.after, std::nullopt);
    EXPECT_FALSE(item.applied);
  }

  Reopen();
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(started.regrade_id));
  EXPECT_EQ(got.spec.exercise_id, kExercise);
  EXPECT_EQ(got.spec.course_id, "c1");
  EXPECT_EQ(got.spec.scope, "latest-per-student");
  EXPECT_TRUE(got.spec.dry_run);
  EXPECT_TRUE(got.spec.keep_max);
  EXPECT_EQ(got.spec.rubric_digest, "sha256:rubric");
  EXPECT_EQ(got.created_at, started.created_at);
  ASSERT_EQ(got.items.size(), 2u);
  EXPECT_EQ(got.items[0].submission_id, b);
  EXPECT_EQ(got.items[1].submission_id, a);
  EXPECT_THAT(store_->GetRegrade("rg-nope"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, QueuedSubmissionsGoBeforeRegradeItemsWhichGoInOrder) {
  std::string a = Done(MakeReport(1)), b = Done(MakeReport(2), "c2", "s2");
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {b, a}));
  std::string later = Insert("c3");
  EXPECT_EQ(store_->QueueDepth().value(), 3);

  std::optional<Claim> first = Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->submission.submission_id(), later);
  EXPECT_EQ(first->regrade_id, "");

  std::optional<Claim> item_b = Next();
  ASSERT_TRUE(item_b.has_value());
  EXPECT_EQ(item_b->submission.submission_id(), b);
  EXPECT_EQ(item_b->regrade_id, regrade.regrade_id);
  EXPECT_EQ(item_b->claim, 1);
  EXPECT_EQ(item_b->submission.state(), Submission::DONE);
  EXPECT_EQ(item_b->submission.course_id(), "c2");
  EXPECT_EQ(ReadTree(item_b->files_dir), ReadTree(module_));
  EXPECT_EQ(store_->QueueDepth().value(), 1);  // item a; the running ones are not queued

  // A submission arriving while a regrade runs still goes first.
  std::string interactive = Insert("c2", "", "s2");
  EXPECT_EQ(store_->QueuePosition(interactive).value(), 1);
  EXPECT_EQ(Next()->submission.submission_id(), interactive);
  std::optional<Claim> item_a = Next();
  ASSERT_TRUE(item_a.has_value());
  EXPECT_EQ(item_a->submission.submission_id(), a);
  EXPECT_EQ(item_a->regrade_id, regrade.regrade_id);
  EXPECT_FALSE(Next().has_value());
  EXPECT_EQ(store_->QueueDepth().value(), 0);
}

TEST_P(StoreConformanceTest, TheSubmissionStaysDoneWithItsReportWhileItsItemRuns) {
  std::string id = Done(MakeReport(50));
  ASSERT_OK_AND_ASSIGN(Submission before, store_->Get(id));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {id}));
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_EQ(claim->regrade_id, regrade.regrade_id);

  ASSERT_OK_AND_ASSIGN(Submission running, store_->Get(id));
  EXPECT_TRUE(MessageDifferencer::Equals(running, before));
  EXPECT_EQ(store_->QueuePosition(id).value(), 0);
  // The item's claim is not a claim of the submission.
  EXPECT_THAT(store_->Finish(id, claim->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(Regrade pending, store_->GetRegrade(regrade.regrade_id));
  EXPECT_EQ(pending.items[0].state, State::kPending);

  ASSERT_OK(store_->FinishRegrade(regrade.regrade_id, id, claim->claim, MakeReport(90)));
  ASSERT_OK_AND_ASSIGN(Submission after, store_->Get(id));
  EXPECT_EQ(after.state(), Submission::DONE);
  EXPECT_EQ(after.report().score(), 90);
  EXPECT_EQ(after.regrades(), before.regrades());
  EXPECT_EQ(after.finished_at(), before.finished_at());
  ASSERT_OK_AND_ASSIGN(Regrade finished, store_->GetRegrade(regrade.regrade_id));
  const RegradeItem& item = finished.items[0];
  EXPECT_EQ(item.state, State::kGraded);
  EXPECT_THAT(item.before, Optional(50.0));
  EXPECT_THAT(item.after, Optional(90.0));
  EXPECT_TRUE(item.applied);
  EXPECT_EQ(item.note, "");
}

TEST_P(StoreConformanceTest, FinishRegradeTakesOnlyTheCurrentClaimOnce) {
  std::string id = Done(MakeReport(50));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {id}));
  // Not claimed yet.
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, id, 0, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, id, claim->claim + 1, MakeReport(2)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not current")));
  EXPECT_THAT(store_->FinishRegrade("rg-nope", id, claim->claim, MakeReport(3)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, "nope", claim->claim, MakeReport(3)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Current(id).score(), 50);

  ASSERT_OK(store_->FinishRegrade(regrade.regrade_id, id, claim->claim, MakeReport(60)));
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, id, claim->claim, MakeReport(70)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Current(id).score(), 60);
}

TEST_P(StoreConformanceTest, ADryRunRecordsScoresButChangesNoCurrentReport) {
  std::string a = Done(MakeReport(50)), b = Done(MakeReport(70));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(/*dry_run=*/true), {a, b}));
  FinishNextItem(a, MakeReport(90));
  FinishNextItem(b, MakeReport(30));
  EXPECT_EQ(Current(a).score(), 50);
  EXPECT_EQ(Current(b).score(), 70);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  ASSERT_EQ(got.items.size(), 2u);
  EXPECT_THAT(got.items[0].after, Optional(90.0));
  EXPECT_THAT(got.items[1].after, Optional(30.0));
  for (const RegradeItem& item : got.items) {
    EXPECT_EQ(item.state, State::kGraded);
    EXPECT_FALSE(item.applied);
    EXPECT_EQ(item.note, "dry run");
  }
  // Nothing to restore.
  EXPECT_THAT(store_->RevertRegrade(regrade.regrade_id), IsOkAndHolds(0));
  EXPECT_EQ(Current(a).score(), 50);
}

TEST_P(StoreConformanceTest, KeepMaxKeepsAHigherCurrentScore) {
  std::string high = Done(MakeReport(80)), low = Done(MakeReport(40));
  ASSERT_OK_AND_ASSIGN(Regrade keep_max,
                       store_->StartRegrade(Spec(false, /*keep_max=*/true), {high, low}));
  FinishNextItem(high, MakeReport(60));
  FinishNextItem(low, MakeReport(60));
  EXPECT_EQ(Current(high).score(), 80);
  EXPECT_EQ(Current(low).score(), 60);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(keep_max.regrade_id));
  EXPECT_FALSE(got.items[0].applied);
  EXPECT_EQ(got.items[0].note, "keep-max: the current score is higher");
  EXPECT_THAT(got.items[0].after, Optional(60.0));
  EXPECT_TRUE(got.items[1].applied);

  // Without keep_max a lower score replaces it (a second regrade of the
  // same submission: its report does not collide with the first's).
  ASSERT_OK(store_->StartRegrade(Spec(), {high}).status());
  FinishNextItem(high, MakeReport(60));
  EXPECT_EQ(Current(high).score(), 60);
}

TEST_P(StoreConformanceTest, AFailedRegradeNeverReplacesAGradedReport) {
  std::string graded = Done(MakeReport(75)), failed = Done(FailedReport());
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {graded, failed}));
  FinishNextItem(graded, FailedReport());
  FinishNextItem(failed, MakeReport(55));
  EXPECT_EQ(Current(graded).status(), GradeReport::GRADED);
  EXPECT_EQ(Current(graded).score(), 75);
  EXPECT_EQ(Current(failed).score(), 55);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  const RegradeItem& kept = got.items[0];
  EXPECT_EQ(kept.state, State::kFailed);
  EXPECT_THAT(kept.before, Optional(75.0));
  EXPECT_EQ(kept.after, std::nullopt);
  EXPECT_FALSE(kept.applied);
  EXPECT_EQ(kept.note, "grading failed on our side: the GRADED report stays");
  EXPECT_EQ(got.items[1].state, State::kGraded);
  EXPECT_EQ(got.items[1].before, std::nullopt);
  EXPECT_TRUE(got.items[1].applied);
}

TEST_P(StoreConformanceTest, ARegradeComparesWithTheReportCurrentWhenItFinishes) {
  std::string id = Done(MakeReport(30));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(false, /*keep_max=*/true), {id}));
  // A single regrade finishes first and raises the score.
  RequeueAndFinish(id, MakeReport(90));
  FinishNextItem(id, MakeReport(60));
  EXPECT_EQ(Current(id).score(), 90);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  EXPECT_THAT(got.items[0].before, Optional(30.0));
  EXPECT_EQ(got.items[0].note, "keep-max: the current score is higher");
}

TEST_P(StoreConformanceTest, RevertRestoresTheReportsCurrentAtTheStartOnce) {
  std::string a = Done(MakeReport(50)), b = Done(MakeReport(60)), c = Done(MakeReport(70));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {a, b, c}));
  FinishNextItem(a, MakeReport(90));
  FinishNextItem(b, FailedReport());
  FinishNextItem(c, MakeReport(20));
  // c is graded again after the regrade: that report stays.
  RequeueAndFinish(c, MakeReport(33));

  EXPECT_THAT(store_->RevertRegrade(regrade.regrade_id), IsOkAndHolds(1));
  EXPECT_EQ(Current(a).score(), 50);
  EXPECT_EQ(Current(b).score(), 60);
  EXPECT_EQ(Current(c).score(), 33);
  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  EXPECT_TRUE(got.reverted);

  EXPECT_THAT(store_->RevertRegrade(regrade.regrade_id),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already reverted")));
  EXPECT_EQ(Current(a).score(), 50);
  EXPECT_THAT(store_->RevertRegrade("rg-nope"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, ARevertedRegradesRemainingItemsAreNeverGraded) {
  std::string a = Done(MakeReport(1)), b = Done(MakeReport(2)), c = Done(MakeReport(3));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {a, b, c}));
  FinishNextItem(a, MakeReport(10));
  std::optional<Claim> running = Next();
  ASSERT_TRUE(running.has_value());
  ASSERT_EQ(running->submission.submission_id(), b);
  EXPECT_EQ(store_->QueueDepth().value(), 1);

  EXPECT_THAT(store_->RevertRegrade(regrade.regrade_id), IsOkAndHolds(1));
  EXPECT_EQ(store_->QueueDepth().value(), 0);
  EXPECT_FALSE(Next().has_value());
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, b, running->claim, MakeReport(20)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->RenewLease(*running), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->RecoverAfterCrash(), IsOkAndHolds(0));
  EXPECT_FALSE(Next().has_value());
  EXPECT_EQ(Current(b).score(), 2);

  ASSERT_OK_AND_ASSIGN(Regrade got, store_->GetRegrade(regrade.regrade_id));
  EXPECT_TRUE(got.items[0].applied);
  for (int i : {1, 2}) {
    EXPECT_EQ(got.items[i].state, State::kPending);
    EXPECT_EQ(got.items[i].note, "dropped: the regrade was reverted");
  }
}

TEST_P(StoreConformanceTest, RecoverAfterCrashRequeuesARunningItem) {
  std::string a = Done(MakeReport(40));
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {a}));
  std::string b = Insert();
  ASSERT_EQ(Next()->submission.submission_id(), b);
  std::optional<Claim> stale = Next();
  ASSERT_TRUE(stale.has_value());
  ASSERT_EQ(stale->regrade_id, regrade.regrade_id);
  EXPECT_EQ(store_->QueueDepth().value(), 0);

  Reopen();                                                   // the "restart"
  EXPECT_THAT(store_->RecoverAfterCrash(), IsOkAndHolds(2));  // b and the item
  EXPECT_EQ(store_->QueueDepth().value(), 2);
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, a, stale->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  FinishNext(b, MakeReport(5));
  std::optional<Claim> current = Next();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->regrade_id, regrade.regrade_id);
  EXPECT_EQ(current->claim, stale->claim + 1);
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, a, stale->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(store_->FinishRegrade(regrade.regrade_id, a, current->claim, MakeReport(45)));
  EXPECT_EQ(Current(a).score(), 45);
  EXPECT_THAT(store_->RecoverAfterCrash(), IsOkAndHolds(0));
}

}  // namespace
}  // namespace gograder::store
