#pragma once
// Forecasts of one series with prediction intervals: the entry point that picks a model.
// Automatic choice (kAuto): intermittent or lumpy demand (Syntetos-Boylan-Croston classes) goes to
// SBA with negative-binomial intervals; a series with retail drivers that vary (price, promotion
// depth, feature, display, holiday over history and the planned horizon) goes to the retail
// regression of regression.h (ETS-Regression), whose parts split the forecast into level/trend,
// seasonal, price, promotion and holiday; other series to the ETS family selected by AICc
// (ets.h); seasons longer than ETS handles (weekly data, m = 52) are removed with classical
// seasonal indices first and put back afterwards. The benchmarks (naive, seasonal naive, drift),
// SES and the individual intermittent methods can be asked for by name. Fallbacks are named in
// `model` and explained in `fallback_reason`.

#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/result.h"

namespace shelfcast {

/// Which model to fit; kAuto chooses (see the top of this file).
enum class ForecastMethod : uint8_t {
  kAuto = 0,
  kNaive = 1,
  kSeasonalNaive = 2,
  kSes = 3,
  kEts = 4,    ///< automatic ETS by AICc, seasonal indices first for long seasons
  kDrift = 5,  ///< random walk with drift
  kCroston = 6,
  kSba = 7,         ///< Croston with the Syntetos-Boylan correction
  kTsb = 8,         ///< Teunter-Syntetos-Babai
  kRegression = 9,  ///< retail regression on a smoothed level (regression.h), drivers optional
};
std::string_view to_string(ForecastMethod method);
Result<ForecastMethod> parse_forecast_method(std::string_view text);

/// Tunables of the simple forecasters, each with its default and where it comes from.
struct ForecastParams {
  /// SES smoothing weight search range; Hyndman et al. (2008) admissible region is (0, 1), the
  /// usual bounds of R's forecast::ets are [1e-4, 0.9999].
  double ses_alpha_min = 1e-4;
  double ses_alpha_max = 0.9999;
  /// Golden-section iterations on the SSE of SES: the bracket shrinks by 0.618 each, 60 gives
  /// a width far below anything that changes a forecast.
  int ses_search_iterations = 60;
  /// In summaries, a forecast within this relative distance of the recent average is "level".
  double summary_flat_band = 0.05;
  /// Seasons longer than ETS's limit (R: 24) are taken out with classical seasonal indices when
  /// at least this many full seasons are observed (Hyndman & Athanasopoulos, FPP3 ch. 3.4). Three,
  /// because with two a promotion that fell in the same week both years becomes "seasonality"
  /// (seen on the demo data: a repeated promotion spike in the forecast).
  int32_t min_seasons_for_indices = 3;
};

/// Per-period retail drivers. Every field is either empty (not used: neutral everywhere) or has
/// one value per period; the history and future records of one input must use the same fields.
struct RetailRegressors {
  /// Net price paid per unit / a fixed reference price of the item (e.g. its first regular
  /// price), > 0. The model uses log(price_ratio); 1 = reference price.
  std::vector<double> price_ratio;
  std::vector<double> promo_depth;  ///< fraction off the regular price, in [0, 1)
  std::vector<double> feature;      ///< leaflet/feature share of the period, in [0, 1] (0/1)
  std::vector<double> display;      ///< secondary-display share of the period, in [0, 1] (0/1)
  std::vector<double> holiday;      ///< holiday indicator or count of holidays in the period, >= 0
};

/// A fitted driver coefficient (on the log scale).
struct RegressionCoefficient {
  /// "price_elasticity", "promo_lift_per_depth", "feature_log_lift", "display_log_lift" or
  /// "holiday_log_lift".
  std::string name;
  double value = 0.0;
  double std_error = 0.0;   ///< posterior sd (ridge = Gaussian prior); 0 when not estimated
  double prior_mean = 0.0;  ///< the ridge centre
  bool estimated = false;   ///< false: fixed at prior_mean (field unused or no variation)
  bool at_bound = false;    ///< the sign constraint holds it at 0
};

/// A named part of a forecast; the parts of a result add up to its mean at every step.
struct ForecastComponent {
  std::string name;            ///< "level_trend", "seasonal", "floor_at_zero", ...
  std::vector<double> values;  ///< horizon values
};

/// One series to forecast, in equally spaced periods (weeks for the planner).
struct ForecastInput {
  std::vector<double> values;  ///< observations, oldest first; NaN = missing
  int32_t season_length = 1;   ///< periods per season (52 for weekly, 12 monthly); 1 = none
  int32_t horizon = 1;         ///< periods to forecast, >= 1
  std::vector<double> levels = {80.0, 95.0};  ///< interval coverage in percent, each in (0, 100)
  ForecastMethod method = ForecastMethod::kAuto;
  bool non_negative = true;  ///< clamp means and lower bounds at zero (sales data)
  /// Also forecast the total of the first this-many steps, with intervals that account for the
  /// correlation of step errors (0 = no total; at most horizon).
  int32_t total_horizon = 0;
  std::string period_name = "period";  ///< what one step is called in the summary ("week")
  /// Drivers of the history periods: each field empty or values.size() long (regression.h).
  RetailRegressors history_drivers;
  /// Planned drivers of the forecast periods: each field empty or horizon long, and used exactly
  /// when the same history field is.
  RetailRegressors future_drivers;
};

/// A prediction interval at one coverage level.
struct ForecastInterval {
  double level = 0.0;  ///< percent
  std::vector<double> lower;
  std::vector<double> upper;
};

/// A forecast, the model that made it, and a plain-language summary.
struct ForecastResult {
  std::string model;                        ///< "ETS(A,N,N)", "SBA", "ETS-Regression", "Naive", ...
  std::string model_version;                ///< "shelfcast-core <version>"
  double alpha = 0.0;                       ///< SES smoothing weight (0 for other models)
  double sigma = 0.0;                       ///< residual standard deviation of one-step errors
  std::vector<double> mean;                 ///< horizon values
  std::vector<ForecastInterval> intervals;  ///< one per requested level, same order
  std::vector<double> fitted;               ///< one-step fitted values; NaN where none exists
  int32_t total_horizon = 0;                ///< steps summed in total_mean (0 = none asked)
  double total_mean = 0.0;                  ///< sum of the first total_horizon means
  /// Intervals of that total, one per level; lower/upper hold one value each.
  std::vector<ForecastInterval> total_intervals;
  std::string fallback_reason;  ///< why a simpler model than asked was used; empty if none
  std::string demand_class;     ///< smooth, erratic, intermittent or lumpy (kAuto), else ""
  std::vector<ForecastComponent> components;  ///< parts that add up to `mean`
  /// Fitted driver effects (log scale) of the retail regression; empty for the other models.
  std::vector<RegressionCoefficient> drivers;
  /// Their posterior covariance, drivers.size()^2 row-major (empty when drivers is): pooling
  /// over stores and products needs it (pool_price_response in regression.h).
  std::vector<double> driver_covariance;
  /// The drivers' posterior before the sign constraints (means and covariance, as drivers and
  /// driver_covariance): what pool_price_response pools.
  std::vector<double> unconstrained_drivers;
  std::vector<double> unconstrained_driver_covariance;
  std::string summary;  ///< one sentence a planner can read
};

/// True when a driver field of the input varies over history and horizon together, i.e. the
/// retail regression has something to estimate or to apply (kAuto's test).
bool has_informative_drivers(const ForecastInput& input);

/// Fits the requested model and forecasts; invalid inputs (horizon < 1, level outside (0,100),
/// season_length < 1) are kInvalidArgument. Too-short or degenerate series fall back to a simpler
/// model, named in `model` and explained in `fallback_reason`; NaN never reaches the output.
Result<ForecastResult> forecast(const ForecastInput& input, const ForecastParams& params = {});

/// The version string stamped on every model output.
std::string core_model_version();

}  // namespace shelfcast
