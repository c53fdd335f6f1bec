// The `database` config value resolved: a SQLite file, or a PostgreSQL
// database given as a postgresql:// URL or a libpq key=value conninfo, whose
// password comes from a file or an environment variable and never from the
// value itself (config files are read by many, logged, and committed).
// libpq's own PQconninfoParse reads both forms.
#ifndef GOGRADER_GRADER_STORE_PG_CONNINFO_H_
#define GOGRADER_GRADER_STORE_PG_CONNINFO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::store {

// Where the password of a PostgreSQL database comes from (at most one).
struct DatabaseSecrets {
  std::string password_file;  // its first line; the file must not be world-readable
  std::string password_env;   // the value of this environment variable
};

// The `database` config value, resolved.
struct DatabaseTarget {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;
  std::string sqlite_path;  // kSqlite: the database file
  std::string conninfo;     // kPostgres: for PgConnection::Open, password included: never log it
  std::string redacted;     // what to log: the value as configured, without a password
};

// True when `database` names a PostgreSQL database (a postgresql:// or
// postgres:// URL, or a libpq key=value conninfo) rather than a SQLite file.
bool IsPostgresDatabase(absl::string_view database);

// Resolves `database`: a SQLite path stays as it is; a URL or conninfo
// becomes a key=value conninfo with the password from `secrets` added.
// Refuses a password written into the URL or conninfo (use password_file or
// password_env), a world-readable, missing or empty password file, an unset
// variable, both secrets at once, and secrets for a SQLite database. No
// message contains a password.
absl::StatusOr<DatabaseTarget> DatabaseConnInfo(const std::string& database,
                                                const DatabaseSecrets& secrets);

// `conninfo` (URL or key=value, well formed or not) with every password in
// it replaced by "***", for logs and messages.
std::string Redacted(absl::string_view conninfo);

// `value` quoted for a key=value conninfo ('...' with \ and ' escaped).
std::string QuotedConninfoValue(absl::string_view value);

// `message` (a libpq error) with `conninfo` redacted wherever it appears and
// every occurrence of its password replaced by "***".
std::string RedactedMessage(absl::string_view message, absl::string_view conninfo);

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_PG_CONNINFO_H_
