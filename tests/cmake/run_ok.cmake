# cmake -DSOURCE=<ok> -DBINARY=<dir> -DPACKAGE=<Retort_DIR> -DGENERATOR=... -DCXX=...
#       -P run_ok.cmake
# The project in ok/ must configure and build; a second build must run
# nothing; touching a script must re-run the validation and recompile
# nothing; migrate_* must really migrate its SQLite database; the embedded
# scripts must equal the files; migrate_snapshot and the round-trip tests pass.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
set(build "${CMAKE_COMMAND}" --build "${BINARY}")

# A copy of the project, so that touching a script below leaves the source tree alone.
set(project "${BINARY}-source")
file(REMOVE_RECURSE "${project}")
file(COPY "${SOURCE}/" DESTINATION "${project}")

configure_project("${project}" "${BINARY}" "-DRetort_DIR=${PACKAGE}")
run_ok(out ${build})
expect("${out}" "Validating the migration scripts of notes" "the validation on the first build")

run_ok(out ${build})
expect("${out}" "no work to do" "a no-op second build")
expect_not("${out}" "Validating|Building|Linking" "any command on a no-op build")

file(TOUCH "${project}/migrations/0002_add_tags.sql")
run_ok(out ${build})
expect("${out}" "Validating the migration scripts of notes" "the validation after touching a script")
expect_not("${out}" "Building CXX" "a recompile when no script content changed")

set(ENV{DATABASE_URL} "sqlite:///${BINARY}/notes.db")
run_ok(out ${build} --target migrate_upgrade)
expect("${out}" "is at 0003" "migrate_upgrade to head")
run_ok(out ${build} --target migrate_current)
expect("${out}" "0003 \\(head\\)" "migrate_current at head")
run_ok(out ${build} --target migrate_downgrade)
expect("${out}" "is at 0002" "migrate_downgrade one step by default")
set(ENV{RETORT_TARGET} base)
run_ok(out ${build} --target migrate_downgrade)
expect("${out}" "is at base" "RETORT_TARGET=base for migrate_downgrade")
unset(ENV{RETORT_TARGET})
run_ok(out ${build} --target migrate_history migrate_check)
expect("${out}" "0002 -> 0003" "migrate_history")

run_ok(out "${BINARY}/check_embedded" "sqlite:///${BINARY}/embedded.db")
expect("${out}" "embedded scripts match their files" "the embedded bytes")
expect("${out}" "database at 0003" "an upgrade from the embedded scripts")

run_ok(out ${build} --target migrate_snapshot)
expect("${out}" "wrote .*/sql/schema.sqlite.sql" "the snapshot")
run_ok(out "${CMAKE_CTEST_COMMAND}" --test-dir "${BINARY}" --output-on-failure)
expect("${out}" "100% tests passed, 0 tests failed out of 5" "the round-trip tests")
