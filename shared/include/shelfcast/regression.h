#pragma once
// Retail regression on top of a smoothing baseline ("ETS-Regression"): log-linear effects of own
// price, promotion depth, feature, display and holidays on a local level (plus yearly Fourier
// seasonality) fitted on the log scale, with sign constraints, ridge shrinkage toward documented
// priors, and a decomposition of every fitted and forecast value into named parts that add up.
//
// THE MODEL (t = 0 .. n-1 history periods, oldest first; c = RegressionOptions::log_offset)
//   z_t     = log(units_t + c)
//   z_t     = l_{t-1} + b_T t / m + s_t + b_p log(price_ratio_t) + b_d depth_t + b_f feature_t
//             + b_x display_t + b_h holiday_t + e_t,        e_t ~ N(0, sigma^2)
//   l_t     = l_{t-1} + alpha e_t   (a missing period leaves l unchanged)
//   s_t     = sum_k a_k cos(2 pi k t / m) + b_k sin(2 pi k t / m),  k = 1..K  (m = season length)
// (b_T: log-growth per season, m = 1 when there is no season). This is ETS(A,N,N) -- with the
// fixed drift b_T, ETS(A,A,N) with beta = 0 -- with regressors on the log scale (Hyndman et al.
// 2008, ch. 9 "ETSX"; the same structure as Svetunkov's ADAM/es(xreg), "Forecasting and Analytics
// with ADAM", 2023, ch. 10) with deterministic Fourier seasonality (Hyndman & Athanasopoulos, FPP3
// section 7.4). For a fixed alpha the one-step errors are linear in (b, a, l_0), so the
// coefficients are a joint penalized least-squares fit; alpha is profiled by grid plus
// golden-section search.
//
// Elasticity vs promotion lift: price_ratio is the NET price paid (after the promotion discount)
// relative to a fixed reference price of the item, so b_p is the own-price elasticity of both
// regular-price changes and the discount, and b_d is the extra log-lift per unit of depth beyond
// what the price cut explains -- exactly the split of the synthetic generator (generate.h):
// (regular/ref)^e * (1 - depth)^e * exp(lift * depth) * feature * display.
//
// Fit: ridge toward each coefficient's prior (weights sigma^2 / prior_sd^2, i.e. the posterior
// mode under Gaussian priors, with sigma from a first pass), so a short series stays near the
// priors; sign constraints solved exactly; standard errors are posterior sds.
// Forecast: on the log scale mu_h with variance v_h = sigma^2 (1 + (k - 1) alpha^2) (k = steps
// from the last observation, ETS(A,N,N)) plus the coefficients' and l_0's posterior variance
// along the forecast's gradient. Mean = exp(mu + a) - c, a = log mean(exp(e)) (Duan's smearing),
// intervals exp(mu +- z sqrt(v)) - c, all clamped at 0 (never negative, nested) and capped at
// exp(700).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/result.h"

namespace shelfcast {

// RetailRegressors (the per-period drivers) and RegressionCoefficient live in forecast.h, which
// forecast() takes them through.

/// Tunables of the fit, each with its default and its source.
struct RegressionOptions {
  /// z = log(units + c): c = 1 (log1p) keeps zero sales finite; it is negligible for the
  /// high-volume series where effects are estimated and damps them for tiny ones.
  double log_offset = 1.0;
  /// Prior (ridge centre) of the own-price elasticity: -1.76, the mean of Tellis (1988),
  /// "The price elasticity of selective demand: a meta-analysis", JMR 25(4), 331-341.
  double elasticity_prior_mean = -1.76;
  /// Prior sd of the elasticity: 1.0 reaches the mean of the later meta-analysis of Bijmolt,
  /// van Heerde & Pieters (2005), JMR 42(2), -2.62, within one sd.
  double elasticity_prior_sd = 1.0;
  /// Prior of the extra log-lift per unit depth beyond the price cut. Temporary price cuts move
  /// demand more than permanent ones (deal elasticities exceed regular-price elasticities in
  /// magnitude: Bijmolt, van Heerde & Pieters 2005); 1.0 per unit depth is about one unit of
  /// extra deal elasticity. It matters: on weekly data log(1 - depth) and depth are nearly
  /// collinear, so the data pin down (lift - elasticity) well but not the split, and the prior
  /// settles the rest (see tests/core/test_regression.cpp for the figures with a centre of 0).
  double promo_lift_prior_mean = 1.0;
  double promo_lift_prior_sd = 1.0;  ///< weakly informative: 0..2 at one sd
  /// Prior of the log multipliers of feature, display and holiday: no effect; sd 0.5 allows
  /// multipliers 0.6..1.65 at one sd (published feature/display lifts are 1.1..2, e.g. van Heerde,
  /// Leeflang & Wittink 2000, JMR 37(3)).
  double feature_prior_sd = 0.5;
  double display_prior_sd = 0.5;  ///< see feature_prior_sd
  double holiday_prior_sd = 0.5;  ///< see feature_prior_sd
  double season_prior_sd = 1.0;   ///< ridge sd of each Fourier coefficient (centre 0)
  /// Ridge sd of the log-growth per season (per year for weekly data; per period when
  /// season_length = 1), centre 0: established retail items rarely grow or shrink faster than
  /// ~20% a year; without a trend, inflation-driven price drift would be read as elasticity.
  double trend_prior_sd_per_season = 0.2;
  /// Starting residual sd on the log scale for the ridge weights sigma^2 / prior_sd^2; the
  /// second pass replaces it by the residual sd of the first (an empirical-Bayes step).
  double initial_residual_sd = 0.3;
  /// Sign constraints where economics demands them: own-price elasticity <= 0 (the law of
  /// demand); feature, display and depth lifts >= 0 (retail promotions do not repel buyers:
  /// Blattberg, Briesch & Fox 1995, "How promotions work", Marketing Science 14(3)). The holiday
  /// effect is left free: some holidays close stores or empty them.
  bool constrain_elasticity = true;
  bool constrain_promo_lifts = true;
  /// Level smoothing range, the usual bounds of R's forecast::ets.
  double alpha_min = 1e-4;
  double alpha_max = 0.9999;
  /// Alpha search: an even grid of this many points, then golden-section refinement around the
  /// best one (40 iterations shrink the bracket by 0.618^40 ~ 4e-9, far below anything that
  /// changes a forecast).
  int32_t alpha_grid_points = 21;
  int32_t alpha_search_iterations = 40;
  /// Yearly Fourier harmonics K (FPP3 7.4 uses K up to m/2; 3 captures smooth yearly cycles),
  /// used only when the history spans at least min_seasons_for_season seasons.
  int32_t fourier_terms = 3;
  /// Two: with 1.5 seasons a yearly cycle and the trend are barely separable, and on the demo's
  /// product-store backtests the season cost accuracy (one week ahead: WAPE 0.373 and bias +8.4%
  /// with it from 1.5 seasons, 0.357 and +4.1% without; 13 weeks: 0.400 / +10.7% vs 0.385 /
  /// +7.9%). The ETS path waits for three seasons for the same reason (ForecastParams).
  double min_seasons_for_season = 2.0;
  /// Fewer observed periods than this: no fit, the "Mean-Regression" fallback (level = mean of
  /// the log series net of prior effects, alpha = 0, coefficients at their prior means).
  int32_t min_observations = 8;
  /// A regressor whose observed history has a standard deviation below this carries no
  /// information: its coefficient is fixed at the prior mean and flagged.
  double min_regressor_sd = 1e-6;
  /// Back-transform with the log-normal bias adjustment exp(mu + v/2) (FPP3 section 5.6), so the
  /// mean is a mean, not a median.
  bool bias_adjust = true;
  /// The adjustment by Duan's smearing estimate, log mean(exp(e_t)) of the one-step log errors of
  /// the history's second half (Duan 1983, JASA 78:605-610), instead of the normal v/2: log(units
  /// + 1) of counts is not normal, and v/2 overstated the mean on the demo's product-store
  /// backtests (bias +22% vs +18%; median alone +7.5%, see regression.cpp).
  bool smearing = true;
};

/// One series with its drivers over history and horizon.
struct RegressionInput {
  std::vector<double> values;  ///< units per period, oldest first, >= 0; NaN = missing
  RetailRegressors history;    ///< drivers of the history periods (fields empty or values.size())
  RetailRegressors future;     ///< drivers of the forecast periods (fields empty or horizon)
  int32_t season_length = 52;  ///< periods per year (52 weekly, 12 monthly); 1 = no season
  int32_t horizon = 1;         ///< periods to forecast, 1..10000
  std::vector<double> levels = {80.0, 95.0};  ///< interval coverage in percent, each in (0, 100)
};

/// Additive parts of a series of means; at every step the five parts sum to the mean.
/// Rule: baseline = f(level) with f(u) = max(0, exp(u + v/2) - c) the back-transform; the effect
/// parts are the Shapley values (Shapley 1953) of the four log-scale effects in the game
/// S -> f(level + sum of S's effects) - f(level). Shapley values add up exactly to
/// f(everything) - f(level), treat the effects symmetrically (no order), and give 0 to an
/// effect that is 0.
struct RegressionDecomposition {
  std::vector<double> baseline;   ///< level (and trend absorbed by the level)
  std::vector<double> seasonal;   ///< yearly Fourier cycle
  std::vector<double> price;      ///< own price through the elasticity
  std::vector<double> promotion;  ///< depth lift + feature + display
  std::vector<double> holiday;    ///< holiday effect
};

/// A forecast, its fitted model and the decomposition of history and horizon.
struct RegressionForecast {
  std::string model;          ///< "ETS-Regression", or "Mean-Regression" / "Constant" fallbacks
  std::string model_version;  ///< core_model_version()
  std::vector<double> mean;   ///< horizon values (units), >= 0
  std::vector<ForecastInterval> intervals;  ///< one per requested level, same order, >= 0
  std::vector<double> fitted;  ///< one-step fitted means of every history period (units)
  RegressionDecomposition forecast_parts;  ///< horizon entries; sums to mean
  RegressionDecomposition history_parts;   ///< history entries; sums to fitted
  /// The five drivers in the order of RegressionCoefficient::name's list.
  std::vector<RegressionCoefficient> coefficients;
  /// Posterior covariance of the five driver coefficients, 5 x 5 row-major in `coefficients`
  /// order (0 for drivers not estimated): elasticity and lift per depth are strongly correlated,
  /// so pooling estimates (e.g. over stores) needs the full matrix, not the standard errors.
  std::vector<double> driver_covariance;
  /// The same posterior before the sign constraints: the drivers' Gaussian posterior means and
  /// 5 x 5 covariance (a driver without variation keeps its prior mean and variance). The
  /// constraints truncate it; pooling (pool_price_response) multiplies untruncated evidence and
  /// applies the constraints once, at the end.
  std::vector<double> unconstrained_drivers;
  std::vector<double> unconstrained_driver_covariance;
  std::vector<double> season_coefficients;  ///< a_1, b_1, a_2, b_2, ... (empty without season)
  double trend_per_season = 0.0;   ///< b_T: log-growth per season (per period if no season)
  double alpha = 0.0;              ///< level smoothing weight
  double initial_level = 0.0;      ///< l_0 (log scale)
  double final_level = 0.0;        ///< level after the last observation (log scale)
  double sigma = 0.0;              ///< residual sd of one-step log errors
  double log_offset = 1.0;         ///< c of z = log(units + c)
  int32_t n_observations = 0;      ///< non-missing history periods
  int32_t fourier_terms = 0;       ///< K used (0 = no season)
  std::vector<std::string> notes;  ///< flags: fixed coefficients, disabled season, ...
  std::string fallback_reason;     ///< why a fallback model was used; empty if none
};

/// Index of a coefficient in RegressionForecast::coefficients.
enum class RetailDriver : int32_t {
  kPrice = 0,
  kPromoDepth = 1,
  kFeature = 2,
  kDisplay = 3,
  kHoliday = 4
};

/// Fits and forecasts. kInvalidArgument names the field for: horizon outside 1..10000, level
/// outside (0, 100), season_length < 1, negative or infinite values, a regressor field whose
/// length is wrong or that is used in one of history/future only ("future.price_ratio"), and a
/// non-finite or out-of-range regressor value. No observed value is kFailedPrecondition.
/// Fallbacks (model and fallback_reason say so): two or more observations that are all equal (all
/// zeros too) give "Constant" (that value, effects 0, intervals collapse onto it); fewer than
/// options.min_observations give "Mean-Regression". NaN never reaches the output.
Result<RegressionForecast> forecast_regression(const RegressionInput& input,
                                               const RegressionOptions& options = {});

/// The coefficient of one driver.
const RegressionCoefficient& coefficient(const RegressionForecast& forecast, RetailDriver driver);

// ---- partial pooling of price response over series and products ------------------------------
//
// One series (a product in one store) pins the elasticity down only to about +-0.2..0.5: regular
// prices change a few times a year and log(1 - depth) moves with depth; and a product whose
// promotions are mostly featured cannot split the lift between the discount and the leaflet.
// Retail practice pools: a product's stores share its response, and a category's products share
// a distribution of responses (hierarchical Bayes; Montgomery 1997, "Creating micro-marketing
// pricing strategies using supermarket scanner data", Marketing Science 16(4)).
// pool_price_response does both on the fitted posteriors, without refitting: each series'
// Gaussian posterior of (elasticity, lift per depth, feature, display) before the sign
// constraints, with its prior taken out, is its likelihood; a product's stores' likelihoods add
// up; the category's mean and spread of each coefficient are estimated by marginal maximum
// likelihood (EM over the products), and each product's posterior is its likelihood times that
// category distribution, truncated once by the sign constraints (elasticity <= 0, lifts >= 0).

/// Number of pooled coefficients: elasticity, lift per depth, feature, display.
inline constexpr int kPooledResponses = 4;

/// The posterior of one fitted series' price and promotion response, e.g. from
/// RegressionForecast::unconstrained_drivers (the first four) and the top-left 4 x 4 block of
/// unconstrained_driver_covariance. A coefficient the series had no variation for carries its
/// prior mean and variance, uncorrelated with the rest: it adds nothing.
struct PriceResponse {
  double elasticity = 0.0;
  double lift_per_depth = 0.0;
  double feature = 0.0;  ///< log multiplier of a feature (leaflet) week
  double display = 0.0;  ///< log multiplier of a display week
  /// Row-major 4 x 4 covariance of (elasticity, lift_per_depth, feature, display).
  std::array<double, 16> covariance{};
};

/// The response of a fit's unconstrained drivers (RegressionForecast::unconstrained_drivers and
/// unconstrained_driver_covariance, or ForecastResult's): the first four of the n drivers and
/// their n x n covariance's top-left block, symmetrized. kInvalidArgument when the sizes do not
/// match or n < 4.
Result<PriceResponse> price_response_of(const std::vector<double>& drivers,
                                        const std::vector<double>& covariance);

/// The series of one product (one per store), fitted with the same prior.
struct PriceResponseGroup {
  std::string name;  ///< e.g. the product code; echoed in errors
  std::vector<PriceResponse> series;
};

struct PoolingOptions {
  /// The prior every series was fitted with (RegressionOptions' defaults): taken out once per
  /// series so that pooling counts the data, not the prior, several times.
  double elasticity_prior_mean = -1.76;
  double elasticity_prior_sd = 1.0;
  double lift_prior_mean = 1.0;
  double lift_prior_sd = 1.0;
  double feature_prior_mean = 0.0;
  double feature_prior_sd = 0.5;
  double display_prior_mean = 0.0;
  double display_prior_sd = 0.5;
  /// Sign constraints applied to each pooled posterior (as the fit's): elasticity <= 0, and
  /// lift per depth, feature and display >= 0. A violated coefficient is put on its bound and
  /// the others take their Gaussian conditional means.
  bool constrain_elasticity = true;
  bool constrain_lifts = true;
  /// With fewer products carrying information than this, the category distribution is not
  /// estimated and the products keep the fitting prior (with their stores pooled).
  int32_t min_groups = 4;
  /// Floor of the category spread (sd) of each coefficient: keeps EM off the degenerate "all
  /// products alike" solution that a handful of products can reach.
  double min_spread_sd = 0.05;
  /// Weight, in products, of a scaled inverse-chi-square prior on each coefficient's category
  /// variance, centred on the fitting prior's (its sd above): the EM's spread becomes (the
  /// products' scatter + weight x prior sd^2) / (products + weight), its posterior mode. 0 is
  /// maximum likelihood, whose spread collapses to min_spread_sd along a direction the products'
  /// own fits cannot resolve (promotions without regular-price moves: elasticity against lift
  /// per depth), and the pooled standard errors then come out several times too small.
  double spread_prior_weight = 0.0;
  int32_t max_iterations = 500;
  double tolerance = 1e-10;  ///< on the change of the category mean and spread
};

struct PooledPriceResponse {
  std::string name;
  PriceResponse pooled;       ///< the product's posterior under the category distribution
  PriceResponse stores_only;  ///< its stores pooled under the fitting prior (counted once)
  double information = 0.0;   ///< precision of the stores' data on the elasticity (0 = none)
};

struct PriceResponsePooling {
  std::vector<PooledPriceResponse> groups;  ///< same order as the input
  bool category_estimated = false;  ///< false: too few informative products, fitting prior kept
  /// The category distribution: mean and sd of each coefficient (independent across products).
  double elasticity_mean = 0.0, lift_mean = 0.0, feature_mean = 0.0, display_mean = 0.0;
  double elasticity_sd = 0.0, lift_sd = 0.0, feature_sd = 0.0, display_sd = 0.0;
  int32_t iterations = 0;
};

/// kInvalidArgument (naming `groups[i].series[j]` and the field) for a non-finite value or a
/// covariance that is not symmetric positive definite, and for non-positive prior sds.
Result<PriceResponsePooling> pool_price_response(const std::vector<PriceResponseGroup>& groups,
                                                 const PoolingOptions& options = {});

}  // namespace shelfcast
