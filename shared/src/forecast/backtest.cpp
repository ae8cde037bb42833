#include "shelfcast/backtest.h"

#include <cmath>
#include <limits>

namespace shelfcast {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double mase_scale(const std::vector<double>& training, int32_t season_length) {
  const size_t m = season_length > 1 && training.size() > 2 * static_cast<size_t>(season_length)
                       ? static_cast<size_t>(season_length)
                       : 1;
  double sum = 0.0;
  size_t n = 0;
  for (size_t t = m; t < training.size(); ++t) {
    if (std::isnan(training[t]) || std::isnan(training[t - m])) continue;
    sum += std::fabs(training[t] - training[t - m]);
    ++n;
  }
  return n == 0 ? 0.0 : sum / static_cast<double>(n);
}

double rmsse_scale(const std::vector<double>& training) {
  double sum = 0.0;
  size_t n = 0;
  for (size_t t = 1; t < training.size(); ++t) {
    if (std::isnan(training[t]) || std::isnan(training[t - 1])) continue;
    const double d = training[t] - training[t - 1];
    sum += d * d;
    ++n;
  }
  return n == 0 ? 0.0 : sum / static_cast<double>(n);
}

void AccuracyAccumulator::add(const std::vector<double>& actuals, const ForecastResult& result,
                              double mae_scale, double mse_scale) {
  if (levels.empty() && inside.empty()) {
    for (const ForecastInterval& iv : result.intervals) levels.push_back(iv.level);
    inside.assign(levels.size(), 0);
  }
  const size_t steps = std::min(actuals.size(), result.mean.size());
  for (size_t h = 0; h < steps; ++h) {
    const double y = actuals[h];
    const double f = result.mean[h];
    if (std::isnan(y) || std::isnan(f)) continue;
    const double e = y - f;
    ++n;
    abs_error += std::fabs(e);
    sq_error += e * e;
    signed_error += f - y;
    abs_actual += std::fabs(y);
    const double denom = std::fabs(y) + std::fabs(f);
    smape_terms += denom > 0.0 ? 200.0 * std::fabs(e) / denom : 0.0;
    if (mae_scale > 0.0) {
      scaled_abs += std::fabs(e) / mae_scale;
      ++mase_n;
    }
    if (mse_scale > 0.0) {
      scaled_sq += e * e / mse_scale;
      ++rmsse_n;
    }
    for (size_t l = 0; l < levels.size() && l < result.intervals.size(); ++l) {
      const ForecastInterval& iv = result.intervals[l];
      if (h < iv.lower.size() && y >= iv.lower[h] && y <= iv.upper[h]) ++inside[l];
    }
  }
}

void AccuracyAccumulator::merge(const AccuracyAccumulator& other) {
  n += other.n;
  abs_error += other.abs_error;
  sq_error += other.sq_error;
  smape_terms += other.smape_terms;
  signed_error += other.signed_error;
  abs_actual += other.abs_actual;
  scaled_abs += other.scaled_abs;
  scaled_sq += other.scaled_sq;
  mase_n += other.mase_n;
  rmsse_n += other.rmsse_n;
  if (levels.empty()) {
    levels = other.levels;
    inside = other.inside;
  } else {
    for (size_t l = 0; l < inside.size() && l < other.inside.size(); ++l) {
      inside[l] += other.inside[l];
    }
  }
}

AccuracyMetrics AccuracyAccumulator::metrics() const {
  AccuracyMetrics m;
  m.n = n;
  m.levels = levels;
  if (n == 0) {
    m.mase = m.rmsse = m.smape = m.wape = m.bias = kNaN;
    m.scaled_defined = false;
    m.coverage.assign(levels.size(), kNaN);
    return m;
  }
  const double count = static_cast<double>(n);
  m.smape = smape_terms / count;
  m.wape = abs_actual > 0.0 ? abs_error / abs_actual : kNaN;
  m.bias = abs_actual > 0.0 ? signed_error / abs_actual : kNaN;
  m.scaled_defined = mase_n > 0 && rmsse_n > 0;
  m.mase = mase_n > 0 ? scaled_abs / mase_n : kNaN;
  m.rmsse = rmsse_n > 0 ? std::sqrt(scaled_sq / rmsse_n) : kNaN;
  for (int32_t in : inside) m.coverage.push_back(static_cast<double>(in) / count);
  return m;
}

ForecastInput window_at(const ForecastInput& input, size_t end, int32_t horizon) {
  ForecastInput window = input;
  window.values.assign(input.values.begin(), input.values.begin() + static_cast<long>(end));
  window.horizon = horizon;
  window.total_horizon = 0;
  // Drivers known at the origin: history up to it, the actual (planned) ones after it.
  const auto cut = [end, horizon](const std::vector<double>& all, std::vector<double>* history,
                                  std::vector<double>* future) {
    history->clear();
    future->clear();
    if (all.empty()) return;
    history->assign(all.begin(), all.begin() + static_cast<long>(end));
    future->assign(all.begin() + static_cast<long>(end),
                   all.begin() + static_cast<long>(end) + horizon);
  };
  const RetailRegressors& d = input.history_drivers;
  RetailRegressors& h = window.history_drivers;
  RetailRegressors& f = window.future_drivers;
  cut(d.price_ratio, &h.price_ratio, &f.price_ratio);
  cut(d.promo_depth, &h.promo_depth, &f.promo_depth);
  cut(d.feature, &h.feature, &f.feature);
  cut(d.display, &h.display, &f.display);
  cut(d.holiday, &h.holiday, &f.holiday);
  return window;
}

Result<BacktestResult> backtest(const ForecastInput& input, const BacktestOptions& options,
                                const Forecaster& forecaster) {
  if (options.horizon < 1) return invalid_argument("expected a horizon >= 1", "horizon");
  if (options.origins < 1) return invalid_argument("expected at least one origin", "origins");
  if (options.step < 1) return invalid_argument("expected a step >= 1", "step");
  const auto n = static_cast<int64_t>(input.values.size());
  for (const std::vector<double>* field :
       {&input.history_drivers.price_ratio, &input.history_drivers.promo_depth,
        &input.history_drivers.feature, &input.history_drivers.display,
        &input.history_drivers.holiday}) {
    if (!field->empty() && static_cast<int64_t>(field->size()) != n) {
      return invalid_argument("expected each driver to have one value per observation",
                              "history_drivers");
    }
  }
  const int64_t first_end =
      n - options.horizon - static_cast<int64_t>(options.origins - 1) * options.step;
  if (first_end < std::max(1, options.min_train)) {
    return invalid_argument("series of " + std::to_string(n) + " points is too short for " +
                                std::to_string(options.origins) + " origins of horizon " +
                                std::to_string(options.horizon) + " (step " +
                                std::to_string(options.step) + ")",
                            "origins");
  }
  BacktestResult out;
  for (int32_t k = 0; k < options.origins; ++k) {
    const auto end = static_cast<size_t>(first_end + static_cast<int64_t>(k) * options.step);
    const ForecastInput window = window_at(input, end, options.horizon);
    Result<ForecastResult> result = forecaster(window);
    if (!result.is_ok()) return result.status();
    const std::vector<double> actuals(
        input.values.begin() + static_cast<long>(end),
        input.values.begin() + static_cast<long>(end) + options.horizon);
    out.accumulator.add(actuals, *result, mase_scale(window.values, input.season_length),
                        rmsse_scale(window.values));
    out.models.push_back(result->model);
  }
  out.metrics = out.accumulator.metrics();
  return out;
}

}  // namespace shelfcast
