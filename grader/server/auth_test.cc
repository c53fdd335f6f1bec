#include "grader/server/auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/status_matchers.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A well-formed digest that no test token has.
constexpr char kStudentSha[] = "46cdc2b4c6a0a0b2b7a3b2f1e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6";

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() /
            ("gograderd_auth_test_" + std::to_string(getpid()) + ".textproto");
  }
  void TearDown() override { fs::remove(path_); }
  std::string Write(const std::string& text) {
    std::ofstream(path_) << text;
    return path_.string();
  }
  fs::path path_;
};

std::string TokenEntry(const std::string& name, const std::string& sha, const std::string& role,
                       const std::string& courses = "") {
  return "tokens { name: \"" + name + "\" sha256: \"" + sha + "\" role: " + role + " " + courses +
         "}\n";
}

// Hex SHA-256 of known strings (computed with sha256sum).
constexpr char kSecretSha[] =
    "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";  // "secret"
constexpr char kTeachSha[] =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";  // "test"

TEST_F(AuthTest, WithoutTokensEveryoneIsAdmin) {
  auto auth = Authenticator::Create("");
  ASSERT_TRUE(auth.ok());
  auto caller = (*auth)->Authenticate("");
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->role, v1::Token::ADMIN);
  EXPECT_TRUE(caller->CheckCourse("any").ok());
}

TEST_F(AuthTest, RolesAndCourses) {
  auto auth = Authenticator::Create(
      Write(TokenEntry("alice", kSecretSha, "SUBMITTER", "courses: \"cs101\"") +
            TokenEntry("bob", kTeachSha, "TEACHER")));
  ASSERT_TRUE(auth.ok()) << auth.status();
  auto alice = (*auth)->Authenticate("Bearer secret");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(alice->name, "alice");
  EXPECT_TRUE(alice->CheckCourse("cs101").ok());
  EXPECT_THAT(alice->CheckCourse("cs102"), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(alice->CheckTeacher("Regrade"), StatusIs(absl::StatusCode::kPermissionDenied));
  auto bob = (*auth)->Authenticate("bearer test");
  ASSERT_TRUE(bob.ok()) << bob.status();
  EXPECT_TRUE(bob->CheckCourse("cs102").ok());
  EXPECT_TRUE(bob->CheckTeacher("Regrade").ok());
  EXPECT_THAT(alice->CheckAdmin("ReloadExercises"), StatusIs(absl::StatusCode::kPermissionDenied));
  absl::Status teacher = bob->CheckAdmin("ReloadExercises");
  EXPECT_THAT(teacher, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(std::string(teacher.message()), HasSubstr("\"bob\" is a TEACHER"));
  EXPECT_TRUE((Caller{"ops", v1::Token::ADMIN, {}}).CheckAdmin("ReloadExercises").ok());
}

TEST_F(AuthTest, MissingMalformedOrUnknownTokensAreUnauthenticated) {
  auto auth = Authenticator::Create(Write(TokenEntry("bob", kTeachSha, "TEACHER")));
  ASSERT_TRUE(auth.ok()) << auth.status();
  for (const char* value : {"", "Bearer", "Basic dGVzdA==", "Bearer wrong", "test"}) {
    auto caller = (*auth)->Authenticate(value);
    EXPECT_THAT(caller, StatusIs(absl::StatusCode::kUnauthenticated)) << value;
    EXPECT_FALSE(caller.status().message().empty());
  }
}

TEST_F(AuthTest, InvalidTokenListsAreRefused) {
  auto bad_sha = Authenticator::Create(Write(TokenEntry("x", "ABC", "ADMIN")));
  EXPECT_THAT(std::string(bad_sha.status().message()), HasSubstr("64 lowercase hex"));
  auto no_course = Authenticator::Create(Write(TokenEntry("x", kStudentSha, "SUBMITTER")));
  EXPECT_THAT(std::string(no_course.status().message()), HasSubstr("at least one course"));
  auto no_role = Authenticator::Create(
      Write("tokens { name: \"x\" sha256: \"" + std::string(kStudentSha) + "\" }"));
  EXPECT_THAT(std::string(no_role.status().message()), HasSubstr("role is required"));
  auto syntax = Authenticator::Create(Write("tokens { nme: \"x\" }"));
  EXPECT_THAT(std::string(syntax.status().message()), HasSubstr(":1:"));
}

}  // namespace
}  // namespace gograder::server
