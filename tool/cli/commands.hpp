#pragma once

#include <optional>
#include <string>
#include <vector>

#include "output.hpp"
#include "retort/config.hpp"
#include "retort/exit_code.hpp"

namespace retort::cli {

// What every command may use: the resolved flags and the output channel.
struct Context {
  ConfigFlags flags;
  Output out;
  bool json = false;  // --format json
};

struct RevisionOptions {
  std::string message;
  std::optional<std::string> rev_id;  // --rev-id
  std::optional<std::string> head;    // --head: the parent when there are several heads
  bool autogenerate = false;          // --autogenerate: the sections from the schema snapshot
  std::optional<std::string> schema;  // --schema: the snapshot (default sql/schema.sqlite.sql)
};

struct MigrateOptions {
  std::string target;
  bool sql = false;                 // --sql: print, touch nothing
  bool single_transaction = false;  // --single-transaction
};

struct MergeOptions {
  std::string message;
  std::vector<std::string> revisions;  // default: all heads
  std::optional<std::string> rev_id;
};

struct CheckOptions {
  bool database = false;  // --database: also compare the scripts with the database's record
};

// `retort embed` (hidden; what retort_add_migrations runs at build time).
struct EmbedOptions {
  std::string directory;   // the scripts, validated as `retort check` does
  std::string name;        // a C identifier: writes <name>_migrations.cpp/.hpp
  std::string output_dir;  // where those go
};

// One function per command; each returns the process exit code and throws
// DiagnosticError for failures, which main() prints once.
ExitCode run_init(Context& ctx);
ExitCode run_revision(Context& ctx, const RevisionOptions& options);
ExitCode run_upgrade(Context& ctx, const MigrateOptions& options);
ExitCode run_downgrade(Context& ctx, const MigrateOptions& options);
ExitCode run_current(Context& ctx);
ExitCode run_history(Context& ctx);
ExitCode run_heads(Context& ctx);
ExitCode run_branches(Context& ctx);
ExitCode run_show(Context& ctx, const std::string& revision);
ExitCode run_stamp(Context& ctx, const MigrateOptions& options);
ExitCode run_merge(Context& ctx, const MergeOptions& options);
ExitCode run_check(Context& ctx, const CheckOptions& options);
ExitCode run_dump_schema(Context& ctx);
ExitCode run_embed(Context& ctx, const EmbedOptions& options);

}  // namespace retort::cli
