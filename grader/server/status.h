// The one place where our own failures (absl::Status) become gRPC errors.
// What a student's code did is never an error: it is data in the report.
#ifndef GOGRADER_GRADER_SERVER_STATUS_H_
#define GOGRADER_GRADER_SERVER_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace gograder::server {

// Converts `status` to the gRPC status with the same code and message (the
// canonical codes are numbered alike). An error without a message gets one
// naming its code, so clients always have something readable.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_STATUS_H_
