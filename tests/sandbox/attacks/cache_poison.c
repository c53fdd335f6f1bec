/* Case 26: poison the shared build cache, an overlay at /cache over a
 * read-only lower directory. "poison" overwrites, truncates, deletes,
 * renames and adds entries, sets overlay xattrs and tries to reach the lower
 * directory by its host path (from mountinfo). "check" (a later run) prints
 * what the entries contain. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "probe.h"

static void write_file(const char* name, const char* path, const char* content, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
  if (fd < 0) {
    printf("probe=%s errno=%s\n", name, errno_name(errno));
    return;
  }
  probe_rc(name, write(fd, content, strlen(content)));
  close(fd);
}

/* The lowerdir= option of the /cache overlay, as the kernel shows it. */
static int find_lower(char* out, size_t size) {
  FILE* mounts = fopen("/proc/self/mountinfo", "r");
  char line[4096];
  while (mounts && fgets(line, sizeof line, mounts)) {
    if (strstr(line, " /cache ") == NULL) continue;
    char* lower = strstr(line, "lowerdir=");
    if (lower == NULL) continue;
    lower += strlen("lowerdir=");
    size_t length = strcspn(lower, ",\n ");
    snprintf(out, size, "%.*s", (int)length, lower);
    fclose(mounts);
    return 1;
  }
  if (mounts) fclose(mounts);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) die("usage: cache_poison poison|check");
  if (strcmp(argv[1], "check") == 0) {
    probe_read_file("entry_a", "/cache/00/aaaa-a");
    probe_read_file("entry_b", "/cache/01/bbbb-d");
    probe_read_file("entry_w", "/cache/00/cccc-w");
    probe_read_file("readme", "/cache/README");
    probe_rc("new_entry", access("/cache/ff/new-a", F_OK));
    return 0;
  }
  write_file("overwrite_a", "/cache/00/aaaa-a", "poisoned-a", O_TRUNC);
  write_file("overwrite_writable", "/cache/00/cccc-w", "poisoned-w", O_TRUNC);
  write_file("append_b", "/cache/01/bbbb-d", "poisoned-b", O_APPEND);
  probe_rc("truncate_b", truncate("/cache/01/bbbb-d", 3));
  probe_rc("unlink_readme", unlink("/cache/README"));
  probe_rc("mkdir_ff", mkdir("/cache/ff", 0777));
  write_file("new_entry", "/cache/ff/new-a", "poisoned-new", O_TRUNC);
  probe_rc("chmod_a", chmod("/cache/00/aaaa-a", 0777));
  probe_rc("rename_dir", rename("/cache/01", "/cache/01x"));
  probe_rc("symlink_in_cache", symlink("/etc/passwd", "/cache/00/link"));
  probe_rc("setxattr_opaque", setxattr("/cache/00", "user.overlay.opaque", "y", 1, 0));
  probe_rc("setxattr_redirect", setxattr("/cache/00", "user.overlay.redirect", "/../../..", 9, 0));
  probe_rc("setxattr_user", setxattr("/cache/00/aaaa-a", "user.poison", "1", 1, 0));
  probe_read_file("readback_a", "/cache/00/aaaa-a");
  probe_read_file("readback_w", "/cache/00/cccc-w");
  char lower[1024];
  if (find_lower(lower, sizeof lower)) {
    printf("probe=lower_shown result=OK\n");
    char path[2048];
    snprintf(path, sizeof path, "%s/00/aaaa-a", lower);
    write_file("lower_direct_write", path, "poisoned-direct", O_TRUNC);
  } else {
    printf("probe=lower_shown errno=ENOENT\n");
  }
  return 0;
}
