#include "jobs/monitor.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store/approval_store.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

struct Accuracy {
  int64_t n = 0;
  double abs_error = 0.0, error = 0.0, actual = 0.0, forecast = 0.0;
  void add(double a, double f) {
    ++n;
    abs_error += std::fabs(a - f);
    error += a - f;
    actual += a;
    forecast += f;
  }
  Json json() const {
    const auto num = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
    const double mad = n > 0 ? abs_error / static_cast<double>(n) : NAN;
    return Json{{"n", n},
                {"actual_units", actual},
                {"forecast_units", forecast},
                {"wape", num(actual > 0 ? abs_error / actual : NAN)},
                {"bias", num(actual > 0 ? (forecast - actual) / actual : NAN)},
                {"tracking_signal", num(mad > 0 ? error / mad : NAN)}};
  }
};

}  // namespace

Result<SeriesFallback> series_fallback(Database& db, int64_t job_id, const std::string& product,
                                       const std::string& store, double tracking_signal_limit) {
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<StoredForecast> rows,
                             job_forecasts(db, job_id, product, store, 1000, 0));
  SeriesFallback out;
  if (rows.empty()) return out;
  // No complete week of actuals for the forecast yet: nothing to track (and no series to read).
  SHELFCAST_ASSIGN_OR_RETURN(std::optional<Date> last_day, last_sales_day(db));
  const auto first = std::min_element(
      rows.begin(), rows.end(),
      [](const StoredForecast& x, const StoredForecast& y) { return x.week < y.week; });
  if (!last_day || first->week.days + 6 > last_day->days) return out;
  Result<std::vector<WeeklyPoint>> points = weekly_series(db, product, store);
  if (!points.is_ok()) return out;
  std::map<int32_t, double> weeks;
  std::vector<double> recent;
  for (const WeeklyPoint& p : *points) {
    if (!p.complete) continue;
    weeks[p.week.days] = p.units;
    recent.push_back(p.units);
  }
  Accuracy acc;
  for (const StoredForecast& f : rows) {
    const auto a = weeks.find(f.week.days);
    if (a == weeks.end()) continue;
    acc.add(a->second, f.mean);
    out.actual_weeks.push_back(f.week.days);
  }
  out.weeks_with_actuals = acc.n;
  const double mad = acc.n > 0 ? acc.abs_error / static_cast<double>(acc.n) : 0.0;
  out.tracking_signal = mad > 0.0 ? acc.error / mad : 0.0;
  if (acc.n < 2 || !(std::fabs(out.tracking_signal) > tracking_signal_limit)) return out;
  const size_t n = std::min(recent.size(), static_cast<size_t>(kFallbackWeeks));
  if (n == 0) return out;
  double sum = 0.0, sq = 0.0;
  for (size_t i = recent.size() - n; i < recent.size(); ++i) sum += recent[i];
  out.baseline_units = sum / static_cast<double>(n);
  for (size_t i = recent.size() - n; i < recent.size(); ++i) {
    sq += (recent[i] - out.baseline_units) * (recent[i] - out.baseline_units);
  }
  out.baseline_sd_units = n > 1 ? std::sqrt(sq / static_cast<double>(n - 1)) : 0.0;
  out.baseline_weeks = static_cast<int64_t>(n);
  out.active = true;
  out.model = "RecentMean(" + std::to_string(n) + ")";
  std::ostringstream reason;
  reason.precision(3);
  reason << "tracking signal " << out.tracking_signal << " over " << acc.n
         << " weeks with actuals exceeds " << tracking_signal_limit
         << ": serving the mean of the last " << n
         << " weeks of actuals until the model is refitted";
  out.reason = reason.str();
  return out;
}

void apply_fallback(const SeriesFallback& fallback, int32_t week_days, Json* row) {
  if (!fallback.active) return;
  if (std::find(fallback.actual_weeks.begin(), fallback.actual_weeks.end(), week_days) !=
      fallback.actual_weeks.end()) {
    return;  // a week with actuals is the record of what the model said
  }
  Json& r = *row;
  r["model_mean"] = r["mean"];
  r["mean"] = fallback.baseline_units;
  Json intervals = Json::array();
  for (const Json& iv : r.value("intervals", Json::array())) {
    const double level = iv.value("level", 80.0);
    // z of the central interval: bisection on the normal CDF (levels are few and small).
    const double target = 0.5 + level / 200.0;
    double lo = 0.0, hi = 10.0;
    for (int i = 0; i < 60; ++i) {
      const double mid = 0.5 * (lo + hi);
      (0.5 * std::erfc(-mid / std::sqrt(2.0)) < target ? lo : hi) = mid;
    }
    const double half = 0.5 * (lo + hi) * fallback.baseline_sd_units;
    intervals.push_back({{"level", level},
                         {"lower", std::max(0.0, fallback.baseline_units - half)},
                         {"upper", fallback.baseline_units + half}});
  }
  r["intervals"] = intervals;
  r["components"] = Json{{"recent_mean", fallback.baseline_units}};
  r["fallback"] = {{"model", fallback.model},
                   {"reason", fallback.reason},
                   {"tracking_signal", fallback.tracking_signal},
                   {"baseline_weeks", fallback.baseline_weeks}};
}

Result<Json> monitor_job(Database& db, int64_t job_id, double tracking_signal_limit) {
  SHELFCAST_ASSIGN_OR_RETURN(JobRow job, get_job(db, job_id));
  std::vector<StoredForecast> rows;
  for (int64_t offset = 0;; offset += 10000) {
    SHELFCAST_ASSIGN_OR_RETURN(std::vector<StoredForecast> page,
                               job_forecasts(db, job_id, "", "", 10000, offset));
    rows.insert(rows.end(), page.begin(), page.end());
    if (page.size() < 10000) break;
  }
  Accuracy overall, total;
  std::map<std::string, Accuracy> by_model, by_series;
  std::map<int32_t, std::pair<double, double>> total_by_week;  // week -> (actual, forecast)
  std::map<std::pair<std::string, std::string>, std::map<int32_t, double>> actuals;
  for (const StoredForecast& f : rows) {
    auto key = std::make_pair(f.product, f.store);
    auto it = actuals.find(key);
    if (it == actuals.end()) {
      SHELFCAST_ASSIGN_OR_RETURN(std::vector<WeeklyPoint> points,
                                 weekly_series(db, f.product, f.store));
      std::map<int32_t, double> weeks;
      for (const WeeklyPoint& p : points) {
        if (p.complete) weeks[p.week.days] = p.units;
      }
      it = actuals.emplace(key, std::move(weeks)).first;
    }
    const auto a = it->second.find(f.week.days);
    if (a == it->second.end()) continue;  // no actual yet for this week
    overall.add(a->second, f.mean);
    by_model[f.model].add(a->second, f.mean);
    by_series[f.product + "@" + f.store].add(a->second, f.mean);
    auto& w = total_by_week[f.week.days];
    w.first += a->second;
    w.second += f.mean;
  }
  for (const auto& [week, w] : total_by_week) total.add(w.first, w.second);

  struct Drift {
    std::string series;
    double signal, bias;
  };
  std::vector<Drift> drifting;
  for (const auto& [series, acc] : by_series) {
    if (acc.n < 2) continue;  // one week cannot drift
    const double mad = acc.abs_error / static_cast<double>(acc.n);
    if (!(mad > 0.0)) continue;
    const double signal = acc.error / mad;
    if (std::fabs(signal) > tracking_signal_limit) {
      drifting.push_back(
          {series, signal, acc.actual > 0 ? (acc.forecast - acc.actual) / acc.actual : NAN});
    }
  }
  std::sort(drifting.begin(), drifting.end(), [](const Drift& x, const Drift& y) {
    return std::fabs(x.signal) > std::fabs(y.signal);
  });
  Json worst = Json::array();
  for (size_t i = 0; i < drifting.size() && i < 20; ++i) {
    worst.push_back(
        {{"series", drifting[i].series},
         {"tracking_signal", drifting[i].signal},
         {"bias", std::isfinite(drifting[i].bias) ? Json(drifting[i].bias) : Json()},
         {"fallback", "RecentMean(" + std::to_string(kFallbackWeeks) + ")"},
         {"suggestion", "refit; until then its forecast is served from the mean of the last " +
                            std::to_string(kFallbackWeeks) + " weeks of actuals"}});
  }
  Json models = Json::object();
  for (const auto& [model, acc] : by_model) models[model] = acc.json();
  return Json{{"job", job_id},
              {"job_model_version", job.model_version},
              {"weeks_with_actuals", total_by_week.size()},
              {"series", by_series.size()},
              {"overall", overall.json()},
              {"total", total.json()},
              {"by_model", models},
              {"tracking_signal_limit", tracking_signal_limit},
              {"drifting_series", drifting.size()},
              {"worst_drifting", worst}};
}

}  // namespace shelfcast::server
