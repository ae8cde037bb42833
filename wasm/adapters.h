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
/// promo_simulate(model artifact JSON, plan JSON) -> PromoSimulation JSON (promo_sim.h), one shot.
std::string promo_simulate(const std::string& model_json, const std::string& plan_json);
/// Opens a promotion session: the model and the context (a plan's products, stock, clusters and
/// affinity) checked and indexed once -> {"session": id, "model_version": ...}.
std::string promo_session_open(const std::string& model_json, const std::string& context_json);
/// Keeps a plan's promotions (a plan of promotions only) in an open session: every later scenario
/// is simulated with them after its own, so a plan's unchanged promotions are decoded once, not
/// on every slider event; an empty plan drops them -> {"base_promotions": n}.
std::string promo_session_set_base(int session, const std::string& plan_json);
/// Simulates a scenario (promotions and settings only) and the session's base promotions in an
/// open session -> PromoSimulation; an error names a base promotion by its place after the
/// scenario's own ("plan.promotions[n + i]"). The session's PromoMemo keeps what the previous
/// simulation computed: a slider event recomputes only the weeks it changes.
std::string promo_session_simulate(int session, const std::string& scenario_json);
/// Closes a session -> {"closed": id}; an unknown id is not_found.
std::string promo_session_close(int session);
/// generate(GeneratorConfig JSON) -> summary of the generated data set and its truth.
std::string generate_summary(const std::string& config_json);

}  // namespace shelfcast::wasm
