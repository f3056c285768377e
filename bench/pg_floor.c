// The least a client must do for Retort's no-op `upgrade head` on
// PostgreSQL, without Retort: connect through libpq, ask whether the version
// table exists, read its rows as Retort plans from them, disconnect. With
// "one", it sends `psql`'s comparison query alone instead. bench/notes.md
// sets it beside `psql` and Retort (bench/README.md has the command).
//
//   cc -O2 bench/pg_floor.c -I/usr/include/postgresql -lpq -o /tmp/pg_floor
//   /tmp/pg_floor URL [one]
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

static int fails(PGconn* conn, PGresult* result) {
  if (PQresultStatus(result) == PGRES_TUPLES_OK) return 0;
  fprintf(stderr, "%s", PQerrorMessage(conn));
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s URL [one]\n", argv[0]);
    return 2;
  }
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    fprintf(stderr, "%s", PQerrorMessage(conn));
    return 1;
  }
  const int one = argc > 2 && strcmp(argv[2], "one") == 0;
  PGresult* result;
  if (!one) {
    result = PQexec(conn, "SELECT pg_catalog.to_regclass('public.retort_version') IS NOT NULL");
    if (fails(conn, result)) return 1;
    PQclear(result);
  }
  result = PQexec(conn, one ? "SELECT revision FROM retort_version"
                            : "SELECT revision, checksum, statements_done FROM public.retort_version");
  if (fails(conn, result)) return 1;
  size_t bytes = 0;  // every value read, as a client that uses them would
  for (int row = 0; row < PQntuples(result); ++row)
    for (int column = 0; column < PQnfields(result); ++column)
      bytes += strlen(PQgetvalue(result, row, column));
  PQclear(result);
  PQfinish(conn);
  return bytes == 0;
}
