// libpg_query, loaded the first time the PostgreSQL engine asks its parser
// something (pg_statements.cpp) rather than when the program starts.
//
// Linked, libpg_query.so cost every command, SQLite ones included, 0.6 MiB of
// resident memory: its 9,000 relocations and 190 KiB of relocated tables are
// touched at start-up, though most runs never parse PostgreSQL. As for libpq
// (libpq_loader.cpp), retort_core defines the functions it uses here, each
// forwarding to the real one in the library that dlopen() loads on the first
// call. RETORT_PG_QUERY_SONAME is the soname of the library the build found
// (tool/CMakeLists.txt).
#include <pg_query.h>

#include "engine/shared_library.hpp"

namespace {

retort::SharedLibrary& pg_query() {
  static retort::SharedLibrary library(
      RETORT_PG_QUERY_SONAME, "PostgreSQL's SQL parser",
      "install libpg_query (Debian: the runtime package that libpg-query-dev depends on)");
  return library;
}

}  // namespace

// Each definition below must keep the exact signature of pg_query.h (the
// compiler checks it against the declaration included above).
#define RETORT_REAL(name) static const auto f = pg_query().function<decltype(&::name)>(#name)

extern "C" {

PgQueryParseResult pg_query_parse(const char* input) {
  RETORT_REAL(pg_query_parse);
  return f(input);
}

void pg_query_free_parse_result(PgQueryParseResult result) {
  RETORT_REAL(pg_query_free_parse_result);
  f(result);
}

PgQuerySplitResult pg_query_split_with_parser(const char* input) {
  RETORT_REAL(pg_query_split_with_parser);
  return f(input);
}

PgQuerySplitResult pg_query_split_with_scanner(const char* input) {
  RETORT_REAL(pg_query_split_with_scanner);
  return f(input);
}

void pg_query_free_split_result(PgQuerySplitResult result) {
  RETORT_REAL(pg_query_free_split_result);
  f(result);
}

}  // extern "C"
