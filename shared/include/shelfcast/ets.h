#pragma once
// The exponential smoothing state-space family ETS(error, trend, season) of Hyndman, Koehler, Ord
// & Snyder, "Forecasting with Exponential Smoothing" (Springer, 2008), fitted by maximum likelihood
// and selected by AICc as R's forecast::ets does by default (opt.crit = "lik", bounds = "both",
// ic = "aicc", restrict = TRUE, no multiplicative trend).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/result.h"

namespace shelfcast {

/// How the error enters: additive (A) or multiplicative (M, relative errors).
enum class EtsErrorType : uint8_t { kAdditive = 0, kMultiplicative = 1 };
/// Trend: none (N), additive (A) or additive damped by phi (Ad).
enum class EtsTrendType : uint8_t { kNone = 0, kAdditive = 1, kDamped = 2 };
/// Seasonality: none (N), additive (A) or multiplicative (M).
enum class EtsSeasonType : uint8_t { kNone = 0, kAdditive = 1, kMultiplicative = 2 };

/// One member of the family, e.g. ETS(M,Ad,M).
struct EtsSpec {
  EtsErrorType error = EtsErrorType::kAdditive;
  EtsTrendType trend = EtsTrendType::kNone;
  EtsSeasonType season = EtsSeasonType::kNone;
};

/// "ETS(M,Ad,M)".
std::string to_string(const EtsSpec& spec);
/// Parses "MAdM", "ANN" or "ETS(M,Ad,M)"; kInvalidArgument otherwise.
Result<EtsSpec> parse_ets_spec(std::string_view text);
/// True when two specs name the same model.
bool same_spec(const EtsSpec& a, const EtsSpec& b);
/// The models R's ets(restrict = TRUE) may fit: excludes A-error with M-season (unstable).
bool ets_spec_allowed(const EtsSpec& spec);

/// Which damping choices automatic selection tries (R's `damped = NULL` tries both).
enum class EtsDamping : uint8_t { kBoth = 0, kDampedOnly = 1, kUndampedOnly = 2 };

/// Tunables of fitting, selection and intervals, each with its default and its source.
struct EtsOptions {
  /// "Usual" parameter bounds of R's forecast::ets (lower/upper arguments): alpha, beta (also
  /// <= alpha), gamma (also <= 1 - alpha), phi.
  double alpha_min = 1e-4;
  double alpha_max = 0.9999;
  double beta_min = 1e-4;
  double beta_max = 0.9999;
  double gamma_min = 1e-4;
  double gamma_max = 0.9999;
  double phi_min = 0.8;
  double phi_max = 0.98;
  /// Also require the admissible (forecastable) region, R's bounds = "both"; Hyndman et al.
  /// (2008) ch. 10 and R's admissible(): characteristic-polynomial roots inside the unit circle.
  bool admissible = true;
  /// Tolerance on the largest characteristic root, as R's admissible(): |root| <= 1 + 1e-10.
  double admissible_root_tolerance = 1e-10;
  /// Nelder-Mead budget per model, R's ets(maxit = 2000).
  int32_t max_iterations = 2000;
  /// Nelder-Mead relative convergence tolerance, R's optim reltol = sqrt(machine eps).
  double relative_tolerance = 1.490116119384765625e-8;
  /// Extra restarts of Nelder-Mead from its best point (R does none). A restart frees simplices
  /// that collapse early (WWWusage ETS(A,Ad,N): log-likelihood -352.6 with one, -355.0 without;
  /// R -352.9) but higher likelihoods did not forecast better on M3 monthly (sMAPE 14.45 with
  /// one restart, 14.25 without; R 14.14), so the default follows R.
  int32_t restarts = 0;
  /// Also descend from a second start with smoothing values alt_* (R uses only its initparam()
  /// start). It finds higher likelihoods on some series (AirPassengers ETS(M,Ad,M): -679.3 vs
  /// -683.6; R -679.6) but roughly doubles the time and did not help M3 monthly sMAPE (14.34
  /// with it, 14.25 without, both measured with restarts = 0), so it is off by default.
  bool second_start = false;
  double alt_alpha = 0.5;
  double alt_beta = 0.01;
  double alt_gamma = 0.001;
  double alt_phi = 0.95;
  /// Information criterion used by automatic selection is AICc (R's ic = "aicc"); these limit
  /// the candidate set: damping choices and whether multiplicative error/season are tried.
  EtsDamping damping = EtsDamping::kBoth;
  bool allow_multiplicative = true;
  /// R ignores seasonality above frequency 24 ("I can't handle data with frequency > 24").
  int32_t max_season_length = 24;
  /// Sample paths for intervals of models without an analytic variance (R's forecast.ets
  /// simulate = TRUE uses npaths = 5000), and the seed of those paths.
  int32_t simulation_paths = 5000;
  uint64_t simulation_seed = 20080101;
};

/// A fitted model: parameters, initial states, fit statistics and in-sample quantities.
struct EtsFit {
  EtsSpec spec;
  int32_t season_length = 1;  ///< m used by the seasonal states (1 when non-seasonal)
  double alpha = 0.0;         ///< level smoothing
  double beta = 0.0;          ///< trend smoothing (0 without trend), R's beta (<= alpha)
  double gamma = 0.0;         ///< season smoothing (0 without season)
  double phi = 1.0;           ///< damping (1 unless damped)
  /// Initial state as R orders it: level, trend (if any), then m seasonal states, the most recent
  /// season first (the last one is the one applied to the first observation).
  std::vector<double> initial_state;
  /// State after the last observation, same layout; the forecasts start here.
  std::vector<double> final_state;
  int32_t n_observations = 0;   ///< non-missing observations in the likelihood
  int32_t n_parameters = 0;     ///< as R: optimized parameters + free initial states + sigma
  double log_likelihood = 0.0;  ///< R's loglik = -0.5 * (n log SSE + 2 sum log|mu| for M)
  double aic = 0.0;
  double aicc = 0.0;  ///< +inf when n <= parameters + 1
  double bic = 0.0;
  double sigma2 = 0.0;         ///< residual variance sum(e^2) / (n - parameters)
  double mse = 0.0;            ///< in-sample mean squared one-step error (data units)
  std::vector<double> fitted;  ///< one-step forecasts, same length as the input
  /// Innovations e_t: y - mu for additive, (y - mu) / mu for multiplicative error (as R's
  /// residuals(type = "innovation")); 0 where the observation is missing.
  std::vector<double> residuals;
  std::vector<double> level;   ///< level after each observation
  std::vector<double> trend;   ///< trend after each observation (empty without trend)
  std::vector<double> season;  ///< seasonal component of each observation (empty without)
  std::string note;            ///< why a fallback happened (constant series); empty if none
};

/// Forecasts with intervals and a decomposition mean = level_trend + seasonal at every step.
struct EtsForecast {
  std::string model;                        ///< "ETS(M,Ad,M)"
  std::vector<double> mean;                 ///< point forecasts (R's forecast.ets $mean)
  std::vector<ForecastInterval> intervals;  ///< one per requested level, same order
  std::vector<double> level_trend;          ///< forecast of the level/trend part alone
  std::vector<double> seasonal;             ///< mean - level_trend (multiplicative: a difference)
  bool simulated = false;                   ///< intervals from sample paths, not a formula
};

/// Fits one model by maximum likelihood. Errors: season_length < 1 or no observations
/// (kInvalidArgument); a multiplicative model on non-positive data, a disallowed combination or
/// too few observations for its parameters (kFailedPrecondition). Missing values (NaN) inside the
/// series are skipped by the state recursion; leading/trailing ones are ignored.
Result<EtsFit> ets_fit(const std::vector<double>& values, int32_t season_length,
                       const EtsSpec& spec, const EtsOptions& options = {});

/// Fits every allowed model and returns the one with the lowest AICc (R's ets(y) defaults):
/// seasonal models only when 1 < season_length <= max_season_length and there are more
/// observations than season_length; multiplicative ones only for strictly positive data.
/// Documented fallbacks (named in EtsFit::note, criteria +inf): a constant series gives
/// ETS(A,N,N) with alpha at its upper bound and zero variance; 6 or fewer observations give
/// ETS(A,N,N) from the first value with alpha minimizing the SSE (R hands these to HoltWinters).
Result<EtsFit> ets_auto(const std::vector<double>& values, int32_t season_length,
                        const EtsOptions& options = {});

/// Point forecasts and intervals at `levels_percent` (each in (0, 100)) for `horizon` >= 1
/// steps: analytic variances for additive-error and multiplicative-error non-seasonal models
/// (Hyndman et al. 2008, ch. 6, classes 1 and 2), seeded simulation otherwise.
Result<EtsForecast> ets_forecast(const EtsFit& fit, int32_t horizon,
                                 const std::vector<double>& levels_percent,
                                 const EtsOptions& options = {});

/// Draws one sample path of length `length` from a model with the given parameters and initial
/// state (layout of EtsFit::initial_state) and innovation s.d. `sigma`; for known-truth tests.
Result<std::vector<double>> ets_simulate(const EtsFit& model, int32_t length, double sigma,
                                         uint64_t seed);

}  // namespace shelfcast
