#pragma once
// Forecast accuracy: point and interval metrics, and rolling-origin evaluation of any forecaster.
//
// Metric conventions (all on the forecast window unless noted):
//   MASE   mean|y - f| / mean over the training data of |y_t - y_{t-m}|   (M4; m = season length,
//          1 when the series is shorter than two seasons)
//   RMSSE  sqrt(mean (y - f)^2 / mean over the training data of (y_t - y_{t-1})^2)   (M5)
//   sMAPE  mean 200 |y - f| / (|y| + |f|), a term with y = f = 0 counting 0            (M4,
//   percent) WAPE   sum |y - f| / sum |y| (fraction) bias   sum (f - y) / sum |y|   (fraction; > 0
//   means over-forecasting) coverage at level L: share of actuals inside the L% interval
// A scale of zero (a constant or, for MASE, perfectly periodic training series) makes that metric
// undefined: it is NaN (an empty CSV cell) and `scaled_defined` is false; pooling skips it.

#include <functional>
#include <string>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/result.h"

namespace shelfcast {

/// Accuracy of forecasts of one series (or pooled over several).
struct AccuracyMetrics {
  int32_t n = 0;  ///< forecast points scored
  double mase = 0.0;
  double rmsse = 0.0;
  double smape = 0.0;            ///< percent
  double wape = 0.0;             ///< fraction
  double bias = 0.0;             ///< fraction
  bool scaled_defined = true;    ///< false when MASE or RMSSE has no scale (e.g. constant data)
  std::vector<double> levels;    ///< interval levels, percent
  std::vector<double> coverage;  ///< share inside each level's interval, parallel to levels
};

/// Sums kept while scoring, so several windows and series can be pooled exactly.
struct AccuracyAccumulator {
  int32_t n = 0;
  double abs_error = 0.0, sq_error = 0.0, smape_terms = 0.0, signed_error = 0.0, abs_actual = 0.0;
  double scaled_abs = 0.0, scaled_sq = 0.0;  ///< |e| / mae_scale and e^2 / mse_scale summed
  int32_t mase_n = 0, rmsse_n = 0;           ///< points whose scale was defined
  std::vector<double> levels;
  std::vector<int32_t> inside;

  /// Scores one forecast window: actuals[h] against result.mean[h] and its intervals, with the
  /// MASE/RMSSE scales of the training data that produced it.
  void add(const std::vector<double>& actuals, const ForecastResult& result, double mae_scale,
           double mse_scale);
  /// Adds another accumulator (pooling series).
  void merge(const AccuracyAccumulator& other);
  /// The metrics of everything added.
  AccuracyMetrics metrics() const;
};

/// The MASE scale of training data: mean |y_t - y_{t-m}| (m falls back to 1 for short data);
/// 0 when undefined.
double mase_scale(const std::vector<double>& training, int32_t season_length);
/// The RMSSE scale: mean (y_t - y_{t-1})^2; 0 when undefined.
double rmsse_scale(const std::vector<double>& training);

/// How to cut a series into rolling origins.
struct BacktestOptions {
  int32_t horizon = 1;    ///< steps forecast from each origin
  int32_t origins = 1;    ///< number of origins; the last one leaves exactly `horizon` points
  int32_t step = 1;       ///< periods between consecutive origins
  int32_t min_train = 2;  ///< an origin with fewer training points is an error
};

/// Any forecaster: the core's forecast(), or a model under test.
using Forecaster = std::function<Result<ForecastResult>(const ForecastInput&)>;

/// The result of a backtest of one series.
struct BacktestResult {
  AccuracyAccumulator accumulator;  ///< pooled over origins
  AccuracyMetrics metrics;          ///< accumulator.metrics()
  std::vector<std::string> models;  ///< the model chosen at each origin, oldest origin first
};

/// The input a forecaster sees at an origin: values[0, end), drivers cut the same way with the
/// next `horizon` ones as the plan (the caller guarantees end + horizon <= values.size()).
ForecastInput window_at(const ForecastInput& input, size_t end, int32_t horizon);

/// Rolling-origin evaluation: for origin k the forecaster sees values[0, n - horizon -
/// (origins-1-k)
/// * step) and is scored on the next `horizon` values. `input` supplies season length, levels and
/// method; its values and horizon are replaced. Drivers (history_drivers, one value per
/// observation) are cut at each origin: the forecaster sees the ones after it as planned.
/// Too-short series are kInvalidArgument.
Result<BacktestResult> backtest(const ForecastInput& input, const BacktestOptions& options,
                                const Forecaster& forecaster);

}  // namespace shelfcast
