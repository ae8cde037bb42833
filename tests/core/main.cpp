// The core test runner: the same binary is built natively and with Emscripten for node.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
