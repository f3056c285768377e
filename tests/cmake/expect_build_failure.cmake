# cmake -DBINARY=<configured failures/> -DTARGET=<target> -DEXPECT=<regex>
#       [-DDATABASE=<sqlite file>] -P expect_build_failure.cmake
# Building TARGET must fail, with output matching EXPECT. With DATABASE, the
# target is a migrate_* one and the database must not have been created.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
if(DATABASE)
  file(REMOVE "${DATABASE}")
  set(ENV{DATABASE_URL} "sqlite:///${DATABASE}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY}" --target ${TARGET}
                OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
if(rc EQUAL 0)
  message(FATAL_ERROR "building ${TARGET} succeeded; it must fail:\n${out}")
endif()
expect("${out}" "${EXPECT}" "the diagnostic")
if(DATABASE AND EXISTS "${DATABASE}")
  message(FATAL_ERROR "${TARGET} created ${DATABASE} although the scripts are broken")
endif()
