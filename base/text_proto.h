// Text-format protobuf parsing with file:line:column errors; unknown fields
// are errors. Shared by the sandbox spec, rubric files and daemon config.
#ifndef GOGRADER_BASE_TEXT_PROTO_H_
#define GOGRADER_BASE_TEXT_PROTO_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace gograder {

// Parses `text` into `message` (cleared first). Errors are InvalidArgument
// "<source_name>:<line>:<column>: <message>", one line per problem.
absl::Status ParseTextProto(absl::string_view text, absl::string_view source_name,
                            google::protobuf::Message* message);

// Reads the file at `path` and parses it as above, naming the file in errors.
absl::Status ParseTextProtoFile(const std::string& path, google::protobuf::Message* message);

}  // namespace gograder

#endif  // GOGRADER_BASE_TEXT_PROTO_H_
