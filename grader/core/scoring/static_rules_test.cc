#include "grader/core/scoring/static_rules.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::Annotation;
using ::gograder::v1::Exercise;
using ::gograder::v1::StaticRules;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Property;
using ::testing::SizeIs;

StaticRules Rules(const std::string& text) {
  StaticRules rules;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &rules)) << text;
  return rules;
}

InspectorFacts Facts(const std::string& json) {
  absl::StatusOr<InspectorFacts> facts = ParseInspectorFacts(json);
  EXPECT_TRUE(facts.ok()) << facts.status();
  return facts.ok() ? *facts : InspectorFacts{};
}

// Runs the real inspector binary on `dir` and parses its output.
absl::StatusOr<InspectorFacts> RunInspector(const fs::path& dir) {
  const std::string command = absl::StrCat("'", GOGRADER_INSPECTOR_PATH, "' '", dir.string(), "'");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen failed");
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(command, " exited with status ", status));
  }
  return ParseInspectorFacts(output);
}

InspectorFacts InspectTestdata(const std::string& name) {
  absl::StatusOr<InspectorFacts> facts =
      RunInspector(fs::path(GOGRADER_STATIC_RULES_TESTDATA) / name);
  EXPECT_TRUE(facts.ok()) << facts.status();
  return facts.ok() ? *facts : InspectorFacts{};
}

std::vector<std::string> FailedReasons(const std::vector<StaticRuleResult>& results) {
  std::vector<std::string> reasons;
  for (const StaticRuleResult& result : results) {
    if (!result.passed) reasons.push_back(result.reason);
  }
  return reasons;
}

auto Passing(const std::string& rule) {
  return AllOf(Field(&StaticRuleResult::rule, rule), Field(&StaticRuleResult::passed, true),
               Field(&StaticRuleResult::reason, ""));
}

auto Failing(const std::string& rule, const std::string& reason) {
  return AllOf(Field(&StaticRuleResult::rule, rule), Field(&StaticRuleResult::passed, false),
               Field(&StaticRuleResult::reason, reason));
}

auto AnnotationAt(const std::string& file, int line, const std::string& message) {
  return AllOf(Property(&Annotation::file, file), Property(&Annotation::line, line),
               Property(&Annotation::message, message));
}

// ---------------------------------------------------------------------------
// ParseInspectorFacts

TEST(ParseInspectorFactsTest, ReadsEveryField) {
  const InspectorFacts facts = Facts(R"json({
    "module": "example.com/m",
    "packages": [{
      "dir": ".", "name": "m", "files": ["a.go"], "test_files": ["a_test.go"],
      "imports": [{"path": "time", "name": "t", "file": "a.go", "line": 3, "test": false}],
      "exported": ["Crawl", "Cache.Get"],
      "calls": [{"target": "time.Sleep", "kind": "call", "file": "a.go", "line": 9, "col": 2,
                 "test": true}],
      "package_mutables": [{"name": "m", "kind": "map", "file": "a.go", "line": 5,
                            "test": false}],
      "any_fields": [{"struct": "Set", "field": "items", "file": "a.go", "line": 7,
                      "test": false}],
      "linknames": [{"text": "//go:linkname f runtime.f", "file": "a.go", "line": 11,
                     "test": true}],
      "cgo": [{"file": "a.go", "line": 4, "test": false}],
      "parse_errors": ["a.go:1:1: expected 'package'"],
      "unknown_future_field": 1
    }]})json");
  EXPECT_EQ(facts.module, "example.com/m");
  ASSERT_THAT(facts.packages, SizeIs(1));
  const PackageFacts& p = facts.packages[0];
  EXPECT_EQ(p.dir, ".");
  EXPECT_EQ(p.name, "m");
  EXPECT_THAT(p.files, ElementsAre("a.go"));
  EXPECT_THAT(p.test_files, ElementsAre("a_test.go"));
  ASSERT_THAT(p.imports, SizeIs(1));
  EXPECT_EQ(p.imports[0].path, "time");
  EXPECT_EQ(p.imports[0].name, "t");
  EXPECT_EQ(p.imports[0].line, 3);
  EXPECT_THAT(p.exported, ElementsAre("Crawl", "Cache.Get"));
  ASSERT_THAT(p.calls, SizeIs(1));
  EXPECT_EQ(p.calls[0].target, "time.Sleep");
  EXPECT_EQ(p.calls[0].kind, "call");
  EXPECT_EQ(p.calls[0].column, 2);
  EXPECT_TRUE(p.calls[0].test);
  ASSERT_THAT(p.package_mutables, SizeIs(1));
  EXPECT_EQ(p.package_mutables[0].kind, "map");
  ASSERT_THAT(p.any_fields, SizeIs(1));
  EXPECT_EQ(p.any_fields[0].struct_name, "Set");
  EXPECT_EQ(p.any_fields[0].field, "items");
  ASSERT_THAT(p.linknames, SizeIs(1));
  EXPECT_TRUE(p.linknames[0].test);
  ASSERT_THAT(p.cgo, SizeIs(1));
  EXPECT_EQ(p.cgo[0].line, 4);
  EXPECT_THAT(p.parse_errors, ElementsAre("a.go:1:1: expected 'package'"));
}

TEST(ParseInspectorFactsTest, MissingAndNullListsAreEmpty) {
  const InspectorFacts facts =
      Facts(R"({"module": "m", "packages": [{"dir": "sub", "calls": null}]})");
  ASSERT_THAT(facts.packages, SizeIs(1));
  EXPECT_EQ(facts.packages[0].dir, "sub");
  EXPECT_THAT(facts.packages[0].calls, IsEmpty());
  EXPECT_THAT(facts.packages[0].files, IsEmpty());
}

TEST(ParseInspectorFactsTest, RejectsMalformedDocuments) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "inspector facts"},
      {"", "inspector facts"},
      {"[]", "document: expected an object"},
      {R"({"module": "m"})", "document.packages: expected an array"},
      {R"({"packages": {}})", "document.packages: expected an array"},
      {R"({"packages": [{}]})", "document.packages[0].dir"},
      {R"({"packages": [{"dir": ".", "calls": [{"target": "t.S", "line": "3"}]}]})",
       "document.packages[0].calls[0].line: expected a non-negative 32-bit integer"},
      {R"({"packages": [{"dir": ".", "imports": [{"path": "x", "line": -1}]}]})",
       "document.packages[0].imports[0].line"},
      {R"({"packages": [{"dir": ".", "imports": [{"file": "a.go"}]}]})",
       "document.packages[0].imports[0].path"},
      {R"({"packages": [{"dir": ".", "exported": [1]}]})",
       "document.packages[0].exported[0]: expected a string"},
      {R"({"packages": [{"dir": ".", "cgo": [{"test": "yes"}]}]})",
       "document.packages[0].cgo[0].test: expected a boolean"},
      {R"({"packages": [{"dir": ".", "linknames": ["x"]}]})",
       "document.packages[0].linknames[0]: expected an object"},
  };
  for (const auto& [json, want] : cases) {
    absl::StatusOr<InspectorFacts> facts = ParseInspectorFacts(json);
    ASSERT_FALSE(facts.ok()) << json;
    EXPECT_THAT(facts, StatusIs(absl::StatusCode::kInvalidArgument)) << json;
    EXPECT_THAT(std::string(facts.status().message()), HasSubstr(want)) << json;
  }
}

// ---------------------------------------------------------------------------
// EvaluateStaticRules on hand-written facts

// A module with a root package, ./ws, ./ws/frame and a test-only ./e2e.
constexpr char kLayout[] = R"json({"module": "example.com/chat", "packages": [
  {"dir": ".", "name": "chat", "files": ["hub.go"], "test_files": ["hub_test.go"],
   "imports": [{"path": "context", "file": "hub.go", "line": 3},
               {"path": "reflect", "file": "hub_test.go", "line": 4, "test": true},
               {"path": "example.com/chat/ws", "file": "hub.go", "line": 4}],
   "exported": ["Hub", "Hub.Join", "NewHub"],
   "calls": [{"target": "time.Sleep", "kind": "call", "file": "hub.go", "line": 14, "col": 3},
             {"target": "time.Sleep", "kind": "ref", "file": "hub.go", "line": 20, "col": 9},
             {"target": "log.Printf", "kind": "call", "file": "hub.go", "line": 22, "col": 2},
             {"target": "log/slog.Info", "kind": "call", "file": "hub.go", "line": 23, "col": 2},
             {"target": "time.Sleep", "kind": "call", "file": "hub_test.go", "line": 9, "col": 2,
              "test": true}],
   "package_mutables": [{"name": "rooms", "kind": "map", "file": "hub.go", "line": 8},
                        {"name": "golden", "kind": "slice", "file": "hub_test.go", "line": 6,
                         "test": true}],
   "any_fields": [{"struct": "Hub", "field": "state", "file": "hub.go", "line": 11}]},
  {"dir": "ws", "name": "ws", "files": ["ws/ws.go"],
   "imports": [{"path": "crypto/sha1", "file": "ws/ws.go", "line": 3},
               {"path": "github.com/gorilla/websocket", "file": "ws/ws.go", "line": 4}]},
  {"dir": "ws/frame", "name": "frame", "files": ["ws/frame/frame.go"],
   "imports": [{"path": "example.com/chat", "file": "ws/frame/frame.go", "line": 5},
               {"path": "github.com/gorilla", "file": "ws/frame/frame.go", "line": 6}]},
  {"dir": "e2e", "name": "e2e", "test_files": ["e2e/e2e_test.go"],
   "imports": [{"path": "net/http/httptest", "file": "e2e/e2e_test.go", "line": 3,
                "test": true}]}
]})json";

TEST(EvaluateStaticRulesTest, OneResultPerRuleInOrder) {
  const std::vector<StaticRuleResult> results = EvaluateStaticRules(
      Facts(kLayout), Rules(R"pb(
        imports { package: "." required: "context" required: "iter" forbidden: "reflect" }
        required_identifiers: "NewHub"
        required_identifiers: "Hub.Leave"
        forbidden { construct: CALL target: "time.Sleep" message: "use a timer or context instead" }
      )pb"));
  EXPECT_THAT(
      results,
      ElementsAre(Passing("imports \"context\""),
                  Failing("imports \"iter\"", "package chat does not import \"iter\""),
                  Passing("does not import \"reflect\""),  // only the test file imports it
                  Passing("declares NewHub"),
                  Failing("declares Hub.Leave",
                          "package chat does not declare Hub.Leave (exported, in a "
                          "non-test file)"),
                  Failing("no time.Sleep in non-test code",
                          "hub.go:14: calls time.Sleep (and 1 more); use a timer or context "
                          "instead")));
  // A missing import has no line; its annotation is anchored to the package.
  EXPECT_THAT(results[1].annotations,
              ElementsAre(AnnotationAt("hub.go", 0, "package chat does not import \"iter\"")));
}

TEST(EvaluateStaticRulesTest, PackagePatterns) {
  const InspectorFacts facts = Facts(kLayout);
  auto evaluate = [&](const std::string& text) {
    std::vector<StaticRuleResult> results = EvaluateStaticRules(facts, Rules(text));
    EXPECT_THAT(results, SizeIs(1)) << text;
    return results.empty() ? StaticRuleResult{} : results[0];
  };
  // A directory: "ws" and "./ws" are the same, and do not include ws/frame.
  EXPECT_TRUE(evaluate(R"pb(imports { package: "ws" required: "crypto/sha1" })pb").passed);
  EXPECT_TRUE(evaluate(R"pb(imports { package: "./ws" required: "crypto/sha1" })pb").passed);
  EXPECT_THAT(evaluate(R"pb(imports { package: "ws/frame" required: "crypto/sha1" })pb"),
              Failing("imports \"crypto/sha1\" in ./ws/frame",
                      "package frame (./ws/frame) does not import "
                      "\"crypto/sha1\""));
  EXPECT_TRUE(evaluate(R"pb(imports { package: "./ws" forbidden: "example.com/chat" })pb").passed);
  EXPECT_THAT(evaluate(R"pb(imports { package: "./ws/..." forbidden: "example.com/chat" })pb"),
              Failing("does not import \"example.com/chat\" in ./ws/...",
                      "ws/frame/frame.go:5: imports \"example.com/chat\", which this exercise "
                      "forbids"));
  // "./..." requires the import somewhere and forbids it everywhere.
  EXPECT_TRUE(evaluate(R"pb(imports { package: "./..." required: "crypto/sha1" })pb").passed);
  EXPECT_THAT(evaluate(R"pb(imports { package: "./..." required: "iter" })pb"),
              Failing("imports \"iter\" in ./...", "no package in ./... imports \"iter\""));
  // The test-only directory is not a package that can satisfy or miss a rule.
  EXPECT_THAT(evaluate(R"pb(imports { package: "e2e" required: "net/http/httptest" })pb"),
              Failing("imports \"net/http/httptest\" in ./e2e",
                      "there is no Go package in ./e2e; it must import \"net/http/httptest\""));
  EXPECT_THAT(evaluate(R"pb(imports { package: "missing" required: "x" })pb"),
              Failing("imports \"x\" in ./missing",
                      "there is no Go package in ./missing; it must import \"x\""));
  EXPECT_TRUE(evaluate(R"pb(imports { package: "missing" forbidden: "x" })pb").passed);
}

TEST(EvaluateStaticRulesTest, ForbiddenPrefixes) {
  const std::vector<StaticRuleResult> results =
      EvaluateStaticRules(Facts(kLayout), Rules(R"pb(
                            imports {
                              package: "./..."
                              forbidden: "github.com/gorilla/..."
                              forbidden: "github.com/gorilla/websocket/..."
                              forbidden: "github.com/gor/..."
                              forbidden: "golang.org/x/net/..."
                            }
                          )pb"));
  ASSERT_THAT(results, SizeIs(4));
  EXPECT_THAT(results[0], Failing("does not import \"github.com/gorilla/...\" in ./...",
                                  "ws/ws.go:4: imports \"github.com/gorilla/websocket\", which "
                                  "this exercise forbids (and 1 more)"));
  EXPECT_THAT(results[0].annotations,
              ElementsAre(AnnotationAt("ws/ws.go", 4,
                                       "imports \"github.com/gorilla/websocket\", which this "
                                       "exercise forbids"),
                          AnnotationAt("ws/frame/frame.go", 6,
                                       "imports \"github.com/gorilla\", which this exercise "
                                       "forbids")));
  EXPECT_FALSE(results[1].passed);  // the prefix matches the path itself
  EXPECT_TRUE(results[2].passed);   // "github.com/gor/" is not a prefix of "gorilla"
  EXPECT_TRUE(results[3].passed);
}

TEST(EvaluateStaticRulesTest, ForbiddenConstructs) {
  const std::vector<StaticRuleResult> results = EvaluateStaticRules(
      Facts(kLayout), Rules(R"pb(
        forbidden { construct: CALL target: "time.Sleep" message: "use a timer or context instead" }
        forbidden { construct: CALL target: "log.Print*" message: "use log/slog" }
        forbidden { construct: CALL target: "os.Exit" }
        forbidden { construct: PACKAGE_LEVEL_MUTABLE message: "keep state in a struct" }
        forbidden { construct: ANY_TYPED_FIELD }
      )pb"));
  ASSERT_THAT(results, SizeIs(5));
  EXPECT_EQ(results[0].reason,
            "hub.go:14: calls time.Sleep (and 1 more); use a timer or context instead");
  ASSERT_THAT(results[0].annotations, SizeIs(2));  // the test file's call is allowed
  EXPECT_THAT(results[0].annotations[1],
              AnnotationAt("hub.go", 20, "uses time.Sleep; use a timer or context instead"));
  EXPECT_EQ(results[0].annotations[1].column(), 9);
  EXPECT_EQ(results[0].annotations[1].severity(), v1::WARNING);
  EXPECT_EQ(results[0].annotations[1].source(), "static");
  EXPECT_THAT(results[1], Failing("no log.Print* in non-test code",
                                  "hub.go:22: calls log.Printf; use log/slog"));
  EXPECT_THAT(results[2], Passing("no os.Exit in non-test code"));
  EXPECT_THAT(results[3],
              Failing("no package-level mutable map or slice",
                      "hub.go:8: package-level variable rooms is a mutable map; keep state in a "
                      "struct"));
  EXPECT_THAT(results[4], Failing("no struct field of type any",
                                  "hub.go:11: field Hub.state is typed with any/interface{}"));
}

TEST(EvaluateStaticRulesTest, IncompleteRulesAreIgnored) {
  const std::vector<StaticRuleResult> results =
      EvaluateStaticRules(Facts(kLayout), Rules(R"pb(
                            forbidden { construct: CALL }
                            forbidden { target: "time.Sleep" }
                          )pb"));
  ASSERT_THAT(results, SizeIs(2));
  for (const StaticRuleResult& result : results) {
    EXPECT_TRUE(result.passed);
    EXPECT_THAT(result.reason, HasSubstr("rubric error"));
  }
}

TEST(EvaluateStaticRulesTest, NoRootPackage) {
  const InspectorFacts facts = Facts(R"({"module": "m", "packages": []})");
  EXPECT_THAT(EvaluateStaticRules(facts, Rules(R"pb(
                                    imports { package: "." required: "context" }
                                    required_identifiers: "Crawl"
                                  )pb")),
              ElementsAre(Failing("imports \"context\"",
                                  "there is no Go package at the root; it must import "
                                  "\"context\""),
                          Failing("declares Crawl",
                                  "there is no Go package at the root; it must declare Crawl")));
}

TEST(EvaluateStaticRulesTest, AnnotationsAreCapped) {
  std::string calls;
  for (int line = 1; line <= 30; ++line) {
    absl::StrAppend(&calls, line > 1 ? "," : "",
                    R"({"target": "time.Sleep", "kind": "call", "file": "a.go", "line": )", line,
                    "}");
  }
  const InspectorFacts facts = Facts(
      absl::StrCat(R"({"packages": [{"dir": ".", "files": ["a.go"], "calls": [)", calls, "]}]}"));
  const std::vector<StaticRuleResult> results = EvaluateStaticRules(
      facts, Rules(R"pb(forbidden { construct: CALL target: "time.Sleep" })pb"));
  ASSERT_THAT(results, SizeIs(1));
  EXPECT_EQ(results[0].reason, "a.go:1: calls time.Sleep (and 29 more)");
  EXPECT_THAT(results[0].annotations, SizeIs(20));
}

// ---------------------------------------------------------------------------
// EvaluateIntegrityRules on hand-written facts

constexpr char kTampered[] = R"json({"module": "m", "packages": [
  {"dir": ".", "files": ["a.go"], "test_files": ["a_test.go"],
   "imports": [{"path": "testing", "file": "a.go", "line": 4},
               {"path": "testing", "file": "a_test.go", "line": 3, "test": true},
               {"path": "testing/fstest", "file": "a.go", "line": 5}],
   "linknames": [{"text": "//go:linkname now runtime.nanotime", "file": "a_test.go",
                  "line": 9, "test": true}],
   "calls": [{"target": "syscall.Dup2", "kind": "call", "file": "r.go", "line": 7, "col": 2},
             {"target": "os.Stdout", "kind": "write", "file": "r.go", "line": 8, "col": 2},
             {"target": "os.Stdout", "kind": "ref", "file": "r.go", "line": 9, "col": 14},
             {"target": "os.Stderr", "kind": "write", "file": "a_test.go", "line": 5,
              "col": 2, "test": true}],
   "cgo": [{"file": "c.go", "line": 6}],
   "parse_errors": ["b.go:3:14: expected ')', found '{'",
                    "link.go: not a regular file; not inspected"]}
]})json";

TEST(EvaluateIntegrityRulesTest, FlagsEachViolation) {
  const std::vector<StaticRuleResult> results =
      EvaluateIntegrityRules(Facts(kTampered), Exercise());
  EXPECT_THAT(
      results,
      ElementsAre(Failing("integrity.testing_import",
                          "testing_import: a.go:4: non-test code imports \"testing\""),
                  Failing("integrity.output_relay",
                          "output_relay: r.go:7: calls syscall.Dup2, which can redirect the "
                          "test binary's output"),
                  Failing("integrity.output_relay",
                          "output_relay: r.go:8: assigns os.Stdout (or takes its address)"),
                  Failing("integrity.linkname",
                          "linkname: a_test.go:9: //go:linkname now runtime.nanotime"),
                  Failing("integrity.cgo", "cgo: c.go:6: imports \"C\" (cgo)"),
                  Failing("integrity.parse_error", "parse_error: b.go:3: expected ')', found '{'"),
                  Failing("integrity.parse_error",
                          "parse_error: link.go: not a regular file; not inspected")));
  for (const StaticRuleResult& result : results) {
    ASSERT_THAT(result.annotations, SizeIs(1)) << result.rule;
    EXPECT_EQ(result.annotations[0].severity(), v1::ERROR);
    EXPECT_EQ(result.annotations[0].source(), "integrity");
  }
  EXPECT_THAT(results[5].annotations[0], AnnotationAt("b.go", 3, "expected ')', found '{'"));
  EXPECT_EQ(results[5].annotations[0].column(), 14);
  EXPECT_THAT(results[6].annotations[0],
              AnnotationAt("link.go", 0, "not a regular file; not inspected"));
}

TEST(EvaluateIntegrityRulesTest, ExerciseAllowances) {
  Exercise exercise;
  exercise.set_allow_testing_import(true);
  exercise.set_allow_linkname(true);
  exercise.set_allow_cgo(true);
  exercise.set_allow_output_redirect(true);
  EXPECT_THAT(FailedReasons(EvaluateIntegrityRules(Facts(kTampered), exercise)),
              ElementsAre(HasSubstr("b.go:3"), HasSubstr("link.go")));
  EXPECT_THAT(EvaluateIntegrityRules(Facts(kLayout), Exercise()), IsEmpty());
}

TEST(EvaluateIntegrityRulesTest, FlagsAreCappedPerKind) {
  std::string errors;
  for (int line = 1; line <= 14; ++line) {
    absl::StrAppend(&errors, line > 1 ? "," : "", "\"a.go:", line, ":1: bad\"");
  }
  const std::vector<StaticRuleResult> results = EvaluateIntegrityRules(
      Facts(absl::StrCat(R"({"packages": [{"dir": ".", "parse_errors": [)", errors, "]}]}")),
      Exercise());
  ASSERT_THAT(results, SizeIs(11));
  EXPECT_EQ(results[9].reason, "parse_error: a.go:10: bad");
  EXPECT_EQ(results[10].reason, "parse_error: 4 more");
}

// ---------------------------------------------------------------------------
// The real inspector on the modules of testdata/static_rules and the rule sets
// of the catalog.

// phase1/concurrent-web-scraper: imports context; no time.Sleep in non-test
// files; no package-level mutable maps or slices.
constexpr char kScraperRules[] = R"pb(
  imports { package: "." required: "context" }
  required_identifiers: "Crawl"
  required_identifiers: "ExtractLinks"
  required_identifiers: "Options.PerHost"
  forbidden { construct: CALL target: "time.Sleep" message: "use a timer or context instead" }
  forbidden {
    construct: PACKAGE_LEVEL_MUTABLE
    message: "keep crawl state inside Crawl, shared only through its goroutines"
  }
)pb";

// phase2/high-performance-cache: forbid x/sync/singleflight and reflect.
constexpr char kCacheRules[] = R"pb(
  imports { package: "./..." forbidden: "golang.org/x/sync/singleflight" forbidden: "reflect" }
  required_identifiers: "New"
  required_identifiers: "Cache.Get"
  required_identifiers: "Cache.GetOrLoad"
)pb";

// phase3/generic-collections: forbid reflect, container/list, container/heap
// and sort; require iter; no collection stores elements in an any field.
constexpr char kCollectionsRules[] = R"pb(
  imports {
    package: "./..."
    forbidden: "reflect"
    forbidden: "container/list"
    forbidden: "container/heap"
    forbidden: "sort"
  }
  imports { package: "." required: "iter" }
  forbidden {
    construct: ANY_TYPED_FIELD
    message: "store elements with the type parameter, not any"
  }
)pb";

// phase1/realtime-chat-server: forbid other websocket modules; ws imports
// crypto/sha1 and not chat.
constexpr char kChatRules[] = R"pb(
  imports {
    package: "./..."
    forbidden: "golang.org/x/net/websocket"
    forbidden: "github.com/gorilla/..."
    forbidden: "github.com/coder/websocket/..."
  }
  imports {
    package: "ws"
    required: "crypto/sha1"
    forbidden: "example.com/realtime-chat-server/chat"
  }
)pb";

TEST(StaticRulesWithInspectorTest, ScraperReferencePasses) {
  const InspectorFacts facts = InspectTestdata("scraper_reference");
  EXPECT_EQ(facts.module, "example.com/concurrent-web-scraper");
  const std::vector<StaticRuleResult> results = EvaluateStaticRules(facts, Rules(kScraperRules));
  EXPECT_THAT(results, SizeIs(6));
  EXPECT_THAT(FailedReasons(results), IsEmpty());
  EXPECT_THAT(EvaluateIntegrityRules(facts, Exercise()), IsEmpty());
}

TEST(StaticRulesWithInspectorTest, ScraperSleepyFails) {
  const std::vector<StaticRuleResult> results =
      EvaluateStaticRules(InspectTestdata("scraper_sleepy"), Rules(kScraperRules));
  EXPECT_THAT(FailedReasons(results),
              ElementsAre("package scraper does not declare ExtractLinks (exported, "
                          "in a non-test file)",
                          "package scraper does not declare Options.PerHost "
                          "(exported, in a non-test file)",
                          "scraper.go:32: calls time.Sleep (and 1 more); use a timer or context "
                          "instead",
                          "scraper.go:23: package-level variable visited is a mutable map (and 1 "
                          "more); keep crawl state inside Crawl, shared only through its "
                          "goroutines"));
  ASSERT_THAT(results, SizeIs(6));
  EXPECT_THAT(
      results[4].annotations,
      ElementsAre(
          AnnotationAt("scraper.go", 32, "calls time.Sleep; use a timer or context instead"),
          AnnotationAt("scraper.go", 35, "uses time.Sleep; use a timer or context instead")));
  EXPECT_THAT(results[5].annotations,
              ElementsAre(Property(&Annotation::line, 23), Property(&Annotation::line, 25)));
}

TEST(StaticRulesWithInspectorTest, CacheRules) {
  EXPECT_THAT(
      FailedReasons(EvaluateStaticRules(InspectTestdata("cache_reference"), Rules(kCacheRules))),
      IsEmpty());  // reflect in a test file is allowed
  EXPECT_THAT(
      FailedReasons(EvaluateStaticRules(InspectTestdata("cache_forbidden"), Rules(kCacheRules))),
      ElementsAre("cache.go:9: imports \"golang.org/x/sync/singleflight\", which this "
                  "exercise forbids",
                  "cache.go:6: imports \"reflect\", which this exercise forbids",
                  "package cache does not declare New (exported, in a non-test "
                  "file)"));
}

TEST(StaticRulesWithInspectorTest, GenericCollectionsRules) {
  EXPECT_THAT(FailedReasons(
                  EvaluateStaticRules(InspectTestdata("coll_reference"), Rules(kCollectionsRules))),
              IsEmpty());
  EXPECT_THAT(
      FailedReasons(
          EvaluateStaticRules(InspectTestdata("coll_forbidden"), Rules(kCollectionsRules))),
      ElementsAre("coll.go:5: imports \"container/list\", which this exercise forbids",
                  "coll.go:6: imports \"sort\", which this exercise forbids",
                  "package coll does not import \"iter\"",
                  "coll.go:11: field Set.items is typed with any/interface{} (and 1 more); store "
                  "elements with the type parameter, not any"));
}

TEST(StaticRulesWithInspectorTest, ChatPackageRules) {
  EXPECT_THAT(FailedReasons(EvaluateStaticRules(InspectTestdata("chat_good"), Rules(kChatRules))),
              IsEmpty());
  EXPECT_THAT(
      FailedReasons(EvaluateStaticRules(InspectTestdata("chat_bad"), Rules(kChatRules))),
      ElementsAre(
          "chat/chat.go:4: imports \"golang.org/x/net/websocket\", which this exercise forbids",
          "ws/ws.go:5: imports \"github.com/gorilla/websocket\", which this exercise forbids",
          "package ws (./ws) does not import \"crypto/sha1\"",
          "ws/ws.go:7: imports \"example.com/realtime-chat-server/chat\", which this exercise "
          "forbids"));
}

TEST(StaticRulesWithInspectorTest, TamperingIsFlagged) {
  const InspectorFacts facts = InspectTestdata("tamper");
  EXPECT_THAT(FailedReasons(EvaluateIntegrityRules(facts, Exercise())),
              ElementsAre("testing_import: tamper.go:5: non-test code imports \"testing\"",
                          "linkname: tamper.go:9: //go:linkname runtimeNano runtime.nanotime",
                          "cgo: internal/hook/hook.go:7: imports \"C\" (cgo)"));
  Exercise lenient;
  lenient.set_allow_testing_import(true);
  lenient.set_allow_linkname(true);
  lenient.set_allow_cgo(true);
  EXPECT_THAT(EvaluateIntegrityRules(facts, lenient), IsEmpty());
}

TEST(StaticRulesWithInspectorTest, ParseErrorsAreFlaggedNotFatal) {
  const fs::path dir = fs::temp_directory_path() / absl::StrCat("static_rules_test_", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "go.mod") << "module example.com/broken\n\ngo 1.26\n";
  std::ofstream(dir / "ok.go") << "package broken\n\nimport \"context\"\n\nvar _ context.Context\n";
  std::ofstream(dir / "bad.go") << "package broken\n\nfunc Crawl( {\n";
  absl::StatusOr<InspectorFacts> facts = RunInspector(dir);
  fs::remove_all(dir);
  ASSERT_TRUE(facts.ok()) << facts.status();
  const std::vector<StaticRuleResult> integrity = EvaluateIntegrityRules(*facts, Exercise());
  ASSERT_THAT(integrity, SizeIs(1));
  EXPECT_EQ(integrity[0].rule, "integrity.parse_error");
  EXPECT_THAT(integrity[0].reason, HasSubstr("parse_error: bad.go:3: "));
  EXPECT_THAT(integrity[0].annotations, ElementsAre(Property(&Annotation::file, "bad.go")));
  // The facts of the files that parse are still there.
  EXPECT_THAT(FailedReasons(EvaluateStaticRules(*facts, Rules(R"pb(
                imports { package: "." required: "context" }
              )pb"))),
              IsEmpty());
}

TEST(StaticRulesWithInspectorTest, MissingDirectoryIsAnError) {
  EXPECT_FALSE(RunInspector(fs::path(GOGRADER_STATIC_RULES_TESTDATA) / "no_such_module").ok());
}

}  // namespace
}  // namespace gograder::core
