#pragma once
// A synthetic promotion panel drawn from promo.h's model itself, shared by the fit and the
// simulation tests.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "detail/rng.h"
#include "promo/pressure.h"
#include "shelfcast/promo.h"

namespace shelfcast::testing {

struct Truth {
  double elasticity;
  double lift_per_depth;
  double feature;  // log multiplier
  double display;  // log multiplier
  double cross;    // g: units times 1 + g X under cannibalization pressure X (promo.h)
  double pull_forward;
  double dip;
  double hinge = 0.0;  // extra log-lift per unit of depth beyond 0.3 (the default threshold)
  double store_elasticity_sd = 0.0;  // sd of each store's elasticity shift (0 = none drawn)
};

// The promotion multiplier of promo.h (discount, bend past 30% off, feature, display).
inline double promotion_multiplier(const Truth& t, double depth, double feature, double display) {
  return std::exp(t.elasticity * std::log(1.0 - depth) + t.lift_per_depth * depth +
                  t.hinge * std::max(0.0, depth - 0.3) + t.feature * feature + t.display * display);
}

// A panel drawn from promo.h's model itself: product x store levels, regular-price moves, and
// promotions of 1-2 weeks with gaps, lognormal noise of sd noise_sd. The cannibalization
// pressure on a product not promoted in (store, week) is the promoted products' extra units
// exp(level) f (m - 1) over the store's summed exp(level), divided by the product's own f, with
// f = regular price ratio ^ elasticity, times its pull-forward or dip in the weeks next to its
// own promotions (promo.h; the noise's exp(sd^2 / 2) cancels).
// `store_shift`, when given, receives each store's elasticity shift per product ([store][i]);
// `levels`, each product's log level per store ([store][i]).
inline std::vector<PromoObservation> make_panel(
    const std::vector<Truth>& truth, int32_t n_stores, int32_t n_weeks, double noise_sd,
    uint64_t seed, bool price_moves = true, std::vector<std::vector<double>>* store_shift = nullptr,
    std::vector<std::vector<double>>* levels = nullptr) {
  shelfcast::detail::Rng rng(seed);
  const size_t np = truth.size();
  const size_t nw = static_cast<size_t>(n_weeks);
  std::vector<PromoObservation> out;
  for (int32_t s = 0; s < n_stores; ++s) {
    // Promotion calendar per product: depth, feature, display per week.
    std::vector<std::vector<double>> depth(np, std::vector<double>(nw, 0.0));
    std::vector<std::vector<double>> feat(np, std::vector<double>(nw, 0.0));
    std::vector<std::vector<double>> disp(np, std::vector<double>(nw, 0.0));
    std::vector<std::vector<double>> regular(np, std::vector<double>(nw, 1.0));
    for (size_t i = 0; i < np; ++i) {
      double reg = 1.0;
      for (size_t w = 0; w < nw; ++w) {
        if (price_moves && rng.bernoulli(0.08)) reg = rng.uniform(0.85, 1.15);
        regular[i][w] = reg;
      }
      for (size_t w = 2; w + 3 < nw;) {
        if (rng.bernoulli(0.1)) {
          const double d = rng.uniform(0.1, 0.5);
          const double f = rng.bernoulli(0.3) ? 1.0 : 0.0;
          const double x = rng.bernoulli(0.25) ? 1.0 : 0.0;
          const size_t len = static_cast<size_t>(rng.between(1, 2));
          for (size_t k = 0; k < len; ++k) {
            depth[i][w + k] = d;
            feat[i][w + k] = f;
            disp[i][w + k] = x;
          }
          w += len + 3;
        } else {
          ++w;
        }
      }
    }
    std::vector<double> level_of(np);
    double store_units = 0.0;
    for (size_t i = 0; i < np; ++i) {
      level_of[i] = std::log(100.0) + rng.uniform(-0.5, 0.5);
      store_units += std::exp(level_of[i]);
    }
    if (levels) {
      levels->resize(static_cast<size_t>(n_stores));
      (*levels)[static_cast<size_t>(s)] = level_of;
    }
    std::vector<double> pressure(nw, 0.0);
    for (size_t w = 0; w < nw; ++w) {
      for (size_t j = 0; j < np; ++j)
        if (depth[j][w] > 0.0)
          pressure[w] +=
              std::exp(level_of[j]) * std::pow(regular[j][w], truth[j].elasticity) *
              (promotion_multiplier(truth[j], depth[j][w], feat[j][w], disp[j][w]) - 1.0);
      pressure[w] /= store_units;
    }
    for (size_t i = 0; i < np; ++i) {
      const Truth& t = truth[i];
      const double level = level_of[i];
      const double shift = t.store_elasticity_sd > 0.0 ? t.store_elasticity_sd * rng.normal() : 0.0;
      if (store_shift) {
        store_shift->resize(static_cast<size_t>(n_stores), std::vector<double>(np, 0.0));
        (*store_shift)[static_cast<size_t>(s)][i] = shift;
      }
      for (size_t w = 0; w < nw; ++w) {
        const bool on = depth[i][w] > 0.0;
        const bool pre = !on && w + 1 < nw && depth[i][w + 1] > 0.0;
        const bool post = !on && w >= 1 && depth[i][w - 1] > 0.0;
        // cannibalizes only while i is not promoted; over its own factor that week, dip included
        const double own = std::pow(regular[i][w], t.elasticity) *
                           (pre ? 1.0 - t.pull_forward : 1.0) * (post ? 1.0 - t.dip : 1.0);
        const double other = on ? 0.0 : pressure[w] / own;
        const double ratio = regular[i][w] * (1.0 - depth[i][w]);
        const double z =
            level + (t.elasticity + shift) * std::log(ratio) + t.lift_per_depth * depth[i][w] +
            t.feature * feat[i][w] + t.display * disp[i][w] + detail::pressure_log(t.cross, other) +
            (pre ? std::log(1.0 - t.pull_forward) : 0.0) + (post ? std::log(1.0 - t.dip) : 0.0) +
            t.hinge * std::max(0.0, depth[i][w] - 0.3) + noise_sd * rng.normal();
        PromoObservation r;
        r.store = s;
        r.product = static_cast<int32_t>(i);
        r.week = static_cast<int32_t>(w);
        r.units = std::exp(z);
        r.price_ratio = ratio;
        r.promo_depth = depth[i][w];
        r.feature = feat[i][w];
        r.display = disp[i][w];
        out.push_back(r);
      }
    }
  }
  return out;
}

}  // namespace shelfcast::testing
