// app [DATABASE_FILE]: brings its SQLite database (default bookshelf.db) to
// the newest revision from the compiled-in scripts, then says where it is.
#include <fmt/format.h>

#include "bookshelf_migrations.hpp"

int main(int argc, char** argv) {
  const std::string file = argc > 1 ? argv[1] : "bookshelf.db";
  try {
    retort::Migrator db(bookshelf_migrations(), retort::config_from_url("sqlite:///" + file));
    auto applied = db.upgrade();
    fmt::print("applied {} revision(s); database at {}\n", applied.size(), fmt::join(db.current(), ", "));
  } catch (const retort::DiagnosticError& e) {
    for (const auto& d : e.diagnostics()) fmt::print(stderr, "{}", retort::format_diagnostic(d));
    return static_cast<int>(e.code());
  }
  return 0;
}
