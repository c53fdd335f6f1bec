#include "grader/core/gradebook/html.h"

#include "gtest/gtest.h"

namespace gograder::core {
namespace {

TEST(HtmlEscapeTest, EscapesMarkupAndQuotes) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&apos;y&apos;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("plain text"), "plain text");
}

TEST(HtmlEscapeTest, RepairsUtf8AndDropsControlCharacters) {
  EXPECT_EQ(HtmlEscape("caf\xC3\xA9 \xff"), "caf\xC3\xA9 \xEF\xBF\xBD");
  EXPECT_EQ(HtmlEscape("a\x01\x1b[2Jb\tc\nd"), "a[2Jb\tc\nd");
}

}  // namespace
}  // namespace gograder::core
