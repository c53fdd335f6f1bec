// Fair queueing in the SQLite store: the per-student, per-course and hourly
// limits Insert enforces (atomically), and the round-robin order of ClaimNext
// that QueuePosition predicts.
#include "grader/store/sqlite_store_test_support.h"

namespace gograder::store {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Optional;

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

class FairQueueTest : public SqliteStoreTest {
 protected:
  absl::StatusOr<InsertOutcome> Submit(const std::string& course, const std::string& student,
                                       const QueueLimits& limits, const std::string& key = "") {
    return store_->Insert(MakeSubmission(course, key, student), limits);
  }

  // Claims until the queue is empty; the ids in claim order.
  std::vector<std::string> ClaimAll() {
    std::vector<std::string> order;
    while (true) {
      auto claim = store_->ClaimNext();
      EXPECT_OK(claim);
      if (!claim.ok() || !claim->has_value()) return order;
      order.push_back((*claim)->submission.submission_id());
    }
  }

  // Moves the submission's acceptance time back to `time`.
  void Backdate(const std::string& id, absl::Time time) {
    RawDb raw(path_);
    raw.Query(absl::StrCat("UPDATE submissions SET submitted_at = '", Rfc3339(time),
                           "' WHERE id = '", id, "'"));
  }
};

TEST_F(FairQueueTest, QueuedLimitsPerStudentAndPerCourse) {
  QueueLimits limits{.queued_per_course = 3, .queued_per_student = 2};
  ASSERT_OK(Submit("c1", "s1", limits, "k1").status());
  ASSERT_OK(Submit("c1", "s1", limits, "k2").status());
  absl::Status student = Submit("c1", "s1", limits, "k3").status();
  EXPECT_THAT(student, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(student.message(),
            "student 's1' of course 'c1' has 2 submissions queued (limit 2 per student); retry "
            "when one of them is graded");
  EXPECT_THAT(RefusedLimitLabel(student), Optional(std::string("student_queue_limit")));

  // A classmate still gets in, up to the course's limit.
  ASSERT_OK(Submit("c1", "s2", limits).status());
  absl::Status course = Submit("c1", "s3", limits).status();
  EXPECT_THAT(course, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(course.message()),
              HasSubstr("course 'c1' has 3 submissions queued (limit 3 per course)"));
  EXPECT_THAT(RefusedLimitLabel(course), Optional(std::string("course_queue_limit")));

  // The same student id in another course is another student.
  ASSERT_OK(Submit("c2", "s1", limits).status());
  // A retry of an accepted submission gets its answer, limit or not.
  ASSERT_OK_AND_ASSIGN(InsertOutcome retry, Submit("c1", "s1", limits, "k1"));
  EXPECT_TRUE(retry.duplicate);
  // Claimed submissions are no longer queued: a claim makes room.
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  EXPECT_EQ(claim->submission.submission_id(), retry.submission.submission_id());
  ASSERT_OK(Submit("c1", "s1", limits, "k3").status());
  EXPECT_EQ(store_->QueueDepth().value(), 4);
}

TEST_F(FairQueueTest, HourlyLimitsCountTheLastHourAndSayWhenToRetry) {
  QueueLimits limits{.hourly_per_student = 2};
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, Submit("c1", "s1", limits));
  ASSERT_OK_AND_ASSIGN(InsertOutcome second, Submit("c1", "s1", limits));
  // Graded or not, an accepted submission counts.
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  ASSERT_OK(store_->Finish(claim->submission.submission_id(), claim->claim, MakeReport(1)));

  Backdate(first.submission.submission_id(), absl::Now() - absl::Minutes(59) - absl::Seconds(30));
  absl::Status refused = Submit("c1", "s1", limits).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(refused.message()),
              MatchesRegex("student 's1' of course 'c1' made 2 submissions in the last hour "
                           "\\(limit 2 per hour per student\\); retry after "
                           "[0-9-]+T[0-9:]+Z \\(in (29|30)s\\)"));
  EXPECT_THAT(RefusedLimitLabel(refused), Optional(std::string("student_hourly_limit")));
  EXPECT_OK(Submit("c1", "s2", limits).status());  // a classmate

  // An hour after the first, there is room for one.
  Backdate(first.submission.submission_id(), absl::Now() - absl::Minutes(61));
  ASSERT_OK(Submit("c1", "s1", limits).status());
  EXPECT_THAT(Submit("c1", "s1", limits), StatusIs(absl::StatusCode::kResourceExhausted));

  // Over a lowered limit, several must leave the window: here the second
  // oldest of three in it.
  QueueLimits course_limits{.hourly_per_course = 2};
  RawDb raw(path_);
  std::vector<std::vector<std::string>> ids =
      raw.Query("SELECT id FROM submissions WHERE submitted_at > '" +
                Rfc3339(absl::Now() - absl::Hours(1)) + "' ORDER BY submitted_at");
  ASSERT_EQ(ids.size(), 3u);
  Backdate(ids[0][0], absl::Now() - absl::Minutes(59) - absl::Seconds(50));
  Backdate(ids[1][0], absl::Now() - absl::Minutes(59) - absl::Seconds(40));
  Backdate(ids[2][0], absl::Now() - absl::Minutes(10));
  refused = Submit("c1", "s3", course_limits).status();
  EXPECT_THAT(std::string(refused.message()),
              MatchesRegex("course 'c1' made 3 submissions in the last hour \\(limit 2 per hour "
                           "per course\\); retry after .* \\(in (19|20)s\\)"));
  EXPECT_THAT(RefusedLimitLabel(refused), Optional(std::string("course_hourly_limit")));
  EXPECT_OK(Submit("c2", "s3", course_limits).status());  // another course
}

TEST_F(FairQueueTest, TheStudentsLimitIsNamedBeforeTheCoursesAndTheQueues) {
  QueueLimits limits{.queued = 1, .queued_per_course = 1, .queued_per_student = 1};
  ASSERT_OK(Submit("c1", "s1", limits).status());
  EXPECT_THAT(RefusedLimitLabel(Submit("c1", "s1", limits).status()),
              Optional(std::string("student_queue_limit")));
  EXPECT_THAT(RefusedLimitLabel(Submit("c1", "s2", limits).status()),
              Optional(std::string("course_queue_limit")));
  EXPECT_THAT(RefusedLimitLabel(Submit("c2", "s2", limits).status()),
              Optional(std::string("queue_full")));
}

// Inserters on two connections to the same file (as two daemons would be):
// the check and the insert are one transaction, so exactly the limit gets in.
TEST_F(FairQueueTest, ConcurrentInsertsCannotBothPassALimit) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, OpenSqliteStore(path_));
  // 6 threads x 4 inserts into `course`, thread t as student "s<t % students>".
  auto race = [&](const std::string& course, int students, const QueueLimits& limits) {
    std::atomic<int> accepted = 0, refused = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&, t] {
        Store& store = t % 2 == 0 ? *store_ : *second;
        for (int i = 0; i < 4; ++i) {
          auto outcome =
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
  EXPECT_EQ(store_->QueueDepth().value(), 17);
}

TEST_F(FairQueueTest, ClaimsGoRoundRobinAcrossCoursesThenStudents) {
  auto add = [&](const std::string& course, const std::string& student) {
    auto outcome = Submit(course, student, {});
    EXPECT_OK(outcome);
    return outcome.ok() ? outcome->submission.submission_id() : "";
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

// Whatever mix of inserts and claims came before, the positions of the
// queued submissions are the order in which they are then claimed.
TEST_F(FairQueueTest, QueuePositionsAreTheClaimOrder) {
  std::mt19937 random(20260101);
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 40; ++i) {
      if (random() % 3 == 0) {
        ASSERT_OK(store_->ClaimNext().status());
      } else {
        ASSERT_OK(
            Submit(absl::StrCat("c", random() % 3), absl::StrCat("s", random() % 4), {}).status());
      }
    }
    RawDb raw(path_);
    std::vector<std::string> queued;
    for (const auto& row : raw.Query("SELECT id FROM submissions WHERE state = 1"))
      queued.push_back(row[0]);
    std::vector<std::string> by_position(queued.size());
    for (const std::string& id : queued) {
      ASSERT_OK_AND_ASSIGN(int position, store_->QueuePosition(id));
      ASSERT_GE(position, 1);
      ASSERT_LE(position, static_cast<int>(queued.size()));
      ASSERT_EQ(by_position[position - 1], "") << "two submissions at position " << position;
      by_position[position - 1] = id;
    }
    EXPECT_THAT(ClaimAll(), ElementsAreArray(by_position)) << "round " << round;
  }
}

TEST_F(FairQueueTest, RecoveryPutsAnInterruptedGradingFirstInItsStudentsLine) {
  std::string a = Submit("c1", "s1", {})->submission.submission_id();
  std::string b = Submit("c1", "s1", {})->submission.submission_id();
  std::string other = Submit("c2", "s2", {})->submission.submission_id();
  ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
  EXPECT_EQ(claim->submission.submission_id(), a);
  Reopen();  // the "restart"
  ASSERT_OK_AND_ASSIGN(int recovered, store_->RecoverAfterCrash());
  EXPECT_EQ(recovered, 1);
  // c2 was never served: it goes first; then a (claim 2), then b.
  EXPECT_THAT(ClaimAll(), ElementsAreArray({other, a, b}));
  EXPECT_THAT(store_->Finish(a, claim->claim, MakeReport(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace gograder::store
