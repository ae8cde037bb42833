#pragma once
// What the cannibalization pressure X does to a product's units (promo.h): they are multiplied by
// 1 + g X, a fixed share of the siblings' extra units taken in proportion to the product's own
// (g < 0), never below kPressureFloor of them. One definition for the fit, predictions and the
// simulator.
#include <algorithm>
#include <cmath>

#include "detail/rng.h"

namespace shelfcast::detail {

/// The least share of its usual units a cannibalized product keeps: its loyal buyers. Without a
/// floor, the few weeks where deep promotions of elastic siblings (10-20x lifts) would take more
/// than all of a product's units pull the share toward them (bench_promo_truth: shares 0.64x the
/// truth on the generator's data with a floor of 0.05, whose cannibalization_floor is 0.2).
constexpr double kPressureFloor = 0.2;

/// 1 + g x, at least kPressureFloor.
inline double pressure_factor(double g, double x) { return std::max(kPressureFloor, 1.0 + g * x); }

/// log(pressure_factor(g, x)): the pressure's term on the model's log scale.
inline double pressure_log(double g, double x) {
  return g * x == 0.0 ? 0.0 : log_portable(pressure_factor(g, x));
}

/// The pressure column of a prediction's design row under the model's g: pressure_log(g, x) / g
/// (x itself at g = 0), so that the coefficient g times it is the term pressure_log(g, x).
inline double pressure_regressor(double g, double x) {
  return std::fabs(g) < 1e-9 ? x : pressure_log(g, x) / g;
}

}  // namespace shelfcast::detail
