#include "grader/core/gradebook/csv.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grader/core/render/render_internal.h"

namespace gograder::core {
namespace {

// True for an optional sign followed by digits with at most one decimal
// point ("-12", "+0.5", "3."): what a spreadsheet reads as a number, not a
// formula.
bool IsPlainNumber(absl::string_view text) {
  absl::ConsumePrefix(&text, "-") || absl::ConsumePrefix(&text, "+");
  bool digits = false, point = false;
  for (char c : text) {
    if (absl::ascii_isdigit(c)) {
      digits = true;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digits;
}

// Reads the text between the double quotes starting at text[*pos]. Moves
// *pos past the closing quote and *line past the line breaks inside.
absl::StatusOr<std::string> ReadQuotedField(absl::string_view text, absl::string_view source_name,
                                            size_t* pos, int* line) {
  const int first_line = *line;
  std::string field;
  for (size_t i = *pos + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
        continue;
      }
      *pos = i + 1;
      return field;
    }
    if (c == '\n') ++*line;
    field += c;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(source_name, ":", first_line, ": a quoted field is never closed"));
}

bool AtRecordEnd(absl::string_view text, size_t pos) {
  return pos >= text.size() || text[pos] == '\n' || text[pos] == '\r';
}

}  // namespace

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text,
                                                absl::string_view source_name) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
  std::vector<CsvRecord> records;
  size_t pos = 0;
  int line = 1;
  while (pos < text.size()) {
    CsvRecord record;
    record.line = line;
    const bool empty_line = AtRecordEnd(text, pos);
    while (true) {
      std::string field;
      if (pos < text.size() && text[pos] == '"') {
        absl::StatusOr<std::string> quoted = ReadQuotedField(text, source_name, &pos, &line);
        if (!quoted.ok()) return quoted.status();
        field = *std::move(quoted);
        if (!AtRecordEnd(text, pos) && text[pos] != ',') {
          return absl::InvalidArgumentError(
              absl::StrCat(source_name, ":", line, ": text after the closing quote of a field"));
        }
      } else {
        for (; !AtRecordEnd(text, pos) && text[pos] != ','; ++pos) {
          if (text[pos] == '"') {
            return absl::InvalidArgumentError(absl::StrCat(
                source_name, ":", line,
                ": a quote inside an unquoted field (quote the whole field and double the quote)"));
          }
          field += text[pos];
        }
      }
      record.fields.push_back(std::move(field));
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      break;
    }
    // The record ends at CRLF, LF, a lone CR or the end of the text.
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos < text.size() && text[pos] == '\n') ++pos;
    ++line;
    if (!empty_line) records.push_back(std::move(record));
  }
  return records;
}

int CsvColumn(const std::vector<std::string>& header, absl::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (absl::StripAsciiWhitespace(header[i]) == name) return static_cast<int>(i);
  }
  return -1;
}

std::string QuoteCsvField(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string SpreadsheetSafeCsvField(absl::string_view text) {
  std::string cell = render_internal::ValidUtf8(text);
  if (!cell.empty() && absl::string_view("=+-@\t\r").find(cell[0]) != absl::string_view::npos &&
      !IsPlainNumber(cell)) {
    cell = absl::StrCat("'", cell);
  }
  return QuoteCsvField(cell);
}

}  // namespace gograder::core
