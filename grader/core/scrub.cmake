# Scrubbing hidden test source out of reports.
add_library(gograder_scrub STATIC ${CMAKE_CURRENT_LIST_DIR}/scrub.cc)
add_library(gograder::scrub ALIAS gograder_scrub)
target_link_libraries(gograder_scrub PUBLIC protobuf::libprotobuf PkgConfig::RE2 PRIVATE absl::strings)

add_executable(scrub_test ${CMAKE_CURRENT_LIST_DIR}/scrub_test.cc)
target_link_libraries(scrub_test PRIVATE gograder::scrub gograder::grading_proto absl::strings gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(scrub_test NO_PRETTY_VALUES)
