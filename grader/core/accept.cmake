# Accepting a submission (accept.h): intake, the tree and go.mod checks, the digest.
add_library(gograder_accept STATIC ${CMAKE_CURRENT_LIST_DIR}/accept.cc)
add_library(gograder::accept ALIAS gograder_accept)
target_link_libraries(gograder_accept
  PUBLIC gograder::intake gograder::grading_proto absl::status absl::statusor
  PRIVATE gograder::digest gograder::files)

add_executable(accept_test ${CMAKE_CURRENT_LIST_DIR}/accept_test.cc)
target_link_libraries(accept_test PRIVATE gograder::accept gograder::digest gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(accept_test NO_PRETTY_VALUES)
