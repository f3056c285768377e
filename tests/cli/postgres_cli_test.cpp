// The real retort binary against the temporary PostgreSQL server: the seed's
// commands configured through the seed's .env keys, failures, concurrent
// processes, and secrets that must never be printed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string_view>
#include <thread>

#include "support/pg_server.hpp"
#include "support/project_dir.hpp"
#include "support/timestamp.hpp"

using namespace retort::testing;

namespace {

constexpr const char* accounts = R"(-- retort:message Create accounts
-- retort:up
CREATE TABLE accounts (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email TEXT NOT NULL);
-- retort:down
DROP TABLE accounts;
)";

constexpr const char* audit = R"(-- retort:parent 0001
-- retort:message Audit log, written once per run of this migration
-- retort:up
CREATE TABLE audit (note TEXT NOT NULL);
INSERT INTO audit VALUES ('0002 ran');
-- retort:down
DROP TABLE audit;
)";

constexpr const char* function = R"(-- retort:parent 0002
-- retort:message A function whose body holds semicolons
-- retort:up
CREATE FUNCTION account_count() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit VALUES ('counted; once');
  RETURN (SELECT count(*) FROM accounts);
END;
$$;
-- retort:down
DROP FUNCTION account_count();
)";

constexpr const char* index = R"(-- retort:parent 0003
-- retort:message Index accounts by email
-- retort:up
CREATE UNIQUE INDEX accounts_email_idx ON accounts (email);
-- retort:down
DROP INDEX accounts_email_idx;
)";

class PostgresCli : public ::testing::Test, protected ProjectDir {
 protected:
  void SetUp() override {
    RETORT_NEED_POSTGRES(base_url);
    db = std::make_unique<TestDatabase>(base_url, "cli");
    const auto host_port = db->host_port();
    const auto colon = host_port.rfind(':');
    ASSERT_NE(colon, std::string::npos) << db->url();
    // The seed's .env, one key per setting.
    dir.write(".env", "DB_ENGINE=\"postgres\"\n"
                      "POSTGRES_USER=\"retort\"\n"
                      "POSTGRES_SERVER=\"" + host_port.substr(0, colon) + "\"\n"
                      "POSTGRES_PORT=" + host_port.substr(colon + 1) + "\n"
                      "POSTGRES_DB=\"" + db->name() + "\"\n");
    dir.write("migrations/0001_accounts.sql", accounts);
    dir.write("migrations/0002_audit.sql", audit);
    dir.write("migrations/0003_function.sql", function);
    dir.write("migrations/0004_index.sql", index);
  }

  std::unique_ptr<TestDatabase> db;
};

using Ids = std::vector<std::string>;

TEST_F(PostgresCli, SeedCommandsWithTheSeedEnvKeys) {
  auto up = retort({"upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
  EXPECT_EQ(retort({"current"}).out, "0004 (head) Index accounts by email\n");
  auto history = retort({"history"});
  EXPECT_EQ(history.out.rfind("* 0003 -> 0004 (head), Index accounts by email\n", 0), 0u) << history.out;

  ASSERT_EQ(retort({"downgrade", "-1"}).exit_code, 0);
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003"}));
  ASSERT_EQ(retort({"downgrade", "0001"}).exit_code, 0);
  EXPECT_EQ(applied(), (Ids{"0001"}));
  ASSERT_EQ(retort({"upgrade", "0003"}).exit_code, 0);
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003"}));
  ASSERT_EQ(retort({"downgrade", "base"}).exit_code, 0);
  EXPECT_EQ(applied(), Ids{});
  EXPECT_EQ(pg_value(db->url(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'retort_version'"), "0");

  auto rev = retort({"revision", "-m", "add accounts name"});
  ASSERT_EQ(rev.exit_code, 0) << rev.err;
  EXPECT_EQ(rev.out, "migrations/0005_add_accounts_name.sql\n");
}

// libpg_query is loaded when a script needs PostgreSQL's parser (0003's
// BEGIN and END make the engine look for transaction control); when it cannot
// be, the run stops there with an error that names it.
TEST_F(PostgresCli, UnloadableSqlParserStopsWithAnErrorNamingIt) {
  if (std::string_view(RETORT_PG_QUERY_SONAME).empty()) GTEST_SKIP() << "libpg_query is linked";
  TempDir libraries;
  libraries.write(RETORT_PG_QUERY_SONAME, "");  // "file too short" for dlopen()
  auto r = run_retort({"upgrade", "head"}, dir.path(),
                      {{"LD_LIBRARY_PATH", libraries.path().string()}});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find(std::string("error: cannot load PostgreSQL's SQL parser ") +
                       RETORT_PG_QUERY_SONAME + ": "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("file too short"), std::string::npos) << r.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002"}));

  auto again = retort({"upgrade", "head"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
}

// The version table is looked up through pg_catalog's own functions: a
// schema that the search_path puts first cannot hide it with functions of
// the same names.
TEST_F(PostgresCli, VersionTableIsFoundWhateverTheSearchPathPutsFirst) {
  ASSERT_EQ(retort({"upgrade", "head"}).exit_code, 0);
  pg_exec(db->url(),
          "CREATE SCHEMA shadow; "
          "CREATE FUNCTION shadow.to_regclass(text) RETURNS regclass LANGUAGE sql AS 'SELECT NULL::regclass'; "
          "CREATE FUNCTION shadow.to_regnamespace(text) RETURNS regnamespace LANGUAGE sql "
          "AS 'SELECT NULL::regnamespace'; "
          "ALTER DATABASE \"" + db->name() + "\" SET search_path = shadow, pg_catalog, public");
  auto again = retort({"upgrade", "head"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Nothing to do"), std::string::npos) << again.out;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
}

// Planning reads leave the times out of the version table's rows; the JSON of
// `current`, which shows them, still reads them.
TEST_F(PostgresCli, CurrentAsJsonShowsWhenEachRevisionWasApplied) {
  ASSERT_EQ(retort({"upgrade", "head"}).exit_code, 0);
  auto r = retort({"current", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out)["applied"];
  ASSERT_EQ(rows.size(), 4u) << r.out;
  for (const auto& row : rows) {
    EXPECT_TRUE(is_utc_timestamp(row["applied_at"].get<std::string>())) << row;
    EXPECT_GE(row["duration_ms"].get<std::int64_t>(), 0);
  }
}

TEST_F(PostgresCli, FailingMigrationIsRolledBackAndReportedWithSqlstate) {
  ASSERT_EQ(retort({"upgrade", "0003"}).exit_code, 0);
  dir.write("migrations/0004_index.sql",
            "-- retort:parent 0003\n"
            "-- retort:up\n"
            "CREATE UNIQUE INDEX accounts_email_idx ON accounts (email);\n"
            "SELECT missing_column FROM accounts;\n"
            "-- retort:down\n"
            "DROP INDEX accounts_email_idx;\n");
  auto r = retort({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("migrations/0004_index.sql:4:8: error: column \"missing_column\" does not exist "
                        "[SQLSTATE 42703]\n",
                        0),
            0u)
      << r.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003"}));
  EXPECT_EQ(pg_value(db->url(), "SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_email_idx'"), "0");
}

TEST_F(PostgresCli, ErrorAfterNonAsciiTextIsReportedAtItsLineAndColumn) {
  ASSERT_EQ(retort({"upgrade", "0003"}).exit_code, 0);
  dir.write("migrations/0004_index.sql",
            "-- retort:parent 0003\n"
            "-- retort:up\n"
            "INSERT INTO audit VALUES ('naïve — ✓ 😀');\n"
            "CREATE UNIQUE INDEX accounts_email_idx ON accounts (email);\n"
            "SELECT 'é', missing_column FROM accounts;\n"
            "-- retort:down\n"
            "DROP INDEX accounts_email_idx;\n");
  auto r = retort({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  // Columns count bytes, like the compilers' diagnostics: 'é' takes two.
  EXPECT_EQ(r.err.rfind("migrations/0004_index.sql:5:14: error: column \"missing_column\" does not "
                        "exist [SQLSTATE 42703]\n",
                        0),
            0u)
      << r.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003"}));
  EXPECT_EQ(pg_value(db->url(), "SELECT count(*) FROM audit"), "1");
}

TEST_F(PostgresCli, FourProcessesUpgradingAtOnceApplyEachRevisionOnce) {
  std::vector<ProcessResult> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results)
    threads.emplace_back([&] { result = retort({"upgrade", "head"}); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
  EXPECT_EQ(pg_value(db->url(), "SELECT count(*) FROM audit"), "1");
}

TEST_F(PostgresCli, DumpSchemaIsStableAndLeavesTheVersionTableOut) {
  ASSERT_EQ(retort({"upgrade", "head"}).exit_code, 0);
  auto first = retort({"dump-schema"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("accounts_email_idx"), std::string::npos) << first.out;
  EXPECT_EQ(first.out.find("retort_version"), std::string::npos) << first.out;
  EXPECT_EQ(retort({"dump-schema"}).out, first.out);
}

TEST_F(PostgresCli, WrongPasswordIsReportedWithoutThePassword) {
  auto env = dir.read(".env");
  const std::string user = "POSTGRES_USER=\"retort\"";
  env.replace(env.find(user), user.size(),
              std::string("POSTGRES_USER=\"") + password_role +
                  "\"\nPOSTGRES_PASSWORD=\"Wr0ng#Secret@x\"");
  dir.write(".env", env);
  auto r = retort({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("Wr0ng#Secret@x"), std::string::npos) << r.err;
}

// The libraries libpq calls are loaded when it first calls them
// (tool/libpq_archive.cmake), not with libpq: none for a connection without
// GSSAPI, SSL or a password; OpenSSL for a SCRAM password; GSSAPI for TCP with
// libpq's default gssencmode=prefer. LD_DEBUG=files makes the dynamic loader
// name each library it loads. One that cannot be loaded stops the command
// (exit 5) before anything is migrated.
TEST_F(PostgresCli, LibrariesThatLibpqCallsAreLoadedOnlyWhenCalled) {
  const auto loaded = [](const std::string& err) {
    std::set<std::string> names;
    for (auto at = err.find("file="); at != std::string::npos; at = err.find("file=", at + 1)) {
      auto name = err.substr(at + 5, err.find_first_of(" \n", at) - at - 5);
      names.insert(name.substr(name.rfind('/') + 1));
    }
    return names;
  };
  const std::string at = db->host_port() + "/" + db->name();
  const std::map<std::string, std::string> debug{{"LD_DEBUG", "files"}};

  const std::string no_gssapi = "?gssencmode=disable";
  auto trusted =
      run_retort({"--url", "postgresql://retort@" + at + no_gssapi, "current"}, dir.path(), debug);
  ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
  if (libpq_carried) {
    for (const char* library :
         {"libpq.so.5", "libssl.so.3", "libcrypto.so.3", "libgssapi_krb5.so.2", "libldap-2.5.so.0"})
      EXPECT_EQ(loaded(trusted.err).count(library), 0u) << library << "\n" << trusted.err;
  } else {
    EXPECT_EQ(loaded(trusted.err).count("libpq.so.5"), 1u) << trusted.err;
  }

  const std::string password = std::string(password_role) + ":p%40ss%25w%23rd%3A%2F%3Fx";
  auto scram =
      run_retort({"--url", "postgresql://" + password + "@" + at + no_gssapi, "current"}, dir.path(), debug);
  ASSERT_EQ(scram.exit_code, 0) << scram.err;
  EXPECT_EQ(loaded(scram.err).count("libcrypto.so.3"), 1u) << scram.err;
  EXPECT_EQ(loaded(scram.err).count("libgssapi_krb5.so.2"), libpq_carried ? 0u : 1u) << scram.err;

  auto gss = run_retort({"--url", "postgresql://retort@" + at, "current"}, dir.path(), debug);
  ASSERT_EQ(gss.exit_code, 0) << gss.err;
  EXPECT_EQ(loaded(gss.err).count("libgssapi_krb5.so.2"), 1u) << gss.err;

  TempDir libraries;
  libraries.write("libgssapi_krb5.so.2", "");  // "file too short" for the dynamic loader
  auto broken = run_retort({"--url", "postgresql://retort@" + at, "upgrade", "head"}, dir.path(),
                           {{"LD_LIBRARY_PATH", libraries.path().string()}});
  EXPECT_EQ(broken.exit_code, 5) << broken.err;
  EXPECT_NE(broken.err.find("libgssapi_krb5.so.2: file too short"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("apt-get install libpq5"), std::string::npos) << broken.err;
  auto upgrade = retort({"upgrade", "head"});
  ASSERT_EQ(upgrade.exit_code, 0) << upgrade.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
}

// A `transaction none` script that fails half way is recorded as such; the
// next run refuses with what ran and how to go on, until `stamp` resolves it.
TEST_F(PostgresCli, TransactionNoneFailingHalfWayIsRefusedUntilStamped) {
  dir.write("migrations/0004_index.sql",
            "-- retort:parent 0003\n"
            "-- retort:transaction none\n"
            "-- retort:up\n"
            "CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n"
            "CREATE INDEX CONCURRENTLY audit_note_idx ON audit (no_such_column);\n"
            "-- retort:down\n"
            "DROP INDEX CONCURRENTLY audit_note_idx;\n"
            "DROP INDEX CONCURRENTLY accounts_email_idx;\n");
  auto failed = retort({"upgrade", "head"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.err.rfind("migrations/0004_index.sql:5:", 0), 0u) << failed.err;
  EXPECT_NE(failed.err.find("runs without a transaction"), std::string::npos) << failed.err;

  auto refused = retort({"upgrade", "head"});
  EXPECT_EQ(refused.exit_code, 6);
  EXPECT_NE(refused.err.find("migrations/0004_index.sql: error: revision 0004 stopped part way"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("only its first 1 statement(s) completed"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("retort stamp 0004"), std::string::npos) << refused.err;

  // The user finishes the remaining statement by hand, then records it.
  pg_exec(db->url(), "CREATE INDEX audit_note_idx ON audit (note)");
  ASSERT_EQ(retort({"stamp", "0004"}).exit_code, 0);
  auto after = retort({"upgrade", "head"});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("Nothing to do"), std::string::npos) << after.out;
}

// The repository's own example migrations go up and down on PostgreSQL.
TEST_F(PostgresCli, ExampleMigrationsUpDownUp) {
  expect_up_down_up({"--directory", std::string(RETORT_SOURCE_DIR) + "/migrations"});
}

}  // namespace
