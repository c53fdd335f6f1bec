#include "grader/core/scoring/static_rules.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "nlohmann/json.hpp"

namespace gograder::core {
namespace {

using ::gograder::v1::Annotation;
using ::gograder::v1::Exercise;
using ::gograder::v1::Severity;
using ::gograder::v1::StaticRules;
using ::nlohmann::json;

// A broken rule lists at most this many violations as annotations.
constexpr size_t kMaxAnnotationsPerRule = 20;
// At most this many integrity violations of one kind become flags; the rest
// are summed up in one more.
constexpr size_t kMaxFlagsPerKind = 10;

// ---------------------------------------------------------------------------
// Reading the inspector's JSON. Absent keys and nulls keep the default; a
// value of another type is an error naming its place ("packages[0].line").

absl::Status TypeError(const std::string& where, absl::string_view want) {
  return absl::InvalidArgumentError(absl::StrCat("inspector facts: ", where, ": expected ", want));
}

// Returns object[key], or nullptr when absent or null.
const json* Member(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

absl::Status Read(const json& object, const char* key, const std::string& where, std::string* out) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_string()) return TypeError(absl::StrCat(where, ".", key), "a string");
  *out = value->get<std::string>();
  return absl::OkStatus();
}

absl::Status Read(const json& object, const char* key, const std::string& where, int* out) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_number_integer() || value->get<int64_t>() < 0 ||
      value->get<int64_t>() > std::numeric_limits<int32_t>::max()) {
    return TypeError(absl::StrCat(where, ".", key), "a non-negative 32-bit integer");
  }
  *out = static_cast<int>(value->get<int64_t>());
  return absl::OkStatus();
}

absl::Status Read(const json& object, const char* key, const std::string& where, bool* out) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_boolean()) return TypeError(absl::StrCat(where, ".", key), "a boolean");
  *out = value->get<bool>();
  return absl::OkStatus();
}

absl::Status ReadItem(const json& item, const std::string& where, std::string* out) {
  if (!item.is_string()) return TypeError(where, "a string");
  *out = item.get<std::string>();
  return absl::OkStatus();
}

// Fails unless `key` is present in `object` with a non-empty string.
absl::Status RequireString(const json& object, const char* key, const std::string& where,
                           std::string* out) {
  RETURN_IF_ERROR(Read(object, key, where, out));
  if (out->empty()) return TypeError(absl::StrCat(where, ".", key), "a non-empty string");
  return absl::OkStatus();
}

absl::Status RequireObject(const json& item, const std::string& where) {
  return item.is_object() ? absl::OkStatus() : TypeError(where, "an object");
}

absl::Status ReadItem(const json& item, const std::string& where, ImportFact* out) {
  RETURN_IF_ERROR(RequireObject(item, where));
  RETURN_IF_ERROR(RequireString(item, "path", where, &out->path));
  RETURN_IF_ERROR(Read(item, "name", where, &out->name));
  RETURN_IF_ERROR(Read(item, "file", where, &out->file));
  RETURN_IF_ERROR(Read(item, "line", where, &out->line));
  return Read(item, "test", where, &out->test);
}

absl::Status ReadItem(const json& item, const std::string& where, CallFact* out) {
  RETURN_IF_ERROR(RequireObject(item, where));
  RETURN_IF_ERROR(RequireString(item, "target", where, &out->target));
  RETURN_IF_ERROR(Read(item, "kind", where, &out->kind));
  RETURN_IF_ERROR(Read(item, "file", where, &out->file));
  RETURN_IF_ERROR(Read(item, "line", where, &out->line));
  RETURN_IF_ERROR(Read(item, "col", where, &out->column));
  return Read(item, "test", where, &out->test);
}

absl::Status ReadItem(const json& item, const std::string& where, MutableFact* out) {
  RETURN_IF_ERROR(RequireObject(item, where));
  RETURN_IF_ERROR(Read(item, "name", where, &out->name));
  RETURN_IF_ERROR(Read(item, "kind", where, &out->kind));
  RETURN_IF_ERROR(Read(item, "file", where, &out->file));
  RETURN_IF_ERROR(Read(item, "line", where, &out->line));
  return Read(item, "test", where, &out->test);
}

absl::Status ReadItem(const json& item, const std::string& where, AnyFieldFact* out) {
  RETURN_IF_ERROR(RequireObject(item, where));
  RETURN_IF_ERROR(Read(item, "struct", where, &out->struct_name));
  RETURN_IF_ERROR(Read(item, "field", where, &out->field));
  RETURN_IF_ERROR(Read(item, "file", where, &out->file));
  RETURN_IF_ERROR(Read(item, "line", where, &out->line));
  return Read(item, "test", where, &out->test);
}

absl::Status ReadItem(const json& item, const std::string& where, LinknameFact* out) {
  RETURN_IF_ERROR(RequireObject(item, where));
  RETURN_IF_ERROR(Read(item, "text", where, &out->text));
  RETURN_IF_ERROR(Read(item, "file", where, &out->file));
  RETURN_IF_ERROR(Read(item, "line", where, &out->line));
  return Read(item, "test", where, &out->test);
}

absl::Status ReadItem(const json& item, const std::string& where, CgoFact* out) {
  RETURN_IF_ERROR(RequireObject(item, where));
  RETURN_IF_ERROR(Read(item, "file", where, &out->file));
  RETURN_IF_ERROR(Read(item, "line", where, &out->line));
  return Read(item, "test", where, &out->test);
}

absl::Status ReadItem(const json& item, const std::string& where, PackageFacts* out);

// Reads the list object[key] with ReadItem for each element.
template <typename T>
absl::Status ReadList(const json& object, const char* key, const std::string& where,
                      std::vector<T>* out) {
  const json* list = Member(object, key);
  if (list == nullptr) return absl::OkStatus();
  const std::string list_where = absl::StrCat(where, ".", key);
  if (!list->is_array()) return TypeError(list_where, "an array");
  out->reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    T item;
    RETURN_IF_ERROR(ReadItem((*list)[i], absl::StrCat(list_where, "[", i, "]"), &item));
    out->push_back(std::move(item));
  }
  return absl::OkStatus();
}

absl::Status ReadItem(const json& item, const std::string& where, PackageFacts* out) {
  RETURN_IF_ERROR(RequireObject(item, where));
  RETURN_IF_ERROR(RequireString(item, "dir", where, &out->dir));
  RETURN_IF_ERROR(Read(item, "name", where, &out->name));
  RETURN_IF_ERROR(ReadList(item, "files", where, &out->files));
  RETURN_IF_ERROR(ReadList(item, "test_files", where, &out->test_files));
  RETURN_IF_ERROR(ReadList(item, "imports", where, &out->imports));
  RETURN_IF_ERROR(ReadList(item, "exported", where, &out->exported));
  RETURN_IF_ERROR(ReadList(item, "calls", where, &out->calls));
  RETURN_IF_ERROR(ReadList(item, "package_mutables", where, &out->package_mutables));
  RETURN_IF_ERROR(ReadList(item, "any_fields", where, &out->any_fields));
  RETURN_IF_ERROR(ReadList(item, "linknames", where, &out->linknames));
  RETURN_IF_ERROR(ReadList(item, "cgo", where, &out->cgo));
  return ReadList(item, "parse_errors", where, &out->parse_errors);
}

// ---------------------------------------------------------------------------
// Evaluation helpers.

Annotation MakeAnnotation(absl::string_view file, int line, int column, Severity severity,
                          absl::string_view message, absl::string_view source) {
  Annotation annotation;
  annotation.set_file(std::string(file));
  annotation.set_line(line);
  annotation.set_column(column);
  annotation.set_severity(severity);
  annotation.set_message(std::string(message));
  annotation.set_source(std::string(source));
  return annotation;
}

// "file:line: " (or "file: ", or nothing) before a message.
std::string PositionPrefix(absl::string_view file, int line) {
  if (file.empty()) return "";
  if (line <= 0) return absl::StrCat(file, ": ");
  return absl::StrCat(file, ":", line, ": ");
}

// Appends "; <message>" when the rubric gave one.
std::string WithMessage(absl::string_view text, absl::string_view message) {
  if (message.empty()) return std::string(text);
  return absl::StrCat(text, "; ", message);
}

// One place where a rule is broken; `what` reads after its position:
// "calls time.Sleep".
struct Violation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string what;
};

StaticRuleResult Passed(std::string rule) {
  StaticRuleResult result;
  result.rule = std::move(rule);
  result.passed = true;
  return result;
}

// A broken rule: the reason names the first violation (and how many more)
// followed by the rubric's message; each violation gets an annotation.
StaticRuleResult Broken(std::string rule, const std::vector<Violation>& violations,
                        absl::string_view message) {
  StaticRuleResult result;
  result.rule = std::move(rule);
  result.passed = false;
  if (violations.empty()) return result;
  // A violation without a line (a missing import) reads better without its
  // file, which only anchors the annotation.
  const Violation& first = violations.front();
  std::string reason =
      absl::StrCat(first.line > 0 ? PositionPrefix(first.file, first.line) : "", first.what);
  if (violations.size() > 1) absl::StrAppend(&reason, " (and ", violations.size() - 1, " more)");
  result.reason = WithMessage(reason, message);
  for (size_t i = 0; i < violations.size() && i < kMaxAnnotationsPerRule; ++i) {
    const Violation& v = violations[i];
    result.annotations.push_back(MakeAnnotation(v.file, v.line, v.column, v1::WARNING,
                                                WithMessage(v.what, message), "static"));
  }
  return result;
}

// Which directories an Imports.package selects.
struct PackagePattern {
  bool all = false;        // "./..."
  bool recursive = false;  // "./sub/..."
  std::string dir = ".";   // "." or "sub"
};

PackagePattern ParsePackagePattern(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  while (absl::ConsumePrefix(&text, "./")) {
  }
  while (text.size() > 1 && absl::ConsumeSuffix(&text, "/")) {
  }
  PackagePattern pattern;
  if (text.empty() || text == ".") return pattern;
  if (text == "...") {
    pattern.all = true;
    return pattern;
  }
  pattern.recursive = absl::ConsumeSuffix(&text, "/...");
  pattern.dir = text.empty() ? "." : std::string(text);
  if (pattern.dir == "." && pattern.recursive) pattern.all = true;
  return pattern;
}

bool Selects(const PackagePattern& pattern, absl::string_view dir) {
  if (pattern.all || dir == pattern.dir) return true;
  return pattern.recursive && absl::StartsWith(dir, absl::StrCat(pattern.dir, "/"));
}

// The non-test packages (directories with non-test files) a pattern selects.
std::vector<const PackageFacts*> SelectPackages(const InspectorFacts& facts,
                                                const PackagePattern& pattern) {
  std::vector<const PackageFacts*> selected;
  for (const PackageFacts& package : facts.packages) {
    if (!package.files.empty() && Selects(pattern, package.dir)) selected.push_back(&package);
  }
  return selected;
}

// " in ./ws" for a rule about packages other than the root one.
std::string PatternSuffix(absl::string_view text) {
  const PackagePattern pattern = ParsePackagePattern(text);
  if (pattern.all) return " in ./...";
  if (pattern.dir == ".") return "";
  return absl::StrCat(" in ./", pattern.dir, pattern.recursive ? "/..." : "");
}

// "package scraper" for the root, "package ws (./ws)" for a subdirectory.
std::string PackageLabel(const PackageFacts& package) {
  if (package.dir == ".") {
    return package.name.empty() ? "the root package" : absl::StrCat("package ", package.name);
  }
  if (package.name.empty()) return absl::StrCat("package ./", package.dir);
  return absl::StrCat("package ", package.name, " (./", package.dir, ")");
}

// Whether a non-test file of `package` imports `path`.
bool ImportsPath(const PackageFacts& package, absl::string_view path) {
  for (const ImportFact& import : package.imports) {
    if (!import.test && import.path == path) return true;
  }
  return false;
}

// Whether an import path matches a forbidden entry (a path, or a prefix
// ending in "/...").
bool MatchesForbiddenImport(absl::string_view path, absl::string_view forbidden) {
  absl::string_view prefix = forbidden;
  if (!absl::ConsumeSuffix(&prefix, "/...")) return path == forbidden;
  return path == prefix || absl::StartsWith(path, absl::StrCat(prefix, "/"));
}

StaticRuleResult RequiredImport(const InspectorFacts& facts, absl::string_view pattern_text,
                                absl::string_view path) {
  std::string rule = absl::StrCat("imports \"", path, "\"", PatternSuffix(pattern_text));
  const PackagePattern pattern = ParsePackagePattern(pattern_text);
  const std::vector<const PackageFacts*> selected = SelectPackages(facts, pattern);
  for (const PackageFacts* package : selected) {
    if (ImportsPath(*package, path)) return Passed(std::move(rule));
  }
  Violation violation;
  if (selected.empty()) {
    if (pattern.all) {
      violation.what = "the module has no Go package";
    } else if (pattern.dir == "." && !pattern.recursive) {
      violation.what = "there is no Go package at the root";
    } else {
      violation.what = absl::StrCat("there is no Go package in ./", pattern.dir);
    }
    absl::StrAppend(&violation.what, "; it must import \"", path, "\"");
  } else if (selected.size() == 1) {
    violation.file = selected.front()->files.front();
    violation.what =
        absl::StrCat(PackageLabel(*selected.front()), " does not import \"", path, "\"");
  } else {
    violation.what =
        absl::StrCat("no package", PatternSuffix(pattern_text), " imports \"", path, "\"");
  }
  return Broken(std::move(rule), {violation}, "");
}

StaticRuleResult ForbiddenImport(const InspectorFacts& facts, absl::string_view pattern_text,
                                 absl::string_view forbidden) {
  std::string rule =
      absl::StrCat("does not import \"", forbidden, "\"", PatternSuffix(pattern_text));
  const PackagePattern pattern = ParsePackagePattern(pattern_text);
  std::vector<Violation> violations;
  for (const PackageFacts* package : SelectPackages(facts, pattern)) {
    for (const ImportFact& import : package->imports) {
      if (import.test || !MatchesForbiddenImport(import.path, forbidden)) continue;
      violations.push_back(
          {import.file, import.line, 0,
           absl::StrCat("imports \"", import.path, "\", which this exercise forbids")});
    }
  }
  if (violations.empty()) return Passed(std::move(rule));
  return Broken(std::move(rule), violations, "");
}

const PackageFacts* RootPackage(const InspectorFacts& facts) {
  for (const PackageFacts& package : facts.packages) {
    if (package.dir == "." && !package.files.empty()) return &package;
  }
  return nullptr;
}

StaticRuleResult RequiredIdentifier(const InspectorFacts& facts, absl::string_view identifier) {
  std::string rule = absl::StrCat("declares ", identifier);
  const PackageFacts* root = RootPackage(facts);
  Violation violation;
  if (root == nullptr) {
    violation.what =
        absl::StrCat("there is no Go package at the root; it must declare ", identifier);
    return Broken(std::move(rule), {violation}, "");
  }
  for (const std::string& exported : root->exported) {
    if (exported == identifier) return Passed(std::move(rule));
  }
  violation.file = root->files.front();
  violation.what = absl::StrCat(PackageLabel(*root), " does not declare ", identifier,
                                " (exported, in a non-test file)");
  return Broken(std::move(rule), {violation}, "");
}

// Whether a call target matches a rule target: exact, or a prefix when the
// rule target ends in "*".
bool MatchesCallTarget(absl::string_view target, absl::string_view pattern) {
  if (absl::ConsumeSuffix(&pattern, "*")) return absl::StartsWith(target, pattern);
  return target == pattern;
}

StaticRuleResult ForbiddenConstruct(const InspectorFacts& facts,
                                    const StaticRules::Forbidden& forbidden) {
  std::vector<Violation> violations;
  std::string rule;
  switch (forbidden.construct()) {
    case StaticRules::CALL: {
      rule = absl::StrCat("no ", forbidden.target(), " in non-test code");
      if (forbidden.target().empty()) break;
      for (const PackageFacts& package : facts.packages) {
        for (const CallFact& call : package.calls) {
          if (call.test || !MatchesCallTarget(call.target, forbidden.target())) continue;
          violations.push_back(
              {call.file, call.line, call.column,
               absl::StrCat(call.kind == "call" ? "calls " : "uses ", call.target)});
        }
      }
      break;
    }
    case StaticRules::PACKAGE_LEVEL_MUTABLE:
      rule = "no package-level mutable map or slice";
      for (const PackageFacts& package : facts.packages) {
        for (const MutableFact& mutable_var : package.package_mutables) {
          if (mutable_var.test) continue;
          violations.push_back(
              {mutable_var.file, mutable_var.line, 0,
               absl::StrCat("package-level variable ", mutable_var.name, " is a mutable ",
                            mutable_var.kind.empty() ? "value" : mutable_var.kind)});
        }
      }
      break;
    case StaticRules::ANY_TYPED_FIELD:
      rule = "no struct field of type any";
      for (const PackageFacts& package : facts.packages) {
        for (const AnyFieldFact& field : package.any_fields) {
          if (field.test) continue;
          violations.push_back({field.file, field.line, 0,
                                absl::StrCat("field ", field.struct_name, ".", field.field,
                                             " is typed with any/interface{}")});
        }
      }
      break;
    default:
      rule = "forbidden construct";
      break;
  }
  const bool incomplete =
      (forbidden.construct() == StaticRules::CALL && forbidden.target().empty()) ||
      (forbidden.construct() != StaticRules::CALL &&
       forbidden.construct() != StaticRules::PACKAGE_LEVEL_MUTABLE &&
       forbidden.construct() != StaticRules::ANY_TYPED_FIELD);
  if (incomplete) {
    StaticRuleResult result = Passed(std::move(rule));
    result.reason = "rubric error: the forbidden construct is incomplete; rule ignored";
    return result;
  }
  if (violations.empty()) return Passed(std::move(rule));
  return Broken(std::move(rule), violations, forbidden.message());
}

// Splits "file:line:col: message" (line and column optional).
Violation ParseErrorPosition(absl::string_view text) {
  Violation violation;
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  for (size_t i = 1; i < parts.size(); ++i) {
    int line = 0;
    if (!absl::SimpleAtoi(parts[i], &line) || line <= 0 || absl::StrContains(parts[i], ' ')) {
      continue;
    }
    violation.file = absl::StrJoin(parts.begin(), parts.begin() + i, ":");
    violation.line = line;
    size_t rest = i + 1;
    int column = 0;
    if (rest < parts.size() && absl::SimpleAtoi(parts[rest], &column) && column > 0 &&
        !absl::StrContains(parts[rest], ' ')) {
      violation.column = column;
      ++rest;
    }
    violation.what = std::string(absl::StripAsciiWhitespace(
        absl::StrJoin(parts.begin() + std::min(rest, parts.size()), parts.end(), ":")));
    return violation;
  }
  const size_t colon = text.find(": ");
  if (colon == absl::string_view::npos) {
    violation.what = std::string(text);
  } else {
    violation.file = std::string(text.substr(0, colon));
    violation.what = std::string(absl::StripAsciiWhitespace(text.substr(colon + 2)));
  }
  return violation;
}

// Appends one failed result per violation of an integrity rule, at most
// kMaxFlagsPerKind of them and then one summing up the rest.
void AddIntegrityViolations(absl::string_view kind, const std::vector<Violation>& violations,
                            std::vector<StaticRuleResult>* results) {
  for (size_t i = 0; i < violations.size(); ++i) {
    StaticRuleResult result;
    result.rule = absl::StrCat("integrity.", kind);
    if (i == kMaxFlagsPerKind) {
      result.reason = absl::StrCat(kind, ": ", violations.size() - i, " more");
      results->push_back(std::move(result));
      return;
    }
    const Violation& v = violations[i];
    result.reason = absl::StrCat(kind, ": ", PositionPrefix(v.file, v.line), v.what);
    result.annotations.push_back(
        MakeAnnotation(v.file, v.line, v.column, v1::ERROR, v.what, "integrity"));
    results->push_back(std::move(result));
  }
}

}  // namespace

absl::StatusOr<InspectorFacts> ParseInspectorFacts(absl::string_view text) {
  json document;
  try {
    document = json::parse(text.data(), text.data() + text.size());
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("inspector facts: ", e.what()));
  }
  if (!document.is_object()) return TypeError("document", "an object");
  InspectorFacts facts;
  RETURN_IF_ERROR(Read(document, "module", "document", &facts.module));
  if (Member(document, "packages") == nullptr) return TypeError("document.packages", "an array");
  RETURN_IF_ERROR(ReadList(document, "packages", "document", &facts.packages));
  return facts;
}

std::vector<StaticRuleResult> EvaluateStaticRules(const InspectorFacts& facts,
                                                  const StaticRules& rules) {
  std::vector<StaticRuleResult> results;
  for (const StaticRules::Imports& imports : rules.imports()) {
    for (const std::string& path : imports.required()) {
      results.push_back(RequiredImport(facts, imports.package(), path));
    }
    for (const std::string& path : imports.forbidden()) {
      results.push_back(ForbiddenImport(facts, imports.package(), path));
    }
  }
  for (const std::string& identifier : rules.required_identifiers()) {
    results.push_back(RequiredIdentifier(facts, identifier));
  }
  for (const StaticRules::Forbidden& forbidden : rules.forbidden()) {
    results.push_back(ForbiddenConstruct(facts, forbidden));
  }
  return results;
}

// Non-test code that could put a relay between the test binary and its
// output (and filter what the grader reads): a dup2 onto fd 1 or 2, or
// writing os.Stdout / os.Stderr. The text of its violation, or "".
std::string OutputRelay(const CallFact& call) {
  static constexpr absl::string_view kDuplicators[] = {"Dup2", "Dup3", "SYS_DUP2", "SYS_DUP3"};
  for (absl::string_view package : {"syscall", "golang.org/x/sys/unix"}) {
    for (absl::string_view member : kDuplicators) {
      if (call.target == absl::StrCat(package, ".", member)) {
        return absl::StrCat(call.kind == "call" ? "calls " : "uses ", call.target,
                            ", which can redirect the test binary's output");
      }
    }
  }
  if (call.kind == "write" && (call.target == "os.Stdout" || call.target == "os.Stderr")) {
    return absl::StrCat("assigns ", call.target, " (or takes its address)");
  }
  return "";
}

std::vector<StaticRuleResult> EvaluateIntegrityRules(const InspectorFacts& facts,
                                                     const Exercise& exercise) {
  std::vector<Violation> testing_imports, output_relays, linknames, cgo, parse_errors;
  for (const PackageFacts& package : facts.packages) {
    for (const CallFact& call : package.calls) {
      if (call.test) continue;
      if (std::string relay = OutputRelay(call); !relay.empty()) {
        output_relays.push_back({call.file, call.line, call.column, std::move(relay)});
      }
    }
    for (const ImportFact& import : package.imports) {
      if (!import.test && import.path == "testing") {
        testing_imports.push_back(
            {import.file, import.line, 0, "non-test code imports \"testing\""});
      }
    }
    for (const LinknameFact& linkname : package.linknames) {
      linknames.push_back({linkname.file, linkname.line, 0,
                           linkname.text.empty() ? "//go:linkname directive" : linkname.text});
    }
    for (const CgoFact& import : package.cgo) {
      cgo.push_back({import.file, import.line, 0, "imports \"C\" (cgo)"});
    }
    for (const std::string& error : package.parse_errors) {
      parse_errors.push_back(ParseErrorPosition(error));
    }
  }
  std::vector<StaticRuleResult> results;
  if (!exercise.allow_testing_import()) {
    AddIntegrityViolations("testing_import", testing_imports, &results);
  }
  if (!exercise.allow_output_redirect()) {
    AddIntegrityViolations("output_relay", output_relays, &results);
  }
  if (!exercise.allow_linkname()) AddIntegrityViolations("linkname", linknames, &results);
  if (!exercise.allow_cgo()) AddIntegrityViolations("cgo", cgo, &results);
  AddIntegrityViolations("parse_error", parse_errors, &results);
  return results;
}

}  // namespace gograder::core
