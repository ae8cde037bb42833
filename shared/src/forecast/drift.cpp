// Random walk with drift (R forecast::rwf(drift = TRUE), FPP3 section 5.5). The drift b is the
// mean of the one-step differences, fitted as lm(diff ~ 1) in R; the h-step forecast error is the
// sum of h innovations plus h times the error of b:
//   var_h = sigma^2 h + h^2 sigma^2 / n_differences = sigma^2 h (1 + h / n_differences),
// which is FPP3's sigma sqrt(h (1 + h / T)) with T the number of differences the drift averages.

#include <cmath>
#include <limits>

#include "detail/normal.h"
#include "shelfcast/baseline.h"

namespace shelfcast {
namespace {
constexpr int32_t kMaxHorizon = 10000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

Result<DriftForecast> forecast_drift(const std::vector<double>& values, int32_t horizon,
                                     const std::vector<double>& levels) {
  if (horizon < 1 || horizon > kMaxHorizon) {
    return invalid_argument("expected a horizon from 1 to " + std::to_string(kMaxHorizon),
                            "horizon");
  }
  for (double level : levels) {
    if (!(level > 0.0 && level < 100.0)) {
      return invalid_argument("expected interval levels in (0, 100)", "levels");
    }
  }
  for (double v : values) {
    if (std::isinf(v)) return invalid_argument("expected finite values, got infinity", "values");
  }
  const size_t n = values.size();
  double sum = 0.0;
  int32_t count = 0;
  for (size_t t = 1; t < n; ++t) {
    if (std::isnan(values[t]) || std::isnan(values[t - 1])) continue;
    sum += values[t] - values[t - 1];
    ++count;
  }
  if (count < 2) {
    return failed_precondition(
        "the drift method needs at least two one-step differences between observed values");
  }
  DriftForecast out;
  out.n_differences = count;
  out.drift = sum / count;
  double ss = 0.0;
  for (size_t t = 1; t < n; ++t) {
    if (std::isnan(values[t]) || std::isnan(values[t - 1])) continue;
    const double e = values[t] - values[t - 1] - out.drift;
    ss += e * e;
  }
  out.sigma = std::sqrt(ss / (count - 1));
  out.drift_se = out.sigma / std::sqrt(static_cast<double>(count));

  out.fitted.assign(n, kNaN);
  for (size_t t = 1; t < n; ++t) {
    if (!std::isnan(values[t]) && !std::isnan(values[t - 1])) {
      out.fitted[t] = values[t - 1] + out.drift;
    }
  }
  size_t last = n - 1;
  while (std::isnan(values[last])) --last;  // count >= 2 guarantees an observed value
  const double origin = values[last];
  const double gap = static_cast<double>(n - 1 - last);  // trailing missing periods
  for (int32_t h = 1; h <= horizon; ++h) {
    const double k = gap + h;
    out.mean.push_back(origin + k * out.drift);
    out.sd.push_back(out.sigma * std::sqrt(k * (1.0 + k / count)));
  }
  for (double level : levels) {
    const double z = detail::normal_quantile(0.5 + level / 200.0);
    ForecastInterval interval;
    interval.level = level;
    for (size_t i = 0; i < out.mean.size(); ++i) {
      interval.lower.push_back(out.mean[i] - z * out.sd[i]);
      interval.upper.push_back(out.mean[i] + z * out.sd[i]);
    }
    out.intervals.push_back(std::move(interval));
  }
  return out;
}

}  // namespace shelfcast
