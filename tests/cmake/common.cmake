# Helpers for the driver scripts of tests/cmake (run with cmake -P).

# Runs a command; fails the test with its output unless it exits 0. The
# combined output is returned in `out`.
function(run_ok out)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE text ERROR_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "`${shown}` failed (${rc}):\n${text}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Fails the test unless `text` matches `regex` (or, with NOT, does not).
function(expect text regex what)
  if(NOT "${text}" MATCHES "${regex}")
    message(FATAL_ERROR "expected ${what} (/${regex}/) in:\n${text}")
  endif()
endfunction()
function(expect_not text regex what)
  if("${text}" MATCHES "${regex}")
    message(FATAL_ERROR "did not expect ${what} (/${regex}/) in:\n${text}")
  endif()
endfunction()

# Configures SOURCE into BINARY with the generator and compiler of the main build.
function(configure_project source binary)
  file(REMOVE_RECURSE "${binary}")
  run_ok(out "${CMAKE_COMMAND}" -S "${source}" -B "${binary}" -G "${GENERATOR}"
         "-DCMAKE_CXX_COMPILER=${CXX}" -DCMAKE_BUILD_TYPE=Release ${ARGN})
endfunction()
