// Promotion panel model against the project generator's known truth (generate.h), fitted from
// weekly store x product aggregates as `shelfcast promo fit` builds them: promotion uplift per
// product, the split into elasticity and lift, and what partial pooling over the category adds.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "promo_truth.h"
#include "shelfcast/generate.h"
#include "shelfcast/promo.h"
#include "shelfcast/promo_sim.h"
#include "shelfcast/series.h"

using namespace shelfcast;

namespace {

using testing::promo_truth_config;
using testing::promo_truth_panels;

struct Errors {
  double uplift_mean = 0.0, uplift_worst = 0.0, elasticity_mean = 0.0, lift_abs_mean = 0.0;
  int products = 0, uplift_within_10 = 0;
};

// The uplift of each product's promotions as they ran, model against truth, and the elasticity
// and lift split (promo_truth.h), added to `e`.
Errors score(const GeneratedData& g, const PromoModel& m, Errors e) {
  for (const testing::ProductTruthScore& s : testing::score_uplift(g, m)) {
    const double err = std::fabs(s.uplift / s.uplift_truth - 1.0);
    MESSAGE("product " << s.product << " (" << s.promotions << " promotions): uplift as run "
                       << s.uplift << " (truth " << s.uplift_truth << ", error " << err
                       << "); elasticity " << s.elasticity << " (truth " << s.elasticity_truth
                       << "), lift/depth " << s.lift_per_depth << " (truth "
                       << s.lift_per_depth_truth << ")");
    e.uplift_mean += err;
    e.uplift_worst = std::max(e.uplift_worst, err);
    e.uplift_within_10 += err < 0.10 ? 1 : 0;
    e.elasticity_mean += std::fabs(s.elasticity / s.elasticity_truth - 1.0);
    e.lift_abs_mean += std::fabs(s.lift_per_depth - s.lift_per_depth_truth);
    e.products += 1;
  }
  return e;
}

}  // namespace

TEST_CASE("promo fit: the project generator's known truth (uplift as run, and the split)") {
  // Measured (seed 2027, promo-panel-10: holidays in average days, a year of 365.25 days, a
  // quasi-likelihood fit of log mu): with partial pooling over the category (default), the uplift
  // of each product's promotions as they ran is within 10% of the truth for 13 of 13 products
  // (mean 2.5%, worst 6.4%); each product's own fit does about as well on the total (mean 2.6%,
  // worst 6.8%). The split into own-price elasticity and lift per depth: elasticity mean relative
  // error 8.0% (own fits) and 8.1% (pooled), lift per depth mean absolute error 0.19 -> 0.18 (on
  // these 6 stores a little worse than promo-panel-9's log(units + 1) read through its Poisson
  // moments, 7.1% and 7.0%, 0.18 -> 0.16, but without its bias where units are few: on 384 stores
  // 63 of 65 elasticities and dips within 10% against 62 and 60; promo-panel-8, of
  // log(units + 1): 6.6% and 6.8%, but on 96 stores 59 of 65 elasticities within 10% against 64
  // now; promo-panel-7, a 52-week year: 6.8% and 6.9%; promo-panel-6, with a 0/1 holiday flag: 7.8%
  // and 8.6%, 0.18 -> 0.14; promo-panel-5: 8.4% and 8.9%, 0.20 -> 0.14; promo-panel-4: 8.1%
  // and 8.8%, 0.19 -> 0.14). (Promo-panel-3, whose pressure was a log effect: 12 of 13,
  // elasticity 9.1% -> 8.6%, lift 0.22
  // -> 0.16.) Promo-panel-2 split it much worse (elasticity 22%
  // -> 19%, lift 0.44 -> 0.34): its siblings' depth term took the same fraction of a product's
  // units in every week, while the generator takes a fixed share of the promoted siblings' extra
  // units, relatively more when the product sells below its level (after a regular-price rise); the
  // log model read that as extra price sensitivity. Since promo-panel-3 the pressure is on a fixed
  // share of units (promo.h). Before the siblings' term was confined to a product's unpromoted
  // weeks, co-promoted siblings read as cannibalization of the promoted product itself and lifts
  // came out 1.5-3x the truth.
  const GeneratorConfig config = promo_truth_config();
  Result<GeneratedData> g = generate(config);
  REQUIRE(g.is_ok());
  const auto panels = promo_truth_panels(*g, config);
  REQUIRE(panels.size() == 2);
  Errors pooled, own;
  for (const auto& [category, panel] : panels) {
    Result<PromoModel> m = fit_promo_model(panel, "c" + std::to_string(category));
    REQUIRE(m.is_ok());
    pooled = score(*g, *m, pooled);
    PromoFitOptions no_pool;
    no_pool.pool_products = false;
    Result<PromoModel> m0 = fit_promo_model(panel, "c" + std::to_string(category), no_pool);
    REQUIRE(m0.is_ok());
    own = score(*g, *m0, own);
  }
  REQUIRE(pooled.products == 13);
  const double n = pooled.products;
  MESSAGE("pooled: uplift mean error "
          << pooled.uplift_mean / n << ", worst " << pooled.uplift_worst << ", within 10% "
          << pooled.uplift_within_10 << " of " << pooled.products << "; elasticity mean error "
          << pooled.elasticity_mean / n << ", lift mean abs error " << pooled.lift_abs_mean / n);
  MESSAGE("own fits: uplift mean error " << own.uplift_mean / n << ", worst " << own.uplift_worst
                                         << "; elasticity mean error " << own.elasticity_mean / n
                                         << ", lift mean abs error " << own.lift_abs_mean / n);
  CHECK(pooled.uplift_mean / n < 0.05);
  CHECK(pooled.elasticity_mean / n < 0.11);
  CHECK(pooled.uplift_worst < 0.13);
  CHECK(pooled.uplift_within_10 >= 11);
  // Pooling does not make the promotion's total or the elasticity worse and improves the lift.
  CHECK(pooled.uplift_mean < own.uplift_mean + 0.01 * n);
  CHECK(pooled.elasticity_mean < own.elasticity_mean + 0.01 * n);
  CHECK(pooled.lift_abs_mean < own.lift_abs_mean);
}

TEST_CASE("promo fit: the project generator's known truth (cannibalization shares, dips)") {
  // The generator takes from each non-promoted product a fixed share of its promoted siblings'
  // extra units (its share of the category's base demand times the category's total, 0.2-0.5).
  // Promoting one product at 25% off for a week in every store, the fitted model's units taken
  // from the modelled siblings per extra unit of the promoted product are compared with the
  // truth's sum of those siblings' shares (slow movers are not modelled; their shares are left
  // out of the truth too).
  // Measured (seed 2027, promo-panel-10: units times max(0.2, 1 + g X), X over the product's
  // units that week, its dip included, g the least-squares value with the floor): model / truth
  // 0.96-1.25, within 10% for 11 of 13 products, mean error 6.7% (promo-panel-9: 0.96-1.21, 11 of
  // 13, 6.0%; promo-panel-6, with a 0/1
  // holiday flag: 0.97-1.21, 11 of 13, 5.3%; on 24 stores 63 of 65 against 65 now); the two
  // beyond 10% are the
  // small category's (3 products), whose big product's g rests on its two small siblings'
  // promotions in 6 stores (se 0.03 on -0.29). Promo-panel-5, whose passes let the weeks at the
  // floor hold g, gave 0.92-1.19, 11 of 13, 5.7% here, but on 24 stores (bench_promo_truth)
  // 41 of 65 within 10% against 62 now (promo-panel-4: 0.93-1.19, 11 of 13, 6.8%). Promo-panel-3
  // (units times exp(g X)) gave 0.97-1.36, 6 of 13, mean 13%: fitted on the large pressures of deep
  // promotions, its log effect came out steeper than the share and overstated the small ones
  // (bench_promo_truth: 1.13x on 24 stores, 1.23x with one-product promotions only); without
  // the floor the few weeks where deep promotions of elastic siblings would take more than all
  // of a product's units pull the share down to 0.64x. Promo-panel-2's siblings'-depth term
  // took 0.21-4.1 units per extra unit here. Dips: the truth is within 2 standard errors for
  // 11 of 13 products (log mean absolute error 0.026, the standard errors of the quasi-likelihood
  // fit a little smaller; promo-panel-9: 12 of 13, 0.031; promo-panel-6: 12 of 13, 0.029;
  // promo-panel-5: 13 of 13, 0.026;
  // promo-panel-4, which read a product's dip week with a sibling's promotion against its usual
  // units and refitted a fixed four times: 10 of 13, 0.051); within 10% is not measurable on 5-11
  // promotions x 6 stores for the small dips (0.05-0.3 in the generator; bench_promo_truth: 46 of
  // 65 products on 24 stores, 58 on 96, 63 on 384, each at or above what their standard errors
  // allow).
  const GeneratorConfig config = promo_truth_config();
  Result<GeneratedData> g = generate(config);
  REQUIRE(g.is_ok());
  const auto panels = promo_truth_panels(*g, config);
  double share_error = 0.0, share_worst = 0.0, dip_error = 0.0, ratio_low = HUGE_VAL,
         ratio_high = 0.0;
  int promoted = 0, share_within_10 = 0, dips = 0, dips_within_2sd = 0, victims_within_5 = 0;
  for (const auto& [category, panel] : panels) {
    Result<PromoModel> m = fit_promo_model(panel, "c" + std::to_string(category));
    REQUIRE(m.is_ok());
    const int32_t week = panel.back().week + 2;
    double total = 0.0;
    for (size_t i = 0; i < g->data.products.size(); ++i)
      if (g->data.products[i].category == category) {
        total += g->truth.products[i].cannibalization_share;
        MESSAGE("category " << category << " product " << i << " base "
                            << g->truth.products[i].base_units_per_day << " share "
                            << g->truth.products[i].cannibalization_share << " intermittent "
                            << g->truth.products[i].intermittent);
      }
    MESSAGE("category " << category << " total " << total);
    // What the model says in the weeks a sibling is promoted (and the product is neither promoted
    // nor next to its own promotion) against what sold, per product: the pressure form reproduces
    // most victims' actual losses. Measured (seed 2027): 0.96-1.03 in siblings' promotion weeks
    // for 12 of 13 products (the 13th 0.92), 0.99-1.01 in the other weeks for all (promo-panel-3:
    // 11 of 13, outliers 0.85 and 0.90). This checks the fit in the weeks it was fitted on; the
    // shares below check how it carries over to one week at 25% off.
    {
      Result<std::vector<double>> pred = predict_promo(*m, panel);
      REQUIRE(pred.is_ok());
      std::set<std::tuple<int32_t, int32_t, int32_t>> on;  // (product, store, week) promoted
      for (const PromoObservation& r : panel)
        if (r.promo_depth > 0.0) on.insert({r.product, r.store, r.week});
      std::map<int32_t, std::array<double, 4>> fit;  // victim actual, predicted; other weeks
      for (size_t k = 0; k < panel.size(); ++k) {
        const PromoObservation& r = panel[k];
        if (r.promo_depth > 0.0 || on.count({r.product, r.store, r.week - 1}) > 0 ||
            on.count({r.product, r.store, r.week + 1}) > 0)
          continue;
        bool sibling = false;
        for (const PromoProductModel& o : m->products)
          sibling |= o.product != r.product && on.count({o.product, r.store, r.week}) > 0;
        std::array<double, 4>& a = fit[r.product];
        a[sibling ? 0 : 2] += r.units;
        a[sibling ? 1 : 3] += (*pred)[k];
      }
      for (const auto& kv : fit) {
        const int32_t product = kv.first;  // not a structured binding: CAPTURE is a lambda
        const std::array<double, 4>& a = kv.second;
        CAPTURE(product);
        MESSAGE("product " << product << ": actual / model " << a[0] / a[1]
                           << " in its siblings' promotion weeks, " << a[2] / a[3]
                           << " in the others");
        victims_within_5 += std::fabs(a[0] / a[1] - 1.0) < 0.05 ? 1 : 0;
        CHECK(std::fabs(a[0] / a[1] - 1.0) < 0.12);
        CHECK(std::fabs(a[2] / a[3] - 1.0) < 0.05);
      }
    }
    for (const testing::ShareTruthScore& st : testing::score_shares(*g, *m, week)) {
      const PromoProductModel& pm =
          *std::find_if(m->products.begin(), m->products.end(),
                        [&](const PromoProductModel& p) { return p.product == st.product; });
      REQUIRE(st.share > 0.0);
      const double err = std::fabs(st.share / st.share_truth - 1.0);
      MESSAGE("product " << st.product << ": " << st.share
                         << " units taken from its siblings per extra unit (truth "
                         << st.share_truth << ", error " << err << "); dip " << st.dip << " (truth "
                         << st.dip_truth << ", se " << st.dip_log_se << "); cross "
                         << pm.cross_depth.estimate << " (se " << pm.cross_depth.se << ")");
      share_error += err;
      ratio_low = std::min(ratio_low, st.share / st.share_truth);
      ratio_high = std::max(ratio_high, st.share / st.share_truth);
      share_worst = std::max(share_worst, err);
      share_within_10 += err < 0.10 ? 1 : 0;
      ++promoted;
      // A dip is measured on its product's few promotions x 6 stores: its log's standard error
      // is about a tenth of it; the check is that the truth is within 2 of them.
      const double true_log = std::log(1.0 - st.dip_truth);
      dip_error += std::fabs(st.dip_log - true_log);
      dips_within_2sd += std::fabs(st.dip_log - true_log) < 2.0 * st.dip_log_se;
      ++dips;
    }
  }
  REQUIRE(promoted == 13);
  MESSAGE("cannibalization share: mean error "
          << share_error / promoted << ", worst " << share_worst << ", within 10% "
          << share_within_10 << " of " << promoted << "; dip log mean abs error "
          << dip_error / dips << ", within 2 se " << dips_within_2sd << "; model / truth "
          << ratio_low << " to " << ratio_high);
  CHECK(ratio_low > 0.85);
  CHECK(ratio_high < 1.3);
  CHECK(share_within_10 >= 10);
  CHECK(share_error / promoted < 0.10);
  CHECK(dips_within_2sd >= 11);
  CHECK(dip_error / dips < 0.04);
  MESSAGE("victims' units in their siblings' promotion weeks within 5% of the model: "
          << victims_within_5 << " of 13");
  CHECK(victims_within_5 >= 12);
}
