// Test support: submissions and reports to insert, and the Store
// implementations that a backend-independent test suite (a value-
// parameterized suite instantiated with ::testing::ValuesIn(StoreBackends()),
// named by StoreBackendName) runs against, each opened on data of its own.
//
// PostgreSQL: one throwaway cluster per test binary, started on first use
// and stopped at exit; every new directory gets a fresh database in it, and
// opening the same directory again reopens that database (a restart).
#ifndef GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_
#define GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grader/store/store.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store {

// A submission of `student` in `course` to insert (files_dir names no real
// directory).
inline NewSubmission MakeSubmission(std::string course, std::string key = "",
                                    std::string student = "s1",
                                    std::string exercise = "phase1/concurrent-web-scraper") {
  NewSubmission s;
  s.exercise_id = std::move(exercise);
  s.course_id = std::move(course);
  s.student_id = std::move(student);
  s.attempt_id = "a1";
  s.idempotency_key = std::move(key);
  s.files_dir = "/data/submissions/x";
  s.digest = "sha256:abc";
  return s;
}

// A GRADED report scoring `score` of 100, with one flag.
inline gograder::v1::GradeReport MakeReport(double score) {
  gograder::v1::GradeReport report;
  report.set_status(gograder::v1::GradeReport::GRADED);
  report.set_exercise_id("phase1/concurrent-web-scraper");
  report.set_score(score);
  report.set_max_score(100);
  report.add_flags("flag");
  return report;
}

// The next claim of `store`; nullopt when there is none (or on error, which
// fails the test).
std::optional<Claim> NextClaim(Store& store);

// Claims the next submission of `store`, expecting the ordinary grading of
// `id`, and finishes it with `report`.
void FinishNextClaim(Store& store, const std::string& id, const gograder::v1::GradeReport& report);

// Claims the next regrade item of `store`, which must be of `submission_id`,
// and finishes it with `report`.
void FinishNextItem(Store& store, const std::string& submission_id,
                    const gograder::v1::GradeReport& report);

// The current report of `id` (empty, failing the test, when there is none).
gograder::v1::GradeReport CurrentReport(Store& store, const std::string& id);

// What RaceInsertsAndClaims saw: submission ids inserted and claimed (each
// claim finished), and every error.
struct InsertClaimRace {
  std::vector<std::string> inserted, claimed, errors;
};

// `inserters` threads insert `per_inserter` submissions each (`make(t, i)`
// for thread t's i-th) while `claimers` threads claim and finish them (a
// report scoring 1) until the inserters are done and the queue is empty.
// Even threads use `a`, odd ones `b` (two stores on the same data, as two
// processes or nodes would be).
InsertClaimRace RaceInsertsAndClaims(Store& a, Store& b, int inserters, int per_inserter,
                                     int claimers,
                                     const std::function<NewSubmission(int t, int i)>& make);

struct StoreBackend {
  std::string name;  // "sqlite", "postgres": a test name suffix
  // Opens the store whose data belongs to `dir` (an existing directory of
  // the test's): the first call for a directory starts with no data, later
  // calls see what earlier stores of that directory wrote. An empty
  // options.files_cache_dir becomes `dir`/files.
  std::function<absl::StatusOr<std::unique_ptr<Store>>(const std::string& dir,
                                                       const StoreOptions& options)>
      open;
};

// The backends: SQLite (dir/gograder.db) and PostgreSQL.
std::vector<StoreBackend> StoreBackends();

// The name of a test instantiated with `info`: its backend's.
std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info);

// A conninfo for a new, empty database on the binary's shared PostgreSQL
// test cluster (started on first use).
absl::StatusOr<std::string> FreshPostgresDatabase();

// What a news listener (Store::SetNewsListener) heard. Must outlive the
// store it listens to.
class NewsLog {
 public:
  // The listener to give the store.
  std::function<void(const News&)> Listener();
  // Waits up to 10 s for news of `kind` about `submission_id`; whether it came.
  bool WaitFor(News::Kind kind, const std::string& submission_id);
  // Waits up to 10 s for any news of `kind`; whether it came.
  bool WaitForAny(News::Kind kind);

 private:
  // Waits up to 10 s until one of the news heard matches `wanted`.
  bool WaitUntilHeard(std::function<bool(const News&)> wanted);

  absl::Mutex mu_;
  std::vector<News> heard_ ABSL_GUARDED_BY(mu_);
};

// For GoogleTest's messages.
inline void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_
