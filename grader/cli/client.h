// The CLI as a client of gograderd: submit, watch, report and list through
// the gRPC API (gograder --server ADDR [--token T] ...).
#ifndef GOGRADER_GRADER_CLI_CLIENT_H_
#define GOGRADER_GRADER_CLI_CLIENT_H_

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/gograder/v1/api.pb.h"

namespace gograder::cli {

struct ClientOptions {
  std::string server;           // "127.0.0.1:50051"
  std::string token;            // bearer token; empty = none
  double timeout_seconds = 60;  // per unary call
};

struct SubmitOptions {
  std::string exercise;
  std::string path;  // a module directory (sent as a file map) or an archive
  std::string course, student, attempt, key;
  bool wait = false;  // watch until graded, then print the report
  std::string format = "text";
};

struct RegradeAllOptions {
  std::string exercise, course;
  std::string scope = "all";  // all, latest, best
  bool dry_run = false, keep_max = false;
};

struct ListOptions {
  std::string course, exercise, student;
};

// A SubmitRequest holding the module at `path`: a directory's regular files
// (.git/ left out) as a file map, or an archive's bytes. InvalidArgument
// naming the path when it is neither or cannot be read.
absl::StatusOr<gograder::v1::SubmitRequest> ReadSubmission(const std::string& path);

// Hex SHA-256 of the files of `request` (file map in path order, or archive).
std::string SubmissionFilesDigest(const gograder::v1::SubmitRequest& request);

// The exercise as gograderd describes it (criteria, statement, starter).
absl::StatusOr<gograder::v1::ExerciseInfo> FetchExercise(const ClientOptions& client,
                                                         const std::string& exercise_id);

// Grade: submits and waits up to `timeout` for the final submission (the
// same idempotency key returns the earlier one). RPC errors as absl codes.
absl::StatusOr<gograder::v1::Submission> GradeAndWait(const ClientOptions& client,
                                                      const gograder::v1::SubmitRequest& request,
                                                      absl::Duration timeout);

// Exit codes as for local grading: 0 ok; 2 bad input (INVALID_ARGUMENT,
// NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED); 3 anything else.
// Submits PATH and prints the submission id (and, with --wait, the report).
int RunSubmit(const ClientOptions& client, const SubmitOptions& options, std::ostream& out,
              std::ostream& err);
// Streams a submission's progress until its final event.
int RunWatch(const ClientOptions& client, const std::string& id, std::ostream& out,
             std::ostream& err);
// Prints a submission's report in `format` (text, json, junit, gradescope, github).
int RunReport(const ClientOptions& client, const std::string& id, const std::string& format,
              std::ostream& out, std::ostream& err);
// Cancels a queued or running grading on --server (whichever node runs it)
// and prints the submission's state.
int RunCancel(const ClientOptions& client, const std::string& id, std::ostream& out,
              std::ostream& err);
// Lists submissions (every page), newest first.
int RunList(const ClientOptions& client, const ListOptions& options, std::ostream& out,
            std::ostream& err);

// Regrades an exercise's finished submissions on --server, printing progress
// and then every score change (or, with a dry run, every change it would make).
int RunRegradeAll(const ClientOptions& client, const RegradeAllOptions& options, std::ostream& out,
                  std::ostream& err);
// Restores the reports that were current before a regrade.
int RunRevertRegrade(const ClientOptions& client, const std::string& regrade_id, std::ostream& out,
                     std::ostream& err);
// Writes a course's gradebook CSV for an exercise to `out`.
int RunExportGradebook(const ClientOptions& client,
                       const gograder::v1::ExportGradebookRequest& request, std::ostream& out,
                       std::ostream& err);

}  // namespace gograder::cli

#endif  // GOGRADER_GRADER_CLI_CLIENT_H_
