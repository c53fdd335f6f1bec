// Grading overhead benchmark: grades each exercise's reference solution with
// the warm, read-only build cache through the sandbox, and runs the very same
// go commands bare on the host (no sandbox, a fresh hard-linked copy of the
// same warm cache for every grading), interleaved in one run. Prints the
// median wall time of both per exercise and their ratio. Target: <= 1.25x.
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
  std::printf("%-36s %12s %12s %8s\n", "reference of", "sandboxed s", "bare s", "ratio");
  std::vector<double> ratios;
  for (const auto& exercise : *exercises) {
    if (!only.empty() && std::find(only.begin(), only.end(), exercise.exercise.id()) == only.end())
      continue;
    std::vector<double> sandboxed_s, bare_s;
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
    for (int round = 0; round < rounds; ++round) {
      for (bool is_bare : {false, true}) {
        if (is_bare) {
          std::error_code error;
          fs::remove_all(bare_cache, error);
          std::string copy =
              "cp -al '" + toolchain->environment.build_cache + "' '" + bare_cache + "'";
          if (std::system(copy.c_str()) != 0) return 1;
        }
        auto report = (is_bare ? *bare : *sandboxed)->Grade(exercise, *accepted);
        if (!report.ok() || report->status() != gograder::v1::GradeReport::GRADED) {
          std::fprintf(stderr, "%s (%s): not graded: %s\n", exercise.exercise.id().c_str(),
                       is_bare ? "bare" : "sandboxed",
                       report.ok() ? report->error().c_str()
                                   : std::string(report.status().message()).c_str());
          return 1;
        }
        (is_bare ? bare_s : sandboxed_s).push_back(report->duration_seconds());
      }
    }
    double ratio = Median(sandboxed_s) / Median(bare_s);
    ratios.push_back(ratio);
    std::printf("%-36s %12.2f %12.2f %7.2fx\n", exercise.exercise.id().c_str(), Median(sandboxed_s),
                Median(bare_s), ratio);
  }
  std::error_code error;
  fs::remove_all(bare_cache, error);
  std::printf(
      "median ratio over %zu exercise(s), %d interleaved round(s) each: %.2fx (target <= 1.25x)\n",
      ratios.size(), rounds, Median(ratios));
  return 0;
}
