#include "grader/server/status.h"

#include <gtest/gtest.h>

namespace gograder::server {
namespace {

TEST(ToGrpcStatusTest, OkStaysOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

TEST(ToGrpcStatusTest, KeepsCodeAndMessage) {
  struct Case {
    absl::Status in;
    grpc::StatusCode code;
  } cases[] = {
      {absl::InvalidArgumentError("go.mod:1: bad"), grpc::StatusCode::INVALID_ARGUMENT},
      {absl::NotFoundError("unknown exercise"), grpc::StatusCode::NOT_FOUND},
      {absl::ResourceExhaustedError("queue full"), grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::UnauthenticatedError("no token"), grpc::StatusCode::UNAUTHENTICATED},
      {absl::PermissionDeniedError("course"), grpc::StatusCode::PERMISSION_DENIED},
      {absl::DeadlineExceededError("late"), grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::FailedPreconditionError("toolchain"), grpc::StatusCode::FAILED_PRECONDITION},
      {absl::InternalError("db"), grpc::StatusCode::INTERNAL},
      {absl::UnavailableError("stopping"), grpc::StatusCode::UNAVAILABLE},
  };
  for (const Case& c : cases) {
    grpc::Status out = ToGrpcStatus(c.in);
    EXPECT_EQ(out.error_code(), c.code) << c.in;
    EXPECT_EQ(out.error_message(), std::string(c.in.message()));
  }
}

TEST(ToGrpcStatusTest, EmptyMessageGetsTheCodeName) {
  grpc::Status out = ToGrpcStatus(absl::Status(absl::StatusCode::kNotFound, ""));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(out.error_message(), "NOT_FOUND");
}

}  // namespace
}  // namespace gograder::server
