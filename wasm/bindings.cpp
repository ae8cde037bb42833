// Every export of the WASM build, one line each. Conversions live in adapters.cpp, JS ergonomics
// (envelope -> thrown Error) in shelfcast.js.
#include <emscripten/bind.h>

#include "adapters.h"

EMSCRIPTEN_BINDINGS(shelfcast) {
  emscripten::function("version", &shelfcast::wasm::version);
  emscripten::function("forecast", &shelfcast::wasm::forecast);
  emscripten::function("forecast_weekly", &shelfcast::wasm::forecast_weekly);
  emscripten::function("markdown", &shelfcast::wasm::markdown);
  emscripten::function("basket", &shelfcast::wasm::basket);
  emscripten::function("promo_simulate", &shelfcast::wasm::promo_simulate);
  emscripten::function("promo_session_open", &shelfcast::wasm::promo_session_open);
  emscripten::function("promo_session_set_base", &shelfcast::wasm::promo_session_set_base);
  emscripten::function("promo_session_simulate", &shelfcast::wasm::promo_session_simulate);
  emscripten::function("promo_session_close", &shelfcast::wasm::promo_session_close);
  emscripten::function("generate_summary", &shelfcast::wasm::generate_summary);
}
