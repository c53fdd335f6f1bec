// CSV as teachers and spreadsheets exchange it (RFC 4180): reading rosters and
// extension lists, and writing cells whose text comes from students. One copy
// for the gradebook, the similarity report and the CLI's class input.
#ifndef GOGRADER_GRADER_CORE_GRADEBOOK_CSV_H_
#define GOGRADER_GRADER_CORE_GRADEBOOK_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::core {

// One record of a CSV text and the line it starts on (1-based).
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// Splits `text` into records as RFC 4180 says: fields separated by commas,
// records by CRLF or LF; a field in double quotes may hold commas, line breaks
// and doubled quotes (""). A UTF-8 byte order mark at the start and empty
// lines are skipped. A quote inside an unquoted field, text after a closing
// quote, or an unterminated quoted field is InvalidArgument
// "<source_name>:<line>: ...".
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text,
                                                absl::string_view source_name);

// The index of the column named `name` in a header record, or -1.
int CsvColumn(const std::vector<std::string>& header, absl::string_view name);

// `field` as one CSV cell: in double quotes (inner quotes doubled) when it
// holds a comma, a quote or a line break; unchanged otherwise.
std::string QuoteCsvField(absl::string_view field);

// Text that a student controls as one CSV cell a spreadsheet opens safely:
// invalid UTF-8 replaced by U+FFFD; a cell starting with '=', '+', '-', '@',
// a tab or a carriage return that is not a plain number ("-12.5") gets a
// leading apostrophe so it is not read as a formula; then QuoteCsvField.
std::string SpreadsheetSafeCsvField(absl::string_view text);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GRADEBOOK_CSV_H_
