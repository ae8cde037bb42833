#pragma once
// JSON-in, JSON-out adapters between the JS surface and the core. Each returns the envelope
// {"ok":true,"value":…} or {"ok":false,"error":{code,message,field}}; nothing throws.
// No Emscripten here: the native agreement test links this file too.

#include <string>

namespace shelfcast::wasm {

/// The core's version string.
std::string version();
/// forecast(ForecastInput JSON) -> ForecastResult JSON.
std::string forecast(const std::string& input_json);
/// forecast_weekly(WeeklyForecastRequest JSON) -> ForecastResult JSON: weeks with their prices and
/// promotions become the drivers of the retail regression (series.h).
std::string forecast_weekly(const std::string& request_json);
/// markdown(MarkdownInput JSON) -> MarkdownResult JSON: the markdown price path and its baselines.
std::string markdown(const std::string& input_json);
/// basket(BasketRequest JSON) -> BasketReport JSON: rules and pair affinity of baskets of names.
std::string basket(const std::string& request_json);
/// generate(GeneratorConfig JSON) -> summary of the generated data set and its truth.
std::string generate_summary(const std::string& config_json);

}  // namespace shelfcast::wasm
