// The retort command line: argument parsing and the one place where errors
// are printed. Every command lives in commands.cpp.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

#include "background_record.hpp"
#include "commands.hpp"
#include "retort/diagnostic.hpp"
#include "retort/libpq_process.hpp"
#include "retort/sqlite_process.hpp"

using namespace retort;
using namespace retort::cli;

namespace {

constexpr const char* version = "0.1.0";

// Adds `--format text|json` to a command that can print JSON.
void add_format(CLI::App& command, Context& ctx) {
  command.add_option_function<std::string>(
             "--format", [&ctx](const std::string& f) { ctx.json = f == "json"; },
             "Output format")
      ->check(CLI::IsMember({"text", "json"}));
}

int run(int argc, char** argv) {
  Context ctx;
  CLI::App app{"Retort: database schema migrations for C++ projects (SQLite, PostgreSQL).\n"
               "Documentation: docs/commands.md",
               "retort"};
  app.set_version_flag("--version", version);
  app.require_subcommand(1);
  app.fallthrough();

  auto& flags = ctx.flags;
  app.add_option("--env-file", flags.env_file, "The .env file (default: the nearest .env upwards)");
  app.add_option("-d,--directory", flags.directory, "The migrations folder (default: migrations/ beside .env)");
  app.add_option("--url", flags.database_url, "Database URL; overrides DATABASE_URL and the .env keys");
  app.add_option("--version-table", flags.version_table, "Table recording applied revisions");
  app.add_option("--version-schema", flags.version_schema, "PostgreSQL schema of the version table");
  app.add_option("--lock-timeout", flags.lock_timeout_s, "Seconds to wait for another migrating process")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--wait", flags.wait_s, "Seconds to wait for a database server that is starting")
      ->check(CLI::NonNegativeNumber);
  app.add_flag_callback("-v,--verbose", [&] { ctx.out.verbosity = Verbosity::verbose; }, "Say more");
  app.add_flag_callback("-q,--quiet", [&] { ctx.out.verbosity = Verbosity::quiet; }, "Print only results and errors");

  std::function<ExitCode()> action;

  app.add_subcommand("init", "Create the migrations folder and a commented .env")
      ->callback([&] { action = [&] { return run_init(ctx); }; });

  RevisionOptions revision;
  auto* rev = app.add_subcommand("revision", "Write a new script whose parent is the current head");
  rev->add_option("-m,--message", revision.message, "What the revision does")->required();
  rev->add_option("--rev-id", revision.rev_id, "The new id (digits) instead of a generated one");
  rev->add_option("--head", revision.head, "The parent, when there are several heads");
  rev->add_flag("--autogenerate", revision.autogenerate,
                "Write the SQL that brings the schema at the parent to the schema snapshot");
  rev->add_option("--schema", revision.schema,
                  "The snapshot for --autogenerate (default: sql/schema.sqlite.sql beside .env)")
      ->needs("--autogenerate");
  rev->callback([&] { action = [&] { return run_revision(ctx, revision); }; });

  MigrateOptions migrate;
  auto* up = app.add_subcommand("upgrade", "Apply revisions up to a target (default: head)");
  up->add_option("revision", migrate.target, "head | heads | <id> | <id prefix> | +N | <id>+N")
      ->default_val("head");
  up->add_flag("--sql", migrate.sql, "Print the SQL instead of running it");
  up->add_flag("--single-transaction", migrate.single_transaction, "All revisions in one transaction");
  up->callback([&] { action = [&] { return run_upgrade(ctx, migrate); }; });

  auto* down = app.add_subcommand("downgrade", "Revert revisions down to a target");
  down->add_option("revision", migrate.target, "base | <id> | <id prefix> | -N | <id>-N")->required();
  down->add_flag("--sql", migrate.sql, "Print the SQL instead of running it");
  down->add_flag("--single-transaction", migrate.single_transaction, "All revisions in one transaction");
  down->callback([&] { action = [&] { return run_downgrade(ctx, migrate); }; });

  auto* current = app.add_subcommand("current", "Show the revision(s) the database is at");
  add_format(*current, ctx);
  current->callback([&] { action = [&] { return run_current(ctx); }; });

  auto* history = app.add_subcommand("history", "List revisions, newest first; * marks applied ones");
  add_format(*history, ctx);
  history->callback([&] { action = [&] { return run_history(ctx); }; });

  auto* heads = app.add_subcommand("heads", "Show the newest revision(s) of the scripts");
  add_format(*heads, ctx);
  heads->callback([&] { action = [&] { return run_heads(ctx); }; });

  app.add_subcommand("branches", "Show revisions with more than one child")
      ->callback([&] { action = [&] { return run_branches(ctx); }; });

  std::string show_target;
  auto* show = app.add_subcommand("show", "Show one revision");
  show->add_option("revision", show_target, "<id> | <id prefix>")->required();
  show->callback([&] { action = [&] { return run_show(ctx, show_target); }; });

  auto* stamp = app.add_subcommand("stamp", "Record a revision as applied without running SQL");
  stamp->add_option("revision", migrate.target, "head | heads | base | <id> | <id prefix>")->required();
  stamp->callback([&] { action = [&] { return run_stamp(ctx, migrate); }; });

  MergeOptions merge;
  auto* mg = app.add_subcommand("merge", "Write a revision that joins several heads");
  mg->add_option("-m,--message", merge.message, "What the merge is");
  mg->add_option("--rev-id", merge.rev_id, "The new id (digits) instead of a generated one");
  mg->add_option("revisions", merge.revisions, "Revisions to merge (default: heads)");
  mg->callback([&] { action = [&] { return run_merge(ctx, merge); }; });

  CheckOptions check_options;
  auto* check = app.add_subcommand("check", "Validate every script and the revision graph");
  add_format(*check, ctx);
  check->add_flag("--database", check_options.database,
                  "Also compare the scripts with the database's record (drift, missing scripts)");
  check->callback([&] { action = [&] { return run_check(ctx, check_options); }; });

  // Hidden: the build runs it (cmake/Retort.cmake), people run `check`.
  EmbedOptions embed;
  auto* em = app.add_subcommand("embed", "Validate like check, then write <name>_migrations.cpp/.hpp");
  em->group("");
  em->add_option("directory", embed.directory, "The migrations folder")->required();
  em->add_option("--name", embed.name, "Prefix of the generated function and files")->required();
  em->add_option("--output-dir", embed.output_dir, "Where to write the files")->required();
  em->callback([&] { action = [&] { return run_embed(ctx, embed); }; });

  app.add_subcommand("dump-schema", "Print the database schema, normalised for comparison")
      ->callback([&] { action = [&] { return run_dump_schema(ctx); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }

  try {
    return static_cast<int>(action());
  } catch (const DiagnosticError& e) {
    ctx.out.diagnostics(e.diagnostics());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    ctx.out.diagnostics({Diagnostic{"", 0, 0, fmt::format("internal error: {}", e.what()), {}, {}}});
    return static_cast<int>(ExitCode::internal);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // glibc grows a thread's arena by the page, one mprotect() each, and each
  // takes the address-space lock the other thread's page faults wait on: the
  // reader thread's 1000 version rows made 29 of them. With a pad it is
  // made 512 KiB larger at once (address space, not memory: untouched pages
  // cost nothing), as the main heap grows. PostgreSQL no-op of 1000
  // scripts: 0.11-0.36 ms less in four interleaved loops out of five, 0.04
  // more in the fifth (bench/notes.md, fix 45); peak RSS unchanged.
  mallopt(M_TOP_PAD, 512 * 1024);
  sqlite_without_memory_statistics();  // no command asks for them
  libpq_without_gnutls_init();         // before anything loads libpq
  const int code = run(argc, argv);
  // Every database and file is closed by now. What exit() would still run is
  // static destructors and the exit handlers of libpq's twenty libraries
  // (OpenSSL, GnuTLS, Kerberos, ...), for memory the kernel frees anyway: 0.6
  // ms of CPU and 0.2 ms of a no-op PostgreSQL upgrade of 1000 scripts (300
  // interleaved runs). And a database read that a failure abandoned may
  // still run, which static destructors would pull what it uses from under.
  // Sanitizer builds exit normally: their leak check runs at exit.
#if !defined(__SANITIZE_ADDRESS__)
  const bool skip_exit_handlers = true;
#else
  const bool skip_exit_handlers = BackgroundRecord::abandoned();
#endif
  if (skip_exit_handlers) {
    std::fflush(nullptr);
    std::_Exit(code);
  }
  return code;
}
