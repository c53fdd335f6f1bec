// `gograder batch`: grades a whole class, locally (workers on leased sandbox
// slots) or through gograderd (--server), and writes the gradebook, the
// class report and each student's report. A rerun reuses every report whose
// submission and rubric are unchanged, so an interrupted batch resumes.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/files.h"
#include "base/status_macros.h"
#include "base/temp_dir.h"
#include "base/version.h"
#include "google/protobuf/util/json_util.h"
#include "grader/cli/batch_progress.h"
#include "grader/cli/class_input.h"
#include "grader/cli/client.h"
#include "grader/cli/commands.h"
#include "grader/cli/local.h"
#include "grader/core/gradebook/class_report.h"
#include "grader/core/gradebook/csv.h"
#include "grader/core/gradebook/gradebook.h"
#include "grader/core/gradebook/late_policy.h"
#include "grader/core/grading/workspace.h"
#include "grader/core/intake/accept.h"
#include "grader/core/render/render.h"
#include "grader/core/rubric/rubric.h"

namespace gograder::cli {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::GradeReport;

// How long a --server batch waits for one submission's report.
constexpr absl::Duration kServerGradeTimeout = absl::Hours(2);
// Submissions a --server batch keeps in flight by default.
constexpr int kDefaultServerWorkers = 8;

// One student of the class on its way through the batch.
struct Student {
  ClassEntry entry;
  std::string dir_name;      // their directory under OUT/students/
  std::string submitted_at;  // RFC 3339; empty when unknown
  std::optional<GradeReport> report;
  bool reused = false;                     // an earlier run's report, for the same files and rubric
  std::optional<core::Accepted> accepted;  // local grading: the module intake accepted
};

// What the batch grades against: the exercise's criteria and, locally, the
// whole bundle (its digest decides whether an earlier report still counts).
struct BatchExercise {
  gograder::v1::Exercise exercise;
  std::optional<core::ExerciseBundle> bundle;  // local grading only
};

// "2026-12-01T23:59:00Z".
std::string Rfc3339Utc(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", time, absl::UTCTimeZone());
}

// `id` as one safe path component: letters, digits and ._@+- stay, anything
// else (and a leading dot) becomes %XX, so distinct ids stay distinct.
std::string DirNameOf(const std::string& id) {
  std::string name;
  for (size_t i = 0; i < id.size(); ++i) {
    unsigned char c = id[i];
    bool keep = absl::ascii_isalnum(c) || c == '_' || c == '@' || c == '+' || c == '-' ||
                (c == '.' && i > 0);
    absl::StrAppend(&name, keep ? std::string(1, c) : absl::StrFormat("%%%02X", c));
  }
  return name.empty() ? "%00" : name;
}

// Writes through a temporary file and a rename, so an interrupted batch
// never leaves half a report.
absl::Status WriteAtomically(const fs::path& path, absl::string_view content) {
  fs::path partial = path;
  partial += ".partial";
  RETURN_IF_ERROR(WriteWholeFile(partial, content));
  std::error_code error;
  fs::rename(partial, path, error);
  if (error) return absl::InternalError(absl::StrCat(path.string(), ": ", error.message()));
  return absl::OkStatus();
}

double MaxScore(const gograder::v1::Exercise& exercise) {
  double max = 0;
  for (const auto& criterion : exercise.criteria()) max += criterion.points();
  return max;
}

// The report of a submission refused at intake (a hostile archive, a go.mod
// that breaks the exercise's rules): the student's outcome, so GRADED with
// 0 points and the reason, like a build failure.
GradeReport RefusedReport(const gograder::v1::Exercise& exercise, absl::string_view why) {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id(exercise.id());
  report.set_build_failed(true);
  report.set_max_score(MaxScore(exercise));
  report.set_gograder_version(kGograderVersion);
  for (const auto& criterion : exercise.criteria()) {
    gograder::v1::CriterionResult* result = report.add_criteria();
    result->set_id(criterion.id());
    result->set_title(criterion.title());
    result->set_max_points(criterion.points());
    result->set_visibility(criterion.visibility());
    result->set_reason(absl::StrCat("the submission was refused: ", why));
  }
  gograder::v1::Annotation* annotation = report.add_annotations();
  annotation->set_severity(gograder::v1::ERROR);
  annotation->set_source("intake");
  annotation->set_message(std::string(why));
  return report;
}

// The report an earlier run wrote for `student`, if any.
std::optional<GradeReport> EarlierReport(const fs::path& student_dir) {
  std::string json = ReadFileOrEmpty(student_dir / "report.json");
  if (json.empty()) return std::nullopt;
  GradeReport report;
  if (!google::protobuf::util::JsonStringToMessage(json, &report).ok()) return std::nullopt;
  return report;
}

// student id -> RFC 3339 time, from a CSV with the columns student_id and
// submitted_at (an LMS export; other columns are ignored).
absl::StatusOr<std::map<std::string, std::string>> ReadSubmittedAtCsv(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  ASSIGN_OR_RETURN(std::vector<core::CsvRecord> records, core::ParseCsv(text, path));
  if (records.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": empty"));
  const int id_column = core::CsvColumn(records[0].fields, "student_id");
  const int at_column = core::CsvColumn(records[0].fields, "submitted_at");
  if (id_column < 0 || at_column < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", records[0].line, ": want the columns student_id and submitted_at"));
  }
  std::map<std::string, std::string> times;
  for (size_t i = 1; i < records.size(); ++i) {
    const core::CsvRecord& record = records[i];
    if (static_cast<int>(record.fields.size()) <= std::max(id_column, at_column)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", record.line, ": missing fields"));
    }
    const std::string& id = record.fields[id_column];
    const std::string& at = record.fields[at_column];
    absl::Time parsed;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, at, &parsed, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", record.line, ": submitted_at '", at,
                                                     "' is not an RFC 3339 time"));
    }
    if (!times.emplace(id, Rfc3339Utc(parsed)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", record.line, ": student '", id, "' appears twice"));
    }
  }
  return times;
}

// When `entry` was handed in: the CSV's time, else its commit's committer
// time, else the newest modification time of its files.
std::string SubmittedAt(const ClassEntry& entry, const std::map<std::string, std::string>& csv) {
  if (auto found = csv.find(entry.id); found != csv.end()) return found->second;
  absl::Time when = absl::InfinitePast();
  if (!entry.commit.empty()) {
    if (std::optional<absl::Time> committed = CommitTime(entry.path, entry.commit)) {
      when = *committed;
    }
  }
  if (when == absl::InfinitePast()) {
    auto modified = [](const fs::path& path) {
      struct stat status;
      return lstat(path.c_str(), &status) == 0 ? absl::FromTimeT(status.st_mtime)
                                               : absl::InfinitePast();
    };
    when = modified(entry.path);
    std::error_code error;
    if (fs::is_directory(entry.path, error)) {
      for (fs::recursive_directory_iterator it(entry.path, error), end; !error && it != end;
           it.increment(error)) {
        if (it->path().filename() == ".git") {
          it.disable_recursion_pending();
          continue;
        }
        when = std::max(when, modified(it->path()));
      }
    }
  }
  if (when == absl::InfinitePast()) return "";
  return Rfc3339Utc(when);
}

// The late policy of the command line: a policy file, then the flags on top,
// then the extensions CSV. None when neither a file nor --due is given.
absl::StatusOr<std::optional<gograder::v1::LatePolicy>> LatePolicyOf(
    const BatchCommandOptions& options) {
  gograder::v1::LatePolicy policy;
  if (!options.late_policy.empty()) {
    ASSIGN_OR_RETURN(policy, core::LoadLatePolicyFile(options.late_policy));
  }
  if (!options.due.empty()) policy.set_due(options.due);
  if (options.grace_minutes >= 0) policy.set_grace_seconds(options.grace_minutes * 60);
  if (options.percent_per_day >= 0) policy.set_percent_per_day(options.percent_per_day);
  if (options.percent_per_hour >= 0) policy.set_percent_per_hour(options.percent_per_hour);
  if (options.max_percent >= 0) policy.set_max_percent(options.max_percent);
  if (policy.due().empty()) {
    if (options.late_policy.empty() && options.grace_minutes < 0 && options.percent_per_day < 0 &&
        options.percent_per_hour < 0 && options.max_percent < 0 && options.extensions.empty()) {
      return std::nullopt;
    }
    return absl::InvalidArgumentError("a late policy needs a due time: --due or `due` in the file");
  }
  if (!options.extensions.empty()) {
    RETURN_IF_ERROR(core::AddExtensionsCsv(options.extensions, policy));
  }
  RETURN_IF_ERROR(core::ValidateLatePolicy(policy));
  return policy;
}

absl::StatusOr<BatchExercise> LoadBatchExercise(const GlobalOptions& global,
                                                const ClientOptions* client,
                                                const std::string& id) {
  BatchExercise loaded;
  if (client == nullptr) {
    ASSIGN_OR_RETURN(core::ExerciseBundle bundle, core::LoadExercise(global.rubrics, id));
    loaded.exercise = bundle.exercise;
    loaded.bundle = std::move(bundle);
    return loaded;
  }
  ASSIGN_OR_RETURN(gograder::v1::ExerciseInfo info, FetchExercise(*client, id));
  loaded.exercise.set_id(info.summary().id());
  loaded.exercise.set_title(info.summary().title());
  for (const gograder::v1::CriterionInfo& criterion : info.criteria()) {
    gograder::v1::Criterion* added = loaded.exercise.add_criteria();
    added->set_id(criterion.id());
    added->set_title(criterion.title());
    added->set_points(criterion.points());
  }
  return loaded;
}

// Applies `policy` to the student's report, when their time is known.
void ApplyLate(const gograder::v1::LatePolicy& policy, Student& student) {
  absl::Time submitted_at;
  std::string error;
  if (!student.report.has_value() ||
      !absl::ParseTime(absl::RFC3339_full, student.submitted_at, &submitted_at, &error)) {
    return;
  }
  core::ApplyLatePolicy(policy, student.entry.id, submitted_at, *student.report);
}

// Grades `students[i]` for each i of `todo` on `workers` threads, each
// with its own grading function from `make` (a local grader on a slot of its
// own, or a client of gograderd); `done` is called, one call at a time, as
// each student's report is in. A grading that returns an error is our
// failure: that student gets a GRADING_FAILED report.
using GradeOne = std::function<absl::StatusOr<GradeReport>(Student&)>;
absl::Status GradeAll(std::vector<Student>& students, const std::vector<size_t>& todo,
                      const std::string& exercise_id, int workers,
                      const std::function<absl::StatusOr<GradeOne>()>& make,
                      const std::function<void(Student&)>& done) {
  std::mutex mutex;
  return ForEachOnWorkers<GradeOne>(todo.size(), workers, make, [&](GradeOne& grade, size_t i) {
    Student& student = students[todo[i]];
    absl::StatusOr<GradeReport> report = grade(student);
    student.report = report.ok()
                         ? *std::move(report)
                         : core::GradingFailedReport(exercise_id, report.status().message());
    std::lock_guard<std::mutex> lock(mutex);
    done(student);
  });
}

// A local grading function on its own slot; intake was done up front.
absl::StatusOr<GradeOne> LocalGrading(const GlobalOptions& global,
                                      const core::ExerciseBundle& bundle) {
  ASSIGN_OR_RETURN(LocalGrader made, MakeGrader(global));
  auto local = std::make_shared<LocalGrader>(std::move(made));
  return GradeOne([local, &bundle](Student& student) -> absl::StatusOr<GradeReport> {
    absl::Cleanup remove = [&student] {
      std::error_code error;
      fs::remove_all(student.accepted->dir, error);
    };
    return local->grader->Grade(bundle, *student.accepted);
  });
}

// A grading function that submits to gograderd and waits for the report.
// The idempotency key names the exercise, student and files, so a rerun gets
// the earlier submission's report instead of a second grading.
GradeOne ServerGrading(const ClientOptions& client, const BatchCommandOptions& options,
                       const gograder::v1::Exercise& exercise) {
  return [&client, &options, &exercise](Student& student) -> absl::StatusOr<GradeReport> {
    absl::StatusOr<gograder::v1::SubmitRequest> request = ReadSubmission(student.entry.path);
    if (!request.ok()) return RefusedReport(exercise, request.status().message());
    request->set_exercise_id(options.exercise);
    request->set_course_id(options.course);
    request->set_student_id(student.entry.id);
    request->set_attempt_id("batch");
    request->set_batch(true);  // after students' own submissions
    request->set_idempotency_key(absl::StrCat("batch:", options.exercise, ":", student.entry.id,
                                              ":", SubmissionFilesDigest(*request)));
    absl::StatusOr<gograder::v1::Submission> graded =
        GradeAndWait(client, *request, kServerGradeTimeout);
    if (absl::IsInvalidArgument(graded.status())) {
      return RefusedReport(exercise, graded.status().message());
    }
    if (!graded.ok()) return graded.status();
    if (!graded->has_report()) {
      return absl::UnavailableError(
          absl::StrCat("submission ", graded->submission_id(), " is ",
                       gograder::v1::Submission::State_Name(graded->state()), " without a report"));
    }
    return graded->report();
  };
}

// Writes a student's report as JSON (what a rerun reads back), text and
// Gradescope results.json.
absl::Status WriteStudentReports(const fs::path& dir, const GradeReport& report) {
  fs::create_directories(dir);
  RETURN_IF_ERROR(
      WriteAtomically(dir / "report.txt", core::RenderReport(report, core::ReportFormat::kText)));
  RETURN_IF_ERROR(WriteAtomically(dir / "results.json",
                                  core::RenderReport(report, core::ReportFormat::kGradescope)));
  // Last: its presence is what tells a rerun that this student is done.
  return WriteAtomically(dir / "report.json",
                         core::RenderReport(report, core::ReportFormat::kJson));
}

absl::Status Batch(const GlobalOptions& global, const ClientOptions* client,
                   const BatchCommandOptions& options, std::ostream& out, std::ostream& err,
                   int& failed_on_our_side) {
  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(BatchExercise exercise, LoadBatchExercise(global, client, options.exercise));
  ASSIGN_OR_RETURN(std::optional<gograder::v1::LatePolicy> late, LatePolicyOf(options));
  std::map<std::string, std::string> submitted_csv;
  if (!options.submitted_at.empty()) {
    ASSIGN_OR_RETURN(submitted_csv, ReadSubmittedAtCsv(options.submitted_at));
  }
  TempDir scratch("gograder-batch-");
  if (scratch.path().empty()) return absl::InternalError("cannot make a scratch directory");
  ASSIGN_OR_RETURN(std::vector<ClassEntry> entries,
                   ListClass(options.input, options.roster, scratch.path(), err));
  const fs::path out_dir = options.out;
  const fs::path students_dir = out_dir / "students";
  std::error_code error;
  fs::create_directories(students_dir, error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(options.out, ": ", error.message()));
  }

  const fs::path work_root = fs::path(global.data_dir) / "work";
  if (client == nullptr) RETURN_IF_ERROR(core::ClaimWorkRoot(work_root.string()));

  // Intake (locally) and what an earlier run already graded.
  std::vector<Student> students;
  std::vector<size_t> todo;
  for (ClassEntry& entry : entries) {
    Student student;
    student.dir_name = DirNameOf(entry.id);
    student.entry = std::move(entry);
    if (student.entry.path.empty()) {
      students.push_back(std::move(student));
      continue;
    }
    student.submitted_at = SubmittedAt(student.entry, submitted_csv);
    if (exercise.bundle.has_value()) {
      // In the work root this process claimed: should the batch be killed,
      // the next grader removes what it leaves (ClaimWorkRoot).
      std::string dir =
          (work_root / absl::StrCat("grade-", getpid(), "-batch-", students.size())).string();
      fs::create_directories(dir, error);
      core::SubmissionSource source;
      source.path = student.entry.path;
      absl::StatusOr<core::Accepted> accepted =
          core::AcceptSubmission(source, exercise.exercise, dir);
      if (!accepted.ok()) {
        fs::remove_all(dir, error);
        student.report = RefusedReport(exercise.exercise, accepted.status().message());
        RETURN_IF_ERROR(WriteStudentReports(students_dir / student.dir_name, *student.report));
        students.push_back(std::move(student));
        continue;
      }
      std::optional<GradeReport> earlier = EarlierReport(students_dir / student.dir_name);
      if (earlier.has_value() && earlier->status() == GradeReport::GRADED &&
          earlier->submission_digest() == accepted->digest &&
          earlier->rubric_digest() == exercise.bundle->digest) {
        fs::remove_all(dir, error);
        student.report = std::move(earlier);
        student.reused = true;
        students.push_back(std::move(student));
        continue;
      }
      student.accepted = *std::move(accepted);
    }
    todo.push_back(students.size());
    students.push_back(std::move(student));
  }
  absl::Cleanup remove_intake = [&students] {
    for (Student& student : students) {
      std::error_code ignored;
      if (student.accepted.has_value()) fs::remove_all(student.accepted->dir, ignored);
    }
  };

  int reused = 0;
  for (const Student& student : students) reused += student.reused;
  BatchProgress progress(static_cast<int>(todo.size()), reused, options.exercise,
                         options.metrics_file, err, isatty(STDERR_FILENO));
  auto finished = [&](Student& student) {
    if (late.has_value()) ApplyLate(*late, student);
    absl::Status written = WriteStudentReports(students_dir / student.dir_name, *student.report);
    if (!written.ok()) err << "gograder: " << student.entry.id << ": " << written.message() << "\n";
    progress.Done(student.entry.id, *student.report);
  };
  int workers = options.workers;
  std::function<absl::StatusOr<GradeOne>()> make;
  if (client != nullptr) {
    if (workers <= 0) workers = kDefaultServerWorkers;
    make = [&]() -> absl::StatusOr<GradeOne> {
      return ServerGrading(*client, options, exercise.exercise);
    };
  } else {
    if (workers <= 0) workers = core::DefaultGradingWorkers();
    if (global.slot >= 0) workers = 1;  // one named slot
    make = [&]() { return LocalGrading(global, *exercise.bundle); };
  }
  workers = std::max(1, std::min<int>(workers, static_cast<int>(todo.size())));
  RETURN_IF_ERROR(GradeAll(students, todo, exercise.exercise.id(), workers, make, finished));
  progress.Finish();

  // The late policy again on every report (a reused one too: the policy may
  // have changed), then the class's files.
  std::vector<core::GradebookRow> rows;
  std::map<core::GradebookStatus, int> counts;
  for (Student& student : students) {
    if (student.report.has_value()) {
      if (late.has_value()) {
        ApplyLate(*late, student);
      } else if (student.report->has_late()) {  // a policy of an earlier run is gone
        student.report->set_score(student.report->late().raw_score());
        student.report->clear_late();
      }
      RETURN_IF_ERROR(WriteStudentReports(students_dir / student.dir_name, *student.report));
    }
    core::GradebookRow row;
    row.student_id = student.entry.id;
    row.submitted_at = student.submitted_at;
    row.commit = student.entry.commit;
    row.report = student.report;
    if (student.report.has_value()) {
      row.report_link = absl::StrCat("students/", student.dir_name, "/report.txt");
    }
    ++counts[core::StatusOf(row)];
    rows.push_back(std::move(row));
  }
  RETURN_IF_ERROR(
      WriteAtomically(out_dir / "gradebook.csv", core::WideGradebookCsv(exercise.exercise, rows)));
  RETURN_IF_ERROR(WriteAtomically(out_dir / "gradebook-long.csv",
                                  core::LongGradebookCsv(exercise.exercise, rows)));
  core::ClassReportOptions report_options;
  report_options.title = absl::StrCat(exercise.exercise.title(), " (", exercise.exercise.id(), ")");
  report_options.generated_at = Rfc3339Utc(absl::Now());
  RETURN_IF_ERROR(WriteAtomically(out_dir / "report.html",
                                  core::ClassReportHtml(exercise.exercise, rows, report_options)));
  failed_on_our_side = counts[core::GradebookStatus::kGradingFailed];
  out << absl::StrFormat(
      "%d students: %d graded, %d build failed, %d grading failed (ours), %d missing; "
      "%d graded now, %d reused from an earlier run, in %s\n"
      "wrote %s, %s, %s and students/<id>/report.{json,txt} + results.json\n",
      static_cast<int>(students.size()), counts[core::GradebookStatus::kGraded],
      counts[core::GradebookStatus::kBuildFailed], failed_on_our_side,
      counts[core::GradebookStatus::kMissing], static_cast<int>(todo.size()), reused,
      absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Seconds(1))),
      (out_dir / "gradebook.csv").string(), (out_dir / "gradebook-long.csv").string(),
      (out_dir / "report.html").string());
  if (failed_on_our_side > 0) {
    err << "gograder: " << failed_on_our_side
        << " grading(s) failed on our side (no score was given); run the same command again to "
           "grade them\n";
  }
  return absl::OkStatus();
}

}  // namespace

int RunBatch(const GlobalOptions& global, const ClientOptions* client,
             const BatchCommandOptions& options, std::ostream& out, std::ostream& err) {
  int failed_on_our_side = 0;
  absl::Status status = Batch(global, client, options, out, err, failed_on_our_side);
  if (!status.ok()) return Fail(err, status);
  return failed_on_our_side > 0 ? kOurFailure : kOk;
}

}  // namespace gograder::cli
