# Launching gograder-sandbox from the (multi-threaded) grader.
add_library(gograder_sandbox_runner STATIC ${CMAKE_CURRENT_LIST_DIR}/sandbox_runner.cc)
add_library(gograder::sandbox_runner ALIAS gograder_sandbox_runner)
target_link_libraries(gograder_sandbox_runner PRIVATE gograder::files)
target_link_libraries(gograder_sandbox_runner
  PUBLIC gograder::sandbox_proto absl::status absl::statusor absl::time
  PRIVATE gograder::process)
