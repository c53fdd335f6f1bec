// Support for the libFuzzer targets (*_fuzz.cc): checking the properties a
// fuzzed entry point promises, beyond not crashing.
#ifndef GOGRADER_BASE_FUZZING_H_
#define GOGRADER_BASE_FUZZING_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gograder {

// The fuzzer's input as text.
inline absl::string_view FuzzInput(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// Reports "fuzz property violated: <property>" on stderr and aborts (libFuzzer
// then keeps the input as a crash reproducer) unless `holds`.
void FuzzExpect(bool holds, absl::string_view property);

// Like FuzzExpect: `status` must be OK or carry `code` (the documented error
// of bad input); the status is printed when it does not.
void FuzzExpectOkOr(const absl::Status& status, absl::StatusCode code, absl::string_view what);

}  // namespace gograder

#endif  // GOGRADER_BASE_FUZZING_H_
