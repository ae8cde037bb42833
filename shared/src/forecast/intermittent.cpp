// Croston (1972), SBA (Syntetos & Boylan 2005), TSB (Teunter, Syntetos & Babai 2011), the
// Syntetos-Boylan-Croston (2005) classifier, and the negative-binomial count model described in
// shelfcast/intermittent.h.

#include "shelfcast/intermittent.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "detail/format.h"
#include "detail/golden.h"
#include "detail/normal.h"
#include "detail/rng.h"

namespace shelfcast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int32_t kMaxHorizon = 10000;
constexpr int32_t kMaxLeadPeriods = 100000;
// A lead-time total whose variance exceeds its mean by less than this share of the mean is
// Poisson: the NB size would be above 1e9 * mean, indistinguishable in double precision.
constexpr double kPoissonRelativeExcess = 1e-9;
// The count distributions are summed from max(0, mean - kTailSd * sd) to mean + kTailSd * sd
// (+ kTailSlack): the mass outside is far below double resolution for NB and Poisson.
constexpr double kTailSd = 40.0;
constexpr double kTailSlack = 100.0;
// Above this many pmf terms (a total whose sd exceeds ~25,000 units, far beyond intermittent
// demand) the walk would be slow; such totals use the normal approximation with continuity
// correction instead, whose error is then below one unit in a million.
constexpr double kMaxWalkTerms = 2e6;

// Drops NaN, checks the rest; the cleaned series is what every model sees.
Status clean_values(const std::vector<double>& values, bool clamp_negative,
                    std::vector<double>* y) {
  y->clear();
  y->reserve(values.size());
  for (double v : values) {
    if (std::isnan(v)) continue;
    if (std::isinf(v)) return invalid_argument("expected finite values, got infinity", "values");
    if (v < 0.0) {
      if (!clamp_negative) {
        return invalid_argument("expected non-negative demand, got " + detail::format_count(v),
                                "values");
      }
      v = 0.0;
    }
    y->push_back(v);
  }
  if (y->empty()) return invalid_argument("expected at least one observed value", "values");
  return Status::ok();
}

DemandClassification classify_clean(const std::vector<double>& y, const DemandClassParams& params) {
  DemandClassification out;
  out.n_observations = static_cast<int32_t>(y.size());
  double sum = 0.0;
  for (double v : y) {
    if (v > 0.0) {
      ++out.n_demands;
      sum += v;
    }
  }
  if (out.n_demands == 0) {
    out.adi = static_cast<double>(y.size());
    out.demand_class = DemandClass::kIntermittent;
    return out;
  }
  const double n_demands = out.n_demands;
  out.adi = static_cast<double>(y.size()) / n_demands;
  const double mean = sum / n_demands;
  if (out.n_demands >= 2) {
    double ss = 0.0;
    for (double v : y) {
      if (v > 0.0) ss += (v - mean) * (v - mean);
    }
    out.cv2 = ss / (n_demands - 1.0) / (mean * mean);
  }
  const bool intermittent = out.adi > params.adi_cutoff;
  const bool erratic = out.cv2 > params.cv2_cutoff;
  out.demand_class = intermittent ? (erratic ? DemandClass::kLumpy : DemandClass::kIntermittent)
                                  : (erratic ? DemandClass::kErratic : DemandClass::kSmooth);
  return out;
}

// ---- the recursions -----------------------------------------------------------------------------

struct State {
  double size = 0.0;
  double interval = 0.0;     // Croston / SBA
  double probability = 0.0;  // TSB
};

struct SmoothingRun {
  State state;
  double rate = 0.0;
  double loss = 0.0;
};

double rate_of(IntermittentMethod method, const State& s, double alpha_interval) {
  switch (method) {
    case IntermittentMethod::kCroston:
      return s.size / s.interval;
    case IntermittentMethod::kSba:
      return (1.0 - 0.5 * alpha_interval) * s.size / s.interval;
    case IntermittentMethod::kTsb:
      return s.probability * s.size;
  }
  return 0.0;
}

// Runs the recursion with constants (a, b): a smooths sizes, b intervals (Croston, SBA) or the
// probability (TSB). Requires at least one demand in y. Fills `fitted` (one-step rate forecasts,
// NaN before the state exists) when given.
SmoothingRun run_smoothing(const std::vector<double>& y, const IntermittentParams& params, double a,
                           double b, std::vector<double>* fitted) {
  const IntermittentMethod method = params.method;
  const bool tsb = method == IntermittentMethod::kTsb;
  const size_t n = y.size();
  size_t first = 0;
  while (y[first] <= 0.0) ++first;
  State s;
  size_t start = 0;  // first period the recursion processes
  if (params.init == IntermittentInit::kFirstDemand) {
    s.size = y[first];
    s.interval = static_cast<double>(first + 1);
    s.probability = 1.0 / s.interval;
    start = first + 1;
  } else {
    double sum = 0.0, count = 0.0;
    size_t last = 0;
    for (size_t t = 0; t < n; ++t) {
      if (y[t] > 0.0) {
        sum += y[t];
        count += 1.0;
        last = t;
      }
    }
    s.size = sum / count;
    s.interval = static_cast<double>(last + 1) / count;  // mean of diff(c(0, positions))
    s.probability = count / static_cast<double>(n);
    start = 0;
  }
  if (fitted) fitted->assign(n, kNaN);
  const double b_interval = tsb ? 0.0 : b;
  double loss_sum = 0.0;
  size_t loss_count = 0;
  // Periods since the previous demand; before the first one, counted from the series start.
  size_t since = 0;
  for (size_t t = start; t < n; ++t) {
    ++since;
    const double forecast = rate_of(method, s, b_interval);
    if (fitted) (*fitted)[t] = forecast;
    const double error = y[t] - forecast;
    loss_sum += params.loss == SmoothingLoss::kMae ? std::fabs(error) : error * error;
    ++loss_count;
    if (tsb) {
      if (y[t] > 0.0) {
        s.probability += b * (1.0 - s.probability);
        s.size += a * (y[t] - s.size);
      } else {
        s.probability -= b * s.probability;
      }
    } else if (y[t] > 0.0) {
      s.size += a * (y[t] - s.size);
      s.interval += b * (static_cast<double>(since) - s.interval);
      since = 0;
    }
  }
  SmoothingRun out;
  out.state = s;
  out.rate = rate_of(method, s, b_interval);
  out.loss = loss_count == 0 ? 0.0 : loss_sum / static_cast<double>(loss_count);
  return out;
}

double loss_at(const std::vector<double>& y, const IntermittentParams& params, double a, double b) {
  return run_smoothing(y, params, a, b, nullptr).loss;
}

// Golden-section search of loss over one constant in [lo, hi], the other held; returns the best
// point found (never worse than `start`, whose loss is `start_loss`).
double golden_section(const std::vector<double>& y, const IntermittentParams& params, bool first,
                      double other, double lo, double hi, double start, double* best_loss) {
  auto eval = [&](double x) {
    return first ? loss_at(y, params, x, other) : loss_at(y, params, other, x);
  };
  const double mid = detail::golden_section_min(eval, lo, hi, params.golden_iterations);
  const double f_mid = eval(mid);
  if (f_mid < *best_loss) {
    *best_loss = f_mid;
    return mid;
  }
  return start;
}

// NB log-likelihood of y given per-period means m (NaN or zero means are skipped), up to terms
// free of the size k; uses the last params.dispersion_max_periods periods.
double nb_log_likelihood(const std::vector<double>& y, const std::vector<double>& m, double k,
                         size_t from) {
  double ll = 0.0;
  const double log_k = detail::log_portable(k);
  for (size_t t = from; t < y.size(); ++t) {
    const double mean = m[t];
    if (!(mean > 0.0)) continue;
    const double v = y[t];
    // log Gamma(v + k) - log Gamma(k): a short product for small whole counts.
    double lg = 0.0;
    if (v == std::floor(v) && v < 64.0) {
      for (double j = 0.0; j < v; j += 1.0) lg += detail::log_portable(k + j);
    } else {
      lg = detail::log_gamma(v + k) - detail::log_gamma(k);
    }
    const double log_km = detail::log_portable(k + mean);
    ll += lg + k * (log_k - log_km) + (v > 0.0 ? v * (detail::log_portable(mean) - log_km) : 0.0);
  }
  return ll;
}

// Maximum-likelihood NB size by golden section on log k; 0 (Poisson) when the optimum is at
// max_nb_size.
double ml_nb_size(const std::vector<double>& y, const std::vector<double>& m,
                  const IntermittentParams& params) {
  const auto max_periods = static_cast<size_t>(params.dispersion_max_periods);
  const size_t from = y.size() > max_periods ? y.size() - max_periods : 0;
  const double upper = detail::log_portable(params.max_nb_size);
  const detail::GoldenBracket b = detail::golden_section_bracket(
      [&](double log_k) { return -nb_log_likelihood(y, m, detail::exp_portable(log_k), from); },
      detail::log_portable(params.min_nb_size), upper, params.dispersion_iterations);
  const double log_k = b.mid();
  // Within one final bracket of the upper bound: the data are not over-dispersed.
  if (upper - log_k < 2.0 * (b.hi - b.lo) + 1e-9) return 0.0;
  return std::max(params.min_nb_size, detail::exp_portable(log_k));
}

Status validate_params(const IntermittentParams& p) {
  auto in_unit = [](double v) { return v > 0.0 && v <= 1.0; };
  if (!in_unit(p.alpha_size))
    return invalid_argument("expected alpha_size in (0, 1]", "alpha_size");
  if (!in_unit(p.alpha_interval)) {
    return invalid_argument("expected alpha_interval in (0, 1]", "alpha_interval");
  }
  if (!in_unit(p.beta_probability)) {
    return invalid_argument("expected beta_probability in (0, 1]", "beta_probability");
  }
  if (!(in_unit(p.alpha_min) && in_unit(p.alpha_max) && p.alpha_min <= p.alpha_max)) {
    return invalid_argument("expected 0 < alpha_min <= alpha_max <= 1", "alpha_min");
  }
  if (p.grid_points < 1 || p.golden_iterations < 0 || p.refine_rounds < 0) {
    return invalid_argument("expected grid_points >= 1 and non-negative iteration counts",
                            "grid_points");
  }
  if (p.dispersion_iterations < 1 || p.dispersion_max_periods < 2) {
    return invalid_argument("expected dispersion_iterations >= 1 and dispersion_max_periods >= 2",
                            "dispersion_iterations");
  }
  if (!(p.min_nb_size > 0.0 && p.max_nb_size > p.min_nb_size && std::isfinite(p.max_nb_size))) {
    return invalid_argument("expected 0 < min_nb_size <= max_nb_size < inf", "min_nb_size");
  }
  return Status::ok();
}

// ---- count distributions ------------------------------------------------------------------------

// Negative binomial with the given mean and size (variance mean + mean^2 / size), or Poisson when
// size == 0.
struct CountDist {
  double mean = 0.0;
  double size = 0.0;
};

CountDist lead_time_dist(const IntermittentFit& fit, int32_t lead_periods) {
  const double l = lead_periods;
  CountDist d;
  d.mean = l * fit.rate;
  if (!(d.mean > 0.0)) return d;
  const double per_period_var =
      fit.rate + (fit.nb_size > 0.0 ? fit.rate * fit.rate / fit.nb_size : 0.0);
  if (fit.rate_variance <= 0.0) {
    d.size = fit.nb_size > 0.0 ? l * fit.nb_size : 0.0;  // exact: sum of iid NB(k) is NB(L k)
    return d;
  }
  const double var = l * per_period_var + l * l * fit.rate_variance;
  const double excess = var - d.mean;
  d.size = excess > kPoissonRelativeExcess * d.mean ? d.mean * d.mean / excess : 0.0;
  return d;
}

double dist_sd(const CountDist& d) {
  return std::sqrt(d.mean + (d.size > 0.0 ? d.mean * d.mean / d.size : 0.0));
}

// log P(X = j) for whole j >= 0.
double log_pmf(const CountDist& d, double j) {
  if (d.size > 0.0) {
    const double r = d.mean / (d.size + d.mean);
    return detail::log_gamma(j + d.size) - detail::log_gamma(d.size) - detail::log_gamma(j + 1.0) +
           d.size * detail::log_portable(1.0 - r) + (j > 0.0 ? j * detail::log_portable(r) : 0.0);
  }
  return -d.mean + (j > 0.0 ? j * detail::log_portable(d.mean) : 0.0) - detail::log_gamma(j + 1.0);
}

// Walks the pmf upward from the start of the support's relevant range. Calls visit(j, cdf) after
// adding P(X = j) until visit returns true or the upper tail bound is passed; returns the last j.
template <typename Visit>
double walk_cdf(const CountDist& d, Visit visit) {
  const double sd = dist_sd(d);
  const double lo = std::max(0.0, std::floor(d.mean - kTailSd * sd));
  const double hi = std::ceil(d.mean + kTailSd * sd + kTailSlack);
  double lp = log_pmf(d, lo);
  const double log_r = d.size > 0.0 ? detail::log_portable(d.mean / (d.size + d.mean))
                                    : detail::log_portable(d.mean);
  double cdf = 0.0;
  double j = lo;
  for (;; j += 1.0) {
    cdf += detail::exp_portable(lp);
    if (visit(j, std::min(cdf, 1.0)) || j >= hi) break;
    // P(j+1) / P(j) = (j + size) / (j + 1) * r for NB, mean / (j + 1) for Poisson.
    lp += log_r - detail::log_portable(j + 1.0);
    if (d.size > 0.0) lp += detail::log_portable(j + d.size);
  }
  return j;
}

bool walk_too_long(const CountDist& d) { return 2.0 * kTailSd * dist_sd(d) > kMaxWalkTerms; }

double dist_cdf(const CountDist& d, double q) {
  if (q < 0.0) return 0.0;
  if (!(d.mean > 0.0)) return 1.0;
  const double target = std::floor(q);
  if (walk_too_long(d)) return detail::normal_cdf((target + 0.5 - d.mean) / dist_sd(d));
  double result = 1.0;  // beyond the upper tail bound
  walk_cdf(d, [&](double j, double cdf) {
    if (j >= target) {
      result = cdf;
      return true;
    }
    return false;
  });
  const double sd = dist_sd(d);
  if (target < std::floor(d.mean - kTailSd * sd)) return 0.0;
  return result;
}

double dist_quantile(const CountDist& d, double probability) {
  if (!(d.mean > 0.0)) return 0.0;
  if (walk_too_long(d)) {
    const double z = detail::normal_quantile(probability);
    return std::max(0.0, std::ceil(d.mean + z * dist_sd(d) - 0.5));
  }
  return walk_cdf(d, [&](double, double cdf) { return cdf >= probability; });
}

Status check_lead(const IntermittentFit& fit, int32_t lead_periods) {
  if (lead_periods < 1 || lead_periods > kMaxLeadPeriods) {
    return invalid_argument("expected lead periods from 1 to " + std::to_string(kMaxLeadPeriods),
                            "lead_periods");
  }
  if (!(std::isfinite(fit.rate) && fit.rate >= 0.0 && std::isfinite(fit.nb_size) &&
        fit.nb_size >= 0.0 && std::isfinite(fit.rate_variance) && fit.rate_variance >= 0.0)) {
    return invalid_argument("expected a fitted model with finite, non-negative rate and dispersion",
                            "fit");
  }
  return Status::ok();
}

}  // namespace

std::string_view to_string(DemandClass demand_class) {
  switch (demand_class) {
    case DemandClass::kSmooth:
      return "smooth";
    case DemandClass::kErratic:
      return "erratic";
    case DemandClass::kIntermittent:
      return "intermittent";
    case DemandClass::kLumpy:
      return "lumpy";
  }
  return "unknown";
}

std::string_view to_string(IntermittentMethod method) {
  switch (method) {
    case IntermittentMethod::kCroston:
      return "Croston";
    case IntermittentMethod::kSba:
      return "SBA";
    case IntermittentMethod::kTsb:
      return "TSB";
  }
  return "unknown";
}

IntermittentMethod recommended_method(DemandClass demand_class) {
  return demand_class == DemandClass::kSmooth ? IntermittentMethod::kCroston
                                              : IntermittentMethod::kSba;
}

Result<DemandClassification> classify_demand(const std::vector<double>& values,
                                             const DemandClassParams& params) {
  if (!(params.adi_cutoff > 0.0 && params.cv2_cutoff >= 0.0)) {
    return invalid_argument("expected adi_cutoff > 0 and cv2_cutoff >= 0", "adi_cutoff");
  }
  std::vector<double> y;
  SHELFCAST_RETURN_IF_ERROR(clean_values(values, false, &y));
  return classify_clean(y, params);
}

Result<IntermittentFit> fit_intermittent(const std::vector<double>& values,
                                         const IntermittentParams& params) {
  SHELFCAST_RETURN_IF_ERROR(validate_params(params));
  std::vector<double> y;
  SHELFCAST_RETURN_IF_ERROR(clean_values(values, params.clamp_negative, &y));
  const bool tsb = params.method == IntermittentMethod::kTsb;

  IntermittentFit fit;
  fit.method = params.method;
  fit.n_observations = static_cast<int32_t>(y.size());
  for (double v : y) fit.n_demands += v > 0.0 ? 1 : 0;
  if (fit.n_demands == 0) {
    // No demand seen: a zero rate, and a count model that puts all mass on zero.
    fit.alpha_size = params.alpha_size;
    fit.alpha_interval = tsb ? 0.0 : params.alpha_interval;
    fit.beta_probability = tsb ? params.beta_probability : 0.0;
    fit.interval_level = static_cast<double>(y.size());
    fit.fitted.assign(y.size(), 0.0);
    return fit;
  }

  double a = params.alpha_size;
  double b = tsb ? params.beta_probability : params.alpha_interval;
  if (params.optimize) {
    const int32_t g = params.grid_points;
    const double step = g > 1 ? (params.alpha_max - params.alpha_min) / (g - 1) : 0.0;
    double best = std::numeric_limits<double>::infinity();
    for (int32_t i = 0; i < g; ++i) {
      for (int32_t j = 0; j < g; ++j) {
        const double ai = g > 1 ? params.alpha_min + step * i : params.alpha_min;
        const double bj = g > 1 ? params.alpha_min + step * j : params.alpha_min;
        const double f = loss_at(y, params, ai, bj);
        if (f < best) {
          best = f;
          a = ai;
          b = bj;
        }
      }
    }
    // Refine each constant in turn within one grid step of the best grid point.
    const double half = g > 1 ? step : params.alpha_max - params.alpha_min;
    for (int32_t round = 0; round < params.refine_rounds; ++round) {
      a = golden_section(y, params, true, b, std::max(params.alpha_min, a - half),
                         std::min(params.alpha_max, a + half), a, &best);
      b = golden_section(y, params, false, a, std::max(params.alpha_min, b - half),
                         std::min(params.alpha_max, b + half), b, &best);
    }
  }

  const SmoothingRun run = run_smoothing(y, params, a, b, &fit.fitted);
  fit.alpha_size = a;
  fit.alpha_interval = tsb ? 0.0 : b;
  fit.beta_probability = tsb ? b : 0.0;
  fit.size_level = run.state.size;
  if (tsb) {
    fit.probability_level = run.state.probability;
    fit.interval_level = run.state.probability > 0.0 ? 1.0 / run.state.probability : 0.0;
  } else {
    fit.interval_level = run.state.interval;
    fit.probability_level = 1.0 / run.state.interval;  // interval >= 1 by construction
  }
  fit.rate = std::max(0.0, run.rate);
  fit.loss = run.loss;

  // Rate uncertainty: spread of the one-step rate forecasts over the second half of the sample
  // (the first half lets the state forget its start). For a stationary series this is the
  // sampling variance of the smoothed rate; a moving rate makes it larger (wider intervals).
  std::vector<double> rates;
  for (size_t t = y.size() / 2; t < y.size(); ++t) {
    if (!std::isnan(fit.fitted[t])) rates.push_back(fit.fitted[t]);
  }
  if (params.rate_uncertainty && rates.size() >= 2) {
    double sum = 0.0;
    for (double r : rates) sum += r;
    const double mean = sum / static_cast<double>(rates.size());
    double ss = 0.0;
    for (double r : rates) ss += (r - mean) * (r - mean);
    fit.rate_variance = ss / static_cast<double>(rates.size() - 1);
  }
  if (params.rate_uncertainty && y.size() >= 2) {
    // Floor: no estimate of a stationary rate beats the full-sample mean, whose variance is
    // var(y) / n; a tiny optimized alpha would otherwise claim more precision than the data hold.
    double sum = 0.0;
    for (double v : y) sum += v;
    const double n = static_cast<double>(y.size());
    const double mean = sum / n;
    double ss = 0.0;
    for (double v : y) ss += (v - mean) * (v - mean);
    fit.rate_variance = std::max(fit.rate_variance, ss / (n - 1.0) / n);
  }

  // Dispersion of one period's demand given the rate (see the header).
  double e2 = 0.0, m1 = 0.0, m2 = 0.0, count = 0.0;
  for (size_t t = 0; t < y.size(); ++t) {
    const double m = fit.fitted[t];
    if (std::isnan(m)) continue;
    e2 += (y[t] - m) * (y[t] - m);
    m1 += m;
    m2 += m * m;
    count += 1.0;
  }
  if (count < 2.0 || !(m2 > 0.0)) {
    // Too few errors to estimate: the most dispersed model allowed keeps the intervals honest.
    fit.nb_size = params.min_nb_size;
    return fit;
  }
  const double inv_size = (e2 / count - m1 / count - fit.rate_variance) / (m2 / count);
  if (params.dispersion == DispersionMethod::kMoments) {
    if (inv_size > 1.0 / params.max_nb_size) {
      fit.nb_size = std::max(params.min_nb_size, 1.0 / inv_size);
    }
    return fit;
  }
  fit.nb_size = ml_nb_size(y, fit.fitted, params);
  return fit;
}

Result<double> lead_time_cdf(const IntermittentFit& fit, int32_t lead_periods, double q) {
  SHELFCAST_RETURN_IF_ERROR(check_lead(fit, lead_periods));
  if (std::isnan(q)) return invalid_argument("expected a number, got NaN", "q");
  return dist_cdf(lead_time_dist(fit, lead_periods), q);
}

Result<double> lead_time_quantile(const IntermittentFit& fit, int32_t lead_periods,
                                  double probability) {
  SHELFCAST_RETURN_IF_ERROR(check_lead(fit, lead_periods));
  if (!(probability > 0.0 && probability < 1.0)) {
    return invalid_argument("expected a probability in (0, 1)", "probability");
  }
  return dist_quantile(lead_time_dist(fit, lead_periods), probability);
}

Result<IntermittentForecast> forecast_intermittent(const std::vector<double>& values,
                                                   int32_t horizon,
                                                   const std::vector<double>& levels,
                                                   const IntermittentParams& params) {
  if (horizon < 1 || horizon > kMaxHorizon) {
    return invalid_argument("expected a horizon from 1 to " + std::to_string(kMaxHorizon),
                            "horizon");
  }
  for (double level : levels) {
    if (!(level > 0.0 && level < 100.0)) {
      return invalid_argument("expected interval levels in (0, 100)", "levels");
    }
  }
  IntermittentForecast out;
  SHELFCAST_ASSIGN_OR_RETURN(out.fit, fit_intermittent(values, params));
  std::vector<double> y;
  SHELFCAST_RETURN_IF_ERROR(clean_values(values, params.clamp_negative, &y));
  out.classification = classify_clean(y, DemandClassParams());
  out.model = std::string(to_string(params.method));
  const auto h = static_cast<size_t>(horizon);
  out.mean.assign(h, out.fit.rate);
  const CountDist one = lead_time_dist(out.fit, 1);
  for (double level : levels) {
    ForecastInterval interval;
    interval.level = level;
    const double tail = (1.0 - level / 100.0) / 2.0;
    interval.lower.assign(h, dist_quantile(one, tail));
    interval.upper.assign(h, dist_quantile(one, 1.0 - tail));
    out.intervals.push_back(std::move(interval));
  }
  return out;
}

}  // namespace shelfcast
