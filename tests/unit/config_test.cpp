#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <fmt/format.h>

#include "retort/config.hpp"
#include "support/permissions.hpp"
#include "support/temp_dir.hpp"

namespace retort {
namespace {

using Environment = std::map<std::string, std::string, std::less<>>;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// The text the CLI would print for a failed load_config.
std::string error_text(const ConfigFlags& flags, const Environment& env, const std::string& cwd) {
  try {
    load_config(flags, env, cwd);
  } catch (const DiagnosticError& e) {
    EXPECT_EQ(e.code(), ExitCode::config);
    std::string out;
    for (const auto& d : e.diagnostics()) out += format_diagnostic(d);
    return out;
  }
  return "<no error>";
}

class ConfigTest : public ::testing::Test {
 protected:
  std::string root() const { return dir.path().string(); }
  std::string in_root(std::string_view relative) const { return (dir.path() / relative).string(); }
  std::string error_with_env(const std::string& dotenv, const Environment& env = {}) {
    dir.write(".env", dotenv);
    return error_text({}, env, root());
  }

  testing::TempDir dir;
};

TEST_F(ConfigTest, DefaultsWithoutAnEnvFile) {
  auto config = load_config({}, {}, root());
  EXPECT_EQ(config.engine, Dialect::sqlite);
  EXPECT_EQ(config.sqlite_path, in_root("app.db"));
  EXPECT_EQ(config.migrations_dir, in_root("migrations"));
  EXPECT_EQ(config.project_dir, root());
  EXPECT_EQ(config.env_file, "");
  EXPECT_EQ(config.version_table.name, "retort_version");
  EXPECT_EQ(config.version_table.schema, "public");
  EXPECT_EQ(config.lock_timeout_s, 0);
  EXPECT_EQ(config.wait_s, 0);
  EXPECT_TRUE(config.postgres.empty());
  EXPECT_EQ(config.postgres_url, "");
}

TEST_F(ConfigTest, SeedPostgresFile) {
  dir.write(".env",
            "DB_ENGINE=\"postgres\"\n"
            "POSTGRES_USER=\"your_username\"\n"
            "POSTGRES_PASSWORD=\"your_password\"\n"
            "POSTGRES_SERVER=\"your_server\"\n"
            "POSTGRES_PORT=5432  # Default PostgreSQL port\n"
            "POSTGRES_DB=\"your_database\"\n");
  auto config = load_config({}, {}, root());
  EXPECT_EQ(config.engine, Dialect::postgres);
  EXPECT_EQ(config.postgres, (Pairs{{"host", "your_server"},
                                    {"port", "5432"},
                                    {"user", "your_username"},
                                    {"password", "your_password"},
                                    {"dbname", "your_database"}}));
  EXPECT_EQ(config.env_file, in_root(".env"));
  EXPECT_EQ(config.project_dir, root());
}

TEST_F(ConfigTest, PostgresPassesOnlyTheKeysThatAreSet) {
  // libpq's PGHOST, PGUSER, ... and its default port fill in the rest.
  dir.write(".env", "DB_ENGINE=postgresql\nPOSTGRES_DB=app\nPOSTGRES_PASSWORD=\n");
  auto config = load_config({}, {}, root());
  EXPECT_EQ(config.engine, Dialect::postgres);
  EXPECT_EQ(config.postgres, (Pairs{{"dbname", "app"}}));
}

TEST_F(ConfigTest, SeedSqliteFileAndSqlitePath) {
  dir.write(".env", "DB_ENGINE=\"sqlite\"\nSQLITE_PATH=data/dev.db\n");
  auto config = load_config({}, {}, root());
  EXPECT_EQ(config.engine, Dialect::sqlite);
  EXPECT_EQ(config.sqlite_path, in_root("data/dev.db"));
}

TEST_F(ConfigTest, FindsTheNearestEnvInAParentFolder) {
  dir.write(".env", "SQLITE_PATH=./db/app.db\nRETORT_MIGRATIONS_DIR=sql/migrations\n");
  dir.write("src/deep/keep", "");
  auto config = load_config({}, {}, in_root("src/deep"));
  EXPECT_EQ(config.env_file, in_root(".env"));
  EXPECT_EQ(config.project_dir, root());
  // Relative paths in the .env are relative to its folder, not to cwd.
  EXPECT_EQ(config.sqlite_path, in_root("db/app.db"));
  EXPECT_EQ(config.migrations_dir, in_root("sql/migrations"));
}

TEST_F(ConfigTest, ANearerEnvHidesAFartherOne) {
  dir.write(".env", "SQLITE_PATH=outer.db\n");
  dir.write("src/.env", "SQLITE_PATH=inner.db\n");
  auto config = load_config({}, {}, in_root("src"));
  EXPECT_EQ(config.sqlite_path, in_root("src/inner.db"));
  EXPECT_EQ(config.project_dir, in_root("src"));
}

TEST_F(ConfigTest, ExplicitEnvFile) {
  dir.write("config/prod.env", "SQLITE_PATH=prod.db\n");
  dir.write(".env", "SQLITE_PATH=ignored.db\n");
  ConfigFlags flags;
  flags.env_file = "config/prod.env";
  auto config = load_config(flags, {}, root());
  EXPECT_EQ(config.env_file, in_root("config/prod.env"));
  EXPECT_EQ(config.project_dir, in_root("config"));
  EXPECT_EQ(config.sqlite_path, in_root("config/prod.db"));
}

TEST_F(ConfigTest, MissingEnvFile) {
  ConfigFlags flags;
  flags.env_file = "x/.env";
  EXPECT_EQ(error_text(flags, {}, root()),
            "retort: error: env file 'x/.env' does not exist\n"
            "note: give --env-file an existing file, or leave it out to use the nearest .env\n");
}

TEST_F(ConfigTest, EnvFileThatIsAFolder) {
  dir.write("x/keep", "");
  ConfigFlags flags;
  flags.env_file = "x";
  EXPECT_EQ(error_text(flags, {}, root()), "retort: error: env file 'x' is a directory\n");
}

TEST_F(ConfigTest, UnreadableEnvFile) {
  testing::enforce_file_permissions();
  dir.write(".env", "DB_ENGINE=sqlite\n");
  std::filesystem::permissions(dir.path() / ".env", std::filesystem::perms::none);
  EXPECT_EQ(error_text({}, {}, root()), "retort: error: cannot read env file '.env': Permission denied\n");
}

TEST_F(ConfigTest, EngineNameIgnoresCase) {
  dir.write(".env", "DB_ENGINE=PostgreSQL\n");
  EXPECT_EQ(load_config({}, {}, root()).engine, Dialect::postgres);
}

TEST_F(ConfigTest, Precedence) {
  dir.write(".env",
            "RETORT_VERSION_TABLE=from_dotenv\n"
            "RETORT_VERSION_SCHEMA=from_dotenv\n"
            "RETORT_LOCK_TIMEOUT=1\n");
  Environment env{{"RETORT_VERSION_TABLE", "from_env"}, {"RETORT_VERSION_SCHEMA", "from_env"}};
  ConfigFlags flags;
  flags.version_table = "from_flag";
  auto config = load_config(flags, env, root());
  EXPECT_EQ(config.version_table.name, "from_flag");
  EXPECT_EQ(config.version_table.schema, "from_env");
  EXPECT_EQ(config.lock_timeout_s, 1);

  flags.lock_timeout_s = 30;
  flags.wait_s = 10;
  config = load_config(flags, env, root());
  EXPECT_EQ(config.lock_timeout_s, 30);
  EXPECT_EQ(config.wait_s, 10);
}

TEST_F(ConfigTest, EmptyValueCountsAsUnset) {
  dir.write(".env", "DB_ENGINE=postgres\nPOSTGRES_DB=app\n");
  auto config = load_config({}, {{"DB_ENGINE", ""}, {"POSTGRES_DB", ""}}, root());
  EXPECT_EQ(config.engine, Dialect::postgres);
  EXPECT_EQ(config.postgres, (Pairs{{"dbname", "app"}}));
}

TEST_F(ConfigTest, PathsFromEnvironmentAndFlagsAreRelativeToCwd) {
  dir.write("project/.env", "SQLITE_PATH=dotenv.db\n");
  auto cwd = in_root("project/sub");
  dir.write("project/sub/keep", "");
  auto config = load_config({}, {{"SQLITE_PATH", "env.db"}, {"RETORT_MIGRATIONS_DIR", "../m"}}, cwd);
  EXPECT_EQ(config.sqlite_path, in_root("project/sub/env.db"));
  EXPECT_EQ(config.migrations_dir, in_root("project/m"));

  ConfigFlags flags;
  flags.directory = "scripts";
  config = load_config(flags, {{"RETORT_MIGRATIONS_DIR", "../m"}}, cwd);
  EXPECT_EQ(config.migrations_dir, in_root("project/sub/scripts"));

  flags.directory = "/abs/scripts";
  config = load_config(flags, {}, cwd);
  EXPECT_EQ(config.migrations_dir, "/abs/scripts");
}

TEST_F(ConfigTest, DatabaseUrlSqliteRelativeAndAbsolute) {
  dir.write(".env", "DB_ENGINE=postgres\nDATABASE_URL=sqlite:///data/app.db\n");
  dir.write("sub/keep", "");
  auto config = load_config({}, {}, in_root("sub"));
  EXPECT_EQ(config.engine, Dialect::sqlite);
  EXPECT_EQ(config.sqlite_path, in_root("data/app.db"));

  config = load_config({}, {{"DATABASE_URL", "sqlite:///env.db"}}, in_root("sub"));
  EXPECT_EQ(config.sqlite_path, in_root("sub/env.db"));

  config = load_config({}, {{"DATABASE_URL", "sqlite:////var/lib/app.db"}}, root());
  EXPECT_EQ(config.sqlite_path, "/var/lib/app.db");

  config = load_config({}, {{"DATABASE_URL", "sqlite+pysqlite:///x.db"}}, root());
  EXPECT_EQ(config.sqlite_path, in_root("x.db"));
}

TEST_F(ConfigTest, DatabaseUrlPostgresWinsOverTheIndividualKeys) {
  dir.write(".env", "DB_ENGINE=sqlite\nPOSTGRES_DB=ignored\n");
  for (auto [url, expected] : std::vector<std::pair<std::string, std::string>>{
           {"postgresql://app:pw@db:5432/app?sslmode=require",
            "postgresql://app:pw@db:5432/app?sslmode=require"},
           {"postgres://app@db/app", "postgres://app@db/app"},
           {"postgresql+psycopg2://app:pw@db/app", "postgresql://app:pw@db/app"},
           {"postgresql+asyncpg://app:pw@db/app", "postgresql://app:pw@db/app"},
       }) {
    auto config = load_config({}, {{"DATABASE_URL", url}}, root());
    EXPECT_EQ(config.engine, Dialect::postgres) << url;
    EXPECT_EQ(config.postgres_url, expected);
    EXPECT_TRUE(config.postgres.empty());
  }
}

TEST_F(ConfigTest, UrlFlagWinsOverDatabaseUrl) {
  ConfigFlags flags;
  flags.database_url = "postgresql:///flag";
  auto config = load_config(flags, {{"DATABASE_URL", "sqlite:///env.db"}}, root());
  EXPECT_EQ(config.postgres_url, "postgresql:///flag");
}

TEST_F(ConfigTest, BadDbEngineInEnvFile) {
  EXPECT_EQ(error_with_env("# engine\nDB_ENGINE=mysql\n"),
            ".env:2: error: DB_ENGINE must be 'sqlite' or 'postgres', not 'mysql'\n");
}

TEST_F(ConfigTest, BadDbEngineInEnvironment) {
  EXPECT_EQ(error_with_env("", {{"DB_ENGINE", "mysql"}}),
            "environment variable DB_ENGINE: error: DB_ENGINE must be 'sqlite' or 'postgres', not 'mysql'\n");
}

TEST_F(ConfigTest, DotEnvSyntaxErrorsAreConfigErrors) {
  EXPECT_EQ(error_with_env("A=1\nbroken line\n"),
            ".env:2:1: error: expected KEY=VALUE\n"
            "    2 | broken line\n"
            "      | ^\n");
}

TEST_F(ConfigTest, DotEnvInAParentIsNamedRelativeToCwd) {
  dir.write(".env", "DB_ENGINE=oracle\n");
  dir.write("a/b/keep", "");
  EXPECT_EQ(error_text({}, {}, in_root("a/b")),
            "../../.env:1: error: DB_ENGINE must be 'sqlite' or 'postgres', not 'oracle'\n");
}

TEST_F(ConfigTest, BadPort) {
  for (auto port : {"0", "65536", "54x", "-1", "port"}) {
    EXPECT_EQ(error_with_env(fmt::format("DB_ENGINE=postgres\n\nPOSTGRES_PORT={}\n", port)),
              fmt::format(".env:3: error: POSTGRES_PORT must be a port number from 1 to 65535, not '{}'\n",
                          port));
  }
  EXPECT_EQ(error_with_env("DB_ENGINE=postgres\n", {{"POSTGRES_PORT", "99999"}}),
            "environment variable POSTGRES_PORT: error: POSTGRES_PORT must be a port number from 1 to "
            "65535, not '99999'\n");
}

TEST_F(ConfigTest, GoodPortBounds) {
  dir.write(".env", "DB_ENGINE=postgres\nPOSTGRES_PORT=65535\n");
  EXPECT_EQ(load_config({}, {}, root()).postgres, (Pairs{{"port", "65535"}}));
  EXPECT_EQ(load_config({}, {{"POSTGRES_PORT", "1"}}, root()).postgres, (Pairs{{"port", "1"}}));
}

TEST_F(ConfigTest, EmptyVersionTable) {
  EXPECT_EQ(error_with_env("RETORT_VERSION_TABLE=\n"),
            ".env:1: error: RETORT_VERSION_TABLE must not be empty\n");
  ConfigFlags flags;
  flags.version_table = "";
  EXPECT_EQ(error_text(flags, {}, root()), "retort: error: --version-table must not be empty\n");
  EXPECT_EQ(error_with_env("", {{"RETORT_VERSION_SCHEMA", ""}}),
            "environment variable RETORT_VERSION_SCHEMA: error: RETORT_VERSION_SCHEMA must not be empty\n");
}

TEST_F(ConfigTest, VersionTableIsAnyText) {
  dir.write(".env", "RETORT_VERSION_TABLE=\"My Table; x\"\n");
  EXPECT_EQ(load_config({}, {}, root()).version_table.name, "My Table; x");
}

TEST_F(ConfigTest, BadLockTimeout) {
  EXPECT_EQ(error_with_env("RETORT_LOCK_TIMEOUT=-5\n"),
            ".env:1: error: RETORT_LOCK_TIMEOUT must be a whole number of seconds, 0 or more, not '-5'\n");
  EXPECT_EQ(error_with_env("", {{"RETORT_LOCK_TIMEOUT", "1.5"}}),
            "environment variable RETORT_LOCK_TIMEOUT: error: RETORT_LOCK_TIMEOUT must be a whole number "
            "of seconds, 0 or more, not '1.5'\n");
  ConfigFlags flags;
  flags.wait_s = -1;
  EXPECT_EQ(error_text(flags, {}, root()),
            "retort: error: --wait must be a whole number of seconds, 0 or more, not '-1'\n");
  flags = {};
  flags.lock_timeout_s = -2;
  EXPECT_EQ(error_text(flags, {}, root()),
            "retort: error: --lock-timeout must be a whole number of seconds, 0 or more, not '-2'\n");
}

TEST_F(ConfigTest, InMemorySqliteIsRejected) {
  EXPECT_EQ(error_with_env("DATABASE_URL=sqlite:///:memory:\n"),
            ".env:1: error: DATABASE_URL 'sqlite:///:memory:' is an in-memory database, which is gone "
            "when retort exits; name a file, such as 'sqlite:///app.db'\n");
  EXPECT_EQ(error_with_env("", {{"DATABASE_URL", "sqlite://"}}),
            "environment variable DATABASE_URL: error: DATABASE_URL 'sqlite://' is an in-memory database, "
            "which is gone when retort exits; name a file, such as 'sqlite:///app.db'\n");
}

TEST_F(ConfigTest, SqliteUrlWithHostOrQuery) {
  EXPECT_EQ(error_with_env("DATABASE_URL=sqlite://host/app.db\n"),
            ".env:1: error: DATABASE_URL 'sqlite://host/app.db' names a host; a sqlite URL is "
            "'sqlite:///relative/path.db' or 'sqlite:////absolute/path.db'\n");
  EXPECT_EQ(error_with_env("DATABASE_URL=sqlite:///app.db?mode=ro\n"),
            ".env:1: error: DATABASE_URL 'sqlite:///app.db?mode=ro' has query parameters; a sqlite URL "
            "takes none\n");
}

TEST_F(ConfigTest, UnknownSchemeIsMasked) {
  auto text = error_with_env("DATABASE_URL=mysql://app:hunter2@db/app\n");
  EXPECT_EQ(text,
            ".env:1: error: DATABASE_URL has unsupported scheme 'mysql' in 'mysql://app:***@db/app'; use "
            "sqlite:/// or postgresql://\n");
  ConfigFlags flags;
  flags.database_url = "mssql+pyodbc://sa:p@ss:w0rd@db/app";
  EXPECT_EQ(error_text(flags, {}, root()),
            "retort: error: --url has unsupported scheme 'mssql+pyodbc' in 'mssql+pyodbc://sa:***@db/app'; "
            "use sqlite:/// or postgresql://\n");
}

TEST_F(ConfigTest, NotAUrl) {
  auto text = error_with_env("DATABASE_URL=app:hunter2@db\n");
  EXPECT_EQ(text,
            ".env:1: error: DATABASE_URL must be a URL such as 'sqlite:///app.db' or "
            "'postgresql://user@host/dbname'\n");
}

TEST_F(ConfigTest, NoErrorEverShowsAPassword) {
  for (auto dotenv : {"POSTGRES_PASSWORD=\"hunter2\nDB_ENGINE=postgres\n",
                      "POSTGRES_PASSWORD='hunter2' x\n",
                      "DATABASE_URL=sqlite://u:hunter2@host/x.db\n",
                      "DATABASE_URL=ftp://u:hunter2@host/x\n",
                      "DATABASE_URL=u:hunter2@host\n",
                      "POSTGRES_PASSWORD=hunter2\nDB_ENGINE=postgres\nPOSTGRES_PORT=x\n"}) {
    auto text = error_with_env(dotenv);
    EXPECT_NE(text, "<no error>") << dotenv;
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  }
}

TEST(ProcessEnvironment, ReadsEnviron) {
  ASSERT_EQ(setenv("RETORT_CONFIG_TEST_VAR", "a=b", 1), 0);
  auto env = process_environment();
  auto it = env.find("RETORT_CONFIG_TEST_VAR");
  ASSERT_NE(it, env.end());
  EXPECT_EQ(it->second, "a=b");
  unsetenv("RETORT_CONFIG_TEST_VAR");
}

}  // namespace
}  // namespace retort
