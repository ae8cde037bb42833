#pragma once
// Golden-section search for the minimum of a function of one variable, shared by the fits that
// profile one parameter (SES and ETS smoothing, intermittent constants, the regression's alpha,
// the promotion panel's cannibalization coefficient).

#include <cmath>
#include <cstdint>

namespace shelfcast::detail {

/// The bracket a golden-section search ends with.
struct GoldenBracket {
  double lo = 0.0, hi = 0.0;
  double mid() const { return 0.5 * (lo + hi); }
};

/// Narrows [lo, hi] by `iterations` golden-section steps on f, each keeping the side of the
/// smaller of the two inner values (the left one on a tie). For f unimodal on [lo, hi] its
/// minimum stays inside; the bracket is (hi - lo) 0.618^iterations wide.
template <typename F>
GoldenBracket golden_section_bracket(F&& f, double lo, double hi, int32_t iterations) {
  const double golden = (std::sqrt(5.0) - 1.0) / 2.0;
  double x1 = hi - golden * (hi - lo), x2 = lo + golden * (hi - lo);
  double f1 = f(x1), f2 = f(x2);
  for (int32_t i = 0; i < iterations; ++i) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - golden * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + golden * (hi - lo);
      f2 = f(x2);
    }
  }
  return GoldenBracket{lo, hi};
}

/// The midpoint of golden_section_bracket's final bracket: the minimum of a unimodal f.
template <typename F>
double golden_section_min(F&& f, double lo, double hi, int32_t iterations) {
  return golden_section_bracket(f, lo, hi, iterations).mid();
}

}  // namespace shelfcast::detail
