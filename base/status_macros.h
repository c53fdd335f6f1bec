// Small status helpers missing from Debian's Abseil (20220623): return early on
// an error Status, and unwrap a StatusOr into a variable or return its error.
#ifndef GOGRADER_BASE_STATUS_MACROS_H_
#define GOGRADER_BASE_STATUS_MACROS_H_

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#define GOGRADER_STATUS_CONCAT_INNER_(a, b) a##b
#define GOGRADER_STATUS_CONCAT_(a, b) GOGRADER_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status gograder_status_ = (expr);            \
    if (!gograder_status_.ok()) return gograder_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F())` declares x from F()'s value or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  GOGRADER_ASSIGN_OR_RETURN_IMPL_(GOGRADER_STATUS_CONCAT_(gograder_statusor_, __LINE__), lhs, expr)
#define GOGRADER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return std::move(tmp).status();        \
  lhs = std::move(tmp).value()

namespace gograder {

// Returns an error Status for a failed system call, naming it and errno.
inline absl::Status ErrnoStatus(absl::string_view what, int err = errno) {
  absl::StatusCode code = absl::StatusCode::kInternal;
  if (err == ENOENT) code = absl::StatusCode::kNotFound;
  if (err == EACCES || err == EPERM) code = absl::StatusCode::kPermissionDenied;
  if (err == EINVAL) code = absl::StatusCode::kInvalidArgument;
  return absl::Status(code, absl::StrCat(what, ": ", std::strerror(err)));
}

}  // namespace gograder

#endif  // GOGRADER_BASE_STATUS_MACROS_H_
