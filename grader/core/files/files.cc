#include "grader/core/files/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/fd.h"
#include "base/status_macros.h"

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
  UniqueFd in(open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in.valid()) return ErrnoStatus(absl::StrCat("open ", from));
  struct stat info;
  if (fstat(in.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return absl::InternalError(absl::StrCat(from, " is not a regular file"));
  }
  UniqueFd out(open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700));
  if (!out.valid()) return ErrnoStatus(absl::StrCat("create ", to));
  char buffer[1 << 16];
  for (;;) {
    ssize_t got = read(in.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(absl::StrCat("read ", from));
    if (got == 0) break;
    RETURN_IF_ERROR(WriteAll(out.get(), absl::string_view(buffer, static_cast<size_t>(got))));
  }
  if (fchmod(out.get(), 0111) != 0) return ErrnoStatus(absl::StrCat("chmod ", to));
  if (close(out.release()) != 0) return ErrnoStatus(absl::StrCat("close ", to));
  return absl::OkStatus();
}

}  // namespace gograder::core
