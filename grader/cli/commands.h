// The gograder command line: subcommands as functions from parsed options to
// an exit code, so main stays thin and tests can call them.
#ifndef GOGRADER_GRADER_CLI_COMMANDS_H_
#define GOGRADER_GRADER_CLI_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

namespace gograder::cli {

// Options shared by every subcommand.
struct GlobalOptions {
  std::string rubrics;    // rubrics/ directory
  std::string data_dir;   // toolchain caches and workspaces
  std::string sandbox;    // gograder-sandbox binary
  std::string inspector;  // gograder-inspector binary
  int slot = -1;          // sandbox slot for local grading; -1: a free one (slots.h)
  int workers = 0;        // `rubric test`: gradings at once; 0: two per CPU
  int repeat = 1;         // `rubric test`: gradings of each reference, starter and sample
  bool keep_work = false;
};

struct GradeOptions {
  std::string exercise;    // "phase1/concurrent-web-scraper"
  std::string submission;  // directory, .tar.gz or .zip
  std::string format = "text";
  double min_score = -1;  // exit 1 below it (when >= 0)
  bool student_view = false;
  std::string output;  // write the report here instead of stdout
};

struct SimilarityCommandOptions {
  std::string exercise;
  std::string input;  // a directory with one module (folder or archive) per student, or its archive
  std::string roster;  // GitHub Classroom roster CSV: input holds the cloned repositories
  std::string out;     // directory for pairs.csv, index.html and the pair pages
  double threshold = 0.7;
  int max_pages = 300;     // pages for at most this many suspicious pairs, the most similar
  std::string save_index;  // write this batch's index here
  std::string against;     // compare with the batch of this saved index too
};

struct BatchCommandOptions {
  std::string exercise;
  std::string input;             // as for similarity: one module per student, or an archive of them
  std::string roster;            // GitHub Classroom roster CSV: input holds the cloned repositories
  std::string out;               // gradebook.csv, gradebook-long.csv, report.html, students/<id>/
  int workers = 0;               // gradings at once; 0: two per CPU locally, 8 with --server
  std::string course = "batch";  // --server: the course the submissions are filed under
  // Late policy: a policy file (LatePolicy text proto) and/or flags on top.
  std::string late_policy;
  std::string due;  // RFC 3339
  double grace_minutes = -1, percent_per_day = -1, percent_per_hour = -1, max_percent = -1;
  std::string extensions;    // CSV: student_id,due
  std::string submitted_at;  // CSV: student_id,submitted_at (else commit time, else mtime)
  std::string metrics_file;  // Prometheus textfile with the progress
};

struct ClientOptions;

// Exit codes: 0 ok; 1 graded below --min-score or a rubric test failed;
// 2 bad input (the message names the file); 3 grading failed on our side.
int RunGrade(const GlobalOptions& global, const GradeOptions& options, std::ostream& out,
             std::ostream& err);
int RunExercises(const GlobalOptions& global, std::ostream& out, std::ostream& err);
int RunRubricLint(const GlobalOptions& global, const std::string& dir, std::ostream& out,
                  std::ostream& err);
// Grades each exercise's reference (must get full marks), unchanged starter
// (at most 5) and samples composed over the reference (must land in their
// range and lose the named criteria). Empty = all exercises.
int RunRubricTest(const GlobalOptions& global, const std::vector<std::string>& exercises,
                  std::ostream& out, std::ostream& err);
// Writes sample `name` of an exercise, composed over its reference, into `destination`.
int RunRubricSample(const GlobalOptions& global, const std::string& exercise,
                    const std::string& name, const std::string& destination, std::ostream& out,
                    std::ostream& err);
// Prepares the toolchain unless it is already prepared for this Go and allowlist (or `force`).
int RunToolchainPrepare(const GlobalOptions& global, bool force, std::ostream& out,
                        std::ostream& err);

// Compares a class's submissions with each other (and with a saved earlier
// batch), starter code excluded; writes pairs.csv and HTML pages.
int RunSimilarity(const GlobalOptions& global, const SimilarityCommandOptions& options,
                  std::ostream& out, std::ostream& err);

// Grades a class (locally, or through gograderd when `client` is given) and
// writes the gradebook, the class report and every student's report; a rerun
// reuses the reports of unchanged submissions. Exit 3 when some grading
// failed on our side (run it again), 2 for bad input.
int RunBatch(const GlobalOptions& global, const ClientOptions* client,
             const BatchCommandOptions& options, std::ostream& out, std::ostream& err);

// Parses argv and runs the chosen subcommand.
int Main(int argc, char** argv);

}  // namespace gograder::cli

#endif  // GOGRADER_GRADER_CLI_COMMANDS_H_
