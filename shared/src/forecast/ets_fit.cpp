// Public ETS fitting and AICc selection (R's forecast::ets defaults), on data scaled to mean
// absolute value 1 so that the optimizer's steps and the likelihood are scale-free; results are
// scaled back. Scaling adds 2 n log(scale) to R's "lik" for every model alike, so comparisons and
// the reported likelihood equal those on the raw data.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "detail/golden.h"
#include "detail/rng.h"
#include "forecast/ets_internal.h"
#include "shelfcast/ets.h"

namespace shelfcast {
namespace {

using detail::EtsParams;
using detail::EtsShape;
using detail::EtsTrace;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Beyond this magnitude a squared error (and so sigma^2) overflows a double.
constexpr double kMaxAbsValue = 1e150;
// R's ets() hands series with n <= npars + 4 (npars = 2 for "ZZZ") to HoltWinters instead.
constexpr int32_t kTinySeries = 6;

struct Prepared {
  std::vector<double> y;       // scaled, NaN where missing
  std::vector<double> filled;  // scaled, missing values interpolated (for the initial states)
  double scale = 1.0;
  int32_t n_obs = 0;
  bool positive = true;
  bool constant = true;
};

Result<Prepared> prepare(const std::vector<double>& values) {
  Prepared p;
  double sum_abs = 0.0;
  double first = std::numeric_limits<double>::quiet_NaN();
  for (double v : values) {
    if (std::isnan(v)) continue;
    if (!std::isfinite(v) || std::fabs(v) > kMaxAbsValue) {
      return invalid_argument("values must be finite and within +-1e150", "values");
    }
    if (p.n_obs == 0) first = v;
    if (v != first) p.constant = false;
    if (!(v > 0.0)) p.positive = false;
    sum_abs += std::fabs(v);
    ++p.n_obs;
  }
  if (p.n_obs == 0) return invalid_argument("the series has no observations", "values");
  p.scale = sum_abs > 0.0 ? sum_abs / p.n_obs : 1.0;
  p.y.resize(values.size());
  for (size_t t = 0; t < values.size(); ++t) p.y[t] = values[t] / p.scale;
  // Linear interpolation inside, constant extension at the ends.
  p.filled = p.y;
  size_t last = values.size();
  for (size_t t = 0; t < values.size(); ++t) {
    if (std::isnan(p.y[t])) continue;
    if (last == values.size()) {
      for (size_t k = 0; k < t; ++k) p.filled[k] = p.y[t];
    } else {
      for (size_t k = last + 1; k < t; ++k) {
        const double w = static_cast<double>(k - last) / static_cast<double>(t - last);
        p.filled[k] = p.y[last] + w * (p.y[t] - p.y[last]);
      }
    }
    last = t;
  }
  for (size_t k = last + 1; k < values.size(); ++k) p.filled[k] = p.y[last];
  return p;
}

EtsParams unpack(const EtsShape& shape, const std::vector<double>& par, size_t* next) {
  EtsParams q;
  size_t i = 0;
  q.alpha = par[i++];
  if (shape.has_trend) q.beta = par[i++];
  if (shape.has_season) q.gamma = par[i++];
  if (shape.damped) q.phi = par[i++];
  *next = i;
  return q;
}

bool within_usual(const EtsShape& shape, const EtsParams& q, const EtsOptions& o) {
  // R's check.param() with bounds "usual" (comparisons written so NaN fails).
  if (!(q.alpha >= o.alpha_min && q.alpha <= o.alpha_max)) return false;
  if (shape.has_trend && !(q.beta >= o.beta_min && q.beta <= q.alpha && q.beta <= o.beta_max)) {
    return false;
  }
  if (shape.damped && !(q.phi >= o.phi_min && q.phi <= o.phi_max)) return false;
  if (shape.has_season &&
      !(q.gamma >= o.gamma_min && q.gamma <= 1.0 - q.alpha && q.gamma <= o.gamma_max)) {
    return false;
  }
  return true;
}

// Full initial state (with the last seasonal value implied by the normalization) from the free
// part of the parameter vector; false when a multiplicative season would go negative.
bool full_state(const EtsShape& shape, const std::vector<double>& par, size_t first,
                std::vector<double>* x) {
  x->assign(par.begin() + static_cast<std::ptrdiff_t>(first), par.end());
  if (shape.has_season) {
    const size_t off = shape.has_trend ? 2 : 1;
    double sum = 0.0;
    for (size_t k = off; k < x->size(); ++k) sum += (*x)[k];
    x->push_back((shape.mult_season ? static_cast<double>(shape.m) : 0.0) - sum);
    if (shape.mult_season) {
      for (size_t k = off; k < x->size(); ++k) {
        if ((*x)[k] < 0.0) return false;
      }
    }
  }
  return true;
}

struct Fitted {
  EtsParams params;
  std::vector<double> x0;  // scaled
  double lik = kInf;       // scaled
  int32_t n_free = 0;      // optimized parameters incl. free initial states
};

// A second starting point away from R's (which starts alpha near 0): a level that adapts fast, a
// slow trend and season. Multi-start guards against the local optima of seasonal likelihoods.
std::vector<double> par0_alternative(const EtsShape& shape, const EtsOptions& o,
                                     const std::vector<double>& init) {
  std::vector<double> par;
  const double alpha = std::min(std::max(o.alt_alpha, o.alpha_min), o.alpha_max);
  par.push_back(alpha);
  if (shape.has_trend) par.push_back(std::max(o.beta_min, std::min(o.alt_beta, alpha)));
  if (shape.has_season) {
    par.push_back(std::max(o.gamma_min, std::min(o.alt_gamma, 1.0 - alpha)));
  }
  if (shape.damped) par.push_back(std::min(std::max(o.alt_phi, o.phi_min), o.phi_max));
  par.insert(par.end(), init.begin(), init.end());
  return par;
}

Result<Fitted> fit_scaled(const EtsShape& shape, const Prepared& data, const EtsOptions& o) {
  std::vector<double> init;
  if (!detail::initial_state(shape, data.filled, &init)) {
    return failed_precondition("cannot initialize the states of " + to_string(shape.spec));
  }
  // R's initparam().
  std::vector<double> par;
  const double alpha = o.alpha_min + 0.2 * (o.alpha_max - o.alpha_min) / shape.m;
  par.push_back(alpha);
  if (shape.has_trend) {
    par.push_back(o.beta_min + 0.1 * (std::min(o.beta_max, alpha) - o.beta_min));
  }
  if (shape.has_season) {
    par.push_back(o.gamma_min + 0.05 * (std::min(o.gamma_max, 1.0 - alpha) - o.gamma_min));
  }
  if (shape.damped) par.push_back(o.phi_min + 0.99 * (o.phi_max - o.phi_min));
  const size_t n_smooth = par.size();
  par.insert(par.end(), init.begin(), init.end());
  const int32_t n_free = static_cast<int32_t>(par.size());
  if (n_free >= data.n_obs - 1) {
    return failed_precondition(to_string(shape.spec) + " needs more than " +
                               std::to_string(n_free + 1) + " observations");
  }
  std::vector<double> x0;
  auto objective = [&](const std::vector<double>& v) {
    size_t next = 0;
    const EtsParams q = unpack(shape, v, &next);
    if (!within_usual(shape, q, o)) return kInf;
    if (o.admissible && !detail::admissible(shape, q, o.admissible_root_tolerance)) return kInf;
    if (!full_state(shape, v, next, &x0)) return kInf;
    return detail::run_recursion(shape, q, x0.data(), data.y, nullptr);
  };
  double best = objective(par);
  if (!std::isfinite(best)) {
    return failed_precondition("no valid starting point for " + to_string(shape.spec));
  }
  auto descend = [&](const std::vector<double>& from, double* fval) {
    // R's optim Nelder-Mead: one step of 0.1 * max |par| in every coordinate; smoothing
    // parameters live in [0, 1], so theirs aim into the box and are at most 0.1.
    double size = 0.0;
    for (double v : from) size = std::max(size, 0.1 * std::fabs(v));
    if (size == 0.0) size = 0.1;
    std::vector<double> step(from.size(), size);
    for (size_t i = 0; i < n_smooth; ++i) {
      step[i] = (from[i] > 0.5 ? -1.0 : 1.0) * std::min(size, 0.1);
    }
    return detail::nelder_mead(objective, from, step, o.max_iterations, o.relative_tolerance, fval);
  };
  {
    double fval = kInf;
    std::vector<double> cand = descend(par, &fval);
    if (fval <= best) {
      best = fval;
      par = std::move(cand);
    }
  }
  if (o.second_start) {
    std::vector<double> alt = par0_alternative(shape, o, init);
    double fval = objective(alt);
    if (std::isfinite(fval)) {
      std::vector<double> cand = descend(alt, &fval);
      if (fval < best) {
        best = fval;
        par = std::move(cand);
      }
    }
  }
  for (int32_t round = 0; round < o.restarts; ++round) {
    double fval = kInf;
    std::vector<double> cand = descend(par, &fval);
    if (!(fval < best)) break;
    const bool converged = best - fval <= o.relative_tolerance * (std::fabs(best) + 1.0);
    best = fval;
    par = std::move(cand);
    if (converged) break;
  }
  Fitted out;
  size_t next = 0;
  out.params = unpack(shape, par, &next);
  full_state(shape, par, next, &out.x0);
  out.lik = best;
  out.n_free = n_free;
  return out;
}

EtsFit finish(const EtsShape& shape, const Prepared& data, const Fitted& f) {
  EtsFit fit;
  fit.spec = shape.spec;
  fit.season_length = shape.m;
  fit.alpha = f.params.alpha;
  fit.beta = shape.has_trend ? f.params.beta : 0.0;
  fit.gamma = shape.has_season ? f.params.gamma : 0.0;
  fit.phi = f.params.phi;
  EtsTrace tr;
  const double lik_scaled = detail::run_recursion(shape, f.params, f.x0.data(), data.y, &tr);
  const double s = data.scale;
  const double n = static_cast<double>(data.n_obs);
  const double lik = lik_scaled + 2.0 * n * detail::log_portable(s);
  const int32_t np = f.n_free + 1;
  const double k = static_cast<double>(np);
  fit.n_observations = data.n_obs;
  fit.n_parameters = np;
  fit.log_likelihood = -0.5 * lik;
  fit.aic = lik + 2.0 * k;
  fit.bic = lik + detail::log_portable(n) * k;
  fit.aicc = n - k - 1.0 > 0.0 ? fit.aic + 2.0 * k * (k + 1.0) / (n - k - 1.0) : kInf;
  const double err_scale = shape.mult_error ? 1.0 : s;
  fit.sigma2 = n - k > 0.0 ? tr.sse / (n - k) * err_scale * err_scale : 0.0;
  const double season_scale = shape.mult_season ? 1.0 : s;
  fit.fitted.resize(tr.fitted.size());
  fit.residuals.resize(tr.residuals.size());
  double sq = 0.0;
  for (size_t t = 0; t < tr.fitted.size(); ++t) {
    fit.fitted[t] = tr.fitted[t] * s;
    fit.residuals[t] = tr.residuals[t] * err_scale;
    if (!std::isnan(data.y[t])) {
      const double d = (data.y[t] - tr.fitted[t]) * s;
      sq += d * d;
    }
  }
  fit.mse = sq / n;
  for (double v : tr.level) fit.level.push_back(v * s);
  for (double v : tr.trend) fit.trend.push_back(v * s);
  for (double v : tr.season) fit.season.push_back(v * season_scale);
  auto unscale = [&](std::vector<double> x) {
    for (size_t i = 0; i < x.size(); ++i) {
      const bool is_season = i >= (shape.has_trend ? 2u : 1u);
      x[i] *= (is_season ? season_scale : s);
    }
    return x;
  };
  fit.initial_state = unscale(f.x0);
  std::vector<double> last;
  tr.final_state.store(shape, &last);
  fit.final_state = unscale(last);
  return fit;
}

Status check_options(const EtsOptions& o) {
  const bool ok = 0.0 < o.alpha_min && o.alpha_min <= o.alpha_max && o.alpha_max < 1.0 &&
                  0.0 < o.beta_min && o.beta_min <= o.beta_max && o.beta_max < 1.0 &&
                  0.0 < o.gamma_min && o.gamma_min <= o.gamma_max && o.gamma_max < 1.0 &&
                  0.0 < o.phi_min && o.phi_min <= o.phi_max && o.phi_max <= 1.0;
  if (!ok) return invalid_argument("smoothing bounds must satisfy 0 < min <= max < 1", "options");
  if (o.max_iterations < 1 || o.restarts < 0 || !(o.relative_tolerance >= 0.0) ||
      !(o.admissible_root_tolerance >= 0.0) || o.max_season_length < 1) {
    return invalid_argument("optimizer settings are out of range", "options");
  }
  return Status::ok();
}

Status check_spec(const EtsShape& shape, const Prepared& data, int32_t season_length,
                  const EtsOptions& o) {
  if (!ets_spec_allowed(shape.spec)) {
    return failed_precondition(to_string(shape.spec) + " is excluded as unstable (R's restrict)");
  }
  if (shape.has_season) {
    if (season_length < 2) return failed_precondition("a seasonal model needs season_length > 1");
    if (season_length > o.max_season_length) {
      return failed_precondition("season_length above " + std::to_string(o.max_season_length) +
                                 " is not supported by ETS");
    }
    if (data.n_obs <= season_length) {
      return failed_precondition("a seasonal model needs more than one season of data");
    }
  }
  if ((shape.mult_error || shape.mult_season) && !data.positive) {
    return failed_precondition("multiplicative models need strictly positive data");
  }
  return Status::ok();
}

// SES from the first observation with alpha minimizing the SSE (R's HoltWinters(beta = FALSE,
// gamma = FALSE), which ets() uses for tiny series), or the constant-series model.
EtsFit simple_fallback(const Prepared& data, const EtsOptions& o, bool constant) {
  EtsShape shape = detail::shape_of(EtsSpec{}, 1);
  double l0 = 0.0;
  for (double v : data.y) {
    if (!std::isnan(v)) {
      l0 = v;
      break;
    }
  }
  EtsParams q;
  q.alpha = o.alpha_max;
  if (!constant) {
    auto sse = [&](double a) {
      EtsParams p;
      p.alpha = a;
      EtsTrace tr;
      detail::run_recursion(shape, p, &l0, data.y, &tr);
      return tr.sse;
    };
    q.alpha = detail::golden_section_min(sse, o.alpha_min, o.alpha_max, 60);
  }
  Fitted f;
  f.params = q;
  f.x0 = {l0};
  f.n_free = 1;
  EtsFit fit = finish(shape, data, f);
  // The first observation set the level, so it carries no error: n - 1 errors, 1 parameter.
  const double n_err = static_cast<double>(data.n_obs - 1);
  const double s = data.scale;
  EtsTrace tr;
  detail::run_recursion(shape, q, &l0, data.y, &tr);
  fit.sigma2 = n_err > 0.0 ? tr.sse / n_err * s * s : 0.0;
  fit.aic = fit.aicc = fit.bic = kInf;
  fit.log_likelihood = 0.0;
  fit.note = constant ? "constant series: level model with alpha at its upper bound (as R's ets)"
                      : "too few observations for ETS: simple exponential smoothing from the "
                        "first value (as R's ets, which hands tiny series to HoltWinters)";
  return fit;
}

}  // namespace

std::string to_string(const EtsSpec& spec) {
  std::string out = "ETS(";
  out += spec.error == EtsErrorType::kAdditive ? "A," : "M,";
  out += spec.trend == EtsTrendType::kNone       ? "N,"
         : spec.trend == EtsTrendType::kAdditive ? "A,"
                                                 : "Ad,";
  out += spec.season == EtsSeasonType::kNone       ? "N"
         : spec.season == EtsSeasonType::kAdditive ? "A"
                                                   : "M";
  return out + ")";
}

Result<EtsSpec> parse_ets_spec(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (c != ' ' && c != ',' && c != '(' && c != ')') t += c;
  }
  if (t.rfind("ETS", 0) == 0) t = t.substr(3);
  EtsSpec spec;
  size_t i = 0;
  auto bad = [&]() {
    return invalid_argument("expected a model like \"MAdM\" or \"ETS(A,N,N)\"", "model");
  };
  if (i >= t.size()) return bad();
  if (t[i] == 'A') {
    spec.error = EtsErrorType::kAdditive;
  } else if (t[i] == 'M') {
    spec.error = EtsErrorType::kMultiplicative;
  } else {
    return bad();
  }
  ++i;
  if (i >= t.size()) return bad();
  if (t[i] == 'N') {
    spec.trend = EtsTrendType::kNone;
    ++i;
  } else if (t[i] == 'A' && i + 1 < t.size() && t[i + 1] == 'd') {
    spec.trend = EtsTrendType::kDamped;
    i += 2;
  } else if (t[i] == 'A') {
    spec.trend = EtsTrendType::kAdditive;
    ++i;
  } else {
    return bad();
  }
  if (i + 1 != t.size()) return bad();
  if (t[i] == 'N') {
    spec.season = EtsSeasonType::kNone;
  } else if (t[i] == 'A') {
    spec.season = EtsSeasonType::kAdditive;
  } else if (t[i] == 'M') {
    spec.season = EtsSeasonType::kMultiplicative;
  } else {
    return bad();
  }
  return spec;
}

bool same_spec(const EtsSpec& a, const EtsSpec& b) {
  return a.error == b.error && a.trend == b.trend && a.season == b.season;
}

bool ets_spec_allowed(const EtsSpec& spec) {
  return !(spec.error == EtsErrorType::kAdditive && spec.season == EtsSeasonType::kMultiplicative);
}

Result<EtsFit> ets_fit(const std::vector<double>& values, int32_t season_length,
                       const EtsSpec& spec, const EtsOptions& options) {
  if (season_length < 1) return invalid_argument("season_length must be >= 1", "season_length");
  SHELFCAST_RETURN_IF_ERROR(check_options(options));
  SHELFCAST_ASSIGN_OR_RETURN(Prepared data, prepare(values));
  const EtsShape shape = detail::shape_of(spec, season_length);
  SHELFCAST_RETURN_IF_ERROR(check_spec(shape, data, season_length, options));
  SHELFCAST_ASSIGN_OR_RETURN(Fitted f, fit_scaled(shape, data, options));
  return finish(shape, data, f);
}

Result<EtsFit> ets_auto(const std::vector<double>& values, int32_t season_length,
                        const EtsOptions& options) {
  if (season_length < 1) return invalid_argument("season_length must be >= 1", "season_length");
  SHELFCAST_RETURN_IF_ERROR(check_options(options));
  SHELFCAST_ASSIGN_OR_RETURN(Prepared data, prepare(values));
  if (data.constant) return simple_fallback(data, options, true);
  if (data.n_obs <= kTinySeries) return simple_fallback(data, options, false);
  const bool seasonal =
      season_length > 1 && season_length <= options.max_season_length && data.n_obs > season_length;
  const bool mult = options.allow_multiplicative && data.positive;
  std::vector<EtsErrorType> errors = {EtsErrorType::kAdditive};
  if (mult) errors.push_back(EtsErrorType::kMultiplicative);
  std::vector<EtsTrendType> trends = {EtsTrendType::kNone};
  if (options.damping != EtsDamping::kUndampedOnly) trends.push_back(EtsTrendType::kDamped);
  if (options.damping != EtsDamping::kDampedOnly) trends.push_back(EtsTrendType::kAdditive);
  std::vector<EtsSeasonType> seasons = {EtsSeasonType::kNone};
  if (seasonal) seasons.push_back(EtsSeasonType::kAdditive);
  if (seasonal && mult) seasons.push_back(EtsSeasonType::kMultiplicative);
  bool have = false;
  EtsShape best_shape;
  Fitted best;
  double best_ic = kInf;
  for (EtsErrorType e : errors) {
    for (EtsTrendType t : trends) {
      for (EtsSeasonType s : seasons) {
        EtsSpec spec;
        spec.error = e;
        spec.trend = t;
        spec.season = s;
        if (!ets_spec_allowed(spec)) continue;
        const EtsShape shape = detail::shape_of(spec, season_length);
        Result<Fitted> f = fit_scaled(shape, data, options);
        if (!f.is_ok()) continue;
        const double n = static_cast<double>(data.n_obs);
        const double k = static_cast<double>(f->n_free + 1);
        // AICc on the scaled likelihood: the scale term is common to all models.
        const double aicc =
            n - k - 1.0 > 0.0 ? f->lik + 2.0 * k + 2.0 * k * (k + 1.0) / (n - k - 1.0) : kInf;
        if (aicc < best_ic) {
          best_ic = aicc;
          best = std::move(f).value();
          best_shape = shape;
          have = true;
        }
      }
    }
  }
  if (!have) return simple_fallback(data, options, false);
  return finish(best_shape, data, best);
}

}  // namespace shelfcast
