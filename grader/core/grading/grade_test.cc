// The grading pipeline without a sandbox: a fake StepRunner answers each
// step like the Go toolchain would (recorded outputs from testdata/go_output
// where they fit), so these tests cover the pipeline's decisions: the build
// gate, the per-file compile fallback, forged and missing results, race and
// benchmark scoring, GRADING_FAILED and cancellation.
#include "grader/core/grading/grade.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/files/files.h"
#include "grader/core/go_output/go_output_fixtures.h"
#include "grader/core/grading/workspace.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::CriterionResult;
using ::gograder::v1::GradeReport;
using ::gograder::v1::SandboxResult;
using ::gograder::v1::SandboxSpec;
using ::gograder::v1::TestResult;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kPackage[] = "example.com/demo";

// What the fake toolchain does with the submission.
struct Script {
  std::string build_stderr;                            // non-empty: the build fails with it
  std::set<std::string> uncompilable_files;            // hidden files (by stem) that do not compile
  std::map<std::string, TestResult::Status> statuses;  // of hidden tests; default PASSED
  std::set<std::string> unreported;                    // tests a complete run does not report
  bool forge = false;        // test binaries print passes and exit 0 early
  bool race_report = false;  // the race binary reports a data race
  double student_ns = 100, reference_ns = 100;
  bool vet_sandbox_failure = false;       // the sandbox fails at go vet (our failure)
  bool student_bench_hangs = false;       // the student's benchmarks run until their wall limit
  std::function<void()> on_hidden_tests;  // called when the hidden tests run
};

// Answers each spec like the Go toolchain would, by its argv, and records them.
class FakeStepRunner : public StepRunner {
 public:
  explicit FakeStepRunner(Script script) : script_(std::move(script)) {}

  absl::StatusOr<SandboxResult> Run(const SandboxSpec& spec, std::stop_token stop) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> argv(spec.argv().begin(), spec.argv().end());
    if (stop.stop_requested()) return absl::CancelledError("stopped");
    std::string command = absl::StrJoin(argv, " ");
    commands_.push_back(command);
    std::string box = BindSource(spec, "/box");
    if (argv[0] == "go" && argv[1] == "build") {
      return script_.build_stderr.empty() ? Ok("") : Failed("", script_.build_stderr);
    }
    if (argv[0] == "go" && argv[1] == "vet") {
      if (script_.vet_sandbox_failure)
        return absl::InternalError("gograder-sandbox failed (exit 1): no cgroup");
      return Ok("");
    }
    if (absl::EndsWith(argv[0], "/gofmt")) return Ok("");
    if (absl::EndsWith(argv[0], "/inspector"))
      return Ok(R"({"module":"example.com/demo","packages":[]})");
    if (argv[0] == "go" && argv[1] == "list") return Ok("");
    if (argv[0] == "go" && argv[1] == "test") return Compile(argv, box);
    if (absl::EndsWith(argv[0], "/test2json")) {
      if (script_.on_hidden_tests) script_.on_hidden_tests();
      return RunTests(argv, BindSource(spec, "/opt/gograder/hidden.test"));
    }
    if (absl::EndsWith(argv[0], "hidden.test"))
      return RunBenchmarks(BindSource(spec, "/opt/gograder/hidden.test"), spec.limits());
    return absl::InternalError("the fake has no answer for: " + command);
  }

  std::vector<std::string> Commands() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return commands_;
  }

 private:
  static SandboxResult Ok(const std::string& out) {
    SandboxResult result;
    result.set_verdict(SandboxResult::OK);
    result.mutable_stdout()->set_data(out);
    return result;
  }
  static SandboxResult Failed(const std::string& out, const std::string& err) {
    SandboxResult result = Ok(out);
    result.set_verdict(SandboxResult::NONZERO_EXIT);
    result.set_exit_code(1);
    result.mutable_stderr()->set_data(err);
    return result;
  }
  static std::string BindSource(const SandboxSpec& spec, const std::string& target) {
    for (const auto& mount : spec.mounts()) {
      if (mount.target() == target && mount.has_bind()) return mount.bind().source();
    }
    return "";
  }

  // `go test -c`: fails when the workspace holds an uncompilable hidden
  // file; otherwise writes the binary and remembers the secret line its
  // generated TestMain prints, by the binary's later sealed name.
  absl::StatusOr<SandboxResult> Compile(const std::vector<std::string>& argv,
                                        const std::string& box) const {
    std::string nonce;
    bool reference = absl::StrContains(box, "bench-reference");
    for (const auto& entry : fs::directory_iterator(box)) {
      std::string name = entry.path().filename().string();
      for (const std::string& stem :
           reference ? std::set<std::string>{} : script_.uncompilable_files) {
        if (absl::StartsWith(name, stem + "_")) {
          return Failed("", absl::StrCat("# example.com/demo_test [example.com/demo.test]\n./",
                                         name, ":5:9: undefined: demo.Missing\n"));
        }
      }
      if (absl::StartsWith(name, "zz_gograder_main"))
        nonce = NonceLine(ReadFileOrEmpty(entry.path()));
    }
    std::ofstream(fs::path(box) / ".gograder-hidden.test") << "binary";
    bool race = std::find(argv.begin(), argv.end(), "-race") != argv.end();
    std::string kind = race ? "race.test" : reference ? "reference.test" : "hidden.test";
    nonces_[kind] = nonce;
    return Ok("");
  }

  // The line GeneratedTestMain prints: the masked bytes XOR the key.
  static std::string NonceLine(const std::string& main) {
    std::string key, masked;
    if (!RE2::PartialMatch(main, R"(key, masked := \[\]byte\{([0-9,]*)\}, \[\]byte\{([0-9,]*)\})",
                           &key, &masked)) {
      return "";
    }
    std::vector<std::string> k = absl::StrSplit(key, ',', absl::SkipEmpty());
    std::vector<std::string> m = absl::StrSplit(masked, ',', absl::SkipEmpty());
    std::string value;
    for (size_t i = 0; i < m.size() && i < k.size(); ++i)
      value.push_back(static_cast<char>(std::stoi(m[i]) ^ std::stoi(k[i])));
    return "gograder-run-complete " + absl::BytesToHexString(value);
  }

  static std::string Event(const std::string& action, const std::string& test,
                           const std::string& output = "") {
    std::string line = absl::StrCat(R"({"Action":")", action, R"(","Package":")", kPackage, R"(")");
    if (!test.empty()) absl::StrAppend(&line, R"(,"Test":")", test, R"(")");
    if (!output.empty()) absl::StrAppend(&line, R"(,"Output":")", absl::CEscape(output), R"(")");
    return line + "}\n";
  }

  // The binary under test2json: each test asked for (-test.run) runs as
  // scripted, then the secret line.
  absl::StatusOr<SandboxResult> RunTests(const std::vector<std::string>& argv,
                                         const std::string& binary) const {
    std::string pattern;
    for (const std::string& arg : argv) {
      if (absl::StartsWith(arg, "-test.run=")) pattern = arg.substr(10);
    }
    RE2 run(pattern);
    std::vector<std::string> tests;
    for (const std::string& name : hidden_tests_) {
      if (RE2::PartialMatch(name, run)) tests.push_back(name);
    }
    bool race = absl::EndsWith(binary, "race.test");
    if (script_.forge) {
      // A recorded forged run: passes printed for two tests, then exit 0 before the rest.
      std::string forged = absl::StrReplaceAll(
          ReadGoOutputFixture("test_forged_exit.json"),
          {{"TestFirst", tests[0]}, {"TestSecond", tests.size() > 1 ? tests.back() : "TestOther"}});
      return Ok(forged);
    }
    std::string out = Event("start", "");
    bool failed = false;
    for (const std::string& test : tests) {
      if (script_.unreported.count(test)) continue;
      TestResult::Status status =
          script_.statuses.count(test) ? script_.statuses.at(test) : TestResult::PASSED;
      out += Event("run", test) + Event("output", test, "=== RUN   " + test + "\n");
      if (race && script_.race_report) {
        out += Event("output", test,
                     "==================\nWARNING: DATA RACE\nWrite at 0x00c000 by goroutine 8:\n");
        out +=
            Event("output", test, "    testing.go:1617: race detected during execution of test\n");
        status = TestResult::FAILED;
      }
      bool passed = status == TestResult::PASSED;
      failed |= !passed;
      out += Event("output", test,
                   absl::StrCat(passed ? "--- PASS: " : "--- FAIL: ", test, " (0.00s)\n"));
      out += Event(passed ? "pass" : "fail", test);
    }
    out += Event("output", "", failed ? "FAIL\n" : "PASS\n");
    out += Event("output", "", nonces_.at(fs::path(binary).filename().string()) + "\n");
    out += Event(failed ? "fail" : "pass", "");
    return failed ? Failed(out, "") : Ok(out);
  }

  absl::StatusOr<SandboxResult> RunBenchmarks(const std::string& binary,
                                              const gograder::v1::Limits& limits) const {
    std::string kind = fs::path(binary).filename().string();
    if (kind == "hidden.test" && script_.student_bench_hangs) {
      SandboxResult result;
      result.set_verdict(SandboxResult::TIME_LIMIT);
      result.set_wall_time_us(limits.wall_time_ms() * 1000);
      return result;
    }
    double ns = kind == "reference.test" ? script_.reference_ns : script_.student_ns;
    return Ok(absl::StrCat("goos: linux\nBenchmarkHiddenGet-2   \t 1000000\t", ns,
                           " ns/op\t       0 B/op\t       0 allocs/op\nPASS\n", nonces_.at(kind),
                           "\n"));
  }

  Script script_;
  const std::vector<std::string> hidden_tests_ = {"TestHiddenA_One", "TestHiddenA_Two",
                                                  "TestHiddenB_One"};
  mutable std::mutex mutex_;
  mutable std::vector<std::string> commands_;
  mutable std::map<std::string, std::string> nonces_;  // by sealed binary name
};

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

class GradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("grade_test_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::path dir = root_ / "rubrics" / "phase1" / "demo";
    Write(root_ / "rubrics" / "phase1" / "phase.textproto",
          "id: \"phase1\" title: \"Concurrency\"\n");
    Write(dir / "exercise.textproto", R"pb(
      id: "phase1/demo"
      title: "Demo"
      module: "example.com/demo"
      benchmarks { rounds: 3 }
      criteria {
        id: "tests.a"
        title: "A"
        points: 40
        tests {}
      }
      criteria {
        id: "tests.b"
        title: "B"
        points: 20
        tests {}
      }
      criteria {
        id: "race"
        title: "No data races"
        points: 20
        race { pattern: "^TestHiddenA_" }
      }
      criteria {
        id: "bench.get"
        title: "Get speed"
        points: 10
        requires_tests: "tests.a"
        benchmark { benchmark: "BenchmarkHiddenGet" }
      }
      criteria {
        id: "vet"
        title: "go vet"
        points: 5
        vet {}
      }
      criteria {
        id: "gofmt"
        title: "gofmt"
        points: 5
        gofmt {}
      }
    )pb");
    const std::string go_mod = "module example.com/demo\n\ngo 1.26\n";
    Write(dir / "README.md", "# Demo\n");
    Write(dir / "starter" / "go.mod", go_mod);
    Write(dir / "reference" / "go.mod", go_mod);
    Write(dir / "reference" / "demo.go", "package demo\n");
    Write(dir / "tests" / "zz_hidden_a_test.go",
          "package demo_test\n\nfunc TestHiddenA_One(t *testing.T) {}\nfunc TestHiddenA_Two(t "
          "*testing.T) {}\n");
    Write(dir / "tests" / "zz_hidden_b_test.go",
          "package demo_test\n\nfunc TestHiddenB_One(t *testing.T) {}\n");
    Write(dir / "tests" / "zz_hidden_bench_test.go",
          "package demo_test\n\nfunc BenchmarkHiddenGet(b *testing.B) {}\n");
    Write(root_ / "submission" / "go.mod", go_mod);
    Write(root_ / "submission" / "demo.go", "package demo\n");
    Write(root_ / "inspector", "");
    auto bundle = LoadExercise((root_ / "rubrics").string(), "phase1/demo");
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    ASSERT_TRUE(ValidateExercise(*bundle).ok()) << ValidateExercise(*bundle);
    exercise_ = *std::move(bundle);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Grades the submission with the fake toolchain playing `script`.
  absl::StatusOr<GradeReport> Grade(Script script, std::stop_token stop = {}) {
    GraderOptions options;
    options.toolchain.environment = {"/usr/local/go", "/gomodcache", "/gocache"};
    options.toolchain.platform = "linux/amd64";
    options.toolchain.test2json = "/data/tools/test2json";
    options.inspector_binary = (root_ / "inspector").string();
    options.work_root = (root_ / "work").string();
    options.lock_dir = (root_ / "locks").string();
    options.reference_cache_dir = reference_cache_dir_;
    auto runner = std::make_unique<FakeStepRunner>(std::move(script));
    runner_ = runner.get();
    auto grader = Grader::Create(options, std::move(runner));
    if (!grader.ok()) return grader.status();
    grader_ = *std::move(grader);
    return GradeAgain(stop);
  }

  // The same submission again, by the same grader and fake toolchain.
  absl::StatusOr<GradeReport> GradeAgain(std::stop_token stop = {}) {
    Accepted accepted{
        (root_ / "submission").string(), "digest-of-the-submission", {"removed vendor/"}, 2, 30};
    return grader_->Grade(exercise_, accepted, nullptr, stop);
  }

  static const CriterionResult& Criterion(const GradeReport& report, const std::string& id) {
    for (const CriterionResult& criterion : report.criteria()) {
      if (criterion.id() == id) return criterion;
    }
    static const CriterionResult missing;
    ADD_FAILURE() << "no criterion " << id;
    return missing;
  }

  static TestResult::Status StatusOf(const GradeReport& report, const std::string& test) {
    for (const TestResult& result : report.tests()) {
      if (result.name() == test) return result.status();
    }
    return TestResult::STATUS_UNSPECIFIED;
  }

  int Count(absl::string_view needle) const {
    int count = 0;
    for (const std::string& command : runner_->Commands())
      count += absl::StrContains(command, needle);
    return count;
  }
  bool Ran(absl::string_view needle) const { return Count(needle) > 0; }

  fs::path root_;
  std::string reference_cache_dir_;  // GraderOptions::reference_cache_dir
  ExerciseBundle exercise_;
  FakeStepRunner* runner_ = nullptr;
  std::unique_ptr<Grader> grader_;
};

TEST_F(GradeTest, AWorkingSubmissionGetsEveryPoint) {
  auto report = Grade({});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->status(), GradeReport::GRADED) << report->error();
  EXPECT_EQ(report->score(), 100) << report->DebugString();
  EXPECT_EQ(report->submission_digest(), "digest-of-the-submission");
  EXPECT_THAT(report->flags(), IsEmpty());
  EXPECT_EQ(report->annotations(0).message(),
            "removed vendor/");  // the acceptance notes reach the report
  EXPECT_THAT(Criterion(*report, "bench.get").reason(), HasSubstr("median round ratio 1.00x"));
  EXPECT_EQ(Count("go test -c"), 3);    // the hidden tests, with -race, the reference's
  EXPECT_EQ(Count("-test.bench="), 6);  // 3 rounds, student and reference
}

TEST_F(GradeTest, ABuildFailureGatesEveryCriterionAndQuotesTheFirstError) {
  Script script;
  script.build_stderr = ReadGoOutputFixture("build_errors_typecheck.txt");
  auto report = Grade(script);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->build_failed());
  EXPECT_EQ(report->score(), 0);
  for (const CriterionResult& criterion : report->criteria()) {
    EXPECT_THAT(criterion.reason(),
                HasSubstr("first: broken/broken.go:4:9: undefined: undefinedThing"));
  }
  EXPECT_FALSE(Ran("go vet"));
  EXPECT_FALSE(Ran("go test"));
}

TEST_F(GradeTest, AHiddenFileThatDoesNotCompileCostsOnlyItsGroups) {
  Script script;
  script.uncompilable_files = {"zz_hidden_b"};
  auto report = Grade(script);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->status(), GradeReport::GRADED) << report->error();
  EXPECT_EQ(StatusOf(*report, "TestHiddenA_One"), TestResult::PASSED);
  EXPECT_EQ(StatusOf(*report, "TestHiddenB_One"), TestResult::MISSING);
  EXPECT_EQ(Criterion(*report, "tests.a").points(), 40);
  EXPECT_EQ(Criterion(*report, "tests.b").points(), 0);
  EXPECT_THAT(Criterion(*report, "tests.b").reason(), HasSubstr("undefined: demo.Missing"));
  EXPECT_EQ(Criterion(*report, "race").points(), 20);
  EXPECT_EQ(Criterion(*report, "bench.get").points(), 10);
  // Style is scaled by the behaviour points earned: 40 of 60.
  EXPECT_NEAR(Criterion(*report, "vet").points(), 5 * 40.0 / 60, 0.01);
  // All together (fails), each of the 3 files alone, the 2 that compile, then -race and the
  // reference.
  EXPECT_EQ(Count("go test -c"), 7);
}

TEST_F(GradeTest, ForgedPassesAreNotTrustedAndAreFlagged) {
  Script script;
  script.forge = true;
  auto report = Grade(script);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->status(), GradeReport::GRADED) << report->error();
  for (const char* id : {"tests.a", "tests.b", "race", "bench.get", "vet", "gofmt"}) {
    EXPECT_EQ(Criterion(*report, id).points(), 0) << id;
  }
  EXPECT_THAT(report->flags(),
              Contains(HasSubstr("exited with status 0 before its tests finished")));
  EXPECT_EQ(StatusOf(*report, "TestHiddenA_One"), TestResult::FAILED);
}

TEST_F(GradeTest, AnUnreportedTestIsMissingAndGatesTheBenchmark) {
  Script script;
  script.unreported = {"TestHiddenA_Two"};
  auto report = Grade(script);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(StatusOf(*report, "TestHiddenA_Two"), TestResult::MISSING);
  EXPECT_EQ(Criterion(*report, "tests.a").points(), 20);
  EXPECT_EQ(Criterion(*report, "bench.get").points(), 0);
  EXPECT_THAT(Criterion(*report, "bench.get").reason(),
              AllOf(HasSubstr("not scored"), HasSubstr("not run"),
                    HasSubstr("1 of 2 tests of tests.a (A) failed")));
  for (const auto& step : report->steps())
    EXPECT_NE(step.step(), gograder::v1::Step::BENCH)
        << step.label() << ": a round that cannot score";
}

TEST_F(GradeTest, ARaceReportCostsTheRaceCriterionOnly) {
  Script script;
  script.race_report = true;
  auto report = Grade(script);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Criterion(*report, "race").points(), 0);
  EXPECT_THAT(Criterion(*report, "race").reason(), HasSubstr("data race report(s)"));
  EXPECT_EQ(report->score(), 80);
}

TEST_F(GradeTest, ASlowBenchmarkEarnsItsBand) {
  Script script;
  script.student_ns = 300;  // 3x the reference: the <=4x band, 25%
  auto report = Grade(script);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_NEAR(Criterion(*report, "bench.get").points(), 2.5, 0.01);
  EXPECT_NEAR(Criterion(*report, "bench.get").ratio(), 3, 0.01);
}

TEST_F(GradeTest, TheReferenceBenchmarkBinaryIsCompiledOncePerExercise) {
  reference_cache_dir_ = (root_ / "reference-benchmarks").string();
  auto first = Grade(Script{});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Count("go test -c"), 3);  // the hidden tests, with -race, the reference's
  auto second = GradeAgain();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Count("go test -c"), 5);  // the student's two only: the reference's is kept
  EXPECT_EQ(second->score(), 100);    // its runs still end with the nonce it was compiled with
  EXPECT_NEAR(Criterion(*second, "bench.get").ratio(), 1, 0.01);
  int kept = 0;
  for (const auto& entry : fs::directory_iterator(reference_cache_dir_)) {
    ++kept;
    EXPECT_EQ(fs::status(entry.path() / "nonce").permissions(),
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fs::status(entry.path() / "reference.test").permissions() & fs::perms::all,
              fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec);
  }
  EXPECT_EQ(kept, 1);  // one published entry, no staging directory left
}

TEST_F(GradeTest, AStudentBenchmarkOverItsBudgetIsStoppedAndScoresZero) {
  Script script;
  script.student_bench_hangs = true;
  auto report = Grade(script);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Criterion(*report, "bench.get").points(), 0);
  // The fake reference runs in no time: the budget is the 2 s floor.
  EXPECT_THAT(Criterion(*report, "bench.get").reason(),
              HasSubstr("ran longer than 20x the reference's run of the same round (2.0 s"));
  EXPECT_EQ(Count("-test.bench="),
            2);                    // round 1 only: the reference, then the student's stopped run
  EXPECT_EQ(report->score(), 90);  // nothing else is lost
}

TEST_F(GradeTest, ASandboxFailureIsGradingFailedNotAZero) {
  Script script;
  script.vet_sandbox_failure = true;
  auto report = Grade(script);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->status(), GradeReport::GRADING_FAILED);
  EXPECT_THAT(report->error(), HasSubstr("no cgroup"));
  EXPECT_THAT(report->criteria(), IsEmpty());
  EXPECT_EQ(report->submission_digest(), "digest-of-the-submission");
}

TEST_F(GradeTest, AStopRequestCancelsTheGrading) {
  std::stop_source stop;
  Script script;
  script.on_hidden_tests = [&] { stop.request_stop(); };  // cancelled while the hidden tests run
  auto report = Grade(script, stop.get_token());
  EXPECT_THAT(report, StatusIs(absl::StatusCode::kCancelled)) << report.status();
  EXPECT_FALSE(Ran("-race"));  // nothing ran after the stop
}

// A pid that no process has: a child that has exited and been reaped.
pid_t DeadPid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

TEST(ClaimWorkRootTest, RemovesWhatGoneProcessesLeftAndKeepsTheLiving) {
  fs::path root = fs::path(::testing::TempDir()) / absl::StrCat("work-root-", getpid());
  fs::remove_all(root);
  const pid_t crashed = DeadPid(), killed = DeadPid(), living = getppid();
  // A process that crashed with its lock file, one that died before it had one.
  for (const std::string& name :
       {absl::StrCat("grade-", crashed, "-1/student"), absl::StrCat("grade-", killed, "-7"),
        absl::StrCat("grade-", living, "-2")}) {
    fs::create_directories(root / name);
  }
  for (const std::string& name :
       {absl::StrCat("owner-", crashed, ".lock"), absl::StrCat("sandbox-", crashed, "-3.spec"),
        std::string("notes.txt")}) {
    std::ofstream(root / name) << "x";
  }
  fs::path setuid = root / absl::StrCat("grade-", crashed, "-1/student/suid");
  std::ofstream(setuid) << "#!/bin/sh\n";
  ASSERT_EQ(chmod(setuid.c_str(), 04755), 0);

  ASSERT_OK(ClaimWorkRoot(root.string()));
  std::set<std::string> left;
  for (const auto& entry : fs::directory_iterator(root)) left.insert(entry.path().filename());
  EXPECT_THAT(
      left, testing::UnorderedElementsAre(absl::StrCat("grade-", living, "-2"),
                                          absl::StrCat("owner-", getpid(), ".lock"), "notes.txt"));
  // The claim holds: another process sees this one as alive.
  pid_t checker = fork();
  if (checker == 0) {
    int fd = open((root / absl::StrCat("owner-", getppid(), ".lock")).c_str(), O_RDWR);
    _exit(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(checker, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the lock is not held";
  ASSERT_OK(ClaimWorkRoot(root.string()));  // a second Grader of this process: nothing changes
  fs::remove_all(root);
}

}  // namespace
}  // namespace gograder::core
