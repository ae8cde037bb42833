#pragma once
// Intermittent demand: the Syntetos-Boylan-Croston classifier, Croston's method with the SBA
// correction, TSB, and a negative-binomial count model on top of the smoothed rate whose per-step
// and lead-time quantiles are whole units (for safety stock).
//
// Input conventions (all functions here): values are demand per period, oldest first. NaN marks a
// missing period and is dropped before fitting (the periods around it become adjacent, so an
// inter-demand interval counts observed periods only). Infinity is kInvalidArgument. A negative
// value (net returns) is kInvalidArgument unless IntermittentParams::clamp_negative, which reads
// it as zero demand. No observed value at all is kInvalidArgument.

#include <cstdint>
#include <string_view>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/result.h"

namespace shelfcast {

// ---- classification -----------------------------------------------------------------------------

/// Demand pattern of a series in the Syntetos-Boylan-Croston (2005) scheme.
enum class DemandClass : uint8_t { kSmooth = 0, kErratic = 1, kIntermittent = 2, kLumpy = 3 };
/// "smooth", "erratic", "intermittent" or "lumpy".
std::string_view to_string(DemandClass demand_class);

/// Cut-offs of the classifier, from Syntetos, Boylan & Croston (2005), JORS 56(5), 495-503.
struct DemandClassParams {
  double adi_cutoff = 1.32;  ///< average inter-demand interval above which demand is intermittent
  double cv2_cutoff = 0.49;  ///< squared CV of non-zero sizes above which sizes are erratic
};

/// A series' class and the two statistics that decide it.
struct DemandClassification {
  DemandClass demand_class = DemandClass::kSmooth;  ///< the quadrant
  double adi = 0.0;            ///< observed periods / periods with demand (n when none)
  double cv2 = 0.0;            ///< squared coefficient of variation of non-zero sizes (n-1)
  int32_t n_observations = 0;  ///< non-missing periods
  int32_t n_demands = 0;       ///< periods with demand > 0
};

/// Classifies a series; a series without any demand is kIntermittent with n_demands = 0.
Result<DemandClassification> classify_demand(const std::vector<double>& values,
                                             const DemandClassParams& params = {});

// ---- Croston, SBA, TSB --------------------------------------------------------------------------

/// Croston (1972); Syntetos & Boylan (2005) bias-corrected Croston; Teunter, Syntetos & Babai
/// (2011) with a smoothed demand probability.
enum class IntermittentMethod : uint8_t { kCroston = 0, kSba = 1, kTsb = 2 };
/// "Croston", "SBA" or "TSB".
std::string_view to_string(IntermittentMethod method);

/// The method Syntetos, Boylan & Croston (2005) recommend for a class (Croston for smooth,
/// SBA for the other three).
IntermittentMethod recommended_method(DemandClass demand_class);

/// How the smoothed states start.
enum class IntermittentInit : uint8_t {
  /// State at the first demand: size = first size, interval = its 1-based position (TSB:
  /// probability = 1 / that position); recursions run over later periods. R forecast::croston.
  kFirstDemand = 0,
  /// Size = mean non-zero size, interval = mean inter-demand interval (TSB: probability = share
  /// of periods with demand); recursions run over all periods.
  kSampleMean = 1,
};

/// In-sample loss minimized when the smoothing constants are optimized.
enum class SmoothingLoss : uint8_t { kMse = 0, kMae = 1 };

/// How the NB size of one period's demand is estimated from the in-sample one-step forecasts.
enum class DispersionMethod : uint8_t {
  kMoments = 0,            ///< method of moments on e_t = y_t - m_t: mean-unbiased for 1/k
  kMaximumLikelihood = 1,  ///< NB likelihood of y_t given m_t, golden section on log k
};

/// Tunables of the intermittent models, each with its default and its source.
struct IntermittentParams {
  IntermittentMethod method = IntermittentMethod::kSba;  ///< SBC (2005) default outside smooth
  /// Our choice: the sample-mean start does not hinge on one early size (tsintermittent's "mean").
  IntermittentInit init = IntermittentInit::kSampleMean;
  /// Optimize the smoothing constants (grid, then golden section per constant) instead of using
  /// the fixed values below.
  bool optimize = true;
  /// Smoothing of non-zero sizes; 0.1 is Croston's (1972) and R forecast::croston's default.
  double alpha_size = 0.1;
  /// Smoothing of inter-demand intervals (Croston, SBA); SBA's factor is 1 - alpha_interval / 2.
  double alpha_interval = 0.1;
  /// Smoothing of the demand probability (TSB); the same 0.1 start as the other constants.
  double beta_probability = 0.1;
  /// Search range of optimized constants. Syntetos & Boylan (2005) study 0.05..0.2; our range is
  /// wider, and its upper end is our choice (above 0.5 the rate mostly follows noise).
  double alpha_min = 0.01;
  double alpha_max = 0.5;
  int32_t grid_points = 8;         ///< per-constant grid before refinement (8x8 for two constants)
  int32_t golden_iterations = 25;  ///< bracket shrinks by 0.618 each: 25 gives < 1e-5 of range
  int32_t refine_rounds = 2;       ///< coordinate-wise golden-section rounds after the grid
  /// MSE of the per-period rate; MAE favours zero forecasts on intermittent data (Kourentzes
  /// 2014, IJPE 156, which proposes rate-based costs instead).
  SmoothingLoss loss = SmoothingLoss::kMse;
  bool clamp_negative = false;  ///< read negative values (net returns) as 0 instead of an error
  /// Count model: moments by default. Coverage depends on the variance, i.e. on 1/k, which the
  /// moment estimator gets right on average; both estimators overstate k on short series
  /// (Piegorsch 1990, Biometrics 46), ML more so on hurdle-shaped (Bernoulli x size) demand.
  DispersionMethod dispersion = DispersionMethod::kMoments;
  int32_t dispersion_iterations = 40;     ///< golden-section steps on log k (bracket * 0.618^40)
  int32_t dispersion_max_periods = 5000;  ///< ML uses at most the latest this-many periods
  /// Count model: a dispersion estimate above this NB size is taken as Poisson (variance = mean).
  double max_nb_size = 1e6;
  /// Lower bound of the NB size: keeps a handful of huge spikes from giving a degenerate model.
  double min_nb_size = 0.02;
  /// Add the variance of the smoothed rate itself (estimated from the spread of the in-sample
  /// rate forecasts) to the lead-time variance; see IntermittentFit::rate_variance.
  bool rate_uncertainty = true;
};

/// A fitted intermittent model: the smoothed states, the flat rate forecast and the count model.
///
/// Count model. Given the rate m (demand per period), one period's demand is negative binomial
/// with mean m and size k (variance m + m^2 / k; nb_size = 0 means Poisson). k comes from the
/// method of moments on the in-sample one-step errors e_t = y_t - m_t (default):
///   1/k = (mean(e^2) - mean(m_t) - rate_variance) / mean(m_t^2)   (<= 0: Poisson),
/// or maximizes the NB likelihood of the y_t given the m_t.
/// Periods are independent given the rate, so without rate uncertainty the total over L periods
/// is exactly NB(mean L m, size L k). The rate is an estimate, and the same estimate serves every
/// period of the lead time, so its error adds L^2 * rate_variance to the variance of the total;
/// the total is then taken as the NB with that mean and variance (moment matching). This is the
/// approximation: the smoothed rate is treated as fixed-but-uncertain, not as a process that keeps
/// moving during the lead time. Probabilities are summed exactly term by term; only totals with a
/// standard deviation above ~25,000 units switch to a continuity-corrected normal.
struct IntermittentFit {
  IntermittentMethod method = IntermittentMethod::kSba;  ///< the recursion used
  double alpha_size = 0.0;                               ///< smoothing of sizes
  double alpha_interval = 0.0;     ///< smoothing of intervals (Croston, SBA; 0 for TSB)
  double beta_probability = 0.0;   ///< smoothing of the probability (TSB; 0 otherwise)
  double size_level = 0.0;         ///< smoothed non-zero size at the end of the sample
  double interval_level = 0.0;     ///< smoothed interval (Croston, SBA; 1/probability for TSB)
  double probability_level = 0.0;  ///< smoothed demand probability (TSB; 1/interval otherwise)
  double rate = 0.0;               ///< forecast demand per period (the flat point forecast)
  double nb_size = 0.0;            ///< NB size k of one period's demand given the rate; 0 = Poisson
  double rate_variance = 0.0;      ///< variance of the rate estimate (0 without rate_uncertainty)
  double loss = 0.0;               ///< in-sample loss at the chosen constants
  std::vector<double> fitted;      ///< one-step rate forecast per observed period; NaN before any
  int32_t n_observations = 0;      ///< periods used (missing ones dropped)
  int32_t n_demands = 0;           ///< periods with demand > 0
};

/// Fits Croston / SBA / TSB and the count model; see the input conventions at the top.
Result<IntermittentFit> fit_intermittent(const std::vector<double>& values,
                                         const IntermittentParams& params = {});

/// P(total demand over `lead_periods` periods <= q) under the fitted count model; q < 0 gives 0.
Result<double> lead_time_cdf(const IntermittentFit& fit, int32_t lead_periods, double q);

/// Smallest whole q with P(total demand over `lead_periods` periods <= q) >= probability, for
/// probability in (0, 1).
Result<double> lead_time_quantile(const IntermittentFit& fit, int32_t lead_periods,
                                  double probability);

/// Per-period forecast of an intermittent series with whole-unit intervals.
struct IntermittentForecast {
  std::string model;                    ///< "Croston", "SBA" or "TSB"
  IntermittentFit fit;                  ///< the fitted model behind the numbers
  DemandClassification classification;  ///< the series' SBC class
  std::vector<double> mean;             ///< horizon values (the flat rate)
  /// Central intervals per requested level: the (1 -+ level) / 2 quantiles of one period's demand
  /// (non-negative whole units; the same for every step, as the model's forecast is flat).
  std::vector<ForecastInterval> intervals;
};

/// Fits and forecasts `horizon` periods with intervals at `levels` (percent, each in (0, 100)).
Result<IntermittentForecast> forecast_intermittent(const std::vector<double>& values,
                                                   int32_t horizon,
                                                   const std::vector<double>& levels = {80.0, 95.0},
                                                   const IntermittentParams& params = {});

}  // namespace shelfcast
