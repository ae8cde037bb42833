// Benchmark forecasters (naive, seasonal naive) and simple exponential smoothing, with the
// analytic prediction intervals of Hyndman & Athanasopoulos, "Forecasting: Principles and
// Practice" (3rd ed.), section 5.5 (benchmarks) and Hyndman et al. (2008), table 6.1 (ETS(A,N,N)).

#include <algorithm>
#include <cmath>
#include <limits>

#include "detail/format.h"
#include "detail/normal.h"
#include "shelfcast/forecast.h"

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
  const double golden = (std::sqrt(5.0) - 1.0) / 2.0;
  double lo = params.ses_alpha_min, hi = params.ses_alpha_max;
  double x1 = hi - golden * (hi - lo), x2 = lo + golden * (hi - lo);
  double f1 = ses_sse(y, x1, nullptr), f2 = ses_sse(y, x2, nullptr);
  for (int i = 0; i < params.ses_search_iterations; ++i) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - golden * (hi - lo);
      f1 = ses_sse(y, x1, nullptr);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + golden * (hi - lo);
      f2 = ses_sse(y, x2, nullptr);
    }
  }
  Fit fit;
  fit.model = "SES";
  fit.alpha = 0.5 * (lo + hi);
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

double one_step_mse_from(const std::vector<double>& y, const std::vector<double>& fitted,
                         size_t from) {
  std::vector<double> errors;
  for (size_t t = from; t < y.size(); ++t) {
    if (!std::isnan(fitted[t])) errors.push_back(y[t] - fitted[t]);
  }
  return mean_of_squares(errors);
}

std::string describe_model(const Fit& fit) {
  if (fit.model == "SES") return "simple exponential smoothing";
  if (fit.model == "SNaive") return "seasonal naive";
  return "naive";
}

std::string make_summary(const std::vector<double>& y, const Fit& fit, const ForecastInput& input,
                         const std::vector<ForecastInterval>& intervals,
                         const ForecastParams& params) {
  double total = 0.0;
  for (double v : fit.mean) total += v;
  const double per_period = total / static_cast<double>(fit.mean.size());
  const size_t recent_n = std::min(y.size(), static_cast<size_t>(input.horizon));
  double recent = 0.0;
  for (size_t t = y.size() - recent_n; t < y.size(); ++t) recent += y[t];
  recent /= static_cast<double>(recent_n);
  std::string sentence = "The " + describe_model(fit) + " model expects " +
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
  }
  return "auto";
}

Result<ForecastMethod> parse_forecast_method(std::string_view text) {
  for (ForecastMethod m : {ForecastMethod::kAuto, ForecastMethod::kNaive,
                           ForecastMethod::kSeasonalNaive, ForecastMethod::kSes}) {
    if (text == to_string(m)) return m;
  }
  return invalid_argument("expected auto, naive, snaive or ses, got \"" + std::string(text) + "\"",
                          "method");
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
  std::string fallback;
  ForecastMethod method = input.method;
  if (method == ForecastMethod::kSeasonalNaive && (m < 2 || n < static_cast<size_t>(m) + 1)) {
    fallback =
        "seasonal naive needs more than one season of data; used simple exponential "
        "smoothing";
    method = ForecastMethod::kSes;
  }
  if (method == ForecastMethod::kSes && n < 3) {
    fallback = "too few observations for smoothing; used the naive forecast";
    method = ForecastMethod::kNaive;
  }

  Fit fit;
  switch (method) {
    case ForecastMethod::kNaive:
      fit = fit_seasonal_naive(y, 1, input.horizon);
      if (n < 2)
        fallback += fallback.empty() ? "one observation: no error estimate, intervals "
                                       "collapse to the point"
                                     : "; one observation: intervals collapse";
      break;
    case ForecastMethod::kSeasonalNaive:
      fit = fit_seasonal_naive(y, m, input.horizon);
      break;
    case ForecastMethod::kSes:
      fit = fit_ses(y, input.horizon, params);
      break;
    case ForecastMethod::kAuto: {
      if (n < 3) {
        fit = fit_seasonal_naive(y, 1, input.horizon);
      } else if (m >= 2 && n >= 2 * static_cast<size_t>(m)) {
        // Both candidates scored on the same one-step errors, those after the first season.
        Fit ses = fit_ses(y, input.horizon, params);
        Fit snaive = fit_seasonal_naive(y, m, input.horizon);
        const auto from = static_cast<size_t>(m);
        fit = one_step_mse_from(y, snaive.fitted, from) < one_step_mse_from(y, ses.fitted, from)
                  ? std::move(snaive)
                  : std::move(ses);
      } else {
        fit = fit_ses(y, input.horizon, params);
      }
      break;
    }
  }

  ForecastResult result;
  result.model = fit.model;
  result.model_version = core_model_version();
  result.alpha = fit.alpha;
  result.sigma = fit.sigma;
  result.fallback_reason = fallback;
  result.fitted = fit.fitted;
  result.mean = fit.mean;
  if (input.non_negative) {
    for (double& v : result.mean) v = std::max(0.0, v);
  }
  for (double level : input.levels) {
    ForecastInterval interval;
    interval.level = level;
    const double z = detail::normal_quantile(0.5 + level / 200.0);
    for (size_t h = 0; h < result.mean.size(); ++h) {
      double lo = fit.mean[h] - z * fit.step_sd[h];
      double hi = fit.mean[h] + z * fit.step_sd[h];
      if (input.non_negative) {
        lo = std::max(0.0, lo);
        hi = std::max(hi, result.mean[h]);
      }
      interval.lower.push_back(lo);
      interval.upper.push_back(hi);
    }
    result.intervals.push_back(std::move(interval));
  }
  if (input.total_horizon > 0) {
    const auto k = static_cast<size_t>(input.total_horizon);
    double raw_total = 0.0;
    for (size_t h = 0; h < k; ++h) {
      raw_total += fit.mean[h];
      result.total_mean += result.mean[h];
    }
    const double sd = total_sd(fit, input.total_horizon);
    result.total_horizon = input.total_horizon;
    for (double level : input.levels) {
      const double z = detail::normal_quantile(0.5 + level / 200.0);
      double lo = raw_total - z * sd, hi = raw_total + z * sd;
      if (input.non_negative) {
        lo = std::max(0.0, lo);
        hi = std::max(hi, result.total_mean);
      }
      result.total_intervals.push_back(ForecastInterval{level, {lo}, {hi}});
    }
  }
  result.summary = make_summary(y, fit, input, result.intervals, params);
  return result;
}

}  // namespace shelfcast
