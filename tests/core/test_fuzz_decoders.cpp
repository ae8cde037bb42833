// Bounded, seeded fuzzing of every request decoder of the core's wire format (the inputs that
// arrive from the browser and the API): valid documents are mutated structurally (members
// dropped, values replaced by other types, extremes, deep nesting) and as text (bytes flipped,
// cut short); a decoder must answer a value or a Status, never crash, and what it accepts must be
// handled by the function behind it without a crash or a NaN. Runs natively (ASan + UBSan) and
// under node, a few hundred cases per decoder so CI stays fast; the corpus is the seed documents.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/basket.h"
#include "shelfcast/forecast.h"
#include "shelfcast/json.h"
#include "shelfcast/pricing.h"
#include "shelfcast/series.h"

using namespace shelfcast;

namespace {

Json random_value(detail::Rng* rng) {
  switch (rng->below(10)) {
    case 0:
      return nullptr;
    case 1:
      return -1;
    case 2:
      return 0;
    case 3:
      return 1e308;
    case 4:
      return -1e308;
    case 5:
      return "x";
    case 6:
      return Json::array();
    case 7:
      return Json::object();
    case 8:
      return true;
    default:
      return 123456789012LL;
  }
}

// One structural mutation somewhere in the document.
void mutate(Json* doc, detail::Rng* rng, int depth = 0) {
  if (doc->is_object() && !doc->empty() && depth < 4) {
    auto it = doc->begin();
    std::advance(it, static_cast<long>(rng->below(doc->size())));
    switch (rng->below(4)) {
      case 0:
        doc->erase(it.key());
        return;
      case 1:
        *it = random_value(rng);
        return;
      case 2:
        (*doc)["unexpected_" + std::to_string(rng->below(100))] = random_value(rng);
        return;
      default:
        mutate(&*it, rng, depth + 1);
        return;
    }
  }
  if (doc->is_array() && !doc->empty() && depth < 4) {
    const auto i = static_cast<size_t>(rng->below(doc->size()));
    switch (rng->below(4)) {
      case 0:
        doc->erase(i);
        return;
      case 1:
        (*doc)[i] = random_value(rng);
        return;
      case 2:
        doc->push_back((*doc)[i]);
        return;
      default:
        mutate(&(*doc)[i], rng, depth + 1);
        return;
    }
  }
  *doc = random_value(rng);
}

// A text mutation: flip, drop or cut.
std::string mutate_text(std::string text, detail::Rng* rng) {
  if (text.empty()) return text;
  const auto at = static_cast<size_t>(rng->below(text.size()));
  switch (rng->below(3)) {
    case 0:
      text[at] = static_cast<char>(rng->below(256));
      break;
    case 1:
      text.erase(at, 1);
      break;
    default:
      text.resize(at);
      break;
  }
  return text;
}

template <typename T, typename Use>
void fuzz(const Json& seed, uint64_t stream, int cases, Use use) {
  detail::Rng rng(20261126, stream);
  int accepted = 0;
  for (int i = 0; i < cases; ++i) {
    Json doc = seed;
    const int mutations = 1 + static_cast<int>(rng.below(3));
    for (int m = 0; m < mutations; ++m) mutate(&doc, &rng);
    Result<T> decoded = decode<T>(doc);
    if (decoded.is_ok()) {
      ++accepted;
      use(*decoded);
    } else {
      CHECK_FALSE(decoded.status().message().empty());
    }
    Result<T> from_text = decode_text<T>(mutate_text(dump_json(seed), &rng));
    if (from_text.is_ok()) use(*from_text);
  }
  MESSAGE(cases << " mutated documents, " << accepted << " accepted");
}

void check_forecast(const Result<ForecastResult>& r) {
  if (!r.is_ok()) return;
  for (double m : r->mean) CHECK(std::isfinite(m));
}

}  // namespace

TEST_CASE("fuzz: the forecast request decoders refuse or accept, never crash") {
  ForecastInput in;
  in.values = {3, 5, 4, 6, 5, 7, 6, 8, 7, 9, 8, 10};
  in.horizon = 4;
  in.season_length = 4;
  in.total_horizon = 2;
  in.history_drivers.promo_depth = std::vector<double>(12, 0.0);
  in.history_drivers.promo_depth[5] = 0.2;
  in.future_drivers.promo_depth = {0, 0.3, 0, 0};
  fuzz<ForecastInput>(Json(in), 1, 300, [](const ForecastInput& x) {
    if (x.horizon > 60 || x.values.size() > 500) return;  // keep the run bounded
    check_forecast(forecast(x));
  });

  WeeklyForecastRequest w;
  for (int t = 0; t < 20; ++t) {
    WeeklyPoint p;
    p.week = Date{date_from_civil(2024, 1, 1).days + 7 * t};
    p.units = 10 + t % 4;
    p.avg_price = 2.0;
    p.promo_depth = t % 7 == 3 ? 0.25 : 0.0;
    w.history.push_back(p);
  }
  w.horizon = 4;
  fuzz<WeeklyForecastRequest>(Json(w), 2, 300, [](const WeeklyForecastRequest& x) {
    if (x.horizon > 60 || x.history.size() > 500) return;
    Result<ForecastInput> in2 = weekly_forecast_input(x);
    if (in2.is_ok()) check_forecast(forecast(*in2));
  });
}

TEST_CASE("fuzz: the markdown and basket decoders refuse or accept, never crash") {
  MarkdownInput m;
  m.stock_units = 40;
  m.weeks_left = 4;
  m.price_ladder = {10, 8, 6};
  m.base_weekly_demand_units = 8;
  m.elasticity = -2;
  m.unit_cost = 4;
  fuzz<MarkdownInput>(Json(m), 3, 300, [](const MarkdownInput& x) {
    if (x.stock_units > 2000 || x.weeks_left > 30 || x.price_ladder.size() > 10) return;
    Result<MarkdownResult> r = optimize_markdown(x);
    if (r.is_ok()) CHECK(std::isfinite(r->optimal.expected_total));
  });

  Json basket = {{"baskets", {{"milk", "bread"}, {"milk", "eggs"}, {"bread", "eggs", "milk"}}},
                 {"min_support", 0.3},
                 {"min_confidence", 0.5},
                 {"affinity_min_support", 0.3}};
  fuzz<BasketRequest>(basket, 4, 300, [](const BasketRequest& x) {
    if (x.baskets.size() > 100) return;
    Result<BasketReport> r = basket_report(x);
    if (r.is_ok()) {
      for (const NamedRule& rule : r->rules) CHECK(std::isfinite(rule.lift));
    }
  });
}
