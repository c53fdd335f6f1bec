// libFuzzer target: a student's go.mod as intake reads it: ParseGoMod, then
// CheckGoModForExercise against a real exercise. Bad input must be
// InvalidArgument with "go.mod:LINE: " messages, and a parsed go.mod must
// hold the lines it was read from.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/fuzzing.h"
#include "base/text_proto.h"
#include "grader/core/intake/go_mod.h"

namespace gograder::core {
namespace {

// The exercise the seeds are submissions of, as its rubric defines it.
constexpr char kExerciseFile[] =
    GOGRADER_SOURCE_DIR "/rubrics/phase1/concurrent-web-scraper/exercise.textproto";

// Every "go.mod:N: " line of `status` names a line 1..`lines`.
bool NamesLinesWithin(const absl::Status& status, int lines) {
  absl::string_view rest = status.message();
  for (;;) {
    if (!absl::ConsumePrefix(&rest, "go.mod:")) return false;
    int line = 0;
    while (!rest.empty() && absl::ascii_isdigit(rest.front())) {
      line = line * 10 + (rest.front() - '0');
      if (line > lines) return false;
      rest.remove_prefix(1);
    }
    if (line < 1 || !absl::ConsumePrefix(&rest, ": ")) return false;
    size_t newline = rest.find('\n');
    if (newline == absl::string_view::npos) return true;
    rest.remove_prefix(newline + 1);
  }
}

}  // namespace
}  // namespace gograder::core

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gograder::core;
  using gograder::FuzzExpect;
  static const gograder::v1::Exercise exercise = [] {
    gograder::v1::Exercise parsed;
    FuzzExpect(gograder::ParseTextProtoFile(kExerciseFile, &parsed).ok(), "exercise parses");
    return parsed;
  }();
  absl::string_view text = gograder::FuzzInput(data, size);
  // Lines as the parser counts them: a last line without '\n' counts too.
  int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  absl::StatusOr<GoMod> mod = ParseGoMod(text);
  gograder::FuzzExpectOkOr(mod.status(), absl::StatusCode::kInvalidArgument, "ParseGoMod");
  if (!mod.ok()) {
    FuzzExpect(
        NamesLinesWithin(mod.status(), lines),
        absl::StrCat("ParseGoMod errors are go.mod:LINE: ...; got ", mod.status().message()));
    return 0;
  }
  FuzzExpect(mod->module_line <= lines && mod->go_line <= lines && mod->toolchain_line <= lines,
             "directive lines lie within the file");
  absl::Status checked = CheckGoModForExercise(*mod, exercise);
  gograder::FuzzExpectOkOr(checked, absl::StatusCode::kInvalidArgument, "CheckGoModForExercise");
  if (!checked.ok()) {
    FuzzExpect(
        NamesLinesWithin(checked, lines),
        absl::StrCat("CheckGoModForExercise errors are go.mod:LINE: ...; got ", checked.message()));
  }
  return 0;
}
