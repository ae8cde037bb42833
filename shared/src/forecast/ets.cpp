// ETS(error, trend, season) state-space models: the error-correction recursions, maximum-likelihood
// fitting by Nelder-Mead, admissibility, R's initial-state heuristic and AICc model selection.
// Follows Hyndman, Koehler, Ord & Snyder (2008) and R's forecast::ets 8.x (etscalc.c, ets.R).

#include "shelfcast/ets.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "detail/rng.h"
#include "forecast/ets_internal.h"

namespace shelfcast {
namespace detail {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// R's etscalc divides by a state only when it is away from zero by this much (TOL) and uses
// HUGEN otherwise.
constexpr double kTol = 1e-10;
constexpr double kHuge = 1e10;
// Sum of squared errors never goes below this (in units of the scaled data): a perfect fit would
// otherwise give log(0) = -inf.
constexpr double kSseFloor = 1e-24;

}  // namespace

EtsShape shape_of(const EtsSpec& spec, int32_t m) {
  EtsShape s;
  s.spec = spec;
  s.has_trend = spec.trend != EtsTrendType::kNone;
  s.damped = spec.trend == EtsTrendType::kDamped;
  s.has_season = spec.season != EtsSeasonType::kNone;
  s.mult_error = spec.error == EtsErrorType::kMultiplicative;
  s.mult_season = spec.season == EtsSeasonType::kMultiplicative;
  s.m = s.has_season ? m : 1;
  return s;
}

void EtsState::load(const EtsShape& shape, const double* x) {
  level = x[0];
  trend = shape.has_trend ? x[1] : 0.0;
  const int32_t m = shape.has_season ? shape.m : 0;
  season.assign(static_cast<size_t>(m), 0.0);
  const int32_t off = shape.has_trend ? 2 : 1;
  // x[off + j] is s_j, s_0 the most recent; ring[k] = s_{m-1-k}, the next one used at ring[0].
  for (int32_t k = 0; k < m; ++k) season[static_cast<size_t>(k)] = x[off + m - 1 - k];
  pos = 0;
}

void EtsState::store(const EtsShape& shape, std::vector<double>* x) const {
  x->clear();
  x->push_back(level);
  if (shape.has_trend) x->push_back(trend);
  const int32_t m = static_cast<int32_t>(season.size());
  for (int32_t j = 0; j < m; ++j) x->push_back(season_ahead(m - 1 - j));
}

double EtsState::season_ahead(int32_t i) const {
  const int32_t m = static_cast<int32_t>(season.size());
  return season[static_cast<size_t>((pos + i) % m)];
}

double point_forecast(const EtsShape& shape, const EtsParams& p, const EtsState& s, int32_t i,
                      double* level_trend) {
  // phi* = phi + phi^2 + ... + phi^(i+1) (R's forecast(): phistar).
  double phistar = 0.0, pw = 1.0;
  for (int32_t k = 0; k <= i; ++k) {
    pw *= p.phi;
    phistar += pw;
  }
  double f = shape.has_trend ? s.level + phistar * s.trend : s.level;
  if (level_trend) *level_trend = f;
  if (shape.has_season) {
    const double sj = s.season_ahead(i % shape.m);
    f = shape.mult_season ? f * sj : f + sj;
  }
  return f;
}

double one_step(const EtsShape& shape, const EtsParams& p, const EtsState& s) {
  double f = shape.has_trend ? s.level + p.phi * s.trend : s.level;
  if (shape.has_season) {
    const double sj = s.season[static_cast<size_t>(s.pos)];
    f = shape.mult_season ? f * sj : f + sj;
  }
  return f;
}

void update_state(const EtsShape& shape, const EtsParams& p, double y, EtsState* s) {
  // R's etscalc.c update(), error-correction form written in terms of y.
  const double old_level = s->level;
  const double phib = shape.has_trend ? p.phi * s->trend : 0.0;
  const double q = old_level + phib;
  double old_season = 0.0, pz = y;
  if (shape.has_season) {
    old_season = s->season[static_cast<size_t>(s->pos)];
    if (shape.mult_season) {
      pz = std::fabs(old_season) < kTol ? kHuge : y / old_season;
    } else {
      pz = y - old_season;
    }
  }
  s->level = q + p.alpha * (pz - q);
  if (shape.has_trend) {
    const double r = s->level - old_level;
    s->trend = phib + (p.beta / p.alpha) * (r - phib);
  }
  if (shape.has_season) {
    double t = 0.0;
    if (shape.mult_season) {
      t = std::fabs(q) < kTol ? kHuge : y / q;
    } else {
      t = y - q;
    }
    s->season[static_cast<size_t>(s->pos)] = old_season + p.gamma * (t - old_season);
    s->pos = (s->pos + 1) % shape.m;
  }
}

// The likelihood alone, in one loop without calls or bounds-checked indexing: the optimizer
// evaluates it thousands of times per model (and Debug/sanitizer builds do not inline).
// Must agree exactly with update_state() / one_step(); the tests compare the two.
double likelihood_only(const EtsShape& shape, const EtsParams& p, const double* x0,
                       const std::vector<double>& y) {
  const bool trend = shape.has_trend, seas = shape.has_season;
  const bool mult_s = shape.mult_season, mult_e = shape.mult_error;
  const bool positive = mult_e || mult_s;
  const double alpha = p.alpha, beta_a = p.beta / p.alpha, gamma = p.gamma, phi = p.phi;
  const int32_t m = seas ? shape.m : 1;
  double ring_local[32];
  std::vector<double> ring_heap;
  double* ring = ring_local;
  if (m > 32) {
    ring_heap.resize(static_cast<size_t>(m));
    ring = ring_heap.data();
  }
  double level = x0[0];
  double b = trend ? x0[1] : 0.0;
  const int32_t off = trend ? 2 : 1;
  if (seas) {
    for (int32_t k = 0; k < m; ++k) ring[k] = x0[off + m - 1 - k];
  }
  int32_t pos = 0;
  double sse = 0.0, sum_log = 0.0;
  int32_t n_obs = 0;
  const double* yy = y.data();
  const size_t n = y.size();
  for (size_t t = 0; t < n; ++t) {
    const double phib = trend ? phi * b : 0.0;
    const double q = level + phib;
    const double old_season = seas ? ring[pos] : 0.0;
    double f = q;
    if (seas) f = mult_s ? q * old_season : q + old_season;
    if (!(f > -HUGE_VAL && f < HUGE_VAL)) return HUGE_VAL;
    if (positive && !(f > 0.0)) return HUGE_VAL;
    double yt = yy[t];
    if (yt != yt) {
      yt = f;
    } else {
      const double e = mult_e ? (yt - f) / f : yt - f;
      sse += e * e;
      if (mult_e) sum_log += detail::log_portable(f);
      ++n_obs;
    }
    double pz = yt;
    if (seas) {
      if (mult_s) {
        pz = std::fabs(old_season) < kTol ? kHuge : yt / old_season;
      } else {
        pz = yt - old_season;
      }
    }
    const double new_level = q + alpha * (pz - q);
    if (trend) b = phib + beta_a * ((new_level - level) - phib);
    level = new_level;
    if (seas) {
      double tt = 0.0;
      if (mult_s) {
        tt = std::fabs(q) < kTol ? kHuge : yt / q;
      } else {
        tt = yt - q;
      }
      ring[pos] = old_season + gamma * (tt - old_season);
      pos = pos + 1 == m ? 0 : pos + 1;
    }
  }
  if (n_obs == 0) return HUGE_VAL;
  const double lik =
      static_cast<double>(n_obs) * detail::log_portable(std::max(sse, kSseFloor)) + 2.0 * sum_log;
  return std::isfinite(lik) ? lik : HUGE_VAL;
}

double run_recursion(const EtsShape& shape, const EtsParams& p, const double* x0,
                     const std::vector<double>& y, EtsTrace* trace) {
  if (!trace) return likelihood_only(shape, p, x0, y);
  EtsState s;
  s.load(shape, x0);
  double sse = 0.0, sum_log = 0.0;
  int32_t n_obs = 0;
  const size_t n = y.size();
  if (trace) {
    trace->fitted.assign(n, 0.0);
    trace->residuals.assign(n, 0.0);
    trace->level.assign(n, 0.0);
    trace->trend.assign(shape.has_trend ? n : 0, 0.0);
    trace->season.assign(shape.has_season ? n : 0, 0.0);
  }
  for (size_t t = 0; t < n; ++t) {
    const double f = one_step(shape, p, s);
    if (!std::isfinite(f)) return kInf;
    if ((shape.mult_error || shape.mult_season) && !(f > 0.0)) return kInf;
    const double yt = y[t];
    if (trace) trace->fitted[t] = f;
    if (std::isnan(yt)) {
      // Missing: the state moves on by its forecast (zero innovation).
      update_state(shape, p, f, &s);
    } else {
      const double e = shape.mult_error ? (yt - f) / f : yt - f;
      sse += e * e;
      if (shape.mult_error) sum_log += detail::log_portable(std::fabs(f));
      ++n_obs;
      if (trace) trace->residuals[t] = e;
      update_state(shape, p, yt, &s);
    }
    if (trace) {
      trace->level[t] = s.level;
      if (shape.has_trend) trace->trend[t] = s.trend;
      if (shape.has_season) {
        // The seasonal value just updated is the most recent one.
        trace->season[t] = s.season[static_cast<size_t>((s.pos + shape.m - 1) % shape.m)];
      }
    }
  }
  if (n_obs == 0) return kInf;
  if (trace) {
    trace->sse = sse;
    trace->n_obs = n_obs;
    trace->final_state = s;
  }
  const double lik =
      static_cast<double>(n_obs) * detail::log_portable(std::max(sse, kSseFloor)) + 2.0 * sum_log;
  return std::isfinite(lik) ? lik : kInf;
}

bool schur_cohn_stable(std::vector<double> a, double radius) {
  // Roots of sum a_k z^k inside |z| < radius: scale to the unit circle, then Schur-Cohn
  // reduction q(z) = (a_d p(z) - a_0 p*(z)) / z while |a_0| < |a_d|.
  if (a.size() < 2) return true;
  double scale = 1.0;
  for (double& c : a) {
    c *= scale;
    scale *= radius;
  }
  std::vector<double> b(a.size(), 0.0);
  for (size_t d = a.size() - 1; d >= 1; --d) {
    const double a0 = a[0], ad = a[d];
    if (!(std::fabs(a0) < std::fabs(ad))) return false;
    double big = 0.0;
    for (size_t k = 0; k < d; ++k) {
      b[k] = ad * a[k + 1] - a0 * a[d - 1 - k];
      big = std::max(big, std::fabs(b[k]));
    }
    if (!(big > 0.0) || !std::isfinite(big)) return false;
    for (size_t k = 0; k < d; ++k) a[k] = b[k] / big;  // normalized: magnitudes stay bounded
  }
  return true;
}

bool admissible(const EtsShape& shape, const EtsParams& p, double tolerance) {
  // R's forecast:::admissible().
  const double phi = p.phi, alpha = p.alpha;
  if (phi < 0.0 || phi > 1.0 + 1e-8) return false;
  if (!shape.has_season) {
    if (alpha < 1.0 - 1.0 / phi || alpha > 1.0 + 1.0 / phi) return false;
    if (shape.has_trend) {
      if (p.beta < alpha * (phi - 1.0) || p.beta > (1.0 + phi) * (2.0 - alpha)) return false;
    }
    return true;
  }
  const double m = static_cast<double>(shape.m);
  const double beta = shape.has_trend ? p.beta : 0.0, gamma = p.gamma;
  if (gamma < std::max(1.0 - 1.0 / phi - alpha, 0.0) || gamma > 1.0 + 1.0 / phi - alpha) {
    return false;
  }
  if (alpha < 1.0 - 1.0 / phi - gamma * (1.0 - m + phi + phi * m) / (2.0 * phi * m)) return false;
  if (beta < -(1.0 - phi) * (gamma / m + alpha)) return false;
  std::vector<double> poly;
  poly.push_back(phi * (1.0 - alpha - gamma));
  poly.push_back(alpha + beta - alpha * phi + gamma - 1.0);
  for (int32_t k = 0; k < shape.m - 2; ++k) poly.push_back(alpha + beta - alpha * phi);
  poly.push_back(alpha + beta - phi);
  poly.push_back(1.0);
  return schur_cohn_stable(std::move(poly), 1.0 + tolerance);
}

// ---- Nelder-Mead
// ---------------------------------------------------------------------------------

std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                                std::vector<double> x0, const std::vector<double>& step,
                                int32_t max_evals, double reltol, double* fbest) {
  const size_t d = x0.size();
  std::vector<std::vector<double>> pts(d + 1, x0);
  std::vector<double> val(d + 1);
  for (size_t i = 0; i < d; ++i) pts[i + 1][i] += step[i];
  int32_t evals = 0;
  for (size_t i = 0; i <= d; ++i) {
    val[i] = f(pts[i]);
    ++evals;
  }
  std::vector<double> centroid(d), xr(d), xe(d), xc(d);
  std::vector<size_t> order(d + 1);
  while (evals < max_evals) {
    for (size_t i = 0; i <= d; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return val[a] < val[b]; });
    const size_t lo = order[0], hi = order[d], nh = order[d - 1];
    if (std::isfinite(val[hi]) && val[hi] - val[lo] <= reltol * (std::fabs(val[lo]) + reltol)) {
      break;
    }
    std::fill(centroid.begin(), centroid.end(), 0.0);
    for (size_t i = 0; i <= d; ++i) {
      if (i == hi) continue;
      for (size_t k = 0; k < d; ++k) centroid[k] += pts[i][k];
    }
    for (size_t k = 0; k < d; ++k) centroid[k] /= static_cast<double>(d);
    for (size_t k = 0; k < d; ++k) xr[k] = centroid[k] + (centroid[k] - pts[hi][k]);
    const double fr = f(xr);
    ++evals;
    if (fr < val[lo]) {
      for (size_t k = 0; k < d; ++k) xe[k] = centroid[k] + 2.0 * (centroid[k] - pts[hi][k]);
      const double fe = f(xe);
      ++evals;
      if (fe < fr) {
        pts[hi] = xe;
        val[hi] = fe;
      } else {
        pts[hi] = xr;
        val[hi] = fr;
      }
      continue;
    }
    if (fr < val[nh]) {
      pts[hi] = xr;
      val[hi] = fr;
      continue;
    }
    // Contraction: outside if the reflection improved on the worst, inside otherwise.
    const bool outside = fr < val[hi];
    for (size_t k = 0; k < d; ++k) {
      xc[k] = outside ? centroid[k] + 0.5 * (xr[k] - centroid[k])
                      : centroid[k] + 0.5 * (pts[hi][k] - centroid[k]);
    }
    const double fc = f(xc);
    ++evals;
    if (fc < (outside ? fr : val[hi])) {
      pts[hi] = xc;
      val[hi] = fc;
      continue;
    }
    // Shrink towards the best point.
    for (size_t i = 0; i <= d; ++i) {
      if (i == lo) continue;
      for (size_t k = 0; k < d; ++k) pts[i][k] = pts[lo][k] + 0.5 * (pts[i][k] - pts[lo][k]);
      val[i] = f(pts[i]);
      ++evals;
    }
  }
  size_t best = 0;
  for (size_t i = 1; i <= d; ++i) {
    if (val[i] < val[best]) best = i;
  }
  *fbest = val[best];
  return pts[best];
}

// ---- initial states (R's initstate)
// --------------------------------------------------------------

namespace {

// Least squares of y on the columns of X (row-major n x p) by normal equations with partial
// pivoting; false when singular.
bool least_squares(const std::vector<double>& x, const std::vector<double>& y, size_t p,
                   std::vector<double>* coef) {
  const size_t n = y.size();
  std::vector<double> a(p * (p + 1), 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t r = 0; r < p; ++r) {
      for (size_t c = 0; c < p; ++c) a[r * (p + 1) + c] += x[i * p + r] * x[i * p + c];
      a[r * (p + 1) + p] += x[i * p + r] * y[i];
    }
  }
  for (size_t col = 0; col < p; ++col) {
    size_t piv = col;
    for (size_t r = col + 1; r < p; ++r) {
      if (std::fabs(a[r * (p + 1) + col]) > std::fabs(a[piv * (p + 1) + col])) piv = r;
    }
    if (!(std::fabs(a[piv * (p + 1) + col]) > 1e-300)) return false;
    for (size_t c = 0; c <= p; ++c) std::swap(a[col * (p + 1) + c], a[piv * (p + 1) + c]);
    for (size_t r = 0; r < p; ++r) {
      if (r == col) continue;
      const double factor = a[r * (p + 1) + col] / a[col * (p + 1) + col];
      for (size_t c = col; c <= p; ++c) a[r * (p + 1) + c] -= factor * a[col * (p + 1) + c];
    }
  }
  coef->assign(p, 0.0);
  for (size_t r = 0; r < p; ++r) (*coef)[r] = a[r * (p + 1) + p] / a[r * (p + 1) + r];
  return true;
}

}  // namespace

// Seasonal component of R's decompose(): centred moving average, per-position means of the
// detrended values, normalized; the first observation is position 1 of the cycle.
std::vector<double> classical_seasonal(const std::vector<double>& y, int32_t m, bool mult) {
  const size_t n = y.size(), mm = static_cast<size_t>(m);
  std::vector<double> detr(n, std::numeric_limits<double>::quiet_NaN());
  const size_t half = mm / 2;
  for (size_t t = half; t + half < n; ++t) {
    double tr = 0.0;
    if (mm % 2 == 0) {
      tr = 0.5 * y[t - half] + 0.5 * y[t + half];
      for (size_t j = t - half + 1; j < t + half; ++j) tr += y[j];
    } else {
      for (size_t j = t - half; j <= t + half; ++j) tr += y[j];
    }
    tr /= static_cast<double>(m);
    detr[t] = mult ? y[t] / tr : y[t] - tr;
  }
  std::vector<double> figure(mm, 0.0);
  double total = 0.0;
  for (size_t i = 0; i < mm; ++i) {
    double sum = 0.0;
    int32_t count = 0;
    for (size_t t = i; t < n; t += mm) {
      if (std::isnan(detr[t])) continue;
      sum += detr[t];
      ++count;
    }
    figure[i] = count > 0 ? sum / count : (mult ? 1.0 : 0.0);
    total += figure[i];
  }
  const double avg = total / static_cast<double>(m);
  for (double& v : figure) v = mult ? (avg != 0.0 ? v / avg : 1.0) : v - avg;
  std::vector<double> out(n);
  for (size_t t = 0; t < n; ++t) out[t] = figure[t % mm];
  return out;
}

bool initial_state(const EtsShape& shape, const std::vector<double>& y, std::vector<double>* x) {
  const size_t n = y.size();
  const int32_t m = shape.has_season ? shape.m : 1;
  std::vector<double> sa = y;  // seasonally adjusted
  std::vector<double> init_seas;
  if (shape.has_season) {
    if (n < 4) return false;
    std::vector<double> seasonal;
    if (n < static_cast<size_t>(3 * m)) {
      // Trend plus one Fourier pair (R: tslm(y ~ trend + fourier(y, 1))).
      const size_t p = m == 2 ? 3 : 4;
      std::vector<double> xm(n * p);
      for (size_t t = 0; t < n; ++t) {
        double c = 0.0, s = 0.0;
        cos_sin_turns(static_cast<double>(t + 1) / m, &c, &s);
        xm[t * p] = 1.0;
        xm[t * p + 1] = static_cast<double>(t + 1);
        xm[t * p + 2] = m == 2 ? c : s;  // fourier(., 1) drops the zero sine at m = 2
        if (p == 4) xm[t * p + 3] = c;
      }
      std::vector<double> coef;
      if (!least_squares(xm, y, p, &coef)) return false;
      seasonal.resize(n);
      for (size_t t = 0; t < n; ++t) {
        const double tr = coef[0] + coef[1] * static_cast<double>(t + 1);
        seasonal[t] = shape.mult_season ? y[t] / tr : y[t] - tr;
      }
    } else {
      seasonal = classical_seasonal(y, m, shape.mult_season);
    }
    for (int32_t j = m - 1; j >= 1; --j) init_seas.push_back(seasonal[static_cast<size_t>(j)]);
    if (shape.mult_season) {
      double sum = 0.0;
      for (double& v : init_seas) {
        v = std::max(v, 0.01);
        sum += v;
      }
      if (sum > m) {
        const double denom = sum + 0.01 * static_cast<double>(init_seas.size());
        for (double& v : init_seas) v /= denom;
      }
      for (size_t t = 0; t < n; ++t) sa[t] = y[t] / std::max(seasonal[t], 0.01);
    } else {
      for (size_t t = 0; t < n; ++t) sa[t] = y[t] - seasonal[t];
    }
  }
  const size_t maxn = std::min(static_cast<size_t>(std::max(10, 2 * m)), n);
  x->clear();
  if (!shape.has_trend) {
    double sum = 0.0;
    for (size_t t = 0; t < maxn; ++t) sum += sa[t];
    x->push_back(sum / static_cast<double>(maxn));
  } else {
    // lsfit(1:maxn, y.sa[1:maxn]).
    double mt = 0.0, my = 0.0;
    for (size_t t = 0; t < maxn; ++t) {
      mt += static_cast<double>(t + 1);
      my += sa[t];
    }
    mt /= static_cast<double>(maxn);
    my /= static_cast<double>(maxn);
    double sxy = 0.0, sxx = 0.0;
    for (size_t t = 0; t < maxn; ++t) {
      const double dt = static_cast<double>(t + 1) - mt;
      sxy += dt * (sa[t] - my);
      sxx += dt * dt;
    }
    double b0 = sxx > 0.0 ? sxy / sxx : 0.0;
    double l0 = my - b0 * mt;
    if (std::fabs(l0 + b0) < 1e-8) {
      l0 *= 1.001;
      b0 *= 0.999;
    }
    x->push_back(l0);
    x->push_back(b0);
  }
  for (double v : init_seas) x->push_back(v);
  for (double v : *x) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

}  // namespace detail
}  // namespace shelfcast
