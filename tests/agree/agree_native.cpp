// Runs each agreement case through the same adapters the WASM build exports, natively, and
// prints one JSON array of the envelopes. tests/agree/agree.mjs does the same through the WASM
// build under node and compares.
#include <fstream>
#include <iostream>
#include <sstream>

#include "adapters.h"
#include "shelfcast/json.h"

namespace {

// A session opened on the case's model and context, with its base promotions kept, simulating its
// scenario -> the envelope of the first step that fails, or of the simulation.
std::string promo_session(const shelfcast::Json& input) {
  const auto text = [&](const char* key) {
    return shelfcast::dump_json(input.value(key, shelfcast::Json::object()));
  };
  const std::string opened = shelfcast::wasm::promo_session_open(text("model"), text("context"));
  const shelfcast::Json open = *shelfcast::parse_json(opened);
  if (!open.value("ok", false)) return opened;
  const int session = open.at("value").at("session").get<int>();
  std::string envelope = shelfcast::wasm::promo_session_set_base(session, text("base"));
  if (shelfcast::parse_json(envelope)->value("ok", false))
    envelope = shelfcast::wasm::promo_session_simulate(session, text("scenario"));
  shelfcast::wasm::promo_session_close(session);
  return envelope;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: agree_native CASES.json\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream buffer;
  buffer << in.rdbuf();
  shelfcast::Result<shelfcast::Json> cases = shelfcast::parse_json(buffer.str());
  if (!cases.is_ok() || !cases->is_array()) {
    std::cerr << "agree_native: " << argv[1] << ": expected a JSON array of cases\n";
    return 1;
  }
  shelfcast::Json out = shelfcast::Json::array();
  for (const shelfcast::Json& c : *cases) {
    const std::string fn = c.value("fn", "");
    const std::string input = shelfcast::dump_json(c.value("input", shelfcast::Json::object()));
    std::string envelope;
    if (fn == "forecast")
      envelope = shelfcast::wasm::forecast(input);
    else if (fn == "forecast_weekly")
      envelope = shelfcast::wasm::forecast_weekly(input);
    else if (fn == "basket")
      envelope = shelfcast::wasm::basket(input);
    else if (fn == "markdown")
      envelope = shelfcast::wasm::markdown(input);
    else if (fn == "generate_summary")
      envelope = shelfcast::wasm::generate_summary(input);
    else if (fn == "promo_simulate")
      envelope = shelfcast::wasm::promo_simulate(
          shelfcast::dump_json(c.at("input").value("model", shelfcast::Json::object())),
          shelfcast::dump_json(c.at("input").value("plan", shelfcast::Json::object())));
    else if (fn == "promo_session")
      envelope = promo_session(c.at("input"));
    else if (fn == "version")
      envelope = shelfcast::wasm::version();
    else {
      std::cerr << "agree_native: unknown fn '" << fn << "'\n";
      return 1;
    }
    out.push_back(*shelfcast::parse_json(envelope));
  }
  std::cout << shelfcast::dump_json(out) << "\n";
  return 0;
}
