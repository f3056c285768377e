// retort_pg_fixture start|stop STATE_DIR [TEMPLATE_CACHE]: the CTest fixture
// (FIXTURES_SETUP/FIXTURES_CLEANUP postgres) that runs one temporary
// PostgreSQL server for a whole ctest run. `start` leaves the server running
// and writes its URL to STATE_DIR/url; `stop` stops it and removes its folder.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "support/pg_server.hpp"

namespace fs = std::filesystem;
using retort::testing::PgServer;

namespace {

// CTest's SKIP_RETURN_CODE for the setup test.
constexpr int skipped = 77;

// The server folder a previous `start` recorded; empty when none.
fs::path recorded_folder(const fs::path& state) {
  std::ifstream in(state / "folder");
  std::string folder;
  std::getline(in, folder);
  return folder;
}

void stop(const fs::path& state) {
  if (auto folder = recorded_folder(state); !folder.empty()) PgServer::stop_folder(folder);
  std::error_code ec;
  fs::remove(state / "url", ec);
  fs::remove(state / "folder", ec);
}

int start(const fs::path& state, const fs::path& template_cache) {
  stop(state);  // a server left by an interrupted run
  if (const char* url = std::getenv("RETORT_TEST_POSTGRES_URL"); url != nullptr && *url != '\0') {
    std::cout << "using the server of RETORT_TEST_POSTGRES_URL\n";
    return 0;
  }
  if (!retort::testing::find_postgres_bindir()) {
    const char* skip = std::getenv("RETORT_SKIP_POSTGRES");
    bool skipping = skip != nullptr && std::string_view(skip) == "1";
    std::cerr << "PostgreSQL is not installed: install the Debian packages "
              << retort::testing::postgres_packages
              << (skipping ? "; skipping the PostgreSQL tests (RETORT_SKIP_POSTGRES=1)\n"
                           : "; or set RETORT_SKIP_POSTGRES=1 to skip the PostgreSQL tests\n");
    return skipping ? skipped : 1;
  }
  PgServer server = PgServer::start(template_cache);
  // The ctest process owns the server: if it dies without running the cleanup
  // test (Ctrl-C), the next run's cleanup_stale() stops the orphan.
  server.set_owner(::getppid());
  fs::create_directories(state);
  std::ofstream(state / "folder") << server.folder().string() << "\n";
  std::ofstream(state / "url") << server.url();
  server.release();
  std::cout << "PostgreSQL running at " << server.url() << " (folder " << server.folder().string()
            << ")\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view command = argc > 1 ? argv[1] : "";
  if (argc < 3 || (command != "start" && command != "stop")) {
    std::cerr << "usage: retort_pg_fixture start|stop STATE_DIR [TEMPLATE_CACHE]\n";
    return 2;
  }
  try {
    if (command == "stop") {
      stop(argv[2]);
      return 0;
    }
    return start(argv[2], argc > 3 ? fs::path(argv[3]) : fs::path());
  } catch (const std::exception& e) {
    std::cerr << "retort_pg_fixture: " << e.what() << "\n";
    return 1;
  }
}
