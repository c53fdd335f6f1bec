#include "grader/store/store_internal.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gograder::store::internal {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr absl::string_view kPageTokenVersion = "1";

}  // namespace

std::string NewId(absl::Time now, absl::BitGen& bitgen) {
  uint64_t ms = static_cast<uint64_t>(absl::ToUnixMillis(now)) & ((uint64_t{1} << 48) - 1);
  uint64_t high = absl::Uniform<uint64_t>(bitgen);
  uint64_t low = absl::Uniform<uint64_t>(bitgen) & 0xffff;
  return absl::StrCat(absl::Hex(ms, absl::kZeroPad12), absl::Hex(high, absl::kZeroPad16),
                      absl::Hex(low, absl::kZeroPad4));
}

int PageSize(int requested) {
  return requested <= 0 ? kDefaultPageSize : std::min(requested, kMaxPageSize);
}

std::string EncodePageToken(const gograder::v1::Submission& last) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kPageTokenVersion, "|", last.submitted_at(), "|", last.submission_id()));
}

absl::StatusOr<std::pair<std::string, std::string>> DecodePageToken(const std::string& token) {
  std::string raw;
  if (absl::WebSafeBase64Unescape(token, &raw)) {
    std::vector<std::string> parts = absl::StrSplit(raw, '|');
    if (parts.size() == 3 && parts[0] == kPageTokenVersion) {
      return std::make_pair(std::move(parts[1]), std::move(parts[2]));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid page token '", token, "'"));
}

Outcome OutcomeOf(const gograder::v1::GradeReport& report) {
  return Outcome{report.status() == gograder::v1::GradeReport::GRADED, report.score()};
}

std::string ReasonToKeepCurrent(const Outcome& outcome, const std::optional<Outcome>& current,
                                bool keep_max) {
  if (!current.has_value() || !current->graded) return "";
  if (!outcome.graded) return std::string(kNoteFailedKeepsGraded);
  if (keep_max && outcome.score < current->score) return std::string(kNoteKeepMax);
  return "";
}

absl::Status SubmissionNotFound(const std::string& submission_id) {
  return absl::NotFoundError(absl::StrCat("submission '", submission_id, "' not found"));
}

absl::Status RegradeNotFound(const std::string& regrade_id) {
  return absl::NotFoundError(absl::StrCat("regrade '", regrade_id, "' not found"));
}

}  // namespace gograder::store::internal
