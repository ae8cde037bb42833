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
    if (variant == 1) {
      // Cross effects: a sibling's promotion should take sales (cross_depth < 0, i.e. a
      // positive cross-price effect).
      int expected_sign = 0;
      for (const auto& p : fit->products) expected_sign += p.cross_depth.estimate < 0.0 ? 1 : 0;
      std::printf("BENCH promo_oj_cross_effects_expected_sign %d of %zu brands (bar: most)\n",
                  expected_sign, fit->products.size());
    }
  }

  // Held out: fit on the first 80% of weeks, predict the last 20% from their actual prices,
  // deals and features (what `shelfcast promo predict` runs), against the same panel model
  // without promotion terms (price ratio 1, no depth, no feature: each store x brand level).
  std::vector<int> weeks;
  for (const Raw& r : raw) weeks.push_back(r.week);
  std::sort(weeks.begin(), weeks.end());
  weeks.erase(std::unique(weeks.begin(), weeks.end()), weeks.end());
  const int cutoff = weeks[static_cast<size_t>(0.8 * static_cast<double>(weeks.size())) - 1];
  std::map<std::pair<int, int>, std::vector<double>> train_prices;
  for (const Raw& r : raw)
    if (r.week <= cutoff) train_prices[{r.store, r.brand}].push_back(r.price);
  std::map<std::pair<int, int>, double> train_ref;
  for (auto& kv : train_prices) {
    std::vector<double>& v = kv.second;
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    train_ref[kv.first] = v[v.size() / 2];
  }
  double wape[2] = {0.0, 0.0};
  for (int with_promo = 0; with_promo < 2; ++with_promo) {
    std::vector<shelfcast::PromoObservation> train, test;
    std::vector<bool> promo_week;
    for (const Raw& r : raw) {
      const auto ref_it = train_ref.find({r.store, r.brand});
      if (ref_it == train_ref.end()) continue;
      shelfcast::PromoObservation o;
      o.store = r.store;
      o.product = r.brand;
      o.week = r.week;
      o.units = r.move;
      if (with_promo == 1) {
        o.price_ratio = std::min(10.0, r.price / ref_it->second);
        o.promo_depth = r.deal > 0.0 ? std::clamp(1.0 - o.price_ratio, 0.0, 0.95) : 0.0;
        o.feature = r.feat;
      }
      if (r.week <= cutoff) {
        train.push_back(o);
      } else {
        test.push_back(o);
        promo_week.push_back(r.deal > 0.0 || r.feat > 0.0);
      }
    }
    const auto fit = shelfcast::fit_promo_model(train, "refrigerated orange juice");
    if (!fit.is_ok()) return 1;
    const auto pred = shelfcast::predict_promo_interval(*fit, test, 80.0);
    if (!pred.is_ok()) {
      std::fprintf(stderr, "predict failed: %s\n", pred.status().message().c_str());
      return 1;
    }
    double abs_err = 0.0, actual = 0.0, inside = 0.0, n_promo = 0.0;
    for (size_t i = 0; i < test.size(); ++i) {
      if (!promo_week[i]) continue;
      abs_err += std::fabs((*pred)[i].mean - test[i].units);
      actual += test[i].units;
      inside += (test[i].units >= (*pred)[i].lower && test[i].units <= (*pred)[i].upper) ? 1 : 0;
      n_promo += 1.0;
    }
    wape[with_promo] = abs_err / actual;
    std::printf(
        "held out (weeks > %d): %zu rows, %.0f promotion rows; %s WAPE %.3f, 80%% "
        "interval coverage %.1f%%\n",
        cutoff, test.size(), n_promo,
        with_promo ? "with price, deal and feature" : "without promotion terms", wape[with_promo],
        100.0 * inside / n_promo);
  }
  std::printf("BENCH promo_oj_heldout_wape_promo_weeks %.3f (without promotion terms %.3f)\n",
              wape[1], wape[0]);
  std::printf("BENCH promo_oj_heldout_wape_reduction %.1f %% (bar: at least 25%%)\n",
              100.0 * (1.0 - wape[1] / wape[0]));
  return 0;
}
