// Leases, batch work and news, against every Store backend
// (store_backends_testing.h): claims leased to a node, renewed or taken back
// by the reaper (the claim number fencing the lost worker), given up after
// max_attempts; interactive work before batch work before regrade items;
// the news listener.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_matchers.h"
#include "base/temp_dir.h"
#include "gmock/gmock.h"
#include "grader/store/store.h"
#include "grader/store/store_backends_testing.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/api.pb.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store {
namespace {

using gograder::v1::GradeReport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

constexpr char kExercise[] = "phase1/concurrent-web-scraper";
constexpr absl::Duration kLease = absl::Milliseconds(200);
// Sleeping this long lets a lease taken (or renewed) before run out.
constexpr absl::Duration kPastLease = absl::Milliseconds(260);
// The renewal tests' lease, long enough for a loaded machine: a claim is
// renewed after kRenewAfter, then kReapAfter later its first lease is over
// and the renewed one is not.
constexpr absl::Duration kLongLease = absl::Seconds(1);
constexpr absl::Duration kRenewAfter = absl::Milliseconds(600);
constexpr absl::Duration kReapAfter = absl::Milliseconds(500);

RegradeSpec Spec() {
  RegradeSpec spec;
  spec.exercise_id = kExercise;
  spec.scope = "all";
  spec.rubric_digest = "sha256:rubric";
  return spec;
}

std::string KindName(News::Kind kind) {
  switch (kind) {
    case News::Kind::kQueued:
      return "queued";
    case News::Kind::kCancelled:
      return "cancelled";
    case News::Kind::kEvent:
      return "event";
  }
  return "?";
}

// The news a listener heard, as "kind id" lines.
class NewsLog {
 public:
  std::function<void(const News&)> Listener() {
    return [this](const News& news) {
      absl::MutexLock lock(&mu_);
      heard_.push_back(absl::StrCat(KindName(news.kind), " ", news.submission_id));
    };
  }

  // What was heard once `count` news arrived (or a few seconds passed:
  // backends may deliver from a thread of their own), taken from the log.
  std::vector<std::string> Take(size_t count) {
    absl::MutexLock lock(&mu_);
    auto arrived = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return heard_.size() >= count; };
    mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(5));
    std::vector<std::string> taken;
    taken.swap(heard_);
    return taken;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> heard_ ABSL_GUARDED_BY(mu_);
};

class StoreLeaseTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_OK_AND_ASSIGN(store_, Open("n1"));
  }

  // Another store object on the same data, as node `node_id` (another
  // process) would open it.
  absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& node_id, int max_attempts = 3,
                                              absl::Duration lease = kLease) {
    StoreOptions options;
    options.node_id = node_id;
    options.lease = lease;
    options.max_attempts = max_attempts;
    options.files_cache_dir = absl::StrCat(dir_.path(), "/cache-", node_id);
    return GetParam().open(dir_.path(), options);
  }

  std::string Insert(const std::string& student = "s1", bool batch = false,
                     const std::string& course = "c1", const std::string& key = "") {
    NewSubmission submission = MakeSubmission(course, key, student, kExercise);
    submission.files_dir = dir_.path();  // a real (empty) directory
    submission.batch = batch;
    absl::StatusOr<InsertOutcome> outcome = store_->Insert(submission, {});
    EXPECT_OK(outcome);
    return outcome.ok() ? outcome->submission.submission_id() : "";
  }

  // The next claim of `store`; nullopt when there is none (or on error,
  // which fails the test).
  static std::optional<Claim> Next(Store& store) {
    absl::StatusOr<std::optional<Claim>> claim = store.ClaimNext();
    EXPECT_OK(claim);
    return claim.ok() ? *std::move(claim) : std::nullopt;
  }
  std::optional<Claim> Next() { return Next(*store_); }

  // Claims the next submission, which must be `id`, and lets its lease run
  // out; the claim.
  Claim ClaimAndLose(const std::string& id) {
    std::optional<Claim> claim = Next();
    EXPECT_TRUE(claim.has_value());
    if (!claim.has_value()) return Claim{};
    EXPECT_EQ(claim->submission.submission_id(), id);
    absl::SleepFor(kPastLease);
    return *claim;
  }

  // A new DONE submission graded `score`.
  std::string Done(double score, const std::string& course = "c1",
                   const std::string& student = "s1") {
    std::string id = Insert(student, false, course);
    std::optional<Claim> claim = Next();
    EXPECT_TRUE(claim.has_value());
    if (claim.has_value()) {
      EXPECT_OK(store_->Finish(id, claim->claim, MakeReport(score)));
    }
    return id;
  }

  Reaped Reap(Store& store) {
    absl::StatusOr<Reaped> reaped = store.ReapExpiredLeases();
    EXPECT_OK(reaped);
    return reaped.ok() ? *std::move(reaped) : Reaped{};
  }
  Reaped Reap() { return Reap(*store_); }

  Submission Get(const std::string& id) {
    absl::StatusOr<Submission> submission = store_->Get(id);
    EXPECT_OK(submission);
    return submission.ok() ? *std::move(submission) : Submission{};
  }

  TempDir dir_{"store_lease_test."};
  std::unique_ptr<Store> store_;
};

TEST_P(StoreLeaseTest, RefusesOptionsOutOfRange) {
  StoreOptions options;
  options.lease = absl::ZeroDuration();
  EXPECT_THAT(GetParam().open(dir_.path(), options), StatusIs(absl::StatusCode::kInvalidArgument));
  options.lease = absl::Seconds(1);
  options.max_attempts = 0;
  EXPECT_THAT(GetParam().open(dir_.path(), options), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(StoreLeaseTest, AClaimIsLeasedToItsNode) {
  std::string id = Insert();
  absl::Time before = absl::Now();
  std::optional<Claim> claim = Next();
  absl::Time after = absl::Now();
  ASSERT_TRUE(claim.has_value());
  EXPECT_GE(claim->lease_expires, before + kLease - absl::Milliseconds(1));
  EXPECT_LE(claim->lease_expires, after + kLease + absl::Milliseconds(1));

  // Another node cannot renew it; the message names the claim's node.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> other, Open("n2"));
  absl::Status renewed = other->RenewLease(*claim);
  EXPECT_THAT(renewed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(renewed.message()), HasSubstr("node n1"));
  EXPECT_OK(store_->RenewLease(*claim));
  EXPECT_OK(store_->Finish(id, claim->claim, MakeReport(70)));
}

TEST_P(StoreLeaseTest, TheDefaultNodeIdIsTheHostAndPid) {
  StoreOptions options;
  options.lease = kLease;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> unnamed, GetParam().open(dir_.path(), options));
  Insert();
  std::optional<Claim> claim = Next(*unnamed);
  ASSERT_TRUE(claim.has_value());
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
  EXPECT_THAT(std::string(store_->RenewLease(*claim).message()),
              HasSubstr(absl::StrCat("node ", host, "-", getpid())));
}

TEST_P(StoreLeaseTest, ARenewedClaimIsNotReaped) {
  ASSERT_OK_AND_ASSIGN(store_, Open("n1", 3, kLongLease));
  std::string renewed = Insert("s1"), lost = Insert("s2");
  std::optional<Claim> claim = Next();
  std::optional<Claim> lost_claim = Next();
  ASSERT_TRUE(claim.has_value() && lost_claim.has_value());
  ASSERT_EQ(claim->submission.submission_id(), renewed);
  absl::SleepFor(kRenewAfter);
  ASSERT_OK(store_->RenewLease(*claim));
  absl::SleepFor(kReapAfter);

  Reaped reaped = Reap();
  EXPECT_THAT(reaped.requeued, ElementsAre(lost));
  EXPECT_THAT(reaped.failed, IsEmpty());
  EXPECT_EQ(Get(renewed).state(), Submission::RUNNING);
  EXPECT_OK(store_->Finish(renewed, claim->claim, MakeReport(80)));
  EXPECT_EQ(Get(renewed).report().score(), 80);
}

TEST_P(StoreLeaseTest, AnExpiredClaimIsQueuedAgainAndFenced) {
  std::string id = Insert("s1"), later = Insert("s1");
  Claim lost = ClaimAndLose(id);

  Reaped reaped = Reap();
  EXPECT_THAT(reaped.requeued, ElementsAre(id));
  EXPECT_THAT(reaped.failed, IsEmpty());
  EXPECT_EQ(Get(id).state(), Submission::QUEUED);
  EXPECT_EQ(store_->QueuePosition(id).value(), 1);  // the front of its student's line
  EXPECT_EQ(store_->QueueDepth().value(), 2);
  absl::Status renewed = store_->RenewLease(lost);
  EXPECT_THAT(renewed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(renewed.message()), HasSubstr("queued again"));
  EXPECT_THAT(Reap().requeued, IsEmpty());  // taken once

  // Another node takes it again; the lost worker can neither renew nor
  // finish, the new claim can.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> other, Open("n2"));
  std::optional<Claim> current = Next(*other);
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->submission.submission_id(), id);
  EXPECT_GT(current->claim, lost.claim);
  renewed = store_->RenewLease(lost);
  EXPECT_THAT(renewed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(renewed.message()),
              HasSubstr(absl::StrCat("taken over by claim ", current->claim, " of node n2")));
  EXPECT_THAT(store_->Finish(id, lost.claim, MakeReport(10)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(other->Finish(id, current->claim, MakeReport(90)));
  EXPECT_THAT(store_->Finish(id, lost.claim, MakeReport(10)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(other->RenewLease(*current), StatusIs(absl::StatusCode::kFailedPrecondition));

  Submission done = Get(id);
  EXPECT_EQ(done.state(), Submission::DONE);
  EXPECT_EQ(done.report().status(), GradeReport::GRADED);
  EXPECT_EQ(done.report().score(), 90);
  EXPECT_EQ(done.regrades(), 0);
  EXPECT_EQ(Get(later).state(), Submission::QUEUED);
}

TEST_P(StoreLeaseTest, AReapedGradingIsNextInLine) {
  // Without its turns back, the reaped submission would wait for c2 and s2.
  std::string lost = Insert("s1", false, "c1");
  std::string same_course = Insert("s2", false, "c1");
  std::string other_course = Insert("s3", false, "c2");
  ClaimAndLose(lost);
  EXPECT_THAT(Reap().requeued, ElementsAre(lost));
  EXPECT_EQ(store_->QueuePosition(lost).value(), 1);
  std::optional<Claim> again = Next();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->submission.submission_id(), lost);
  EXPECT_EQ(store_->QueueDepth().value(), 2);
  EXPECT_EQ(Get(same_course).state(), Submission::QUEUED);
  EXPECT_EQ(Get(other_course).state(), Submission::QUEUED);
}

TEST_P(StoreLeaseTest, GivesUpAfterMaxAttempts) {
  std::string id = Insert();
  Claim last;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    SCOPED_TRACE(attempt);
    last = ClaimAndLose(id);
    Reaped reaped = Reap();
    if (attempt < 3) {
      EXPECT_THAT(reaped.requeued, ElementsAre(id));
      EXPECT_THAT(reaped.failed, IsEmpty());
    } else {
      EXPECT_THAT(reaped.requeued, IsEmpty());
      EXPECT_THAT(reaped.failed, ElementsAre(id));
    }
  }
  Submission failed = Get(id);
  EXPECT_EQ(failed.state(), Submission::DONE);
  EXPECT_NE(failed.finished_at(), "");
  EXPECT_EQ(failed.report().status(), GradeReport::GRADING_FAILED);
  EXPECT_EQ(failed.report().exercise_id(), kExercise);
  EXPECT_EQ(failed.report().error(),
            "the grading was lost 3 times (its node stopped renewing its lease: node n1); the "
            "submission can be regraded");
  EXPECT_EQ(store_->QueuePosition(id).value(), 0);
  EXPECT_EQ(store_->QueueDepth().value(), 0);
  EXPECT_FALSE(Next().has_value());
  EXPECT_THAT(store_->Finish(id, last.claim, MakeReport(50)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Reap().failed, IsEmpty());

  // It can be graded again, with its attempts counted afresh.
  ASSERT_OK(store_->Requeue(id).status());
  ClaimAndLose(id);
  EXPECT_THAT(Reap().requeued, ElementsAre(id));
}

TEST_P(StoreLeaseTest, AGivenUpRegradeNeverReplacesAGradedReport) {
  ASSERT_OK_AND_ASSIGN(store_, Open("n1", /*max_attempts=*/2));
  std::string id = Insert();
  ClaimAndLose(id);  // one claim lost before the first grading...
  EXPECT_THAT(Reap().requeued, ElementsAre(id));
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK(store_->Finish(id, claim->claim, MakeReport(80)));

  // ... does not count against the regrade (Requeue) of the submission.
  ASSERT_OK(store_->Requeue(id).status());
  ClaimAndLose(id);
  EXPECT_THAT(Reap().requeued, ElementsAre(id));
  ClaimAndLose(id);
  EXPECT_THAT(Reap().failed, ElementsAre(id));

  Submission done = Get(id);
  EXPECT_EQ(done.state(), Submission::DONE);
  EXPECT_NE(done.finished_at(), "");
  EXPECT_EQ(done.regrades(), 1);
  EXPECT_EQ(done.report().status(), GradeReport::GRADED);
  EXPECT_EQ(done.report().score(), 80);
}

TEST_P(StoreLeaseTest, CancelledAndFinishedClaimsCannotBeRenewed) {
  std::string cancelled = Insert("s1"), finished = Insert("s2");
  std::optional<Claim> cancelled_claim = Next();
  std::optional<Claim> finished_claim = Next();
  ASSERT_TRUE(cancelled_claim.has_value() && finished_claim.has_value());
  ASSERT_EQ(cancelled_claim->submission.submission_id(), cancelled);
  ASSERT_OK(store_->Cancel(cancelled).status());
  ASSERT_OK(store_->Finish(finished, finished_claim->claim, MakeReport(60)));

  absl::Status renewed = store_->RenewLease(*cancelled_claim);
  EXPECT_THAT(renewed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(renewed.message()), HasSubstr("cancelled"));
  renewed = store_->RenewLease(*finished_claim);
  EXPECT_THAT(renewed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(renewed.message()), HasSubstr("finished"));

  // Neither is the reaper's once the lease is over.
  absl::SleepFor(kPastLease);
  Reaped reaped = Reap();
  EXPECT_THAT(reaped.requeued, IsEmpty());
  EXPECT_THAT(reaped.failed, IsEmpty());
  EXPECT_EQ(Get(cancelled).state(), Submission::CANCELLED);
  EXPECT_EQ(Get(finished).report().score(), 60);
}

TEST_P(StoreLeaseTest, ARenewedRegradeItemIsNotReaped) {
  ASSERT_OK_AND_ASSIGN(store_, Open("n1", 3, kLongLease));
  std::string id = Done(50);
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {id}));
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_EQ(claim->regrade_id, regrade.regrade_id);
  EXPECT_GT(claim->lease_expires, absl::Now() + kRenewAfter);
  absl::SleepFor(kRenewAfter);
  ASSERT_OK(store_->RenewLease(*claim));
  absl::SleepFor(kReapAfter);
  EXPECT_THAT(Reap().requeued, IsEmpty());
  ASSERT_OK(store_->FinishRegrade(regrade.regrade_id, id, claim->claim, MakeReport(60)));
  EXPECT_EQ(Get(id).report().score(), 60);
}

TEST_P(StoreLeaseTest, ARegradeItemIsLeasedLikeASubmission) {
  std::string id = Done(50);
  ASSERT_OK_AND_ASSIGN(Regrade regrade, store_->StartRegrade(Spec(), {id}));

  // Lost, it is pending again, and the lost claim is fenced off.
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_EQ(claim->regrade_id, regrade.regrade_id);
  absl::SleepFor(kPastLease);
  EXPECT_THAT(Reap().requeued, ElementsAre(id));
  ASSERT_OK_AND_ASSIGN(Regrade pending, store_->GetRegrade(regrade.regrade_id));
  EXPECT_EQ(pending.items[0].state, RegradeItem::State::kPending);
  EXPECT_EQ(store_->QueueDepth().value(), 1);
  std::optional<Claim> again = Next();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->regrade_id, regrade.regrade_id);
  EXPECT_GT(again->claim, claim->claim);
  absl::Status renewed = store_->RenewLease(*claim);
  EXPECT_THAT(renewed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(renewed.message()), HasSubstr("taken over by claim"));
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, id, claim->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  // Lost max_attempts (3) times, it fails and applies nothing.
  absl::SleepFor(kPastLease);
  EXPECT_THAT(Reap().requeued, ElementsAre(id));
  std::optional<Claim> last = Next();
  ASSERT_TRUE(last.has_value());
  absl::SleepFor(kPastLease);
  Reaped reaped = Reap();
  EXPECT_THAT(reaped.requeued, IsEmpty());
  EXPECT_THAT(reaped.failed, ElementsAre(id));
  ASSERT_OK_AND_ASSIGN(Regrade failed, store_->GetRegrade(regrade.regrade_id));
  ASSERT_EQ(failed.items.size(), 1u);
  EXPECT_EQ(failed.items[0].state, RegradeItem::State::kFailed);
  EXPECT_FALSE(failed.items[0].applied);
  EXPECT_FALSE(failed.items[0].after.has_value());
  EXPECT_THAT(failed.items[0].note, HasSubstr("the grading was lost 3 times"));
  EXPECT_THAT(store_->FinishRegrade(regrade.regrade_id, id, last->claim, MakeReport(99)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  Submission submission = Get(id);
  EXPECT_EQ(submission.state(), Submission::DONE);
  EXPECT_EQ(submission.report().score(), 50);
  EXPECT_FALSE(Next().has_value());
}

TEST_P(StoreLeaseTest, BatchWorkWaitsForInteractiveWorkAndRegradesForBoth) {
  std::string regraded = Done(40, "c0", "s0");
  ASSERT_OK(store_->StartRegrade(Spec(), {regraded}).status());
  std::string batch_1a = Insert("s1", /*batch=*/true);
  EXPECT_EQ(store_->QueuePosition(batch_1a).value(), 1);
  std::string batch_1b = Insert("s1", /*batch=*/true);
  std::string batch_2 = Insert("s2", /*batch=*/true);
  std::string interactive = Insert("s3");  // the newest, yet first

  // Round robin of the students within the batch work.
  EXPECT_EQ(store_->QueuePosition(interactive).value(), 1);
  EXPECT_EQ(store_->QueuePosition(batch_1a).value(), 2);
  EXPECT_EQ(store_->QueuePosition(batch_2).value(), 3);
  EXPECT_EQ(store_->QueuePosition(batch_1b).value(), 4);
  EXPECT_EQ(store_->QueueDepth().value(), 5);

  std::vector<std::string> order;
  while (std::optional<Claim> claim = Next()) {
    order.push_back(absl::StrCat(claim->regrade_id.empty() ? "" : "regrade of ",
                                 claim->submission.submission_id()));
  }
  EXPECT_THAT(order, ElementsAre(interactive, batch_1a, batch_2, batch_1b,
                                 absl::StrCat("regrade of ", regraded)));
}

TEST_P(StoreLeaseTest, InteractiveWorkQueuedLaterOvertakesBatchWork) {
  std::string batch = Insert("s1", /*batch=*/true);
  std::string first = Insert("s1");
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->submission.submission_id(), first);
  std::string second = Insert("s2");
  EXPECT_EQ(store_->QueuePosition(second).value(), 1);
  EXPECT_EQ(store_->QueuePosition(batch).value(), 2);
  claim = Next();
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->submission.submission_id(), second);
  claim = Next();
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->submission.submission_id(), batch);
}

// Two nodes reap at once: every expired claim is taken back exactly once.
TEST_P(StoreLeaseTest, ReapersOfSeveralNodesTakeEachClaimOnce) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> other, Open("n2"));
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(Insert(absl::StrCat("s", i)));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Next().has_value());
  absl::SleepFor(kPastLease);

  std::vector<std::string> requeued[2];
  std::atomic<int> ready = 0;
  std::vector<std::thread> reapers;
  for (int node = 0; node < 2; ++node) {
    reapers.emplace_back([&, node] {
      Store& store = node == 0 ? *store_ : *other;
      ++ready;
      while (ready < 2) std::this_thread::yield();
      for (int round = 0; round < 5; ++round) {
        Reaped reaped = Reap(store);
        EXPECT_THAT(reaped.failed, IsEmpty());
        requeued[node].insert(requeued[node].end(), reaped.requeued.begin(), reaped.requeued.end());
      }
    });
  }
  for (std::thread& reaper : reapers) reaper.join();
  std::vector<std::string> all = requeued[0];
  all.insert(all.end(), requeued[1].begin(), requeued[1].end());
  EXPECT_THAT(all, UnorderedElementsAreArray(ids));
  EXPECT_EQ(store_->QueueDepth().value(), 20);
  for (int i = 0; i < 20; ++i) {
    std::optional<Claim> claim = Next(*other);
    ASSERT_TRUE(claim.has_value());
    EXPECT_EQ(claim->claim, 2);
  }
}

TEST_P(StoreLeaseTest, TheListenerHearsWhatIsQueuedCancelledOrAppended) {
  NewsLog log;
  // The listener may use the store: it is not called with the store's lock held.
  std::atomic<int> depth_seen = -1;
  auto heard = log.Listener();
  store_->SetNewsListener([&](const News& news) {
    depth_seen = store_->QueueDepth().value_or(-2);
    heard(news);
  });

  std::string id = Insert("s1", false, "c1", "key");
  EXPECT_THAT(log.Take(1), ElementsAre("queued " + id));
  EXPECT_EQ(depth_seen, 1);
  EXPECT_EQ(Insert("s1", false, "c1", "key"), id);  // a duplicate is no news
  std::string batch = Insert("s2", /*batch=*/true);
  EXPECT_THAT(log.Take(1), ElementsAre("queued " + batch));

  WatchEvent event;
  event.mutable_queued()->set_position(1);
  ASSERT_OK(store_->AppendEvent(id, event).status());
  EXPECT_THAT(log.Take(1), ElementsAre("event " + id));

  ASSERT_OK(store_->Cancel(batch).status());
  ASSERT_OK(store_->Cancel(batch).status());  // already cancelled: no news
  EXPECT_THAT(log.Take(1), ElementsAre("cancelled " + batch));

  // Claims, renewals and finishes are no news; a Requeue is.
  std::optional<Claim> claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK(store_->RenewLease(*claim));
  ASSERT_OK(store_->Finish(id, claim->claim, MakeReport(30)));
  ASSERT_OK(store_->Cancel(id).status());  // DONE: unchanged, no news
  ASSERT_OK(store_->Requeue(id).status());
  EXPECT_THAT(log.Take(1), ElementsAre("queued " + id));

  // A running submission cancelled; a lost claim queued again.
  claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK(store_->Cancel(id).status());
  EXPECT_THAT(log.Take(1), ElementsAre("cancelled " + id));
  std::string lost = Insert("s3");
  EXPECT_THAT(log.Take(1), ElementsAre("queued " + lost));
  ClaimAndLose(lost);
  Reap();
  EXPECT_THAT(log.Take(1), ElementsAre("queued " + lost));

  // A regrade is queued work without a submission id, and so is a lost item.
  claim = Next();
  ASSERT_TRUE(claim.has_value());
  ASSERT_OK(store_->Finish(lost, claim->claim, MakeReport(20)));
  ASSERT_OK(store_->StartRegrade(Spec(), {lost}).status());
  EXPECT_THAT(log.Take(1), ElementsAre("queued "));
  ASSERT_TRUE(Next().has_value());
  absl::SleepFor(kPastLease);
  EXPECT_THAT(Reap().requeued, ElementsAre(lost));
  EXPECT_THAT(log.Take(1), ElementsAre("queued "));
  EXPECT_THAT(log.Take(0), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreLeaseTest, ::testing::ValuesIn(StoreBackends()),
                         StoreBackendName);

}  // namespace
}  // namespace gograder::store
