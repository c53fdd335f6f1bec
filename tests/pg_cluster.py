"""A throwaway PostgreSQL 15 server for end-to-end tests: initdb + pg_ctl in a
temporary directory, on a Unix socket there only, as the unprivileged user
`postgres` when the tests run as root (PostgreSQL refuses root), and stopped
with everything removed at the end. The Python twin of
grader/store/pg_test_cluster.h."""
import os
import pwd
import shutil
import subprocess
import tempfile

BIN_DIRS = ["/usr/lib/postgresql/15/bin"]


def _bindir():
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if found and os.path.exists(os.path.join(found, "initdb")):
            return found
    except FileNotFoundError:
        pass
    for candidate in BIN_DIRS:
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    raise AssertionError("the PostgreSQL server is not installed (no initdb): run scripts/setup")


class Cluster:
    def __init__(self, database="gograder"):
        self.bindir = _bindir()
        self.dir = tempfile.mkdtemp(prefix="gograder-pg-")
        self.port = 5432
        self.as_user = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            os.chmod(self.dir, 0o755)
            self.as_user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        data = os.path.join(self.dir, "data")
        self._run([os.path.join(self.bindir, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
                   "-E", "UTF8", "--no-sync"])
        options = "-k %s -c listen_addresses='' -p %d -c fsync=off -c max_connections=200" % (self.dir, self.port)
        self._run([os.path.join(self.bindir, "pg_ctl"), "-D", data, "-l", os.path.join(self.dir, "server.log"),
                   "-w", "-t", "60", "-o", options, "start"])
        self.database = database
        self.psql("postgres", "CREATE DATABASE %s" % database)
        self.conninfo = "host=%s port=%d dbname=%s user=postgres" % (self.dir, self.port, database)

    def _run(self, argv):
        run = subprocess.run(self.as_user + argv, capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            raise AssertionError("%s failed: %s %s" % (argv[0], run.stdout, run.stderr))

    def psql(self, database, sql):
        """Runs `sql`; returns its rows as lists of strings."""
        run = subprocess.run([os.path.join(self.bindir, "psql"), "-h", self.dir, "-p", str(self.port), "-U",
                              "postgres", "-d", database, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            raise AssertionError("psql %r: %s" % (sql, run.stderr))
        return [line.split("\t") for line in run.stdout.splitlines() if line]

    def query(self, sql):
        return self.psql(self.database, sql)

    def stop(self):
        subprocess.run(self.as_user + [os.path.join(self.bindir, "pg_ctl"), "-D", os.path.join(self.dir, "data"),
                                       "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
