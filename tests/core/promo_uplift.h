#pragma once
// The uplift of one promotion under the log-linear response the generator draws from and the
// models fit (generate.h, regression.h, promo.h): units with / without it - 1, for an elasticity
// e, an extra lift per unit depth l, log multipliers of feature and display, and an optional
// extra log term (the promo panel's bend past its depth threshold).
#include <cmath>

namespace shelfcast::testing {

inline double promotion_uplift(double elasticity, double lift_per_depth, double feature_log,
                               double display_log, double depth, double featured, double displayed,
                               double extra_log = 0.0) {
  return std::exp(elasticity * std::log(1.0 - depth) + lift_per_depth * depth +
                  feature_log * featured + display_log * displayed + extra_log) -
         1.0;
}

}  // namespace shelfcast::testing
