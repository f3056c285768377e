# Findpg_query: libpg_query (Debian libpg-query-dev), PostgreSQL's own parser,
# which the PostgreSQL engine uses to split and classify statements. It ships
# no CMake or pkg-config file. Defines the imported target pg_query::pg_query.
# Also used by RetortConfig.cmake: Retort::core links it privately, and a
# static library's private dependencies are still needed when linking.
include(FindPackageHandleStandardArgs)
find_path(pg_query_INCLUDE_DIR pg_query.h)
find_library(pg_query_LIBRARY pg_query)
find_package_handle_standard_args(pg_query
  REQUIRED_VARS pg_query_LIBRARY pg_query_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "install the Debian package libpg-query-dev")
if(pg_query_FOUND AND NOT TARGET pg_query::pg_query)
  add_library(pg_query::pg_query UNKNOWN IMPORTED)
  set_target_properties(pg_query::pg_query PROPERTIES
    IMPORTED_LOCATION "${pg_query_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${pg_query_INCLUDE_DIR}")
endif()
