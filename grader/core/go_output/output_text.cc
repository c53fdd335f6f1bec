#include "grader/core/go_output/output_text.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace gograder::core {
namespace {

constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence starting at text[i], or 0 if there is none.
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool AllDigits(absl::string_view s) {
  if (s.empty() || s.size() > 9) return false;  // 9 digits always fit an int32
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool HasWhitespace(absl::string_view s) {
  for (char c : s) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

int32_t ToInt32(absl::string_view digits) {
  int32_t value = 0;
  (void)absl::SimpleAtoi(digits, &value);  // callers checked AllDigits
  return value;
}

// Length of the run of ASCII digits at the start of `s`.
size_t DigitRun(absl::string_view s) {
  size_t n = 0;
  while (n < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

}  // namespace

std::vector<absl::string_view> SplitLines(absl::string_view text) {
  std::vector<absl::string_view> lines;
  if (text.empty()) return lines;
  lines = absl::StrSplit(text, '\n');
  if (!text.empty() && text.back() == '\n') lines.pop_back();
  for (absl::string_view& line : lines) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  return lines;
}

std::string SanitizeUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out.append(kReplacementCharacter.data(), kReplacementCharacter.size());
      ++i;
    } else {
      out.append(text.data() + i, length);
      i += length;
    }
  }
  return out;
}

std::string TrimMiddle(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  // The marker's length with the widest count possible, plus a newline that
  // may be needed before it.
  const size_t marker_bytes = absl::StrCat("[... ", text.size(), " bytes cut ...]\n").size() + 1;
  const size_t budget = max_bytes > marker_bytes ? max_bytes - marker_bytes : 0;
  size_t head_end = budget / 2;
  size_t tail_begin = text.size() - (budget - budget / 2);

  // Prefer whole lines when a line end lies in the second half of the head
  // (first half of the tail); never split a UTF-8 sequence.
  if (head_end > 0) {
    const size_t newline = text.substr(0, head_end).rfind('\n');
    if (newline != absl::string_view::npos && newline + 1 >= head_end / 2) head_end = newline + 1;
  }
  while (head_end > 0 && head_end < text.size() && IsContinuationByte(text[head_end])) --head_end;
  if (tail_begin < text.size()) {
    const size_t tail_length = text.size() - tail_begin;
    const size_t newline = text.find('\n', tail_begin);
    if (newline != absl::string_view::npos && newline + 1 < text.size() &&
        newline + 1 - tail_begin <= tail_length / 2) {
      tail_begin = newline + 1;
    }
  }
  while (tail_begin < text.size() && IsContinuationByte(text[tail_begin])) ++tail_begin;

  const absl::string_view head = text.substr(0, head_end);
  const absl::string_view tail = text.substr(tail_begin);
  const size_t cut = text.size() - head.size() - tail.size();
  return absl::StrCat(head, head.empty() || head.back() == '\n' ? "" : "\n", "[... ", cut,
                      " bytes cut ...]\n", tail);
}

std::optional<std::string> ModuleRelativePath(absl::string_view path, absl::string_view root) {
  if (path.empty()) return std::nullopt;
  absl::string_view relative = path;
  if (path.front() == '/') {
    while (!root.empty() && root.back() == '/') root.remove_suffix(1);
    if (root.empty()) {
      // Root "/" (or none): an absolute path is relative to "/".
      relative = path.substr(1);
    } else {
      if (!absl::StartsWith(path, root) || path.size() <= root.size() || path[root.size()] != '/') {
        return std::nullopt;
      }
      relative = path.substr(root.size() + 1);
    }
  }
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(relative, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  if (parts.empty()) return std::nullopt;
  return absl::StrJoin(parts, "/");
}

std::optional<SourcePosition> ParseSourcePosition(absl::string_view text) {
  const size_t last = text.rfind(':');
  if (last == absl::string_view::npos || !AllDigits(text.substr(last + 1))) return std::nullopt;
  SourcePosition position;
  absl::string_view head = text.substr(0, last);
  const size_t before = head.rfind(':');
  if (before != absl::string_view::npos && AllDigits(head.substr(before + 1))) {
    position.line = ToInt32(head.substr(before + 1));
    position.column = ToInt32(text.substr(last + 1));
    head = head.substr(0, before);
  } else {
    position.line = ToInt32(text.substr(last + 1));
  }
  if (head.empty() || HasWhitespace(head)) return std::nullopt;
  position.file = std::string(head);
  return position;
}

bool SplitPositionedMessage(absl::string_view line, SourcePosition* position,
                            absl::string_view* message) {
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
    if (c != ':') continue;
    if (i == 0) return false;  // no file
    // "file:" then "line:" then, optionally, "column:".
    absl::string_view rest = line.substr(i + 1);
    const size_t line_digits = DigitRun(rest);
    if (line_digits == 0 || line_digits >= rest.size() || rest[line_digits] != ':') continue;
    if (line_digits > 9) return false;
    const absl::string_view line_number = rest.substr(0, line_digits);
    rest.remove_prefix(line_digits + 1);
    absl::string_view column_number;
    const size_t column_digits = DigitRun(rest);
    if (column_digits > 0 && column_digits <= 9 && column_digits < rest.size() &&
        rest[column_digits] == ':') {
      column_number = rest.substr(0, column_digits);
      rest.remove_prefix(column_digits + 1);
    }
    if (!rest.empty() && rest.front() != ' ') return false;
    if (!rest.empty()) rest.remove_prefix(1);
    position->file = std::string(line.substr(0, i));
    position->line = ToInt32(line_number);
    position->column = column_number.empty() ? 0 : ToInt32(column_number);
    *message = rest;
    return true;
  }
  return false;
}

}  // namespace gograder::core
