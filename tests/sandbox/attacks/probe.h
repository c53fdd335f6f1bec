/* Shared helpers of the C attack programs. Every probe prints one line
 *   probe=NAME result=OK [key=value...]
 *   probe=NAME errno=EPERM [key=value...]
 * that attack_test.cc parses, so outcomes are asserted exactly. Attack
 * programs run only inside the sandbox, never on the host. */
#ifndef GOGRADER_TESTS_SANDBOX_ATTACKS_PROBE_H_
#define GOGRADER_TESTS_SANDBOX_ATTACKS_PROBE_H_

/* Built with -D_GNU_SOURCE (strerrorname_np, unshare, O_PATH, ...). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void probe_line_buffering(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline const char* errno_name(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "EUNKNOWN";
}

/* Reports the outcome of a call that returns -1/errno on failure. */
static inline long probe_rc(const char* name, long rc) {
  if (rc < 0) {
    printf("probe=%s errno=%s\n", name, errno_name(errno));
  } else {
    printf("probe=%s result=OK rc=%ld\n", name, rc);
  }
  return rc;
}

/* Reports a raw syscall result (-errno on failure, as returned by the kernel
 * to inline assembly). */
static inline long probe_raw(const char* name, long rc) {
  if (rc < 0 && rc > -4096) {
    printf("probe=%s errno=%s\n", name, errno_name((int)-rc));
  } else {
    printf("probe=%s result=OK rc=%ld\n", name, rc);
  }
  return rc;
}

/* Opens and reads a file: prints errno, or what was read (escaped) so a
 * leaked secret would show up in the output. */
static inline void probe_read_file(const char* name, const char* path) {
  FILE* file = fopen(path, "r");
  if (file == NULL) {
    printf("probe=%s errno=%s\n", name, errno_name(errno));
    return;
  }
  char buffer[512];
  size_t n = fread(buffer, 1, sizeof buffer - 1, file);
  int err = ferror(file) ? errno : 0;
  fclose(file);
  if (err != 0) {
    printf("probe=%s errno=%s opened=1\n", name, errno_name(err));
    return;
  }
  printf("probe=%s result=OK data=", name);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)buffer[i];
    if (c > ' ' && c < 127 && c != '\\') {
      putchar(c);
    } else {
      printf("\\x%02x", c);
    }
  }
  putchar('\n');
}

static inline void die(const char* what) {
  printf("probe=fatal what=%s errno=%s\n", what, errno_name(errno));
  exit(3);
}

#endif /* GOGRADER_TESTS_SANDBOX_ATTACKS_PROBE_H_ */
