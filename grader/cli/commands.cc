#include "grader/cli/commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "grader/cli/client.h"
#include "grader/cli/local.h"
#include "grader/cli/paths.h"
#include "grader/core/gradebook/late_policy.h"
#include "grader/core/grading/grade.h"
#include "grader/core/intake/accept.h"
#include "grader/core/render/render.h"
#include "grader/core/rubric/rubric.h"
#include "grader/core/toolchain/slots.h"
#include "grader/core/toolchain/toolchain.h"

namespace gograder::cli {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::GradeReport;

// The most the unchanged starter/ may score in `rubric test`.
constexpr double kStarterMaxScore = 5;

// Acceptance + grade of one submission path.
absl::StatusOr<GradeReport> GradePath(const core::Grader& grader,
                                      const core::ExerciseBundle& exercise,
                                      const GlobalOptions& global, const std::string& path) {
  auto dir = FreshIntakeDir(global);
  if (!dir.ok()) return dir.status();
  core::SubmissionSource source;
  source.path = path;
  auto accepted = core::AcceptSubmission(source, exercise.exercise, *dir);
  absl::StatusOr<GradeReport> report = accepted.ok()
                                           ? grader.Grade(exercise, *accepted)
                                           : absl::StatusOr<GradeReport>(accepted.status());
  std::error_code error;
  fs::remove_all(*dir, error);
  if (!report.ok() && report.status().code() == absl::StatusCode::kInvalidArgument) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", report.status().message()));
  }
  return report;
}

}  // namespace

int RunGrade(const GlobalOptions& global, const GradeOptions& options, std::ostream& out,
             std::ostream& err) {
  auto format = core::ParseReportFormat(options.format);
  if (!format.ok()) return Fail(err, format.status());
  auto exercise = core::LoadExercise(global.rubrics, options.exercise);
  if (!exercise.ok()) return Fail(err, exercise.status());
  auto grader = MakeGrader(global);
  if (!grader.ok()) return Fail(err, grader.status());
  auto report = GradePath(*grader->grader, *exercise, global, options.submission);
  if (!report.ok()) return Fail(err, report.status());
  core::RenderOptions render;
  render.student_view = options.student_view;
  render.color = options.output.empty() && isatty(STDOUT_FILENO);
  std::string rendered = core::RenderReport(*report, *format, render);
  if (options.output.empty()) {
    out << rendered;
  } else {
    std::ofstream(options.output) << rendered;
  }
  if (report->status() != GradeReport::GRADED) return kOurFailure;
  if (options.min_score >= 0 && report->score() < options.min_score) {
    err << absl::StrFormat("gograder: score %.2f is below --min-score %.2f\n", report->score(),
                           options.min_score);
    return kBelowMinimum;
  }
  return kOk;
}

int RunExercises(const GlobalOptions& global, std::ostream& out, std::ostream& err) {
  auto exercises = core::LoadAllExercises(global.rubrics);
  if (!exercises.ok()) return Fail(err, exercises.status());
  for (const core::ExerciseBundle& bundle : *exercises) {
    out << absl::StrFormat("%-40s %s (%d criteria, %d hidden tests, %d samples)\n",
                           bundle.exercise.id(), bundle.exercise.title(),
                           bundle.exercise.criteria_size(), bundle.hidden_tests.size(),
                           bundle.samples.size());
  }
  return kOk;
}

int RunRubricLint(const GlobalOptions& global, const std::string& dir, std::ostream& out,
                  std::ostream& err) {
  auto exercises = core::LoadAllExercises(dir.empty() ? global.rubrics : dir);
  if (!exercises.ok()) return Fail(err, exercises.status());
  int problems = 0;
  for (const core::ExerciseBundle& bundle : *exercises) {
    absl::Status status = core::ValidateExercise(bundle);
    if (status.ok()) {
      out << "ok      " << bundle.exercise.id() << "\n";
    } else {
      ++problems;
      out << "INVALID " << bundle.exercise.id() << "\n" << status.message() << "\n";
    }
  }
  out << exercises->size() << " exercise(s), " << problems << " invalid\n";
  return problems == 0 ? kOk : kBadInput;
}

namespace {

// One module `rubric test` grades and what it must score.
struct RubricCheck {
  std::string name;  // "phase1/x/reference", "phase1/x/samples/racy"
  const core::ExerciseBundle* bundle = nullptr;
  std::optional<core::Sample> sample;  // none: the reference, which must get full marks
  std::string path;                    // the module (a composed sample: a fresh directory)
  std::string problem;                 // set when the check cannot even be graded
};

// Grades `check` and says whether it met its expectation, and why.
std::pair<bool, std::string> RunRubricCheck(const core::Grader& grader, const GlobalOptions& global,
                                            const RubricCheck& check) {
  if (!check.problem.empty()) return {false, check.problem};
  auto report = GradePath(grader, *check.bundle, global, check.path);
  if (!check.sample.has_value()) {
    if (!report.ok()) return {false, std::string(report.status().message())};
    bool full = report->status() == GradeReport::GRADED && report->score() == report->max_score();
    std::string detail = absl::StrFormat("%.2f/%.2f in %.1fs", report->score(), report->max_score(),
                                         report->duration_seconds());
    if (!full) detail += "\n" + core::RenderReport(*report, core::ReportFormat::kText);
    return {full, detail};
  }
  const auto& expect = check.sample->expectation;
  if (!report.ok()) {
    // A sample may be meant to be rejected at intake (e.g. a hostile go.mod): range 0..0.
    bool rejected_as_expected =
        report.status().code() == absl::StatusCode::kInvalidArgument && expect.max_score() == 0;
    return {rejected_as_expected, absl::StrCat("rejected: ", report.status().message())};
  }
  std::vector<std::string> problems;
  if (report->status() != GradeReport::GRADED) {
    problems.push_back("grading failed: " + report->error());
  }
  if (report->score() < expect.min_score() || report->score() > expect.max_score()) {
    problems.push_back(absl::StrFormat("score %.2f outside [%.2f, %.2f]", report->score(),
                                       expect.min_score(), expect.max_score()));
  }
  for (const std::string& id : expect.must_lose()) {
    for (const auto& criterion : report->criteria()) {
      if (criterion.id() == id && criterion.points() >= criterion.max_points()) {
        problems.push_back(absl::StrCat("kept all points of ", id));
      }
    }
  }
  if (!problems.empty()) {
    return {false, absl::StrJoin(problems, "; ") + "\n" +
                       core::RenderReport(*report, core::ReportFormat::kText)};
  }
  return {true, absl::StrFormat("%.2f in [%.2f, %.2f] (%.1fs)", report->score(), expect.min_score(),
                                expect.max_score(), report->duration_seconds())};
}

}  // namespace

int RunRubricTest(const GlobalOptions& global, const std::vector<std::string>& ids,
                  std::ostream& out, std::ostream& err) {
  absl::Time start = absl::Now();
  auto all = core::LoadAllExercises(global.rubrics);
  if (!all.ok()) return Fail(err, all.status());
  std::vector<RubricCheck> checks;
  std::vector<std::string> composed;  // sample directories to remove at the end
  for (const core::ExerciseBundle& bundle : *all) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), bundle.exercise.id()) == ids.end())
      continue;
    if (absl::Status valid = core::ValidateExercise(bundle); !valid.ok()) {
      checks.push_back(
          {bundle.exercise.id() + " (lint)", &bundle, {}, "", std::string(valid.message())});
      continue;
    }
    checks.push_back({bundle.exercise.id() + "/reference", &bundle, {}, bundle.reference_dir, ""});
    // The unchanged starter is a built-in sample: a student who submits
    // nothing must earn (almost) nothing.
    core::Sample starter;
    starter.name = "starter";
    starter.expectation.set_description("the unchanged starter/: a submission that does nothing");
    starter.expectation.set_max_score(kStarterMaxScore);
    checks.push_back({bundle.exercise.id() + "/starter", &bundle, starter, bundle.starter_dir, ""});
    for (const core::Sample& sample : bundle.samples) {
      RubricCheck check{absl::StrCat(bundle.exercise.id(), "/samples/", sample.name), &bundle,
                        sample, "", ""};
      auto dir = FreshIntakeDir(global, "sample");
      absl::Status made = dir.ok() ? core::ComposeSample(bundle, sample, *dir) : dir.status();
      if (dir.ok()) composed.push_back(*dir);
      if (made.ok()) {
        check.path = *dir;
      } else {
        check.problem = std::string(made.message());
      }
      checks.push_back(std::move(check));
    }
  }
  // --repeat: every check again, so that a flaky test shows (with several
  // workers, each grading runs beside another).
  if (global.repeat > 1) {
    const size_t once = checks.size();
    for (int round = 2; round <= global.repeat; ++round) {
      for (size_t i = 0; i < once; ++i) {
        RubricCheck again = checks[i];
        again.name = absl::StrCat(checks[i].name, " #", round);
        checks.push_back(std::move(again));
      }
    }
  }
  // Workers, each on its own leased slot; benchmark rounds still run alone
  // on the host (CpuTurn), so the timings stay fair.
  int workers = global.workers > 0 ? global.workers : core::DefaultGradingWorkers();
  if (global.slot >= 0) workers = 1;  // one named slot
  workers = std::max(1, std::min<int>(workers, static_cast<int>(checks.size())));
  std::mutex mutex;
  int passed = 0, failed = 0;
  absl::Status graded = ForEachOnWorkers<LocalGrader>(
      checks.size(), workers, [&] { return MakeGrader(global); },
      [&](LocalGrader& grader, size_t index) {
        auto [ok, detail] = RunRubricCheck(*grader.grader, global, checks[index]);
        std::lock_guard<std::mutex> lock(mutex);
        (ok ? passed : failed)++;
        out << (ok ? "PASS " : "FAIL ") << checks[index].name << "  " << detail << "\n"
            << std::flush;
      });
  std::error_code error;
  for (const std::string& dir : composed) fs::remove_all(dir, error);
  if (!graded.ok()) return Fail(err, graded);
  out << passed << " passed, " << failed << " failed (" << checks.size() << " gradings, " << workers
      << " worker(s), " << absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Seconds(1)))
      << ")\n";
  return failed == 0 ? kOk : kBelowMinimum;
}

int RunRubricSample(const GlobalOptions& global, const std::string& exercise_id,
                    const std::string& name, const std::string& destination, std::ostream& out,
                    std::ostream& err) {
  auto exercise = core::LoadExercise(global.rubrics, exercise_id);
  if (!exercise.ok()) return Fail(err, exercise.status());
  auto sample = core::FindSample(*exercise, name);
  if (!sample.ok()) return Fail(err, sample.status());
  std::error_code error;
  if (fs::exists(destination, error) && !fs::is_empty(destination, error)) {
    return Fail(err,
                absl::InvalidArgumentError(absl::StrCat(destination, " exists and is not empty")));
  }
  if (absl::Status composed = core::ComposeSample(*exercise, **sample, destination);
      !composed.ok()) {
    return Fail(err, composed);
  }
  out << destination << "\n";
  return kOk;
}

int RunToolchainPrepare(const GlobalOptions& global, bool force, std::ostream& out,
                        std::ostream& err) {
  if (!force) {
    auto prepared = core::OpenToolchain(global.data_dir);
    bool same_allowlist =
        prepared.ok() && prepared->modules.size() == core::DefaultAllowlist().size();
    for (size_t i = 0; same_allowlist && i < prepared->modules.size(); ++i) {
      same_allowlist = prepared->modules[i].path == core::DefaultAllowlist()[i].path &&
                       prepared->modules[i].version == core::DefaultAllowlist()[i].version;
    }
    if (same_allowlist) {
      out << "toolchain: already prepared: " << prepared->Description() << " in " << global.data_dir
          << " (--force rebuilds it)\n";
      return kOk;
    }
  }
  auto slot = LeaseSlot(global);
  if (!slot.ok()) return Fail(err, slot.status());
  core::ToolchainOptions options;
  options.data_dir = global.data_dir;
  options.sandbox_binary = global.sandbox;
  options.slot = slot->slot();
  auto toolchain = core::PrepareToolchain(options, out);
  if (!toolchain.ok()) return Fail(err, toolchain.status());
  out << "toolchain: ready: " << toolchain->Description() << " in " << global.data_dir << "\n";
  return kOk;
}

int Main(int argc, char** argv) {
  DefaultPaths defaults = FindDefaultPaths();
  GlobalOptions global{defaults.rubrics, defaults.data_dir, defaults.sandbox, defaults.inspector};
  CLI::App app{"gograder: grades Go exercises in a sandbox, offline"};
  app.require_subcommand(1);
  app.add_option("--rubrics", global.rubrics, "rubrics directory")->capture_default_str();
  app.add_option("--data-dir", global.data_dir, "toolchain caches and workspaces")
      ->capture_default_str();
  app.add_option("--sandbox", global.sandbox, "gograder-sandbox binary")->capture_default_str();
  app.add_option("--inspector", global.inspector, "gograder-inspector binary")
      ->capture_default_str();
  app.add_option("--slot", global.slot,
                 "sandbox slot (0-1023); default: a free one of 1-99 (host-wide leases)");
  app.add_flag("--keep-work", global.keep_work, "keep workspaces under DATA_DIR/work");

  GradeOptions grade;
  CLI::App* grade_command =
      app.add_subcommand("grade", "grade a submission locally through the sandbox");
  grade_command
      ->add_option("--exercise", grade.exercise, "exercise id, e.g. phase1/concurrent-web-scraper")
      ->required();
  grade_command->add_option("submission", grade.submission, "a module directory, .tar.gz or .zip")
      ->required();
  grade_command->add_option("--format", grade.format, "text|json|junit|gradescope|github")
      ->capture_default_str();
  grade_command->add_option("--min-score", grade.min_score, "exit 1 when the score is below it");
  grade_command->add_flag("--student-view", grade.student_view, "hide hidden criteria");
  grade_command->add_option("--output", grade.output, "write the report to this file");

  SimilarityCommandOptions similarity;
  CLI::App* similarity_command = app.add_subcommand(
      "similarity", "find copied submissions in a class (starter code excluded)");
  similarity_command->add_option("--exercise", similarity.exercise, "exercise id")->required();
  similarity_command
      ->add_option("input", similarity.input,
                   "a directory with one module per student (a folder, or an archive named "
                   "<student>.zip/.tar/.tar.gz), or an archive of such a directory")
      ->required();
  similarity_command->add_option("--out", similarity.out, "output directory")->required();
  similarity_command->add_option(
      "--roster", similarity.roster,
      "GitHub Classroom roster CSV (identifier, github_username): INPUT holds the cloned "
      "repositories");
  similarity_command
      ->add_option("--threshold", similarity.threshold,
                   "similarity (0-1) at which a pair is suspicious")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  similarity_command
      ->add_option("--max-pages", similarity.max_pages,
                   "write pages for at most this many suspicious pairs (the most similar; "
                   "pairs.csv has them all)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  similarity_command->add_option("--save-index", similarity.save_index,
                                 "save this batch's index (to compare next year's against)");
  similarity_command->add_option("--against", similarity.against,
                                 "also compare with the batch of this saved index");

  BatchCommandOptions batch;
  CLI::App* batch_command = app.add_subcommand(
      "batch",
      "grade a class (locally, or through --server): gradebook.csv, gradebook-long.csv, "
      "report.html and every student's report; a rerun resumes");
  batch_command->add_option("--exercise", batch.exercise, "exercise id")->required();
  batch_command
      ->add_option("input", batch.input,
                   "a directory with one module per student (a folder, or an archive named "
                   "<student>.zip/.tar/.tar.gz), or an archive of such a directory")
      ->required();
  batch_command->add_option("--out", batch.out, "output directory")->required();
  batch_command->add_option(
      "--roster", batch.roster,
      "GitHub Classroom roster CSV (identifier, github_username): INPUT holds the cloned "
      "repositories");
  batch_command->add_option("--workers", batch.workers,
                            "gradings at once (default: two per CPU; 8 with --server)");
  batch_command->add_option("--course", batch.course, "with --server: the course id")
      ->capture_default_str();
  batch_command->add_option("--late-policy", batch.late_policy,
                            "late policy file (a gograder.v1.LatePolicy text proto)");
  batch_command->add_option("--due", batch.due, "due time, RFC 3339 (2026-12-01T23:59:00Z)");
  batch_command
      ->add_option("--grace", batch.grace_minutes, "minutes late that still count as on time")
      ->check(CLI::Range(0.0, 1e6));
  batch_command
      ->add_option("--penalty-per-day", batch.percent_per_day,
                   "percent of the max score per started day late")
      ->check(CLI::Range(0.0, 100.0));
  batch_command
      ->add_option("--penalty-per-hour", batch.percent_per_hour,
                   "percent of the max score per started hour late")
      ->check(CLI::Range(0.0, 100.0));
  batch_command->add_option("--penalty-cap", batch.max_percent, "the most percent taken")
      ->check(CLI::Range(0.0, 100.0));
  batch_command->add_option("--extensions", batch.extensions,
                            "CSV of per-student due times (student_id,due)");
  batch_command->add_option(
      "--submitted-at", batch.submitted_at,
      "CSV of submission times (student_id,submitted_at); default: the commit's time for git "
      "clones, else the files' modification time");
  batch_command->add_option("--metrics-file", batch.metrics_file,
                            "write the progress as a Prometheus textfile (node_exporter)");

  RegradeAllOptions regrade_all;
  CLI::App* regrade_all_command = app.add_subcommand(
      "regrade-all", "regrade an exercise's finished submissions on --server, with a summary");
  regrade_all_command->add_option("--exercise", regrade_all.exercise, "exercise id")->required();
  regrade_all_command->add_option("--course", regrade_all.course, "course id (default: all)");
  regrade_all_command->add_option("--scope", regrade_all.scope, "all, latest or best (per student)")
      ->capture_default_str();
  regrade_all_command->add_flag("--dry-run", regrade_all.dry_run,
                                "grade but change nothing: list whose score would change");
  regrade_all_command->add_flag("--keep-max", regrade_all.keep_max,
                                "keep the current report when the new score is lower");
  std::string revert_id;
  app.add_subcommand("revert-regrade", "restore the reports from before a regrade on --server")
      ->add_option("id", revert_id, "regrade id (printed by regrade-all)")
      ->required();
  gograder::v1::ExportGradebookRequest export_request;
  std::string export_late_policy;
  bool export_best = false, export_long = false;
  std::string export_course, export_exercise;
  CLI::App* gradebook_command =
      app.add_subcommand("gradebook", "print a course's gradebook CSV from --server");
  gradebook_command->add_option("--course", export_course, "course id")->required();
  gradebook_command->add_option("--exercise", export_exercise, "exercise id")->required();
  gradebook_command->add_flag("--best", export_best,
                              "each student's best submission (default: the latest)");
  gradebook_command->add_flag("--long", export_long,
                              "one row per student and criterion or hidden test");
  gradebook_command->add_option("--late-policy", export_late_policy, "late policy file");

  app.add_subcommand("exercises", "list the exercises");
  CLI::App* rubric = app.add_subcommand("rubric", "rubric tools");
  rubric->require_subcommand(1);
  std::string lint_dir;
  rubric->add_subcommand("lint", "parse and validate rubric files")
      ->add_option("dir", lint_dir, "rubrics directory");
  std::vector<std::string> test_ids;
  CLI::App* test_command = rubric->add_subcommand(
      "test", "grade references (full marks), starters (at most 5) and samples (expected ranges)");
  test_command->add_option("exercise", test_ids, "exercise ids (default: all)");
  test_command->add_option(
      "--workers", global.workers,
      "gradings at once, each on a free slot (default: two per CPU; 1 with --slot)");
  test_command
      ->add_option("--repeat", global.repeat,
                   "grade each reference, starter and sample this many times (flakes show)")
      ->check(CLI::Range(1, 1000));
  std::string sample_exercise, sample_name, sample_destination;
  CLI::App* sample_command = rubric->add_subcommand(
      "sample", "write a sample as a whole module: reference/ + the sample's overlay");
  sample_command->add_option("exercise", sample_exercise, "exercise id")->required();
  sample_command->add_option("sample", sample_name, "sample name (a directory of samples/)")
      ->required();
  sample_command->add_option("destination", sample_destination, "directory to create")->required();
  CLI::App* toolchain = app.add_subcommand("toolchain", "Go toolchain set-up");
  toolchain->require_subcommand(1);
  bool force = false;
  toolchain->add_subcommand("prepare", "download the module allowlist and build the warm cache")
      ->add_flag("--force", force, "rebuild even when already prepared");

  // Client mode: the same commands against a gograderd (--server ADDR).
  ClientOptions client;
  app.add_option("--server", client.server,
                 "gograderd address for submit/watch/report/list (127.0.0.1:50051)");
  app.add_option("--token", client.token, "bearer token for --server (default: $GOGRADER_TOKEN)");
  SubmitOptions submit;
  CLI::App* submit_command = app.add_subcommand("submit", "submit a module to --server");
  submit_command->add_option("--exercise", submit.exercise, "exercise id")->required();
  submit_command->add_option("path", submit.path, "a module directory, .tar.gz or .zip")
      ->required();
  submit_command->add_option("--course", submit.course, "course id");
  submit_command->add_option("--student", submit.student, "student id");
  submit_command->add_option("--attempt", submit.attempt, "attempt id");
  submit_command->add_option("--key", submit.key,
                             "idempotency key (a retry with the same key is not graded twice)");
  submit_command->add_flag("--wait", submit.wait, "watch the grading, then print the report");
  submit_command->add_option("--format", submit.format, "report format with --wait")
      ->capture_default_str();
  std::string watch_id, report_id, report_format = "text";
  std::string cancel_id;
  app.add_subcommand("cancel", "cancel a queued or running grading on --server")
      ->add_option("id", cancel_id, "submission id")
      ->required();
  app.add_subcommand("watch", "stream a submission's progress from --server")
      ->add_option("id", watch_id, "submission id")
      ->required();
  CLI::App* report_command =
      app.add_subcommand("report", "print a submission's report from --server");
  report_command->add_option("id", report_id, "submission id")->required();
  report_command->add_option("--format", report_format, "text|json|junit|gradescope|github")
      ->capture_default_str();
  ListOptions list;
  CLI::App* list_command = app.add_subcommand("list", "list submissions on --server");
  list_command->add_option("--course", list.course, "course id");
  list_command->add_option("--exercise", list.exercise, "exercise id");
  list_command->add_option("--student", list.student, "student id");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? kOk : kBadInput;
  }
  // Paths reach the sandbox's specs, which take absolute paths only.
  for (std::string* path :
       {&global.rubrics, &global.data_dir, &global.sandbox, &global.inspector}) {
    std::error_code error;
    if (!path->empty()) *path = fs::absolute(*path, error).lexically_normal().string();
  }
  std::ostream& out = std::cout;
  std::ostream& err = std::cerr;
  if (client.token.empty() && getenv("GOGRADER_TOKEN") != nullptr)
    client.token = getenv("GOGRADER_TOKEN");
  if (batch_command->parsed()) {
    return RunBatch(global, client.server.empty() ? nullptr : &client, batch, out, err);
  }
  if (submit_command->parsed() || app.got_subcommand("watch") || app.got_subcommand("cancel") ||
      report_command->parsed() || list_command->parsed() || regrade_all_command->parsed() ||
      app.got_subcommand("revert-regrade") || gradebook_command->parsed()) {
    if (client.server.empty()) {
      err << "gograder: submit, watch, cancel, report, list, regrade-all, revert-regrade and "
             "gradebook need --server ADDR (a gograderd)\n";
      return kBadInput;
    }
    if (regrade_all_command->parsed()) return RunRegradeAll(client, regrade_all, out, err);
    if (app.got_subcommand("revert-regrade")) return RunRevertRegrade(client, revert_id, out, err);
    if (gradebook_command->parsed()) {
      export_request.set_course_id(export_course);
      export_request.set_exercise_id(export_exercise);
      export_request.set_best(export_best);
      export_request.set_long_format(export_long);
      if (!export_late_policy.empty()) {
        auto policy = core::LoadLatePolicyFile(export_late_policy);
        if (!policy.ok()) return Fail(err, policy.status());
        *export_request.mutable_late_policy() = *std::move(policy);
      }
      return RunExportGradebook(client, export_request, out, err);
    }
    if (submit_command->parsed()) return RunSubmit(client, submit, out, err);
    if (app.got_subcommand("watch")) return RunWatch(client, watch_id, out, err);
    if (app.got_subcommand("cancel")) return RunCancel(client, cancel_id, out, err);
    if (report_command->parsed()) return RunReport(client, report_id, report_format, out, err);
    return RunList(client, list, out, err);
  }
  if (grade_command->parsed()) return RunGrade(global, grade, out, err);
  if (similarity_command->parsed()) return RunSimilarity(global, similarity, out, err);
  if (app.got_subcommand("exercises")) return RunExercises(global, out, err);
  if (rubric->got_subcommand("lint")) return RunRubricLint(global, lint_dir, out, err);
  if (rubric->got_subcommand("test")) return RunRubricTest(global, test_ids, out, err);
  if (sample_command->parsed()) {
    return RunRubricSample(global, sample_exercise, sample_name, sample_destination, out, err);
  }
  if (toolchain->got_subcommand("prepare")) return RunToolchainPrepare(global, force, out, err);
  return kBadInput;
}

}  // namespace gograder::cli
