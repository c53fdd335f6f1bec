# Rubric loading/validation and digests.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)

add_library(gograder_digest STATIC ${CMAKE_CURRENT_LIST_DIR}/digest.cc)
add_library(gograder::digest ALIAS gograder_digest)
target_link_libraries(gograder_digest PUBLIC absl::status absl::statusor absl::strings
                      PRIVATE PkgConfig::LIBCRYPTO)

add_library(gograder_rubric STATIC ${CMAKE_CURRENT_LIST_DIR}/rubric.cc)
add_library(gograder::rubric ALIAS gograder_rubric)
target_link_libraries(gograder_rubric PRIVATE gograder::files)
target_link_libraries(gograder_rubric
  PUBLIC gograder::grading_proto gograder::base absl::status absl::statusor absl::strings
  PRIVATE gograder::digest PkgConfig::RE2)

add_executable(rubric_test ${CMAKE_CURRENT_LIST_DIR}/rubric_test.cc)
target_link_libraries(rubric_test PRIVATE gograder::rubric gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(rubric_test NO_PRETTY_VALUES)
