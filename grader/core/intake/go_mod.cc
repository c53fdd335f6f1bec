// go.mod handling in three small steps: Tokenize splits the text into lines of
// tokens (with each line's trailing comment, which carries "// indirect"),
// ParseGoMod folds ( ) blocks and applies each directive, and the checks
// compare the result, and the submission's files, with what the offline
// grader can build.
#include "grader/core/intake/go_mod.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "grader/core/intake/intake_fs.h"

namespace gograder::core {
namespace {

using intake_internal::ListDirectory;
using intake_internal::OpenDirectoryAt;
using intake_internal::RemoveTreeAt;
using intake_internal::UniqueFd;

constexpr absl::string_view kDefaultMaxGoVersion = "1.26";
constexpr int kMinGoMajor = 1;
constexpr int kMinGoMinor = 21;

absl::Status LineError(int line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("go.mod:", line, ": ", message));
}

// ---- Tokens ---------------------------------------------------------------

struct Token {
  std::string text;
  bool quoted = false;  // a "quoted" or `raw` string: never punctuation or a keyword
};

struct Line {
  int number = 0;
  std::vector<Token> tokens;
  std::string comment;  // text after "//", trimmed
};

bool IsPunctuation(char c) {
  return c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == ',';
}

bool Is(const Token& token, absl::string_view text) { return !token.quoted && token.text == text; }

void AppendUtf8(uint32_t code, std::string& out) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Reads a Go interpreted string starting at text[i] == '"'; advances i past
// the closing quote.
absl::StatusOr<std::string> ReadQuoted(absl::string_view text, size_t& i, int line) {
  std::string out;
  ++i;
  while (i < text.size() && text[i] != '"') {
    char c = text[i];
    if (c == '\n') break;
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    // A Go string ends at the line: a backslash cannot escape the newline.
    if (i + 1 >= text.size() || text[i + 1] == '\n') break;
    char e = text[i + 1];
    i += 2;
    switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t code = 0;
        if (i + digits > text.size() || !absl::SimpleHexAtoi(text.substr(i, digits), &code)) {
          return LineError(
              line, absl::StrCat("invalid \\", std::string(1, e), " escape in quoted string"));
        }
        i += digits;
        if (e == 'x') {
          out += static_cast<char>(code);
        } else {
          AppendUtf8(code, out);
        }
        break;
      }
      default:
        if (!absl::ascii_isgraph(static_cast<unsigned char>(e))) {  // never printed raw
          return LineError(line,
                           absl::StrCat("unknown escape: \\ before byte 0x",
                                        absl::Hex(static_cast<unsigned char>(e), absl::kZeroPad2),
                                        " in quoted string"));
        }
        return LineError(line,
                         absl::StrCat("unknown escape \\", std::string(1, e), " in quoted string"));
    }
  }
  if (i >= text.size() || text[i] != '"') return LineError(line, "unterminated quoted string");
  ++i;
  return out;
}

absl::StatusOr<std::vector<Line>> Tokenize(absl::string_view text) {
  std::vector<Line> lines;
  Line current;
  current.number = 1;
  size_t i = 0;
  auto end_line = [&]() {
    if (!current.tokens.empty()) lines.push_back(std::move(current));
    int next = current.number + 1;
    current = Line();
    current.number = next;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      end_line();
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (absl::StartsWith(text.substr(i), "//")) {
      size_t end = text.find('\n', i);
      if (end == absl::string_view::npos) end = text.size();
      current.comment = std::string(absl::StripAsciiWhitespace(text.substr(i + 2, end - i - 2)));
      i = end;
    } else if (absl::StartsWith(text.substr(i), "/*")) {
      return LineError(current.number, "/* */ comments are not allowed in go.mod; use //");
    } else if (IsPunctuation(c)) {
      current.tokens.push_back({std::string(1, c), false});
      ++i;
    } else if (absl::StartsWith(text.substr(i), "=>")) {
      current.tokens.push_back({"=>", false});
      i += 2;
    } else if (c == '"' || c == '`') {
      std::string value;
      if (c == '"') {
        ASSIGN_OR_RETURN(value, ReadQuoted(text, i, current.number));
      } else {
        size_t end = text.find('`', i + 1);
        size_t newline = text.find('\n', i + 1);
        if (end == absl::string_view::npos ||
            (newline != absl::string_view::npos && newline < end)) {
          return LineError(current.number, "unterminated `raw string`");
        }
        value = std::string(text.substr(i + 1, end - i - 1));
        i = end + 1;
      }
      // No path, version or key Go accepts holds one, and messages quote
      // tokens: a newline there would forge a line of the error.
      if (std::any_of(value.begin(), value.end(),
                      [](char v) { return static_cast<unsigned char>(v) < 0x20 || v == 0x7f; })) {
        return LineError(current.number, "control character in a quoted string");
      }
      current.tokens.push_back({std::move(value), true});
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return LineError(current.number, "unexpected control character");
    } else {
      size_t start = i;
      while (i < text.size()) {
        char d = text[i];
        if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || IsPunctuation(d)) break;
        if (static_cast<unsigned char>(d) < 0x20 || d == 0x7f) break;
        if (absl::StartsWith(text.substr(i), "//")) break;
        ++i;
      }
      current.tokens.push_back({std::string(text.substr(start, i - start)), false});
    }
  }
  end_line();
  return lines;
}

// ---- Versions ---------------------------------------------------------------

// A Go version as in a go line: "1.21", "1.21rc1", "1.21.3".
struct GoVersion {
  int major = 0;
  int minor = 0;
  int patch = -1;        // -1: none
  std::string pre_kind;  // "rc", "beta", ...
  int pre_number = 0;

  // Ordering of Go versions: 1.21 < 1.21rc1 < 1.21.0 < 1.21.1.
  std::tuple<int, int, int, std::string, int> Key() const {
    int stage = patch >= 0 ? 2 : !pre_kind.empty() ? 1 : 0;
    return {major, minor, stage, pre_kind, patch >= 0 ? patch : pre_number};
  }
  std::pair<int, int> Language() const { return {major, minor}; }
};

// Reads a decimal number without a leading zero (unless it is "0").
bool ReadNumber(absl::string_view& s, int& value) {
  size_t n = 0;
  while (n < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[n]))) ++n;
  if (n == 0 || n > 6 || (n > 1 && s[0] == '0')) return false;
  if (!absl::SimpleAtoi(s.substr(0, n), &value)) return false;
  s.remove_prefix(n);
  return true;
}

std::optional<GoVersion> ParseGoVersion(absl::string_view s) {
  GoVersion v;
  if (!ReadNumber(s, v.major) || v.major == 0) return std::nullopt;
  if (!absl::ConsumePrefix(&s, ".") || !ReadNumber(s, v.minor)) return std::nullopt;
  if (absl::ConsumePrefix(&s, ".") && !ReadNumber(s, v.patch)) return std::nullopt;
  if (!s.empty()) {
    size_t n = 0;
    while (n < s.size() && s[n] >= 'a' && s[n] <= 'z') ++n;
    if (n == 0) return std::nullopt;
    v.pre_kind = std::string(s.substr(0, n));
    s.remove_prefix(n);
    if (!ReadNumber(s, v.pre_number) || !s.empty()) return std::nullopt;
  }
  return v;
}

// A module version as the go command writes it: "v" followed by a number.
bool LooksLikeModuleVersion(absl::string_view version) {
  return version.size() >= 2 && version[0] == 'v' &&
         absl::ascii_isdigit(static_cast<unsigned char>(version[1]));
}

// The go command's test for a replacement that is a directory, Unix or Windows.
bool IsDirectoryPath(absl::string_view p) {
  return p == "." || p == ".." || absl::StartsWith(p, "./") || absl::StartsWith(p, ".\\") ||
         absl::StartsWith(p, "../") || absl::StartsWith(p, "..\\") || absl::StartsWith(p, "/") ||
         absl::StartsWith(p, "\\") ||
         (p.size() >= 2 && absl::ascii_isalpha(static_cast<unsigned char>(p[0])) && p[1] == ':');
}

// ---- Directives -------------------------------------------------------------

bool IsBlockDirective(absl::string_view verb) {
  return verb == "require" || verb == "exclude" || verb == "replace" || verb == "retract" ||
         verb == "godebug" || verb == "tool" || verb == "ignore";
}

absl::Status CheckModuleVersion(const Line& line, absl::string_view path,
                                absl::string_view version) {
  if (LooksLikeModuleVersion(version)) return absl::OkStatus();
  return LineError(line.number, absl::StrCat("invalid version \"", version, "\" for ", path,
                                             ": module versions look like v1.2.3"));
}

absl::Status ApplyDirective(absl::string_view verb, const std::vector<Token>& args,
                            const Line& line, GoMod& mod) {
  const int n = line.number;
  if (verb != "retract") {
    for (const Token& arg : args) {
      if (!arg.quoted && arg.text.size() == 1 && IsPunctuation(arg.text[0])) {
        return LineError(n, absl::StrCat("unexpected \"", arg.text, "\" in ", verb, " line"));
      }
      if (verb != "replace" && Is(arg, "=>")) {
        return LineError(n, absl::StrCat("unexpected \"=>\" in ", verb, " line"));
      }
    }
  }
  auto usage = [n](absl::string_view text) { return LineError(n, absl::StrCat("usage: ", text)); };
  if (verb == "module") {
    if (mod.module_line != 0) {
      return LineError(
          n, absl::StrCat("repeated module line (the first is on line ", mod.module_line, ")"));
    }
    if (args.size() != 1 || args[0].text.empty()) return usage("module example.com/path");
    mod.module = args[0].text;
    mod.module_line = n;
  } else if (verb == "go") {
    if (mod.go_line != 0) {
      return LineError(n,
                       absl::StrCat("repeated go line (the first is on line ", mod.go_line, ")"));
    }
    if (args.size() != 1) return usage("go 1.23");
    if (!ParseGoVersion(args[0].text)) {
      return LineError(n, absl::StrCat("invalid go version \"", args[0].text,
                                       "\": write it like 1.23 or 1.23.4"));
    }
    mod.go_version = args[0].text;
    mod.go_line = n;
  } else if (verb == "toolchain") {
    if (mod.toolchain_line != 0) {
      return LineError(n, absl::StrCat("repeated toolchain line (the first is on line ",
                                       mod.toolchain_line, ")"));
    }
    if (args.size() != 1) return usage("toolchain go1.23.4");
    absl::string_view name = args[0].text;
    if (name != "default" &&
        !(absl::ConsumePrefix(&name, "go") && ParseGoVersion(name).has_value())) {
      return LineError(
          n, absl::StrCat("invalid toolchain \"", args[0].text, "\": write it like go1.23.4"));
    }
    mod.toolchain = args[0].text;
    mod.toolchain_line = n;
  } else if (verb == "require") {
    if (args.size() != 2) return usage("require example.com/path v1.2.3");
    RETURN_IF_ERROR(CheckModuleVersion(line, args[0].text, args[1].text));
    bool indirect = line.comment == "indirect" || absl::StartsWith(line.comment, "indirect;");
    mod.requirements.push_back({args[0].text, args[1].text, indirect, n});
  } else if (verb == "exclude") {
    if (args.size() != 2) return usage("exclude example.com/path v1.2.3");
    RETURN_IF_ERROR(CheckModuleVersion(line, args[0].text, args[1].text));
    mod.excludes.push_back(absl::StrCat(args[0].text, "@", args[1].text));
  } else if (verb == "replace") {
    size_t arrow = 0;
    while (arrow < args.size() && !Is(args[arrow], "=>")) ++arrow;
    const size_t after = args.size() - std::min(args.size(), arrow + 1);
    if (arrow == 0 || arrow > 2 || arrow == args.size() || after < 1 || after > 2) {
      return usage("replace example.com/path [v1.2.3] => ./local/dir | other.com/path v1.2.4");
    }
    GoModReplace replace;
    replace.line = n;
    replace.old_path = args[0].text;
    if (arrow == 2) {
      replace.old_version = args[1].text;
      RETURN_IF_ERROR(CheckModuleVersion(line, replace.old_path, replace.old_version));
    }
    replace.new_path = args[arrow + 1].text;
    if (after == 2) {
      replace.new_version = args[arrow + 2].text;
      if (IsDirectoryPath(replace.new_path)) {
        return LineError(
            n, absl::StrCat("replacement directory ", replace.new_path, " cannot have a version"));
      }
      RETURN_IF_ERROR(CheckModuleVersion(line, replace.new_path, replace.new_version));
    } else if (!IsDirectoryPath(replace.new_path)) {
      return LineError(n, absl::StrCat("replacement module ", replace.new_path,
                                       " has no version: give a version, or a directory path "
                                       "starting with ./ or ../"));
    }
    mod.replaces.push_back(std::move(replace));
  } else if (verb == "retract") {
    if (args.size() == 1 && args[0].text.size() != 1) {
      RETURN_IF_ERROR(CheckModuleVersion(line, "retract", args[0].text));
      mod.retracts.push_back(args[0].text);
    } else if (args.size() == 5 && Is(args[0], "[") && Is(args[2], ",") && Is(args[4], "]")) {
      RETURN_IF_ERROR(CheckModuleVersion(line, "retract", args[1].text));
      RETURN_IF_ERROR(CheckModuleVersion(line, "retract", args[3].text));
      mod.retracts.push_back(absl::StrCat("[", args[1].text, ", ", args[3].text, "]"));
    } else {
      return usage("retract v1.2.3 | retract [v1.0.0, v1.1.0]");
    }
  } else if (verb == "godebug") {
    if (args.size() != 1) return usage("godebug key=value");
    size_t eq = args[0].text.find('=');
    if (eq == 0 || eq == std::string::npos) return usage("godebug key=value");
    mod.godebug.push_back(args[0].text);
  } else if (verb == "tool") {
    if (args.size() != 1) return usage("tool example.com/path/cmd/tool");
    mod.tools.push_back(args[0].text);
  } else if (verb == "ignore") {
    if (args.size() != 1) return usage("ignore ./dir");
    mod.ignores.push_back(args[0].text);
  } else {
    return LineError(n, absl::StrCat("unknown directive \"", verb, "\""));
  }
  return absl::OkStatus();
}

// ---- Checks -----------------------------------------------------------------

// path.Clean for slash-separated paths.
std::string CleanSlashPath(absl::string_view path) {
  bool rooted = absl::StartsWith(path, "/");
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty() && out.back() != "..") {
        out.pop_back();
      } else if (!rooted) {
        out.emplace_back("..");
      }
      continue;
    }
    out.emplace_back(part);
  }
  std::string joined = absl::StrJoin(out, "/");
  if (rooted) return "/" + joined;
  return joined.empty() ? "." : joined;
}

struct Problem {
  int line;
  std::string message;
};

}  // namespace

absl::StatusOr<GoMod> ParseGoMod(absl::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Line> lines, Tokenize(text));
  GoMod mod;
  std::string block;  // the directive of the open ( ) block, if any
  int block_line = 0;
  for (const Line& line : lines) {
    const std::vector<Token>& tokens = line.tokens;
    if (!block.empty()) {
      if (tokens.size() == 1 && Is(tokens[0], ")")) {
        block.clear();
        continue;
      }
      for (const Token& token : tokens) {
        if (Is(token, "(")) return LineError(line.number, "blocks cannot be nested");
      }
      RETURN_IF_ERROR(ApplyDirective(block, tokens, line, mod));
      continue;
    }
    if (tokens[0].quoted || (tokens[0].text.size() == 1 && IsPunctuation(tokens[0].text[0])) ||
        Is(tokens[0], "=>")) {
      return LineError(line.number,
                       absl::StrCat("expected a directive (module, go, require, ...), found \"",
                                    tokens[0].text, "\""));
    }
    const std::string& verb = tokens[0].text;
    if (tokens.size() >= 2 && Is(tokens[1], "(")) {
      if (!IsBlockDirective(verb)) {
        return LineError(line.number, absl::StrCat("\"", verb, "\" cannot start a ( ) block"));
      }
      if (tokens.size() == 2) {
        block = verb;
        block_line = line.number;
        continue;
      }
      if (tokens.size() == 3 && Is(tokens[2], ")")) continue;  // "require ()"
      return LineError(line.number, "a ( ) block must end its line after \"(\"");
    }
    RETURN_IF_ERROR(
        ApplyDirective(verb, std::vector<Token>(tokens.begin() + 1, tokens.end()), line, mod));
  }
  if (!block.empty()) {
    return LineError(block_line,
                     absl::StrCat("the ", block, " block opened here has no closing )"));
  }
  return mod;
}

absl::Status CheckGoModForExercise(const GoMod& mod, const gograder::v1::Exercise& exercise) {
  std::vector<Problem> problems;
  auto problem = [&problems](int line, auto&&... parts) {
    problems.push_back({line, absl::StrCat(parts...)});
  };

  // The module line.
  if (mod.module_line == 0) {
    problem(1, "no module line; start go.mod with \"module ",
            exercise.module().empty() ? "<path>" : exercise.module(), "\"");
  } else if (!exercise.module().empty() && mod.module != exercise.module()) {
    problem(mod.module_line, "the module is \"", mod.module, "\" but this exercise's is \"",
            exercise.module(), "\"; change the line to \"module ", exercise.module(), "\"");
  }

  // The go line.
  const std::string max_text =
      exercise.go_version().empty() ? std::string(kDefaultMaxGoVersion) : exercise.go_version();
  std::optional<GoVersion> max = ParseGoVersion(max_text);
  if (!max.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("exercise ", exercise.id(), ": invalid go_version \"", max_text, "\""));
  }
  const int first_line = mod.module_line != 0 ? mod.module_line : 1;
  if (mod.go_line == 0) {
    problem(first_line, "no go line; add \"go ", max_text, "\" after the module line");
  } else if (std::optional<GoVersion> go = ParseGoVersion(mod.go_version); !go.has_value()) {
    problem(mod.go_line, "invalid go version \"", mod.go_version, "\"; write \"go ", max_text,
            "\"");
  } else {
    // A bound without a patch number bounds the language version (1.26 admits 1.26.5).
    bool language_bound = max->patch < 0 && max->pre_kind.empty();
    bool too_new = language_bound ? go->Language() > max->Language() : go->Key() > max->Key();
    if (too_new) {
      problem(mod.go_line, "go ", mod.go_version,
              " is newer than the grader's Go (this exercise accepts up to go ", max_text,
              "); change the line to \"go ", max_text, "\"");
    } else if (go->Language() < std::make_pair(kMinGoMajor, kMinGoMinor)) {
      problem(mod.go_line, "go ", mod.go_version, " is older than go ", kMinGoMajor, ".",
              kMinGoMinor, ", the oldest the grader accepts; change the line to \"go ", max_text,
              "\"");
    }
  }

  if (mod.toolchain_line != 0) {
    problem(mod.toolchain_line,
            "toolchain lines are not accepted; the grader uses its own Go. Remove \"toolchain ",
            mod.toolchain, "\"");
  }

  // Modules the grader provides, path -> version.
  std::map<std::string, std::string> provided;
  for (const std::string& module : exercise.modules()) {
    std::pair<std::string, std::string> parts = absl::StrSplit(module, absl::MaxSplits('@', 1));
    provided[parts.first] = parts.second;
  }
  const std::string allowed =
      provided.empty()
          ? std::string("this exercise allows no modules besides the standard library")
          : absl::StrCat("the grader provides only ", absl::StrJoin(exercise.modules(), ", "));

  for (const GoModReplace& replace : mod.replaces) {
    const std::string arrow = absl::StrCat(
        "replace ", replace.old_path, replace.old_version.empty() ? "" : " ", replace.old_version,
        " => ", replace.new_path, replace.new_version.empty() ? "" : " ", replace.new_version);
    if (auto it = provided.find(replace.old_path); it != provided.end()) {
      problem(replace.line, arrow, ": the grader provides ", replace.old_path,
              it->second.empty() ? "" : "@", it->second, " itself; remove this replace");
      continue;
    }
    if (!replace.new_version.empty()) {
      problem(replace.line, arrow, ": the grader works offline and cannot fetch ", replace.new_path,
              "; remove this replace (only a directory inside your submission may replace a "
              "module)");
      continue;
    }
    const std::string local = absl::StrReplaceAll(replace.new_path, {{"\\", "/"}});
    const bool absolute =
        absl::StartsWith(local, "/") ||
        (local.size() >= 2 && absl::ascii_isalpha(static_cast<unsigned char>(local[0])) &&
         local[1] == ':');
    const std::string cleaned = CleanSlashPath(local);
    if (absolute) {
      problem(replace.line, arrow,
              ": an absolute path points outside your submission; remove this replace");
    } else if (cleaned == ".." || absl::StartsWith(cleaned, "../")) {
      problem(replace.line, arrow,
              ": the directory is outside your submission; remove this replace");
    }
  }

  for (const GoModRequire& require : mod.requirements) {
    auto it = provided.find(require.path);
    if (it == provided.end()) {
      problem(require.line, "require ", require.path, ": the grader works offline and ", allowed,
              "; remove this require");
    } else if (!it->second.empty() && it->second != require.version) {
      problem(require.line, "require ", require.path, " ", require.version,
              ": the grader provides ", require.path, " ", it->second, "; change the version to ",
              it->second);
    }
  }

  if (problems.empty()) return absl::OkStatus();
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  std::vector<std::string> lines;
  for (const Problem& p : problems) {
    lines.push_back(absl::StrCat("go.mod:", p.line, ": ", p.message));
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

namespace {

// Directories the go command skips when matching ./... (and so when building).
bool IsIgnoredByGo(absl::string_view name) {
  return name == "testdata" || absl::StartsWith(name, ".") || absl::StartsWith(name, "_");
}

constexpr int kMaxTreeDepth = 64;
constexpr size_t kMaxDirectoryEntries = 100000;

absl::Status CheckDirectory(int dirfd, const std::string& prefix, int depth,
                            std::vector<std::string>& notes) {
  if (depth > kMaxTreeDepth) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, ": directories nested too deeply"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(dirfd, kMaxDirectoryEntries));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string path = prefix.empty() ? name : absl::StrCat(prefix, "/", name);
    struct stat info;
    if (fstatat(dirfd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(absl::StrCat("stat ", path));
    }
    if (S_ISLNK(info.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": symbolic links are not accepted in a submission"));
    }
    if (name == "go.work" || name == "go.work.sum") {
      RETURN_IF_ERROR(RemoveTreeAt(dirfd, name));
      notes.push_back(absl::StrCat("removed ", path,
                                   ": the grader builds your module on its own, without a "
                                   "workspace"));
      continue;
    }
    if (S_ISDIR(info.st_mode)) {
      if (IsIgnoredByGo(name)) continue;
      ASSIGN_OR_RETURN(UniqueFd child, OpenDirectoryAt(dirfd, name));
      RETURN_IF_ERROR(CheckDirectory(child.get(), path, depth + 1, notes));
      continue;
    }
    if (name == "go.mod" && !prefix.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path,
          ": a second module inside the submission is not supported; delete this go.mod "
          "so that ",
          prefix, "/ is a package of your module"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> CheckSubmissionTree(const std::string& module_root) {
  UniqueFd root(open(module_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoStatus(absl::StrCat("open ", module_root));
  struct stat info;
  if (fstatat(root.get(), "go.mod", &info, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT) return ErrnoStatus("stat go.mod");
    return absl::InvalidArgumentError(
        "no go.mod at the root of the submission; the top directory must hold your module's "
        "go.mod (create it with `go mod init <module path>`)");
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError("go.mod at the root of the submission is not a file");
  }
  std::vector<std::string> notes;
  if (fstatat(root.get(), "vendor", &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(info.st_mode)) {
    RETURN_IF_ERROR(RemoveTreeAt(root.get(), "vendor"));
    notes.push_back("removed vendor/: the grader uses its own copies of the allowed modules");
  }
  RETURN_IF_ERROR(CheckDirectory(root.get(), "", 0, notes));
  return notes;
}

}  // namespace gograder::core
