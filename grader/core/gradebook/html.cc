#include "grader/core/gradebook/html.h"

#include "grader/core/render/render_internal.h"

namespace gograder::core {

std::string HtmlEscape(absl::string_view text) {
  const std::string valid = render_internal::ValidUtf8(text);
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace gograder::core
