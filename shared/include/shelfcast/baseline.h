#pragma once
// Benchmark forecasters beyond forecast.h's naive family: the random walk with drift, as R's
// forecast::rwf(drift = TRUE) and Hyndman & Athanasopoulos, FPP3 section 5.5.

#include <cstdint>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/result.h"

namespace shelfcast {

/// A random-walk-with-drift forecast with normal prediction intervals.
struct DriftForecast {
  double drift = 0.0;         ///< mean one-step change b over the available differences
  double drift_se = 0.0;      ///< standard error of b: sigma / sqrt(n_differences)
  double sigma = 0.0;         ///< residual sd of the differences around b (n_differences - 1 dof)
  int32_t n_differences = 0;  ///< one-step differences with both ends observed
  std::vector<double> mean;   ///< horizon values: last observed + k b
  std::vector<double> sd;     ///< forecast sd per step: sigma sqrt(k (1 + k / n_differences))
  std::vector<ForecastInterval> intervals;  ///< one per requested level, same order
  std::vector<double> fitted;               ///< y[t-1] + b; NaN where y[t-1] or y[t] is missing
};

/// Forecasts `horizon` periods with intervals at `levels` (percent, in (0, 100)). Values are
/// oldest first; NaN is missing: a difference touching it is skipped, and k counts periods from
/// the last observed value (so trailing missing periods widen the intervals). Fewer than two
/// differences is kFailedPrecondition (no residual variance); infinity, horizon outside
/// 1..10000 and bad levels are kInvalidArgument. Means are not clamped at zero.
Result<DriftForecast> forecast_drift(const std::vector<double>& values, int32_t horizon,
                                     const std::vector<double>& levels = {80.0, 95.0});

}  // namespace shelfcast
