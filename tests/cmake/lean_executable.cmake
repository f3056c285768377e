# Fails when an executable needs a shared library that Retort links
# statically or loads on first use (tool/CMakeLists.txt, retort_link_lean):
# libstdc++, libgcc_s, fmt and Boost would be mapped and relocated at every
# start, libpq and libpg_query load only when the PostgreSQL engine needs them
# and libpq's own libraries (OpenSSL, GSSAPI, LDAP) only when libpq calls them,
# and SQLite comes from its archive when the build found one (SQLITE_ARCHIVE),
# its math functions loading libm on first use unless libpg_query's archive is
# linked too (PG_QUERY_LINKED), which may call libm itself.
# When the build's lld packs relative relocations (PACKED_RELOCATIONS), the
# executable has them packed.
# Usage: cmake -DOBJDUMP=<objdump> -DEXECUTABLE=<file> [-DSQLITE_ARCHIVE=<file>]
#        [-DPG_QUERY_LINKED=ON] [-DPACKED_RELOCATIONS=ON] -P lean_executable.cmake
execute_process(COMMAND ${OBJDUMP} -p ${EXECUTABLE} OUTPUT_VARIABLE headers RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "${OBJDUMP} -p ${EXECUTABLE} failed")
endif()
if(PACKED_RELOCATIONS AND NOT headers MATCHES "\n *RELR ")
  message(FATAL_ERROR "${EXECUTABLE} has no packed relocations (RELR): link it with -z pack-relative-relocs")
endif()
string(REGEX MATCHALL "NEEDED +[^ \n]+" needed "${headers}")
list(TRANSFORM needed REPLACE "NEEDED +" "")
message(STATUS "${EXECUTABLE} needs ${needed}")
set(linked_in "libstdc\\+\\+|libgcc_s|libfmt|libboost|libpq|libpg_query|libssl|libcrypto|libgssapi|libldap")
if(SQLITE_ARCHIVE)
  string(APPEND linked_in "|libsqlite3")
  if(NOT PG_QUERY_LINKED)
    string(APPEND linked_in "|libm\\.")
  endif()
endif()
foreach(entry IN LISTS needed)
  if(entry MATCHES "${linked_in}")
    message(FATAL_ERROR "${EXECUTABLE} needs ${entry}: it should be linked statically or loaded on first use")
  endif()
endforeach()

# What the archives define stays inside (--exclude-libs): exported, SQLite's
# functions filled the dynamic symbol table that every symbol lookup checks.
if(SQLITE_ARCHIVE)
  execute_process(COMMAND ${OBJDUMP} -T ${EXECUTABLE} OUTPUT_VARIABLE symbols)
  if(symbols MATCHES "\\.text[^\n]* (sqlite3[A-Za-z_]*)\n")
    message(FATAL_ERROR "${EXECUTABLE} exports ${CMAKE_MATCH_1}: link it with --exclude-libs,ALL")
  endif()
endif()
