// `upgrade`, `downgrade` and `current` read the database on a thread of their
// own while the scripts load (tool/cli/background_record.hpp). What that must
// not change: the scripts' errors come first and alone, without waiting for a
// database that does not answer; a database error comes once; no database is
// created for scripts that turn out broken. No PostgreSQL server is needed:
// the servers here refuse or never answer.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/logged_migrations.hpp"
#include "support/permissions.hpp"
#include "support/project_dir.hpp"

namespace fs = std::filesystem;
using namespace retort::testing;

namespace {

constexpr const char* users =
    "-- retort:up\nCREATE TABLE users (id INTEGER);\n-- retort:down\nDROP TABLE users;\n";

constexpr const char* unknown_directive =
    "-- retort:parent 0001\n-- retort:frobnicate\n-- retort:up\n-- retort:down\n";
constexpr const char* script_error = "migrations/0002_bad.sql:2:";

// Port 1 refuses connections; the password must never be printed.
const std::string refusing_server = "postgresql://app:s3cret@127.0.0.1:1/app?sslmode=disable";

const std::vector<std::vector<std::string>> reading_commands = {
    {"upgrade"}, {"-v", "upgrade"}, {"downgrade", "base"}, {"current"}};

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += a + " ";
  return out;
}

// A TCP port on which the kernel completes connections that nobody ever
// answers: libpq then waits for the server's first message without a limit.
class SilentServer {
 public:
  SilentServer() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0)
      ADD_FAILURE() << "cannot listen on a local port";
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  std::string url() const {
    return "postgresql://app@127.0.0.1:" + std::to_string(port_) + "/app?sslmode=disable";
  }

 private:
  int fd_;
  int port_ = 0;
};

class ConcurrentRead : public ::testing::Test, protected ProjectDir {
 protected:
  void SetUp() override {
    dir.write(".env", "SQLITE_PATH=app.db\n");
    dir.write("migrations/0001_users.sql", users);
  }

  void break_scripts() { dir.write("migrations/0002_bad.sql", unknown_directive); }

  // Runs retort; a run that has not ended after a minute is killed and fails.
  ProcessResult finished(const std::vector<std::string>& args) {
    auto running = start(args);
    const bool ended = eventually([&] { return !running.running(); });
    if (!ended) running.kill();
    auto result = running.wait();
    EXPECT_TRUE(ended) << joined(args) << "waited for the database";
    return result;
  }
};

TEST_F(ConcurrentRead, BrokenScriptsWinOverAnUnreachableServer) {
  break_scripts();
  for (auto args : reading_commands) {
    args.insert(args.begin(), {"--url", refusing_server});
    auto r = retort(args);
    EXPECT_EQ(r.exit_code, 3) << joined(args) << r.err;
    EXPECT_EQ(r.err.find(script_error), 0u) << joined(args) << r.err;
    EXPECT_EQ(count(r.err, "error:"), 1u) << joined(args) << r.err;
    EXPECT_EQ((r.out + r.err).find("s3cret"), std::string::npos) << joined(args) << r.err;
  }
}

TEST_F(ConcurrentRead, UnreachableServerWithValidScriptsIsOneConnectionError) {
  for (auto args : reading_commands) {
    args.insert(args.begin(), {"--url", refusing_server});
    auto r = retort(args);
    EXPECT_EQ(r.exit_code, 5) << joined(args) << r.err;
    EXPECT_EQ(r.err.find("retort: error: could not connect to "), 0u) << joined(args) << r.err;
    EXPECT_EQ(count(r.err, "error:"), 1u) << joined(args) << r.err;
    EXPECT_EQ(r.out, "") << joined(args);
    EXPECT_EQ((r.out + r.err).find("s3cret"), std::string::npos) << joined(args) << r.err;
  }
}

TEST_F(ConcurrentRead, BrokenScriptsAreReportedWithoutWaitingForAServerThatNeverAnswers) {
  break_scripts();
  SilentServer server;
  for (auto args : reading_commands) {
    args.insert(args.begin(), {"--url", server.url()});
    auto r = finished(args);
    EXPECT_EQ(r.exit_code, 3) << joined(args) << r.err;
    EXPECT_EQ(r.err.find(script_error), 0u) << joined(args) << r.err;
    EXPECT_EQ(count(r.err, "error:"), 1u) << joined(args) << r.err;
  }
}

TEST_F(ConcurrentRead, NoDatabaseIsCreatedForBrokenScripts) {
  break_scripts();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"upgrade"}, {"upgrade", "--single-transaction"}, {"downgrade", "base"}, {"current"}}) {
    auto r = retort(args);
    EXPECT_EQ(r.exit_code, 3) << joined(args) << r.err;
    EXPECT_EQ(r.err.find(script_error), 0u) << joined(args) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "app.db"));
}

TEST_F(ConcurrentRead, EmptyFolderReadsADatabaseThisUserMayNotWrite) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  fs::remove(dir.path() / "migrations/0001_users.sql");
  fs::permissions(dir.path() / "app.db", fs::perms::owner_read);
  enforce_file_permissions();
  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 6) << up.err;
  EXPECT_EQ(up.err.find("retort: error: revision 0001 is recorded as applied in the database, "
                        "but no script has that id\n"),
            0u)
      << up.err;
}

TEST_F(ConcurrentRead, MissingDatabaseIsCreatedByTheFirstStepOnly) {
  auto down = retort({"downgrade", "base"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(down.out, "Nothing to do: sqlite:" + (dir.path() / "app.db").string() + " is at base\n");
  EXPECT_FALSE(fs::exists(dir.path() / "app.db")) << "a downgrade with nothing to do creates nothing";

  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(fs::exists(dir.path() / "app.db"));
  EXPECT_EQ(applied(), std::vector<std::string>{"0001"});
}

}  // namespace
