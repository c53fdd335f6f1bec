// The second wall around hidden tests: whatever a submission manages to
// print, no line of a hidden test source reaches a report.
#ifndef GOGRADER_GRADER_CORE_SCORING_SCRUB_H_
#define GOGRADER_GRADER_CORE_SCORING_SCRUB_H_

#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "re2/re2.h"

namespace gograder::core {

// What replaces a report line that quotes hidden test source.
inline constexpr char kHiddenSourceRemoved[] = "[hidden test source removed]";

// Lines shorter than this (after trimming) are too common to be secret:
// "}", "t.Helper()", "if err != nil {".
inline constexpr size_t kMinSecretLineLength = 20;

class HiddenSourceScrubber {
 public:
  // Learns every line of `sources` (the hidden files' contents) of at least
  // kMinSecretLineLength characters once trimmed.
  explicit HiddenSourceScrubber(const std::vector<std::string>& sources);

  // Replaces each line of `text` that contains a secret line with
  // kHiddenSourceRemoved; returns how many lines it replaced.
  int ScrubText(std::string& text) const;

  // Scrubs every string field of `message`, recursively (repeated and nested
  // fields included); returns how many lines it replaced.
  int ScrubMessage(google::protobuf::Message& message) const;

 private:
  std::unique_ptr<RE2> secrets_;  // null when there is no secret line
};

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SCORING_SCRUB_H_
