# Toolchain wrapper around Emscripten's own CMake toolchain file.
#
# Use:  cmake -S . -B build/wasm-release -DCMAKE_TOOLCHAIN_FILE=emscripten.cmake
# It finds $EMSDK's Emscripten when EMSDK is set, Debian's (/usr/share/emscripten) otherwise, and
# carries the fixes for Debian's Emscripten 3.1.6 listed in ../shared/design/TOOLCHAIN.md:
#  - emcc's optimizer runs under /usr/bin/node, which does not search /usr/share/nodejs where Debian
#    keeps acorn: NODE_PATH is set for every compiler and linker call (RULE_LAUNCH below).
#  - /usr/include must never reach the wasm sysroot: Eigen and nlohmann get include directories of
#    their own (SHELFCAST_WASM_EIGEN_INCLUDE, and a symlink tree for nlohmann made in CMakeLists.txt).
#  - node builds are CommonJS (-sMODULARIZE=1), never ES6 (ES6 + node breaks __dirname).

if(DEFINED ENV{EMSDK} AND EXISTS "$ENV{EMSDK}/upstream/emscripten/cmake/Modules/Platform/Emscripten.cmake")
  set(_shelfcast_em_root "$ENV{EMSDK}/upstream/emscripten")
elseif(EXISTS "/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake")
  set(_shelfcast_em_root "/usr/share/emscripten")
else()
  message(FATAL_ERROR "emscripten.cmake: no Emscripten found. Run scripts/bootstrap (Debian's "
                      "'emscripten' package) or set EMSDK.")
endif()

set(EMSCRIPTEN_ROOT_PATH "${_shelfcast_em_root}" CACHE PATH "Emscripten root")
set(ENV{NODE_PATH} "/usr/share/nodejs")
set(SHELFCAST_NODE_PATH "/usr/share/nodejs" CACHE STRING "NODE_PATH for emcc's node-based tools")

include("${_shelfcast_em_root}/cmake/Modules/Platform/Emscripten.cmake")

# Every compile and link goes through `env NODE_PATH=...` so acorn is found even when the build is
# started from a shell that never saw this file (e.g. a later `cmake --build`).
set_property(GLOBAL PROPERTY RULE_LAUNCH_COMPILE "env NODE_PATH=${SHELFCAST_NODE_PATH}")
set_property(GLOBAL PROPERTY RULE_LAUNCH_LINK "env NODE_PATH=${SHELFCAST_NODE_PATH}")

set(SHELFCAST_WASM_EIGEN_INCLUDE "/usr/include/eigen3" CACHE PATH "Eigen headers for the wasm build")
set(SHELFCAST_WASM_NLOHMANN_DIR "/usr/include/nlohmann" CACHE PATH "nlohmann headers (linked, not -I/usr/include)")
set(SHELFCAST_WASM_DOCTEST_DIR "/usr/include/doctest" CACHE PATH "doctest headers (linked, not -I/usr/include)")
