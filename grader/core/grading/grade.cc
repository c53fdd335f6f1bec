// Theory of operation.
//
// A grading works in a fresh directory under the work root:
//   student/   the submission as sent, plus the exercise's allowlisted modules
//              in go.mod/go.sum: build, vet, gofmt, static rules and the
//              student's own tests (coverage) run here.
//   tests-N/   student/ without its *_test.go files, plus the hidden test
//              files and a generated TestMain that prints a secret line once
//              m.Run returns: the hidden test binaries are compiled here
//              (`go test -c`, with and without -race); no student code runs.
//   bench-reference/  the reference solution with the hidden tests, compiled
//              the same way for the benchmark baseline.
//   bin/       the compiled binaries, copied out execute-only (mode 0111,
//              owned by us) and bound read-only outside /box.
//   cache-layer/  the grading's writable build-cache layer over the warm
//              cache: every step that compiles and runs no submission code
//              (build, vet, go list, go test -c) mounts it in turn, so the
//              student's packages are compiled once; a run of a binary or of
//              the student's own tests gets a private layer instead.
//   run-N/     where a binary runs: the exercise's test data, and no hidden
//              source, so a submission that reads its directory, walks the
//              filesystem or opens /proc/self/exe finds nothing to print.
// Each step is one sandbox run (gograder-sandbox through SandboxRunner) with
// the exercise's limits for that step. A failed build gates everything else.
// A package that //go:embeds hidden test files is never given them: `go list`
// checks the embeds before anything compiles. As a last wall, every string of
// the report is scrubbed of hidden source lines (scrub.h).
//
// Which hidden test results are trusted is test_trust.h's policy; tests it
// cannot vouch for are rerun one per run. If the hidden files do not compile
// together against the student's API, each file is compiled on its own, so a
// missing symbol costs only the groups of its file. Every step goes through a
// StepRunner (step_runner.h): the sandbox, or a fake in grade_test.cc.
#include "grader/core/grading/grade.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/files.h"
#include "base/status_macros.h"
#include "base/version.h"
#include "grader/core/files/digest.h"
#include "grader/core/files/files.h"
#include "grader/core/go_output/compiler_output.h"
#include "grader/core/go_output/coverage_output.h"
#include "grader/core/go_output/test_events.h"
#include "grader/core/go_output/vet_output.h"
#include "grader/core/grading/workspace.h"
#include "grader/core/scoring/bench_rounds.h"
#include "grader/core/scoring/gating.h"
#include "grader/core/scoring/scoring.h"
#include "grader/core/scoring/scrub.h"
#include "grader/core/scoring/static_rules.h"
#include "grader/core/scoring/test_trust.h"
#include "grader/core/toolchain/go_command.h"
#include "grader/core/toolchain/sandbox_runner.h"
#include "re2/re2.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::Annotation;
using ::gograder::v1::Criterion;
using ::gograder::v1::GradeReport;
using ::gograder::v1::SandboxResult;
using ::gograder::v1::Step;
using ::gograder::v1::StepRun;
using ::gograder::v1::TestResult;

constexpr char kBox[] = "/box";
constexpr char kInspectorInSandbox[] = "/opt/gograder/inspector";
constexpr char kCompiledTests[] = ".gograder-hidden.test";  // in /box of a tests-N workspace
constexpr char kTestBinaryInSandbox[] = "/opt/gograder/hidden.test";
constexpr char kTest2JsonInSandbox[] = "/opt/gograder/test2json";
constexpr char kCoverProfile[] = ".gograder-coverage.out";
constexpr int kSingleTestTimeoutSeconds = 30;
// Changes when the way the reference's benchmark binary is compiled changes,
// so that binaries cached by an older gograder are not used.
constexpr char kReferenceCacheRecipe[] = "reference-benchmarks 1: go test -c -vet=off -ldflags=-w";

// Alternation of exact names for -run / -bench.
std::string ExactNames(const std::vector<std::string>& names) {
  return absl::StrCat("^(", absl::StrJoin(names, "|"), ")$");
}

std::string VerdictName(SandboxResult::Verdict verdict) {
  return SandboxResult::Verdict_Name(verdict);
}

bool HitLimit(const SandboxResult& result) {
  switch (result.verdict()) {
    case SandboxResult::TIME_LIMIT:
    case SandboxResult::CPU_LIMIT:
    case SandboxResult::MEMORY_LIMIT:
    case SandboxResult::OUTPUT_LIMIT:
      return true;
    default:
      return false;
  }
}

std::string LimitReason(const SandboxResult& result) {
  return absl::StrCat(VerdictName(result.verdict()), ": ", result.message());
}

// A compiled hidden test binary, sealed under work_/bin.
struct TestBinary {
  std::string host_path;
  RunNonce nonce;  // compiled into its TestMain
};

// What the hidden-test step leaves for the steps after it.
struct HiddenTests {
  HiddenRun run;
  std::vector<std::string> compiling_files;  // hidden files that compile with the student's code
  std::optional<TestBinary> binary;          // compiling_files with the student's code
  // Broken integrity rules (testing import, linkname, cgo, an embed of hidden
  // files): the submission could reach into the tests, so no test-based
  // point is given.
  std::vector<std::string> violations;
};

// One grading in progress.
class Grading {
 public:
  Grading(const GraderOptions& options, const StepRunner& runner, const ExerciseBundle& exercise,
          const ProgressCallback& progress, std::stop_token stop)
      : options_(options),
        runner_(runner),
        exercise_(exercise),
        progress_(progress),
        stop_(std::move(stop)) {}
  ~Grading() {
    std::error_code error;
    if (!options_.keep_work && !work_.empty()) fs::remove_all(work_, error);
  }

  absl::StatusOr<GradeReport> Run(const Accepted& submission);

 private:
  struct StepOutput {
    SandboxResult result;
    std::string out, err;
  };

  absl::StatusOr<StepOutput> RunStep(Step step, const std::string& label, GoCommand command);
  GoCommand Command(Step step, const std::string& dir, std::vector<std::string> argv) const;
  absl::StatusOr<std::string> MakeTestWorkspace(const std::vector<std::string>& files,
                                                const RunNonce& nonce);
  absl::StatusOr<std::vector<std::string>> EmbeddedHiddenFiles(const std::string& workspace);
  std::set<std::string> DeclaredIn(const std::vector<std::string>& files,
                                   absl::string_view prefix) const;
  absl::StatusOr<std::optional<TestBinary>> CompileTests(Step step, const std::string& label,
                                                         const std::string& workspace,
                                                         const RunNonce& nonce,
                                                         const std::string& sealed_name,
                                                         StepOutput* output);
  absl::StatusOr<GoCommand> TestBinaryCommand(Step step, const TestBinary& binary,
                                              std::vector<std::string> args);
  absl::StatusOr<HiddenRun> RunHiddenTests(const TestBinary& binary,
                                           const std::vector<std::string>& tests, bool race);
  absl::Status RunTestPass(const TestBinary& binary, const std::vector<std::string>& tests,
                           bool race, int timeout_seconds, HiddenRun& run,
                           std::vector<std::string>& untrusted);
  absl::Status Build();
  absl::Status Vet();
  absl::Status Gofmt();
  absl::StatusOr<std::vector<std::string>> StaticRules();
  absl::StatusOr<HiddenTests> Tests(std::vector<std::string> violations);
  absl::Status Race(const HiddenTests& hidden);
  absl::StatusOr<TestBinary> ReferenceBenchmarkBinary();
  absl::Status Benchmarks(const HiddenTests& hidden);
  absl::Status Coverage();
  void AddTestResults(const HiddenRun& run);

  const GraderOptions& options_;
  const StepRunner& runner_;
  const ExerciseBundle& exercise_;
  const ProgressCallback& progress_;
  std::stop_token stop_;
  GradeReport report_;
  fs::path work_, student_;
  int workspaces_ = 0;
  std::map<std::string, CriterionResult> scored_;  // by criterion id
  bool exclusive_cpu_ = false;                     // the benchmark rounds hold the host's CPUs
};

GoCommand Grading::Command(Step step, const std::string& dir, std::vector<std::string> argv) const {
  GoCommand command;
  command.argv = std::move(argv);
  command.module_dir = dir;
  command.limits = StepLimitsFor(exercise_.exercise, exercise_.phase, step);
  command.slot = options_.slot;
  command.cgo = step == Step::RACE || exercise_.exercise.allow_cgo();
  // The go command compiles into the grading's shared cache layer, unless
  // the step runs the submission's code (its own tests, for coverage): then
  // the module is a private copy, so nothing it writes reaches the host.
  if (step == Step::COVERAGE) {
    command.private_module_dir = true;
  } else {
    command.cache_layer_dir = (work_ / "cache-layer").string();
  }
  return command;
}

absl::StatusOr<Grading::StepOutput> Grading::RunStep(Step step, const std::string& label,
                                                     GoCommand command) {
  if (progress_) progress_(GradeProgress{step, label, false, {}});
  std::optional<CpuTurn> shared;  // benchmark rounds hold an exclusive turn already
  if (!exclusive_cpu_) {
    ASSIGN_OR_RETURN(shared, CpuTurn::Take(false, stop_, options_.lock_dir));
  }
  ASSIGN_OR_RETURN(SandboxResult result,
                   runner_.Run(GoCommandSpec(options_.toolchain.environment, command), stop_));
  shared.reset();
  StepRun* run = report_.add_steps();
  run->set_step(step);
  run->set_label(label);
  for (const std::string& arg : command.argv) run->add_argv(arg);
  run->set_verdict(result.verdict());
  run->set_exit_code(result.exit_code());
  run->set_wall_time_us(result.wall_time_us());
  run->set_cpu_time_us(result.cpu_time_us());
  run->set_peak_memory_bytes(result.peak_memory_bytes());
  run->set_message(result.message());
  run->set_output_truncated(result.stdout().truncated() || result.stderr().truncated());
  if (progress_) progress_(GradeProgress{step, label, true, *run});
  if (result.verdict() == SandboxResult::SETUP_ERROR) {
    return absl::InternalError(absl::StrCat(label, ": the sandbox could not start ",
                                            command.argv[0], ": ", result.message()));
  }
  StepOutput output{result, result.stdout().data(), result.stderr().data()};
  return output;
}

absl::StatusOr<std::string> Grading::MakeTestWorkspace(const std::vector<std::string>& files,
                                                       const RunNonce& nonce) {
  fs::path dir = work_ / absl::StrCat("tests-", ++workspaces_);
  RETURN_IF_ERROR(CopyModule(student_.string(), dir.string(), /*skip_tests=*/true));
  RETURN_IF_ERROR(AddHiddenTests(dir.string(), exercise_, files, nonce));
  return dir.string();
}

// The hidden test files that a //go:embed of the student's packages would
// take in from `workspace`, as `go list` resolves the patterns.
absl::StatusOr<std::vector<std::string>> Grading::EmbeddedHiddenFiles(
    const std::string& workspace) {
  ASSIGN_OR_RETURN(
      StepOutput list,
      RunStep(
          Step::TEST, "check embeds",
          Command(Step::TEST, workspace,
                  {"go", "list", "-e", "-f",
                   R"({{$d := .Dir}}{{range .EmbedFiles}}{{$d}}/{{.}}{{"\n"}}{{end}})", "./..."})));
  if (list.result.verdict() != SandboxResult::OK) {
    return absl::InternalError(
        absl::StrCat("go list of the test workspace failed: ", VerdictName(list.result.verdict()),
                     " ", list.err.substr(0, 1000)));
  }
  std::set<std::string> embedded;
  for (absl::string_view line : absl::StrSplit(list.out, '\n', absl::SkipEmpty())) {
    embedded.insert(std::string(absl::StripPrefix(line, absl::StrCat(kBox, "/"))));
  }
  // The workspace has no _test.go file of the student's: each one is ours.
  std::vector<std::string> leaked;
  for (const std::string& file : embedded) {
    if (absl::EndsWith(file, "_test.go")) leaked.push_back(file);
  }
  return leaked;
}

// The functions named `prefix`... (TestXxx, BenchmarkXxx) that the hidden
// `files` declare.
std::set<std::string> Grading::DeclaredIn(const std::vector<std::string>& files,
                                          absl::string_view prefix) const {
  std::set<std::string> names;
  for (const std::string& file : files) {
    for (std::string& name :
         DeclaredGoFunctions(ReadFileOrEmpty(fs::path(exercise_.tests_dir) / file), prefix)) {
      names.insert(std::move(name));
    }
  }
  return names;
}

// Compiles the hidden tests in `workspace` with `go test -c` (no student code
// runs). On success, and when `sealed_name` is not empty, the binary is
// copied execute-only to work_/bin/<sealed_name>. The compile run's output
// goes to `output` when given.
absl::StatusOr<std::optional<TestBinary>> Grading::CompileTests(Step step, const std::string& label,
                                                                const std::string& workspace,
                                                                const RunNonce& nonce,
                                                                const std::string& sealed_name,
                                                                StepOutput* output) {
  // -ldflags=-w: no DWARF in the binary (stack traces and race reports read
  // the symbol table), which cuts a third of each link's time.
  std::vector<std::string> argv = {"go", "test", "-c", "-vet=off", "-ldflags=-w"};
  if (step == Step::RACE) argv.push_back("-race");
  argv.insert(argv.end(),
              {"-o", absl::StrCat(kBox, "/", kCompiledTests),
               "./" + (exercise_.hidden_package_dir.empty() ? "." : exercise_.hidden_package_dir)});
  ASSIGN_OR_RETURN(StepOutput compiled, RunStep(step, label, Command(step, workspace, argv)));
  bool ok = compiled.result.verdict() == SandboxResult::OK;
  if (output != nullptr) *output = std::move(compiled);
  if (!ok) return std::nullopt;
  if (sealed_name.empty()) return TestBinary{"", nonce};  // a probe: compiling was the question
  TestBinary binary{(work_ / "bin" / sealed_name).string(), nonce};
  std::error_code error;
  fs::create_directories(work_ / "bin", error);
  RETURN_IF_ERROR(
      CopyExecuteOnly((fs::path(workspace) / kCompiledTests).string(), binary.host_path));
  return binary;
}

// A command that runs the sealed `binary` with `args` in a fresh run-N
// directory holding the exercise's test data and no hidden source.
absl::StatusOr<GoCommand> Grading::TestBinaryCommand(Step step, const TestBinary& binary,
                                                     std::vector<std::string> args) {
  fs::path dir = work_ / absl::StrCat("run-", ++workspaces_);
  RETURN_IF_ERROR(PrepareTestRunDirectory(dir.string(), exercise_));
  GoCommand command = Command(step, dir.string(), std::move(args));
  // The submission's code runs: never in the shared layer, never on the host's disk.
  command.cache_layer_dir.clear();
  command.private_module_dir = true;
  command.cwd = exercise_.hidden_package_dir.empty()
                    ? kBox
                    : absl::StrCat(kBox, "/", exercise_.hidden_package_dir);
  command.read_only_binds.push_back({binary.host_path, kTestBinaryInSandbox});
  return command;
}

absl::Status Grading::Build() {
  ASSIGN_OR_RETURN(StepOutput build,
                   RunStep(Step::BUILD, "build",
                           Command(Step::BUILD, student_.string(), {"go", "build", "./..."})));
  if (build.result.verdict() == SandboxResult::OK) return absl::OkStatus();
  report_.set_build_failed(true);
  std::vector<Annotation> errors = ParseCompilerErrors(build.err, kBox, "build");
  std::string why = HitLimit(build.result)
                        ? absl::StrCat("the build hit a limit (", LimitReason(build.result), ")")
                    : errors.empty()
                        ? absl::StrCat("`go build ./...` failed:\n", build.err.substr(0, 2000))
                        : absl::StrCat("`go build ./...` failed with ", errors.size(),
                                       " error(s); first: ", DescribeAnnotation(errors[0]));
  for (Annotation& annotation : errors) *report_.add_annotations() = std::move(annotation);
  for (const Criterion& criterion : exercise_.exercise.criteria()) {
    CriterionResult result = EmptyResult(criterion);
    result.set_reason(absl::StrCat("not graded: the module does not build. ", why));
    scored_[criterion.id()] = result;
  }
  return absl::OkStatus();
}

absl::Status Grading::Vet() {
  ASSIGN_OR_RETURN(StepOutput vet,
                   RunStep(Step::VET, "go vet",
                           Command(Step::VET, student_.string(), {"go", "vet", "-json", "./..."})));
  std::vector<Annotation> annotations = ParseVetOutput(vet.err + vet.out, kBox);
  std::vector<std::string> findings;
  for (Annotation& annotation : annotations) {
    findings.push_back(
        absl::StrCat(DescribeAnnotation(annotation), " (", annotation.source(), ")"));
    *report_.add_annotations() = std::move(annotation);
  }
  if (HitLimit(vet.result))
    findings.push_back(absl::StrCat("go vet hit a limit: ", LimitReason(vet.result)));
  if (findings.empty() && vet.result.verdict() != SandboxResult::OK) {
    findings.push_back(
        absl::StrCat("go vet failed: ", absl::StripAsciiWhitespace(vet.err.substr(0, 500))));
  }
  for (const Criterion& criterion : exercise_.exercise.criteria()) {
    if (criterion.has_vet())
      scored_[criterion.id()] = ScoreFindings(criterion, findings, "go vet reports nothing");
  }
  return absl::OkStatus();
}

absl::Status Grading::Gofmt() {
  std::string gofmt = options_.toolchain.environment.goroot + "/bin/gofmt";
  ASSIGN_OR_RETURN(
      StepOutput format,
      RunStep(Step::GOFMT, "gofmt", Command(Step::GOFMT, student_.string(), {gofmt, "-l", "."})));
  std::vector<std::string> findings;
  for (const std::string& file : ParseGofmtList(format.out, kBox)) {
    findings.push_back(absl::StrCat(file, " is not gofmt-formatted (run gofmt -w ", file, ")"));
    Annotation* annotation = report_.add_annotations();
    annotation->set_file(file);
    annotation->set_severity(gograder::v1::WARNING);
    annotation->set_message("not gofmt-formatted; run gofmt -w on it");
    annotation->set_source("gofmt");
  }
  if (format.result.verdict() != SandboxResult::OK && findings.empty()) {
    findings.push_back(
        absl::StrCat("gofmt failed: ", absl::StripAsciiWhitespace(format.err.substr(0, 500))));
  }
  for (const Criterion& criterion : exercise_.exercise.criteria()) {
    if (criterion.has_gofmt())
      scored_[criterion.id()] = ScoreFindings(criterion, findings, "gofmt -l lists no file");
  }
  return absl::OkStatus();
}

// Scores the static rules; returns the broken integrity rules.
absl::StatusOr<std::vector<std::string>> Grading::StaticRules() {
  GoCommand command = Command(Step::STATIC, student_.string(), {kInspectorInSandbox, kBox});
  command.read_only_binds.push_back({options_.inspector_binary, kInspectorInSandbox});
  ASSIGN_OR_RETURN(StepOutput inspect, RunStep(Step::STATIC, "static rules", command));
  if (inspect.result.verdict() != SandboxResult::OK) {
    return absl::InternalError(
        absl::StrCat("the inspector failed: ", VerdictName(inspect.result.verdict()), " ",
                     inspect.result.message(), " ", inspect.err.substr(0, 1000)));
  }
  ASSIGN_OR_RETURN(InspectorFacts facts, ParseInspectorFacts(inspect.out));
  std::vector<std::string> violations;
  for (StaticRuleResult& violation : EvaluateIntegrityRules(facts, exercise_.exercise)) {
    violations.push_back(violation.reason);
    report_.add_flags(violation.reason);
    for (Annotation& annotation : violation.annotations)
      *report_.add_annotations() = std::move(annotation);
  }
  for (const Criterion& criterion : exercise_.exercise.criteria()) {
    if (!criterion.has_static_rules()) continue;
    std::vector<StaticRuleResult> results = EvaluateStaticRules(facts, criterion.static_rules());
    std::vector<std::string> broken;
    for (StaticRuleResult& rule : results) {
      if (rule.passed) continue;
      broken.push_back(rule.reason);
      for (Annotation& annotation : rule.annotations)
        *report_.add_annotations() = std::move(annotation);
    }
    scored_[criterion.id()] = ScoreRules(criterion, static_cast<int>(results.size()), broken);
  }
  return violations;
}

// Runs `tests` of `binary` once; JudgeTestPass says what the run proves.
absl::Status Grading::RunTestPass(const TestBinary& binary, const std::vector<std::string>& tests,
                                  bool race, int timeout_seconds, HiddenRun& run,
                                  std::vector<std::string>& untrusted) {
  Step step = race ? Step::RACE : Step::TEST;
  // What `go test -json` runs, without the sources: test2json over the binary.
  std::string package = exercise_.exercise.module();
  if (!exercise_.hidden_package_dir.empty())
    absl::StrAppend(&package, "/", exercise_.hidden_package_dir);
  std::vector<std::string> argv = {kTest2JsonInSandbox,
                                   "-p",
                                   package,
                                   kTestBinaryInSandbox,
                                   "-test.v=test2json",
                                   "-test.paniconexit0",
                                   absl::StrCat("-test.timeout=", timeout_seconds, "s"),
                                   "-test.run=" + ExactNames(tests)};
  std::string label = absl::StrCat(race ? "race detector" : "hidden tests",
                                   tests.size() == 1 ? absl::StrCat(" (", tests[0], ")") : "");
  ASSIGN_OR_RETURN(GoCommand command, TestBinaryCommand(step, binary, argv));
  command.read_only_binds.push_back({options_.toolchain.test2json, kTest2JsonInSandbox});
  ASSIGN_OR_RETURN(StepOutput output, RunStep(step, label, command));
  TestPass pass{tests,
                label,
                {},
                binary.nonce.Line(),
                output.result.verdict() == SandboxResult::OK,
                HitLimit(output.result) ? LimitReason(output.result) : ""};
  ASSIGN_OR_RETURN(pass.parsed, ParseTestEvents(output.out));
  JudgeTestPass(pass, run, untrusted);
  return absl::OkStatus();
}

absl::StatusOr<HiddenRun> Grading::RunHiddenTests(const TestBinary& binary,
                                                  const std::vector<std::string>& tests,
                                                  bool race) {
  HiddenRun run;
  if (tests.empty()) return run;
  Step step = race ? Step::RACE : Step::TEST;
  int timeout = static_cast<int>(
      StepLimitsFor(exercise_.exercise, exercise_.phase, step).wall_time_ms() / 1000);
  timeout = std::max(5, timeout - 10);  // let go test's own timeout name the hanging test
  std::vector<std::string> untrusted;
  RETURN_IF_ERROR(RunTestPass(binary, tests, race, timeout, run, untrusted));
  // One test per run for those the first pass cannot vouch for.
  for (const std::string& test : untrusted) {
    std::vector<std::string> again;
    RETURN_IF_ERROR(RunTestPass(binary, {test}, race, std::min(timeout, kSingleTestTimeoutSeconds),
                                run, again));
    if (!again.empty() && !run.results.count(test)) SettleUnverified(test, run);
  }
  return run;
}

// Compiles and runs the hidden tests (unless `violations` forbid it) and
// scores the test groups.
absl::StatusOr<HiddenTests> Grading::Tests(std::vector<std::string> violations) {
  HiddenTests hidden;
  hidden.violations = std::move(violations);
  HiddenRun& run = hidden.run;
  RunNonce nonce = NewRunNonce();
  ASSIGN_OR_RETURN(std::string dir, MakeTestWorkspace({}, nonce));
  // Code that could reach into the test framework or take in the hidden
  // sources is never run with them.
  std::string refused;
  if (!hidden.violations.empty()) {
    refused = absl::StrCat("not run: ", absl::StrJoin(hidden.violations, "; "));
  } else {
    ASSIGN_OR_RETURN(std::vector<std::string> embedded, EmbeddedHiddenFiles(dir));
    if (!embedded.empty()) {
      std::string why =
          absl::StrCat("a //go:embed directive of your package takes in hidden test files (",
                       absl::StrJoin(embedded, ", "), ")");
      hidden.violations.push_back(why);
      report_.add_flags(why);
      refused = absl::StrCat("not run: ", why);
    }
  }
  if (refused.empty()) {
    // Which hidden files compile with the student's code: all together first,
    // then (only if that fails) each on its own.
    ASSIGN_OR_RETURN(hidden.binary, CompileTests(Step::TEST, "compile hidden tests", dir, nonce,
                                                 "hidden.test", nullptr));
    if (hidden.binary.has_value()) {
      hidden.compiling_files = exercise_.hidden_files;
    } else {
      for (const std::string& file : exercise_.hidden_files) {
        ASSIGN_OR_RETURN(std::string one, MakeTestWorkspace({file}, nonce));
        StepOutput compiled;
        ASSIGN_OR_RETURN(
            std::optional<TestBinary> probe,
            CompileTests(Step::TEST, absl::StrCat("compile ", file), one, nonce, "", &compiled));
        if (probe.has_value()) {
          hidden.compiling_files.push_back(file);
          continue;
        }
        // Tell the student what their API lacks, without the hidden source.
        std::vector<std::string> messages;
        for (const Annotation& error :
             ParseCompilerErrors(compiled.err + compiled.out, kBox, "test")) {
          messages.push_back(error.message());
        }
        run.uncompilable.push_back(absl::StrCat(
            file, ": ", messages.empty() ? "does not compile" : absl::StrJoin(messages, "; ")));
      }
      if (!hidden.compiling_files.empty()) {
        ASSIGN_OR_RETURN(std::string some, MakeTestWorkspace(hidden.compiling_files, nonce));
        ASSIGN_OR_RETURN(hidden.binary,
                         CompileTests(Step::TEST, "compile the hidden tests that compile", some,
                                      nonce, "hidden.test", nullptr));
        if (!hidden.binary.has_value()) {
          run.uncompilable.push_back(absl::StrCat(absl::StrJoin(hidden.compiling_files, ", "),
                                                  ": each compiles alone, but not together"));
          hidden.compiling_files.clear();
        }
      }
    }
  }
  std::vector<std::string> runnable;
  std::set<std::string> compiled_tests = DeclaredIn(hidden.compiling_files, "Test");
  for (const std::string& test : exercise_.hidden_tests) {
    if (compiled_tests.count(test)) runnable.push_back(test);
  }
  if (hidden.binary.has_value()) {
    ASSIGN_OR_RETURN(HiddenRun ran, RunHiddenTests(*hidden.binary, runnable, /*race=*/false));
    ran.uncompilable = std::move(run.uncompilable);
    run = std::move(ran);
  }
  for (const std::string& test : exercise_.hidden_tests) {
    if (run.results.count(test)) continue;
    TestResult result;
    result.set_name(test);
    result.set_status(TestResult::MISSING);
    result.set_output(
        !refused.empty()
            ? refused
            : absl::StrCat("its hidden test file does not compile against your package: ",
                           absl::StrJoin(run.uncompilable, "; ")));
    run.results[test] = std::move(result);
  }
  for (const std::string& flag : run.flags) report_.add_flags(flag);
  for (const Criterion& criterion : exercise_.exercise.criteria()) {
    if (!criterion.has_tests()) continue;
    RE2 pattern(TestGroupPattern(criterion));
    std::vector<TestResult> expected;
    for (const std::string& test : exercise_.hidden_tests) {
      if (RE2::PartialMatch(test, pattern)) expected.push_back(run.results[test]);
    }
    scored_[criterion.id()] = ScoreTestGroup(criterion, expected);
  }
  return hidden;
}

absl::Status Grading::Race(const HiddenTests& hidden) {
  std::optional<TestBinary> race_binary;  // compiled for the first race criterion that has tests
  for (const Criterion& criterion : exercise_.exercise.criteria()) {
    if (!criterion.has_race()) continue;
    RE2 pattern(criterion.race().pattern().empty() ? "." : criterion.race().pattern());
    std::vector<std::string> tests;
    for (const auto& [name, result] : hidden.run.results) {
      if (result.status() != TestResult::MISSING && RE2::PartialMatch(name, pattern))
        tests.push_back(name);
    }
    RaceOutcome outcome;
    if (tests.empty()) {
      outcome.problem = "none of the tests it runs compiled against your package";
    } else {
      if (!race_binary.has_value()) {
        RunNonce nonce = NewRunNonce();
        ASSIGN_OR_RETURN(std::string dir, MakeTestWorkspace(hidden.compiling_files, nonce));
        StepOutput compiled;
        ASSIGN_OR_RETURN(race_binary, CompileTests(Step::RACE, "compile race tests", dir, nonce,
                                                   "race.test", &compiled));
        std::vector<Annotation> errors =
            ParseCompilerErrors(compiled.err + compiled.out, kBox, "race");
        if (!race_binary.has_value() && errors.empty()) {
          // They compile without -race and no source is to blame: the race toolchain failed.
          return absl::InternalError(absl::StrCat("the hidden tests compile, but not with -race: ",
                                                  compiled.err.substr(0, 1000)));
        }
        if (!race_binary.has_value()) {  // e.g. a file with //go:build !race
          outcome.problem =
              absl::StrCat("the tests do not compile with -race: ", DescribeAnnotation(errors[0]));
          scored_[criterion.id()] = ScoreRace(criterion, outcome);
          continue;
        }
      }
      ASSIGN_OR_RETURN(HiddenRun run, RunHiddenTests(*race_binary, tests, /*race=*/true));
      outcome.completed = run.limit.empty() && run.unverified.empty();
      outcome.problem = !run.limit.empty()
                            ? run.limit
                            : absl::StrCat("the test binary never completed for ",
                                           absl::StrJoin(run.unverified, ", "),
                                           ", so its race reports cannot be trusted");
      static const LazyRE2 kRaceReport = {"WARNING: DATA RACE"};
      re2::StringPiece input(run.combined_output);
      while (RE2::FindAndConsume(&input, *kRaceReport)) ++outcome.races;
      outcome.tests = static_cast<int>(tests.size());
      for (const std::string& name : tests) {
        auto found = run.results.find(name);
        if (found == run.results.end()) {
          outcome.failed_tests.push_back(absl::StrCat(name, ": did not report"));
        } else if (found->second.status() != TestResult::PASSED) {
          outcome.failed_tests.push_back(DescribeTest(found->second));
        }
      }
      for (const auto& [name, result] : run.results) {
        if (absl::StrContains(result.output(), "race detected during execution of test") ||
            absl::StrContains(result.output(), "WARNING: DATA RACE")) {
          outcome.racy_tests.push_back(name);
        }
      }
      if (outcome.races == 0 && !outcome.racy_tests.empty())
        outcome.races = outcome.racy_tests.size();
      for (const std::string& flag : run.flags) report_.add_flags(flag);
    }
    scored_[criterion.id()] = ScoreRace(criterion, outcome);
  }
  return absl::OkStatus();
}

// The reference solution compiled with the hidden tests, as the benchmarks'
// baseline. It is the same for every grading of the exercise with this
// toolchain, so it is compiled once and kept under
// options_.reference_cache_dir (when set), keyed by the exercise's digest,
// the reference's files and the toolchain; its nonce is kept beside it.
absl::StatusOr<TestBinary> Grading::ReferenceBenchmarkBinary() {
  std::string key;
  if (!options_.reference_cache_dir.empty()) {
    ASSIGN_OR_RETURN(std::string reference_digest, Sha256OfTree(exercise_.reference_dir));
    key = Sha256Hex(absl::StrCat(kReferenceCacheRecipe, "\n", exercise_.digest, "\n",
                                 reference_digest, "\n", options_.toolchain.Description()));
    fs::path cached = fs::path(options_.reference_cache_dir) / key;
    std::vector<std::string> nonce =
        absl::StrSplit(ReadFileOrEmpty(cached / "nonce"), '\n', absl::SkipEmpty());
    std::error_code error;
    if (nonce.size() == 2 && fs::is_regular_file(cached / "reference.test", error)) {
      return TestBinary{(cached / "reference.test").string(), RunNonce{nonce[0], nonce[1]}};
    }
  }
  RunNonce nonce = NewRunNonce();
  fs::path dir = work_ / "bench-reference";
  RETURN_IF_ERROR(CopyModule(exercise_.reference_dir, dir.string(), /*skip_tests=*/true));
  RETURN_IF_ERROR(RequireExerciseModules(dir.string(), exercise_.exercise, options_.toolchain));
  RETURN_IF_ERROR(AddHiddenTests(dir.string(), exercise_, {}, nonce));
  StepOutput build;
  ASSIGN_OR_RETURN(std::optional<TestBinary> binary,
                   CompileTests(Step::BENCH, "compile benchmarks (reference)", dir.string(), nonce,
                                "reference.test", &build));
  if (!binary.has_value()) {
    return absl::InternalError(absl::StrCat("the reference solution's benchmarks do not compile: ",
                                            build.err.substr(0, 1000)));
  }
  if (key.empty()) return *binary;
  // Published whole or not at all: a directory renamed into place.
  fs::path staging = fs::path(options_.reference_cache_dir) /
                     absl::StrCat(".staging-", key, "-", NewRunNonce().key);
  std::error_code error;
  fs::create_directories(staging, error);
  if (!error) {
    absl::Status written = WriteWholeFile((staging / "nonce").string(),
                                          absl::StrCat(nonce.key, "\n", nonce.value, "\n"));
    fs::permissions(staging / "nonce", fs::perms::owner_read | fs::perms::owner_write, error);
    if (written.ok())
      written = CopyExecuteOnly(binary->host_path, (staging / "reference.test").string());
    fs::path cached = fs::path(options_.reference_cache_dir) / key;
    if (written.ok()) fs::rename(staging, cached, error);  // another grading may have won: fine
  }
  fs::remove_all(staging, error);
  return *binary;
}

absl::Status Grading::Benchmarks(const HiddenTests& hidden) {
  // The student's side is the hidden test binary; the reference's is built
  // the same way. The rounds then only run the two binaries.
  std::set<std::string> compiled_benchmarks = DeclaredIn(hidden.compiling_files, "Benchmark");
  std::vector<const Criterion*> runnable;
  for (const Criterion& criterion : exercise_.exercise.criteria()) {
    if (!criterion.has_benchmark()) continue;
    // Its points need the code's tests to pass (ApplyGates' gate, which
    // then names the failing tests): rounds that cannot score are not run.
    if (!UnmetRequirements(exercise_.exercise, criterion, scored_, hidden.run.results).empty()) {
      CriterionResult result = EmptyResult(criterion);
      result.set_reason(
          "not scored: a benchmark is not run until the code it judges passes its tests");
      scored_[criterion.id()] = std::move(result);
      continue;
    }
    if (compiled_benchmarks.count(criterion.benchmark().benchmark())) {
      runnable.push_back(&criterion);
      continue;
    }
    scored_[criterion.id()] =
        ScoreBenchmark(criterion, {}, {},
                       absl::StrCat("the benchmark does not compile against your package: ",
                                    absl::StrJoin(hidden.run.uncompilable, "; ")));
  }
  if (runnable.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(TestBinary reference_binary, ReferenceBenchmarkBinary());
  std::vector<std::string> names;
  for (const Criterion* criterion : runnable) names.push_back(criterion->benchmark().benchmark());
  int rounds =
      exercise_.exercise.benchmarks().rounds() > 0 ? exercise_.exercise.benchmarks().rounds() : 5;
  std::string benchtime = exercise_.exercise.benchmarks().benchtime().empty()
                              ? "1s"
                              : exercise_.exercise.benchmarks().benchtime();
  const int samples = exercise_.exercise.benchmarks().samples_per_run() > 0
                          ? exercise_.exercise.benchmarks().samples_per_run()
                          : 3;
  // Each run times one benchmark, reference first: the student's run gets a
  // budget of budget_factor times the reference's run of the same round, and
  // a run stopped at its budget costs only its own benchmark.
  const double factor = exercise_.exercise.benchmarks().budget_factor();
  // No other grading's step shares the CPU while the rounds are timed.
  ASSIGN_OR_RETURN(CpuTurn alone, CpuTurn::Take(true, stop_, options_.lock_dir));
  exclusive_cpu_ = true;
  BenchmarkTally tally;
  for (int round = 1; round <= rounds && tally.problems.size() < names.size(); ++round) {
    for (const std::string& name : names) {
      if (tally.problems.count(name)) continue;
      std::vector<std::string> run = {kTestBinaryInSandbox,
                                      "-test.run=^$",
                                      "-test.bench=" + ExactNames({name}),
                                      "-test.benchtime=" + benchtime,
                                      absl::StrCat("-test.count=", samples),
                                      "-test.benchmem"};
      absl::Duration reference_run;
      for (bool reference : {true, false}) {
        const TestBinary& binary = reference ? reference_binary : *hidden.binary;
        ASSIGN_OR_RETURN(GoCommand command, TestBinaryCommand(Step::BENCH, binary, run));
        const absl::Duration step_limit = absl::Milliseconds(command.limits.wall_time_ms());
        const absl::Duration budget = StudentRunBudget(reference_run, factor, step_limit);
        if (!reference) command.limits.set_wall_time_ms(absl::ToInt64Milliseconds(budget));
        ASSIGN_OR_RETURN(
            StepOutput output,
            RunStep(Step::BENCH,
                    absl::StrCat(name, " round ", round, reference ? " (reference)" : " (student)"),
                    command));
        if (reference) reference_run = absl::Microseconds(output.result.wall_time_us());
        bool over_budget = !reference && output.result.verdict() == SandboxResult::TIME_LIMIT &&
                           budget < step_limit;
        RETURN_IF_ERROR(
            RecordBenchmarkRun({name, reference, output.out, binary.nonce.Line(),
                                output.result.verdict() == SandboxResult::OK,
                                over_budget ? OverBudgetReason(reference_run, factor, budget)
                                : HitLimit(output.result) ? LimitReason(output.result)
                                                          : ""},
                               tally));
      }
    }
  }
  exclusive_cpu_ = false;
  for (const Criterion* criterion : runnable) {
    const std::string& name = criterion->benchmark().benchmark();
    scored_[criterion->id()] = ScoreBenchmark(*criterion, tally.student_ns[name],
                                              tally.reference_ns[name], tally.problems[name]);
  }
  return absl::OkStatus();
}

absl::Status Grading::Coverage() {
  for (const Criterion& criterion : exercise_.exercise.criteria()) {
    if (!criterion.has_coverage()) continue;
    GoCommand command =
        Command(Step::COVERAGE, student_.string(),
                {"go", "test", "-count=1", "-vet=off", "-ldflags=-w", "-coverpkg=./...",
                 absl::StrCat("-coverprofile=", kBox, "/", kCoverProfile), "./..."});
    fs::path copied_profile = work_ / kCoverProfile;
    command.output_files.push_back({absl::StrCat(kBox, "/", kCoverProfile), copied_profile});
    ASSIGN_OR_RETURN(StepOutput output, RunStep(Step::COVERAGE, "coverage of your tests", command));
    std::string profile = ReadFileOrEmpty(copied_profile);
    absl::StatusOr<double> percent = CoveragePercentFromProfile(profile);
    std::string problem;
    if (!percent.ok()) {
      problem = profile.empty()
                    ? "your tests did not produce a coverage profile (do they build and pass?)"
                    : std::string(percent.status().message());
    } else if (output.result.verdict() != SandboxResult::OK) {
      problem = "your own tests fail; coverage counts only when they pass";
      percent = absl::FailedPreconditionError(problem);
    }
    scored_[criterion.id()] = ScoreCoverage(
        criterion, percent.ok() ? std::optional<double>(*percent) : std::nullopt, problem);
  }
  return absl::OkStatus();
}

void Grading::AddTestResults(const HiddenRun& run) {
  for (const std::string& test : exercise_.hidden_tests) {
    auto found = run.results.find(test);
    if (found != run.results.end()) *report_.add_tests() = found->second;
  }
}

absl::StatusOr<GradeReport> Grading::Run(const Accepted& submission) {
  const gograder::v1::Exercise& exercise = exercise_.exercise;
  report_.set_exercise_id(exercise.id());
  report_.set_toolchain(options_.toolchain.Description());
  report_.set_rubric_digest(exercise_.digest);
  report_.set_submission_digest(submission.digest);

  work_ = fs::path(options_.work_root) /
          absl::StrCat("grade-", getpid(), "-", absl::ToUnixNanos(absl::Now()));
  student_ = work_ / "student";
  RETURN_IF_ERROR(CopyModule(submission.dir, student_.string(), /*skip_tests=*/false));
  for (const std::string& note : submission.notes) {
    Annotation* annotation = report_.add_annotations();
    annotation->set_severity(gograder::v1::NOTICE);
    annotation->set_message(note);
    annotation->set_source("intake");
  }
  RETURN_IF_ERROR(RequireExerciseModules(student_.string(), exercise, options_.toolchain));

  RETURN_IF_ERROR(Build());
  HiddenTests hidden;
  if (!report_.build_failed()) {
    RETURN_IF_ERROR(Vet());
    RETURN_IF_ERROR(Gofmt());
    ASSIGN_OR_RETURN(std::vector<std::string> violations, StaticRules());
    ASSIGN_OR_RETURN(hidden, Tests(std::move(violations)));
    RETURN_IF_ERROR(Race(hidden));
    RETURN_IF_ERROR(Benchmarks(hidden));
    RETURN_IF_ERROR(Coverage());
    AddTestResults(hidden.run);
  }
  std::vector<CriterionResult> results;
  for (const Criterion& criterion : exercise.criteria()) {
    auto found = scored_.find(criterion.id());
    CriterionResult result = found != scored_.end() ? found->second : EmptyResult(criterion);
    bool test_based = criterion.has_tests() || criterion.has_race() || criterion.has_benchmark() ||
                      criterion.has_coverage();
    if (test_based && !hidden.violations.empty()) {
      result.set_points(0);
      result.set_reason(
          absl::StrCat("not counted: ", absl::StrJoin(hidden.violations, "; "),
                       " (not allowed in this exercise: it could change how tests run)"));
    }
    results.push_back(std::move(result));
  }
  ApplyGates(exercise, EffectiveStyleScaling(exercise, exercise_.phase), hidden.run.results,
             results);
  for (CriterionResult& result : results) *report_.add_criteria() = std::move(result);
  report_.set_status(GradeReport::GRADED);
  TotalScore(report_);
  return report_;
}

}  // namespace

GradeReport GradingFailedReport(absl::string_view exercise_id, absl::string_view error) {
  GradeReport report;
  report.set_status(GradeReport::GRADING_FAILED);
  report.set_exercise_id(std::string(exercise_id));
  report.set_error(std::string(error));
  return report;
}

void TotalScore(GradeReport& report) {
  double score = 0, max_score = 0;
  for (const auto& criterion : report.criteria()) {
    score += criterion.points();
    max_score += criterion.max_points();
  }
  report.set_score(RoundPoints(score));
  report.set_max_score(RoundPoints(max_score));
}

absl::StatusOr<std::unique_ptr<Grader>> Grader::Create(GraderOptions options) {
  std::error_code error;
  if (!fs::is_regular_file(options.sandbox_binary, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the sandbox binary is missing: ", options.sandbox_binary));
  }
  auto runner = std::make_unique<SandboxRunner>(
      SandboxRunnerOptions{options.sandbox_binary, options.work_root, absl::Seconds(20)});
  return Create(std::move(options), std::move(runner));
}

absl::StatusOr<std::unique_ptr<Grader>> Grader::Create(GraderOptions options,
                                                       std::unique_ptr<StepRunner> runner) {
  std::error_code error;
  if (!fs::is_regular_file(options.inspector_binary, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the inspector binary is missing: ", options.inspector_binary));
  }
  RETURN_IF_ERROR(ClaimWorkRoot(options.work_root));
  return std::unique_ptr<Grader>(new Grader(std::move(options), std::move(runner)));
}

absl::StatusOr<std::string> Grader::InspectorTokens(const std::string& module_dir,
                                                    bool each) const {
  GoCommand command;
  command.argv = {kInspectorInSandbox, each ? "-tokens-each" : "-tokens", kBox};
  command.module_dir = module_dir;
  command.private_module_dir = true;  // never handed to the slot's uid
  command.slot = options_.slot;
  command.limits.set_wall_time_ms(each ? 600'000 : 60'000);
  command.limits.set_cpu_time_ms(each ? 600'000 : 60'000);
  command.limits.set_output_bytes(each ? 1 << 30 : 64 << 20);
  command.limits.set_memory_bytes(2LL << 30);
  command.read_only_binds.push_back({options_.inspector_binary, kInspectorInSandbox});
  ASSIGN_OR_RETURN(SandboxResult result,
                   runner_->Run(GoCommandSpec(options_.toolchain.environment, command), {}));
  if (result.verdict() != SandboxResult::OK) {
    return absl::InternalError(absl::StrCat("the inspector failed on ", module_dir, ": ",
                                            VerdictName(result.verdict()), " ", result.message(),
                                            " ", result.stderr().data().substr(0, 1000)));
  }
  return result.stdout().data();
}

absl::StatusOr<GradeReport> Grader::Grade(const ExerciseBundle& exercise,
                                          const Accepted& submission,
                                          const ProgressCallback& progress,
                                          std::stop_token stop) const {
  absl::Time start = absl::Now();
  Grading grading(options_, *runner_, exercise, progress, stop);
  absl::StatusOr<GradeReport> report = grading.Run(submission);
  if (!report.ok() && stop.stop_requested())
    return absl::CancelledError("the grading was cancelled");
  if (!report.ok()) {
    GradeReport failed = GradingFailedReport(exercise.exercise.id(), report.status().message());
    failed.set_toolchain(options_.toolchain.Description());
    failed.set_rubric_digest(exercise.digest);
    failed.set_submission_digest(submission.digest);
    report = failed;
  }
  std::vector<std::string> sources;
  for (const std::string& file : exercise.hidden_files) {
    sources.push_back(ReadFileOrEmpty(fs::path(exercise.tests_dir) / file));
  }
  if (int removed = HiddenSourceScrubber(sources).ScrubMessage(*report); removed > 0) {
    report->add_flags(
        absl::StrCat("hidden test source was removed from ", removed,
                     " line(s) of this report: the submission printed hidden test code"));
  }
  report->set_duration_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  report->set_gograder_version(kGograderVersion);
  report->set_graded_at(absl::FormatTime(absl::RFC3339_sec, start, absl::UTCTimeZone()));
  return report;
}

}  // namespace gograder::core
