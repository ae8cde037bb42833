// ETS-Regression: a local level with Fourier seasonality and retail drivers on the log scale
// (see shelfcast/regression.h for the model). For a fixed alpha the one-step errors are linear in
// the coefficients and the initial level, so the fit is a penalized least-squares problem; the
// sign constraints are solved exactly by enumerating which constrained coefficients sit at their
// bound (at most 2^4 small systems), and alpha is profiled by a grid plus golden-section search.
// Only +, -, *, /, sqrt and the portable exp/log are used, so native and WASM builds agree.

#include "shelfcast/regression.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "detail/golden.h"
#include "detail/normal.h"
#include "detail/rng.h"

namespace shelfcast {
namespace {

constexpr int32_t kMaxHorizon = 10000;
// Overflow guard of the back-transform: exp(700) ~ 1e304 leaves room to add five parts without
// reaching infinity (long horizons with alpha near 1 have huge log-scale variances).
constexpr double kMaxLogUnits = 700.0;

double exp_capped(double u) { return detail::exp_portable(std::min(u, kMaxLogUnits)); }
constexpr int kDrivers = 5;
constexpr size_t kTrend = 5;        // coefficient index of the log-linear trend
constexpr size_t kFirstSeason = 6;  // Fourier coefficients from here on
constexpr std::array<const char*, kDrivers> kFieldNames = {
    {"price_ratio", "promo_depth", "feature", "display", "holiday"}};
constexpr std::array<const char*, kDrivers> kCoefficientNames = {
    {"price_elasticity", "promo_lift_per_depth", "feature_log_lift", "display_log_lift",
     "holiday_log_lift"}};

const std::vector<double>& field_of(const RetailRegressors& r, int k) {
  switch (k) {
    case 0:
      return r.price_ratio;
    case 1:
      return r.promo_depth;
    case 2:
      return r.feature;
    case 3:
      return r.display;
    default:
      return r.holiday;
  }
}

std::string num(double v) {
  // Integers print exactly; other values to 4 significant decimals without <cstdio>.
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const bool negative = v < 0.0;
  const double a = std::fabs(v);
  if (a >= 1e12) return negative ? "< -1e12" : "> 1e12";  // keeps the integer cast defined
  const auto scaled = static_cast<long long>(std::floor(a * 10000.0 + 0.5));
  std::string frac = std::to_string(scaled % 10000);
  while (frac.size() < 4) frac.insert(frac.begin(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string out = (negative ? "-" : "") + std::to_string(scaled / 10000);
  if (!frac.empty()) out += "." + frac;
  return out;
}

// ---- validation -----------------------------------------------------------------------------

Status check_driver_values(const std::vector<double>& v, int k, const std::string& where) {
  const std::string name = where + "." + kFieldNames[static_cast<size_t>(k)];
  for (size_t t = 0; t < v.size(); ++t) {
    const double x = v[t];
    const std::string at = name + "[" + std::to_string(t) + "]";
    if (!std::isfinite(x)) return invalid_argument(at + " is not a finite number", name);
    if (k == 0 && !(x > 0.0)) return invalid_argument(at + " must be > 0, got " + num(x), name);
    if (k == 1 && !(x >= 0.0 && x < 1.0)) {
      return invalid_argument(at + " must be in [0, 1), got " + num(x), name);
    }
    if ((k == 2 || k == 3) && !(x >= 0.0 && x <= 1.0)) {
      return invalid_argument(at + " must be in [0, 1], got " + num(x), name);
    }
    if (k == 4 && !(x >= 0.0)) return invalid_argument(at + " must be >= 0, got " + num(x), name);
  }
  return Status::ok();
}

Status validate_input(const RegressionInput& in, const RegressionOptions& o) {
  if (in.horizon < 1 || in.horizon > kMaxHorizon) {
    return invalid_argument("expected a horizon from 1 to " + std::to_string(kMaxHorizon) +
                                ", got " + std::to_string(in.horizon),
                            "horizon");
  }
  if (in.season_length < 1) {
    return invalid_argument(
        "expected a season length >= 1, got " + std::to_string(in.season_length), "season_length");
  }
  for (double level : in.levels) {
    if (!(level > 0.0 && level < 100.0)) {
      return invalid_argument("expected interval levels in (0, 100), got " + num(level), "levels");
    }
  }
  for (double v : in.values) {
    if (std::isinf(v)) return invalid_argument("expected finite values, got infinity", "values");
    if (v < 0.0) {
      return invalid_argument("expected non-negative units (log scale), got " + num(v), "values");
    }
  }
  const size_t n = in.values.size();
  const auto h = static_cast<size_t>(in.horizon);
  for (int k = 0; k < kDrivers; ++k) {
    const std::vector<double>& past = field_of(in.history, k);
    const std::vector<double>& next = field_of(in.future, k);
    if (past.empty() && next.empty()) continue;
    const std::string name = kFieldNames[static_cast<size_t>(k)];
    if (past.size() != n) {
      return invalid_argument("history." + name + " has " + std::to_string(past.size()) +
                                  " values; expected one per history period (" + std::to_string(n) +
                                  ")",
                              "history." + name);
    }
    if (next.size() != h) {
      return invalid_argument("future." + name + " has " + std::to_string(next.size()) +
                                  " values; the forecast needs one per horizon period (" +
                                  std::to_string(h) + ")",
                              "future." + name);
    }
    SHELFCAST_RETURN_IF_ERROR(check_driver_values(past, k, "history"));
    SHELFCAST_RETURN_IF_ERROR(check_driver_values(next, k, "future"));
  }
  const bool sds_ok = o.elasticity_prior_sd > 0.0 && o.promo_lift_prior_sd > 0.0 &&
                      o.trend_prior_sd_per_season > 0.0 && o.feature_prior_sd > 0.0 &&
                      o.display_prior_sd > 0.0 && o.holiday_prior_sd > 0.0 &&
                      o.season_prior_sd > 0.0 && o.initial_residual_sd > 0.0;
  if (!sds_ok) return invalid_argument("prior standard deviations must be > 0", "options");
  if (!(o.log_offset > 0.0) || !std::isfinite(o.log_offset)) {
    return invalid_argument("log_offset must be a finite number > 0", "options.log_offset");
  }
  if (!(o.alpha_min > 0.0 && o.alpha_min <= o.alpha_max && o.alpha_max < 1.0)) {
    return invalid_argument("expected 0 < alpha_min <= alpha_max < 1", "options.alpha_min");
  }
  if (o.alpha_grid_points < 2 || o.alpha_search_iterations < 0 || o.fourier_terms < 0 ||
      o.min_observations < 2 || !(o.min_seasons_for_season >= 1.0) ||
      !(o.min_regressor_sd >= 0.0)) {
    return invalid_argument(
        "search sizes, fourier_terms, min_observations (>= 2) or "
        "min_seasons_for_season (>= 1) out of range",
        "options");
  }
  if (o.constrain_elasticity && o.elasticity_prior_mean > 0.0) {
    return invalid_argument("a positive elasticity prior contradicts the sign constraint",
                            "options.elasticity_prior_mean");
  }
  if (o.constrain_promo_lifts && o.promo_lift_prior_mean < 0.0) {
    return invalid_argument("a negative promotion-lift prior contradicts the sign constraint",
                            "options.promo_lift_prior_mean");
  }
  if (!std::isfinite(o.elasticity_prior_mean) || !std::isfinite(o.promo_lift_prior_mean)) {
    return invalid_argument("prior means must be finite", "options");
  }
  return Status::ok();
}

// ---- the design -------------------------------------------------------------------------------

// Coefficient j < kDrivers is a driver, kTrend the trend, the rest Fourier terms (cos k, sin k).
struct Design {
  size_t n = 0;  // history periods
  size_t horizon = 0;
  std::vector<size_t> observed;             // indexes of non-missing history periods
  std::vector<double> z;                    // log(units + c), NaN where missing
  std::vector<std::vector<double>> col;     // p columns over history
  std::vector<std::vector<double>> future;  // p columns over the horizon
  std::vector<double> prior_mean;           // per coefficient
  std::vector<double> prior_sd;
  std::vector<int> sign;    // -1: <= 0, +1: >= 0, 0: free
  std::vector<bool> fixed;  // held at prior_mean
  int32_t fourier_terms = 0;
  size_t p() const { return col.size(); }
};

Design build_design(const RegressionInput& in, const RegressionOptions& o,
                    std::vector<std::string>* notes) {
  Design d;
  d.n = in.values.size();
  d.horizon = static_cast<size_t>(in.horizon);
  d.z.assign(d.n, std::numeric_limits<double>::quiet_NaN());
  for (size_t t = 0; t < d.n; ++t) {
    if (std::isnan(in.values[t])) continue;
    d.observed.push_back(t);
    d.z[t] = detail::log_portable(in.values[t] + o.log_offset);
  }
  const std::array<double, kDrivers> means = {
      {o.elasticity_prior_mean, o.promo_lift_prior_mean, 0.0, 0.0, 0.0}};
  const std::array<double, kDrivers> sds = {{o.elasticity_prior_sd, o.promo_lift_prior_sd,
                                             o.feature_prior_sd, o.display_prior_sd,
                                             o.holiday_prior_sd}};
  for (int k = 0; k < kDrivers; ++k) {
    const std::vector<double>& past = field_of(in.history, k);
    const std::vector<double>& next = field_of(in.future, k);
    std::vector<double> c(d.n, 0.0), f(d.horizon, 0.0);
    if (!past.empty()) {
      for (size_t t = 0; t < d.n; ++t) c[t] = k == 0 ? detail::log_portable(past[t]) : past[t];
      for (size_t t = 0; t < d.horizon; ++t) {
        f[t] = k == 0 ? detail::log_portable(next[t]) : next[t];
      }
    }
    d.col.push_back(std::move(c));
    d.future.push_back(std::move(f));
    const auto ks = static_cast<size_t>(k);
    d.prior_mean.push_back(means[ks]);
    d.prior_sd.push_back(sds[ks]);
    int sign = 0;
    if (k == 0 && o.constrain_elasticity) sign = -1;
    if (k >= 1 && k <= 3 && o.constrain_promo_lifts) sign = 1;
    d.sign.push_back(sign);
    d.fixed.push_back(false);
  }
  const int32_t m = in.season_length;
  {
    // Trend: time in seasons (periods when there is no season), part of the baseline.
    std::vector<double> c(d.n), f(d.horizon);
    const double unit = static_cast<double>(m);
    for (size_t t = 0; t < d.n; ++t) c[t] = static_cast<double>(t) / unit;
    for (size_t t = 0; t < d.horizon; ++t) f[t] = static_cast<double>(d.n + t) / unit;
    d.col.push_back(std::move(c));
    d.future.push_back(std::move(f));
    d.prior_mean.push_back(0.0);
    d.prior_sd.push_back(o.trend_prior_sd_per_season);
    d.sign.push_back(0);
    d.fixed.push_back(false);
  }
  if (m > 1 && static_cast<double>(d.n) >= o.min_seasons_for_season * m) {
    d.fourier_terms = std::min(o.fourier_terms, m / 2);
  } else if (m > 1 && o.fourier_terms > 0) {
    notes->push_back("history shorter than " + num(o.min_seasons_for_season) +
                     " seasons: no seasonal term");
  }
  for (int32_t k = 1; k <= d.fourier_terms; ++k) {
    std::vector<double> cc(d.n), ss(d.n), fc(d.horizon), fs(d.horizon);
    const auto fill = [&](size_t t, double* c, double* s) {
      // Exact reduction: (k t mod m) / m turns.
      const long long r = (static_cast<long long>(k) * static_cast<long long>(t)) % m;
      detail::cos_sin_turns(static_cast<double>(r) / static_cast<double>(m), c, s);
    };
    for (size_t t = 0; t < d.n; ++t) fill(t, &cc[t], &ss[t]);
    for (size_t t = 0; t < d.horizon; ++t) fill(d.n + t, &fc[t], &fs[t]);
    d.col.push_back(std::move(cc));
    d.future.push_back(std::move(fc));
    d.col.push_back(std::move(ss));
    d.future.push_back(std::move(fs));
    for (int j = 0; j < 2; ++j) {
      d.prior_mean.push_back(0.0);
      d.prior_sd.push_back(o.season_prior_sd);
      d.sign.push_back(0);
      d.fixed.push_back(false);
    }
  }
  // A column without variation over the observed periods carries no information.
  for (size_t j = 0; j < d.p(); ++j) {
    double sum = 0.0, sum2 = 0.0;
    for (size_t t : d.observed) sum += d.col[j][t];
    const double mean = d.observed.empty() ? 0.0 : sum / static_cast<double>(d.observed.size());
    for (size_t t : d.observed) sum2 += (d.col[j][t] - mean) * (d.col[j][t] - mean);
    const double sd =
        d.observed.empty() ? 0.0 : std::sqrt(sum2 / static_cast<double>(d.observed.size()));
    if (sd > o.min_regressor_sd) continue;
    d.fixed[j] = true;
    if (j < kDrivers && !field_of(in.history, static_cast<int>(j)).empty()) {
      notes->push_back(std::string(kFieldNames[j]) + " has no variation in the history: " +
                       kCoefficientNames[j] + " fixed at its prior mean " + num(d.prior_mean[j]));
    }
  }
  return d;
}

// ---- the filter and the penalized fit -----------------------------------------------------------

// One-step innovations of the level recursion applied to v from state s0 (observed periods only),
// and the state after the last period. Linear in (v, s0).
void filter(const Design& d, const std::vector<double>& v, double alpha, double s0,
            std::vector<double>* innovations, double* final_state) {
  double s = s0;
  innovations->resize(d.observed.size());
  for (size_t i = 0; i < d.observed.size(); ++i) {
    const double e = v[d.observed[i]] - s;
    (*innovations)[i] = e;
    s += alpha * e;
  }
  *final_state = s;
}

// Solves the symmetric positive definite system a x = b (row-major q x q) by Cholesky; false when
// a is not positive definite. Written out so every platform sums in the same order.
bool cholesky_solve(std::vector<double> a, size_t q, const std::vector<double>& b,
                    std::vector<double>* x, std::vector<double>* inverse) {
  for (size_t j = 0; j < q; ++j) {
    double diag = a[j * q + j];
    for (size_t k = 0; k < j; ++k) diag -= a[j * q + k] * a[j * q + k];
    if (!(diag > 1e-300)) return false;
    const double l = std::sqrt(diag);
    a[j * q + j] = l;
    for (size_t i = j + 1; i < q; ++i) {
      double s = a[i * q + j];
      for (size_t k = 0; k < j; ++k) s -= a[i * q + k] * a[j * q + k];
      a[i * q + j] = s / l;
    }
  }
  const auto solve = [&](std::vector<double> r) {
    for (size_t i = 0; i < q; ++i) {
      for (size_t k = 0; k < i; ++k) r[i] -= a[i * q + k] * r[k];
      r[i] /= a[i * q + i];
    }
    for (size_t i = q; i-- > 0;) {
      for (size_t k = i + 1; k < q; ++k) r[i] -= a[k * q + i] * r[k];
      r[i] /= a[i * q + i];
    }
    return r;
  };
  *x = solve(b);
  if (inverse != nullptr) {
    inverse->assign(q * q, 0.0);
    for (size_t c = 0; c < q; ++c) {
      std::vector<double> e(q, 0.0);
      e[c] = 1.0;
      const std::vector<double> col = solve(e);
      for (size_t r = 0; r < q; ++r) (*inverse)[r * q + c] = col[r];
    }
  }
  return true;
}

struct Fit {
  bool ok = false;
  double alpha = 0.0;
  double objective = std::numeric_limits<double>::infinity();  // SSE + penalty
  std::vector<double> theta;  // p coefficients (fixed ones at their prior mean)
  double l0 = 0.0;
  std::vector<size_t> unknowns;  // estimated coefficient indexes, then d.p() for l0
  std::vector<double> inverse;   // (normal matrix)^-1 over unknowns, row-major
  std::vector<bool> at_bound;
  // The same penalized fit without the sign constraints (want_inverse only): every free
  // coefficient and l0 in `free` order, and the inverse of the whole normal matrix. It is the
  // Gaussian posterior the constraints then truncate, which is what pooling needs.
  std::vector<size_t> free;
  std::vector<double> unconstrained;
  std::vector<double> unconstrained_inverse;
};

// The penalized least-squares fit for one alpha; ridge weights lambda_j = ridge_var / sd_j^2.
Fit fit_at_alpha(const Design& d, double alpha, double ridge_var, bool want_inverse) {
  Fit fit;
  fit.alpha = alpha;
  const size_t p = d.p();
  const size_t nobs = d.observed.size();
  std::vector<double> y, e;
  double unused = 0.0;
  std::vector<double> target(d.n, 0.0);
  for (size_t t : d.observed) {
    target[t] = d.z[t];
    for (size_t j = 0; j < p; ++j) {
      if (d.fixed[j]) target[t] -= d.prior_mean[j] * d.col[j][t];
    }
  }
  filter(d, target, alpha, 0.0, &y, &unused);
  std::vector<size_t> free;
  std::vector<std::vector<double>> x;
  for (size_t j = 0; j < p; ++j) {
    if (d.fixed[j]) continue;
    free.push_back(j);
    filter(d, d.col[j], alpha, 0.0, &e, &unused);
    x.push_back(e);
  }
  // The initial level's column: z_t - l_{t-1} falls by (1 - alpha)^i l_0 at the i-th observation.
  std::vector<double> g(nobs);
  double decay = 1.0;
  for (size_t i = 0; i < nobs; ++i) {
    g[i] = decay;
    decay *= 1.0 - alpha;
  }
  x.push_back(g);
  const size_t q = x.size();  // free coefficients + l0
  std::vector<double> a(q * q, 0.0), b(q, 0.0), lambda(q, 0.0), mu(q, 0.0);
  double constant = 0.0;
  for (size_t i = 0; i < nobs; ++i) constant += y[i] * y[i];
  for (size_t r = 0; r < q; ++r) {
    if (r + 1 < q) {
      lambda[r] = ridge_var / (d.prior_sd[free[r]] * d.prior_sd[free[r]]);
      mu[r] = d.prior_mean[free[r]];
      constant += lambda[r] * mu[r] * mu[r];
    }
    for (size_t c = 0; c <= r; ++c) {
      double s = 0.0;
      for (size_t i = 0; i < nobs; ++i) s += x[r][i] * x[c][i];
      a[r * q + c] = a[c * q + r] = s;
    }
    a[r * q + r] += lambda[r];
    double s = 0.0;
    for (size_t i = 0; i < nobs; ++i) s += x[r][i] * y[i];
    b[r] = s + lambda[r] * mu[r];
  }
  std::vector<size_t> constrained;
  for (size_t r = 0; r + 1 < q; ++r) {
    if (d.sign[free[r]] != 0) constrained.push_back(r);
  }
  // Exact constrained minimum: the optimum's active set is one of these subsets, and its
  // equality-constrained solution is feasible; every feasible candidate is >= the optimum.
  const size_t subsets = size_t{1} << constrained.size();
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> best_x;
  std::vector<size_t> best_rows;
  for (size_t mask = 0; mask < subsets; ++mask) {
    std::vector<bool> drop(q, false);
    for (size_t c = 0; c < constrained.size(); ++c) {
      if ((mask >> c) & 1U) drop[constrained[c]] = true;
    }
    std::vector<size_t> rows;
    for (size_t r = 0; r < q; ++r) {
      if (!drop[r]) rows.push_back(r);
    }
    const size_t qq = rows.size();
    std::vector<double> aa(qq * qq), bb(qq), sol;
    for (size_t r = 0; r < qq; ++r) {
      bb[r] = b[rows[r]];
      for (size_t c = 0; c < qq; ++c) aa[r * qq + c] = a[rows[r] * q + rows[c]];
    }
    if (!cholesky_solve(aa, qq, bb, &sol, nullptr)) continue;
    bool feasible = true;
    double value = constant;
    for (size_t r = 0; r < qq; ++r) {
      const int sign = rows[r] + 1 < q ? d.sign[free[rows[r]]] : 0;
      if ((sign < 0 && sol[r] > 0.0) || (sign > 0 && sol[r] < 0.0)) feasible = false;
      value -= bb[r] * sol[r];
    }
    if (!feasible || !(value < best)) continue;
    best = value;
    best_x = sol;
    best_rows = rows;
  }
  if (best_rows.empty()) return fit;
  fit.ok = true;
  fit.objective = std::max(0.0, best);
  fit.theta = d.prior_mean;
  fit.at_bound.assign(p, false);
  for (size_t r : constrained) {
    fit.theta[free[r]] = 0.0;
    fit.at_bound[free[r]] = true;
  }
  for (size_t r = 0; r < best_rows.size(); ++r) {
    const size_t row = best_rows[r];
    if (row + 1 == q) {
      fit.l0 = best_x[r];
      fit.unknowns.push_back(p);
    } else {
      fit.theta[free[row]] = best_x[r];
      fit.at_bound[free[row]] = false;
      fit.unknowns.push_back(free[row]);
    }
  }
  if (want_inverse) {
    const size_t qq = best_rows.size();
    std::vector<double> aa(qq * qq), bb(qq), sol;
    for (size_t r = 0; r < qq; ++r) {
      bb[r] = b[best_rows[r]];
      for (size_t c = 0; c < qq; ++c) aa[r * qq + c] = a[best_rows[r] * q + best_rows[c]];
    }
    cholesky_solve(aa, qq, bb, &sol, &fit.inverse);
    fit.free = free;
    if (!cholesky_solve(a, q, b, &fit.unconstrained, &fit.unconstrained_inverse)) {
      fit.unconstrained.clear();
      fit.unconstrained_inverse.clear();
    }
  }
  return fit;
}

// Profiles alpha: an even grid, then golden-section search in the best grid cell's neighbourhood.
Fit fit_profiled(const Design& d, const RegressionOptions& o, double ridge_var) {
  const auto points = static_cast<size_t>(o.alpha_grid_points);
  const double step = (o.alpha_max - o.alpha_min) / static_cast<double>(points - 1);
  size_t best_i = 0;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < points; ++i) {
    const double alpha = o.alpha_min + step * static_cast<double>(i);
    const Fit f = fit_at_alpha(d, alpha, ridge_var, false);
    if (f.ok && f.objective < best) {
      best = f.objective;
      best_i = i;
    }
  }
  double best_alpha = o.alpha_min + step * static_cast<double>(best_i);
  double lo = best_i == 0 ? o.alpha_min : best_alpha - step;
  double hi = best_i + 1 == points ? o.alpha_max : best_alpha + step;
  const double mid = detail::golden_section_min(
      [&](double alpha) { return fit_at_alpha(d, alpha, ridge_var, false).objective; }, lo, hi,
      o.alpha_search_iterations);
  Fit refined = fit_at_alpha(d, mid, ridge_var, true);
  if (refined.ok && refined.objective <= best) return refined;
  return fit_at_alpha(d, best_alpha, ridge_var, true);
}

// ---- output -------------------------------------------------------------------------------------

// Log-scale parts of one step: level, then season, price, promotion and holiday effects.
struct LogParts {
  double level = 0.0;
  std::array<double, 4> effect = {{0.0, 0.0, 0.0, 0.0}};
};

LogParts log_parts(const Design& d, const std::vector<double>& theta, double level,
                   const std::vector<std::vector<double>>& cols, size_t t) {
  LogParts parts;
  parts.level = level + theta[kTrend] * cols[kTrend][t];
  parts.effect[1] = theta[0] * cols[0][t];
  parts.effect[2] = theta[1] * cols[1][t] + theta[2] * cols[2][t] + theta[3] * cols[3][t];
  parts.effect[3] = theta[4] * cols[4][t];
  for (size_t j = kFirstSeason; j < d.p(); ++j) parts.effect[0] += theta[j] * cols[j][t];
  return parts;
}

// Back-transformed mean and its Shapley decomposition (see RegressionDecomposition).
// `log_adjust` is added on the log scale before exp: the bias adjustment (see assemble()).
double decompose(const LogParts& parts, double log_adjust, const RegressionOptions& o,
                 RegressionDecomposition* out) {
  const auto f = [&](double u) { return std::max(0.0, exp_capped(u + log_adjust) - o.log_offset); };
  std::array<double, 16> value{};
  for (size_t mask = 0; mask < 16; ++mask) {
    double u = parts.level;
    for (size_t i = 0; i < 4; ++i) {
      if ((mask >> i) & 1U) u += parts.effect[i];
    }
    value[mask] = f(u);
  }
  // Shapley weights |S|! (3 - |S|)! / 4! for coalitions S of the other three effects.
  constexpr std::array<double, 4> kWeight = {{6.0 / 24.0, 2.0 / 24.0, 2.0 / 24.0, 6.0 / 24.0}};
  std::array<double, 4> share{};
  for (size_t i = 0; i < 4; ++i) {
    const size_t bit = size_t{1} << i;
    for (size_t mask = 0; mask < 16; ++mask) {
      if (mask & bit) continue;
      size_t size = 0;
      for (size_t k = 0; k < 4; ++k) size += (mask >> k) & 1U;
      share[i] += kWeight[size] * (value[mask | bit] - value[mask]);
    }
  }
  out->baseline.push_back(value[0]);
  out->seasonal.push_back(share[0]);
  out->price.push_back(share[1]);
  out->promotion.push_back(share[2]);
  out->holiday.push_back(share[3]);
  return value[15];
}

RegressionForecast assemble(const RegressionInput& in, const RegressionOptions& o, const Design& d,
                            const Fit& fit, double sigma, std::string model,
                            std::vector<std::string> notes) {
  RegressionForecast r;
  r.model = std::move(model);
  r.model_version = core_model_version();
  r.alpha = fit.alpha;
  r.initial_level = fit.l0;
  r.sigma = sigma;
  r.log_offset = o.log_offset;
  r.n_observations = static_cast<int32_t>(d.observed.size());
  r.fourier_terms = d.fourier_terms;
  const size_t p = d.p();
  // Level path: the filter of z minus the regression part, from l_0.
  std::vector<double> level_before(d.n, fit.l0);
  double level = fit.l0;
  double exp_error_sum = 0.0, error_count = 0.0;
  for (size_t t = 0; t < d.n; ++t) {
    level_before[t] = level;
    if (std::isnan(d.z[t])) continue;
    double reg = 0.0;
    for (size_t j = 0; j < p; ++j) reg += fit.theta[j] * d.col[j][t];
    const double error = d.z[t] - level - reg;
    if (2 * t >= d.n) {  // the second half: the level has forgotten its start
      exp_error_sum += detail::exp_portable(std::min(error, kMaxLogUnits));
      error_count += 1.0;
    }
    level += fit.alpha * error;
  }
  r.final_level = level;
  const double sigma2 = sigma * sigma;
  // Back-transform: exp(mu + adjust) - c with Duan's smearing adjustment log mean(exp(e_t)) over
  // the one-step log errors of the second half of the history (Duan 1983, JASA 78:605; the first
  // half lets the level forget its start). It needs no normality: log(units + 1) of counts is
  // skewed, and the normal sigma^2 / 2 overstated the mean. The variance that grows beyond one
  // step (level drift, parameter uncertainty) widens the intervals but does not raise the mean:
  // on the demo's product-store backtests (13 weeks ahead) adding it raised the bias from +18% to
  // +22% -- alpha absorbs misfit, so the level drifts less than alpha^2 sigma^2 per step claims.
  const double one_step_adjust = !o.bias_adjust ? 0.0
                                 : o.smearing && error_count >= 2.0
                                     ? detail::log_portable(exp_error_sum / error_count)
                                     : 0.5 * sigma2;
  const auto adjust = [&](double) { return one_step_adjust; };
  for (size_t t = 0; t < d.n; ++t) {
    r.fitted.push_back(decompose(log_parts(d, fit.theta, level_before[t], d.col, t), adjust(sigma2),
                                 o, &r.history_parts));
  }
  // Parameter uncertainty: the log mean is linear in the unknowns with gradient
  // (x_h - S(x)) for a coefficient and (1 - alpha)^nobs for l_0, S = the filter's final state.
  std::vector<double> final_state(p + 1, 0.0);
  std::vector<double> scratch;
  for (size_t j = 0; j < p; ++j) filter(d, d.col[j], fit.alpha, 0.0, &scratch, &final_state[j]);
  filter(d, std::vector<double>(d.n, 0.0), fit.alpha, 1.0, &scratch, &final_state[p]);
  const size_t last_observed = d.observed.empty() ? 0 : d.observed.back();
  const size_t trailing = d.n == 0 ? 0 : d.n - 1 - last_observed;
  const size_t q = fit.unknowns.size();
  std::vector<double> sd(d.horizon), log_mean(d.horizon);
  for (size_t h = 0; h < d.horizon; ++h) {
    const auto steps = static_cast<double>(h + trailing);  // k - 1 for k steps ahead
    double variance = sigma2 * (1.0 + steps * fit.alpha * fit.alpha);
    if (q > 0 && fit.inverse.size() == q * q) {
      std::vector<double> grad(q);
      for (size_t u = 0; u < q; ++u) {
        const size_t j = fit.unknowns[u];
        grad[u] = j == p ? final_state[p] : d.future[j][h] - final_state[j];
      }
      double quad = 0.0;
      for (size_t u = 0; u < q; ++u) {
        for (size_t w = 0; w < q; ++w) quad += grad[u] * fit.inverse[u * q + w] * grad[w];
      }
      variance += sigma2 * std::max(0.0, quad);
    }
    const LogParts parts = log_parts(d, fit.theta, level, d.future, h);
    r.mean.push_back(decompose(parts, adjust(variance), o, &r.forecast_parts));
    sd[h] = std::sqrt(variance);
    log_mean[h] = parts.level;
    for (double e : parts.effect) log_mean[h] += e;
  }
  for (double lvl : in.levels) {
    ForecastInterval interval;
    interval.level = lvl;
    const double zq = detail::normal_quantile(0.5 + lvl / 200.0);
    for (size_t h = 0; h < d.horizon; ++h) {
      interval.lower.push_back(std::max(0.0, exp_capped(log_mean[h] - zq * sd[h]) - o.log_offset));
      interval.upper.push_back(std::max(0.0, exp_capped(log_mean[h] + zq * sd[h]) - o.log_offset));
    }
    r.intervals.push_back(std::move(interval));
  }
  // Coefficients, with posterior standard errors sigma * sqrt(diag of the inverse).
  for (size_t j = 0; j < p; ++j) {
    if (j == kTrend) {
      r.trend_per_season = fit.theta[j];
      continue;
    }
    if (j >= kFirstSeason) {
      r.season_coefficients.push_back(fit.theta[j]);
      continue;
    }
    RegressionCoefficient c;
    c.name = kCoefficientNames[j];
    c.value = fit.theta[j];
    c.prior_mean = d.prior_mean[j];
    c.at_bound = !fit.at_bound.empty() && fit.at_bound[j];
    for (size_t u = 0; u < q; ++u) {
      if (fit.unknowns[u] != j) continue;
      c.estimated = true;
      if (fit.inverse.size() == q * q) c.std_error = sigma * std::sqrt(fit.inverse[u * q + u]);
    }
    if (c.at_bound) {
      notes.push_back(c.name + " held at 0 by its sign constraint (the data pull the other way)");
    }
    r.coefficients.push_back(std::move(c));
  }
  // Posterior covariance of the five drivers (0 where a driver is not estimated).
  r.driver_covariance.assign(kDrivers * kDrivers, 0.0);
  if (fit.inverse.size() == q * q) {
    for (size_t u = 0; u < q; ++u) {
      for (size_t w = 0; w < q; ++w) {
        const size_t a = fit.unknowns[u], b = fit.unknowns[w];
        if (a >= static_cast<size_t>(kDrivers) || b >= static_cast<size_t>(kDrivers)) continue;
        r.driver_covariance[a * kDrivers + b] = sigma * sigma * fit.inverse[u * q + w];
      }
    }
  }
  // The unconstrained posterior of the drivers: a driver without variation keeps its prior.
  r.unconstrained_drivers.assign(kDrivers, 0.0);
  r.unconstrained_driver_covariance.assign(kDrivers * kDrivers, 0.0);
  for (size_t j = 0; j < static_cast<size_t>(kDrivers); ++j) {
    r.unconstrained_drivers[j] = d.prior_mean[j];
    r.unconstrained_driver_covariance[j * kDrivers + j] = d.prior_sd[j] * d.prior_sd[j];
  }
  const size_t qf = fit.free.size() + 1;
  if (fit.unconstrained.size() == qf && fit.unconstrained_inverse.size() == qf * qf) {
    for (size_t u = 0; u < fit.free.size(); ++u) {
      const size_t a = fit.free[u];
      if (a >= static_cast<size_t>(kDrivers)) continue;
      r.unconstrained_drivers[a] = fit.unconstrained[u];
      for (size_t w = 0; w < fit.free.size(); ++w) {
        const size_t b = fit.free[w];
        if (b >= static_cast<size_t>(kDrivers)) continue;
        r.unconstrained_driver_covariance[a * kDrivers + b] =
            sigma * sigma * fit.unconstrained_inverse[u * qf + w];
      }
    }
  }
  r.notes = std::move(notes);
  return r;
}

}  // namespace

const RegressionCoefficient& coefficient(const RegressionForecast& forecast, RetailDriver driver) {
  return forecast.coefficients[static_cast<size_t>(driver)];
}

Result<RegressionForecast> forecast_regression(const RegressionInput& input,
                                               const RegressionOptions& options) {
  SHELFCAST_RETURN_IF_ERROR(validate_input(input, options));
  std::vector<std::string> notes;
  Design d = build_design(input, options, &notes);
  const size_t nobs = d.observed.size();
  if (nobs == 0) return failed_precondition("expected at least one observed value in values");

  double zmin = d.z[d.observed[0]], zmax = zmin;
  for (size_t t : d.observed) {
    zmin = std::min(zmin, d.z[t]);
    zmax = std::max(zmax, d.z[t]);
  }
  if (nobs >= 2 && zmax == zmin) {
    // Constant (all zeros included): effects are not identifiable; forecast the constant.
    d.fourier_terms = 0;
    d.col.resize(kFirstSeason);
    d.future.resize(kFirstSeason);
    Fit fit;
    fit.theta.assign(kFirstSeason, 0.0);
    fit.l0 = zmin;
    notes.push_back("constant history: driver effects set to 0, intervals collapse to the value");
    RegressionForecast r = assemble(input, options, d, fit, 0.0, "Constant", std::move(notes));
    r.fallback_reason = "the history is constant, nothing to estimate effects from";
    return r;
  }
  if (nobs < static_cast<size_t>(options.min_observations)) {
    // Mean-Regression: alpha = 0, coefficients at their prior means, level = mean residual.
    d.fourier_terms = 0;
    d.col.resize(kFirstSeason);
    d.future.resize(kFirstSeason);
    Fit fit;
    fit.theta = d.prior_mean;
    fit.theta.resize(kFirstSeason);
    fit.theta[kTrend] = 0.0;
    std::vector<double> resid;
    for (size_t t : d.observed) {
      double r = d.z[t];
      for (size_t j = 0; j < kDrivers; ++j) r -= fit.theta[j] * d.col[j][t];
      resid.push_back(r);
    }
    double sum = 0.0;
    for (double v : resid) sum += v;
    fit.l0 = sum / static_cast<double>(nobs);
    double ss = 0.0;
    for (double v : resid) ss += (v - fit.l0) * (v - fit.l0);
    const double sample_sd = nobs > 1 ? std::sqrt(ss / static_cast<double>(nobs - 1)) : 0.0;
    const double sigma = std::max(sample_sd, options.initial_residual_sd);
    fit.unknowns = {d.p()};
    fit.inverse = {1.0 / static_cast<double>(nobs)};
    RegressionForecast r =
        assemble(input, options, d, fit, sigma, "Mean-Regression", std::move(notes));
    for (RegressionCoefficient& c : r.coefficients) c.estimated = false;
    r.fallback_reason = "only " + std::to_string(nobs) + " observed periods (fewer than " +
                        std::to_string(options.min_observations) +
                        "): flat level, driver effects at their prior means";
    return r;
  }

  // Two passes: ridge weights from the starting residual sd, then from the first fit's.
  const double df_base = static_cast<double>(nobs);
  Fit fit = fit_profiled(d, options, options.initial_residual_sd * options.initial_residual_sd);
  if (!fit.ok) return internal_error("regression normal equations are singular");
  const auto sigma_of = [&](const Fit& f) {
    const double dof = std::max(1.0, df_base - static_cast<double>(f.unknowns.size()) - 1.0);
    return std::sqrt(f.objective / dof);
  };
  const double sigma1 = sigma_of(fit);
  const double ridge_floor = 1e-3 * options.initial_residual_sd;  // keeps the system definite
  const double ridge_sd = std::max(sigma1, ridge_floor);
  fit = fit_profiled(d, options, ridge_sd * ridge_sd);
  if (!fit.ok) return internal_error("regression normal equations are singular");
  // sigma from the residuals alone (the penalty is not an error).
  std::vector<double> resid;
  double level = fit.l0, sse = 0.0;
  for (size_t t : d.observed) {
    double reg = 0.0;
    for (size_t j = 0; j < d.p(); ++j) reg += fit.theta[j] * d.col[j][t];
    const double e = d.z[t] - level - reg;
    sse += e * e;
    level += fit.alpha * e;
  }
  const double dof = std::max(1.0, df_base - static_cast<double>(fit.unknowns.size()) - 1.0);
  const double sigma = std::sqrt(sse / dof);
  return assemble(input, options, d, fit, sigma, "ETS-Regression", std::move(notes));
}

}  // namespace shelfcast
