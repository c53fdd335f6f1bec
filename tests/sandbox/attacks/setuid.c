/* Case 19: setuid binaries give no privilege. "attack HOST_SUID" makes
 * setuid/setgid copies of itself (in /tmp and on the writable bind), tries to
 * hand them to another id, and runs them and a setuid-root binary prepared by
 * the test; each copy runs "report LABEL", which prints its ids and
 * capability sets. It also reports whether each writable mount is nosuid. */
#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include "probe.h"

static void status_field(const char* key, char* out, size_t size) {
  FILE* file = fopen("/proc/self/status", "r");
  char line[256];
  snprintf(out, size, "?");
  size_t key_length = strlen(key);
  while (file && fgets(line, sizeof line, file)) {
    if (strncmp(line, key, key_length) == 0 && line[key_length] == ':') {
      char* value = line + key_length + 1;
      value += strspn(value, " \t");
      value[strcspn(value, "\n")] = '\0';
      snprintf(out, size, "%s", value);
    }
  }
  if (file) fclose(file);
}

static int report(const char* label) {
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  getresuid(&ruid, &euid, &suid);
  getresgid(&rgid, &egid, &sgid);
  char eff[32], prm[32], bnd[32], amb[32];
  status_field("CapEff", eff, sizeof eff);
  status_field("CapPrm", prm, sizeof prm);
  status_field("CapBnd", bnd, sizeof bnd);
  status_field("CapAmb", amb, sizeof amb);
  printf(
      "probe=%s result=OK ruid=%d euid=%d suid=%d rgid=%d egid=%d sgid=%d capeff=%s capprm=%s "
      "capbnd=%s capamb=%s nnp=%d\n",
      label, ruid, euid, suid, rgid, egid, sgid, eff, prm, bnd, amb,
      prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  return 0;
}

static void run(const char* label, const char* path) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execl(path, path, "report", label, (char*)NULL);
    printf("probe=%s errno=%s\n", label, errno_name(errno));
    _exit(1);
  }
  waitpid(pid, NULL, 0);
}

static void make_copy(const char* name, const char* path) {
  int in = open("/proc/self/exe", O_RDONLY);
  int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  if (in < 0 || out < 0) die("open copy");
  struct stat info;
  fstat(in, &info);
  if (sendfile(out, in, NULL, info.st_size) != info.st_size) die("sendfile");
  close(in);
  close(out);
  char probe[64];
  snprintf(probe, sizeof probe, "%s_chown_other", name);
  probe_rc(probe, chown(path, 1, 0));
  snprintf(probe, sizeof probe, "%s_chmod_suid", name);
  probe_rc(probe, chmod(path, 06755));
}

/* Prints whether the mount holding `path` is nosuid and read-only. */
static void mount_flags(const char* name, const char* path) {
  struct statvfs info;
  if (statvfs(path, &info) != 0) {
    printf("probe=%s errno=%s\n", name, errno_name(errno));
    return;
  }
  printf("probe=%s result=OK nosuid=%d rdonly=%d\n", name, (info.f_flag & ST_NOSUID) != 0,
         (info.f_flag & ST_RDONLY) != 0);
}

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "report") == 0) return report(argv[2]);
  mount_flags("mount_box", "/box");
  mount_flags("mount_tmp", "/tmp");
  mount_flags("mount_shm", "/dev/shm");
  mount_flags("mount_root", "/");
  if (argc < 3 || strcmp(argv[1], "attack") != 0) die("usage: setuid attack HOST_SUID");
  report("self");
  make_copy("tmp", "/tmp/suid-copy");
  run("tmp_suid", "/tmp/suid-copy");
  make_copy("box", "/box/suid-copy");
  run("box_suid", "/box/suid-copy");
  run("host_root_suid", argv[2]);
  probe_rc("setuid_1", setuid(1));
  probe_rc("setgid_1", setgid(1));
  probe_rc("setgroups", setgroups(0, NULL));
  return 0;
}
