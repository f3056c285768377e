#include "retort/config.hpp"
#include "retort/engine.hpp"

#include "engine/postgres_engine.hpp"
#include "engine/sqlite_engine.hpp"

namespace retort {

std::unique_ptr<Engine> open_engine(const Config& config, OpenMode mode) {
  switch (config.engine) {
    case Dialect::sqlite:
      return open_sqlite_engine(config.sqlite_path, config.version_table, mode,
                                config.lock_timeout_s);
    case Dialect::postgres:
      return open_postgres_engine(config, mode);
  }
  fail(ExitCode::internal, "unknown engine");
}

void load_client_library(const Config& config) {
  if (config.engine != Dialect::postgres) return;
  try {
    load_libpq();
  } catch (const DiagnosticError&) {
  }
}

}  // namespace retort
