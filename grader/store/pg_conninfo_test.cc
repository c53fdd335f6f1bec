// DatabaseConnInfo and Redacted: which values are SQLite files, URL and
// key=value forms, passwords from a file or the environment (and the refusals
// around them); then, against a server that wants a password, that the
// resolved conninfo connects and that no failure message shows a password.
#include "grader/store/pg_conninfo.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/files.h"
#include "base/status_matchers.h"
#include "base/temp_dir.h"
#include "gmock/gmock.h"
#include "grader/store/pg_db.h"
#include "grader/store/pg_test_cluster.h"
#include "gtest/gtest.h"

namespace gograder::store {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

DatabaseSecrets Secrets(const std::string& password_file, const std::string& password_env) {
  DatabaseSecrets secrets;
  secrets.password_file = password_file;
  secrets.password_env = password_env;
  return secrets;
}

// A password file `name` in `dir` with `mode`.
std::string PasswordFile(const TempDir& dir, const std::string& name, const std::string& contents,
                         mode_t mode) {
  std::string path = absl::StrCat(dir.path(), "/", name);
  EXPECT_OK(WriteWholeFile(path, contents));
  EXPECT_EQ(chmod(path.c_str(), mode), 0);
  return path;
}

TEST(DatabaseConnInfoTest, SqlitePaths) {
  for (const std::string path : {"/var/lib/gograder/gograder.db", "gograder.db", "./a=b.db",
                                 "/data/x=1/db", "postgres.db"}) {
    EXPECT_FALSE(IsPostgresDatabase(path)) << path;
    ASSERT_OK_AND_ASSIGN(DatabaseTarget target, DatabaseConnInfo(path, {}));
    EXPECT_EQ(target.kind, DatabaseTarget::Kind::kSqlite);
    EXPECT_EQ(target.sqlite_path, path);
    EXPECT_EQ(target.conninfo, "");
  }
  EXPECT_THAT(DatabaseConnInfo("/var/lib/gograder/gograder.db", Secrets("", "PGPASS")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is a SQLite file")));
}

TEST(DatabaseConnInfoTest, UrlAndKeyValueForms) {
  for (const std::string database :
       {"postgresql://gograder@db.example.internal:5432/gograder?sslmode=verify-full",
        "postgres://gograder@db.example.internal:5432/gograder?sslmode=verify-full",
        "host=db.example.internal port=5432 user=gograder dbname=gograder sslmode=verify-full",
        "  host = 'db.example.internal' port=5432 user=gograder dbname=gograder "
        "sslmode=verify-full"}) {
    EXPECT_TRUE(IsPostgresDatabase(database)) << database;
    ASSERT_OK_AND_ASSIGN(DatabaseTarget target, DatabaseConnInfo(database, {}));
    EXPECT_EQ(target.kind, DatabaseTarget::Kind::kPostgres);
    EXPECT_THAT(target.conninfo,
                AllOf(HasSubstr("host='db.example.internal'"), HasSubstr("port='5432'"),
                      HasSubstr("user='gograder'"), HasSubstr("dbname='gograder'"),
                      HasSubstr("sslmode='verify-full'"), Not(HasSubstr("password"))));
    EXPECT_EQ(target.redacted, database);
  }
  // Percent-encoded parts of a URL are decoded by libpq, then quoted.
  ASSERT_OK_AND_ASSIGN(DatabaseTarget target,
                       DatabaseConnInfo("postgresql://o%27brien@h/my%20db", {}));
  EXPECT_THAT(target.conninfo, AllOf(HasSubstr("user='o\\'brien'"), HasSubstr("dbname='my db'")));
}

TEST(DatabaseConnInfoTest, MalformedConninfoIsRefused) {
  EXPECT_THAT(DatabaseConnInfo("host=db dbnmae=x", {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("dbnmae"), HasSubstr("./NAME"))));
  EXPECT_THAT(DatabaseConnInfo("postgresql://u:hunter2@h:notaport/db?bad", {}),
              StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("hunter2"))));
}

TEST(DatabaseConnInfoTest, InlinePasswordIsRefused) {
  for (const std::string database :
       {"postgresql://gograder:hunter2@db/gograder", "postgresql://db/gograder?password=hunter2",
        "host=db password=hunter2 dbname=gograder", "host=db password='hunter2' dbname=gograder"}) {
    EXPECT_THAT(DatabaseConnInfo(database, {}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("has a password in it"), HasSubstr("password_file"),
                               HasSubstr("password_env"), Not(HasSubstr("hunter2")))))
        << database;
  }
}

TEST(DatabaseConnInfoTest, PasswordFromFile) {
  TempDir dir("pg-conninfo-");
  std::string file = PasswordFile(dir, "password", "it's a \\ secret\r\nsecond line\n", 0600);
  ASSERT_OK_AND_ASSIGN(DatabaseTarget target,
                       DatabaseConnInfo("postgresql://gograder@db/gograder", Secrets(file, "")));
  EXPECT_THAT(target.conninfo, HasSubstr("password='it\\'s a \\\\ secret'"));
  EXPECT_THAT(target.redacted, Not(HasSubstr("secret")));
  EXPECT_THAT(Redacted(target.conninfo), Not(HasSubstr("secret")));

  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  EXPECT_THAT(
      DatabaseConnInfo("host=db", Secrets(file, "")),
      StatusIs(absl::StatusCode::kPermissionDenied,
               AllOf(HasSubstr("readable by everyone (mode 0644)"), Not(HasSubstr("secret")))));
  ASSERT_EQ(chmod(file.c_str(), 0440), 0);
  EXPECT_OK(DatabaseConnInfo("host=db", Secrets(file, "")));

  EXPECT_THAT(DatabaseConnInfo("host=db", Secrets(file + ".missing", "")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("database_password_file")));
  std::string empty = PasswordFile(dir, "empty", "\nsecond line\n", 0600);
  EXPECT_THAT(DatabaseConnInfo("host=db", Secrets(empty, "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("first line is empty")));
  EXPECT_THAT(DatabaseConnInfo("host=db", Secrets(empty, "X")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not both")));
}

TEST(DatabaseConnInfoTest, PasswordFromEnvironment) {
  const char* variable = "GOGRADER_PG_CONNINFO_TEST_PASSWORD";
  unsetenv(variable);
  EXPECT_THAT(DatabaseConnInfo("host=db", Secrets("", variable)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not set")));
  setenv(variable, "from env", 1);
  ASSERT_OK_AND_ASSIGN(DatabaseTarget target, DatabaseConnInfo("host=db", Secrets("", variable)));
  EXPECT_THAT(target.conninfo, HasSubstr("password='from env'"));
  unsetenv(variable);
}

TEST(RedactedTest, HidesEveryFormOfPassword) {
  EXPECT_EQ(Redacted("postgresql://u:hunter2@h:5432/db?sslmode=require"),
            "postgresql://u:***@h:5432/db?sslmode=require");
  EXPECT_EQ(Redacted("postgres://u:p%40ss@h1,h2/db?password=x&sslmode=require&pass%77ord=y"),
            "postgres://u:***@h1,h2/db?password=***&sslmode=require&pass%77ord=***");
  EXPECT_EQ(Redacted("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(Redacted("host=h password=hunter2 user=u"), "host=h password=*** user=u");
  EXPECT_EQ(Redacted("host=h password = 'a b\\' c' user=u"), "host=h password = *** user=u");
  EXPECT_EQ(Redacted("password='unterminated"), "password=***");
  EXPECT_EQ(Redacted("host=h passfile=/x user=u"), "host=h passfile=/x user=u");
  EXPECT_EQ(Redacted("/var/lib/gograder/gograder.db"), "/var/lib/gograder/gograder.db");
}

TEST(RedactedTest, MessagesLoseThePasswordAndTheConninfo) {
  const std::string conninfo = "host='h' password='it\\'s secret'";
  EXPECT_EQ(RedactedMessage("failed for \"it's secret\"", conninfo), "failed for \"***\"");
  EXPECT_EQ(RedactedMessage(absl::StrCat("bad: ", conninfo), conninfo),
            "bad: host='h' password=***");
  EXPECT_EQ(RedactedMessage("user u@h: p%40ss p@ss", "postgresql://u:p%40ss@h/db"),
            "user u@h: *** ***");
}

// Against a server that wants a password, over its socket and TCP.
class PgPasswordTest : public PgClusterTest<PgPasswordTest> {
 public:
  static constexpr char kPassword[] = "pa'ss \\word-7Qx";

  static PgTestClusterOptions ClusterOptions() {
    PgTestClusterOptions options;
    options.tcp = true;
    options.password = kPassword;
    return options;
  }

 protected:
  TempDir dir_{"pg-password-"};
};

TEST_F(PgPasswordTest, ConnectsWithPasswordFromFileOrEnvironment) {
  std::string file = PasswordFile(dir_, "right", absl::StrCat(kPassword, "\n"), 0400);
  for (const std::string& database : {cluster().conninfo(), cluster().tcp_conninfo()}) {
    EXPECT_THAT(PgConnection::Open(database), StatusIs(absl::StatusCode::kUnavailable));
    ASSERT_OK_AND_ASSIGN(DatabaseTarget target, DatabaseConnInfo(database, Secrets(file, "")));
    ASSERT_OK_AND_ASSIGN(auto connection, PgConnection::Open(target.conninfo));
    ASSERT_OK_AND_ASSIGN(PgResult row, connection->Query("SELECT current_user"));
    EXPECT_EQ(row.Text(0, 0), cluster().user());
  }
  setenv("GOGRADER_PG_TEST_PASSWORD", kPassword, 1);
  ASSERT_OK_AND_ASSIGN(
      DatabaseTarget target,
      DatabaseConnInfo(absl::StrCat("postgresql://", cluster().user(),
                                    "@127.0.0.1:", cluster().port(), "/gograder_test"),
                       Secrets("", "GOGRADER_PG_TEST_PASSWORD")));
  unsetenv("GOGRADER_PG_TEST_PASSWORD");
  EXPECT_OK(PgConnection::Open(target.conninfo));
}

TEST_F(PgPasswordTest, WrongPasswordErrorShowsNoPassword) {
  const std::string wrong = "Wrong-Secret-4711";
  std::string file = PasswordFile(dir_, "wrong", wrong, 0600);
  ASSERT_OK_AND_ASSIGN(DatabaseTarget target,
                       DatabaseConnInfo(cluster().tcp_conninfo(), Secrets(file, "")));
  absl::StatusOr<std::unique_ptr<PgConnection>> connection = PgConnection::Open(target.conninfo);
  EXPECT_THAT(connection, StatusIs(absl::StatusCode::kUnavailable,
                                   AllOf(HasSubstr("password authentication failed"),
                                         HasSubstr("password=***"), Not(HasSubstr(wrong)))));
}

TEST_F(PgPasswordTest, UnreachableServerErrorShowsNoPassword) {
  ASSERT_OK_AND_ASSIGN(int port, FreeLoopbackPort());
  std::string file = PasswordFile(dir_, "password", kPassword, 0600);
  ASSERT_OK_AND_ASSIGN(
      DatabaseTarget target,
      DatabaseConnInfo(absl::StrCat("postgresql://gograder@127.0.0.1:", port, "/gograder"),
                       Secrets(file, "")));
  EXPECT_THAT(PgConnection::Open(target.conninfo),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("Connection refused"), Not(HasSubstr("7Qx")))));
  // A malformed conninfo that carries the password is echoed redacted.
  EXPECT_THAT(PgConnection::Open(absl::StrCat(target.conninfo, " port")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("password=***"), Not(HasSubstr("7Qx")))));
}

}  // namespace
}  // namespace gograder::store
