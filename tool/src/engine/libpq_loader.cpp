// libpq, loaded the first time a PostgreSQL function is called rather than
// when the program starts. The executables link libpq.a instead when the
// build found it (tool/libpq_archive.cmake), and this file is then not linked.
//
// libpq brings about twenty shared libraries with it (GSSAPI, Kerberos, LDAP,
// SASL, GnuTLS, ...). Mapping and relocating them took most of the start-up
// time of every `retort` command, SQLite ones included: 10.7 ms of CPU against
// 1.7 ms for the `sqlite3` shell (docs/benchmarks.md). So retort_core does not
// link libpq: it defines the libpq functions it uses here, each forwarding to
// the real one in libpq.so.5, which dlopen() loads on the first call. A
// program that links libpq itself (the tests do) gets these definitions for
// its calls too; they forward to the same, already loaded, library.
#include <libpq-fe.h>

#include "engine/shared_library.hpp"

namespace {

retort::SharedLibrary& libpq() {
  // The soname of the libpq that the build found (Debian's libpq5).
  static retort::SharedLibrary library("libpq.so.5", "the PostgreSQL client library",
                                       "install it (Debian: apt-get install libpq5)");
  return library;
}

}  // namespace

// Each definition below must keep the exact signature of libpq-fe.h (the
// compiler checks it against the declaration included above).
#define RETORT_REAL(name) static const auto f = libpq().function<decltype(&::name)>(#name)

extern "C" {

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values, int expand_dbname) {
  RETORT_REAL(PQconnectdbParams);
  return f(keywords, values, expand_dbname);
}

PGconn* PQconnectdb(const char* conninfo) {
  RETORT_REAL(PQconnectdb);
  return f(conninfo);
}

int PQlibVersion() {
  RETORT_REAL(PQlibVersion);
  return f();
}

void PQfinish(PGconn* conn) {
  RETORT_REAL(PQfinish);
  f(conn);
}

ConnStatusType PQstatus(const PGconn* conn) {
  RETORT_REAL(PQstatus);
  return f(conn);
}

PGTransactionStatusType PQtransactionStatus(const PGconn* conn) {
  RETORT_REAL(PQtransactionStatus);
  return f(conn);
}

char* PQerrorMessage(const PGconn* conn) {
  RETORT_REAL(PQerrorMessage);
  return f(conn);
}

char* PQdb(const PGconn* conn) {
  RETORT_REAL(PQdb);
  return f(conn);
}

char* PQuser(const PGconn* conn) {
  RETORT_REAL(PQuser);
  return f(conn);
}

char* PQhost(const PGconn* conn) {
  RETORT_REAL(PQhost);
  return f(conn);
}

char* PQport(const PGconn* conn) {
  RETORT_REAL(PQport);
  return f(conn);
}

int PQserverVersion(const PGconn* conn) {
  RETORT_REAL(PQserverVersion);
  return f(conn);
}

PQnoticeProcessor PQsetNoticeProcessor(PGconn* conn, PQnoticeProcessor proc, void* arg) {
  RETORT_REAL(PQsetNoticeProcessor);
  return f(conn, proc, arg);
}

PGresult* PQexec(PGconn* conn, const char* query) {
  RETORT_REAL(PQexec);
  return f(conn, query);
}

PGresult* PQexecParams(PGconn* conn, const char* command, int nParams, const Oid* paramTypes,
                       const char* const* paramValues, const int* paramLengths,
                       const int* paramFormats, int resultFormat) {
  RETORT_REAL(PQexecParams);
  return f(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
           resultFormat);
}

int PQsendQuery(PGconn* conn, const char* query) {
  RETORT_REAL(PQsendQuery);
  return f(conn, query);
}

PGresult* PQgetResult(PGconn* conn) {
  RETORT_REAL(PQgetResult);
  return f(conn);
}

char* PQescapeLiteral(PGconn* conn, const char* str, size_t len) {
  RETORT_REAL(PQescapeLiteral);
  return f(conn, str, len);
}

ExecStatusType PQresultStatus(const PGresult* res) {
  RETORT_REAL(PQresultStatus);
  return f(res);
}

char* PQresultErrorField(const PGresult* res, int fieldcode) {
  RETORT_REAL(PQresultErrorField);
  return f(res, fieldcode);
}

int PQntuples(const PGresult* res) {
  RETORT_REAL(PQntuples);
  return f(res);
}

int PQnfields(const PGresult* res) {
  RETORT_REAL(PQnfields);
  return f(res);
}

char* PQgetvalue(const PGresult* res, int tup_num, int field_num) {
  RETORT_REAL(PQgetvalue);
  return f(res, tup_num, field_num);
}

int PQgetisnull(const PGresult* res, int tup_num, int field_num) {
  RETORT_REAL(PQgetisnull);
  return f(res, tup_num, field_num);
}

void PQclear(PGresult* res) {
  RETORT_REAL(PQclear);
  f(res);
}

void PQfreemem(void* ptr) {
  RETORT_REAL(PQfreemem);
  f(ptr);
}

PQconninfoOption* PQconninfoParse(const char* conninfo, char** errmsg) {
  RETORT_REAL(PQconninfoParse);
  return f(conninfo, errmsg);
}

PQconninfoOption* PQconninfo(PGconn* conn) {
  RETORT_REAL(PQconninfo);
  return f(conn);
}

void PQconninfoFree(PQconninfoOption* connOptions) {
  RETORT_REAL(PQconninfoFree);
  f(connOptions);
}

}  // extern "C"
