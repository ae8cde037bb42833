#pragma once
// A synthetic promotion panel drawn from promo.h's model itself, shared by the fit and the
// simulation tests.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/promo.h"

namespace shelfcast::testing {

struct Truth {
  double elasticity;
  double lift_per_depth;
  double feature;  // log multiplier
  double display;  // log multiplier
  double cross;    // log effect per unit of siblings' summed depth
  double pull_forward;
  double dip;
  double hinge = 0.0;  // extra log-lift per unit of depth beyond 0.3 (the default threshold)
  double store_elasticity_sd = 0.0;  // sd of each store's elasticity shift (0 = none drawn)
};

// A panel drawn from promo.h's model itself: product x store levels, regular-price moves, and
// promotions of 1-2 weeks with gaps, lognormal noise of sd noise_sd.
// `store_shift`, when given, receives each store's elasticity shift per product ([store][i]).
inline std::vector<PromoObservation> make_panel(
    const std::vector<Truth>& truth, int32_t n_stores, int32_t n_weeks, double noise_sd,
    uint64_t seed, bool price_moves = true,
    std::vector<std::vector<double>>* store_shift = nullptr) {
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
    for (size_t i = 0; i < np; ++i) {
      const Truth& t = truth[i];
      const double level = std::log(100.0) + rng.uniform(-0.5, 0.5);
      const double shift = t.store_elasticity_sd > 0.0 ? t.store_elasticity_sd * rng.normal() : 0.0;
      if (store_shift) {
        store_shift->resize(static_cast<size_t>(n_stores), std::vector<double>(np, 0.0));
        (*store_shift)[static_cast<size_t>(s)][i] = shift;
      }
      for (size_t w = 0; w < nw; ++w) {
        const bool on = depth[i][w] > 0.0;
        double other = 0.0;  // siblings' depth: cannibalizes only while i is not promoted
        for (size_t j = 0; j < np && !on; ++j)
          if (j != i) other += depth[j][w];
        const bool pre = !on && w + 1 < nw && depth[i][w + 1] > 0.0;
        const bool post = !on && w >= 1 && depth[i][w - 1] > 0.0;
        const double ratio = regular[i][w] * (1.0 - depth[i][w]);
        const double z =
            level + (t.elasticity + shift) * std::log(ratio) + t.lift_per_depth * depth[i][w] +
            t.feature * feat[i][w] + t.display * disp[i][w] + t.cross * other +
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
