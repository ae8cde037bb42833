// Nelder & Mead (1965) with the standard coefficients (reflection 1, expansion 2, contraction
// 1/2, shrink 1/2), as in Lagarias et al. (1998), SIAM J. Optim. 9(1).

#include "customer/nelder_mead.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace shelfcast::detail {
namespace {

struct Point {
  std::vector<double> x;
  double f = 0.0;
};

}  // namespace

NelderMeadResult nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                             const std::vector<double>& x0, const NelderMeadOptions& options) {
  const size_t n = x0.size();
  NelderMeadResult result;
  int32_t evaluations = 0;
  auto eval = [&](const std::vector<double>& x) {
    ++evaluations;
    for (double v : x) {
      if (!(std::fabs(v) <= options.bound)) return HUGE_VAL;
    }
    const double v = f(x);
    return std::isfinite(v) ? v : HUGE_VAL;
  };
  Point best{x0, eval(x0)};
  bool converged = false;
  for (int32_t run = 0; run <= options.restarts; ++run) {
    std::vector<Point> simplex(n + 1);
    simplex[0] = best;
    for (size_t i = 0; i < n; ++i) {
      simplex[i + 1].x = best.x;
      simplex[i + 1].x[i] += options.initial_step;
      simplex[i + 1].f = eval(simplex[i + 1].x);
    }
    const int32_t budget_end = evaluations + options.max_evaluations;
    converged = false;
    std::vector<double> centroid(n), trial(n), second(n);
    while (evaluations < budget_end) {
      std::stable_sort(simplex.begin(), simplex.end(),
                       [](const Point& a, const Point& b) { return a.f < b.f; });
      const double f_low = simplex[0].f, f_high = simplex[n].f;
      if (std::isfinite(f_high) && f_high - f_low <= options.tolerance * (1.0 + std::fabs(f_low))) {
        converged = true;
        break;
      }
      std::fill(centroid.begin(), centroid.end(), 0.0);
      for (size_t k = 0; k < n; ++k) {
        for (size_t i = 0; i < n; ++i) centroid[i] += simplex[k].x[i];
      }
      for (double& c : centroid) c /= static_cast<double>(n);
      Point& worst = simplex[n];
      for (size_t i = 0; i < n; ++i) trial[i] = centroid[i] + (centroid[i] - worst.x[i]);
      const double f_reflect = eval(trial);
      if (f_reflect < simplex[0].f) {
        for (size_t i = 0; i < n; ++i) second[i] = centroid[i] + 2.0 * (centroid[i] - worst.x[i]);
        const double f_expand = eval(second);
        if (f_expand < f_reflect) {
          worst.x = second;
          worst.f = f_expand;
        } else {
          worst.x = trial;
          worst.f = f_reflect;
        }
        continue;
      }
      if (f_reflect < simplex[n - 1].f) {
        worst.x = trial;
        worst.f = f_reflect;
        continue;
      }
      bool shrink = false;
      if (f_reflect < worst.f) {  // outside contraction
        for (size_t i = 0; i < n; ++i) second[i] = centroid[i] + 0.5 * (trial[i] - centroid[i]);
        const double f_c = eval(second);
        if (f_c <= f_reflect) {
          worst.x = second;
          worst.f = f_c;
        } else {
          shrink = true;
        }
      } else {  // inside contraction
        for (size_t i = 0; i < n; ++i) second[i] = centroid[i] + 0.5 * (worst.x[i] - centroid[i]);
        const double f_c = eval(second);
        if (f_c < worst.f) {
          worst.x = second;
          worst.f = f_c;
        } else {
          shrink = true;
        }
      }
      if (shrink) {
        for (size_t k = 1; k <= n; ++k) {
          for (size_t i = 0; i < n; ++i) {
            simplex[k].x[i] = simplex[0].x[i] + 0.5 * (simplex[k].x[i] - simplex[0].x[i]);
          }
          simplex[k].f = eval(simplex[k].x);
        }
      }
    }
    for (const Point& p : simplex) {
      if (p.f < best.f) best = p;
    }
  }
  result.x = best.x;
  result.f = best.f;
  result.evaluations = evaluations;
  result.converged = converged;
  return result;
}

}  // namespace shelfcast::detail
