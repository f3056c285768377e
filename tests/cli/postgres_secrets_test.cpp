// The real retort binary on the temporary PostgreSQL server, connected with a
// password full of URL-special characters: no command prints it, verbose,
// JSON or failing; and a version table and schema whose names hold quotes and
// semicolons are quoted everywhere.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include "support/pg_server.hpp"
#include "support/project_dir.hpp"
#include "support/run_process.hpp"

using namespace retort::testing;

namespace {

constexpr const char* accounts = R"(-- retort:up
CREATE TABLE accounts (id BIGINT PRIMARY KEY);
INSERT INTO accounts VALUES (1);
-- retort:down
DROP TABLE accounts;
)";

constexpr const char* failing = R"(-- retort:parent 0001
-- retort:up
INSERT INTO nowhere VALUES (1);
-- retort:down
SELECT 1;
)";

class PostgresSecrets : public ::testing::Test, protected ProjectDir {
 protected:
  void SetUp() override {
    RETORT_NEED_POSTGRES(base_url);
    db = std::make_unique<TestDatabase>(base_url, "secrets");
    pg_exec(db->url(), fmt::format("GRANT ALL ON SCHEMA public TO {}", password_role));
    host_port = db->host_port();
    ASSERT_FALSE(host_port.empty()) << db->url();
    dir.write("migrations/0001_accounts.sql", accounts);
  }

  // The database's URL as password_role, its password percent-encoded.
  std::string password_url() const {
    return fmt::format("postgresql://{}:{}@{}/{}", password_role, "p%40ss%25w%23rd%3A%2F%3Fx", host_port,
                       db->name());
  }

  // Neither the password nor its encoded form nor a telling piece of either.
  static void expect_no_password(const std::vector<std::string>& args, const ProcessResult& r) {
    const auto all = r.out + r.err;
    for (const char* piece : {password_role_secret, "p%40ss", "p@ss", "%w#rd", "w%23rd"})
      EXPECT_EQ(all.find(piece), std::string::npos) << args.back() << ":\n" << all;
  }

  std::unique_ptr<TestDatabase> db;
  std::string host_port;
};

TEST_F(PostgresSecrets, NoCommandPrintsThePasswordByUrlOrByKey) {
  auto host = host_port.substr(0, host_port.rfind(':'));
  auto port = host_port.substr(host_port.rfind(':') + 1);
  const std::vector<std::pair<std::string, std::vector<std::string>>> setups = {
      {"", {"--url", password_url()}},
      {fmt::format("DATABASE_URL=\"{}\"\n", password_url()), {}},
      {fmt::format("DB_ENGINE=postgres\nPOSTGRES_USER={}\nPOSTGRES_PASSWORD='{}'\nPOSTGRES_SERVER={}\n"
                   "POSTGRES_PORT={}\nPOSTGRES_DB={}\n",
                   password_role, password_role_secret, host, port, db->name()),
       {}}};
  for (const auto& [env, global] : setups) {
    write_env(env);
    const std::vector<std::vector<std::string>> commands = {
        {"-v", "upgrade"},   {"-v", "current"},        {"current", "--format", "json"},
        {"-v", "history"},   {"history", "--format", "json"}, {"check", "--database", "--format", "json"},
        {"upgrade", "--sql"}, {"stamp", "head"}, {"-v", "downgrade", "base"}, {"dump-schema"}};
    for (auto args : commands) {
      args.insert(args.begin(), global.begin(), global.end());
      auto r = retort(args);
      EXPECT_EQ(r.exit_code, 0) << env << args.back() << r.err;
      expect_no_password(args, r);
    }
    // A failing migration, reported with the database named.
    dir.write("migrations/0002_failing.sql", failing);
    auto args = global;
    args.insert(args.end(), {"-v", "upgrade"});
    auto r = retort(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    expect_no_password(args, r);
    std::filesystem::remove(dir.path() / "migrations/0002_failing.sql");
    ASSERT_EQ(retort(global.empty() ? std::vector<std::string>{"downgrade", "base"}
                                    : std::vector<std::string>{global[0], global[1], "downgrade", "base"})
                  .exit_code,
              0);
  }
}

TEST_F(PostgresSecrets, VersionTableAndSchemaNamesAreAlwaysQuoted) {
  const std::string schema = "s\"; DROP TABLE accounts; --";
  const std::string table = "v\"; DROP TABLE accounts; --";
  pg_exec(db->url(), "CREATE SCHEMA \"s\"\"; DROP TABLE accounts; --\"");
  const std::vector<std::string> global = {"--url", db->url(), "--version-schema", schema,
                                          "--version-table", table};
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"upgrade"}, {"current"}, {"downgrade", "base"}, {"upgrade"}, {"stamp", "head"}}) {
    auto args = global;
    args.insert(args.end(), command.begin(), command.end());
    auto r = retort(args);
    EXPECT_EQ(r.exit_code, 0) << command[0] << r.err;
  }
  EXPECT_EQ(pg_value(db->url(), "SELECT count(*) FROM accounts"), "1");
  EXPECT_EQ(pg_value(db->url(), "SELECT revision FROM \"s\"\"; DROP TABLE accounts; --\".\"v\"\"; DROP TABLE "
                                "accounts; --\""),
            "0001");
}

}  // namespace
