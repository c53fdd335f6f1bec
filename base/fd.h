// File descriptors: an owner that closes, and a write that finishes.
#ifndef GOGRADER_BASE_FD_H_
#define GOGRADER_BASE_FD_H_

#include <unistd.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gograder {

// Owns one file descriptor and closes it.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  // The descriptor, still owned.
  int get() const { return fd_; }
  // Whether it holds a descriptor.
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership and returns the descriptor.
  int release() { return std::exchange(fd_, -1); }
  // Closes the held descriptor and takes `fd` instead.
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Writes all of `data` to `fd`, retrying short and interrupted writes.
absl::Status WriteAll(int fd, absl::string_view data);

}  // namespace gograder

#endif  // GOGRADER_BASE_FD_H_
