/* Case 7: flood stdout or stderr: the run must end with OUTPUT_LIMIT. */
#include "probe.h"

int main(int argc, char** argv) {
  int fd = (argc > 1 && strcmp(argv[1], "stderr") == 0) ? 2 : 1;
  static char buffer[1 << 16];
  memset(buffer, 'F', sizeof buffer);
  for (;;) {
    if (write(fd, buffer, sizeof buffer) < 0) return 1;
  }
}
