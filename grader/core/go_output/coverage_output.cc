#include "grader/core/go_output/coverage_output.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grader/core/go_output/output_text.h"

namespace gograder::core {
namespace {

// "line.col" with positive numbers.
bool IsLineColumn(absl::string_view text) {
  const size_t dot = text.find('.');
  if (dot == absl::string_view::npos) return false;
  int64_t line = 0, column = 0;
  return absl::SimpleAtoi(text.substr(0, dot), &line) && line > 0 &&
         absl::SimpleAtoi(text.substr(dot + 1), &column) && column > 0;
}

// "file:line.col,line.col".
bool IsBlock(absl::string_view block) {
  const size_t colon = block.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  const absl::string_view range = block.substr(colon + 1);
  const size_t comma = range.find(',');
  return comma != absl::string_view::npos && IsLineColumn(range.substr(0, comma)) &&
         IsLineColumn(range.substr(comma + 1));
}

absl::Status Malformed(size_t line_number, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("coverage profile line ", line_number, ": ", why));
}

// More statements than any real block holds: keeps the sums from overflowing.
constexpr int64_t kMaxBlockStatements = int64_t{1} << 30;

struct Block {
  int64_t statements = 0;
  int64_t count = 0;
};

}  // namespace

absl::StatusOr<double> CoveragePercentFromProfile(absl::string_view profile) {
  std::string mode;
  std::map<std::string, Block, std::less<>> blocks;
  size_t line_number = 0;
  for (absl::string_view line : SplitLines(profile)) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    if (absl::ConsumePrefix(&line, "mode:")) {
      const absl::string_view this_mode = absl::StripAsciiWhitespace(line);
      if (this_mode != "set" && this_mode != "count" && this_mode != "atomic") {
        return Malformed(line_number, absl::StrCat("unknown mode \"", this_mode, "\""));
      }
      if (!mode.empty() && mode != this_mode) {
        return Malformed(line_number, absl::StrCat("mode ", this_mode, " after mode ", mode));
      }
      mode = std::string(this_mode);
      continue;
    }
    if (mode.empty()) return Malformed(line_number, "a block before the \"mode:\" line");
    // "block statements count", split from the right: a file name may hold spaces.
    const size_t count_space = line.rfind(' ');
    if (count_space == absl::string_view::npos) return Malformed(line_number, "want 3 fields");
    const size_t statements_space = line.substr(0, count_space).rfind(' ');
    if (statements_space == absl::string_view::npos) {
      return Malformed(line_number, "want 3 fields");
    }
    const absl::string_view block_name = line.substr(0, statements_space);
    Block block;
    if (!IsBlock(block_name)) return Malformed(line_number, "bad block position");
    if (!absl::SimpleAtoi(line.substr(statements_space + 1, count_space - statements_space - 1),
                          &block.statements) ||
        block.statements < 0 || block.statements > kMaxBlockStatements ||
        !absl::SimpleAtoi(line.substr(count_space + 1), &block.count) || block.count < 0) {
      return Malformed(line_number, "bad statement count or hit count");
    }
    auto [it, inserted] = blocks.try_emplace(std::string(block_name), block);
    if (!inserted) {
      it->second.statements = std::max(it->second.statements, block.statements);
      it->second.count = std::max(it->second.count, block.count);
    }
  }
  if (mode.empty()) return absl::InvalidArgumentError("coverage profile has no \"mode:\" line");
  int64_t total = 0, covered = 0;
  for (const auto& [name, block] : blocks) {
    total += block.statements;
    if (block.count > 0) covered += block.statements;
  }
  if (total == 0) return absl::NotFoundError("coverage profile lists no statement");
  return 100.0 * static_cast<double>(covered) / static_cast<double>(total);
}

}  // namespace gograder::core
