#include "grader/server/service.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/files.h"
#include "base/status_macros.h"
#include "grader/core/intake/accept.h"
#include "grader/core/rubric/rubric.h"
#include "grader/core/similarity/similarity.h"
#include "grader/server/status.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::ExerciseInfo;
using ::gograder::v1::ListExercisesResponse;
using ::gograder::v1::Submission;
using ::gograder::v1::SubmitRequest;
using ::gograder::v1::SubmitResponse;
using ::gograder::v1::WatchEvent;

bool IsFinal(Submission::State state) {
  return state == Submission::DONE || state == Submission::CANCELLED;
}

// How often a waiting Watch or Grade checks whether its client went away
// (gRPC's synchronous API has no callback for it).
constexpr absl::Duration kCancelCheck = absl::Milliseconds(250);
// Grade gives up this long before the client's deadline, so that the client
// gets our message rather than gRPC's own DEADLINE_EXCEEDED.
constexpr absl::Duration kReplyMargin = absl::Milliseconds(50);
// How long Watch waits for the final event of a submission whose state is
// already final (the worker appends it right after finishing) before it
// ends with the stored submission itself (a crash came between).
constexpr absl::Duration kFinalEventWait = absl::Seconds(1);

// A fresh, unguessable directory name for one submission's files.
std::string NewFilesDirName() {
  static std::mutex mutex;
  static std::mt19937_64 random(std::random_device{}() ^
                                static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
  std::lock_guard<std::mutex> lock(mutex);
  return absl::StrFormat("%d-%016x", absl::ToUnixSeconds(absl::Now()), random());
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

// The reason label of a refused Submit: the limit that refused it, or what
// kind of error it was.
std::string RejectReason(grpc::StatusCode code, const absl::Status& refused) {
  if (std::optional<std::string> limit = store::RefusedLimitLabel(refused)) return *limit;
  switch (code) {
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "queue_full";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    default:
      return "invalid_argument";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<GraderService>> GraderService::Create(ServiceOptions options) {
  if (options.store == nullptr || options.auth == nullptr || options.catalog == nullptr ||
      options.events == nullptr) {
    return absl::InvalidArgumentError(
        "the service needs a store, auth, an exercise catalog and an event hub");
  }
  // grader.proto holds only the service, so nothing references its generated
  // descriptor; a static link would drop it, and server reflection could not
  // describe the service. This reference keeps it.
  static const void* volatile keep_service_descriptor =
      &descriptor_table_gograder_2fv1_2fgrader_2eproto;
  (void)keep_service_descriptor;
  return std::unique_ptr<GraderService>(new GraderService(std::move(options)));
}

grpc::Status GraderService::Serve(absl::string_view method, grpc::ServerContext& context,
                                  absl::FunctionRef<absl::Status(const Call&)> body) {
  absl::Time start = absl::Now();
  absl::StatusOr<Caller> caller = Authenticate(context);
  absl::Status status = caller.status();
  if (caller.ok()) {
    absl::Time deadline = context.deadline() == std::chrono::system_clock::time_point::max()
                              ? absl::InfiniteFuture()
                              : absl::FromChrono(context.deadline());
    status = body(Call{*std::move(caller), context, deadline});
  }
  grpc::Status out = ToGrpcStatus(status);
  RecordRpc(options_.metrics, method, static_cast<int>(out.error_code()),
            absl::ToDoubleSeconds(absl::Now() - start));
  return out;
}

absl::StatusOr<Caller> GraderService::Authenticate(const grpc::ServerContext& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view value;
  if (it != metadata.end()) value = absl::string_view(it->second.data(), it->second.size());
  return options_.auth->Authenticate(value);
}

absl::StatusOr<SubmitResponse> GraderService::DoSubmit(const Caller& caller,
                                                       const SubmitRequest& request) {
  if (request.exercise_id().empty()) return absl::InvalidArgumentError("exercise_id is required");
  ASSIGN_OR_RETURN(ExerciseCatalog::Bundle exercise, options_.catalog->Find(request.exercise_id()));
  const core::ExerciseBundle& bundle = *exercise;
  RETURN_IF_ERROR(caller.CheckCourse(request.course_id()));
  core::IntakeLimits limits;
  limits.max_total_bytes = options_.max_submission_bytes;
  limits.max_file_bytes = std::min<int64_t>(limits.max_file_bytes, options_.max_submission_bytes);
  int64_t request_bytes = 0;
  if (request.has_file_map()) {
    for (const auto& [path, content] : request.file_map().files())
      request_bytes += path.size() + content.size();
  } else {
    request_bytes = request.archive().size();
  }
  if (request.files_case() == SubmitRequest::FILES_NOT_SET || request_bytes == 0) {
    return absl::InvalidArgumentError("the submission is empty: send an archive or a file_map");
  }
  if (request_bytes > options_.max_submission_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("too large: the submission has ", request_bytes,
                                                   " bytes; the limit is ",
                                                   options_.max_submission_bytes));
  }

  fs::path dir = fs::path(options_.data_dir) / "submissions" / NewFilesDirName();
  std::error_code error;
  fs::create_directories(dir, error);
  if (error)
    return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", error.message()));
  DirCleanup cleanup(dir.string());
  core::SubmissionSource source;
  if (request.has_file_map()) {
    source.files.assign(request.file_map().files().begin(), request.file_map().files().end());
    source.has_files = true;
  } else {
    source.archive = request.archive();
  }
  ASSIGN_OR_RETURN(core::Accepted accepted,
                   core::AcceptSubmission(source, bundle.exercise, dir.string(), limits));
  store::NewSubmission submission{request.exercise_id(),
                                  request.course_id(),
                                  request.student_id(),
                                  request.attempt_id(),
                                  request.idempotency_key(),
                                  dir.string(),
                                  accepted.digest,
                                  accepted.notes,
                                  request.batch()};
  ASSIGN_OR_RETURN(store::InsertOutcome outcome,
                   options_.store->Insert(submission, options_.limits.For(request.course_id())));
  SubmitResponse response;
  response.set_submission_id(outcome.submission.submission_id());
  response.set_state(outcome.submission.state());
  response.set_queue_position(outcome.queue_position);
  response.set_duplicate(outcome.duplicate);
  if (outcome.duplicate) return response;  // the earlier files stay; ours are removed
  cleanup.Release();
  RETURN_IF_ERROR(AnnounceQueued(response.submission_id(), outcome.queue_position));
  RecordAccepted(options_.metrics, request.exercise_id());
  if (auto depth = options_.store->QueueDepth(); depth.ok()) RecordQueue(options_.metrics, *depth);
  return response;
}

// Appends the queued event of a (re)queued submission and wakes the workers.
absl::Status GraderService::AnnounceQueued(const std::string& id, int queue_position) {
  WatchEvent queued;
  queued.mutable_queued()->set_position(queue_position);
  RETURN_IF_ERROR(options_.events->Append(id, std::move(queued)).status());
  if (options_.wake_workers) options_.wake_workers();
  return absl::OkStatus();
}

grpc::Status GraderService::Submit(grpc::ServerContext* context, const SubmitRequest* request,
                                   SubmitResponse* response) {
  absl::Status refused;
  grpc::Status status = Serve("Submit", *context, [&](const Call& call) -> absl::Status {
    absl::StatusOr<SubmitResponse> submitted = DoSubmit(call.caller, *request);
    if (!submitted.ok()) return refused = submitted.status();
    *response = *std::move(submitted);
    return absl::OkStatus();
  });
  if (!status.ok()) RecordRejected(options_.metrics, RejectReason(status.error_code(), refused));
  return status;
}

// Waits for news of the submission, at most until `until` or until the
// fallback re-read of the store is due (OK either way: the caller reads the
// store again); Cancelled or DeadlineExceeded when the call ends first.
absl::Status GraderService::AwaitNews(const Call& call, EventHub::Subscription& news,
                                      absl::Time until) const {
  until = std::min(until, absl::Now() + options_.watch_fallback);
  while (true) {
    if (call.context.IsCancelled()) return absl::CancelledError("the call was cancelled");
    absl::Time now = absl::Now();
    if (now >= call.deadline) return absl::DeadlineExceededError("the call's deadline passed");
    if (now >= until) return absl::OkStatus();
    if (news.WaitUntil(std::min({until, call.deadline, now + kCancelCheck})))
      return absl::OkStatus();
  }
}

absl::StatusOr<Submission> GraderService::WaitForFinal(const Call& call, const std::string& id) {
  EventHub::Subscription news = options_.events->Subscribe(id);
  while (true) {
    ASSIGN_OR_RETURN(Submission submission, options_.store->Get(id));
    if (IsFinal(submission.state())) return submission;
    absl::Time until = call.deadline - kReplyMargin;
    absl::Status waited = AwaitNews(call, news, until);
    if (waited.ok() && absl::Now() < until) continue;
    if (!waited.ok() && !absl::IsDeadlineExceeded(waited)) return waited;
    return absl::DeadlineExceededError(
        absl::StrCat("submission ", id,
                     " is not graded yet; its report will be stored: GetReport or "
                     "Watch it later"));
  }
}

grpc::Status GraderService::Grade(grpc::ServerContext* context, const SubmitRequest* request,
                                  Submission* response) {
  return Serve("Grade", *context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(SubmitResponse submitted, DoSubmit(call.caller, *request));
    ASSIGN_OR_RETURN(*response, WaitForFinal(call, submitted.submission_id()));
    return absl::OkStatus();
  });
}

absl::StatusOr<Submission> GraderService::ReadableSubmission(const Caller& caller,
                                                             const std::string& id) const {
  if (id.empty()) return absl::InvalidArgumentError("submission_id is required");
  absl::StatusOr<Submission> submission = options_.store->Get(id);
  if (absl::IsNotFound(submission.status())) {
    return absl::NotFoundError(absl::StrCat("unknown submission \"", id, "\""));
  }
  if (!submission.ok()) return submission.status();
  RETURN_IF_ERROR(caller.CheckCourse(submission->course_id()));
  return submission;
}

absl::Status GraderService::DoWatch(const Call& call, const std::string& id,
                                    grpc::ServerWriter<WatchEvent>& writer) {
  RETURN_IF_ERROR(ReadableSubmission(call.caller, id).status());
  EventHub::Subscription news = options_.events->Subscribe(id);
  int64_t last = 0;
  bool last_was_final = false;
  std::optional<absl::Time> final_event_due;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<WatchEvent> events, options_.store->EventsAfter(id, last));
    // The state is read after the events: final + no newer events = the end.
    ASSIGN_OR_RETURN(Submission now, options_.store->Get(id));
    for (const WatchEvent& event : events) {
      if (!writer.Write(event)) return absl::CancelledError("the watcher went away");
      last = event.sequence();
      last_was_final = event.has_finished();
    }
    if (IsFinal(now.state())) {
      if (last_was_final) return absl::OkStatus();
      // Final, but its event is not stored yet (the worker appends it right
      // after finishing) or never will be (a crash came between): wait a
      // moment for it, then end with the stored submission itself.
      if (!final_event_due) final_event_due = absl::Now() + kFinalEventWait;
      if (absl::Now() < *final_event_due) {
        RETURN_IF_ERROR(AwaitNews(call, news, *final_event_due));
        continue;
      }
      WatchEvent final_event;
      final_event.set_sequence(last + 1);
      final_event.set_time(now.finished_at());
      *final_event.mutable_finished() = now;
      writer.Write(final_event);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(AwaitNews(call, news, absl::InfiniteFuture()));
  }
}

grpc::Status GraderService::Watch(grpc::ServerContext* context,
                                  const gograder::v1::WatchRequest* request,
                                  grpc::ServerWriter<WatchEvent>* writer) {
  return Serve("Watch", *context,
               [&](const Call& call) { return DoWatch(call, request->submission_id(), *writer); });
}

grpc::Status GraderService::GetReport(grpc::ServerContext* context,
                                      const gograder::v1::GetReportRequest* request,
                                      Submission* response) {
  return Serve("GetReport", *context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(*response, ReadableSubmission(call.caller, request->submission_id()));
    return absl::OkStatus();
  });
}

grpc::Status GraderService::ListSubmissions(grpc::ServerContext* context,
                                            const gograder::v1::ListSubmissionsRequest* request,
                                            gograder::v1::ListSubmissionsResponse* response) {
  return Serve("ListSubmissions", *context, [&](const Call& call) -> absl::Status {
    if (call.caller.role == v1::Token::SUBMITTER && request->course_id().empty()) {
      return absl::PermissionDeniedError(
          "a SUBMITTER token must name one of its courses in course_id");
    }
    RETURN_IF_ERROR(call.caller.CheckCourse(request->course_id()));
    if (request->page_size() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_size ", request->page_size(), " must not be negative"));
    }
    store::ListFilter filter{request->course_id(), request->exercise_id(), request->student_id(),
                             request->page_size() == 0 ? 50 : std::min(request->page_size(), 500),
                             request->page_token()};
    ASSIGN_OR_RETURN(store::ListPage page, options_.store->List(filter));
    for (Submission& submission : page.submissions)
      *response->add_submissions() = std::move(submission);
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status GraderService::Cancel(grpc::ServerContext* context,
                                   const gograder::v1::CancelRequest* request,
                                   Submission* response) {
  return Serve("Cancel", *context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(Submission before, ReadableSubmission(call.caller, request->submission_id()));
    ASSIGN_OR_RETURN(*response, options_.store->Cancel(request->submission_id()));
    if (before.state() == Submission::RUNNING && options_.stop_grading) {
      options_.stop_grading(
          request->submission_id());  // kills its sandbox run and frees the worker
    }
    if (!IsFinal(before.state()) && response->state() == Submission::CANCELLED) {
      WatchEvent event;
      *event.mutable_finished() = *response;
      RETURN_IF_ERROR(
          options_.events->Append(response->submission_id(), std::move(event)).status());
      RecordFinished(options_.metrics, response->exercise_id(), "cancelled", 0, 0);
    }
    return absl::OkStatus();
  });
}

grpc::Status GraderService::Regrade(grpc::ServerContext* context,
                                    const gograder::v1::RegradeRequest* request,
                                    SubmitResponse* response) {
  return Serve("Regrade", *context, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(call.caller.CheckTeacher("Regrade"));
    ASSIGN_OR_RETURN(Submission before, ReadableSubmission(call.caller, request->submission_id()));
    if (!IsFinal(before.state())) {
      return absl::FailedPreconditionError(
          absl::StrCat("submission ", before.submission_id(),
                       " is still queued or running; regrade it once it is done"));
    }
    ASSIGN_OR_RETURN(store::InsertOutcome outcome,
                     options_.store->Requeue(request->submission_id()));
    response->set_submission_id(outcome.submission.submission_id());
    response->set_state(outcome.submission.state());
    response->set_queue_position(outcome.queue_position);
    return AnnounceQueued(response->submission_id(), outcome.queue_position);
  });
}

grpc::Status GraderService::FindSimilar(grpc::ServerContext* context,
                                        const gograder::v1::FindSimilarRequest* request,
                                        gograder::v1::FindSimilarResponse* response) {
  return Serve("FindSimilar", *context, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(call.caller.CheckTeacher("FindSimilar"));
    if (request->course_id().empty() || request->exercise_id().empty()) {
      return absl::InvalidArgumentError("course_id and exercise_id are required");
    }
    if (request->threshold() < 0 || request->threshold() > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("threshold ", request->threshold(), " is not between 0 and 1"));
    }
    if (!options_.inspector_tokens) {
      return absl::FailedPreconditionError("this server cannot run the inspector");
    }
    ASSIGN_OR_RETURN(ExerciseCatalog::Bundle exercise,
                     options_.catalog->Find(request->exercise_id()));
    // The latest submission of each student (the list is newest first).
    std::map<std::string, Submission> latest;
    store::ListFilter filter{request->course_id(), request->exercise_id(), "", 500, ""};
    do {
      ASSIGN_OR_RETURN(store::ListPage page, options_.store->List(filter));
      for (Submission& submission : page.submissions) {
        std::string student = submission.student_id().empty()
                                  ? absl::StrCat("submission ", submission.submission_id())
                                  : submission.student_id();
        latest.try_emplace(student, std::move(submission));
      }
      filter.page_token = page.next_page_token;
    } while (!filter.page_token.empty());
    auto tokenize = [&](const std::string& dir,
                        const std::string& id) -> absl::StatusOr<core::TokenizedSubmission> {
      ASSIGN_OR_RETURN(std::string tokens, options_.inspector_tokens(dir));
      return core::ParseInspectorTokens(tokens, id, /*include_tests=*/false);
    };
    std::vector<core::TokenizedSubmission> batch, exercise_code;
    std::map<std::string, std::string> submission_of;
    for (const auto& [student, submission] : latest) {
      ASSIGN_OR_RETURN(std::string dir, options_.store->FilesDir(submission.submission_id()));
      ASSIGN_OR_RETURN(core::TokenizedSubmission tokens, tokenize(dir, student));
      batch.push_back(std::move(tokens));
      submission_of[student] = submission.submission_id();
    }
    // The starter is boilerplate; the reference is compared like a student.
    ASSIGN_OR_RETURN(core::TokenizedSubmission starter, tokenize(exercise->starter_dir, "starter"));
    ASSIGN_OR_RETURN(core::TokenizedSubmission reference,
                     tokenize(exercise->reference_dir, core::kReferenceId));
    response->set_submissions(static_cast<int>(batch.size()));
    batch.push_back(std::move(reference));
    core::SimilarityOptions knobs;
    if (request->threshold() > 0) knobs.threshold = request->threshold();
    std::vector<core::PairSimilarity> pairs =
        core::CompareBatch(batch, {starter}, {starter}, knobs);
    for (const core::PairSimilarity& pair : pairs) {
      gograder::v1::SimilarPair* out = response->add_pairs();
      out->set_student_a(pair.a);
      out->set_submission_a(submission_of[pair.a]);
      out->set_student_b(pair.b);
      out->set_submission_b(submission_of[pair.b]);
      out->set_a_in_b(pair.a_in_b);
      out->set_b_in_a(pair.b_in_a);
      out->set_similarity(pair.Max());
      out->set_longest_match(pair.longest_match);
      out->set_suspicious(pair.Max() >= knobs.threshold);
      for (const core::MatchedRegion& region : pair.regions) {
        gograder::v1::SimilarRegion* matched = out->add_regions();
        matched->set_a_file(region.a_file);
        matched->set_a_first_line(region.a_first_line);
        matched->set_a_last_line(region.a_last_line);
        matched->set_b_file(region.b_file);
        matched->set_b_first_line(region.b_first_line);
        matched->set_b_last_line(region.b_last_line);
        matched->set_tokens(region.tokens);
      }
    }
    for (const std::vector<std::string>& cluster : core::Clusters(pairs, knobs.threshold)) {
      gograder::v1::SimilarCluster* out = response->add_clusters();
      for (const std::string& student : cluster) out->add_student_ids(student);
    }
    return absl::OkStatus();
  });
}

grpc::Status GraderService::ListExercises(grpc::ServerContext* context,
                                          const gograder::v1::ListExercisesRequest* request,
                                          ListExercisesResponse* response) {
  return Serve("ListExercises", *context, [&](const Call&) -> absl::Status {
    for (const ExerciseCatalog::Bundle& bundle : options_.catalog->List())
      *response->add_exercises() = Summary(*bundle);
    return absl::OkStatus();
  });
}

grpc::Status GraderService::GetExercise(grpc::ServerContext* context,
                                        const gograder::v1::GetExerciseRequest* request,
                                        ExerciseInfo* response) {
  return Serve("GetExercise", *context, [&](const Call&) -> absl::Status {
    if (request->exercise_id().empty())
      return absl::InvalidArgumentError("exercise_id is required");
    ASSIGN_OR_RETURN(ExerciseCatalog::Bundle exercise,
                     options_.catalog->Find(request->exercise_id()));
    const core::ExerciseBundle& bundle = *exercise;
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
      ASSIGN_OR_RETURN(std::string content, ReadWholeFile(it->path()));
      (*response->mutable_starter_files())[fs::relative(it->path(), bundle.starter_dir).string()] =
          content;
    }
    if (error)
      return absl::InternalError(absl::StrCat("cannot read the starter files: ", error.message()));
    return absl::OkStatus();
  });
}

grpc::Status GraderService::ReloadExercises(grpc::ServerContext* context,
                                            const gograder::v1::ReloadExercisesRequest* request,
                                            gograder::v1::ReloadExercisesResponse* response) {
  return Serve("ReloadExercises", *context, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(call.caller.CheckAdmin("ReloadExercises"));
    absl::StatusOr<gograder::v1::ReloadExercisesResponse> reloaded = options_.catalog->Reload();
    std::cerr << "gograderd: ReloadExercises by \"" << call.caller.name
              << "\": " << DescribeReload(reloaded) << std::endl;
    ASSIGN_OR_RETURN(*response, std::move(reloaded));
    return absl::OkStatus();
  });
}

}  // namespace gograder::server
