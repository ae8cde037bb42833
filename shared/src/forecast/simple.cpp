// Benchmark forecasters (naive, seasonal naive) and simple exponential smoothing, with the
// analytic prediction intervals of Hyndman & Athanasopoulos, "Forecasting: Principles and
// Practice" (3rd ed.), section 5.5 (benchmarks) and Hyndman et al. (2008), table 6.1 (ETS(A,N,N)).

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "detail/format.h"
#include "detail/golden.h"
#include "detail/normal.h"
#include "forecast/ets_internal.h"
#include "shelfcast/baseline.h"
#include "shelfcast/ets.h"
#include "shelfcast/forecast.h"
#include "shelfcast/intermittent.h"
#include "shelfcast/regression.h"

namespace shelfcast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int32_t kMaxHorizon = 10000;

struct Fit {
  std::string model;
  int32_t season = 0;  // error structure: 0 = SES, else a random walk per season of this length
  double alpha = 0.0;
  double sigma = 0.0;
  std::vector<double> mean;
  std::vector<double> step_sd;  // standard deviation of the h-step forecast error
  std::vector<double> fitted;
};

double mean_of_squares(const std::vector<double>& errors) {
  double sum = 0.0;
  size_t n = 0;
  for (double e : errors) {
    if (std::isnan(e)) continue;
    sum += e * e;
    ++n;
  }
  return n == 0 ? 0.0 : sum / static_cast<double>(n);
}

// Sum of squared one-step errors of SES with weight alpha and initial level y[0].
double ses_sse(const std::vector<double>& y, double alpha, std::vector<double>* fitted) {
  double level = y[0];
  double sse = 0.0;
  if (fitted) fitted->assign(y.size(), kNaN);
  for (size_t t = 1; t < y.size(); ++t) {
    if (fitted) (*fitted)[t] = level;
    const double error = y[t] - level;
    sse += error * error;
    level += alpha * error;
  }
  return sse;
}

Fit fit_ses(const std::vector<double>& y, int32_t horizon, const ForecastParams& params) {
  // Golden-section search of the SSE over alpha; SSE is smooth and, for the series we meet,
  // unimodal on the admissible interval.
  Fit fit;
  fit.model = "SES";
  fit.alpha = detail::golden_section_min([&](double a) { return ses_sse(y, a, nullptr); },
                                         params.ses_alpha_min, params.ses_alpha_max,
                                         params.ses_search_iterations);
  const double sse = ses_sse(y, fit.alpha, &fit.fitted);
  double level = y[0];
  for (size_t t = 1; t < y.size(); ++t) level += fit.alpha * (y[t] - level);
  // Two parameters (alpha, initial level) are estimated from n-1 errors.
  const double dof = std::max(1.0, static_cast<double>(y.size()) - 2.0);
  fit.sigma = std::sqrt(sse / dof);
  fit.mean.assign(static_cast<size_t>(horizon), level);
  for (int32_t h = 1; h <= horizon; ++h) {
    const double var_factor = 1.0 + (h - 1) * fit.alpha * fit.alpha;
    fit.step_sd.push_back(fit.sigma * std::sqrt(var_factor));
  }
  return fit;
}

Fit fit_seasonal_naive(const std::vector<double>& y, int32_t m, int32_t horizon) {
  Fit fit;
  fit.model = m > 1 ? "SNaive" : "Naive";
  fit.season = m;
  const size_t n = y.size();
  const auto season = static_cast<size_t>(m);
  fit.fitted.assign(n, kNaN);
  std::vector<double> errors;
  for (size_t t = season; t < n; ++t) {
    fit.fitted[t] = y[t - season];
    errors.push_back(y[t] - y[t - season]);
  }
  fit.sigma = std::sqrt(mean_of_squares(errors));
  for (int32_t h = 1; h <= horizon; ++h) {
    const auto back = season - static_cast<size_t>((h - 1) % m);
    fit.mean.push_back(y[n - back]);
    // Seasonal naive: k = floor((h-1)/m) complete seasons ahead; naive (m = 1): k = h-1.
    const double k = std::floor(static_cast<double>(h - 1) / m);
    fit.step_sd.push_back(fit.sigma * std::sqrt(k + 1.0));
  }
  return fit;
}

// Standard deviation of the error of the SUM of the first k forecasts. Each step error is a linear
// combination of the future one-step innovations e_{n+1..n+k} (iid, sd sigma):
//   SES:    e_{n+h} = e'_{n+h} + alpha * sum_{j<h} e'_{n+j}  -> weight of e'_j in the sum:
//           1 + alpha (k - j)
//   naive / seasonal naive (random walk per season of length m):
//           e_{n+h} = sum_{i>=0, h-im>=1} e'_{n+h-im}        -> weight: floor((k - j) / m) + 1
double total_sd(const Fit& fit, int32_t k) {
  double var = 0.0;
  for (int32_t j = 1; j <= k; ++j) {
    const double w = fit.season == 0 ? 1.0 + fit.alpha * (k - j)
                                     : std::floor(static_cast<double>(k - j) / fit.season) + 1.0;
    var += w * w;
  }
  return fit.sigma * std::sqrt(var);
}

std::string plural(const std::string& noun, double count) {
  return count == 1.0 ? noun : noun + "s";
}

std::string describe_model(const std::string& model) {
  if (model == "SES") return "simple exponential smoothing";
  if (model == "SNaive") return "seasonal naive";
  if (model == "Naive") return "naive";
  if (model == "Drift") return "random walk with drift";
  if (model == "Croston" || model == "SBA" || model == "TSB") {
    return "intermittent-demand (" + model + ")";
  }
  if (model == "ETS-Regression")
    return "retail regression (smoothed level with price, promotion "
           "and holiday effects)";
  if (model.rfind("ETS", 0) == 0) return "exponential smoothing " + model;
  return model;
}

std::string make_summary(const std::vector<double>& y, const std::string& model,
                         const std::vector<double>& mean, const ForecastInput& input,
                         const std::vector<ForecastInterval>& intervals,
                         const ForecastParams& params) {
  double total = 0.0;
  for (double v : mean) total += v;
  const double per_period = total / static_cast<double>(mean.size());
  const size_t recent_n = std::min(y.size(), static_cast<size_t>(input.horizon));
  double recent = 0.0;
  for (size_t t = y.size() - recent_n; t < y.size(); ++t) recent += y[t];
  recent /= static_cast<double>(recent_n);
  std::string sentence = "The " + describe_model(model) + " model expects " +
                         detail::format_count(total) + " units over the next " +
                         std::to_string(input.horizon) + " " +
                         plural(input.period_name, input.horizon) + " (about " +
                         detail::format_count(per_period) + " per " + input.period_name;
  if (!intervals.empty()) {
    const ForecastInterval& first = intervals.front();
    sentence += "; " + detail::format_count(first.level) + "% interval for the first " +
                input.period_name + " " + detail::format_count(first.lower[0]) + " to " +
                detail::format_count(first.upper[0]);
  }
  sentence += ")";
  const std::string recent_span =
      std::to_string(recent_n) + " " + plural(input.period_name, static_cast<double>(recent_n));
  if (recent > 0.0) {
    const double change = per_period / recent - 1.0;
    if (std::fabs(change) < params.summary_flat_band) {
      sentence += ", level with the last " + recent_span + ".";
    } else {
      sentence += ", " + detail::format_percent(std::fabs(change), false) +
                  (change > 0 ? " above" : " below") + " the average of the last " + recent_span +
                  ".";
    }
  } else {
    sentence += ".";
  }
  return sentence;
}

// What every model hands to the common finishing step: raw (unclamped) means, intervals and
// parts that add up to the means.
struct Outcome {
  std::string model;
  double alpha = 0.0;
  double sigma = 0.0;
  std::vector<double> mean;
  std::vector<ForecastInterval> intervals;
  std::vector<ForecastComponent> components;
  std::vector<double> fitted;
  std::string note;
  // Interval of the total of the first k steps per level (lower, upper), when the model knows it.
  std::vector<std::pair<double, double>> total_bounds;
  bool has_total = false;
  std::vector<RegressionCoefficient> drivers;  // the regression's fitted effects
  std::vector<double> driver_covariance;       // and their posterior covariance
  std::vector<double> unconstrained_drivers;   // the posterior before the sign constraints
  std::vector<double> unconstrained_driver_covariance;
  Fit simple_fit;  // set for the simple models, whose total variance has a closed form
};

std::vector<ForecastInterval> gaussian_intervals(const std::vector<double>& mean,
                                                 const std::vector<double>& sd,
                                                 const std::vector<double>& levels) {
  std::vector<ForecastInterval> out;
  for (double level : levels) {
    ForecastInterval iv;
    iv.level = level;
    const double z = detail::normal_quantile(0.5 + level / 200.0);
    for (size_t h = 0; h < mean.size(); ++h) {
      iv.lower.push_back(mean[h] - z * sd[h]);
      iv.upper.push_back(mean[h] + z * sd[h]);
    }
    out.push_back(std::move(iv));
  }
  return out;
}

Outcome from_fit(const Fit& fit, const std::vector<double>& levels) {
  Outcome o;
  o.model = fit.model;
  o.alpha = fit.alpha;
  o.sigma = fit.sigma;
  o.mean = fit.mean;
  o.fitted = fit.fitted;
  o.intervals = gaussian_intervals(fit.mean, fit.step_sd, levels);
  o.components.push_back({fit.model == "SNaive" ? "seasonal_naive" : "level", fit.mean});
  o.simple_fit = fit;
  return o;
}

Outcome from_drift(const DriftForecast& d) {
  Outcome o;
  o.model = "Drift";
  o.sigma = d.sigma;
  o.mean = d.mean;
  o.fitted = d.fitted;
  o.intervals = d.intervals;
  o.components.push_back({"level_trend", d.mean});
  return o;
}

Outcome from_intermittent(const IntermittentForecast& f, int32_t total_horizon,
                          const std::vector<double>& levels) {
  Outcome o;
  o.model = f.model;
  o.mean = f.mean;
  o.intervals = f.intervals;
  o.fitted = f.fit.fitted;
  o.components.push_back({"demand_rate", f.mean});
  if (total_horizon > 0) {
    // Exact negative-binomial quantiles of the total demand over the first k periods.
    o.has_total = true;
    for (double level : levels) {
      Result<double> lo = lead_time_quantile(f.fit, total_horizon, 0.5 - level / 200.0);
      Result<double> hi = lead_time_quantile(f.fit, total_horizon, 0.5 + level / 200.0);
      o.total_bounds.emplace_back(lo.is_ok() ? *lo : 0.0, hi.is_ok() ? *hi : 0.0);
    }
  }
  return o;
}

Result<Outcome> ets_outcome(const std::vector<double>& y, int32_t m, const ForecastInput& input,
                            const ForecastParams& params) {
  EtsOptions options;
  const bool long_season =
      m > options.max_season_length &&
      y.size() >= static_cast<size_t>(m) * static_cast<size_t>(params.min_seasons_for_indices);
  std::vector<double> index;
  std::vector<double> adjusted = y;
  if (long_season) {
    // Classical additive seasonal indices (FPP3 ch. 3.4), the same decomposition ETS starts from.
    index = detail::classical_seasonal(y, m, /*mult=*/false);
    index.resize(static_cast<size_t>(m));  // one value per season position
    for (size_t t = 0; t < y.size(); ++t) adjusted[t] = y[t] - index[t % static_cast<size_t>(m)];
  }
  SHELFCAST_ASSIGN_OR_RETURN(EtsFit fit, ets_auto(adjusted, long_season ? 1 : m, options));
  SHELFCAST_ASSIGN_OR_RETURN(EtsForecast f,
                             ets_forecast(fit, input.horizon, input.levels, options));
  Outcome o;
  o.model = f.model + (long_season ? "+SeasonalIndex(" + std::to_string(m) + ")" : "");
  o.alpha = fit.alpha;
  o.sigma = std::sqrt(std::max(0.0, fit.sigma2));
  o.mean = f.mean;
  o.intervals = f.intervals;
  o.fitted = fit.fitted;
  o.note = fit.note;
  std::vector<double> seasonal = f.seasonal;
  if (long_season) {
    for (size_t h = 0; h < o.mean.size(); ++h) {
      const double s = index[(y.size() + h) % static_cast<size_t>(m)];
      o.mean[h] += s;
      seasonal[h] += s;
      for (ForecastInterval& iv : o.intervals) {
        iv.lower[h] += s;
        iv.upper[h] += s;
      }
    }
    for (size_t t = 0; t < o.fitted.size(); ++t) {
      o.fitted[t] += index[t % static_cast<size_t>(m)];
    }
  }
  o.components.push_back({"level_trend", f.level_trend});
  o.components.push_back({"seasonal", seasonal});
  return o;
}

// The retail regression with the input's drivers; its parts become the components.
Result<Outcome> regression_outcome(const ForecastInput& input) {
  RegressionInput in;
  in.values = input.values;
  in.history = input.history_drivers;
  in.future = input.future_drivers;
  in.season_length = input.season_length;
  in.horizon = input.horizon;
  in.levels = input.levels;
  SHELFCAST_ASSIGN_OR_RETURN(RegressionForecast r, forecast_regression(in));
  Outcome o;
  o.model = r.model;
  o.alpha = r.alpha;
  o.sigma = r.sigma;
  o.mean = r.mean;
  o.intervals = r.intervals;
  o.fitted = r.fitted;
  o.note = r.fallback_reason;
  const RegressionDecomposition& p = r.forecast_parts;
  o.components = {{"level_trend", p.baseline},
                  {"seasonal", p.seasonal},
                  {"price", p.price},
                  {"promotion", p.promotion},
                  {"holiday", p.holiday}};
  o.drivers = r.coefficients;
  o.driver_covariance = r.driver_covariance;
  o.unconstrained_drivers = r.unconstrained_drivers;
  o.unconstrained_driver_covariance = r.unconstrained_driver_covariance;
  return o;
}

ForecastResult finish(const std::vector<double>& y, Outcome out, const ForecastInput& input,
                      const ForecastParams& params, const std::string& fallback,
                      const std::string& demand_class) {
  ForecastResult result;
  result.model = out.model;
  result.model_version = core_model_version();
  result.alpha = out.alpha;
  result.sigma = out.sigma;
  result.fallback_reason = fallback;
  result.demand_class = demand_class;
  result.fitted = out.fitted;
  result.mean = out.mean;
  result.components = out.components;
  result.drivers = out.drivers;
  result.driver_covariance = out.driver_covariance;
  result.unconstrained_drivers = out.unconstrained_drivers;
  result.unconstrained_driver_covariance = out.unconstrained_driver_covariance;
  if (input.non_negative) {
    ForecastComponent floor{"floor_at_zero", std::vector<double>(result.mean.size(), 0.0)};
    bool floored = false;
    for (size_t h = 0; h < result.mean.size(); ++h) {
      if (result.mean[h] < 0.0) {
        floor.values[h] = -result.mean[h];
        result.mean[h] = 0.0;
        floored = true;
      }
    }
    if (floored) result.components.push_back(std::move(floor));
  }
  for (ForecastInterval iv : out.intervals) {
    for (size_t h = 0; h < result.mean.size(); ++h) {
      if (!std::isfinite(iv.lower[h])) iv.lower[h] = result.mean[h];
      if (!std::isfinite(iv.upper[h])) iv.upper[h] = result.mean[h];
      if (input.non_negative) {
        iv.lower[h] = std::max(0.0, iv.lower[h]);
        iv.upper[h] = std::max(iv.upper[h], result.mean[h]);
      }
      iv.lower[h] = std::min(iv.lower[h], result.mean[h]);
    }
    result.intervals.push_back(std::move(iv));
  }
  if (input.total_horizon > 0) {
    const auto k = static_cast<size_t>(input.total_horizon);
    double raw_total = 0.0;
    for (size_t h = 0; h < k; ++h) {
      raw_total += out.mean[h];
      result.total_mean += result.mean[h];
    }
    result.total_horizon = input.total_horizon;
    for (size_t l = 0; l < input.levels.size(); ++l) {
      double lo = 0.0, hi = 0.0;
      if (out.has_total) {
        lo = out.total_bounds[l].first;
        hi = out.total_bounds[l].second;
      } else if (out.simple_fit.model.empty()) {
        // ETS and drift: half-widths of the steps added, exact for perfectly correlated step
        // errors and otherwise wider than the true interval of the total (conservative).
        for (size_t h = 0; h < k; ++h) {
          lo += out.intervals[l].lower[h];
          hi += out.intervals[l].upper[h];
        }
      } else {
        const double z = detail::normal_quantile(0.5 + input.levels[l] / 200.0);
        const double sd = total_sd(out.simple_fit, input.total_horizon);
        lo = raw_total - z * sd;
        hi = raw_total + z * sd;
      }
      if (input.non_negative) {
        lo = std::max(0.0, lo);
        hi = std::max(hi, result.total_mean);
      }
      lo = std::min(lo, result.total_mean);
      result.total_intervals.push_back(ForecastInterval{input.levels[l], {lo}, {hi}});
    }
  }
  result.summary = make_summary(y, result.model, result.mean, input, result.intervals, params);
  return result;
}

}  // namespace

std::string_view to_string(ForecastMethod method) {
  switch (method) {
    case ForecastMethod::kAuto:
      return "auto";
    case ForecastMethod::kNaive:
      return "naive";
    case ForecastMethod::kSeasonalNaive:
      return "snaive";
    case ForecastMethod::kSes:
      return "ses";
    case ForecastMethod::kEts:
      return "ets";
    case ForecastMethod::kDrift:
      return "drift";
    case ForecastMethod::kCroston:
      return "croston";
    case ForecastMethod::kSba:
      return "sba";
    case ForecastMethod::kTsb:
      return "tsb";
    case ForecastMethod::kRegression:
      return "regression";
  }
  return "auto";
}

Result<ForecastMethod> parse_forecast_method(std::string_view text) {
  for (ForecastMethod m :
       {ForecastMethod::kAuto, ForecastMethod::kNaive, ForecastMethod::kSeasonalNaive,
        ForecastMethod::kSes, ForecastMethod::kEts, ForecastMethod::kDrift,
        ForecastMethod::kCroston, ForecastMethod::kSba, ForecastMethod::kTsb,
        ForecastMethod::kRegression}) {
    if (text == to_string(m)) return m;
  }
  return invalid_argument(
      "expected auto, naive, snaive, ses, ets, drift, croston, sba, tsb or regression, got \"" +
          std::string(text) + "\"",
      "method");
}

bool has_informative_drivers(const ForecastInput& input) {
  const auto fields = [](const RetailRegressors& r) {
    return std::array<const std::vector<double>*, 5>{&r.price_ratio, &r.promo_depth, &r.feature,
                                                     &r.display, &r.holiday};
  };
  const auto history = fields(input.history_drivers);
  const auto future = fields(input.future_drivers);
  for (size_t k = 0; k < history.size(); ++k) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const std::vector<double>* v : {history[k], future[k]}) {
      for (double x : *v) {
        if (std::isnan(x)) continue;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
    }
    if (hi > lo) return true;
  }
  return false;
}

std::string core_model_version() { return std::string("shelfcast-core ") + SHELFCAST_VERSION; }

Result<ForecastResult> forecast(const ForecastInput& input, const ForecastParams& params) {
  if (input.horizon < 1 || input.horizon > kMaxHorizon) {
    return invalid_argument("expected a horizon from 1 to " + std::to_string(kMaxHorizon) +
                                ", got " + std::to_string(input.horizon),
                            "horizon");
  }
  if (input.season_length < 1) {
    return invalid_argument(
        "expected a season length >= 1, got " + std::to_string(input.season_length),
        "season_length");
  }
  for (double level : input.levels) {
    if (!(level > 0.0 && level < 100.0)) {
      return invalid_argument(
          "expected interval levels in (0, 100), got " + detail::format_count(level), "levels");
    }
  }
  for (double v : input.values) {
    if (std::isinf(v)) return invalid_argument("expected finite values, got infinity", "values");
  }
  if (input.total_horizon < 0 || input.total_horizon > input.horizon) {
    return invalid_argument("expected a total horizon from 0 to the horizon (" +
                                std::to_string(input.horizon) + "), got " +
                                std::to_string(input.total_horizon),
                            "total_horizon");
  }
  const bool name_ok = !input.period_name.empty() && input.period_name.size() <= 20 &&
                       std::all_of(input.period_name.begin(), input.period_name.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || c == ' '; });
  if (!name_ok) {
    return invalid_argument("expected a lower-case period name of at most 20 letters, got \"" +
                                input.period_name + "\"",
                            "period_name");
  }
  // Missing values: leading ones are dropped, later ones carry the last observation forward.
  std::vector<double> y;
  y.reserve(input.values.size());
  for (double v : input.values) {
    if (std::isnan(v)) {
      if (!y.empty()) y.push_back(y.back());
    } else {
      y.push_back(v);
    }
  }
  if (y.empty()) return invalid_argument("expected at least one observed value", "values");

  const int32_t m = input.season_length;
  const size_t n = y.size();
  Outcome out;
  std::string fallback;
  ForecastMethod method = input.method;
  std::string demand_class;

  if (method == ForecastMethod::kAuto) {
    bool non_negative_data = true;
    for (double v : y) non_negative_data = non_negative_data && v >= 0.0;
    Result<DemandClassification> cls = classify_demand(y);
    if (cls.is_ok()) demand_class = std::string(to_string(cls->demand_class));
    const bool sparse = cls.is_ok() && (cls->demand_class == DemandClass::kIntermittent ||
                                        cls->demand_class == DemandClass::kLumpy);
    if (n < 3)
      method = ForecastMethod::kNaive;
    else if (non_negative_data && sparse)
      method = ForecastMethod::kSba;
    else if (non_negative_data && n >= static_cast<size_t>(RegressionOptions{}.min_observations) &&
             has_informative_drivers(input))
      method = ForecastMethod::kRegression;
    else
      method = ForecastMethod::kEts;
  }
  if (method == ForecastMethod::kSeasonalNaive && (m < 2 || n < static_cast<size_t>(m) + 1)) {
    fallback =
        "seasonal naive needs more than one season of data; used simple exponential "
        "smoothing";
    method = ForecastMethod::kSes;
  }
  if ((method == ForecastMethod::kSes || method == ForecastMethod::kEts ||
       method == ForecastMethod::kDrift) &&
      n < 3) {
    fallback = "too few observations for a fitted model; used the naive forecast";
    method = ForecastMethod::kNaive;
  }

  switch (method) {
    case ForecastMethod::kNaive:
      out = from_fit(fit_seasonal_naive(y, 1, input.horizon), input.levels);
      if (n < 2) {
        fallback += fallback.empty() ? "one observation: no error estimate, intervals collapse to "
                                       "the point"
                                     : "; one observation: intervals collapse";
      }
      break;
    case ForecastMethod::kSeasonalNaive:
      out = from_fit(fit_seasonal_naive(y, m, input.horizon), input.levels);
      break;
    case ForecastMethod::kSes:
      out = from_fit(fit_ses(y, input.horizon, params), input.levels);
      break;
    case ForecastMethod::kDrift: {
      Result<DriftForecast> d = forecast_drift(y, input.horizon, input.levels);
      if (!d.is_ok()) {
        fallback = "drift: " + d.status().message() + "; used simple exponential smoothing";
        out = from_fit(fit_ses(y, input.horizon, params), input.levels);
      } else {
        out = from_drift(*d);
      }
      break;
    }
    case ForecastMethod::kCroston:
    case ForecastMethod::kSba:
    case ForecastMethod::kTsb: {
      IntermittentParams ip;
      ip.method = method == ForecastMethod::kCroston ? IntermittentMethod::kCroston
                  : method == ForecastMethod::kTsb   ? IntermittentMethod::kTsb
                                                     : IntermittentMethod::kSba;
      ip.clamp_negative = true;
      Result<IntermittentForecast> f = forecast_intermittent(y, input.horizon, input.levels, ip);
      if (!f.is_ok()) {
        fallback =
            "intermittent model: " + f.status().message() + "; used simple exponential smoothing";
        out = from_fit(fit_ses(y, input.horizon, params), input.levels);
      } else {
        out = from_intermittent(*f, input.total_horizon, input.levels);
      }
      break;
    }
    case ForecastMethod::kRegression: {
      Result<Outcome> r = regression_outcome(input);
      if (!r.is_ok()) {
        // Bad drivers are the caller's error, not a reason to quietly drop them.
        if (r.status().code() == ErrorCode::kInvalidArgument) return r.status();
        fallback =
            "retail regression: " + r.status().message() + "; used simple exponential smoothing";
        out = from_fit(fit_ses(y, input.horizon, params), input.levels);
      } else {
        out = std::move(r).value();
        if (!out.note.empty()) fallback = out.note;
      }
      break;
    }
    case ForecastMethod::kEts:
    case ForecastMethod::kAuto: {
      Result<Outcome> e = ets_outcome(y, m, input, params);
      if (!e.is_ok()) {
        fallback = "exponential smoothing family: " + e.status().message() +
                   "; used simple exponential smoothing";
        out = from_fit(fit_ses(y, input.horizon, params), input.levels);
      } else {
        out = std::move(e).value();
        if (!out.note.empty()) fallback = out.note;
      }
      break;
    }
  }
  return finish(y, std::move(out), input, params, fallback, demand_class);
}

}  // namespace shelfcast
