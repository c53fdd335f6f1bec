#include "grader/server/service.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "grader/core/intake/accept.h"
#include "grader/core/rubric/rubric.h"
#include "grader/server/status.h"
#include "grader/server/workers.h"
#include "base/status_macros.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::ExerciseInfo;
using ::gograder::v1::ListExercisesResponse;
using ::gograder::v1::Submission;
using ::gograder::v1::SubmitRequest;
using ::gograder::v1::SubmitResponse;
using ::gograder::v1::WatchEvent;

bool IsFinal(Submission::State state) { return state == Submission::DONE || state == Submission::CANCELLED; }

// A fresh, unguessable directory name for one submission's files.
std::string NewFilesDirName() {
  static std::mutex mutex;
  static std::mt19937_64 random(std::random_device{}() ^ static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
  std::lock_guard<std::mutex> lock(mutex);
  return absl::StrFormat("%d-%016x", absl::ToUnixSeconds(absl::Now()), random());
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Removes a directory on scope exit unless released.
class DirCleanup {
 public:
  explicit DirCleanup(std::string dir) : dir_(std::move(dir)) {}
  ~DirCleanup() {
    if (dir_.empty()) return;
    std::error_code error;
    fs::remove_all(dir_, error);
  }
  void Release() { dir_.clear(); }

 private:
  std::string dir_;
};

gograder::v1::ExerciseSummary Summary(const core::ExerciseBundle& bundle) {
  gograder::v1::ExerciseSummary summary;
  summary.set_id(bundle.exercise.id());
  summary.set_title(bundle.exercise.title());
  summary.set_phase(bundle.phase.id());
  double max = 0;
  for (const auto& criterion : bundle.exercise.criteria()) max += criterion.points();
  summary.set_max_score(max);
  return summary;
}

absl::string_view RejectReason(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kResourceExhausted:
      return "queue_full";
    case absl::StatusCode::kUnauthenticated:
      return "unauthenticated";
    case absl::StatusCode::kPermissionDenied:
      return "permission_denied";
    default:
      return "invalid_argument";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<GraderService>> GraderService::Create(ServiceOptions options) {
  if (options.store == nullptr || options.auth == nullptr) return absl::InvalidArgumentError("service needs a store and auth");
  ASSIGN_OR_RETURN(auto exercises, core::LoadAllExercises(options.rubrics_dir));
  std::unique_ptr<GraderService> service(new GraderService(std::move(options)));
  for (const core::ExerciseBundle& bundle : exercises) service->exercise_ids_.insert(bundle.exercise.id());
  return service;
}

grpc::Status GraderService::Finish(absl::string_view method, absl::Time start, const absl::Status& status) {
  grpc::Status out = ToGrpcStatus(status);
  RecordRpc(options_.metrics, method, static_cast<int>(out.error_code()), absl::ToDoubleSeconds(absl::Now() - start));
  return out;
}

absl::StatusOr<Caller> GraderService::Authenticate(const grpc::ServerContext& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view value;
  if (it != metadata.end()) value = absl::string_view(it->second.data(), it->second.size());
  return options_.auth->Authenticate(value);
}

absl::StatusOr<SubmitResponse> GraderService::DoSubmit(const Caller& caller, const SubmitRequest& request) {
  if (request.exercise_id().empty()) return absl::InvalidArgumentError("exercise_id is required");
  if (!exercise_ids_.contains(request.exercise_id())) {
    return absl::NotFoundError(absl::StrCat("unknown exercise \"", request.exercise_id(),
                                            "\" (ListExercises names the known ones)"));
  }
  RETURN_IF_ERROR(caller.CheckCourse(request.course_id()));
  core::IntakeLimits limits;
  limits.max_total_bytes = options_.max_submission_bytes;
  limits.max_file_bytes = std::min<int64_t>(limits.max_file_bytes, options_.max_submission_bytes);
  int64_t request_bytes = 0;
  if (request.has_file_map()) {
    for (const auto& [path, content] : request.file_map().files()) request_bytes += path.size() + content.size();
  } else {
    request_bytes = request.archive().size();
  }
  if (request.files_case() == SubmitRequest::FILES_NOT_SET || request_bytes == 0) {
    return absl::InvalidArgumentError("the submission is empty: send an archive or a file_map");
  }
  if (request_bytes > options_.max_submission_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("too large: the submission has ", request_bytes,
                                                   " bytes; the limit is ", options_.max_submission_bytes));
  }
  ASSIGN_OR_RETURN(core::ExerciseBundle bundle, core::LoadExercise(options_.rubrics_dir, request.exercise_id()));

  fs::path dir = fs::path(options_.data_dir) / "submissions" / NewFilesDirName();
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", error.message()));
  DirCleanup cleanup(dir.string());
  core::SubmissionSource source;
  if (request.has_file_map()) {
    source.files.assign(request.file_map().files().begin(), request.file_map().files().end());
    source.has_files = true;
  } else {
    source.archive = request.archive();
  }
  ASSIGN_OR_RETURN(core::Accepted accepted, core::AcceptSubmission(source, bundle.exercise, dir.string(), limits));
  store::NewSubmission submission{request.exercise_id(), request.course_id(), request.student_id(),
                                  request.attempt_id(), request.idempotency_key(), dir.string(), accepted.digest,
                                  accepted.notes};
  ASSIGN_OR_RETURN(store::InsertOutcome outcome, options_.store->Insert(submission, options_.queue_limit));
  SubmitResponse response;
  response.set_submission_id(outcome.submission.submission_id());
  response.set_state(outcome.submission.state());
  response.set_queue_position(outcome.queue_position);
  response.set_duplicate(outcome.duplicate);
  if (outcome.duplicate) return response;  // the earlier files stay; ours are removed
  cleanup.Release();
  WatchEvent queued;
  queued.set_time(NowRfc3339());
  queued.mutable_queued()->set_position(outcome.queue_position);
  RETURN_IF_ERROR(options_.store->AppendEvent(response.submission_id(), std::move(queued)).status());
  RecordAccepted(options_.metrics, request.exercise_id());
  if (auto depth = options_.store->QueueDepth(); depth.ok()) RecordQueue(options_.metrics, *depth);
  if (options_.wake_workers) options_.wake_workers();
  return response;
}

grpc::Status GraderService::Submit(grpc::ServerContext* context, const SubmitRequest* request,
                                   SubmitResponse* response) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, Authenticate(*context));
    ASSIGN_OR_RETURN(*response, DoSubmit(caller, *request));
    return absl::OkStatus();
  }();
  if (!status.ok()) RecordRejected(options_.metrics, RejectReason(status));
  return Finish("Submit", start, status);
}

absl::StatusOr<Submission> GraderService::WaitForFinal(grpc::ServerContext& context, const std::string& id) {
  while (true) {
    ASSIGN_OR_RETURN(Submission submission, options_.store->Get(id));
    if (IsFinal(submission.state())) return submission;
    if (context.IsCancelled()) return absl::CancelledError("the call was cancelled");
    absl::Time deadline = absl::FromChrono(context.deadline());
    if (absl::Now() + options_.watch_poll >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("submission ", id,
                                                      " is not graded yet; its report will be stored: GetReport or "
                                                      "Watch it later"));
    }
    absl::SleepFor(options_.watch_poll);
  }
}

grpc::Status GraderService::Grade(grpc::ServerContext* context, const SubmitRequest* request, Submission* response) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, Authenticate(*context));
    ASSIGN_OR_RETURN(SubmitResponse submitted, DoSubmit(caller, *request));
    ASSIGN_OR_RETURN(*response, WaitForFinal(*context, submitted.submission_id()));
    return absl::OkStatus();
  }();
  return Finish("Grade", start, status);
}

absl::StatusOr<Submission> GraderService::ReadableSubmission(const Caller& caller, const std::string& id) const {
  if (id.empty()) return absl::InvalidArgumentError("submission_id is required");
  absl::StatusOr<Submission> submission = options_.store->Get(id);
  if (absl::IsNotFound(submission.status())) {
    return absl::NotFoundError(absl::StrCat("unknown submission \"", id, "\""));
  }
  if (!submission.ok()) return submission.status();
  RETURN_IF_ERROR(caller.CheckCourse(submission->course_id()));
  return submission;
}

absl::Status GraderService::DoWatch(grpc::ServerContext& context, const Caller& caller, const std::string& id,
                                    grpc::ServerWriter<WatchEvent>& writer) {
  RETURN_IF_ERROR(ReadableSubmission(caller, id).status());
  int64_t last = 0;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<WatchEvent> events, options_.store->EventsAfter(id, last));
    // The state is read after the events: final + no newer events = the end.
    ASSIGN_OR_RETURN(Submission now, options_.store->Get(id));
    bool saw_final = false;
    for (const WatchEvent& event : events) {
      if (!writer.Write(event)) return absl::CancelledError("the watcher went away");
      last = event.sequence();
      saw_final = event.has_finished();
    }
    if (IsFinal(now.state())) {
      if (saw_final) return absl::OkStatus();
      // Final, but its event is not stored (yet, or a crash came between):
      // re-read once, then end with the stored submission itself.
      ASSIGN_OR_RETURN(std::vector<WatchEvent> late, options_.store->EventsAfter(id, last));
      for (const WatchEvent& event : late) {
        if (!writer.Write(event)) return absl::CancelledError("the watcher went away");
        last = event.sequence();
        saw_final = event.has_finished();
      }
      if (saw_final) return absl::OkStatus();
      WatchEvent final_event;
      final_event.set_sequence(last + 1);
      final_event.set_time(NowRfc3339());
      *final_event.mutable_finished() = now;
      writer.Write(final_event);
      return absl::OkStatus();
    }
    if (context.IsCancelled()) return absl::CancelledError("the call was cancelled");
    absl::SleepFor(options_.watch_poll);
  }
}

grpc::Status GraderService::Watch(grpc::ServerContext* context, const gograder::v1::WatchRequest* request,
                                  grpc::ServerWriter<WatchEvent>* writer) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, Authenticate(*context));
    return DoWatch(*context, caller, request->submission_id(), *writer);
  }();
  return Finish("Watch", start, status);
}

grpc::Status GraderService::GetReport(grpc::ServerContext* context, const gograder::v1::GetReportRequest* request,
                                      Submission* response) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, Authenticate(*context));
    ASSIGN_OR_RETURN(*response, ReadableSubmission(caller, request->submission_id()));
    return absl::OkStatus();
  }();
  return Finish("GetReport", start, status);
}

grpc::Status GraderService::ListSubmissions(grpc::ServerContext* context,
                                            const gograder::v1::ListSubmissionsRequest* request,
                                            gograder::v1::ListSubmissionsResponse* response) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, Authenticate(*context));
    if (caller.role == v1::Token::SUBMITTER && request->course_id().empty()) {
      return absl::PermissionDeniedError("a SUBMITTER token must name one of its courses in course_id");
    }
    RETURN_IF_ERROR(caller.CheckCourse(request->course_id()));
    if (request->page_size() < 0) {
      return absl::InvalidArgumentError(absl::StrCat("page_size ", request->page_size(), " must not be negative"));
    }
    store::ListFilter filter{request->course_id(), request->exercise_id(), request->student_id(),
                             request->page_size() == 0 ? 50 : std::min(request->page_size(), 500),
                             request->page_token()};
    ASSIGN_OR_RETURN(store::ListPage page, options_.store->List(filter));
    for (Submission& submission : page.submissions) *response->add_submissions() = std::move(submission);
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  }();
  return Finish("ListSubmissions", start, status);
}

grpc::Status GraderService::Cancel(grpc::ServerContext* context, const gograder::v1::CancelRequest* request,
                                   Submission* response) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, Authenticate(*context));
    ASSIGN_OR_RETURN(Submission before, ReadableSubmission(caller, request->submission_id()));
    ASSIGN_OR_RETURN(*response, options_.store->Cancel(request->submission_id()));
    if (before.state() == Submission::RUNNING && options_.stop_grading) {
      options_.stop_grading(request->submission_id());  // kills its sandbox run and frees the worker
    }
    if (!IsFinal(before.state()) && response->state() == Submission::CANCELLED) {
      WatchEvent event;
      event.set_time(NowRfc3339());
      *event.mutable_finished() = *response;
      RETURN_IF_ERROR(options_.store->AppendEvent(response->submission_id(), std::move(event)).status());
      RecordFinished(options_.metrics, response->exercise_id(), "cancelled", 0, 0);
    }
    return absl::OkStatus();
  }();
  return Finish("Cancel", start, status);
}

grpc::Status GraderService::Regrade(grpc::ServerContext* context, const gograder::v1::RegradeRequest* request,
                                    SubmitResponse* response) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, Authenticate(*context));
    RETURN_IF_ERROR(caller.CheckTeacher("Regrade"));
    ASSIGN_OR_RETURN(Submission before, ReadableSubmission(caller, request->submission_id()));
    if (!IsFinal(before.state())) {
      return absl::FailedPreconditionError(absl::StrCat("submission ", before.submission_id(),
                                                        " is still queued or running; regrade it once it is done"));
    }
    ASSIGN_OR_RETURN(store::InsertOutcome outcome, options_.store->Requeue(request->submission_id()));
    response->set_submission_id(outcome.submission.submission_id());
    response->set_state(outcome.submission.state());
    response->set_queue_position(outcome.queue_position);
    WatchEvent queued;
    queued.set_time(NowRfc3339());
    queued.mutable_queued()->set_position(outcome.queue_position);
    RETURN_IF_ERROR(options_.store->AppendEvent(response->submission_id(), std::move(queued)).status());
    if (options_.wake_workers) options_.wake_workers();
    return absl::OkStatus();
  }();
  return Finish("Regrade", start, status);
}

grpc::Status GraderService::ListExercises(grpc::ServerContext* context,
                                          const gograder::v1::ListExercisesRequest* request,
                                          ListExercisesResponse* response) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(Authenticate(*context).status());
    ASSIGN_OR_RETURN(auto exercises, core::LoadAllExercises(options_.rubrics_dir));
    for (const core::ExerciseBundle& bundle : exercises) *response->add_exercises() = Summary(bundle);
    return absl::OkStatus();
  }();
  return Finish("ListExercises", start, status);
}

grpc::Status GraderService::GetExercise(grpc::ServerContext* context, const gograder::v1::GetExerciseRequest* request,
                                        ExerciseInfo* response) {
  absl::Time start = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(Authenticate(*context).status());
    if (request->exercise_id().empty()) return absl::InvalidArgumentError("exercise_id is required");
    if (!exercise_ids_.contains(request->exercise_id())) {
      return absl::NotFoundError(absl::StrCat("unknown exercise \"", request->exercise_id(), "\""));
    }
    ASSIGN_OR_RETURN(core::ExerciseBundle bundle, core::LoadExercise(options_.rubrics_dir, request->exercise_id()));
    *response->mutable_summary() = Summary(bundle);
    response->set_statement(bundle.statement);
    response->set_module(bundle.exercise.module());
    for (const auto& criterion : bundle.exercise.criteria()) {
      if (criterion.visibility() == v1::HIDDEN) continue;
      auto* info = response->add_criteria();
      info->set_id(criterion.id());
      info->set_title(criterion.title());
      info->set_points(criterion.points());
    }
    // Only the starter directory: regular files, never through links.
    std::error_code error;
    for (fs::recursive_directory_iterator it(bundle.starter_dir, error), end; !error && it != end;
         it.increment(error)) {
      if (!it->is_regular_file() || it->is_symlink()) continue;
      ASSIGN_OR_RETURN(std::string content, ReadFile(it->path()));
      (*response->mutable_starter_files())[fs::relative(it->path(), bundle.starter_dir).string()] = content;
    }
    if (error) return absl::InternalError(absl::StrCat("cannot read the starter files: ", error.message()));
    return absl::OkStatus();
  }();
  return Finish("GetExercise", start, status);
}

}  // namespace gograder::server
