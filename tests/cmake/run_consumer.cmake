# cmake -DMAIN_BUILD=<Retort build> -DSOURCE=<examples/consumer> -DWORK=<dir>
#       -DGENERATOR=... -DCXX=... -P run_consumer.cmake
# Installs Retort into WORK/prefix, then configures, builds and tests the
# consumer example against that prefix, and runs its app twice (the second
# start finds the database at head already).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
file(REMOVE_RECURSE "${WORK}")
run_ok(out "${CMAKE_COMMAND}" --install "${MAIN_BUILD}" --prefix "${WORK}/prefix")
configure_project("${SOURCE}" "${WORK}/build" "-DCMAKE_PREFIX_PATH=${WORK}/prefix")
run_ok(out "${CMAKE_COMMAND}" --build "${WORK}/build")
run_ok(out "${CMAKE_CTEST_COMMAND}" --test-dir "${WORK}/build" --output-on-failure)
expect("${out}" "100% tests passed" "the consumer's round-trip tests")
run_ok(out "${WORK}/build/app" "${WORK}/app.db")
expect("${out}" "database at 0004" "the app's start-up upgrade")
run_ok(out "${WORK}/build/app" "${WORK}/app.db")
expect("${out}" "database at 0004" "the app's second start")
