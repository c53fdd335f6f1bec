// Fair queueing in the SQLite store: the hourly limits' window, moved by
// backdating rows in the database file. The limits and the round robin
// themselves are store_conformance_test's, for every backend.
#include "grader/store/sqlite_store_test_support.h"

namespace gograder::store {
namespace {

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

  // Moves the submission's acceptance time back to `time`.
  void Backdate(const std::string& id, absl::Time time) {
    RawDb raw(path_);
    raw.Query(absl::StrCat("UPDATE submissions SET submitted_at = '", Rfc3339(time),
                           "' WHERE id = '", id, "'"));
  }
};

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

}  // namespace
}  // namespace gograder::store
