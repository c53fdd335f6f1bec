# Static rules: the Go inspector (grader/inspector, standard library only)
# that prints a module's facts as JSON, and the C++ evaluation of an
# exercise's StaticRules and of the integrity rules on those facts.
find_program(GOGRADER_GO_EXECUTABLE go HINTS /usr/local/go/bin REQUIRED)

set(GOGRADER_INSPECTOR_SOURCE_DIR ${PROJECT_SOURCE_DIR}/grader/inspector)
set(GOGRADER_INSPECTOR_BINARY_DIR ${CMAKE_BINARY_DIR}/grader/inspector)
set(GOGRADER_INSPECTOR ${GOGRADER_INSPECTOR_BINARY_DIR}/gograder-inspector)
# Offline and hermetic: caches inside the build tree, no user go.env.
set(GOGRADER_INSPECTOR_GO_ENV
  GOCACHE=${GOGRADER_INSPECTOR_BINARY_DIR}/gocache
  GOPATH=${GOGRADER_INSPECTOR_BINARY_DIR}/gopath
  GOENV=off GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off CGO_ENABLED=0)

file(GLOB GOGRADER_INSPECTOR_SOURCES CONFIGURE_DEPENDS
  ${GOGRADER_INSPECTOR_SOURCE_DIR}/*.go ${GOGRADER_INSPECTOR_SOURCE_DIR}/go.mod)
list(FILTER GOGRADER_INSPECTOR_SOURCES EXCLUDE REGEX "_test\\.go$")
add_custom_command(
  OUTPUT ${GOGRADER_INSPECTOR}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${GOGRADER_INSPECTOR_BINARY_DIR}
  COMMAND ${CMAKE_COMMAND} -E env ${GOGRADER_INSPECTOR_GO_ENV}
          ${GOGRADER_GO_EXECUTABLE} build -trimpath -o ${GOGRADER_INSPECTOR} .
  WORKING_DIRECTORY ${GOGRADER_INSPECTOR_SOURCE_DIR}
  DEPENDS ${GOGRADER_INSPECTOR_SOURCES}
  COMMENT "go build gograder-inspector"
  VERBATIM)
add_custom_target(gograder_inspector ALL DEPENDS ${GOGRADER_INSPECTOR})

# The inspector's own tests (testdata modules under grader/inspector/testdata)
# and go vet on it.
add_test(NAME inspector_go_test
  COMMAND ${CMAKE_COMMAND} -E env ${GOGRADER_INSPECTOR_GO_ENV}
          ${GOGRADER_GO_EXECUTABLE} test -count=1 ./...
  WORKING_DIRECTORY ${GOGRADER_INSPECTOR_SOURCE_DIR})
add_test(NAME inspector_go_vet
  COMMAND ${CMAKE_COMMAND} -E env ${GOGRADER_INSPECTOR_GO_ENV}
          ${GOGRADER_GO_EXECUTABLE} vet ./...
  WORKING_DIRECTORY ${GOGRADER_INSPECTOR_SOURCE_DIR})

add_library(gograder_static_rules STATIC ${CMAKE_CURRENT_LIST_DIR}/static_rules.cc)
add_library(gograder::static_rules ALIAS gograder_static_rules)
target_link_libraries(gograder_static_rules
  PUBLIC gograder::grading_proto absl::status absl::statusor absl::strings
  PRIVATE nlohmann_json::nlohmann_json)

add_executable(static_rules_test ${CMAKE_CURRENT_LIST_DIR}/static_rules_test.cc)
add_dependencies(static_rules_test gograder_inspector)
target_compile_definitions(static_rules_test PRIVATE
  GOGRADER_INSPECTOR_PATH="${GOGRADER_INSPECTOR}"
  GOGRADER_STATIC_RULES_TESTDATA="${CMAKE_CURRENT_LIST_DIR}/testdata/static_rules")
target_link_libraries(static_rules_test PRIVATE
  gograder::static_rules gograder::status_matchers GTest::gtest_main GTest::gmock)
gtest_discover_tests(static_rules_test NO_PRETTY_VALUES)
