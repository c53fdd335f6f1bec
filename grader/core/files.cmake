# Whole-file helpers shared by the grader's units.
add_library(gograder_files STATIC ${CMAKE_CURRENT_LIST_DIR}/files.cc)
add_library(gograder::files ALIAS gograder_files)
target_link_libraries(gograder_files PUBLIC gograder::base absl::status absl::strings)
