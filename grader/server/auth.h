// Bearer-token authentication and role checks of gograderd. Tokens are kept
// only as SHA-256 digests (a TokenList text proto); a SUBMITTER is scoped to
// its courses, a TEACHER sees every course, an ADMIN may do everything.
#ifndef GOGRADER_GRADER_SERVER_AUTH_H_
#define GOGRADER_GRADER_SERVER_AUTH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/config.pb.h"

namespace gograder::server {

// Who is calling, once authenticated.
struct Caller {
  std::string name;
  gograder::v1::Token::Role role = gograder::v1::Token::ROLE_UNSPECIFIED;
  std::vector<std::string> courses;  // SUBMITTER only

  // PermissionDenied unless the caller may submit to and read `course_id`.
  absl::Status CheckCourse(absl::string_view course_id) const;
  // PermissionDenied unless the caller is a TEACHER or an ADMIN (`what` names the action).
  absl::Status CheckTeacher(absl::string_view what) const;
  // PermissionDenied unless the caller is an ADMIN (`what` names the action).
  absl::Status CheckAdmin(absl::string_view what) const;
};

class Authenticator {
 public:
  // Without a tokens file every caller is an anonymous ADMIN (loopback only,
  // enforced by ValidateConfig). Otherwise loads and checks the TokenList.
  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(const std::string& tokens_file);

  // Checks the value of the "authorization" metadata ("Bearer <token>"; empty
  // when absent). Unauthenticated when missing, malformed or unknown.
  absl::StatusOr<Caller> Authenticate(absl::string_view authorization) const;

 private:
  explicit Authenticator(std::vector<gograder::v1::Token> tokens, bool enabled)
      : tokens_(std::move(tokens)), enabled_(enabled) {}
  std::vector<gograder::v1::Token> tokens_;
  bool enabled_;
};

// Meaning-level checks of a TokenList: every token has a lowercase hex
// SHA-256, a role, and a SUBMITTER at least one course.
absl::Status ValidateTokenList(const gograder::v1::TokenList& tokens);

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_AUTH_H_
