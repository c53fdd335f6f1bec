// Loading and checking rubric files: a phase's defaults, an exercise's
// criteria and files (statement, starter, hidden tests, reference, samples).
#ifndef GOGRADER_GRADER_CORE_RUBRIC_RUBRIC_H_
#define GOGRADER_GRADER_CORE_RUBRIC_RUBRIC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {

// A known submission of an exercise with the score range it must get. Its
// directory is an overlay of the reference (see SampleExpectation).
struct Sample {
  std::string name;
  std::string
      dir;  // rubrics/<phase>/<name>/samples/<sample>: the differing files + expect.textproto
  gograder::v1::SampleExpectation expectation;
};

// Name of a sample's expectation file (not part of the submission).
inline constexpr char kSampleExpectationFile[] = "expect.textproto";

// Everything about one exercise, loaded from rubrics/<phase>/<name>/.
struct ExerciseBundle {
  gograder::v1::Exercise exercise;  // with the phase's step limits merged in
  gograder::v1::Phase phase;
  std::string dir;            // rubrics/<phase>/<name>
  std::string starter_dir;    // dir/starter
  std::string tests_dir;      // dir/tests: hidden test files
  std::string reference_dir;  // dir/reference
  std::string statement;      // README.md
  std::vector<Sample> samples;
  std::vector<std::string> hidden_files;  // relative to tests_dir, sorted
  // The one directory (relative to tests_dir, "" for the module root) that
  // holds the hidden _test.go files: they compile into one test binary.
  std::string hidden_package_dir;
  std::vector<std::string> hidden_tests;       // TestXxx names declared in hidden files
  std::vector<std::string> hidden_benchmarks;  // BenchmarkXxx names
  std::string digest;  // hex sha256 of exercise.textproto, phase.textproto and tests/
};

// Loads rubrics_dir/<id>/ (id = "<phase>/<name>"): parses phase.textproto and
// exercise.textproto (file:line:column errors), finds hidden tests and samples.
// Does not validate meaning; see ValidateExercise.
absl::StatusOr<ExerciseBundle> LoadExercise(const std::string& rubrics_dir, absl::string_view id);

// Loads every exercise under rubrics_dir (directories with an exercise.textproto), sorted by id.
absl::StatusOr<std::vector<ExerciseBundle>> LoadAllExercises(const std::string& rubrics_dir);

// Writes the submission a sample stands for into `destination` (created):
// the exercise's reference/, then the sample's files over it, minus the
// files its expectation deletes.
absl::Status ComposeSample(const ExerciseBundle& exercise, const Sample& sample,
                           const std::string& destination);

// The sample of `exercise` called `name`, or NotFound listing the samples.
absl::StatusOr<const Sample*> FindSample(const ExerciseBundle& exercise, absl::string_view name);

// Meaning-level checks: the id matches the directory, points add up to 100,
// criterion ids are unique, patterns are valid RE2, every test group and race
// pattern matches at least one hidden test, every benchmark exists, the
// race, benchmark and allocations criteria name the test groups they
// require, the reference and starter exist, sample ranges are sane and
// samples are true overlays (no file equal to the reference's, deletes that
// exist). All problems are
// reported at once, each naming the file.
absl::Status ValidateExercise(const ExerciseBundle& bundle);

// The limits a step runs with: the grader's defaults, overridden field by
// field by the phase's StepLimits, then by the exercise's.
gograder::v1::Limits StepLimitsFor(const gograder::v1::Exercise& exercise,
                                   const gograder::v1::Phase& phase, gograder::v1::Step step);

// The regex of a TestGroup criterion: its pattern, or ^TestHidden<Title>_ by default.
std::string TestGroupPattern(const gograder::v1::Criterion& criterion);

// Names of Go test functions ("TestX", "BenchmarkY") declared in Go source.
std::vector<std::string> DeclaredGoFunctions(absl::string_view source, absl::string_view prefix);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_RUBRIC_RUBRIC_H_
