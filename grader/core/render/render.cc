// The renderers' entry points, the student-view filter and the JSON format.
// Each other format lives in its own render_<format>.cc.
#include "grader/core/render/render.h"

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grader/core/render/render_internal.h"
#include "nlohmann/json.hpp"
#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {
namespace {

using gograder::v1::Annotation;
using gograder::v1::CriterionResult;
using gograder::v1::GradeReport;
using gograder::v1::StepRun;
using gograder::v1::TestResult;

// True when a student may not see the criterion under `options`. A
// visibility this code does not know is concealed.
bool IsConcealed(const CriterionResult& criterion, const RenderOptions& options) {
  switch (criterion.visibility()) {
    case gograder::v1::VISIBLE:
      return false;
    case gograder::v1::AFTER_DUE_DATE:
      return !options.after_due_date;
    default:
      return true;
  }
}

// Replaces invalid UTF-8 in every string field of `message`, recursively:
// the JSON printer requires valid UTF-8, and student output may not be.
void RepairStrings(google::protobuf::Message* message) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Descriptor* descriptor = message->GetDescriptor();
  const google::protobuf::Reflection* reflection = message->GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(*message, field); ++j) {
          const std::string value = reflection->GetRepeatedString(*message, field, j);
          std::string repaired = render_internal::ValidUtf8(value);
          if (repaired != value) reflection->SetRepeatedString(message, field, j, repaired);
        }
      } else {
        const std::string value = reflection->GetString(*message, field);
        std::string repaired = render_internal::ValidUtf8(value);
        if (repaired != value) reflection->SetString(message, field, repaired);
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(*message, field); ++j) {
          RepairStrings(reflection->MutableRepeatedMessage(message, field, j));
        }
      } else if (reflection->HasField(*message, field)) {
        RepairStrings(reflection->MutableMessage(message, field));
      }
    }
  }
}

}  // namespace

absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "text") return ReportFormat::kText;
  if (lower == "json") return ReportFormat::kJson;
  if (lower == "junit") return ReportFormat::kJUnit;
  if (lower == "gradescope") return ReportFormat::kGradescope;
  if (lower == "github") return ReportFormat::kGithub;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown report format \"", absl::CEscape(name),
                   "\": want one of text, json, junit, gradescope, github"));
}

std::string RenderReport(const GradeReport& report, ReportFormat format,
                         const RenderOptions& options) {
  render_internal::Concealed concealed;
  const GradeReport visible = render_internal::VisibleReport(report, options, &concealed);
  switch (format) {
    case ReportFormat::kJson:
      return render_internal::RenderJson(visible);
    case ReportFormat::kJUnit:
      return render_internal::RenderJUnit(visible);
    case ReportFormat::kGradescope:
      return render_internal::RenderGradescope(visible);
    case ReportFormat::kGithub:
      return render_internal::RenderGithub(visible);
    case ReportFormat::kText:
      break;
  }
  return render_internal::RenderText(visible, concealed, options);
}

namespace render_internal {

GradeReport VisibleReport(const GradeReport& report, const RenderOptions& options,
                          Concealed* concealed) {
  *concealed = Concealed();
  GradeReport out = report;
  if (!options.student_view) return out;

  // A test is concealed when concealed criteria cover it and no visible one
  // does (a visible race check over every test keeps them all visible).
  std::set<std::string> visible_tests;
  std::set<std::string> concealed_tests;
  out.clear_criteria();
  for (const CriterionResult& criterion : report.criteria()) {
    if (IsConcealed(criterion, options)) {
      ++concealed->criteria;
      concealed->points += criterion.points();
      concealed->max_points += criterion.max_points();
      concealed_tests.insert(criterion.tests().begin(), criterion.tests().end());
    } else {
      visible_tests.insert(criterion.tests().begin(), criterion.tests().end());
      *out.add_criteria() = criterion;
    }
  }
  for (const std::string& name : visible_tests) concealed_tests.erase(name);
  concealed_tests.erase("");

  const auto names_concealed_test = [&concealed_tests](absl::string_view text) {
    for (const std::string& name : concealed_tests) {
      if (absl::StrContains(text, name)) return true;
    }
    return false;
  };

  out.clear_tests();
  for (const TestResult& test : report.tests()) {
    if (concealed_tests.count(test.name()) == 0) *out.add_tests() = test;
  }
  out.clear_annotations();
  for (const Annotation& annotation : report.annotations()) {
    if (!names_concealed_test(annotation.message()) && !names_concealed_test(annotation.file())) {
      *out.add_annotations() = annotation;
    }
  }
  out.clear_flags();
  for (const std::string& flag : report.flags()) {
    if (!names_concealed_test(flag)) out.add_flags(flag);
  }
  // Command lines name hidden tests and benchmarks (-run, -bench patterns).
  for (StepRun& step : *out.mutable_steps()) step.clear_argv();
  return out;
}

std::string RenderJson(const GradeReport& report) {
  GradeReport repaired = report;
  RepairStrings(&repaired);
  google::protobuf::util::JsonPrintOptions json_options;
  json_options.add_whitespace = true;
  json_options.always_print_primitive_fields = true;
  json_options.preserve_proto_field_names = true;
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(repaired, &out, json_options);
  if (!status.ok()) {
    // Not expected once strings are valid UTF-8; still never fail.
    nlohmann::ordered_json fallback = {
        {"status", GradeReport::Status_Name(GradeReport::STATUS_UNSPECIFIED)},
        {"exercise_id", repaired.exercise_id()},
        {"error", absl::StrCat("the report could not be rendered as JSON: ", status.ToString())},
    };
    return fallback.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace render_internal
}  // namespace gograder::core
