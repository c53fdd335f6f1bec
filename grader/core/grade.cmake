# Grading: workspaces, scoring and the step pipeline.
add_library(gograder_scoring STATIC ${CMAKE_CURRENT_LIST_DIR}/scoring.cc)
add_library(gograder::scoring ALIAS gograder_scoring)
target_link_libraries(gograder_scoring PUBLIC gograder::grading_proto absl::strings absl::str_format)

add_executable(scoring_test ${CMAKE_CURRENT_LIST_DIR}/scoring_test.cc)
target_link_libraries(scoring_test PRIVATE gograder::scoring gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(scoring_test NO_PRETTY_VALUES)

add_library(gograder_gating STATIC ${CMAKE_CURRENT_LIST_DIR}/gating.cc)
add_library(gograder::gating ALIAS gograder_gating)
target_link_libraries(gograder_gating PUBLIC gograder::grading_proto PRIVATE gograder::scoring absl::strings
                      absl::str_format)

add_executable(gating_test ${CMAKE_CURRENT_LIST_DIR}/gating_test.cc)
target_link_libraries(gating_test PRIVATE gograder::gating gograder::scoring gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(gating_test NO_PRETTY_VALUES)

# The trust policy of hidden test runs and the bookkeeping of benchmark rounds: pure functions.
add_library(gograder_test_trust STATIC ${CMAKE_CURRENT_LIST_DIR}/test_trust.cc ${CMAKE_CURRENT_LIST_DIR}/bench_rounds.cc)
add_library(gograder::test_trust ALIAS gograder_test_trust)
target_link_libraries(gograder_test_trust PUBLIC gograder::go_output gograder::grading_proto absl::status
                      PRIVATE absl::strings)

add_executable(test_trust_test ${CMAKE_CURRENT_LIST_DIR}/test_trust_test.cc ${CMAKE_CURRENT_LIST_DIR}/bench_rounds_test.cc)
target_compile_definitions(test_trust_test PRIVATE
  GOGRADER_GO_OUTPUT_TESTDATA="${CMAKE_CURRENT_LIST_DIR}/testdata/go_output")
target_link_libraries(test_trust_test PRIVATE gograder::test_trust gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(test_trust_test NO_PRETTY_VALUES)

add_library(gograder_grade STATIC
  ${CMAKE_CURRENT_LIST_DIR}/grade.cc
  ${CMAKE_CURRENT_LIST_DIR}/workspace.cc)
add_library(gograder::grade ALIAS gograder_grade)
target_link_libraries(gograder_grade
  PUBLIC gograder::accept gograder::rubric gograder::toolchain gograder::grading_proto absl::status absl::statusor absl::time
  PRIVATE gograder::files gograder::scoring gograder::gating gograder::scrub gograder::test_trust gograder::sandbox_runner gograder::go_output gograder::static_rules
          gograder::intake gograder::digest PkgConfig::RE2 PkgConfig::LIBCRYPTO)

# The pipeline with a fake StepRunner: no sandbox, no Go toolchain.
add_executable(grade_test ${CMAKE_CURRENT_LIST_DIR}/grade_test.cc)
target_compile_definitions(grade_test PRIVATE
  GOGRADER_GO_OUTPUT_TESTDATA="${CMAKE_CURRENT_LIST_DIR}/testdata/go_output")
target_link_libraries(grade_test PRIVATE gograder::grade gograder::files PkgConfig::RE2 gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(grade_test NO_PRETTY_VALUES)
