#include "grader/server/auth.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "grader/core/files/digest.h"

namespace gograder::server {

using ::gograder::v1::Token;
using ::gograder::v1::TokenList;

absl::Status Caller::CheckCourse(absl::string_view course_id) const {
  if (role == Token::TEACHER || role == Token::ADMIN) return absl::OkStatus();
  if (std::find(courses.begin(), courses.end(), course_id) != courses.end())
    return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("token \"", name, "\" may not use course \"", course_id,
                   "\" (its courses: ", absl::StrJoin(courses, ", "), ")"));
}

absl::Status Caller::CheckTeacher(absl::string_view what) const {
  if (role == Token::TEACHER || role == Token::ADMIN) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(what, " needs a TEACHER or ADMIN token; \"", name, "\" is a SUBMITTER"));
}

absl::Status Caller::CheckAdmin(absl::string_view what) const {
  if (role == Token::ADMIN) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(what, " needs an ADMIN token; \"", name, "\" is a ", Token::Role_Name(role)));
}

absl::Status ValidateTokenList(const TokenList& tokens) {
  std::vector<std::string> problems;
  for (int i = 0; i < tokens.tokens_size(); ++i) {
    const Token& token = tokens.tokens(i);
    std::string where = absl::StrCat("tokens[", i, "] \"", token.name(), "\": ");
    bool hex = token.sha256().size() == 64 &&
               std::all_of(token.sha256().begin(), token.sha256().end(),
                           [](char c) { return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'); });
    if (!hex) problems.push_back(where + "sha256 must be 64 lowercase hex digits");
    if (token.role() == Token::ROLE_UNSPECIFIED) problems.push_back(where + "role is required");
    if (token.role() == Token::SUBMITTER && token.courses().empty()) {
      problems.push_back(where + "a SUBMITTER needs at least one course");
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(
    const std::string& tokens_file) {
  if (tokens_file.empty()) return std::unique_ptr<Authenticator>(new Authenticator({}, false));
  TokenList list;
  RETURN_IF_ERROR(ParseTextProtoFile(tokens_file, &list));
  if (absl::Status valid = ValidateTokenList(list); !valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(tokens_file, ": ", valid.message()));
  }
  std::vector<Token> tokens(list.tokens().begin(), list.tokens().end());
  return std::unique_ptr<Authenticator>(new Authenticator(std::move(tokens), true));
}

absl::StatusOr<Caller> Authenticator::Authenticate(absl::string_view authorization) const {
  if (!enabled_) return Caller{"anonymous", Token::ADMIN, {}};
  if (authorization.empty()) {
    return absl::UnauthenticatedError("missing \"authorization: Bearer <token>\" metadata");
  }
  constexpr absl::string_view kBearer = "bearer ";
  if (authorization.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kBearer.size()), kBearer)) {
    return absl::UnauthenticatedError("authorization metadata must be \"Bearer <token>\"");
  }
  std::string digest =
      core::Sha256Hex(absl::StripAsciiWhitespace(authorization.substr(kBearer.size())));
  for (const Token& token : tokens_) {
    if (token.sha256() == digest) {
      return Caller{token.name(), token.role(), {token.courses().begin(), token.courses().end()}};
    }
  }
  return absl::UnauthenticatedError("unknown token");
}

}  // namespace gograder::server
