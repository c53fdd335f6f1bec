#include "grader/core/rubric/rubric.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "grader/core/files/digest.h"
#include "grader/core/files/files.h"
#include "re2/re2.h"

namespace gograder::core {
namespace {

// The GOOS or GOARCH a Go file's name restricts it to ("windows" for
// zz_hidden_windows_test.go), or "" when it has no such suffix.
std::string BuildConstraintSuffix(absl::string_view file) {
  static const absl::flat_hash_set<absl::string_view> kPlatforms = {
      // GOOS
      "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux",
      "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
      // GOARCH
      "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips", "mipsle",
      "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le", "riscv",
      "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm"};
  absl::string_view name = file.substr(file.find_last_of('/') + 1);  // npos + 1 == 0
  name = absl::StripSuffix(name, ".go");
  name = absl::StripSuffix(name, "_test");
  size_t underscore = name.rfind('_');
  if (underscore == absl::string_view::npos || underscore == 0) return "";
  absl::string_view last = name.substr(underscore + 1);
  return kPlatforms.contains(last) ? std::string(last) : "";
}

namespace fs = std::filesystem;
using ::gograder::v1::Criterion;
using ::gograder::v1::Exercise;
using ::gograder::v1::Limits;
using ::gograder::v1::Phase;
using ::gograder::v1::Step;

constexpr int64_t kMiB = 1 << 20;

// The grader's own per-step defaults, before phase and exercise overrides.
Limits BuiltinLimits(Step step) {
  Limits limits;
  limits.set_wall_time_ms(120'000);
  limits.set_cpu_time_ms(240'000);
  limits.set_memory_bytes(1024 * kMiB);
  limits.set_pids(512);
  limits.set_output_bytes(4 * kMiB);
  limits.set_file_size_bytes(256 * kMiB);
  limits.set_open_files(1024);
  switch (step) {
    case Step::GOFMT:
    case Step::STATIC:
      limits.set_wall_time_ms(30'000);
      limits.set_cpu_time_ms(30'000);
      limits.set_memory_bytes(512 * kMiB);
      break;
    case Step::RACE:
      limits.set_wall_time_ms(240'000);
      limits.set_cpu_time_ms(480'000);
      limits.set_memory_bytes(2048 * kMiB);  // the race detector roughly doubles memory
      break;
    default:
      break;
  }
  return limits;
}

// Copies the set fields of `overrides` over `limits`.
void MergeLimits(const Limits& overrides, Limits& limits) {
  if (overrides.wall_time_ms()) limits.set_wall_time_ms(overrides.wall_time_ms());
  if (overrides.cpu_time_ms()) limits.set_cpu_time_ms(overrides.cpu_time_ms());
  if (overrides.memory_bytes()) limits.set_memory_bytes(overrides.memory_bytes());
  if (overrides.pids()) limits.set_pids(overrides.pids());
  if (overrides.output_bytes()) limits.set_output_bytes(overrides.output_bytes());
  if (overrides.file_size_bytes()) limits.set_file_size_bytes(overrides.file_size_bytes());
  if (overrides.open_files()) limits.set_open_files(overrides.open_files());
}

void MergeStepLimits(const google::protobuf::RepeatedPtrField<gograder::v1::StepLimits>& all,
                     Step step, Limits& limits) {
  for (const auto& step_limits : all) {
    if (step_limits.step() == step) MergeLimits(step_limits.limits(), limits);
  }
}

std::vector<std::string> GoFilesBelow(const fs::path& dir, bool tests_only) {
  std::vector<std::string> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!it->is_regular_file(error) || !absl::EndsWith(name, ".go")) continue;
    if (tests_only && !absl::EndsWith(name, "_test.go")) continue;
    files.push_back(fs::relative(it->path(), dir, error).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A relative path inside a module: not absolute, no "..", no empty element.
bool IsModuleRelativePath(absl::string_view path) {
  if (path.empty() || path[0] == '/') return false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

absl::StatusOr<std::vector<Sample>> LoadSamples(const fs::path& dir) {
  std::vector<Sample> samples;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return samples;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (!entry.is_directory()) continue;
    Sample sample;
    sample.name = entry.path().filename().string();
    sample.dir = entry.path().string();
    RETURN_IF_ERROR(
        ParseTextProtoFile((entry.path() / kSampleExpectationFile).string(), &sample.expectation));
    samples.push_back(std::move(sample));
  }
  std::sort(samples.begin(), samples.end(),
            [](const Sample& a, const Sample& b) { return a.name < b.name; });
  return samples;
}

}  // namespace

std::vector<std::string> DeclaredGoFunctions(absl::string_view source, absl::string_view prefix) {
  static const LazyRE2 kFunc = {R"(^func\s+((?:Test|Benchmark|Fuzz|Example)\w*)\s*\()"};
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(source, '\n')) {
    std::string name;
    if (RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *kFunc, &name) &&
        absl::StartsWith(name, prefix)) {
      names.push_back(name);
    }
  }
  return names;
}

std::string TestGroupPattern(const Criterion& criterion) {
  if (!criterion.tests().pattern().empty()) return criterion.tests().pattern();
  absl::string_view id = criterion.id();
  absl::ConsumePrefix(&id, "tests.");
  std::string camel;
  for (absl::string_view part : absl::StrSplit(id, absl::ByAnyChar("._-"), absl::SkipEmpty())) {
    std::string word(part);
    word[0] = absl::ascii_toupper(word[0]);
    camel += word;
  }
  return absl::StrCat("^TestHidden", camel, "_");
}

Limits StepLimitsFor(const Exercise& exercise, const Phase& phase, Step step) {
  Limits limits = BuiltinLimits(step);
  MergeStepLimits(phase.limits(), step, limits);
  MergeStepLimits(exercise.limits(), step, limits);
  return limits;
}

absl::StatusOr<ExerciseBundle> LoadExercise(const std::string& rubrics_dir, absl::string_view id) {
  std::vector<std::string> parts = absl::StrSplit(id, '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty() || absl::StrContains(id, "..") ||
      absl::StrContains(id, '\\')) {
    return absl::InvalidArgumentError(
        absl::StrCat("exercise id \"", id,
                     "\" must look like <phase>/<name>, e.g. phase1/concurrent-web-scraper"));
  }
  fs::path dir = fs::path(rubrics_dir) / parts[0] / parts[1];
  fs::path exercise_file = dir / "exercise.textproto";
  std::error_code error;
  if (!fs::is_regular_file(exercise_file, error)) {
    return absl::NotFoundError(
        absl::StrCat("unknown exercise \"", id, "\" (no ", exercise_file.string(), ")"));
  }
  ExerciseBundle bundle;
  bundle.dir = dir.string();
  fs::path phase_file = dir.parent_path() / "phase.textproto";
  if (fs::is_regular_file(phase_file, error)) {
    RETURN_IF_ERROR(ParseTextProtoFile(phase_file.string(), &bundle.phase));
  }
  RETURN_IF_ERROR(ParseTextProtoFile(exercise_file.string(), &bundle.exercise));
  bundle.starter_dir = (dir / "starter").string();
  bundle.tests_dir = (dir / "tests").string();
  bundle.reference_dir = (dir / "reference").string();
  bundle.statement = ReadFileOrEmpty(dir / "README.md");
  ASSIGN_OR_RETURN(bundle.samples, LoadSamples(dir / "samples"));
  bundle.hidden_files = GoFilesBelow(bundle.tests_dir, /*tests_only=*/false);
  bool package_found = false;
  for (const std::string& file : bundle.hidden_files) {
    if (absl::EndsWith(file, "_test.go") && !package_found) {
      bundle.hidden_package_dir = fs::path(file).parent_path().string();
      package_found = true;
    }
    std::string source = ReadFileOrEmpty(fs::path(bundle.tests_dir) / file);
    for (std::string& name : DeclaredGoFunctions(source, "Test")) {
      if (name != "TestMain") bundle.hidden_tests.push_back(std::move(name));
    }
    for (std::string& name : DeclaredGoFunctions(source, "Benchmark")) {
      bundle.hidden_benchmarks.push_back(std::move(name));
    }
  }
  Sha256 digest;
  digest.Update(ReadFileOrEmpty(exercise_file));
  digest.Update(ReadFileOrEmpty(phase_file));
  ASSIGN_OR_RETURN(std::string tests_digest, Sha256OfTree(bundle.tests_dir));
  digest.Update(tests_digest);
  bundle.digest = digest.HexDigest();
  return bundle;
}

absl::StatusOr<std::vector<ExerciseBundle>> LoadAllExercises(const std::string& rubrics_dir) {
  std::vector<std::string> ids;
  std::error_code error;
  for (const auto& phase : fs::directory_iterator(rubrics_dir, error)) {
    if (!phase.is_directory()) continue;
    for (const auto& exercise : fs::directory_iterator(phase.path(), error)) {
      if (fs::is_regular_file(exercise.path() / "exercise.textproto")) {
        ids.push_back(absl::StrCat(phase.path().filename().string(), "/",
                                   exercise.path().filename().string()));
      }
    }
  }
  if (error)
    return absl::NotFoundError(absl::StrCat("cannot list ", rubrics_dir, ": ", error.message()));
  std::sort(ids.begin(), ids.end());
  std::vector<ExerciseBundle> bundles;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(ExerciseBundle bundle, LoadExercise(rubrics_dir, id));
    bundles.push_back(std::move(bundle));
  }
  return bundles;
}

absl::Status ComposeSample(const ExerciseBundle& exercise, const Sample& sample,
                           const std::string& destination) {
  RETURN_IF_ERROR(CopyModule(exercise.reference_dir, destination, /*skip_tests=*/false));
  RETURN_IF_ERROR(CopyModule(sample.dir, destination, /*skip_tests=*/false));
  std::error_code error;
  fs::remove(fs::path(destination) / kSampleExpectationFile, error);
  for (const std::string& path : sample.expectation.delete_()) {
    if (!IsModuleRelativePath(path)) {
      return absl::InvalidArgumentError(absl::StrCat(
          sample.dir, "/", kSampleExpectationFile, ": delete \"", path, "\" is not a module path"));
    }
    if (!fs::remove(fs::path(destination) / path, error)) {
      return absl::InvalidArgumentError(absl::StrCat(sample.dir, "/", kSampleExpectationFile,
                                                     ": delete \"", path,
                                                     "\" is not a file of reference/"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<const Sample*> FindSample(const ExerciseBundle& exercise, absl::string_view name) {
  std::vector<std::string> names;
  for (const Sample& sample : exercise.samples) {
    if (sample.name == name) return &sample;
    names.push_back(sample.name);
  }
  return absl::NotFoundError(absl::StrCat(exercise.exercise.id(), " has no sample \"", name,
                                          "\" (samples: ", absl::StrJoin(names, ", "), ")"));
}

absl::Status ValidateExercise(const ExerciseBundle& bundle) {
  const Exercise& exercise = bundle.exercise;
  const std::string file = bundle.dir + "/exercise.textproto";
  std::vector<std::string> problems;
  auto problem = [&](absl::string_view where, absl::string_view what) {
    problems.push_back(absl::StrCat(where, ": ", what));
  };
  fs::path dir(bundle.dir);
  std::string expected_id =
      absl::StrCat(dir.parent_path().filename().string(), "/", dir.filename().string());
  if (exercise.id() != expected_id) {
    problem(file, absl::StrCat("id \"", exercise.id(), "\" must be \"", expected_id, "\""));
  }
  if (exercise.module().empty()) problem(file, "module is empty");
  for (const std::string& hidden : bundle.hidden_files) {
    if (!absl::EndsWith(hidden, "_test.go")) {
      problem(bundle.tests_dir + "/" + hidden, "a hidden Go file must be a _test.go file");
    }
    if (std::string suffix = BuildConstraintSuffix(hidden); !suffix.empty()) {
      problem(bundle.tests_dir + "/" + hidden,
              absl::StrCat("the name ends in _", suffix,
                           ": Go compiles such a file only for that platform, so its tests "
                           "would never run here; rename it"));
    }
    if (fs::path(hidden).parent_path().string() != bundle.hidden_package_dir) {
      problem(
          bundle.tests_dir + "/" + hidden,
          absl::StrCat(
              "hidden Go files must all be in one directory (one test binary); the first is in \"",
              bundle.hidden_package_dir.empty() ? "." : bundle.hidden_package_dir, "\""));
    }
  }
  if (exercise.criteria().empty()) problem(file, "no criteria");
  double total = 0;
  std::set<std::string> ids;
  for (int i = 0; i < exercise.criteria_size(); ++i) {
    const Criterion& criterion = exercise.criteria(i);
    std::string where = absl::StrCat(file, ": criteria[", i, "] (", criterion.id(), ")");
    total += criterion.points();
    if (criterion.id().empty()) problem(where, "id is empty");
    if (!ids.insert(criterion.id()).second) problem(where, "duplicate id");
    if (criterion.points() < 0) problem(where, "negative points");
    if (criterion.title().empty()) problem(where, "title is empty");
    auto check_pattern = [&](const std::string& pattern, bool must_match) {
      RE2 re(pattern, RE2::Quiet);
      if (!re.ok()) return problem(where, absl::StrCat("pattern \"", pattern, "\": ", re.error()));
      if (!must_match) return;
      bool matched =
          std::any_of(bundle.hidden_tests.begin(), bundle.hidden_tests.end(),
                      [&](const std::string& test) { return RE2::PartialMatch(test, re); });
      if (!matched)
        problem(where, absl::StrCat("pattern \"", pattern, "\" matches no hidden test"));
    };
    // A race criterion is gated on its own tests passing under -race (ScoreRace);
    // requires_tests is optional there, so one defect does not cost it too.
    bool judges_working_code =
        criterion.has_benchmark() || (criterion.has_tests() && criterion.tests().allocations());
    if (judges_working_code && criterion.requires_tests().empty()) {
      problem(
          where,
          "a benchmark or allocations criterion must name the test groups of the code it judges "
          "in requires_tests (a stub that does nothing is fast and allocation-free)");
    }
    for (const std::string& id : criterion.requires_tests()) {
      auto required = std::find_if(exercise.criteria().begin(), exercise.criteria().end(),
                                   [&](const Criterion& other) { return other.id() == id; });
      if (required == exercise.criteria().end()) {
        problem(where, absl::StrCat("requires_tests names unknown criterion \"", id, "\""));
      } else if (!required->has_tests() || required->tests().allocations() ||
                 required->id() == criterion.id()) {
        problem(where, absl::StrCat("requires_tests \"", id,
                                    "\" must be another test group of behaviour "
                                    "(not allocations)"));
      }
    }
    switch (criterion.kind_case()) {
      case Criterion::kTests:
        check_pattern(TestGroupPattern(criterion), true);
        break;
      case Criterion::kRace:
        check_pattern(criterion.race().pattern().empty() ? "." : criterion.race().pattern(), true);
        break;
      case Criterion::kBenchmark: {
        const std::string& name = criterion.benchmark().benchmark();
        if (std::find(bundle.hidden_benchmarks.begin(), bundle.hidden_benchmarks.end(), name) ==
            bundle.hidden_benchmarks.end()) {
          problem(where, absl::StrCat("benchmark \"", name, "\" is not declared in tests/"));
        }
        double previous = 0;
        for (const auto& band : criterion.benchmark().bands()) {
          if (band.max_ratio() <= previous) problem(where, "bands must have increasing max_ratio");
          if (band.share() < 0 || band.share() > 1) problem(where, "band share must be in 0..1");
          previous = band.max_ratio();
        }
        break;
      }
      case Criterion::kCoverage:
        if (criterion.coverage().full_percent() != 0 &&
            criterion.coverage().full_percent() <= criterion.coverage().zero_percent()) {
          problem(where, "full_percent must be above zero_percent");
        }
        break;
      case Criterion::KIND_NOT_SET:
        problem(where, "no kind (tests, race, vet, gofmt, benchmark, coverage or static_rules)");
        break;
      default:
        break;
    }
  }
  if (std::abs(total - 100) > 1e-9) {
    problem(file, absl::StrCat("points add up to ", total, ", not 100"));
  }
  std::error_code error;
  for (const auto& [name, path] : {std::pair{"reference", bundle.reference_dir},
                                   {"starter", bundle.starter_dir},
                                   {"tests", bundle.tests_dir}}) {
    if (!fs::is_directory(path, error)) problem(bundle.dir, absl::StrCat("missing ", name, "/"));
  }
  if (!fs::is_regular_file(fs::path(bundle.reference_dir) / "go.mod", error)) {
    problem(bundle.dir, "reference/go.mod is missing");
  }
  if (bundle.statement.empty())
    problem(bundle.dir, "README.md (the statement) is missing or empty");
  for (const Sample& sample : bundle.samples) {
    const auto& expect = sample.expectation;
    std::string where = sample.dir + "/expect.textproto";
    if (expect.min_score() < 0 || expect.max_score() > 100 ||
        expect.min_score() > expect.max_score()) {
      problem(where, "need 0 <= min_score <= max_score <= 100");
    }
    for (const std::string& id : expect.must_lose()) {
      if (!ids.count(id))
        problem(where, absl::StrCat("must_lose names unknown criterion \"", id, "\""));
    }
    for (const std::string& path : expect.delete_()) {
      if (!IsModuleRelativePath(path) ||
          !fs::is_regular_file(fs::path(bundle.reference_dir) / path, error)) {
        problem(where, absl::StrCat("delete \"", path, "\" is not a file of reference/"));
      } else if (fs::exists(fs::path(sample.dir) / path, error)) {
        problem(where, absl::StrCat("delete \"", path, "\" but the sample also has that file"));
      }
    }
    for (fs::recursive_directory_iterator it(sample.dir, error), end; !error && it != end;
         it.increment(error)) {
      if (!it->is_regular_file(error) || it->path().filename() == kSampleExpectationFile) continue;
      fs::path in_reference =
          fs::path(bundle.reference_dir) / fs::relative(it->path(), sample.dir, error);
      if (fs::is_regular_file(in_reference, error) &&
          ReadFileOrEmpty(it->path()) == ReadFileOrEmpty(in_reference)) {
        problem(it->path().string(),
                "is the same as in reference/: a sample holds only the files that differ");
      }
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  return absl::OkStatus();
}

}  // namespace gograder::core
