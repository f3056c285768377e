# libpq from its archive for the executables (retort_link_lean), with the
# shared libraries it needs loaded on their first call.
#
# Loaded as libpq.so.5, libpq brings about twenty libraries (OpenSSL,
# GSSAPI/Kerberos, LDAP and through it GnuTLS, SASL, ...), which the dynamic
# loader maps and relocates before the first query: 2 of the 6.3 ms a least
# libpq client spends on a no-op over a Unix socket (bench/notes.md, fix 57).
# Over a Unix socket libpq calls none of them; TLS, password hashing (SCRAM,
# MD5), GSSAPI and LDAP service lookups do. So the executables link libpq.a
# (libpq-dev) and the PostgreSQL common and port archives it needs
# (postgresql-server-dev-NN, found with pg_config), and every function libpq
# takes from those libraries is a trampoline: its first call loads the library
# (src/engine/libpq_dependencies.cpp) and binds all of that library's
# trampolines at once.
#
# The trampolines are generated here from what the archives leave undefined
# and what each library libpq.so.5 needs defines, so that another PostgreSQL
# release's libpq needs no change. The build falls back to loading libpq.so.5
# (src/engine/libpq_loader.cpp) when an archive is missing, the processor is
# not x86-64, libpq takes a library's data (other than the one constant
# defined in libpq_dependencies.cpp), or the configure check below cannot link
# and run a client.
#
# Sets RETORT_LIBPQ_ARCHIVE (the archive, for the tests) and defines the
# library retort_libpq, installed as Retort::libpq: retort_link_lean links it,
# and so may a program that links Retort::core (docs/cmake.md).

function(_retort_libpq_archive_fallback reason)
  message(STATUS "Executables load libpq.so.5 on first use: ${reason}")
endfunction()

# The names in `output` of nm's POSIX format (`name type ...`), with a symbol
# version (`@@OPENSSL_3.0.0`) removed, whose type matches `types`.
function(_retort_nm_names output types out_var)
  string(REGEX MATCHALL "(^|\n)[^ \n]+ [${types}]" entries "${output}")
  list(TRANSFORM entries REPLACE "^\n?([^ @]+)[^ ]* .$" "\\1")
  set(${out_var} ${entries} PARENT_SCOPE)
endfunction()

function(retort_find_libpq_archive)
  set(RETORT_LIBPQ_ARCHIVE "" PARENT_SCOPE)
  if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$")
    _retort_libpq_archive_fallback("the trampolines are x86-64 code")
    return()
  endif()
  get_filename_component(libpq_folder ${PostgreSQL_LIBRARY} DIRECTORY)
  find_library(RETORT_LIBPQ_ARCHIVE_FILE NAMES libpq.a HINTS ${libpq_folder}
    DOC "libpq's static library (libpq-dev), linked into the executables")
  find_program(RETORT_PG_CONFIG pg_config DOC "pg_config, which names the folder of libpgcommon_shlib.a")
  if(RETORT_PG_CONFIG)
    execute_process(COMMAND ${RETORT_PG_CONFIG} --pkglibdir OUTPUT_VARIABLE pkglibdir
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
  find_library(RETORT_PGCOMMON_ARCHIVE NAMES libpgcommon_shlib.a HINTS ${pkglibdir}
    DOC "PostgreSQL's common code for client libraries (postgresql-server-dev-NN)")
  find_library(RETORT_PGPORT_ARCHIVE NAMES libpgport_shlib.a HINTS ${pkglibdir}
    DOC "PostgreSQL's portability code for client libraries (postgresql-server-dev-NN)")
  if(NOT RETORT_LIBPQ_ARCHIVE_FILE OR NOT RETORT_PGCOMMON_ARCHIVE OR NOT RETORT_PGPORT_ARCHIVE)
    _retort_libpq_archive_fallback(
      "no libpq.a with libpgcommon_shlib.a and libpgport_shlib.a (Debian: postgresql-server-dev-${PostgreSQL_VERSION_MAJOR})")
    return()
  endif()
  set(archives ${RETORT_LIBPQ_ARCHIVE_FILE} ${RETORT_PGCOMMON_ARCHIVE} ${RETORT_PGPORT_ARCHIVE})

  # What the archives call and do not define themselves.
  execute_process(COMMAND ${CMAKE_NM} -P --undefined-only ${archives} OUTPUT_VARIABLE undefined ERROR_QUIET)
  execute_process(COMMAND ${CMAKE_NM} -P --defined-only ${archives} OUTPUT_VARIABLE defined ERROR_QUIET)
  _retort_nm_names("${undefined}" "U" wanted)
  _retort_nm_names("${defined}" "A-Za-z" own)
  list(REMOVE_DUPLICATES wanted)
  list(REMOVE_ITEM wanted ${own})

  # Which of the libraries that libpq.so.5 needs defines each; the C library's
  # part stays linked.
  execute_process(COMMAND ${CMAKE_OBJDUMP} -p ${PostgreSQL_LIBRARY} OUTPUT_VARIABLE headers)
  string(REGEX MATCHALL "NEEDED +[^ \n]+" sonames "${headers}")
  list(TRANSFORM sonames REPLACE "NEEDED +" "")
  list(FILTER sonames EXCLUDE REGEX "^(libc|libm|libpthread|libdl|librt)\\.so")
  set(trampolines "")
  set(table "")
  set(index 0)
  foreach(soname IN LISTS sonames)
    find_file(library_file ${soname} HINTS ${libpq_folder} PATH_SUFFIXES ${CMAKE_LIBRARY_ARCHITECTURE}
      NO_CACHE)
    if(NOT library_file)
      _retort_libpq_archive_fallback("libpq.so.5 needs ${soname}, which is not found")
      return()
    endif()
    execute_process(COMMAND ${CMAKE_NM} -D -P --defined-only ${library_file} OUTPUT_VARIABLE exports)
    unset(library_file)
    _retort_nm_names("${exports}" "TWi" functions)
    _retort_nm_names("${exports}" "DBRV" data)
    set(first ${index})
    foreach(name IN LISTS wanted)
      if(name IN_LIST functions)
        string(APPEND trampolines "RETORT_TRAMPOLINE(${name}, ${index})\n")
        string(APPEND table "  \"${name}\",\n")
        math(EXPR index "${index} + 1")
      elseif(name IN_LIST data AND NOT name STREQUAL "GSS_C_NT_HOSTBASED_SERVICE")
        _retort_libpq_archive_fallback("libpq uses ${soname}'s data ${name}, which cannot be loaded on demand")
        return()
      endif()
    endforeach()
    math(EXPR count "${index} - ${first}")
    if(count GREATER 0)
      string(APPEND libraries "  {\"${soname}\", ${first}, ${count}},\n")
    endif()
  endforeach()

  if(index EQUAL 0)
    _retort_libpq_archive_fallback("libpq.a calls no function of ${sonames}")
    return()
  endif()

  set(generated ${CMAKE_CURRENT_BINARY_DIR}/libpq_archive)
  file(CONFIGURE OUTPUT ${generated}/libpq_dependency_functions.inc @ONLY CONTENT
"// Generated by tool/libpq_archive.cmake: the functions that libpq.a and the
// PostgreSQL archives it needs call in the shared libraries libpq.so.5 needs.
#ifdef RETORT_TRAMPOLINE
@trampolines@#else
constexpr OnDemandLibrary on_demand_libraries[] = {
@libraries@};
constexpr const char* on_demand_names[] = {
@table@};
constexpr int on_demand_count = @index@;
#endif
")
  set(source ${PROJECT_SOURCE_DIR}/tool/src/engine/libpq_dependencies.cpp)
  # Whole: libretort_core.a defines libpq's functions too, as forwarders to
  # libpq.so.5 (src/engine/libpq_loader.cpp), which must not be pulled in. As
  # a link option, the archive comes before the objects and the libraries.
  set(whole "LINKER:--whole-archive,${RETORT_LIBPQ_ARCHIVE_FILE},--no-whole-archive")
  set(libraries ${RETORT_PGCOMMON_ARCHIVE} ${RETORT_PGPORT_ARCHIVE} ${CMAKE_DL_LIBS} Threads::Threads)

  # A client linked that way must link and run, its crypto library loaded on
  # demand: PQencryptPassword hashes with OpenSSL.
  file(WRITE ${generated}/check.cpp [[
#include <libpq-fe.h>
#include <cstring>
int main() {
  PGconn* conn = PQconnectdb("host=/nonexistent-folder");
  const bool refused = PQstatus(conn) == CONNECTION_BAD;
  PQfinish(conn);
  char* hash = PQencryptPassword("secret", "user");
  const bool hashed = hash && std::strcmp(hash, "md520eb1b22a92b5c573dc1eb4331fc49ee") == 0;
  PQfreemem(hash);
  return refused && hashed ? 0 : 1;
}
]])
  try_run(run_result compiles ${generated}/check
    SOURCES ${generated}/check.cpp ${source}
    COMPILE_DEFINITIONS -I${generated} -I${PostgreSQL_INCLUDE_DIRS}
    LINK_OPTIONS ${whole}
    LINK_LIBRARIES ${libraries}
    CXX_STANDARD 20
    COMPILE_OUTPUT_VARIABLE compile_output RUN_OUTPUT_VARIABLE run_output)
  if(NOT compiles OR NOT run_result EQUAL 0)
    file(WRITE ${generated}/check.log "${compile_output}${run_output}")
    _retort_libpq_archive_fallback("a client linked with libpq.a does not link or run: ${generated}/check.log")
    return()
  endif()

  # The trampolines are one object: the archives that reach it after
  # libretort_libpq.a on the link line (libpgcommon_shlib.a's hashes) find
  # their functions defined already.
  add_library(retort_libpq STATIC ${source})
  add_library(Retort::libpq ALIAS retort_libpq)
  set_target_properties(retort_libpq PROPERTIES EXPORT_NAME libpq)
  target_include_directories(retort_libpq PRIVATE ${generated})
  target_compile_options(retort_libpq PRIVATE -Wall -Wextra -Wpedantic)
  target_link_options(retort_libpq INTERFACE ${whole})
  target_link_libraries(retort_libpq INTERFACE ${libraries})
  set_property(TARGET retort_libpq APPEND PROPERTY INTERFACE_LINK_DEPENDS ${RETORT_LIBPQ_ARCHIVE_FILE})
  set(RETORT_LIBPQ_ARCHIVE ${RETORT_LIBPQ_ARCHIVE_FILE} PARENT_SCOPE)
endfunction()
