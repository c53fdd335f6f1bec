# Grading: workspaces, scoring and the step pipeline.
add_library(gograder_scoring STATIC ${CMAKE_CURRENT_LIST_DIR}/scoring.cc)
add_library(gograder::scoring ALIAS gograder_scoring)
target_link_libraries(gograder_scoring PUBLIC gograder::grading_proto absl::strings absl::str_format)

add_executable(scoring_test ${CMAKE_CURRENT_LIST_DIR}/scoring_test.cc)
target_link_libraries(scoring_test PRIVATE gograder::scoring GTest::gtest_main GTest::gmock)
gtest_discover_tests(scoring_test NO_PRETTY_VALUES)

add_library(gograder_gating STATIC ${CMAKE_CURRENT_LIST_DIR}/gating.cc)
add_library(gograder::gating ALIAS gograder_gating)
target_link_libraries(gograder_gating PUBLIC gograder::grading_proto PRIVATE gograder::scoring absl::strings
                      absl::str_format)

add_executable(gating_test ${CMAKE_CURRENT_LIST_DIR}/gating_test.cc)
target_link_libraries(gating_test PRIVATE gograder::gating gograder::scoring GTest::gtest_main GTest::gmock)
gtest_discover_tests(gating_test NO_PRETTY_VALUES)

add_library(gograder_grade STATIC
  ${CMAKE_CURRENT_LIST_DIR}/grade.cc
  ${CMAKE_CURRENT_LIST_DIR}/workspace.cc)
add_library(gograder::grade ALIAS gograder_grade)
target_link_libraries(gograder_grade
  PUBLIC gograder::accept gograder::rubric gograder::toolchain gograder::grading_proto absl::status absl::statusor absl::time
  PRIVATE gograder::files gograder::scoring gograder::gating gograder::scrub gograder::sandbox_runner gograder::go_output gograder::static_rules
          gograder::intake gograder::digest PkgConfig::RE2 PkgConfig::LIBCRYPTO)
