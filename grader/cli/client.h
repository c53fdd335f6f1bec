// The CLI as a client of gograderd: submit, watch, report and list through
// the gRPC API (gograder --server ADDR [--token T] ...).
#ifndef GOGRADER_GRADER_CLI_CLIENT_H_
#define GOGRADER_GRADER_CLI_CLIENT_H_

#include <ostream>
#include <string>

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

struct ListOptions {
  std::string course, exercise, student;
};

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
// Lists submissions (every page), newest first.
int RunList(const ClientOptions& client, const ListOptions& options, std::ostream& out,
            std::ostream& err);

}  // namespace gograder::cli

#endif  // GOGRADER_GRADER_CLI_CLIENT_H_
