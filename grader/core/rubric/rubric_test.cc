#include "grader/core/rubric/rubric.h"

#include <filesystem>
#include <fstream>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

class RubricTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("rubric_test_" + std::to_string(getpid()));
    fs::remove_all(root_);
    dir_ = root_ / "phase1" / "demo";
    Write(root_ / "phase1" / "phase.textproto", R"pb(
      id: "phase1"
      title: "Concurrency"
      limits {
        step: TEST
        limits { wall_time_ms: 50000 memory_bytes: 268435456 }
      }
    )pb");
    Write(dir_ / "README.md", "# Demo\n");
    Write(dir_ / "reference" / "go.mod", "module example.com/demo\n\ngo 1.26\n");
    Write(dir_ / "starter" / "go.mod", "module example.com/demo\n\ngo 1.26\n");
    Write(dir_ / "tests" / "zz_hidden_limits_test.go",
          "package demo_test\n\nfunc TestHiddenLimits_A(t *testing.T) {}\n"
          "func TestHiddenLimits_B(t *testing.T) {}\nfunc BenchmarkHiddenGet(b *testing.B) {}\n");
    Write(dir_ / "samples" / "racy" / "expect.textproto",
          "min_score: 70 max_score: 85 must_lose: \"race\"\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  void WriteExercise(const std::string& text) { Write(dir_ / "exercise.textproto", text); }

  fs::path root_, dir_;
};

constexpr char kValid[] = R"pb(
  id: "phase1/demo"
  title: "Demo"
  module: "example.com/demo"
  limits {
    step: TEST
    limits { wall_time_ms: 20000 }
  }
  criteria {
    id: "tests.limits"
    title: "Limits"
    points: 60
    tests {}
  }
  criteria {
    id: "race"
    title: "No data races"
    points: 20
    requires_tests: "tests.limits"
    race {}
  }
  criteria {
    id: "bench.get"
    title: "Get speed"
    points: 20
    requires_tests: "tests.limits"
    benchmark { benchmark: "BenchmarkHiddenGet" }
  }
)pb";

TEST_F(RubricTest, LoadsAValidExercise) {
  WriteExercise(kValid);
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->exercise.module(), "example.com/demo");
  EXPECT_THAT(bundle->hidden_tests, ElementsAre("TestHiddenLimits_A", "TestHiddenLimits_B"));
  EXPECT_THAT(bundle->hidden_benchmarks, ElementsAre("BenchmarkHiddenGet"));
  ASSERT_EQ(bundle->samples.size(), 1u);
  EXPECT_EQ(bundle->samples[0].expectation.max_score(), 85);
  EXPECT_EQ(bundle->digest.size(), 64u);
  EXPECT_TRUE(ValidateExercise(*bundle).ok()) << ValidateExercise(*bundle);
}

TEST_F(RubricTest, GatedCriteriaMustNameTheGroupsTheyRequire) {
  WriteExercise(R"pb(
    id: "phase1/demo"
    title: "Demo"
    module: "example.com/demo"
    criteria {
      id: "tests.limits"
      title: "Limits"
      points: 40
      tests {}
    }
    criteria {
      id: "allocs"
      title: "Allocs"
      points: 20
      tests { pattern: "^TestHiddenLimits_A" allocations: true }
    }
    criteria {
      id: "race"
      title: "No data races"
      points: 20
      requires_tests: "allocs"
      race {}
    }
    criteria {
      id: "bench.get"
      title: "Get speed"
      points: 20
      requires_tests: "tests.nope"
      benchmark { benchmark: "BenchmarkHiddenGet" }
    }
  )pb");
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  std::string message(ValidateExercise(*bundle).message());
  EXPECT_THAT(message,
              HasSubstr("criteria[1] (allocs): a benchmark or allocations criterion must name"));
  EXPECT_THAT(message,
              HasSubstr("requires_tests \"allocs\" must be another test group of behaviour"));
  EXPECT_THAT(message, HasSubstr("requires_tests names unknown criterion \"tests.nope\""));
}

TEST_F(RubricTest, AHiddenFileNamedForAPlatformIsRefused) {
  WriteExercise(kValid);
  Write(dir_ / "tests" / "zz_hidden_windows_test.go", "package demo_test\n");
  Write(dir_ / "tests" / "zz_hidden_window_test.go", "package demo_test\n");
  Write(dir_ / "tests" / "zz_hidden_linux_amd64_test.go", "package demo_test\n");
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  std::string message(ValidateExercise(*bundle).message());
  EXPECT_THAT(message, HasSubstr("tests/zz_hidden_windows_test.go: the name ends in _windows"));
  EXPECT_THAT(message, HasSubstr("tests/zz_hidden_linux_amd64_test.go: the name ends in _amd64"));
  EXPECT_THAT(message, Not(HasSubstr("zz_hidden_window_test.go")));
}

TEST_F(RubricTest, HiddenTestsAreTestFilesOfOneDirectory) {
  WriteExercise(kValid);
  Write(dir_ / "tests" / "zzz" / "zz_hidden_more_test.go", "package zzz_test\n");
  Write(dir_ / "tests" / "helpers.go", "package demo\n");
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->hidden_package_dir, "");
  std::string message(ValidateExercise(*bundle).message());
  EXPECT_THAT(message, HasSubstr("tests/helpers.go: a hidden Go file must be a _test.go file"));
  EXPECT_THAT(
      message,
      HasSubstr("tests/zzz/zz_hidden_more_test.go: hidden Go files must all be in one directory"));
  EXPECT_THAT(message, Not(HasSubstr("zz_hidden_limits_test.go:")));
}

TEST_F(RubricTest, SamplesAreOverlaysOfTheReference) {
  WriteExercise(kValid);
  Write(dir_ / "reference" / "a.go", "package demo\n");
  Write(dir_ / "reference" / "b.go", "package demo\n\nvar B = 1\n");
  Write(dir_ / "samples" / "racy" / "b.go", "package demo\n\nvar B = 2\n");
  Write(dir_ / "samples" / "racy" / "c.go", "package demo\n");
  Write(dir_ / "samples" / "racy" / "expect.textproto", "max_score: 85 delete: \"a.go\"\n");
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  ASSERT_TRUE(ValidateExercise(*bundle).ok()) << ValidateExercise(*bundle);
  fs::path out = root_ / "composed";
  ASSERT_TRUE(ComposeSample(*bundle, bundle->samples[0], out.string()).ok());
  EXPECT_FALSE(fs::exists(out / "a.go"));
  EXPECT_FALSE(fs::exists(out / "expect.textproto"));
  EXPECT_TRUE(fs::exists(out / "go.mod"));
  EXPECT_TRUE(fs::exists(out / "c.go"));
  std::ifstream b(out / "b.go");
  std::string text((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("B = 2"));

  // A copy of a reference file and a delete of a missing file are lint errors.
  Write(dir_ / "samples" / "racy" / "go.mod", "module example.com/demo\n\ngo 1.26\n");
  Write(dir_ / "samples" / "racy" / "expect.textproto", "max_score: 85 delete: \"nope.go\"\n");
  bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  std::string message(ValidateExercise(*bundle).message());
  EXPECT_THAT(message, HasSubstr("go.mod: is the same as in reference/"));
  EXPECT_THAT(message, HasSubstr("delete \"nope.go\" is not a file of reference/"));
  EXPECT_FALSE(FindSample(*bundle, "nope").ok());
}

TEST_F(RubricTest, ExerciseLimitsOverridePhaseLimitsFieldByField) {
  WriteExercise(kValid);
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  auto limits = StepLimitsFor(bundle->exercise, bundle->phase, gograder::v1::TEST);
  EXPECT_EQ(limits.wall_time_ms(), 20000);      // exercise
  EXPECT_EQ(limits.memory_bytes(), 268435456);  // phase
  EXPECT_EQ(limits.pids(), 512);                // built-in
}

TEST_F(RubricTest, SyntaxErrorsNameFileLineAndColumn) {
  WriteExercise("id: \"phase1/demo\"\ncriteria { points: ten }\n");
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(std::string(bundle.status().message()), HasSubstr("exercise.textproto:2:"));
}

TEST_F(RubricTest, UnknownFieldsAreErrors) {
  WriteExercise("id: \"phase1/demo\"\npoints_total: 100\n");
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(std::string(bundle.status().message()), HasSubstr("exercise.textproto:2:1"));
  EXPECT_THAT(std::string(bundle.status().message()), HasSubstr("points_total"));
}

TEST_F(RubricTest, ValidateReportsEveryProblem) {
  WriteExercise(R"pb(
    id: "phase1/other"
    title: "Demo"
    module: "example.com/demo"
    criteria {
      id: "tests.limits"
      title: "Limits"
      points: 50
      tests { pattern: "^TestHiddenNope_" }
    }
    criteria {
      id: "tests.limits"
      title: "Again"
      points: 10
      tests { pattern: "([" }
    }
    criteria {
      id: "bench"
      title: "Speed"
      points: 20
      benchmark { benchmark: "BenchmarkMissing" }
    }
  )pb");
  Write(dir_ / "samples" / "racy" / "expect.textproto",
        "min_score: 90 max_score: 10 must_lose: \"nope\"\n");
  auto bundle = LoadExercise(root_.string(), "phase1/demo");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  absl::Status status = ValidateExercise(*bundle);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("id \"phase1/other\" must be \"phase1/demo\""));
  EXPECT_THAT(std::string(status.message()), HasSubstr("matches no hidden test"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("duplicate id"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("pattern \"([\""));
  EXPECT_THAT(std::string(status.message()), HasSubstr("BenchmarkMissing"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("points add up to 80, not 100"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("min_score <= max_score"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("unknown criterion \"nope\""));
}

TEST_F(RubricTest, UnknownAndMalformedIds) {
  EXPECT_THAT(LoadExercise(root_.string(), "phase1/none"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(LoadExercise(root_.string(), "../etc"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TestGroupPatternTest, DefaultsFromTheId) {
  gograder::v1::Criterion criterion;
  criterion.set_id("tests.dedup_depth");
  criterion.mutable_tests();
  EXPECT_EQ(TestGroupPattern(criterion), "^TestHiddenDedupDepth_");
  criterion.mutable_tests()->set_pattern("^TestHiddenX$");
  EXPECT_EQ(TestGroupPattern(criterion), "^TestHiddenX$");
}

}  // namespace
}  // namespace gograder::core
