#include "grader/core/scoring/scrub.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace gograder::core {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

HiddenSourceScrubber::HiddenSourceScrubber(const std::vector<std::string>& sources) {
  std::set<std::string> lines;
  for (const std::string& source : sources) {
    for (absl::string_view line : absl::StrSplit(source, '\n')) {
      line = absl::StripAsciiWhitespace(line);
      if (line.size() >= kMinSecretLineLength)
        lines.insert(RE2::QuoteMeta(re2::StringPiece(line.data(), line.size())));
    }
  }
  if (lines.empty()) return;
  RE2::Options options;
  options.set_max_mem(int64_t{256} << 20);  // a few thousand literals
  options.set_log_errors(false);
  secrets_ = std::make_unique<RE2>(absl::StrJoin(lines, "|"), options);
}

int HiddenSourceScrubber::ScrubText(std::string& text) const {
  if (secrets_ == nullptr || !secrets_->ok() || !RE2::PartialMatch(text, *secrets_)) return 0;
  int replaced = 0;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (std::string& line : lines) {
    if (line != kHiddenSourceRemoved && RE2::PartialMatch(line, *secrets_)) {
      line = kHiddenSourceRemoved;
      ++replaced;
    }
  }
  text = absl::StrJoin(lines, "\n");
  return replaced;
}

int HiddenSourceScrubber::ScrubMessage(Message& message) const {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  int replaced = 0;
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      int count = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
      for (int i = 0; i < count; ++i) {
        std::string text = field->is_repeated() ? reflection->GetRepeatedString(message, field, i)
                                                : reflection->GetString(message, field);
        int here = ScrubText(text);
        if (here == 0) continue;
        replaced += here;
        if (field->is_repeated()) {
          reflection->SetRepeatedString(&message, field, i, std::move(text));
        } else {
          reflection->SetString(&message, field, std::move(text));
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!field->is_repeated()) {
        replaced += ScrubMessage(*reflection->MutableMessage(&message, field));
        continue;
      }
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        replaced += ScrubMessage(*reflection->MutableRepeatedMessage(&message, field, i));
      }
    }
  }
  return replaced;
}

}  // namespace gograder::core
