// Test support for stores that keep files: module trees read and written
// as maps, and tars written entry by entry as a test says, hostile ones
// included (paths with "..", links, duplicates), with libarchive.
#ifndef GOGRADER_GRADER_STORE_FILES_TESTING_H_
#define GOGRADER_GRADER_STORE_FILES_TESTING_H_

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "base/files.h"
#include "gtest/gtest.h"

namespace gograder::store {

// The files below `dir`: relative path -> content, directories as "<dir>".
inline std::map<std::string, std::string> ReadTree(const std::string& dir) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> tree;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    std::string path = it->path().lexically_relative(dir).generic_string();
    tree[path] = it->is_directory() ? "<dir>" : ReadFileOrEmpty(it->path());
  }
  return tree;
}

// Writes `files` (relative path -> content) below `dir`, making directories.
inline void WriteTree(const std::string& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [path, content] : files) {
    std::filesystem::path file = std::filesystem::path(dir) / path;
    std::filesystem::create_directories(file.parent_path());
    absl::Status written = WriteWholeFile(file, content);
    if (!written.ok()) ADD_FAILURE() << written;
  }
}

// One entry: its path, type (AE_IFREG, AE_IFLNK, ...), content, and a link
// target (symlink) or source (a regular file's hardlink).
struct TarEntry {
  std::string path;
  mode_t type = AE_IFREG;
  std::string content;
  std::string link;
};

inline TarEntry TarFile(std::string path, std::string content) {
  return TarEntry{std::move(path), AE_IFREG, std::move(content), ""};
}
inline TarEntry TarSpecial(std::string path, mode_t type, std::string link = "") {
  return TarEntry{std::move(path), type, "", std::move(link)};
}

// A GNU tar of `entries`, in their order, paths as given.
inline std::string TarOf(const std::vector<TarEntry>& entries) {
  std::string tar;
  struct archive* a = archive_write_new();
  archive_write_set_format_gnutar(a);
  archive_write_open(
      a, &tar, nullptr,
      [](struct archive*, void* out, const void* buffer, size_t length) -> la_ssize_t {
        static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
        return static_cast<la_ssize_t>(length);
      },
      nullptr);
  for (const TarEntry& raw : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, raw.path.c_str());
    archive_entry_set_filetype(entry, raw.type);
    archive_entry_set_perm(entry, 0644);
    if (raw.type == AE_IFLNK) archive_entry_set_symlink(entry, raw.link.c_str());
    if (raw.type == AE_IFREG && !raw.link.empty()) {
      archive_entry_set_hardlink(entry, raw.link.c_str());
    } else {
      archive_entry_set_size(entry, static_cast<la_int64_t>(raw.content.size()));
    }
    archive_write_header(a, entry);
    if (!raw.content.empty()) archive_write_data(a, raw.content.data(), raw.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return tar;
}

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_FILES_TESTING_H_
