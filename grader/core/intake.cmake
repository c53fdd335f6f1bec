# Submission intake (intake.h) and go.mod checks (go_mod.h): libgograder_intake.
add_library(gograder_intake STATIC
  ${CMAKE_CURRENT_LIST_DIR}/go_mod.cc
  ${CMAKE_CURRENT_LIST_DIR}/intake.cc
  ${CMAKE_CURRENT_LIST_DIR}/intake_fs.cc)
add_library(gograder::intake ALIAS gograder_intake)
target_link_libraries(gograder_intake
  PUBLIC gograder::base gograder::grading_proto absl::status absl::statusor absl::strings
  PRIVATE PkgConfig::LIBARCHIVE)

add_executable(intake_test
  ${CMAKE_CURRENT_LIST_DIR}/intake_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/go_mod_test.cc)
target_link_libraries(intake_test PRIVATE
  gograder::intake gograder::digest PkgConfig::LIBARCHIVE gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(intake_test NO_PRETTY_VALUES)
