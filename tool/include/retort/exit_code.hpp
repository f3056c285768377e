#pragma once

namespace retort {

// The process exit codes; documented in docs/commands.md. Scripts and CI rely
// on them, so values never change meaning.
enum class ExitCode : int {
  success = 0,
  migration_failed = 1,  // a statement failed; the migration was rolled back
  usage = 2,             // bad command line
  invalid_scripts = 3,   // a script or the revision graph is malformed
  config = 4,            // bad .env, environment or flag value
  connection = 5,        // the database cannot be opened or reached
  state = 6,             // the database's recorded state forbids the command (drift, unknown revision, ...)
  lock_timeout = 7,      // another process held the migration lock too long
  internal = 70,         // a bug in Retort
};

}  // namespace retort
