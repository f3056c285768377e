// Secrets never reach the output, whatever goes wrong (no PostgreSQL server
// needed: malformed and unreachable URLs); a .env that holds one and that
// other users may read gets a warning; the version table's name is always
// quoted, whatever it holds.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/project_dir.hpp"
#include "support/run_process.hpp"

namespace fs = std::filesystem;
using retort::testing::ProcessResult;
using retort::testing::ProjectDir;

namespace {

constexpr const char* users = R"(-- retort:up
CREATE TABLE users (id INTEGER PRIMARY KEY);
INSERT INTO users VALUES (1);
-- retort:down
DROP TABLE users;
)";

constexpr const char* posts = R"(-- retort:parent 0001
-- retort:up
CREATE TABLE posts (id INTEGER PRIMARY KEY);
-- retort:down
DROP TABLE posts;
)";

class Secrets : public ::testing::Test, protected ProjectDir {
 protected:
  void SetUp() override {
    dir.write("migrations/0001_users.sql", users);
    dir.write("migrations/0002_posts.sql", posts);
  }

  // Runs every command that reads the configuration, verbosely and as JSON
  // where it can; `expect` checks each result.
  template <typename Expect>
  void every_command(const std::vector<std::string>& global, Expect expect) {
    const std::vector<std::vector<std::string>> commands = {
        {"upgrade"},          {"-v", "upgrade"},  {"upgrade", "--sql"},
        {"downgrade", "base"}, {"-v", "current"}, {"current", "--format", "json"},
        {"-v", "history"},    {"history", "--format", "json"},
        {"check", "--database"}, {"check", "--database", "--format", "json"},
        {"stamp", "head"},    {"dump-schema"}};
    for (auto args : commands) {
      args.insert(args.begin(), global.begin(), global.end());
      expect(args, retort(args));
    }
  }
};

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += a + " ";
  return out;
}

const fs::perms private_file = fs::perms::owner_read | fs::perms::owner_write;
const fs::perms world_readable = private_file | fs::perms::group_read | fs::perms::others_read;

TEST_F(Secrets, MalformedUrlWithAPasswordByFlagAndInTheEnvFile) {
  const std::string url = "postgresql://app:s3cr%zzet@db.example/app";
  write_env("");
  every_command({"--url", url}, [](const auto& args, const ProcessResult& r) {
    EXPECT_EQ(r.exit_code, 4) << joined(args) << r.err;
    EXPECT_EQ((r.out + r.err).find("s3cr"), std::string::npos) << joined(args) << r.out << r.err;
  });
  write_env("DATABASE_URL=\"" + url + "\"\n");
  every_command({}, [](const auto& args, const ProcessResult& r) {
    // history survives a database it cannot reach, but not a bad URL.
    EXPECT_EQ(r.exit_code, 4) << joined(args) << r.err;
    EXPECT_EQ((r.out + r.err).find("s3cr"), std::string::npos) << joined(args) << r.out << r.err;
  });
}

TEST_F(Secrets, UnsupportedSchemeWithAPassword) {
  write_env("DATABASE_URL=mysql://app:hunter2@db/app\n");
  auto r = retort({"current"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err,
            ".env:1: error: DATABASE_URL has unsupported scheme 'mysql' in 'mysql://app:***@db/app'; "
            "use sqlite:/// or postgresql://\n");
}

TEST_F(Secrets, UnreachableServerWithAnEncodedPassword) {
  // Port 1 refuses connections; the password holds every URL-special character.
  const std::string url = "postgresql://app:p%40ss%3Aw%2Fd%3F%23x@127.0.0.1:1/app?sslmode=disable";
  write_env("");
  every_command({"--url", url}, [](const auto& args, const ProcessResult& r) {
    const auto all = r.out + r.err;
    for (const char* piece : {"p%40ss", "p@ss", "w%2Fd", "%3F%23x"})
      EXPECT_EQ(all.find(piece), std::string::npos) << joined(args) << all;
  });
  auto r = retort({"--url", url, "-v", "upgrade"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("postgresql://app:***@127.0.0.1:1/app?sslmode=disable"), std::string::npos) << r.err;
  auto history = retort({"--url", url, "history", "--format", "json"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.err.find("retort: warning: cannot read the database"), std::string::npos) << history.err;
}

TEST_F(Secrets, EnvFileWithASecretThatOthersMayReadIsWarnedAbout) {
  write_env("DB_ENGINE=postgres\nPOSTGRES_USER=app\nPOSTGRES_PASSWORD=\"hunter2\"\n", world_readable);
  auto r = retort({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "retort: warning: .env holds POSTGRES_PASSWORD and other users may read it (mode 0644); "
            "run 'chmod 600 .env'\n");

  fs::permissions(dir.path() / ".env", private_file | fs::perms::group_read, fs::perm_options::replace);
  EXPECT_NE(retort({"check"}).err.find("(mode 0640)"), std::string::npos);

  fs::permissions(dir.path() / ".env", private_file, fs::perm_options::replace);
  EXPECT_EQ(retort({"check"}).err, "");
}

TEST_F(Secrets, EnvFileWarningNamesEverySecretAndOnlySecrets) {
  write_env("DATABASE_URL=postgresql://app:hunter2@db/app\nAPI_TOKEN=abc\nPOSTGRES_PASSWORD=\n", world_readable);
  auto r = retort({"--env-file", ".env", "check"});
  EXPECT_EQ(r.err,
            "retort: warning: .env holds API_TOKEN, DATABASE_URL and other users may read it (mode "
            "0644); run 'chmod 600 .env'\n");
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);

  // No password in the URL, an empty password: nothing secret to protect.
  write_env("DATABASE_URL=sqlite:///app.db\nPOSTGRES_PASSWORD=\n", world_readable);
  auto plain = retort({"check"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err, "");
  write_env("DATABASE_URL=postgresql://app@db/app\n", world_readable);
  EXPECT_EQ(retort({"check"}).err, "");
}

TEST_F(Secrets, VersionTableNameIsAlwaysQuoted) {
  write_env("SQLITE_PATH=app.db\n");
  const std::string name = "x\"; DROP TABLE users; --";
  auto sql = retort({"--version-table", name, "upgrade", "--sql"});
  EXPECT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_NE(sql.out.find("CREATE TABLE IF NOT EXISTS \"x\"\"; DROP TABLE users; --\""), std::string::npos)
      << sql.out;

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"upgrade"}, {"downgrade", "-1"}, {"upgrade"}, {"stamp", "head"}}) {
    std::vector<std::string> full{"--version-table", name};
    full.insert(full.end(), args.begin(), args.end());
    auto r = retort(full);
    EXPECT_EQ(r.exit_code, 0) << joined(full) << r.err;
  }
  auto current = retort({"--version-table", name, "current"});
  EXPECT_EQ(current.out, "0002 (head) posts\n");
  auto schema = retort({"dump-schema"});
  EXPECT_NE(schema.out.find("CREATE TABLE \"x\"\"; DROP TABLE users; --\""), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("CREATE TABLE users"), std::string::npos) << schema.out;
}

}  // namespace
