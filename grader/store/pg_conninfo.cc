#include "grader/store/pg_conninfo.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "base/fd.h"
#include "base/status_macros.h"

namespace gograder::store {
namespace {

constexpr absl::string_view kUrlPrefixes[] = {"postgresql://", "postgres://"};
constexpr absl::string_view kMask = "***";
// Bytes read from a password file at most (a password is one short line).
constexpr size_t kMaxPasswordFileBytes = 64 * 1024;

struct FreeOptions {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConninfoOptions = std::unique_ptr<PQconninfoOption, FreeOptions>;

// libpq's parse of `conninfo`, or its error message.
absl::StatusOr<ConninfoOptions> ParseConninfo(const std::string& conninfo) {
  char* error = nullptr;
  ConninfoOptions options(PQconninfoParse(conninfo.c_str(), &error));
  if (options != nullptr) return options;
  std::string message = error != nullptr ? error : "out of memory";
  PQfreemem(error);
  return absl::InvalidArgumentError(absl::StripTrailingAsciiWhitespace(message));
}

// The value of `keyword` in parsed options, or nullptr when not given.
const char* OptionValue(const ConninfoOptions& options, absl::string_view keyword) {
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (keyword == option->keyword) return option->val;
  }
  return nullptr;
}

bool IsUrl(absl::string_view conninfo) {
  for (absl::string_view prefix : kUrlPrefixes) {
    if (absl::StartsWith(conninfo, prefix)) return true;
  }
  return false;
}

// The value of a hex digit, or -1.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// %XX decoded (as libpq decodes URL parts); a malformed escape stays as is.
std::string PercentDecoded(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int high = i + 2 < text.size() && text[i] == '%' ? HexValue(text[i + 1]) : -1;
    int low = high >= 0 ? HexValue(text[i + 2]) : -1;
    if (low >= 0) {
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Where passwords are in a URL: after "user:" in the credentials, and any
// password= query parameter. The scan mirrors libpq's: the credentials end at
// the first '@' before any '/'.
void UrlPasswordSpans(absl::string_view url, std::vector<std::pair<size_t, size_t>>& spans) {
  size_t start = url.find("://") + 3;
  size_t at = url.find_first_of("@/", start);
  if (at != absl::string_view::npos && url[at] == '@') {
    size_t colon = url.substr(start, at - start).find(':');
    if (colon != absl::string_view::npos) spans.push_back({start + colon + 1, at});
    start = at + 1;
  }
  size_t query = url.find('?', start);
  while (query != absl::string_view::npos) {
    size_t begin = query + 1;
    size_t end = std::min(url.find('&', begin), url.size());
    size_t equals = url.substr(begin, end - begin).find('=');
    if (equals != absl::string_view::npos &&
        PercentDecoded(url.substr(begin, equals)) == "password") {
      spans.push_back({begin + equals + 1, end});
    }
    query = end < url.size() ? end : absl::string_view::npos;
  }
}

// Where password values are in a key=value conninfo (a quoted value with its
// quotes). Scanning stops at the first thing that is not keyword = value.
void KeyValuePasswordSpans(absl::string_view text, std::vector<std::pair<size_t, size_t>>& spans) {
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < text.size() && absl::ascii_isspace(text[i])) ++i;
  };
  while (true) {
    skip_spaces();
    size_t keyword_start = i;
    while (i < text.size() && text[i] != '=' && !absl::ascii_isspace(text[i])) ++i;
    absl::string_view keyword = text.substr(keyword_start, i - keyword_start);
    skip_spaces();
    if (keyword.empty() || i >= text.size() || text[i] != '=') return;
    ++i;
    skip_spaces();
    size_t value_start = i;
    bool quoted = i < text.size() && text[i] == '\'';
    if (quoted) ++i;
    while (i < text.size()) {
      if (text[i] == '\\') {
        i += 2;
        continue;
      }
      if (quoted ? text[i] == '\'' : absl::ascii_isspace(text[i])) break;
      ++i;
    }
    if (quoted && i < text.size()) ++i;  // the closing quote
    i = std::min(i, text.size());
    if (keyword == "password") spans.push_back({value_start, i});
  }
}

std::vector<std::pair<size_t, size_t>> PasswordSpans(absl::string_view conninfo) {
  std::vector<std::pair<size_t, size_t>> spans;
  if (IsUrl(conninfo)) {
    UrlPasswordSpans(conninfo, spans);
  } else {
    KeyValuePasswordSpans(conninfo, spans);
  }
  return spans;
}

// The first line of the password file at `path`, refused when anyone may
// read the file.
absl::StatusOr<std::string> ReadPasswordFile(const std::string& path) {
  std::string what = absl::StrCat("database_password_file \"", path, "\"");
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(what);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(what);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not a regular file"));
  }
  if (st.st_mode & S_IROTH) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s is readable by everyone (mode %04o): make it readable by gograderd only, e.g. "
        "chmod o-r",
        what, st.st_mode & 07777));
  }
  std::string contents(kMaxPasswordFileBytes, '\0');
  size_t size = 0;
  while (size < contents.size()) {
    ssize_t n = read(fd.get(), contents.data() + size, contents.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(what);
    if (n == 0) break;
    size += n;
  }
  contents.resize(size);
  std::string password = contents.substr(0, contents.find('\n'));
  if (absl::EndsWith(password, "\r")) password.pop_back();
  if (password.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": its first line is empty"));
  }
  return password;
}

// The password `secrets` name, or "" when they name none.
absl::StatusOr<std::string> ReadPassword(const DatabaseSecrets& secrets) {
  if (!secrets.password_file.empty() && !secrets.password_env.empty()) {
    return absl::InvalidArgumentError(
        "set one of database_password_file and database_password_env, not both");
  }
  if (!secrets.password_file.empty()) return ReadPasswordFile(secrets.password_file);
  if (secrets.password_env.empty()) return std::string();
  const char* value = std::getenv(secrets.password_env.c_str());
  if (value == nullptr || *value == '\0') {
    return absl::InvalidArgumentError(
        absl::StrCat("database_password_env: the environment variable ", secrets.password_env,
                     " is not set or empty"));
  }
  return std::string(value);
}

}  // namespace

bool IsPostgresDatabase(absl::string_view database) {
  if (IsUrl(database)) return true;
  // A conninfo starts with a keyword (letters and '_') and '='.
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(database);
  size_t keyword = 0;
  while (keyword < rest.size() && (absl::ascii_isalpha(rest[keyword]) || rest[keyword] == '_')) {
    ++keyword;
  }
  rest.remove_prefix(keyword);
  rest = absl::StripLeadingAsciiWhitespace(rest);
  return keyword > 0 && absl::StartsWith(rest, "=");
}

absl::StatusOr<DatabaseTarget> DatabaseConnInfo(const std::string& database,
                                                const DatabaseSecrets& secrets) {
  DatabaseTarget target;
  target.redacted = Redacted(database);
  if (!IsPostgresDatabase(database)) {
    if (!secrets.password_file.empty() || !secrets.password_env.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "database \"", database,
          "\" is a SQLite file: database_password_file and database_password_env are for a "
          "PostgreSQL database (postgresql://user@host/db)"));
    }
    target.kind = DatabaseTarget::Kind::kSqlite;
    target.sqlite_path = database;
    return target;
  }
  absl::StatusOr<ConninfoOptions> options = ParseConninfo(database);
  if (!options.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("database \"", target.redacted, "\" is not a PostgreSQL URL or conninfo: ",
                     RedactedMessage(options.status().message(), database),
                     " (a SQLite file whose name has '=' in it: write it as ./NAME)"));
  }
  const char* inline_password = OptionValue(*options, "password");
  if (inline_password != nullptr && *inline_password != '\0') {
    return absl::InvalidArgumentError(absl::StrCat(
        "database \"", target.redacted,
        "\" has a password in it: take it out, and put it in a file named by "
        "database_password_file (not world-readable) or in an environment variable named by "
        "database_password_env"));
  }
  ASSIGN_OR_RETURN(std::string password, ReadPassword(secrets));
  std::vector<std::string> pairs;
  for (const PQconninfoOption* option = options->get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr && absl::string_view(option->keyword) != "password") {
      pairs.push_back(absl::StrCat(option->keyword, "=", QuotedConninfoValue(option->val)));
    }
  }
  if (!password.empty()) pairs.push_back(absl::StrCat("password=", QuotedConninfoValue(password)));
  target.kind = DatabaseTarget::Kind::kPostgres;
  target.conninfo = absl::StrJoin(pairs, " ");
  return target;
}

std::string QuotedConninfoValue(absl::string_view value) {
  return absl::StrCat("'", absl::StrReplaceAll(value, {{"\\", "\\\\"}, {"'", "\\'"}}), "'");
}

std::string Redacted(absl::string_view conninfo) {
  std::string out;
  size_t done = 0;
  for (const auto& [begin, end] : PasswordSpans(conninfo)) {
    absl::StrAppend(&out, conninfo.substr(done, begin - done), kMask);
    done = end;
  }
  absl::StrAppend(&out, conninfo.substr(done));
  return out;
}

std::string RedactedMessage(absl::string_view message, absl::string_view conninfo) {
  std::string out(message);
  if (!conninfo.empty()) out = absl::StrReplaceAll(out, {{conninfo, Redacted(conninfo)}});
  std::vector<std::string> passwords;
  for (const auto& [begin, end] : PasswordSpans(conninfo)) {
    passwords.emplace_back(conninfo.substr(begin, end - begin));
  }
  if (absl::StatusOr<ConninfoOptions> options = ParseConninfo(std::string(conninfo));
      options.ok()) {
    if (const char* password = OptionValue(*options, "password"); password != nullptr) {
      passwords.emplace_back(password);
    }
  }
  for (const std::string& password : passwords) {
    if (!password.empty()) out = absl::StrReplaceAll(out, {{password, kMask}});
  }
  return out;
}

}  // namespace gograder::store
