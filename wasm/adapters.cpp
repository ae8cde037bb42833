#include "adapters.h"

#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/generate.h"
#include "shelfcast/json.h"
#include "shelfcast/pricing.h"
#include "shelfcast/promo.h"
#include "shelfcast/promo_sim.h"
#include "shelfcast/series.h"

namespace shelfcast::wasm {

std::string version() { return envelope_ok(core_model_version()); }

std::string forecast(const std::string& input_json) {
  Result<ForecastInput> input = decode_text<ForecastInput>(input_json);
  if (!input.is_ok()) return envelope_error(input.status());
  Result<ForecastResult> result = shelfcast::forecast(*input);
  if (!result.is_ok()) return envelope_error(result.status());
  return envelope_ok(*result);
}

std::string forecast_weekly(const std::string& request_json) {
  Result<WeeklyForecastRequest> request = decode_text<WeeklyForecastRequest>(request_json);
  if (!request.is_ok()) return envelope_error(request.status());
  Result<ForecastInput> input = weekly_forecast_input(*request);
  if (!input.is_ok()) return envelope_error(input.status());
  Result<ForecastResult> result = shelfcast::forecast(*input);
  if (!result.is_ok()) return envelope_error(result.status());
  return envelope_ok(*result);
}

std::string markdown(const std::string& input_json) {
  Result<MarkdownInput> input = decode_text<MarkdownInput>(input_json);
  if (!input.is_ok()) return envelope_error(input.status());
  Result<MarkdownResult> result = optimize_markdown(*input);
  if (!result.is_ok()) return envelope_error(result.status());
  return envelope_ok(*result);
}

std::string basket(const std::string& request_json) {
  Result<BasketRequest> request = decode_text<BasketRequest>(request_json);
  if (!request.is_ok()) return envelope_error(request.status());
  Result<BasketReport> report = basket_report(*request);
  if (!report.is_ok()) return envelope_error(report.status());
  return envelope_ok(*report);
}

namespace {

// The value is already JSON text: wrap it without a parse and a dump.
std::string envelope_ok_text(const std::string& value_json) {
  return "{\"ok\":true,\"value\":" + value_json + "}";
}

// An open promotion session: the prepared simulator, the promotions of the plan that stay the
// same from one scenario to the next (decoded once, not on every slider event), and what the
// last simulation leaves for the next (a slider event recomputes only the weeks it changes).
struct PromoSession {
  PromoSimulator simulator;
  std::vector<PlannedPromotion> base_promotions;
  PromoMemo memo;
};

// Open promotion sessions of this module instance. The adapter owns them (the core is pure); a
// page opens one per category and closes it when the planner leaves.
std::map<int, PromoSession>& promo_sessions() {
  static std::map<int, PromoSession> sessions;
  return sessions;
}

// The open session `id` and a scenario read from JSON: promotions and settings only, the rest
// belongs to the context the session was opened with.
Status session_scenario(int id, const std::string& json, PromoSession** session,
                        PromoPlan* scenario) {
  const auto it = promo_sessions().find(id);
  if (it == promo_sessions().end())
    return not_found("no open promotion session " + std::to_string(id));
  Result<PromoPlan> plan = promo_plan_from_json(json);
  if (!plan.is_ok()) return plan.status();
  if (!plan->products.empty() || !plan->stock.empty() || !plan->clusters.empty() ||
      !plan->affinity.empty())
    return invalid_argument(
        "a scenario holds promotions and settings only; products, stock, clusters and affinity "
        "belong to the context the session was opened with",
        "plan");
  *session = &it->second;
  *scenario = std::move(*plan);
  return Status::ok();
}

}  // namespace

std::string promo_simulate(const std::string& model_json, const std::string& plan_json) {
  Result<PromoModel> model = promo_model_from_json(model_json);
  if (!model.is_ok()) return envelope_error(model.status());
  Result<PromoPlan> plan = promo_plan_from_json(plan_json);
  if (!plan.is_ok()) return envelope_error(plan.status());
  Result<PromoSimulation> sim = simulate_promo(*model, *plan);
  if (!sim.is_ok()) return envelope_error(sim.status());
  return envelope_ok_text(promo_simulation_to_json(*sim));
}

std::string promo_session_open(const std::string& model_json, const std::string& context_json) {
  Result<PromoModel> model = promo_model_from_json(model_json);
  if (!model.is_ok()) return envelope_error(model.status());
  Result<PromoPlan> context = promo_plan_from_json(context_json);
  if (!context.is_ok()) return envelope_error(context.status());
  Result<PromoSimulator> simulator = PromoSimulator::create(*model, *context);
  if (!simulator.is_ok()) return envelope_error(simulator.status());
  auto& sessions = promo_sessions();
  const int id = sessions.empty() ? 1 : sessions.rbegin()->first + 1;
  const std::string version = simulator->model_version();
  sessions.emplace(id, PromoSession{std::move(*simulator), {}, PromoMemo()});
  return envelope_ok(Json{{"session", id}, {"model_version", version}});
}

std::string promo_session_set_base(int session, const std::string& plan_json) {
  PromoSession* open = nullptr;
  PromoPlan plan;
  const Status ok = session_scenario(session, plan_json, &open, &plan);
  if (!ok.is_ok()) return envelope_error(ok);
  open->base_promotions = std::move(plan.promotions);
  return envelope_ok(Json{{"base_promotions", open->base_promotions.size()}});
}

std::string promo_session_simulate(int session, const std::string& scenario_json) {
  PromoSession* open = nullptr;
  PromoPlan scenario;
  const Status ok = session_scenario(session, scenario_json, &open, &scenario);
  if (!ok.is_ok()) return envelope_error(ok);
  const std::vector<PlannedPromotion>& base = open->base_promotions;
  scenario.promotions.insert(scenario.promotions.end(), base.begin(), base.end());
  Result<PromoSimulation> sim = open->simulator.simulate(scenario, &open->memo);
  if (!sim.is_ok()) return envelope_error(sim.status());
  return envelope_ok_text(promo_simulation_to_json(*sim));
}

std::string promo_session_close(int session) {
  if (promo_sessions().erase(session) == 0)
    return envelope_error(not_found("no open promotion session " + std::to_string(session)));
  return envelope_ok(Json{{"closed", session}});
}

std::string generate_summary(const std::string& config_json) {
  Result<GeneratorConfig> config = decode_text<GeneratorConfig>(config_json);
  if (!config.is_ok()) return envelope_error(config.status());
  Result<GeneratedData> generated = generate(*config);
  if (!generated.is_ok()) return envelope_error(generated.status());
  const Dataset& d = generated->data;
  // Order-sensitive checksums: any difference in any draw between two builds shows here.
  double units = 0.0, revenue = 0.0, checksum = 0.0;
  int64_t customer_lines = 0;
  for (size_t i = 0; i < d.lines.size(); ++i) {
    const SalesLine& l = d.lines[i];
    units += l.qty;
    revenue += l.qty * l.unit_price * (1.0 - l.discount);
    checksum =
        std::fmod(checksum * 31.0 + l.qty * 7.0 + l.date.days + l.product * 3.0 + l.store, 1e9);
    if (l.customer >= 0) ++customer_lines;
  }
  Json summary = {{"stores", d.stores.size()},
                  {"categories", d.categories.size()},
                  {"products", d.products.size()},
                  {"customers", d.customers.size()},
                  {"promotions", d.promotions.size()},
                  {"holidays", d.holidays.size()},
                  {"lines", d.lines.size()},
                  {"customer_lines", customer_lines},
                  {"inventory", d.inventory.size()},
                  {"units", units},
                  {"revenue", revenue},
                  {"checksum", checksum},
                  {"first_products", Json::array()},
                  {"truth", generated->truth}};
  for (size_t i = 0; i < d.products.size() && i < 5; ++i) {
    summary["first_products"].push_back(d.products[i]);
  }
  return envelope_ok(summary);
}

}  // namespace shelfcast::wasm
