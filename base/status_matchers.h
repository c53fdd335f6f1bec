// GoogleTest helpers for absl::Status and absl::StatusOr (Debian's Abseil
// ships none): the StatusIs matcher, and ASSERT_OK / ASSERT_OK_AND_ASSIGN.
#ifndef GOGRADER_BASE_STATUS_MATCHERS_H_
#define GOGRADER_BASE_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder {
namespace status_matchers_internal {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace status_matchers_internal

// Matches a Status or StatusOr whose code is `code` and whose message
// matches `message` (a string matcher; by default anything).
MATCHER_P2(StatusIs, code, message,
           absl::StrCat("has status code ", absl::StatusCodeToString(code), " and a message that ",
                        ::testing::DescribeMatcher<std::string>(message))) {
  const absl::Status& status = status_matchers_internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(message, std::string(status.message()), result_listener);
}

// Matches a Status or StatusOr whose code is `code`, whatever its message.
MATCHER_P(StatusIs, code, absl::StrCat("has status code ", absl::StatusCodeToString(code))) {
  const absl::Status& status = status_matchers_internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code;
}

// Matches an OK Status or StatusOr.
MATCHER(IsOk, "is OK") {
  const absl::Status& status = status_matchers_internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.ok();
}

// Matches an OK StatusOr whose value matches `matcher` (or equals it).
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a value that matches") {
  if (!arg.ok()) {
    *result_listener << "whose status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

}  // namespace gograder

#define GOGRADER_MATCHERS_CONCAT_INNER_(a, b) a##b
#define GOGRADER_MATCHERS_CONCAT_(a, b) GOGRADER_MATCHERS_CONCAT_INNER_(a, b)

// Fails the test unless `expr` (a Status or StatusOr) is OK.
#define ASSERT_OK(expr) ASSERT_THAT(expr, ::gograder::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT(expr, ::gograder::IsOk())

// Declares `lhs` from an OK StatusOr, or fails the test with its status.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                                        \
  GOGRADER_ASSERT_OK_AND_ASSIGN_IMPL_(GOGRADER_MATCHERS_CONCAT_(gograder_statusor_, __LINE__), \
                                      lhs, expr)
#define GOGRADER_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                        \
  ASSERT_TRUE(tmp.ok()) << tmp.status();                    \
  lhs = std::move(tmp).value()

#endif  // GOGRADER_BASE_STATUS_MATCHERS_H_
