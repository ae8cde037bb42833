// Promotion panel model on Dominick's orange juice (store x brand x week), read from stdin:
//   zcat ../shared/data/dominicks_oj_store_week.csv.gz | build/.../tests/bench_promo
// Prints per-brand and pooled own-price elasticities beside the published -2.5 (-1.0..-3.3) and
// the feature log-lift beside 0.75 (Montgomery 1997; shared/data/README.md), and the fit time.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "shelfcast/promo.h"

int main() {
  std::string line;
  std::getline(std::cin, line);  // header
  struct Raw {
    int store, brand, week;
    double move, price, deal, feat;
  };
  std::vector<Raw> raw;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> c;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) c.push_back(cell);
    if (c.size() < 21) continue;
    raw.push_back(Raw{std::stoi(c[0]), std::stoi(c[1]), std::stoi(c[2]), std::stod(c[19]),
                      std::stod(c[20]), std::stod(c[16]), std::stod(c[17])});
  }
  // Reference (regular) price of a store x brand: its median price.
  std::map<std::pair<int, int>, std::vector<double>> prices;
  for (const Raw& r : raw) prices[{r.store, r.brand}].push_back(r.price);
  std::map<std::pair<int, int>, double> ref;
  for (auto& kv : prices) {
    std::vector<double>& v = kv.second;
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    ref[kv.first] = v[v.size() / 2];
  }
  for (int variant = 0; variant < 2; ++variant) {
    std::vector<shelfcast::PromoObservation> panel;
    for (const Raw& r : raw) {
      shelfcast::PromoObservation o;
      o.store = r.store;
      o.product = r.brand;
      o.week = r.week;
      o.units = r.move;
      o.price_ratio = r.price / ref[{r.store, r.brand}];
      // Dominick's has no depth: on a deal week, the cut below the store x brand median price.
      o.promo_depth =
          (variant == 1 && r.deal > 0.0) ? std::clamp(1.0 - o.price_ratio, 0.0, 0.95) : 0.0;
      o.feature = r.feat;
      panel.push_back(o);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto fit = shelfcast::fit_promo_model(panel, "refrigerated orange juice");
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!fit.is_ok()) {
      std::fprintf(stderr, "fit failed: %s\n", fit.status().message().c_str());
      return 1;
    }
    std::printf("\n== variant %s: %zu rows, fit %.0f ms, %s\n",
                variant == 0 ? "price+feature (published spec)" : "price+deal depth+feature",
                panel.size(), ms, fit->model_version.c_str());
    std::printf("brand  elasticity (se)     lift/depth  feature (se)    cross   post-dip\n");
    double wsum = 0.0, esum = 0.0, fsum = 0.0, fw = 0.0, mean_e = 0.0;
    for (const auto& p : fit->products) {
      std::printf("%5d  %6.2f (%.2f)  %9.2f  %6.2f (%.2f)  %6.2f  %6.2f\n", p.product,
                  p.elasticity.estimate, p.elasticity.se, p.lift_per_depth.estimate,
                  p.feature.estimate, p.feature.se, p.cross_depth.estimate, p.post_week.estimate);
      const double w = 1.0 / (p.elasticity.se * p.elasticity.se + 1e-12);
      wsum += w;
      mean_e += p.elasticity.estimate / static_cast<double>(fit->products.size());
      esum += w * p.elasticity.estimate;
      const double v = 1.0 / (p.feature.se * p.feature.se + 1e-12);
      fw += v;
      fsum += v * p.feature.estimate;
    }
    std::printf(
        "pooled (inverse-variance) elasticity %.2f  vs published -2.5 (per brand -1.0..-3.3)\n",
        esum / wsum);
    std::printf("mean of brand elasticities %.2f\n", mean_e);
    std::printf("pooled feature log-lift %.2f  vs published 0.75\n", fsum / fw);
    const char* tag = variant == 0 ? "promo_oj" : "promo_oj_deal";
    std::printf("BENCH %s_elasticity_pooled %.2f (published -2.5)\n", tag, esum / wsum);
    std::printf("BENCH %s_elasticity_brand_mean %.2f\n", tag, mean_e);
    std::printf("BENCH %s_feature_log_lift %.2f (published 0.75)\n", tag, fsum / fw);
    std::printf("BENCH %s_fit_ms %.0f ms\n", tag, ms);
  }
  return 0;
}
