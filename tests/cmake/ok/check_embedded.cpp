// check_embedded DATABASE_URL: every embedded script equals its file, with
// the checksums its up sections have; then
// upgrades the database from the embedded set and prints where it is.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "notes_migrations.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(MIGRATIONS_DIR))
    files += entry.path().extension() == ".sql";
  if (notes_migrations().size() != files) {
    fmt::print(stderr, "{} scripts embedded, {} on disk\n", notes_migrations().size(), files);
    return 1;
  }
  for (const auto& script : notes_migrations()) {
    std::ifstream in(std::filesystem::path(MIGRATIONS_DIR) / script.file_name, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (content.str() != script.content) {
      fmt::print(stderr, "{}: the embedded bytes differ from the file\n", script.file_name);
      return 1;
    }
    auto parsed = retort::parse_script(script.file_name, script.content);
    for (auto dialect : {retort::Dialect::sqlite, retort::Dialect::postgres}) {
      if (parsed.script->checksum(retort::Direction::up, dialect) !=
          script.up_checksums[static_cast<std::size_t>(dialect)]) {
        fmt::print(stderr, "{}: the embedded checksum differs from the script's\n", script.file_name);
        return 1;
      }
    }
  }
  fmt::print("embedded scripts match their files\n");
  retort::Migrator db(notes_migrations(), retort::config_from_url(argv[1]));
  db.upgrade();
  fmt::print("database at {}\n", fmt::join(db.current(), ", "));
  return 0;
}
