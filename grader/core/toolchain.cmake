# The Go toolchain: sandbox specs for go commands, allowlist and warm cache.
add_library(gograder_toolchain STATIC
  ${CMAKE_CURRENT_LIST_DIR}/go_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/toolchain.cc)
add_library(gograder::toolchain ALIAS gograder_toolchain)
target_link_libraries(gograder_toolchain PRIVATE gograder::files)
target_link_libraries(gograder_toolchain
  PUBLIC gograder::sandbox_proto absl::status absl::statusor absl::strings
  PRIVATE gograder::sandbox_runner gograder::base gograder::process)

add_executable(go_command_test ${CMAKE_CURRENT_LIST_DIR}/go_command_test.cc)
target_link_libraries(go_command_test PRIVATE gograder::toolchain gograder::sandbox
                      gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(go_command_test NO_PRETTY_VALUES)
