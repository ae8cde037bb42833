// From a weekly series with its promotions and prices to the ForecastInput of forecast(): the one
// place that turns weeks into drivers, used by the server's forecast jobs and by the planner page
// (through the WASM build), so both forecast the same numbers.

#include <algorithm>
#include <cmath>
#include <string>

#include "shelfcast/series.h"

namespace shelfcast {
namespace {

double median(std::vector<double> v) {
  const auto mid = static_cast<long>(v.size() / 2);
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double upper = v[static_cast<size_t>(mid)];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + mid);
  return 0.5 * (lower + upper);
}

}  // namespace

Result<ForecastInput> weekly_forecast_input(const WeeklyForecastRequest& request) {
  const std::vector<WeeklyPoint>& h = request.history;
  if (h.empty()) return invalid_argument("expected at least one week of history", "history");
  if (request.horizon < 1) {
    return invalid_argument("expected a horizon >= 1, got " + std::to_string(request.horizon),
                            "horizon");
  }
  for (size_t i = 1; i < h.size() + request.planned.size(); ++i) {
    const WeeklyPoint& prev = i - 1 < h.size() ? h[i - 1] : request.planned[i - 1 - h.size()];
    const WeeklyPoint& cur = i < h.size() ? h[i] : request.planned[i - h.size()];
    if (cur.week.days != prev.week.days + 7) {
      const std::string field = i < h.size() ? "history[" + std::to_string(i) + "].week"
                                             : "planned[" + std::to_string(i - h.size()) + "].week";
      return invalid_argument(
          "expected the week after " + format_date(prev.week) + ", got " + format_date(cur.week),
          field);
    }
  }
  for (size_t i = 0; i < h.size() + request.planned.size(); ++i) {
    const WeeklyPoint& p = i < h.size() ? h[i] : request.planned[i - h.size()];
    const std::string where = i < h.size() ? "history[" + std::to_string(i) + "]"
                                           : "planned[" + std::to_string(i - h.size()) + "]";
    if (i < h.size() && !(p.units >= 0.0)) {
      return invalid_argument("expected units >= 0", where + ".units");
    }
    if (!(p.promo_depth >= 0.0 && p.promo_depth < 1.0)) {
      return invalid_argument("expected a promotion depth in [0, 1)", where + ".promo_depth");
    }
    if (!std::isfinite(p.avg_price)) {
      return invalid_argument("expected a finite price", where + ".avg_price");
    }
  }

  ForecastInput in;
  in.horizon = request.horizon;
  in.levels = request.levels;
  in.method = request.method;
  in.total_horizon = request.total_horizon;
  in.season_length = request.season_length;
  in.period_name = "week";

  std::vector<double> regular, all;
  for (const WeeklyPoint& p : h) {
    if (p.avg_price <= 0.0) continue;
    all.push_back(p.avg_price);
    if (p.promo_depth == 0.0) regular.push_back(p.avg_price);
  }
  const bool priced = !all.empty();
  const double reference = priced ? median(regular.empty() ? all : regular) : 1.0;
  double last_regular = reference;
  double last_price = reference;

  RetailRegressors& hd = in.history_drivers;
  for (const WeeklyPoint& p : h) {
    in.values.push_back(p.units);
    if (p.avg_price > 0.0) {
      last_price = p.avg_price;
      if (p.promo_depth == 0.0) last_regular = p.avg_price;
    }
    hd.price_ratio.push_back(last_price / reference);
    hd.promo_depth.push_back(p.promo_depth);
    hd.feature.push_back(p.feature ? 1.0 : 0.0);
    hd.display.push_back(p.display ? 1.0 : 0.0);
    hd.holiday.push_back(p.holiday ? 1.0 : 0.0);
  }
  RetailRegressors& fd = in.future_drivers;
  const auto season = static_cast<size_t>(std::max(1, request.season_length));
  for (size_t k = 0; k < static_cast<size_t>(request.horizon); ++k) {
    const bool has_plan = k < request.planned.size();
    const WeeklyPoint plan = has_plan ? request.planned[k] : WeeklyPoint{};
    const double price =
        plan.avg_price > 0.0 ? plan.avg_price : last_regular * (1.0 - plan.promo_depth);
    fd.price_ratio.push_back(price / reference);
    fd.promo_depth.push_back(plan.promo_depth);
    fd.feature.push_back(plan.feature ? 1.0 : 0.0);
    fd.display.push_back(plan.display ? 1.0 : 0.0);
    // The same week a season earlier (history or already-planned weeks).
    const size_t t = h.size() + k;
    double holiday = 0.0;
    if (has_plan)
      holiday = plan.holiday ? 1.0 : 0.0;
    else if (t >= season)
      holiday = t - season < h.size() ? hd.holiday[t - season] : fd.holiday[t - season - h.size()];
    fd.holiday.push_back(holiday);
  }
  if (!priced) {
    hd.price_ratio.clear();
    fd.price_ratio.clear();
  }
  return in;
}

}  // namespace shelfcast
