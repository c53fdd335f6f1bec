#include "grader/cli/class_input.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/files.h"
#include "base/process.h"
#include "base/temp_dir.h"
#include "grader/core/gradebook/csv.h"
#include "grader/core/intake/intake.h"

namespace gograder::cli {
namespace {

namespace fs = std::filesystem;

// A class archive may hold this much more than one submission may.
constexpr int kClassScale = 500;

bool IsCommit(absl::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

// The student id of a plain input entry: its name without an archive
// extension; empty when it is neither a directory nor an archive.
std::string EntryId(const fs::directory_entry& entry) {
  std::string name = entry.path().filename().string();
  if (absl::StartsWith(name, ".")) return "";
  std::error_code error;
  if (entry.is_directory(error) && !entry.is_symlink(error)) return name;
  if (!entry.is_regular_file(error) || entry.is_symlink(error)) return "";
  for (const char* extension : {".tar.gz", ".tgz", ".tar", ".zip"}) {
    if (absl::EndsWith(name, extension)) return name.substr(0, name.size() - strlen(extension));
  }
  return "";
}

// Roster rows as (identifier, github_username).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadRoster(
    const std::string& roster) {
  absl::StatusOr<std::string> text = ReadWholeFile(roster);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<core::CsvRecord>> records = core::ParseCsv(*text, roster);
  if (!records.ok()) return records.status();
  const int identifier =
      records->empty() ? -1 : core::CsvColumn((*records)[0].fields, "identifier");
  const int username =
      records->empty() ? -1 : core::CsvColumn((*records)[0].fields, "github_username");
  if (identifier < 0 || username < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        roster, ":1: a GitHub Classroom roster needs identifier and github_username columns"));
  }
  std::vector<std::pair<std::string, std::string>> rows;
  for (size_t r = 1; r < records->size(); ++r) {
    const core::CsvRecord& record = (*records)[r];
    if (static_cast<int>(record.fields.size()) <= std::max(identifier, username)) {
      return absl::InvalidArgumentError(
          absl::StrCat(roster, ":", record.line, ": ", record.fields.size(), " fields, too few"));
    }
    absl::string_view id = absl::StripAsciiWhitespace(record.fields[identifier]);
    if (id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(roster, ":", record.line, ": no identifier"));
    }
    rows.emplace_back(std::string(id),
                      std::string(absl::StripAsciiWhitespace(record.fields[username])));
  }
  return rows;
}

// The directory that holds the students: `input`, or where its archive was
// extracted (descending into a lone top-level folder).
absl::StatusOr<fs::path> ClassDirectory(const std::string& input, const std::string& scratch) {
  std::error_code error;
  if (fs::is_directory(input, error)) return fs::path(input);
  if (!fs::is_regular_file(input, error)) {
    return absl::NotFoundError(absl::StrCat(input, ": no such directory or archive"));
  }
  core::IntakeLimits limits;
  limits.max_files *= kClassScale;
  limits.max_total_bytes *= kClassScale;
  absl::StatusOr<core::IntakeSummary> extracted = core::IntakeSubmission(input, scratch, limits);
  if (!extracted.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(input, ": ", extracted.status().message()));
  }
  std::vector<fs::path> top;
  for (const auto& entry : fs::directory_iterator(scratch, error)) top.push_back(entry.path());
  if (top.size() == 1 && fs::is_directory(top[0], error) && !fs::exists(top[0] / "go.mod", error)) {
    return top[0];
  }
  return fs::path(scratch);
}

}  // namespace

std::string HeadCommit(const std::string& dir) {
  fs::path git = fs::path(dir) / ".git";
  std::string text = ReadFileOrEmpty(git / "HEAD");
  absl::string_view head = absl::StripAsciiWhitespace(text);
  if (IsCommit(head)) return std::string(head);
  if (!absl::ConsumePrefix(&head, "ref: ") || absl::StrContains(head, "..")) return "";
  std::string loose(absl::StripAsciiWhitespace(ReadFileOrEmpty(git / std::string(head))));
  if (IsCommit(loose)) return loose;
  for (absl::string_view line : absl::StrSplit(ReadFileOrEmpty(git / "packed-refs"), '\n')) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(line, ' ');
    if (parts.second == head && IsCommit(parts.first)) return std::string(parts.first);
  }
  return "";
}

std::optional<absl::Time> CommitTime(const std::string& dir, const std::string& commit) {
  if (!IsCommit(commit)) return std::nullopt;
  TempDir scratch("gograder-git-");
  if (scratch.path().empty()) return std::nullopt;
  // A configuration of our own only: no system or user config, and the
  // clone's owner may be anyone (the teacher cloned it; safe.directory).
  fs::path config = fs::path(scratch.path()) / "gitconfig";
  fs::path output = fs::path(scratch.path()) / "commit";
  if (!WriteWholeFile(config, "[safe]\n\tdirectory = *\n").ok()) return std::nullopt;
  ProcessSpec spec;
  spec.argv = {"git", absl::StrCat("--git-dir=", (fs::path(dir) / ".git").string()), "cat-file",
               "commit", commit};
  spec.inherit_environment = false;
  spec.environment = {{"PATH", "/usr/bin:/bin"},
                      {"GIT_CONFIG_NOSYSTEM", "1"},
                      {"GIT_CONFIG_GLOBAL", config.string()},
                      {"GIT_TERMINAL_PROMPT", "0"},
                      {"HOME", scratch.path()}};
  spec.stdout_file = output.string();
  spec.timeout = absl::Seconds(10);
  absl::StatusOr<ProcessExit> exit = RunProcess(spec);
  if (!exit.ok() || exit->exit_code != 0 || exit->timed_out) return std::nullopt;
  // "committer Name <mail> 1764547200 +0100"
  for (absl::string_view line : absl::StrSplit(ReadFileOrEmpty(output), '\n')) {
    if (line.empty()) break;  // the message follows the headers
    if (!absl::ConsumePrefix(&line, "committer ")) continue;
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    int64_t seconds = 0;
    if (words.size() >= 2 && absl::SimpleAtoi(words[words.size() - 2], &seconds)) {
      return absl::FromUnixSeconds(seconds);
    }
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<ClassEntry>> ListClass(const std::string& input,
                                                  const std::string& roster,
                                                  const std::string& scratch, std::ostream& err) {
  absl::StatusOr<fs::path> root = ClassDirectory(input, scratch);
  if (!root.ok()) return root.status();
  std::error_code error;
  std::map<std::string, std::string> entries;  // id (or repository name) -> path
  for (const auto& entry : fs::directory_iterator(*root, error)) {
    std::string id = EntryId(entry);
    if (id.empty()) {
      err << "gograder: skipping " << entry.path().string()
          << ": neither a module directory nor a .zip/.tar/.tar.gz archive\n";
      continue;
    }
    auto [it, inserted] = entries.try_emplace(id, entry.path().string());
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(input, ": two entries for student \"", id,
                                                     "\" (", it->second, " and ",
                                                     entry.path().string(), ")"));
    }
  }
  if (error) return absl::InternalError(absl::StrCat("list ", input, ": ", error.message()));
  std::vector<ClassEntry> students;
  if (roster.empty()) {
    for (const auto& [id, path] : entries) students.push_back({id, path, HeadCommit(path)});
    return students;
  }
  auto rows = ReadRoster(roster);
  if (!rows.ok()) return rows.status();
  std::map<std::string, bool> claimed;
  for (const auto& [identifier, username] : *rows) {
    ClassEntry student{identifier, "", ""};
    for (const auto& [name, path] : entries) {
      if (!username.empty() && (absl::EqualsIgnoreCase(name, username) ||
                                absl::EndsWithIgnoreCase(name, absl::StrCat("-", username)))) {
        student.path = path;
        student.commit = HeadCommit(path);
        claimed[name] = true;
        break;
      }
    }
    students.push_back(std::move(student));
  }
  for (const auto& [name, path] : entries) {
    if (!claimed[name]) err << "gograder: " << path << " matches no one of the roster; left out\n";
  }
  std::sort(students.begin(), students.end(),
            [](const ClassEntry& x, const ClassEntry& y) { return x.id < y.id; });
  for (size_t i = 1; i < students.size(); ++i) {
    if (students[i].id == students[i - 1].id) {
      return absl::InvalidArgumentError(
          absl::StrCat(roster, ": student \"", students[i].id, "\" is listed twice"));
    }
  }
  return students;
}

}  // namespace gograder::cli
