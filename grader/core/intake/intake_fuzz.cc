// libFuzzer target: an uploaded archive (tar, tar.gz or zip; recognized by
// content) accepted as gograderd's Submit accepts it: AcceptSubmission with the
// archive bytes, the limits of the daemon's default max_submission_bytes and an
// exercise, into a scratch directory that is emptied after each input.
// Beyond not crashing, it checks what intake promises: bad input is
// InvalidArgument and leaves the destination empty; an accepted tree holds
// only regular files and directories, go.mod at its root, within the limits.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "base/fuzzing.h"
#include "base/temp_dir.h"
#include "base/text_proto.h"
#include "grader/core/intake/accept.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;

// The exercise the seeds are submissions of, as its rubric defines it.
constexpr char kExerciseFile[] =
    GOGRADER_SOURCE_DIR "/rubrics/phase1/concurrent-web-scraper/exercise.textproto";

// gograderd's default max_submission_bytes (ApplyDefaults), as Submit applies it.
constexpr int64_t kMaxSubmissionBytes = 16 << 20;

struct Setup {
  Setup() : scratch("gograder_intake_fuzz_") {
    FuzzExpect(!scratch.path().empty(), "a scratch directory can be made");
    destination = (fs::path(scratch.path()) / "submission").string();
    fs::create_directory(destination);
    FuzzExpect(ParseTextProtoFile(kExerciseFile, &exercise).ok(), "the exercise parses");
    limits.max_total_bytes = kMaxSubmissionBytes;
    limits.max_file_bytes = std::min<int64_t>(limits.max_file_bytes, kMaxSubmissionBytes);
  }
  TempDir scratch;
  std::string destination;
  gograder::v1::Exercise exercise;
  IntakeLimits limits;
};

void CheckAcceptedTree(const Accepted& accepted, const Setup& setup) {
  FuzzExpect(accepted.files <= setup.limits.max_files, "at most max_files files");
  FuzzExpect(accepted.bytes <= setup.limits.max_total_bytes, "at most max_total_bytes bytes");
  FuzzExpect(fs::is_regular_file(fs::symlink_status(fs::path(setup.destination) / "go.mod")),
             "an accepted tree has go.mod at its root");
  std::error_code error;
  for (fs::recursive_directory_iterator it(setup.destination, error), end; !error && it != end;
       it.increment(error)) {
    fs::file_type type = it->symlink_status(error).type();
    FuzzExpect(type == fs::file_type::regular || type == fs::file_type::directory,
               "an accepted tree holds only regular files and directories");
  }
  FuzzExpect(!error, "the accepted tree can be walked");
}

void EmptyDirectory(const std::string& dir) {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    fs::remove_all(entry.path(), error);
  }
  FuzzExpect(!error && fs::is_empty(dir), "the scratch destination can be emptied");
}

}  // namespace
}  // namespace gograder::core

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gograder::core;
  static Setup setup;  // removed at exit; after a crash, scripts/fuzz removes its TMPDIR
  SubmissionSource source;
  source.archive = std::string(gograder::FuzzInput(data, size));
  absl::StatusOr<Accepted> accepted =
      AcceptSubmission(source, setup.exercise, setup.destination, setup.limits);
  gograder::FuzzExpectOkOr(accepted.status(), absl::StatusCode::kInvalidArgument,
                           "AcceptSubmission of an archive");
  if (accepted.ok()) {
    CheckAcceptedTree(*accepted, setup);
    EmptyDirectory(setup.destination);
  } else {
    gograder::FuzzExpect(std::filesystem::is_empty(setup.destination),
                         "a refused submission leaves the destination empty");
  }
  return 0;
}
