# Parsers of Go toolchain output (go test -json, go build / vet / gofmt
# errors, go vet -json, benchmarks, coverage profiles): text in, data out,
# no I/O. Fixtures captured from the real toolchain live in
# testdata/go_output/ (capture.sh regenerates them).
add_library(gograder_go_output STATIC
  ${CMAKE_CURRENT_LIST_DIR}/bench_output.cc
  ${CMAKE_CURRENT_LIST_DIR}/compiler_output.cc
  ${CMAKE_CURRENT_LIST_DIR}/coverage_output.cc
  ${CMAKE_CURRENT_LIST_DIR}/output_text.cc
  ${CMAKE_CURRENT_LIST_DIR}/test_events.cc
  ${CMAKE_CURRENT_LIST_DIR}/vet_output.cc)
add_library(gograder::go_output ALIAS gograder_go_output)
target_link_libraries(gograder_go_output
  PUBLIC gograder::grading_proto absl::status absl::statusor absl::strings
  PRIVATE nlohmann_json::nlohmann_json)

add_executable(go_output_test
  ${CMAKE_CURRENT_LIST_DIR}/bench_output_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/compiler_output_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/coverage_output_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/output_text_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/test_events_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/vet_output_test.cc)
target_compile_definitions(go_output_test PRIVATE
  GOGRADER_GO_OUTPUT_TESTDATA="${CMAKE_CURRENT_LIST_DIR}/testdata/go_output")
target_link_libraries(go_output_test PRIVATE gograder::go_output gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(go_output_test NO_PRETTY_VALUES)
