#include "grader/core/gradebook/late_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/files.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "grader/core/gradebook/csv.h"
#include "grader/core/render/render_internal.h"

namespace gograder::core {
namespace {

using gograder::v1::GradeReport;
using gograder::v1::LatePenalty;
using gograder::v1::LatePolicy;
using render_internal::FormatPoints;

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kSecondsPerHour = 3600;

std::optional<absl::Time> ParseRfc3339(absl::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &error)) return std::nullopt;
  return time;
}

// RFC 3339 in UTC with a "Z", fractions of a second only when there are any.
std::string FormatRfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

bool IsPercent(double value) { return value >= 0 && value <= 100; }

absl::Status CheckPercent(absl::string_view field, double value) {
  if (IsPercent(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, " is ", value, ", want a percent from 0 to 100"));
}

// The cap on a penalty in percent: max_percent, 0 meaning 100.
double CapPercent(const LatePolicy& policy) {
  return policy.max_percent() > 0 ? policy.max_percent() : 100;
}

}  // namespace

absl::Status ValidateLatePolicy(const LatePolicy& policy) {
  if (policy.due().empty()) return absl::InvalidArgumentError("due is required");
  if (!ParseRfc3339(policy.due())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "due \"", policy.due(), "\" is not an RFC 3339 time such as 2026-12-01T23:59:00Z"));
  }
  if (policy.grace_seconds() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("grace_seconds is ", policy.grace_seconds(), ", want 0 or more"));
  }
  if (policy.has_percent_per_day()) {
    RETURN_IF_ERROR(CheckPercent("percent_per_day", policy.percent_per_day()));
  }
  if (policy.has_percent_per_hour()) {
    RETURN_IF_ERROR(CheckPercent("percent_per_hour", policy.percent_per_hour()));
  }
  RETURN_IF_ERROR(CheckPercent("max_percent", policy.max_percent()));
  std::map<std::string, int> seen;  // student id -> index of their extension
  for (int i = 0; i < policy.extensions_size(); ++i) {
    const LatePolicy::Extension& extension = policy.extensions(i);
    if (extension.student_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("extensions[", i, "]: student_id is empty"));
    }
    if (!ParseRfc3339(extension.due())) {
      return absl::InvalidArgumentError(
          absl::StrCat("extensions[", i, "] (student \"", extension.student_id(), "\"): due \"",
                       extension.due(), "\" is not an RFC 3339 time"));
    }
    auto [it, inserted] = seen.try_emplace(extension.student_id(), i);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("extensions[", i, "]: student \"", extension.student_id(),
                       "\" already has an extension (extensions[", it->second, "])"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LatePolicy> LoadLatePolicyFile(const std::string& path) {
  LatePolicy policy;
  RETURN_IF_ERROR(ParseTextProtoFile(path, &policy));
  absl::Status valid = ValidateLatePolicy(policy);
  if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", valid.message()));
  return policy;
}

absl::Status AddExtensionsCsv(const std::string& path, LatePolicy& policy) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(text, path));
  const auto error = [&path](int line, absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", what));
  };
  if (records.empty()) return error(1, "empty; want a header student_id,due");
  const int student_column = CsvColumn(records[0].fields, "student_id");
  const int due_column = CsvColumn(records[0].fields, "due");
  if (student_column < 0 || due_column < 0) {
    return error(records[0].line, "the header needs the columns student_id and due");
  }
  std::map<std::string, int> seen;  // student id -> line, or 0 for the policy's own
  for (const LatePolicy::Extension& extension : policy.extensions()) {
    seen.emplace(extension.student_id(), 0);
  }
  std::vector<LatePolicy::Extension> added;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    if (static_cast<int>(record.fields.size()) <= std::max(student_column, due_column)) {
      return error(record.line,
                   absl::StrCat(record.fields.size(), " field",
                                record.fields.size() == 1 ? "" : "s", ", want student_id and due"));
    }
    LatePolicy::Extension extension;
    extension.set_student_id(
        std::string(absl::StripAsciiWhitespace(record.fields[student_column])));
    extension.set_due(std::string(absl::StripAsciiWhitespace(record.fields[due_column])));
    if (extension.student_id().empty()) return error(record.line, "student_id is empty");
    if (!ParseRfc3339(extension.due())) {
      return error(
          record.line,
          absl::StrCat("due \"", extension.due(), "\" of student \"", extension.student_id(),
                       "\" is not an RFC 3339 time such as 2026-12-03T23:59:00Z"));
    }
    auto [it, inserted] = seen.try_emplace(extension.student_id(), record.line);
    if (!inserted) {
      return error(record.line,
                   absl::StrCat("student \"", extension.student_id(), "\" already has an extension",
                                it->second > 0 ? absl::StrCat(" (line ", it->second, ")")
                                               : std::string(" in the policy")));
    }
    added.push_back(std::move(extension));
  }
  for (LatePolicy::Extension& extension : added) *policy.add_extensions() = std::move(extension);
  return absl::OkStatus();
}

std::string LatePolicyRule(const LatePolicy& policy) {
  std::vector<std::string> parts;
  if (policy.has_percent_per_day()) {
    parts.push_back(absl::StrCat(FormatPoints(policy.percent_per_day()), "% per started day late"));
  } else if (policy.has_percent_per_hour()) {
    parts.push_back(
        absl::StrCat(FormatPoints(policy.percent_per_hour()), "% per started hour late"));
  } else {
    parts.push_back("no penalty");
  }
  if (policy.penalty_case() != LatePolicy::PENALTY_NOT_SET && CapPercent(policy) < 100) {
    parts.push_back(absl::StrCat("at most ", FormatPoints(CapPercent(policy)), "%"));
  }
  if (policy.grace_seconds() > 0) {
    parts.push_back(
        absl::StrCat(absl::FormatDuration(absl::Seconds(policy.grace_seconds())), " grace"));
  }
  return absl::StrJoin(parts, ", ");
}

void ApplyLatePolicy(const LatePolicy& policy, const std::string& student_id,
                     absl::Time submitted_at, GradeReport& report) {
  if (report.status() != GradeReport::GRADED) return;
  std::optional<absl::Time> due = ParseRfc3339(policy.due());
  bool extension = false;
  for (const LatePolicy::Extension& own : policy.extensions()) {
    if (own.student_id() != student_id) continue;
    due = ParseRfc3339(own.due());
    extension = true;
    break;
  }
  if (!due) return;
  if (report.has_late()) report.set_score(report.late().raw_score());
  const double raw_score = report.score();

  int64_t late_seconds = std::max<int64_t>(0, absl::ToInt64Seconds(submitted_at - *due));
  int64_t units = 0;
  if (late_seconds <= policy.grace_seconds()) {
    late_seconds = 0;
  } else if (policy.penalty_case() != LatePolicy::PENALTY_NOT_SET) {
    const int64_t unit = policy.has_percent_per_hour() ? kSecondsPerHour : kSecondsPerDay;
    units = (late_seconds + unit - 1) / unit;
  }
  const double per_unit =
      policy.has_percent_per_hour() ? policy.percent_per_hour() : policy.percent_per_day();
  const double percent = std::min(CapPercent(policy), static_cast<double>(units) * per_unit);
  const double points =
      std::clamp(report.max_score() * percent / 100, 0.0, std::max(0.0, raw_score));

  LatePenalty& late = *report.mutable_late();
  late.Clear();
  late.set_submitted_at(FormatRfc3339(submitted_at));
  late.set_due_at(FormatRfc3339(*due));
  late.set_extension(extension);
  late.set_late_seconds(late_seconds);
  late.set_late_units(
      static_cast<int32_t>(std::min<int64_t>(units, std::numeric_limits<int32_t>::max())));
  late.set_percent(percent);
  late.set_points(points);
  late.set_raw_score(raw_score);
  late.set_rule(LatePolicyRule(policy));
  report.set_score(raw_score - points);
}

}  // namespace gograder::core
