// app URL: prints the database's current revisions, or the error.
#include <retort/migrations.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    retort::Migrator db(std::span<const retort::EmbeddedScript>{}, retort::config_from_url(argv[1]));
    for (const auto& revision : db.current()) std::printf("%s\n", revision.c_str());
  } catch (const retort::DiagnosticError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return static_cast<int>(error.code());
  }
  return 0;
}
