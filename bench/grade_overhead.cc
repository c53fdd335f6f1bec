// Grading overhead benchmark: grades each exercise's reference solution with
// the warm, read-only build cache through the sandbox, and runs the very same
// go commands bare on the host in sequence (no sandbox), interleaved in one
// run, against two baselines:
//   - "bare, same cache": each bare grading starts from a fresh hard-linked
//     copy of gograder's own warm cache (std, race std, vet facts, the
//     allowlist): the cost of the sandbox itself (target <= 1.25x);
//   - "bare, go build std": each starts from a copy of a cache warmed only by
//     `go build std`, as a grader that runs each submission in a fresh
//     container from an image prepared that way does: what gograder's warm
//     vet and race caches and shared compile work save (target <= 0.6x).
// Prints the median wall time of each per exercise and the ratios.
// (A reference may drop a benchmark band on a busy machine; only the time counts here.)
//
//   bench/grade_overhead --rubrics rubrics --data-dir /var/lib/gograder \
//       --sandbox build/sandbox/gograder-sandbox \
//       --inspector build/grader/inspector/gograder-inspector [--rounds 3]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bare_runner.h"
#include "grader/core/grading/grade.h"
#include "grader/core/rubric/rubric.h"
#include "grader/core/toolchain/toolchain.h"

namespace {

namespace fs = std::filesystem;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string rubrics, data_dir, sandbox, inspector;
  int rounds = 3;
  std::vector<std::string> only;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--rubrics") rubrics = fs::absolute(value);
    if (flag == "--data-dir") data_dir = fs::absolute(value);
    if (flag == "--sandbox") sandbox = fs::absolute(value);
    if (flag == "--inspector") inspector = fs::absolute(value);
    if (flag == "--rounds") rounds = std::atoi(value.c_str());
    if (flag == "--exercise") only.push_back(value);
  }
  auto toolchain = gograder::core::OpenToolchain(data_dir);
  auto exercises = gograder::core::LoadAllExercises(rubrics);
  if (!toolchain.ok() || !exercises.ok() || rounds < 1) {
    std::fprintf(
        stderr,
        "usage: grade_overhead --rubrics DIR --data-dir DIR --sandbox BIN --inspector BIN "
        "[--rounds N] [--exercise ID]...\n%s\n",
        std::string(toolchain.ok() ? exercises.status().message() : toolchain.status().message())
            .c_str());
    return 1;
  }
  gograder::core::GraderOptions options;
  options.toolchain = *toolchain;
  options.sandbox_binary = sandbox;
  options.inspector_binary = inspector;
  options.work_root = data_dir + "/work";
  options.slot = 950;
  auto sandboxed = gograder::core::Grader::Create(options);
  std::string bare_cache = data_dir + "/bench-bare-gocache";
  auto bare = gograder::core::Grader::Create(
      options, std::make_unique<gograder::bench::BareRunner>(options.work_root, bare_cache));
  if (!sandboxed.ok() || !bare.ok()) {
    std::fprintf(stderr, "%s\n", std::string(sandboxed.status().message()).c_str());
    return 1;
  }
  // The plain cache: `go build std` with the steps' environment (cgo off,
  // as in every step but the race build).
  std::string std_cache = data_dir + "/bench-std-gocache";
  {
    std::error_code error;
    fs::remove_all(std_cache, error);
    std::string warm = "env -i PATH=" + toolchain->environment.goroot +
                       "/bin:/usr/bin:/bin HOME=/tmp GOCACHE='" + std_cache +
                       "' GOTOOLCHAIN=local GOENV=off GOMAXPROCS=2 CGO_ENABLED=0 go build std";
    if (std::system(warm.c_str()) != 0) {
      std::fprintf(stderr, "go build std failed\n");
      return 1;
    }
  }
  std::printf("%-36s %12s %12s %8s %12s %8s\n", "reference of", "sandboxed s", "bare s", "ratio",
              "bare std s", "ratio");
  std::vector<double> ratios, std_ratios;
  for (const auto& exercise : *exercises) {
    if (!only.empty() && std::find(only.begin(), only.end(), exercise.exercise.id()) == only.end())
      continue;
    std::vector<double> sandboxed_s, bare_s, std_s;
    std::string accepted_dir = data_dir + "/bench-accepted";
    std::error_code cleared;
    fs::remove_all(accepted_dir, cleared);
    fs::create_directories(accepted_dir, cleared);
    gograder::core::SubmissionSource source;
    source.path = exercise.reference_dir;
    auto accepted = gograder::core::AcceptSubmission(source, exercise.exercise, accepted_dir);
    if (!accepted.ok()) {
      std::fprintf(stderr, "%s: %s\n", exercise.exercise.id().c_str(),
                   std::string(accepted.status().message()).c_str());
      return 1;
    }
    enum Kind { kSandboxed, kBare, kBareStd };
    for (int round = 0; round < rounds; ++round) {
      for (Kind kind : {kSandboxed, kBare, kBareStd}) {
        if (kind != kSandboxed) {
          std::error_code error;
          fs::remove_all(bare_cache, error);
          const std::string& seed = kind == kBare ? toolchain->environment.build_cache : std_cache;
          std::string copy = "cp -al '" + seed + "' '" + bare_cache + "'";
          if (std::system(copy.c_str()) != 0) return 1;
        }
        auto report = (kind == kSandboxed ? *sandboxed : *bare)->Grade(exercise, *accepted);
        if (!report.ok() || report->status() != gograder::v1::GradeReport::GRADED) {
          std::fprintf(stderr, "%s (%s): not graded: %s\n", exercise.exercise.id().c_str(),
                       kind == kSandboxed ? "sandboxed" : "bare",
                       report.ok() ? report->error().c_str()
                                   : std::string(report.status().message()).c_str());
          return 1;
        }
        (kind == kSandboxed ? sandboxed_s
         : kind == kBare    ? bare_s
                            : std_s)
            .push_back(report->duration_seconds());
      }
    }
    ratios.push_back(Median(sandboxed_s) / Median(bare_s));
    std_ratios.push_back(Median(sandboxed_s) / Median(std_s));
    std::printf("%-36s %12.2f %12.2f %7.2fx %12.2f %7.2fx\n", exercise.exercise.id().c_str(),
                Median(sandboxed_s), Median(bare_s), ratios.back(), Median(std_s),
                std_ratios.back());
  }
  std::error_code error;
  fs::remove_all(bare_cache, error);
  fs::remove_all(std_cache, error);
  std::printf(
      "median ratio over %zu exercise(s), %d interleaved round(s) each: %.2fx against bare with "
      "the same cache (target <= 1.25x), %.2fx against bare with a `go build std` cache (target "
      "<= 0.6x)\n",
      ratios.size(), rounds, Median(ratios), Median(std_ratios));
  return 0;
}
