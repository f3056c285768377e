#[=======================================================================[.rst:
Retort
------

Database schema migrations as part of the build: the scripts of a migrations
folder are validated at build time, compiled into a static library, reachable
through ``migrate_*`` targets, and round-tripped on scratch SQLite and
PostgreSQL databases by CTest. See ``docs/cmake.md`` for a full example.

This module is available after ``find_package(Retort)`` (an installed Retort)
or ``add_subdirectory()`` of the Retort source tree. It uses the targets
``Retort::retort`` (the CLI), ``Retort::core`` (the library) and
``Retort::roundtrip`` (the round-trip checker).

.. command:: retort_add_migrations

  Validates, embeds and wires up one set of migration scripts::

    retort_add_migrations(<name>
                          DIRECTORY <dir>
                          [ENV_FILE <file>]
                          [VERSION_TABLE <table>]
                          [TARGET_PREFIX <prefix>])

  ``<name>`` must be a C identifier. Every ``<dir>/*.sql`` file is a script;
  the list is globbed with ``CONFIGURE_DEPENDS``, so a new file re-runs
  CMake's configure step on the next build.

  At build time a custom command runs ``retort embed``, which validates the
  scripts exactly as ``retort check`` does (duplicate ids, missing parents,
  cycles, a parent sorting after its child, several heads, missing down
  sections, malformed directives) and prints every problem as
  ``path:line: error: ...``. Any problem fails the build. It runs again only
  when a script (or the retort executable) changes: a no-op rebuild runs
  nothing.

  ``DIRECTORY <dir>``
    The folder of the scripts (relative to the current source directory).
    Required.

  ``ENV_FILE <file>``
    The ``.env`` the ``migrate_*`` targets pass as ``--env-file``; it must
    exist when a target runs. Default: ``${CMAKE_SOURCE_DIR}/.env`` when that
    file exists at build time; otherwise none (the environment and Retort's
    defaults apply).

  ``VERSION_TABLE <table>``
    The table recording applied revisions (``--version-table``), for the
    targets and the tests. Default: ``retort_version``.

  ``TARGET_PREFIX <prefix>``
    Prefix of the target names below. Default: empty for the first call in
    a project (``migrate_upgrade``...), ``<name>_`` for every later call
    (``<name>_migrate_upgrade``...).

  Targets it creates:

  ``<name>_migrations``
    A static library (linking ``Retort::core``) holding every script; its
    header ``<name>_migrations.hpp`` declares
    ``std::span<const retort::EmbeddedScript> <name>_migrations()`` for
    ``retort::load_graph()``, so a program migrates its database with no
    files on disk.

  ``<prefix>migrate_upgrade``
    ``retort upgrade`` to ``$ENV{RETORT_TARGET}``, default ``head``.

  ``<prefix>migrate_downgrade``
    ``retort downgrade`` to ``$ENV{RETORT_TARGET}``, default ``-1``.

  ``<prefix>migrate_current``, ``<prefix>migrate_history``, ``<prefix>migrate_check``
    ``retort current``, ``retort history``, ``retort check``.

  ``<prefix>migrate_snapshot``
    Rewrites ``<SNAPSHOT_DIR>/schema.<engine>.sql`` for each engine of
    :command:`retort_add_migration_tests` (``sqlite`` when not called) from a
    scratch database brought to head; the PostgreSQL snapshot only when
    ``RETORT_TEST_POSTGRES_URL`` names a server.

  The ``migrate_*`` targets run in ``${CMAKE_SOURCE_DIR}`` with the terminal
  (``USES_TERMINAL``), always pass ``--directory <dir>``, and depend on the
  validation, so a broken script stops the build before any database is
  touched.

.. command:: retort_add_migration_tests

  Registers CTest tests for a set made by :command:`retort_add_migrations`::

    retort_add_migration_tests(<name>
                               [ENGINES <engine>...]
                               [SNAPSHOT_DIR <dir>])

  ``ENGINES <engine>...``
    ``sqlite`` and/or ``postgres``. Default: ``sqlite``.

  ``SNAPSHOT_DIR <dir>``
    Where ``schema.<engine>.sql`` snapshots live. Default:
    ``${CMAKE_CURRENT_SOURCE_DIR}/sql``.

  Tests, each on a scratch database of its own (a temporary SQLite file, or a
  PostgreSQL database created for it and dropped after), labelled
  ``migrations`` and the engine:

  ``<name>.<revision>.<engine>``
    Brings a database to the revision's parents and dumps the schema; upgrades
    to the revision, dumps; downgrades, and compares with the first dump;
    upgrades again, and compares with the second. A difference fails with a
    diff. An irreversible revision is only upgraded.

  ``<name>.head.<engine>``
    base, head, base, head, then compares the head schema with the snapshot;
    a missing or different snapshot fails and names the ``migrate_snapshot``
    target.

  ``<name>.graph``
    What ``retort check`` checks. Label ``migrations``.

  The PostgreSQL tests have ``FIXTURES_REQUIRED postgres`` and find their
  server in ``RETORT_TEST_POSTGRES_URL`` (at test time), else in the file
  named by ``RETORT_POSTGRES_URL_FILE``; without a server they fail, or are
  skipped when ``RETORT_SKIP_POSTGRES=1``.

Variables
^^^^^^^^^

``RETORT_POSTGRES_URL_FILE``
  Set before :command:`retort_add_migration_tests`: a file holding the URL of
  the PostgreSQL server for the tests, written by the project's ``postgres``
  CTest fixture. Retort's own tests use it for their temporary server.

Environment variables read at build and test time
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

``RETORT_TARGET``
  The revision for ``migrate_upgrade`` and ``migrate_downgrade``, e.g.
  ``RETORT_TARGET=base cmake --build build --target migrate_downgrade``.

``DATABASE_URL``, ``DB_ENGINE``, ``POSTGRES_*``, ``SQLITE_PATH``...
  Read by ``retort`` itself, over the ``.env`` (``docs/configuration.md``).

``RETORT_TEST_POSTGRES_URL``
  A PostgreSQL server (a user with ``CREATEDB``) for the tests and for
  ``migrate_snapshot``. A server kept for tests is best run with
  ``autovacuum = off``: a revision's check renames or drops the database it
  used, which waits for an autovacuum worker in it to end (one revision in a
  few hundred took 0.6-1.3 s instead of 0.2 s). Retort's own temporary server
  runs so.

``RETORT_SKIP_POSTGRES``
  ``1``: report PostgreSQL tests without a server as skipped, not failed.
#]=======================================================================]

include_guard(GLOBAL)

# Fails configure when a target this module needs is missing.
function(_retort_require_targets)
  foreach(target Retort::retort Retort::core Retort::roundtrip)
    if(NOT TARGET ${target})
      message(FATAL_ERROR "Retort: target ${target} does not exist; use find_package(Retort) "
                          "or add_subdirectory() of the Retort source tree first")
    endif()
  endforeach()
endfunction()

# Stops at arguments no keyword claimed.
function(_retort_check_unparsed function)
  if(ARGN)
    message(FATAL_ERROR "${function}: Unknown arguments: ${ARGN}")
  endif()
endfunction()

# The prefix of the migrate_* targets of a set: the first set of a project
# gets the short names.
function(_retort_target_prefix name explicit out)
  get_property(taken GLOBAL PROPERTY _RETORT_SHORT_NAMES_TAKEN)
  if(DEFINED explicit AND NOT explicit STREQUAL "_RETORT_UNSET")
    set(prefix "${explicit}")
  elseif(taken)
    set(prefix "${name}_")
  else()
    set(prefix "")
  endif()
  if(prefix STREQUAL "")
    set_property(GLOBAL PROPERTY _RETORT_SHORT_NAMES_TAKEN TRUE)
  endif()
  set(${out} "${prefix}" PARENT_SCOPE)
endfunction()

function(retort_add_migrations name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "DIRECTORY;ENV_FILE;VERSION_TABLE;TARGET_PREFIX" "")
  _retort_check_unparsed(retort_add_migrations ${arg_UNPARSED_ARGUMENTS})
  _retort_require_targets()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "retort_add_migrations: <name> must be a C identifier, not '${name}'")
  endif()
  if(TARGET ${name}_migrations)
    message(FATAL_ERROR "retort_add_migrations: a set named '${name}' exists already")
  endif()
  if(NOT arg_DIRECTORY)
    message(FATAL_ERROR "retort_add_migrations(${name}): DIRECTORY is required")
  endif()
  get_filename_component(directory "${arg_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${directory}")
    message(FATAL_ERROR "retort_add_migrations(${name}): DIRECTORY '${directory}' does not exist")
  endif()
  if(NOT DEFINED arg_TARGET_PREFIX)
    set(arg_TARGET_PREFIX _RETORT_UNSET)
  endif()
  _retort_target_prefix(${name} "${arg_TARGET_PREFIX}" prefix)
  # Beside this file; found through the function, since a variable set when
  # this file is included would not reach the directories of an
  # add_subdirectory() user.
  set(run_script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/RetortRun.cmake")

  file(GLOB scripts CONFIGURE_DEPENDS "${directory}/*.sql")
  set(generated "${CMAKE_CURRENT_BINARY_DIR}/retort/${name}")
  set(stamp "${generated}/${name}_migrations.validated")
  set(source "${generated}/${name}_migrations.cpp")
  set(header "${generated}/${name}_migrations.hpp")

  # Validation and embedding in one step: `retort embed` rewrites the sources
  # only when their content changes, so touching a script re-validates
  # without recompiling; the stamp records that the validation passed.
  add_custom_command(
    OUTPUT "${stamp}" "${source}" "${header}"
    COMMAND $<TARGET_FILE:Retort::retort> embed "${directory}" --name ${name} --output-dir "${generated}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${scripts} Retort::retort
    COMMENT "Validating the migration scripts of ${name} (${directory})"
    VERBATIM)

  add_library(${name}_migrations STATIC "${source}" "${header}")
  target_include_directories(${name}_migrations PUBLIC "$<BUILD_INTERFACE:${generated}>")
  target_link_libraries(${name}_migrations PUBLIC Retort::core)
  target_compile_features(${name}_migrations PUBLIC cxx_std_20)
  # Read back by retort_add_migration_tests and migrate_snapshot.
  set_target_properties(${name}_migrations PROPERTIES
    RETORT_DIRECTORY "${directory}"
    RETORT_SCRIPTS "${scripts}"
    RETORT_VERSION_TABLE "${arg_VERSION_TABLE}"
    RETORT_TARGET_PREFIX "${prefix}"
    RETORT_ENGINES sqlite
    RETORT_SNAPSHOT_DIR "${CMAKE_CURRENT_SOURCE_DIR}/sql")

  set(options --directory "${directory}")
  if(arg_VERSION_TABLE)
    list(APPEND options --version-table "${arg_VERSION_TABLE}")
  endif()
  set(run "${CMAKE_COMMAND}")
  if(arg_ENV_FILE)
    get_filename_component(env_file "${arg_ENV_FILE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND options --env-file "${env_file}")
  else()
    list(APPEND run "-DRETORT_ENV_FILE_IF_EXISTS=${CMAKE_SOURCE_DIR}/.env")
  endif()

  _retort_add_action(${prefix}migrate_upgrade "${stamp}" "Upgrading the database (${name})"
    ${run} -DRETORT_DEFAULT_TARGET=head -P "${run_script}" -- $<TARGET_FILE:Retort::retort> ${options} upgrade)
  _retort_add_action(${prefix}migrate_downgrade "${stamp}" "Downgrading the database (${name})"
    ${run} -DRETORT_DEFAULT_TARGET=-1 -P "${run_script}" -- $<TARGET_FILE:Retort::retort> ${options} downgrade)
  foreach(command current history check)
    _retort_add_action(${prefix}migrate_${command} "${stamp}" "retort ${command} (${name})"
      ${run} -P "${run_script}" -- $<TARGET_FILE:Retort::retort> ${options} ${command})
  endforeach()

  set(snapshot_dir "$<TARGET_PROPERTY:${name}_migrations,RETORT_SNAPSHOT_DIR>")
  set(engines "$<TARGET_PROPERTY:${name}_migrations,RETORT_ENGINES>")
  set(table_options "")
  if(arg_VERSION_TABLE)
    set(table_options --version-table "${arg_VERSION_TABLE}")
  endif()
  _retort_add_action(${prefix}migrate_snapshot "${stamp}" "Writing the schema snapshots (${name})"
    $<TARGET_FILE:Retort::roundtrip> --directory "${directory}" ${table_options}
    --snapshot-dir "${snapshot_dir}" snapshot "${engines}")
endfunction()

# A target that runs a command on request, after the validation `stamp`.
function(_retort_add_action target stamp comment)
  add_custom_target(${target}
    COMMAND ${ARGN}
    DEPENDS "${stamp}"
    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
    COMMENT "${comment}"
    USES_TERMINAL VERBATIM COMMAND_EXPAND_LISTS)
endfunction()

function(retort_add_migration_tests name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SNAPSHOT_DIR" "ENGINES")
  _retort_check_unparsed(retort_add_migration_tests ${arg_UNPARSED_ARGUMENTS})
  if(NOT TARGET ${name}_migrations)
    message(FATAL_ERROR "retort_add_migration_tests: call retort_add_migrations(${name} ...) first")
  endif()
  if(NOT arg_ENGINES)
    set(arg_ENGINES sqlite)
  endif()
  foreach(engine IN LISTS arg_ENGINES)
    if(NOT engine MATCHES "^(sqlite|postgres)$")
      message(FATAL_ERROR "retort_add_migration_tests: Unknown engine '${engine}' (sqlite, postgres)")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES arg_ENGINES)
  if(arg_SNAPSHOT_DIR)
    get_filename_component(snapshot_dir "${arg_SNAPSHOT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  else()
    set(snapshot_dir "${CMAKE_CURRENT_SOURCE_DIR}/sql")
  endif()
  set_target_properties(${name}_migrations PROPERTIES
    RETORT_ENGINES "${arg_ENGINES}" RETORT_SNAPSHOT_DIR "${snapshot_dir}")

  get_target_property(directory ${name}_migrations RETORT_DIRECTORY)
  get_target_property(scripts ${name}_migrations RETORT_SCRIPTS)
  get_target_property(table ${name}_migrations RETORT_VERSION_TABLE)
  get_target_property(prefix ${name}_migrations RETORT_TARGET_PREFIX)
  set(checker $<TARGET_FILE:Retort::roundtrip> --directory "${directory}")
  if(table)
    list(APPEND checker --version-table "${table}")
  endif()
  if(RETORT_POSTGRES_URL_FILE)
    list(APPEND checker --postgres-url-file "${RETORT_POSTGRES_URL_FILE}")
  endif()

  add_test(NAME ${name}.graph COMMAND ${checker} graph)
  set_tests_properties(${name}.graph PROPERTIES LABELS migrations)

  # A file whose name does not start with digits is not a revision; the
  # graph test (and the build) report it.
  set(ids "")
  foreach(script IN LISTS scripts)
    get_filename_component(file "${script}" NAME)
    if(file MATCHES "^([0-9]+)_")
      list(APPEND ids "${CMAKE_MATCH_1}")
    endif()
  endforeach()

  foreach(engine IN LISTS arg_ENGINES)
    set(tests ${name}.head.${engine})
    add_test(NAME ${name}.head.${engine}
      COMMAND ${checker} --engine ${engine} --snapshot-dir "${snapshot_dir}"
              --snapshot-command "cmake --build ${CMAKE_BINARY_DIR} --target ${prefix}migrate_snapshot"
              head)
    foreach(id IN LISTS ids)
      # --cache-dir: each passing revision keeps its database, and its
      # children start from it instead of replaying every ancestor.
      add_test(NAME ${name}.${id}.${engine}
        COMMAND ${checker} --engine ${engine} --cache-dir "${CMAKE_CURRENT_BINARY_DIR}/retort/${name}/kept"
                revision ${id})
      list(APPEND tests ${name}.${id}.${engine})
    endforeach()
    set_tests_properties(${tests} PROPERTIES LABELS "migrations;${engine}" SKIP_RETURN_CODE 77)
    if(engine STREQUAL "postgres")
      set_tests_properties(${tests} PROPERTIES FIXTURES_REQUIRED postgres)
    endif()
  endforeach()
endfunction()
