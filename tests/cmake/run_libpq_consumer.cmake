# cmake -DPACKAGE=<Retort build>/package -DSOURCE=<tests/cmake/libpq_consumer>
#       -DBINARY=<dir> -DOBJDUMP=<objdump> -DGENERATOR=... -DCXX=... -P run_libpq_consumer.cmake
# Builds a program linking Retort::libpq against the build tree's package and
# checks that it needs no libpq.so.5 and reaches libpq all the same: a refused
# connection is libpq's message, and the dynamic loader (LD_DEBUG=files)
# loads no PostgreSQL library for it.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
configure_project("${SOURCE}" "${BINARY}" "-DRetort_DIR=${PACKAGE}")
run_ok(out "${CMAKE_COMMAND}" --build "${BINARY}")
run_ok(headers "${OBJDUMP}" -p "${BINARY}/app")
expect_not("${headers}" "NEEDED +lib(pq|ssl|crypto|gssapi_krb5|ldap)" "a PostgreSQL library in NEEDED")
execute_process(COMMAND "${CMAKE_COMMAND}" -E env LD_DEBUG=files
                        "${BINARY}/app" "postgresql://bob@127.0.0.1:1/db"
  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 5)
  message(FATAL_ERROR "expected exit code 5 (connection), got ${rc}:\n${out}")
endif()
expect("${out}" "Connection refused" "libpq's message for a refused connection")
expect_not("${out}" "file=[^ ]*lib(pq|ssl|crypto|gssapi_krb5|ldap)" "a PostgreSQL library loaded")
