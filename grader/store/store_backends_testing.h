// Test support: submissions and reports to insert, and the Store
// implementations a backend-independent test suite runs against (a
// value-parameterized suite instantiated with
// ::testing::ValuesIn(StoreBackends()), named by StoreBackendName).
#ifndef GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_
#define GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
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

// One implementation of Store, opened afresh in a test's directory.
struct StoreBackend {
  std::string name;  // a test name part: letters and digits
  // Opens the store kept in (or named after) the empty directory `dir`;
  // opening it again with the same `dir` opens the same store, as another
  // process or node would.
  std::function<absl::StatusOr<std::unique_ptr<Store>>(const std::string& dir,
                                                       const StoreOptions& options)>
      open;
};

// Prints the backend's name (gtest's names of failed tests with their value).
void PrintTo(const StoreBackend& backend, std::ostream* os);

// The backends to test: SQLite (dir/gograder.db).
std::vector<StoreBackend> StoreBackends();

// The name of a test instantiated with `info`: its backend's.
std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info);

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_
