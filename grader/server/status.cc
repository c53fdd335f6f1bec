#include "grader/server/status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace gograder::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string message(status.message());
  if (message.empty()) message = absl::StatusCodeToString(status.code());
  return grpc::Status(static_cast<grpc::StatusCode>(static_cast<int>(status.code())), message);
}

}  // namespace gograder::server
