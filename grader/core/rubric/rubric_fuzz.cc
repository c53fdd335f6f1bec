// libFuzzer target: an exercise.textproto loaded and checked as gograderd's
// catalog and `gograder rubric lint` do: LoadExercise, ValidateExercise, then
// the step limits and test-group patterns the grader derives from it. The
// rest of the exercise (phase.textproto, README.md, starter/, reference/,
// tests/, samples/) is a scratch copy of rubrics/phase1/concurrent-web-scraper
// made once; each input replaces its exercise.textproto. Bad input must be
// InvalidArgument (the catalog refuses it with the reason).
#include <filesystem>

#include "base/files.h"
#include "base/fuzzing.h"
#include "base/temp_dir.h"
#include "grader/core/rubric/rubric.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;

constexpr char kExerciseId[] = "phase1/concurrent-web-scraper";

struct Setup {
  Setup() : scratch("gograder_rubric_fuzz_") {
    FuzzExpect(!scratch.path().empty(), "a scratch directory can be made");
    const fs::path source = fs::path(GOGRADER_SOURCE_DIR) / "rubrics" / "phase1";
    const fs::path phase = fs::path(scratch.path()) / "phase1";
    std::error_code error;
    fs::create_directories(phase, error);
    fs::copy_file(source / "phase.textproto", phase / "phase.textproto", error);
    fs::copy(source / "concurrent-web-scraper", phase / "concurrent-web-scraper",
             fs::copy_options::recursive, error);
    FuzzExpect(!error, "the exercise can be copied");
    exercise_file = phase / "concurrent-web-scraper" / "exercise.textproto";
  }
  TempDir scratch;
  fs::path exercise_file;
};

}  // namespace
}  // namespace gograder::core

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gograder::core;
  using gograder::FuzzExpect;
  static Setup setup;  // removed at exit; after a crash, scripts/fuzz removes its TMPDIR
  FuzzExpect(gograder::WriteWholeFile(setup.exercise_file, gograder::FuzzInput(data, size)).ok(),
             "the input can be written");
  absl::StatusOr<ExerciseBundle> bundle = LoadExercise(setup.scratch.path(), kExerciseId);
  gograder::FuzzExpectOkOr(bundle.status(), absl::StatusCode::kInvalidArgument, "LoadExercise");
  if (!bundle.ok()) return 0;
  absl::Status valid = ValidateExercise(*bundle);
  gograder::FuzzExpectOkOr(valid, absl::StatusCode::kInvalidArgument, "ValidateExercise");
  const google::protobuf::EnumDescriptor* steps = gograder::v1::Step_descriptor();
  for (int i = 0; i < steps->value_count(); ++i) {
    auto step = static_cast<gograder::v1::Step>(steps->value(i)->number());
    gograder::v1::Limits limits = StepLimitsFor(bundle->exercise, bundle->phase, step);
    if (valid.ok()) {
      FuzzExpect(limits.wall_time_ms() > 0 && limits.memory_bytes() > 0,
                 "a valid exercise's steps have limits");
    }
  }
  for (const gograder::v1::Criterion& criterion : bundle->exercise.criteria()) {
    if (criterion.has_tests()) {
      FuzzExpect(!TestGroupPattern(criterion).empty(), "a test group has a pattern");
    }
  }
  return 0;
}
