#include "jobs/monitor.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

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

Result<Json> monitor_job(Database& db, int64_t job_id) {
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
    if (std::fabs(signal) > kTrackingSignalLimit) {
      drifting.push_back(
          {series, signal, acc.actual > 0 ? (acc.forecast - acc.actual) / acc.actual : NAN});
    }
  }
  std::sort(drifting.begin(), drifting.end(), [](const Drift& x, const Drift& y) {
    return std::fabs(x.signal) > std::fabs(y.signal);
  });
  Json worst = Json::array();
  for (size_t i = 0; i < drifting.size() && i < 20; ++i) {
    worst.push_back({{"series", drifting[i].series},
                     {"tracking_signal", drifting[i].signal},
                     {"bias", std::isfinite(drifting[i].bias) ? Json(drifting[i].bias) : Json()},
                     {"suggestion",
                      "refit, or fall back to the seasonal naive baseline until "
                      "the model tracks again"}});
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
              {"tracking_signal_limit", kTrackingSignalLimit},
              {"drifting_series", drifting.size()},
              {"worst_drifting", worst}};
}

}  // namespace shelfcast::server
