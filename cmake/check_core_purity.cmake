# Fails the build when the core (shared/) includes what ARCHITECTURE.md forbids it:
# Emscripten, httplib, SQLite, threads, clocks, files, printing, or <random> (whose distributions
# differ between libstdc++ and libc++, so native and WASM would disagree). nlohmann_json is allowed
# only in include/shelfcast/json.h and src/json/.
# Run as: cmake -DCORE_DIR=<shared> -DSTAMP=<file> -P check_core_purity.cmake
file(GLOB_RECURSE _files "${CORE_DIR}/*.h" "${CORE_DIR}/*.cpp")
set(_forbidden
  "emscripten" "httplib" "sqlite3" "<thread>" "<mutex>" "<atomic>" "<future>" "<chrono>"
  "<ctime>" "<time.h>" "<fstream>" "<iostream>" "<cstdio>" "<stdio.h>" "<filesystem>" "<random>"
  "<unistd.h>" "<sys/")
set(_errors "")
foreach(_f IN LISTS _files)
  file(STRINGS "${_f}" _includes REGEX "^[ \t]*#[ \t]*include")
  file(RELATIVE_PATH _rel "${CORE_DIR}" "${_f}")
  foreach(_inc IN LISTS _includes)
    foreach(_bad IN LISTS _forbidden)
      string(FIND "${_inc}" "${_bad}" _pos)
      if(NOT _pos EQUAL -1)
        string(APPEND _errors "\n  shared/${_rel}: ${_inc}  (the core may not include ${_bad})")
      endif()
    endforeach()
    string(FIND "${_inc}" "nlohmann" _pos)
    if(NOT _pos EQUAL -1 AND NOT _rel STREQUAL "include/shelfcast/json.h"
       AND NOT _rel MATCHES "^src/json/")
      string(APPEND _errors "\n  shared/${_rel}: ${_inc}  (nlohmann only in json.h and src/json/)")
    endif()
  endforeach()
endforeach()
if(_errors)
  message(FATAL_ERROR "core purity check failed:${_errors}")
endif()
file(WRITE "${STAMP}" "ok\n")
