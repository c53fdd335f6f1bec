#include "grader/cli/client.h"

#include <grpcpp/grpcpp.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/files.h"
#include "base/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "grader/core/files/digest.h"
#include "grader/core/render/render.h"
#include "proto/gograder/v1/grader.grpc.pb.h"

namespace gograder::cli {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::Submission;
using ::gograder::v1::WatchEvent;

constexpr int kOk = 0, kBadInput = 2, kFailure = 3;

int FailRpc(std::ostream& err, const grpc::Status& status) {
  err << "gograder: " << status.error_message() << " (" << static_cast<int>(status.error_code())
      << ")\n";
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return kBadInput;
    default:
      return kFailure;
  }
}

std::unique_ptr<gograder::v1::Grader::Stub> Connect(const ClientOptions& client) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(256 << 20);
  args.SetMaxReceiveMessageSize(256 << 20);
  return gograder::v1::Grader::NewStub(
      grpc::CreateCustomChannel(client.server, grpc::InsecureChannelCredentials(), args));
}

void Prepare(grpc::ClientContext& context, const ClientOptions& client, bool deadline = true) {
  if (!client.token.empty()) context.AddMetadata("authorization", "Bearer " + client.token);
  if (deadline) {
    context.set_deadline(
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(static_cast<int64_t>(client.timeout_seconds * 1000)));
  }
}

// grpc::StatusCode and absl::StatusCode share their numbers.
absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::string StateName(Submission::State state) { return Submission::State_Name(state); }

void PrintEvent(const WatchEvent& event, std::ostream& out) {
  out << absl::StrFormat("[%3d] %s ", event.sequence(), event.time());
  if (event.has_queued()) {
    out << "queued (position " << event.queued().position() << ")\n";
  } else if (event.has_step_started()) {
    out << "started  " << gograder::v1::Step_Name(event.step_started().step()) << " "
        << event.step_started().label() << "\n";
  } else if (event.has_step_finished()) {
    const auto& run = event.step_finished().run();
    out << absl::StrFormat("finished %s %s: %s in %.2fs\n", gograder::v1::Step_Name(run.step()),
                           run.label(), gograder::v1::SandboxResult::Verdict_Name(run.verdict()),
                           run.wall_time_us() / 1e6);
  } else if (event.has_finished()) {
    const Submission& submission = event.finished();
    out << StateName(submission.state());
    if (submission.has_report()) {
      out << absl::StrFormat(" %s %.2f/%.2f",
                             gograder::v1::GradeReport::Status_Name(submission.report().status()),
                             submission.report().score(), submission.report().max_score());
    }
    out << "\n";
  } else {
    out << "(unknown event)\n";
  }
  out << std::flush;
}

}  // namespace

absl::StatusOr<gograder::v1::SubmitRequest> ReadSubmission(const std::string& path) {
  gograder::v1::SubmitRequest request;
  std::error_code error;
  if (fs::is_directory(path, error)) {
    auto* files = request.mutable_file_map()->mutable_files();
    for (fs::recursive_directory_iterator it(path, error), end; !error && it != end;
         it.increment(error)) {
      if (it->is_symlink() || !it->is_regular_file()) continue;
      std::string relative = fs::relative(it->path(), path).generic_string();
      if (relative.starts_with(".git/")) continue;
      ASSIGN_OR_RETURN(std::string content, ReadWholeFile(it->path()));
      (*files)[relative] = std::move(content);
    }
    if (error) return absl::InvalidArgumentError(absl::StrCat(path, ": ", error.message()));
  } else if (fs::is_regular_file(path, error)) {
    ASSIGN_OR_RETURN(std::string archive, ReadWholeFile(path));
    request.set_archive(std::move(archive));
  } else {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a directory or an archive"));
  }
  return request;
}

std::string SubmissionFilesDigest(const gograder::v1::SubmitRequest& request) {
  gograder::v1::SubmitRequest files;
  if (request.has_file_map()) *files.mutable_file_map() = request.file_map();
  if (request.has_archive()) files.set_archive(request.archive());
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);  // map entries in key order
    files.SerializeToCodedStream(&coded);
  }
  return core::Sha256Hex(bytes);
}

absl::StatusOr<gograder::v1::ExerciseInfo> FetchExercise(const ClientOptions& client,
                                                         const std::string& exercise_id) {
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client);
  gograder::v1::GetExerciseRequest request;
  request.set_exercise_id(exercise_id);
  gograder::v1::ExerciseInfo info;
  RETURN_IF_ERROR(FromGrpc(stub->GetExercise(&context, request, &info)));
  return info;
}

absl::StatusOr<Submission> GradeAndWait(const ClientOptions& client,
                                        const gograder::v1::SubmitRequest& request,
                                        absl::Duration timeout) {
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client, /*deadline=*/false);
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  Submission submission;
  RETURN_IF_ERROR(FromGrpc(stub->Grade(&context, request, &submission)));
  return submission;
}

int RunSubmit(const ClientOptions& client, const SubmitOptions& options, std::ostream& out,
              std::ostream& err) {
  absl::StatusOr<gograder::v1::SubmitRequest> read = ReadSubmission(options.path);
  if (!read.ok()) {
    err << "gograder: " << read.status().message() << "\n";
    return kBadInput;
  }
  gograder::v1::SubmitRequest& request = *read;
  request.set_exercise_id(options.exercise);
  request.set_course_id(options.course);
  request.set_student_id(options.student);
  request.set_attempt_id(options.attempt);
  request.set_idempotency_key(options.key);
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client);
  gograder::v1::SubmitResponse response;
  grpc::Status status = stub->Submit(&context, request, &response);
  if (!status.ok()) return FailRpc(err, status);
  out << response.submission_id();
  if (response.duplicate()) out << " (duplicate of an earlier submission)";
  if (response.queue_position() > 0) out << " queued at position " << response.queue_position();
  out << "\n" << std::flush;
  if (!options.wait) return kOk;
  int watched = RunWatch(client, response.submission_id(), out, err);
  if (watched != kOk) return watched;
  return RunReport(client, response.submission_id(), options.format, out, err);
}

int RunWatch(const ClientOptions& client, const std::string& id, std::ostream& out,
             std::ostream& err) {
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client, /*deadline=*/false);
  gograder::v1::WatchRequest request;
  request.set_submission_id(id);
  auto reader = stub->Watch(&context, request);
  WatchEvent event;
  while (reader->Read(&event)) PrintEvent(event, out);
  grpc::Status status = reader->Finish();
  return status.ok() ? kOk : FailRpc(err, status);
}

int RunReport(const ClientOptions& client, const std::string& id, const std::string& format,
              std::ostream& out, std::ostream& err) {
  auto parsed = core::ParseReportFormat(format);
  if (!parsed.ok()) {
    err << "gograder: " << parsed.status().message() << "\n";
    return kBadInput;
  }
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client);
  gograder::v1::GetReportRequest request;
  request.set_submission_id(id);
  Submission submission;
  grpc::Status status = stub->GetReport(&context, request, &submission);
  if (!status.ok()) return FailRpc(err, status);
  if (!submission.has_report()) {
    out << "submission " << id << " is " << StateName(submission.state()) << ": no report yet\n";
    return submission.state() == Submission::CANCELLED ? kOk : kFailure;
  }
  out << core::RenderReport(submission.report(), *parsed);
  return submission.report().status() == gograder::v1::GradeReport::GRADED ? kOk : kFailure;
}

int RunCancel(const ClientOptions& client, const std::string& id, std::ostream& out,
              std::ostream& err) {
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client);
  gograder::v1::CancelRequest request;
  request.set_submission_id(id);
  Submission submission;
  grpc::Status status = stub->Cancel(&context, request, &submission);
  if (!status.ok()) return FailRpc(err, status);
  out << id << " " << StateName(submission.state()) << "\n";
  return kOk;
}

int RunList(const ClientOptions& client, const ListOptions& options, std::ostream& out,
            std::ostream& err) {
  auto stub = Connect(client);
  gograder::v1::ListSubmissionsRequest request;
  request.set_course_id(options.course);
  request.set_exercise_id(options.exercise);
  request.set_student_id(options.student);
  request.set_page_size(500);
  out << absl::StrFormat("%-36s %-34s %-10s %-10s %-10s %s\n", "ID", "EXERCISE", "COURSE",
                         "STUDENT", "STATE", "SUBMITTED");
  do {
    grpc::ClientContext context;
    Prepare(context, client);
    gograder::v1::ListSubmissionsResponse response;
    grpc::Status status = stub->ListSubmissions(&context, request, &response);
    if (!status.ok()) return FailRpc(err, status);
    for (const Submission& s : response.submissions()) {
      out << absl::StrFormat("%-36s %-34s %-10s %-10s %-10s %s\n", s.submission_id(),
                             s.exercise_id(), s.course_id(), s.student_id(), StateName(s.state()),
                             s.submitted_at());
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return kOk;
}

int RunRegradeAll(const ClientOptions& client, const RegradeAllOptions& options, std::ostream& out,
                  std::ostream& err) {
  gograder::v1::RegradeAllRequest request;
  request.set_exercise_id(options.exercise);
  request.set_course_id(options.course);
  if (options.scope == "all") {
    request.set_scope(gograder::v1::RegradeAllRequest::ALL);
  } else if (options.scope == "latest") {
    request.set_scope(gograder::v1::RegradeAllRequest::LATEST_PER_STUDENT);
  } else if (options.scope == "best") {
    request.set_scope(gograder::v1::RegradeAllRequest::BEST_PER_STUDENT);
  } else {
    err << "gograder: --scope " << options.scope << ": want all, latest or best\n";
    return kBadInput;
  }
  request.set_dry_run(options.dry_run);
  request.set_keep_max(options.keep_max);
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client, /*deadline=*/false);
  auto reader = stub->RegradeAll(&context, request);
  gograder::v1::RegradeEvent event;
  while (reader->Read(&event)) {
    const gograder::v1::RegradeProgress& progress =
        event.has_summary() ? event.summary().progress() : event.progress();
    out << absl::StrFormat("regrade %s: %d/%d done, %d failed on our side%s\n",
                           progress.regrade_id(), progress.graded() + progress.failed(),
                           progress.total(), progress.failed(),
                           progress.dry_run() ? " (dry run)" : "")
        << std::flush;
    if (!event.has_summary()) continue;
    const gograder::v1::RegradeSummary& summary = event.summary();
    for (const gograder::v1::ScoreChange& change : summary.changes()) {
      auto score = [](bool has, double value) {
        return has ? absl::StrFormat("%.2f", value) : std::string("none");
      };
      out << absl::StrFormat("  %-20s %-34s %s -> %s%s%s\n",
                             change.student_id().empty() ? "-" : change.student_id(),
                             change.submission_id(), score(change.had_score(), change.before()),
                             score(change.has_score(), change.after()),
                             change.applied() ? "" : "  not applied: ", change.note());
    }
    out << absl::StrFormat("%d changed%s, %d unchanged; revert with: gograder revert-regrade %s\n",
                           summary.changes_size(), progress.dry_run() ? " (would change)" : "",
                           summary.unchanged(), progress.regrade_id());
  }
  grpc::Status status = reader->Finish();
  return status.ok() ? kOk : FailRpc(err, status);
}

int RunRevertRegrade(const ClientOptions& client, const std::string& regrade_id, std::ostream& out,
                     std::ostream& err) {
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client);
  gograder::v1::RevertRegradeRequest request;
  request.set_regrade_id(regrade_id);
  gograder::v1::RevertRegradeResponse response;
  grpc::Status status = stub->RevertRegrade(&context, request, &response);
  if (!status.ok()) return FailRpc(err, status);
  out << "regrade " << regrade_id << " reverted: " << response.restored()
      << " report(s) restored\n";
  return kOk;
}

int RunExportGradebook(const ClientOptions& client,
                       const gograder::v1::ExportGradebookRequest& request, std::ostream& out,
                       std::ostream& err) {
  auto stub = Connect(client);
  grpc::ClientContext context;
  Prepare(context, client, /*deadline=*/false);
  auto reader = stub->ExportGradebook(&context, request);
  gograder::v1::CsvChunk chunk;
  while (reader->Read(&chunk)) out << chunk.data();
  out << std::flush;
  grpc::Status status = reader->Finish();
  return status.ok() ? kOk : FailRpc(err, status);
}

}  // namespace gograder::cli
