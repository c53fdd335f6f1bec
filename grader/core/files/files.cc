#include "grader/core/files/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gograder::core {

absl::Status CopyModule(const std::string& from, const std::string& to, bool skip_tests) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(to, error);
  if (error) return absl::InternalError(absl::StrCat("mkdir ", to, ": ", error.message()));
  for (fs::recursive_directory_iterator it(from, error), end; !error && it != end;
       it.increment(error)) {
    fs::path relative = fs::relative(it->path(), from, error);
    fs::path target = fs::path(to) / relative;
    if (it->is_symlink(error)) continue;  // intake refuses them; never follow one
    if (it->is_directory(error)) {
      fs::create_directories(target, error);
    } else if (it->is_regular_file(error)) {
      if (skip_tests && absl::EndsWith(it->path().filename().string(), "_test.go")) continue;
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, error);
    }
    if (error) break;
  }
  if (error)
    return absl::InternalError(absl::StrCat("copying ", from, " to ", to, ": ", error.message()));
  return absl::OkStatus();
}

absl::Status CopyExecuteOnly(const std::string& from, const std::string& to) {
  auto fail = [](absl::string_view what, const std::string& path) {
    return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
  };
  int in = open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return fail("open", from);
  struct stat info;
  if (fstat(in, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(in);
    return absl::InternalError(absl::StrCat(from, " is not a regular file"));
  }
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
  if (out < 0) {
    close(in);
    return fail("create", to);
  }
  absl::Status status;
  char buffer[1 << 16];
  for (;;) {
    ssize_t got = read(in, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) status = fail("read", from);
    if (got <= 0) break;
    for (ssize_t written = 0; written < got && status.ok();) {
      ssize_t put = write(out, buffer + written, static_cast<size_t>(got - written));
      if (put < 0 && errno != EINTR) status = fail("write", to);
      if (put > 0) written += put;
    }
    if (!status.ok()) break;
  }
  if (status.ok() && fchmod(out, 0111) != 0) status = fail("chmod", to);
  close(in);
  if (close(out) != 0 && status.ok()) status = fail("close", to);
  return status;
}

}  // namespace gograder::core
