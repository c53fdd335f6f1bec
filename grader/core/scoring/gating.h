// Gates of the scoring model: a criterion that judges a quality of working
// code (race freedom, speed, allocations, style) earns nothing unless the
// tests of that code pass. Pure functions over already scored criteria.
#ifndef GOGRADER_GRADER_CORE_SCORING_GATING_H_
#define GOGRADER_GRADER_CORE_SCORING_GATING_H_

#include <map>
#include <string>
#include <vector>

#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {

// The style scaling in force: the exercise's, else the phase's, else BY_TEST_POINTS.
gograder::v1::StyleScaling EffectiveStyleScaling(const gograder::v1::Exercise& exercise,
                                                 const gograder::v1::Phase& phase);

// Why `criterion`'s `requires_tests` are not met, one entry per failing
// group, given the criteria scored so far (by id) and the hidden test
// results by name; empty when every required test passed.
std::vector<std::string> UnmetRequirements(
    const gograder::v1::Exercise& exercise, const gograder::v1::Criterion& criterion,
    const std::map<std::string, gograder::v1::CriterionResult>& scored,
    const std::map<std::string, gograder::v1::TestResult>& tests);

// Applies the gates to `results`, one per criterion of `exercise` in the same
// order: first each criterion's `requires_tests` (every test of every named group
// must have passed, per `tests` by name), then, with BY_TEST_POINTS, scales
// vet, gofmt and static-rule points by the share of behaviour test-group
// points earned. Each withheld point is explained in the reason.
void ApplyGates(const gograder::v1::Exercise& exercise, gograder::v1::StyleScaling scaling,
                const std::map<std::string, gograder::v1::TestResult>& tests,
                std::vector<gograder::v1::CriterionResult>& results);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SCORING_GATING_H_
