// ETS point forecasts, prediction intervals and simulation. Analytic variances follow Hyndman et
// al. (2008) ch. 6 as implemented in R's forecast:::class1 (additive error, linear: the h-step
// variance is sigma^2 (1 + sum_{j<h} c_j^2), c_j = w' F^(j-1) g) and class2 (multiplicative error,
// no season); every other model uses seeded sample paths and empirical quantiles (R type 7).

#include <algorithm>
#include <cmath>
#include <vector>

#include "detail/normal.h"
#include "detail/rng.h"
#include "forecast/ets_internal.h"
#include "shelfcast/ets.h"

namespace shelfcast {
namespace {

using detail::EtsParams;
using detail::EtsShape;
using detail::EtsState;

constexpr int32_t kMaxHorizon = 10000;
constexpr int32_t kMaxPaths = 1000000;

EtsParams params_of(const EtsFit& fit) {
  EtsParams p;
  p.alpha = fit.alpha;
  p.beta = fit.beta;
  p.gamma = fit.gamma;
  p.phi = fit.spec.trend == EtsTrendType::kDamped ? fit.phi : 1.0;
  return p;
}

Status check_fit(const EtsFit& fit, const EtsShape& shape) {
  const size_t want =
      1 + (shape.has_trend ? 1u : 0u) + (shape.has_season ? static_cast<size_t>(shape.m) : 0u);
  if (fit.season_length < 1 || (shape.has_season && fit.season_length < 2)) {
    return invalid_argument("fit.season_length is invalid", "season_length");
  }
  if (fit.final_state.size() != want || fit.initial_state.size() != want) {
    return invalid_argument("the fit's state vectors do not match its model", "final_state");
  }
  for (double v : fit.final_state) {
    if (!std::isfinite(v)) return invalid_argument("the fit's state is not finite", "final_state");
  }
  if (!(fit.alpha > 0.0) || !std::isfinite(fit.sigma2) || fit.sigma2 < 0.0) {
    return invalid_argument("the fit's parameters are invalid", "alpha");
  }
  return Status::ok();
}

// c_j = w' F^(j-1) g for j = 1 .. h-1 in R's state layout (l, b, s_0 .. s_{m-1}).
std::vector<double> class1_weights(const EtsShape& shape, const EtsParams& p, int32_t h) {
  const size_t off = shape.has_trend ? 2 : 1;
  const size_t m = shape.has_season ? static_cast<size_t>(shape.m) : 0;
  std::vector<double> v(off + m, 0.0), next(off + m, 0.0);
  v[0] = p.alpha;
  if (shape.has_trend) v[1] = p.beta;
  if (shape.has_season) v[off] = p.gamma;
  std::vector<double> c;
  for (int32_t j = 1; j < h; ++j) {
    double w = v[0];
    if (shape.has_trend) w += p.phi * v[1];
    if (shape.has_season) w += v[off + m - 1];
    c.push_back(w);
    next[0] = v[0] + (shape.has_trend ? p.phi * v[1] : 0.0);
    if (shape.has_trend) next[1] = p.phi * v[1];
    if (shape.has_season) {
      next[off] = v[off + m - 1];
      for (size_t k = 1; k < m; ++k) next[off + k] = v[off + k - 1];
    }
    std::swap(v, next);
  }
  return c;
}

// Empirical quantile, R's type 7, of sorted values.
double quantile7(const std::vector<double>& sorted, double prob) {
  const double pos = prob * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double w = pos - static_cast<double>(lo);
  return sorted[lo] + w * (sorted[hi] - sorted[lo]);
}

// Draws y_t from the model starting at `state`, advancing it.
double draw(const EtsShape& shape, const EtsParams& p, double sigma, detail::Rng* rng,
            EtsState* state) {
  const double mu = detail::one_step(shape, p, *state);
  const double e = sigma * rng->normal();
  const double y = shape.mult_error ? mu * (1.0 + e) : mu + e;
  detail::update_state(shape, p, y, state);
  return y;
}

}  // namespace

Result<EtsForecast> ets_forecast(const EtsFit& fit, int32_t horizon,
                                 const std::vector<double>& levels_percent,
                                 const EtsOptions& options) {
  if (horizon < 1 || horizon > kMaxHorizon) {
    return invalid_argument("horizon must be in [1, 10000]", "horizon");
  }
  for (double level : levels_percent) {
    if (!(level > 0.0 && level < 100.0)) {
      return invalid_argument("each level must lie in (0, 100)", "levels");
    }
  }
  if (options.simulation_paths < 2 || options.simulation_paths > kMaxPaths) {
    return invalid_argument("simulation_paths must be in [2, 1000000]", "simulation_paths");
  }
  const EtsShape shape = detail::shape_of(fit.spec, fit.season_length);
  SHELFCAST_RETURN_IF_ERROR(check_fit(fit, shape));
  const EtsParams p = params_of(fit);
  EtsState state;
  state.load(shape, fit.final_state.data());

  EtsForecast out;
  out.model = to_string(fit.spec);
  const size_t h = static_cast<size_t>(horizon);
  out.mean.resize(h);
  out.level_trend.resize(h);
  out.seasonal.resize(h);
  for (int32_t i = 0; i < horizon; ++i) {
    double lt = 0.0;
    const double f = detail::point_forecast(shape, p, state, i, &lt);
    out.mean[static_cast<size_t>(i)] = f;
    out.level_trend[static_cast<size_t>(i)] = lt;
    out.seasonal[static_cast<size_t>(i)] = f - lt;
  }
  for (double v : out.mean) {
    if (!std::isfinite(v)) return internal_error("ETS forecast is not finite");
  }
  const double sigma2 = fit.sigma2;
  const bool class1 = !shape.mult_error && !shape.mult_season;
  const bool class2 = shape.mult_error && !shape.has_season;
  if (class1 || class2) {
    const std::vector<double> c = class1_weights(shape, p, horizon);
    std::vector<double> var(h);
    if (class1) {
      double acc = 1.0;
      for (size_t i = 0; i < h; ++i) {
        if (i > 0) acc += c[i - 1] * c[i - 1];
        var[i] = sigma2 * acc;
      }
    } else {
      std::vector<double> theta(h);
      for (size_t j = 0; j < h; ++j) {
        double t = out.mean[j] * out.mean[j];
        for (size_t i = 1; i <= j; ++i) t += sigma2 * c[i - 1] * c[i - 1] * theta[j - i];
        theta[j] = t;
        var[j] = std::max(0.0, (1.0 + sigma2) * t - out.mean[j] * out.mean[j]);
      }
    }
    for (double level : levels_percent) {
      const double z = detail::normal_quantile(0.5 + level / 200.0);
      ForecastInterval iv;
      iv.level = level;
      for (size_t i = 0; i < h; ++i) {
        const double half = z * std::sqrt(std::max(0.0, var[i]));
        iv.lower.push_back(out.mean[i] - half);
        iv.upper.push_back(out.mean[i] + half);
      }
      out.intervals.push_back(std::move(iv));
    }
  } else {
    out.simulated = true;
    // Paths advance together one step at a time, so memory is one state per path plus one
    // column of draws, whatever the horizon.
    const int32_t paths = std::max<int32_t>(options.simulation_paths, 2);
    std::vector<EtsState> states(static_cast<size_t>(paths), state);
    std::vector<double> column(static_cast<size_t>(paths));
    detail::Rng rng(options.simulation_seed);
    const double sigma = std::sqrt(sigma2);
    out.intervals.resize(levels_percent.size());
    for (size_t l = 0; l < levels_percent.size(); ++l) out.intervals[l].level = levels_percent[l];
    for (size_t i = 0; i < h; ++i) {
      for (size_t k = 0; k < column.size(); ++k) {
        const double v = draw(shape, p, sigma, &rng, &states[k]);
        column[k] = std::isfinite(v) ? v : out.mean[i];  // a diverged path counts as the mean
      }
      std::sort(column.begin(), column.end());
      for (size_t l = 0; l < levels_percent.size(); ++l) {
        const double level = levels_percent[l];
        const double lo = quantile7(column, 0.5 - level / 200.0);
        const double hi = quantile7(column, 0.5 + level / 200.0);
        out.intervals[l].lower.push_back(std::min(lo, out.mean[i]));
        out.intervals[l].upper.push_back(std::max(hi, out.mean[i]));
      }
    }
  }
  return out;
}

Result<std::vector<double>> ets_simulate(const EtsFit& model, int32_t length, double sigma,
                                         uint64_t seed) {
  if (length < 0) return invalid_argument("length must be >= 0", "length");
  if (!(sigma >= 0.0) || !std::isfinite(sigma))
    return invalid_argument("sigma must be >= 0", "sigma");
  const EtsShape shape = detail::shape_of(model.spec, model.season_length);
  const size_t want =
      1 + (shape.has_trend ? 1u : 0u) + (shape.has_season ? static_cast<size_t>(shape.m) : 0u);
  if (model.initial_state.size() != want) {
    return invalid_argument("initial_state does not match the model", "initial_state");
  }
  EtsState s;
  s.load(shape, model.initial_state.data());
  detail::Rng rng(seed);
  const EtsParams p = params_of(model);
  std::vector<double> y(static_cast<size_t>(length));
  for (double& v : y) v = draw(shape, p, sigma, &rng, &s);
  return y;
}

}  // namespace shelfcast
