#include "grader/core/gradebook/html.h"

#include "grader/core/render/render_internal.h"

namespace gograder::core {

// HTML5 reads XML's escapes (&apos; included); it keeps attribute values'
// whitespace as it is, so tabs and newlines need no escaping.
std::string HtmlEscape(absl::string_view text) {
  return render_internal::XmlEscape(text, /*attribute=*/false);
}

}  // namespace gograder::core
