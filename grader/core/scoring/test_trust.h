// What a run of hidden tests proves: the trust policy of the grading, as
// pure functions over parsed test2json output (no sandbox, no files).
//
// A result is trusted from a run whose output carries the binary's secret
// line (it ran to the end: not cut short, not replaced by forged output). A
// test that reports twice or starts while another runs is DUPLICATED and
// flagged. From a run that did not complete, a test that hung or crashed the
// binary counts as failed and the others are rerun one per run; a lone test
// that failed is its own evidence.
#ifndef GOGRADER_GRADER_CORE_SCORING_TEST_TRUST_H_
#define GOGRADER_GRADER_CORE_SCORING_TEST_TRUST_H_

#include <map>
#include <string>
#include <vector>

#include "grader/core/go_output/test_events.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {

// The outcome of one or more runs of hidden tests.
struct HiddenRun {
  std::map<std::string, gograder::v1::TestResult> results;  // by test name
  std::vector<std::string> flags;
  std::string combined_output;            // all test output, for race detection
  std::vector<std::string> uncompilable;  // hidden files that do not compile, with why
  std::string limit;                      // a limit verdict that cut a run short, if any
  // Tests whose binary never completed, even when they ran alone: nothing
  // they printed can be trusted (forged output, os.Exit).
  std::vector<std::string> unverified;
};

// One run of the test binary, as the grading saw it.
struct TestPass {
  std::vector<std::string> tests;  // the names asked for (-test.run)
  std::string label;               // the step's label, for flags
  TestRun parsed;                  // its test2json output
  std::string nonce_line;          // the line the binary prints once m.Run returned
  bool exited_ok = false;          // the run's verdict was OK
  std::string limit;               // why a limit cut it short; empty when none did
};

// Adds what `pass` proves to `run` (results, flags, output, limit) and the
// names of the tests it cannot vouch for, to be rerun alone, to `untrusted`.
void JudgeTestPass(const TestPass& pass, HiddenRun& run, std::vector<std::string>& untrusted);

// Settles a test whose lone rerun could not vouch for it either: it failed,
// and it is unverified.
void SettleUnverified(const std::string& test, HiddenRun& run);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SCORING_TEST_TRUST_H_
