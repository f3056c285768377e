# Runs one Retort command for a migrate_* target of cmake/Retort.cmake, so
# that build-time settings need no reconfigure:
#
#   cmake [-D RETORT_DEFAULT_TARGET=<revision>] [-D RETORT_ENV_FILE_IF_EXISTS=<file>]
#         -P RetortRun.cmake -- <command> <args>...
#
# Appends `--env-file <file>` when that file exists now, then, for commands
# that take a revision, $ENV{RETORT_TARGET} or RETORT_DEFAULT_TARGET; the
# command's output streams through and its failure fails the build.

set(_retort_command "")
set(_retort_seen_separator FALSE)
math(EXPR _retort_last "${CMAKE_ARGC} - 1")
foreach(_retort_i RANGE ${_retort_last})
  if(_retort_seen_separator)
    list(APPEND _retort_command "${CMAKE_ARGV${_retort_i}}")
  elseif(CMAKE_ARGV${_retort_i} STREQUAL "--")
    set(_retort_seen_separator TRUE)
  endif()
endforeach()
if(NOT _retort_command)
  message(FATAL_ERROR "RetortRun.cmake: no command after --")
endif()

if(RETORT_ENV_FILE_IF_EXISTS AND EXISTS "${RETORT_ENV_FILE_IF_EXISTS}")
  list(APPEND _retort_command --env-file "${RETORT_ENV_FILE_IF_EXISTS}")
endif()
if(DEFINED RETORT_DEFAULT_TARGET)
  if(NOT "$ENV{RETORT_TARGET}" STREQUAL "")
    list(APPEND _retort_command "$ENV{RETORT_TARGET}")
  else()
    list(APPEND _retort_command "${RETORT_DEFAULT_TARGET}")
  endif()
endif()

execute_process(COMMAND ${_retort_command} RESULT_VARIABLE _retort_result)
if(NOT _retort_result EQUAL 0)
  # Retort has printed why; this line only makes the build stop.
  message(FATAL_ERROR "retort exited with ${_retort_result}")
endif()
