// HTML escaping for the self-contained pages teachers open (the class report,
// the similarity pages), where any string may come from a student.
#ifndef GOGRADER_GRADER_CORE_GRADEBOOK_HTML_H_
#define GOGRADER_GRADER_CORE_GRADEBOOK_HTML_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gograder::core {

// `text` safe in HTML element content and in a double- or single-quoted
// attribute value: & < > " ' as character references, invalid UTF-8 replaced
// by U+FFFD, control characters other than tab, newline and carriage return
// dropped.
std::string HtmlEscape(absl::string_view text);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GRADEBOOK_HTML_H_
