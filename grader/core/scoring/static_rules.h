// Static rules of a submission, checked on the facts the Go inspector
// (grader/inspector, built as gograder-inspector) prints for a module: the
// exercise's StaticRules criterion (imports per package, required exported
// identifiers, forbidden constructs in non-test code) and the integrity rules
// every exercise enforces (no "testing" in non-test code, no //go:linkname,
// no cgo, every file parses).
//
// The inspector runs on the student's module (in the sandbox, STATIC step) and
// writes one JSON document; ParseInspectorFacts reads it back and the two
// Evaluate functions turn it into per-rule results with student-readable
// reasons and annotations. Every file path is relative to the module root.
#ifndef GOGRADER_GRADER_CORE_SCORING_STATIC_RULES_H_
#define GOGRADER_GRADER_CORE_SCORING_STATIC_RULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {

// One import spec ("name" is the explicit name: "", "_", "." or an alias).
struct ImportFact {
  std::string path;
  std::string name;
  std::string file;
  int line = 0;
  bool test = false;
};

// A use of a member of an imported package: target is "<import path>.<name>"
// ("time.Sleep"); kind is "call" (called or converted to) or "ref" (any other
// use, e.g. the method value `f := time.Sleep`).
struct CallFact {
  std::string target;
  std::string kind;
  std::string file;
  int line = 0;
  int column = 0;
  bool test = false;
};

// A package-level variable of map or slice type (kind "map" or "slice").
struct MutableFact {
  std::string name;
  std::string kind;
  std::string file;
  int line = 0;
  bool test = false;
};

// A struct field of type any / interface{} or holding it (map, slice, ...).
// `field` is a dotted path for fields of nested struct types.
struct AnyFieldFact {
  std::string struct_name;
  std::string field;
  std::string file;
  int line = 0;
  bool test = false;
};

// A //go:linkname directive.
struct LinknameFact {
  std::string text;
  std::string file;
  int line = 0;
  bool test = false;
};

// An import of "C".
struct CgoFact {
  std::string file;
  int line = 0;
  bool test = false;
};

// The facts of one directory of the module ("." for the root).
struct PackageFacts {
  std::string dir;
  std::string name;
  std::vector<std::string> files;       // non-test .go files
  std::vector<std::string> test_files;  // _test.go files
  std::vector<ImportFact> imports;
  // Exported identifiers of the non-test files: "Crawl", "Cache.Get",
  // "Options.MaxDepth".
  std::vector<std::string> exported;
  std::vector<CallFact> calls;
  std::vector<MutableFact> package_mutables;
  std::vector<AnyFieldFact> any_fields;
  std::vector<LinknameFact> linknames;
  std::vector<CgoFact> cgo;
  std::vector<std::string> parse_errors;  // "file:line:col: message"
};

// Everything the inspector reports about a module.
struct InspectorFacts {
  std::string module;  // the go.mod module path, "" without one
  std::vector<PackageFacts> packages;
};

// The outcome of one rule. `reason` says why a rule is broken (empty when it
// holds); for integrity results it is the flag for GradeReport.flags.
struct StaticRuleResult {
  std::string rule;
  bool passed = false;
  std::string reason;
  std::vector<gograder::v1::Annotation> annotations;
};

// Parses the inspector's JSON output. Missing lists and fields take their
// defaults; a value of the wrong type is an InvalidArgument error naming it.
absl::StatusOr<InspectorFacts> ParseInspectorFacts(absl::string_view json);

// Evaluates each rule of `rules` on the non-test files: one result per
// required import, forbidden import, required identifier and forbidden
// construct, in that order (each rule is an equal share of the criterion).
// Imports.package selects directories: "." the root, "./..." every package
// (a required import is then needed in at least one), "sub" or "./sub" that
// directory, "./sub/..." it and those below. A forbidden import ending in
// "/..." is a prefix. A CALL target may end in "*" ("log.Print*"). Broken
// rules carry a WARNING annotation (source "static") per violation.
std::vector<StaticRuleResult> EvaluateStaticRules(const InspectorFacts& facts,
                                                  const gograder::v1::StaticRules& rules);

// Evaluates the integrity rules every exercise enforces and returns one
// failed result per violation (none for a clean module): non-test code
// importing "testing" (unless exercise.allow_testing_import), //go:linkname in
// any file (unless allow_linkname), import "C" in any file (unless allow_cgo)
// and files that do not parse. `rule` is "integrity.<kind>", `reason` the
// flag ("linkname: x.go:5: //go:linkname ...") and the single annotation an
// ERROR with source "integrity".
std::vector<StaticRuleResult> EvaluateIntegrityRules(const InspectorFacts& facts,
                                                     const gograder::v1::Exercise& exercise);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SCORING_STATIC_RULES_H_
