#include "detail/rng.h"

#include <algorithm>

namespace shelfcast::detail {

double log_gamma(double x) {
  // Stirling series coefficients B_2k / (2k (2k - 1)), k = 1..10.
  static const double kCoef[10] = {
      8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04, -5.952380952380952e-04,
      8.417508417508418e-04, -1.917526917526918e-03, 6.410256410256410e-03, -2.955065359477124e-02,
      1.796443723688307e-01, -1.39243221690590e+00};
  static const double kHalfLogTwoPi = 0.91893853320467274178;
  if (x == 1.0 || x == 2.0) return 0.0;
  // Shift small arguments up to 7 or more, where the series is accurate, and shift back after.
  int n = 0;
  double x0 = x;
  if (x <= 7.0) {
    n = static_cast<int>(7.0 - x);
    x0 = x + n;
  }
  const double x2 = 1.0 / (x0 * x0);
  double series = kCoef[9];
  for (int k = 8; k >= 0; --k) series = series * x2 + kCoef[k];
  double result = series / x0 + kHalfLogTwoPi + (x0 - 0.5) * log_portable(x0) - x0;
  for (int k = 0; k < n; ++k) {
    x0 -= 1.0;
    result -= log_portable(x0);
  }
  return result;
}

void cos_sin_turns(double turns, double* cos_out, double* sin_out) {
  // Taylor coefficients (-1)^n / (2n+1)! and (-1)^n / (2n)!, n = 0..9: error below 1e-17 for
  // angles up to pi / 4.
  static const double kSin[] = {1.0,
                                -1.0 / 6.0,
                                1.0 / 120.0,
                                -1.0 / 5040.0,
                                1.0 / 362880.0,
                                -1.0 / 39916800.0,
                                1.0 / 6227020800.0,
                                -1.0 / 1307674368000.0,
                                1.0 / 355687428096000.0,
                                -1.0 / 121645100408832000.0};
  static const double kCos[] = {1.0,
                                -1.0 / 2.0,
                                1.0 / 24.0,
                                -1.0 / 720.0,
                                1.0 / 40320.0,
                                -1.0 / 3628800.0,
                                1.0 / 479001600.0,
                                -1.0 / 87178291200.0,
                                1.0 / 20922789888000.0,
                                -1.0 / 6402373705728000.0};
  constexpr int kTerms = 10;
  // Exact reduction: u in [0, 1), octant o, and v in [0, 1/8] turns inside it (odd octants
  // mirrored), so the polynomial only sees angles in [0, pi/4].
  const double u = turns - std::floor(turns);
  const double eighths = u * 8.0;  // exact: a power-of-two scaling
  int octant = static_cast<int>(std::floor(eighths));
  if (octant > 7) octant = 7;
  double v = (eighths - octant) / 8.0;
  if (octant & 1) v = 0.125 - v;
  const double a = v * 6.283185307179586476925;
  const double a2 = a * a;
  double s = kSin[kTerms - 1], c = kCos[kTerms - 1];
  for (int k = kTerms - 2; k >= 0; --k) {
    s = s * a2 + kSin[k];
    c = c * a2 + kCos[k];
  }
  s *= a;
  // Octant o holds angles [o pi/4, (o+1) pi/4): map (cos, sin) of the reduced angle back.
  double co = 0.0, si = 0.0;
  switch (octant) {
    case 0:
      co = c;
      si = s;
      break;
    case 1:  // pi/2 - a
      co = s;
      si = c;
      break;
    case 2:  // pi/2 + a
      co = -s;
      si = c;
      break;
    case 3:  // pi - a
      co = -c;
      si = s;
      break;
    case 4:  // pi + a
      co = -c;
      si = -s;
      break;
    case 5:  // 3 pi/2 - a
      co = -s;
      si = -c;
      break;
    case 6:  // 3 pi/2 + a
      co = s;
      si = -c;
      break;
    default:  // 2 pi - a
      co = c;
      si = -s;
      break;
  }
  *cos_out = co;
  *sin_out = si;
}

double Rng::gamma(double shape, double scale) {
  if (!(shape > 0.0) || !(scale > 0.0)) return 0.0;
  if (shape < 1.0) {
    // Boost: Gamma(k) = Gamma(k + 1) * U^(1/k).
    return gamma(shape + 1.0, scale) * pow_portable(uniform_open(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0.0, v = 0.0;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = uniform_open();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v * scale;
    if (log_portable(u) < 0.5 * x2 + d * (1.0 - v + log_portable(v))) return d * v * scale;
  }
}

double Rng::beta(double a, double b) {
  const double x = gamma(a, 1.0);
  const double y = gamma(b, 1.0);
  const double sum = x + y;
  // Both can underflow to 0 for tiny shapes; fall back to the mean then.
  return sum > 0.0 ? x / sum : a / (a + b);
}

int64_t Rng::poisson_ptrs(double mean) {
  // Hoermann (1993), "The transformed rejection method for generating Poisson random variables",
  // algorithm PTRS, for mean >= 10.
  const double slam = std::sqrt(mean);
  const double loglam = log_portable(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double log_inv_alpha = log_portable(1.1239 + 1.1328 / (b - 3.4));
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = uniform() - 0.5;
    const double v = uniform_open();
    const double us = 0.5 - std::fabs(u);
    if (us <= 0.0) continue;
    const double kd = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<int64_t>(kd);
    if (kd < 0.0 || (us < 0.013 && v > us)) continue;
    if (kd > 1e18) continue;
    if (log_portable(v) + log_inv_alpha - log_portable(a / (us * us) + b) <=
        -mean + kd * loglam - log_gamma(kd + 1.0)) {
      return static_cast<int64_t>(kd);
    }
  }
}

AliasTable::AliasTable(const std::vector<double>& weights) {
  const size_t n = weights.size();
  prob_.assign(n, 1.0);
  alias_.resize(n);
  for (size_t i = 0; i < n; ++i) alias_[i] = static_cast<int32_t>(i);
  if (n == 0) return;
  double total = 0.0;
  for (double w : weights) total += w > 0.0 ? w : 0.0;
  if (!(total > 0.0)) return;  // uniform
  std::vector<double> scaled(n);
  std::vector<size_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = (weights[i] > 0.0 ? weights[i] : 0.0) * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(i);
  }
  while (!small.empty() && !large.empty()) {
    const size_t s = small.back();
    small.pop_back();
    const size_t l = large.back();
    prob_[s] = scaled[s];
    alias_[s] = static_cast<int32_t>(l);
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers are 1 up to rounding.
  for (size_t i : large) prob_[i] = 1.0;
  for (size_t i : small) prob_[i] = 1.0;
}

int32_t sample_cumulative(const std::vector<double>& cumulative, Rng* rng) {
  if (cumulative.empty()) return -1;
  const double target = rng->uniform() * cumulative.back();
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  const auto index = static_cast<int32_t>(it - cumulative.begin());
  return index < static_cast<int32_t>(cumulative.size())
             ? index
             : static_cast<int32_t>(cumulative.size()) - 1;
}

}  // namespace shelfcast::detail
