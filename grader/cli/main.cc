// gograder: the command-line tool. See `gograder --help`.
#include "grader/cli/commands.h"

int main(int argc, char** argv) { return gograder::cli::Main(argc, argv); }
