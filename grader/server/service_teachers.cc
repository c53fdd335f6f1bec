// The teachers' RPCs of the Grader service: ExportGradebook, RegradeAll and
// RevertRegrade (methods of GraderService, apart from service.cc).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "grader/core/gradebook/gradebook.h"
#include "grader/core/gradebook/late_policy.h"
#include "grader/server/class_views.h"
#include "grader/server/service.h"

namespace gograder::server {
namespace {

using ::gograder::v1::Submission;

// The CSV goes out in pieces of this size.
constexpr size_t kCsvChunkBytes = 64 << 10;

}  // namespace

grpc::Status GraderService::ExportGradebook(grpc::ServerContext* context,
                                            const gograder::v1::ExportGradebookRequest* request,
                                            grpc::ServerWriter<gograder::v1::CsvChunk>* writer) {
  return Serve("ExportGradebook", *context, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(call.caller.CheckTeacher("ExportGradebook"));
    if (request->course_id().empty() || request->exercise_id().empty()) {
      return absl::InvalidArgumentError("course_id and exercise_id are required");
    }
    const bool late = request->has_late_policy();
    if (late) {
      if (absl::Status valid = core::ValidateLatePolicy(request->late_policy()); !valid.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("late_policy: ", valid.message()));
      }
    }
    ASSIGN_OR_RETURN(ExerciseCatalog::Bundle exercise,
                     options_.catalog->Find(request->exercise_id()));
    ASSIGN_OR_RETURN(std::vector<Submission> finished,
                     options_.store->Finished(request->exercise_id(), request->course_id()));
    std::vector<Submission> counted = PickSubmissions(
        finished, request->best() ? Pick::kBestPerStudent : Pick::kLatestPerStudent);
    std::vector<core::GradebookRow> rows;
    for (Submission& submission : counted) {
      core::GradebookRow row;
      row.student_id = submission.student_id().empty()
                           ? absl::StrCat("submission ", submission.submission_id())
                           : submission.student_id();
      row.submitted_at = submission.submitted_at();
      if (submission.has_report()) {
        row.report = std::move(*submission.mutable_report());
        absl::Time submitted_at;
        std::string error;
        if (late &&
            absl::ParseTime(absl::RFC3339_full, submission.submitted_at(), &submitted_at, &error)) {
          core::ApplyLatePolicy(request->late_policy(), row.student_id, submitted_at, *row.report);
        }
      }
      rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.student_id < b.student_id; });
    std::string csv = request->long_format() ? core::LongGradebookCsv(exercise->exercise, rows)
                                             : core::WideGradebookCsv(exercise->exercise, rows);
    size_t at = 0;
    do {  // at least one chunk, even for an empty CSV
      gograder::v1::CsvChunk chunk;
      chunk.set_data(csv.substr(at, kCsvChunkBytes));
      if (!writer->Write(chunk)) return absl::CancelledError("the client went away");
      at += kCsvChunkBytes;
    } while (at < csv.size());
    return absl::OkStatus();
  });
}

grpc::Status GraderService::RegradeAll(grpc::ServerContext* context,
                                       const gograder::v1::RegradeAllRequest* request,
                                       grpc::ServerWriter<gograder::v1::RegradeEvent>* writer) {
  return Serve("RegradeAll", *context, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(call.caller.CheckTeacher("RegradeAll"));
    if (request->exercise_id().empty())
      return absl::InvalidArgumentError("exercise_id is required");
    ASSIGN_OR_RETURN(ExerciseCatalog::Bundle exercise,
                     options_.catalog->Find(request->exercise_id()));
    ASSIGN_OR_RETURN(std::vector<Submission> finished,
                     options_.store->Finished(request->exercise_id(), request->course_id()));
    Pick pick = PickOf(request->scope());
    std::vector<std::string> ids;
    for (const Submission& submission : PickSubmissions(finished, pick)) {
      ids.push_back(submission.submission_id());
    }
    if (ids.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no finished submission of ", request->exercise_id(),
          request->course_id().empty() ? "" : absl::StrCat(" in course ", request->course_id()),
          " to regrade"));
    }
    store::RegradeSpec spec{request->exercise_id(), request->course_id(), PickName(pick),
                            request->dry_run(),     request->keep_max(),  exercise->digest};
    ASSIGN_OR_RETURN(store::Regrade regrade, options_.store->StartRegrade(spec, ids));
    EventHub::Subscription news = options_.events->Subscribe(RegradeNewsKey(regrade.regrade_id));
    if (options_.wake_workers) options_.wake_workers();
    RecordRegrade(options_.metrics, regrade);
    // Progress whenever it changes, then the summary. A client that goes
    // away stops only its stream; the regrade goes on.
    int last_done = -1;
    while (true) {
      gograder::v1::RegradeEvent event;
      *event.mutable_progress() = ProgressOf(regrade);
      int done = event.progress().graded() + event.progress().failed();
      if (event.progress().pending() == 0 || regrade.reverted) {
        *event.mutable_summary() = SummaryOf(regrade);
        writer->Write(event);
        return absl::OkStatus();
      }
      if (done != last_done && !writer->Write(event)) {
        return absl::CancelledError("the client went away; the regrade goes on");
      }
      last_done = done;
      RETURN_IF_ERROR(AwaitNews(call, news, absl::InfiniteFuture()));
      ASSIGN_OR_RETURN(regrade, options_.store->GetRegrade(regrade.regrade_id));
    }
  });
}

grpc::Status GraderService::RevertRegrade(grpc::ServerContext* context,
                                          const gograder::v1::RevertRegradeRequest* request,
                                          gograder::v1::RevertRegradeResponse* response) {
  return Serve("RevertRegrade", *context, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(call.caller.CheckTeacher("RevertRegrade"));
    if (request->regrade_id().empty()) return absl::InvalidArgumentError("regrade_id is required");
    ASSIGN_OR_RETURN(int restored, options_.store->RevertRegrade(request->regrade_id()));
    response->set_restored(restored);
    ASSIGN_OR_RETURN(store::Regrade regrade, options_.store->GetRegrade(request->regrade_id()));
    RecordRegrade(options_.metrics, regrade);
    options_.events->Notify(RegradeNewsKey(request->regrade_id()));
    return absl::OkStatus();
  });
}

}  // namespace gograder::server
