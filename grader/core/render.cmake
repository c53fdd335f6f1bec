# Report renderers: text, JSON, JUnit XML, Gradescope results.json, GitHub
# workflow commands, all from one GradeReport.
add_library(gograder_render STATIC
  ${CMAKE_CURRENT_LIST_DIR}/render.cc
  ${CMAKE_CURRENT_LIST_DIR}/render_internal.cc
  ${CMAKE_CURRENT_LIST_DIR}/render_text.cc
  ${CMAKE_CURRENT_LIST_DIR}/render_junit.cc
  ${CMAKE_CURRENT_LIST_DIR}/render_gradescope.cc
  ${CMAKE_CURRENT_LIST_DIR}/render_github.cc)
add_library(gograder::render ALIAS gograder_render)
target_link_libraries(gograder_render
  PUBLIC gograder::grading_proto absl::status absl::statusor absl::strings absl::str_format
  PRIVATE nlohmann_json::nlohmann_json protobuf::libprotobuf)

add_executable(render_test ${CMAKE_CURRENT_LIST_DIR}/render_test.cc)
target_link_libraries(render_test
  PRIVATE gograder::render nlohmann_json::nlohmann_json gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(render_test NO_PRETTY_VALUES)
# Parse the JUnit XML back when expat is there (it is not a project dependency).
find_package(EXPAT QUIET)
if(EXPAT_FOUND)
  target_compile_definitions(render_test PRIVATE GOGRADER_RENDER_TEST_EXPAT)
  target_link_libraries(render_test PRIVATE EXPAT::EXPAT)
endif()
