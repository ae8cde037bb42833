#include "adapters.h"

#include <cmath>

#include "shelfcast/forecast.h"
#include "shelfcast/generate.h"
#include "shelfcast/json.h"
#include "shelfcast/pricing.h"
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
