// `gograder similarity`: which submissions of a class were copied.
#include <algorithm>
#include <filesystem>
#include <map>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/files.h"
#include "base/status_macros.h"
#include "grader/cli/class_input.h"
#include "grader/cli/commands.h"
#include "grader/cli/local.h"
#include "grader/core/intake/accept.h"
#include "grader/core/rubric/rubric.h"
#include "grader/core/similarity/similarity.h"
#include "grader/core/similarity/similarity_report.h"

namespace gograder::cli {
namespace {

namespace fs = std::filesystem;

// Adds `submission` (tokenized from `dir`) and the sources of its files.
void AddWithSources(core::TokenizedSubmission submission, const fs::path& dir,
                    core::SimilarityIndex& index) {
  core::SourceFiles sources;
  for (const core::TokenFile& file : submission.files) {
    sources[file.path] = ReadFileOrEmpty(dir / file.path);
  }
  index.submissions.push_back(std::move(submission));
  index.sources.push_back(std::move(sources));
}

// The module at `dir` as tokens (through the sandboxed inspector), with sources.
absl::Status Tokenize(const core::Grader& grader, const std::string& dir, const std::string& id,
                      core::SimilarityIndex& index) {
  ASSIGN_OR_RETURN(std::string tokens, grader.InspectorTokens(dir));
  ASSIGN_OR_RETURN(core::TokenizedSubmission submission,
                   core::ParseInspectorTokens(tokens, id, /*include_tests=*/false));
  AddWithSources(std::move(submission), dir, index);
  return absl::OkStatus();
}

// The modules directly inside `parent` (name, student id) as tokens, in one
// inspector run, with sources.
absl::Status TokenizeEach(const core::Grader& grader, const fs::path& parent,
                          const std::vector<std::pair<std::string, std::string>>& modules,
                          core::SimilarityIndex& index) {
  if (modules.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string tokens, grader.InspectorTokens(parent.string(), /*each=*/true));
  ASSIGN_OR_RETURN(std::vector<core::TokenizedSubmission> submissions,
                   core::ParseInspectorTokensOfEach(tokens, modules, /*include_tests=*/false));
  for (size_t i = 0; i < modules.size(); ++i) {
    AddWithSources(std::move(submissions[i]), parent / modules[i].first, index);
  }
  return absl::OkStatus();
}

absl::Status Similarity(const GlobalOptions& global, const SimilarityCommandOptions& options,
                        std::ostream& out, std::ostream& err) {
  ASSIGN_OR_RETURN(core::ExerciseBundle exercise,
                   core::LoadExercise(global.rubrics, options.exercise));
  core::SimilarityIndex earlier;
  if (!options.against.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadWholeFile(options.against));
    absl::StatusOr<core::SimilarityIndex> loaded = core::LoadSimilarityIndex(text);
    if (!loaded.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.against, ": ", loaded.status().message()));
    }
    if (loaded->exercise != options.exercise) {
      return absl::InvalidArgumentError(absl::StrCat(options.against, ": an index of ",
                                                     loaded->exercise, ", not ", options.exercise));
    }
    earlier = *std::move(loaded);
    std::string label = fs::path(options.against).stem().string();
    for (core::TokenizedSubmission& submission : earlier.submissions) {
      submission.id = absl::StrCat(label, ":", submission.id);
    }
  }
  ASSIGN_OR_RETURN(LocalGrader local, MakeGrader(global));
  ASSIGN_OR_RETURN(std::string scratch, FreshIntakeDir(global, "similarity"));
  absl::Cleanup remove_scratch = [&scratch] {
    std::error_code error;
    fs::remove_all(scratch, error);
  };
  fs::create_directories(fs::path(scratch) / "input");
  ASSIGN_OR_RETURN(
      std::vector<ClassEntry> students,
      ListClass(options.input, options.roster, (fs::path(scratch) / "input").string(), err));

  core::SimilarityIndex batch{options.exercise, {}, {}};
  int skipped = 0;
  std::vector<std::pair<std::string, std::string>> modules;  // accepted: (directory, student id)
  for (size_t i = 0; i < students.size(); ++i) {
    if (students[i].path.empty()) {
      err << "gograder: " << students[i].id << " handed in nothing\n";
      ++skipped;
      continue;
    }
    fs::path dir = fs::path(scratch) / "modules" / absl::StrCat("s", i);
    fs::create_directories(dir);
    core::SubmissionSource source;
    source.path = students[i].path;
    absl::StatusOr<core::Accepted> accepted =
        core::AcceptSubmission(source, exercise.exercise, dir.string());
    if (!accepted.ok()) {
      err << "gograder: skipping " << students[i].id << ": " << accepted.status().message() << "\n";
      ++skipped;
      fs::remove_all(dir);
      continue;
    }
    modules.emplace_back(dir.filename().string(), students[i].id);
  }
  RETURN_IF_ERROR(TokenizeEach(*local.grader, fs::path(scratch) / "modules", modules, batch));
  // The starter is boilerplate; the reference is compared like a student (a
  // copy of a leaked reference shows as a pair with it).
  core::SimilarityIndex exercise_code;
  RETURN_IF_ERROR(Tokenize(*local.grader, exercise.starter_dir, "starter", exercise_code));
  RETURN_IF_ERROR(
      Tokenize(*local.grader, exercise.reference_dir, core::kReferenceId, exercise_code));

  const int batch_size = static_cast<int>(batch.submissions.size());
  std::vector<core::TokenizedSubmission> all = batch.submissions;
  std::vector<core::SourceFiles> sources = batch.sources;
  all.push_back(exercise_code.submissions[1]);
  sources.push_back(exercise_code.sources[1]);
  all.insert(all.end(), earlier.submissions.begin(), earlier.submissions.end());
  sources.insert(sources.end(), earlier.sources.begin(), earlier.sources.end());
  core::SimilarityOptions knobs;
  knobs.threshold = options.threshold;
  const core::TokenizedSubmission& starter = exercise_code.submissions[0];
  std::vector<core::PairSimilarity> pairs = core::CompareBatch(all, {starter}, {starter}, knobs);
  // The reference and earlier submissions are only compared with this batch.
  std::map<std::string, int> position;
  for (size_t i = 0; i < all.size(); ++i) position[all[i].id] = static_cast<int>(i);
  std::erase_if(pairs, [&](const core::PairSimilarity& pair) {
    return position[pair.a] >= batch_size && position[pair.b] >= batch_size;
  });
  std::vector<std::vector<std::string>> clusters = core::Clusters(pairs, options.threshold);

  fs::create_directories(options.out);
  RETURN_IF_ERROR(WriteWholeFile(fs::path(options.out) / "pairs.csv",
                                 core::PairsCsv(pairs, options.threshold)));
  // Pairs come most similar first: the pages are for the first suspicious ones.
  int suspicious = 0;
  for (const core::PairSimilarity& pair : pairs) suspicious += pair.Max() >= options.threshold;
  const int pages = std::min(suspicious, options.max_pages);
  RETURN_IF_ERROR(WriteWholeFile(fs::path(options.out) / "index.html",
                                 core::SimilarityIndexHtml(options.exercise, batch_size, pairs,
                                                           clusters, options.threshold, pages)));
  for (int i = 0; i < pages; ++i) {
    RETURN_IF_ERROR(
        WriteWholeFile(fs::path(options.out) / core::PairPageName(i),
                       core::PairHtml(options.exercise, pairs[i], sources[position[pairs[i].a]],
                                      sources[position[pairs[i].b]])));
  }
  if (!options.save_index.empty()) {
    RETURN_IF_ERROR(WriteWholeFile(options.save_index, core::SaveSimilarityIndex(batch)));
  }
  out << absl::StrFormat(
      "%d submissions (%d skipped), %d pairs compared, %d at or above %.0f%%, %d clusters; "
      "wrote %s\n",
      batch_size, skipped, static_cast<int>(pairs.size()), suspicious, 100 * options.threshold,
      static_cast<int>(clusters.size()), (fs::path(options.out) / "index.html").string());
  return absl::OkStatus();
}

}  // namespace

int RunSimilarity(const GlobalOptions& global, const SimilarityCommandOptions& options,
                  std::ostream& out, std::ostream& err) {
  absl::Status status = Similarity(global, options, out, err);
  return status.ok() ? kOk : Fail(err, status);
}

}  // namespace gograder::cli
