#pragma once
// The promotion panel model against the project generator's known truth (generate.h): the weekly
// store x product panels `shelfcast promo fit` builds, and what a fitted model says against the
// truth (uplift of each promotion as it ran, elasticity, cannibalization share, post-promotion
// dip). Shared by test_promo_truth.cpp (the checks) and bench_promo_truth.cpp (the same figures
// on larger and simpler generated data, in scripts/bench).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "promo_uplift.h"
#include "shelfcast/generate.h"
#include "shelfcast/promo.h"
#include "shelfcast/promo_sim.h"
#include "shelfcast/series.h"

namespace shelfcast::testing {

// Six stores, two categories of promoted regular products (11 and 3 of them, 5-11 promotions
// each over two years), the generator's default cannibalization, pull-forward, dip and holidays.
inline GeneratorConfig promo_truth_config() {
  GeneratorConfig c;
  c.seed = 2027;
  c.n_stores = 6;
  c.n_categories = 2;
  c.n_products = 16;
  c.n_days = 728;  // 104 whole weeks from a Monday
  c.n_customers = 1;
  c.n_affinity_pairs = 0;
  c.base_median_units_per_day = 10.0;
  c.price_change_rate_per_year = 3.0;
  c.price_change_log_sd = 0.1;
  return c;
}

// The walk-in lines of every regular (not intermittent) product as whole weeks, by category.
inline std::map<int32_t, std::vector<PromoObservation>> promo_truth_panels(
    const GeneratedData& g, const GeneratorConfig& c) {
  const Dataset& data = g.data;
  std::map<std::pair<int32_t, int32_t>, std::vector<SalesLine>> by_series;
  for (const SalesLine& line : data.lines) {
    if (line.customer == -1) by_series[{line.store, line.product}].push_back(line);
  }
  const Date last{c.start.days + c.n_days - 1};
  std::map<int32_t, std::vector<PromoObservation>> out;
  for (size_t i = 0; i < data.products.size(); ++i) {
    const Product& p = data.products[i];
    if (g.truth.products[i].intermittent) continue;
    for (int32_t s = 0; s < c.n_stores; ++s) {
      for (const WeeklyPoint& w :
           aggregate_weekly(by_series[{s, static_cast<int32_t>(i)}], data.promotions, data.holidays,
                            p.list_price_per_unit, c.start, last)) {
        if (!w.complete) continue;
        PromoObservation o;
        o.store = s;
        o.product = static_cast<int32_t>(i);
        o.week = w.week.days / 7;
        o.units = w.units;
        o.price_ratio = w.avg_price / p.list_price_per_unit;
        o.promo_depth = w.promo_depth;
        o.feature = w.feature ? 1.0 : 0.0;
        o.display = w.display ? 1.0 : 0.0;
        o.holiday = w.holiday_days;
        out[p.category].push_back(o);
      }
    }
  }
  return out;
}

// What a week without sales did not record, from the generator's truth: the product's regular
// price that week and the promotion covering its store then. The panels `shelfcast promo fit`
// builds (and promo_truth_panels) give such a week the previous sold week's regular price and no
// promotion, which on thin data reads as price response that was not there (bench_promo_truth
// sets the two side by side; issue 4's closing note: filling these weeks is the pipeline's next
// fix).
inline void fill_unsold_weeks_from_truth(const GeneratedData& g,
                                         std::vector<PromoObservation>* panel) {
  for (PromoObservation& r : *panel) {
    if (r.units > 0.0) continue;
    const Date monday = week_start(Date{7 * r.week + 6});  // the Monday of the row's week
    double regular = g.truth.products[static_cast<size_t>(r.product)].reference_price_per_unit;
    for (const PriceChange& pc : g.truth.price_changes)
      if (pc.product == r.product && pc.date <= monday) regular = pc.regular_price_per_unit;
    r.promo_depth = r.feature = r.display = 0.0;
    for (const Promotion& pr : g.data.promotions) {
      const bool product =
          std::find(pr.products.begin(), pr.products.end(), r.product) != pr.products.end();
      const bool store = pr.stores.empty() ||
                         std::find(pr.stores.begin(), pr.stores.end(), r.store) != pr.stores.end();
      if (!product || !store || pr.start.days > monday.days + 6 || pr.end < monday) continue;
      r.promo_depth = pr.depth;
      r.feature = pr.feature ? 1.0 : 0.0;
      r.display = pr.display ? 1.0 : 0.0;
    }
    r.price_ratio = regular * (1.0 - r.promo_depth) /
                    g.data.products[static_cast<size_t>(r.product)].list_price_per_unit;
  }
}

// One product's fitted promotion response beside the truth.
struct ProductTruthScore {
  int32_t product = 0;
  int32_t promotions = 0;
  double uplift = 0.0, uplift_truth = 0.0;  // mean over its promotions as they ran
  double elasticity = 0.0, elasticity_truth = 0.0;
  double lift_per_depth = 0.0, lift_per_depth_truth = 0.0;
};

// The uplift of each product's promotions as they ran (depth, feature, display), model against
// truth, averaged over its promotions; and the elasticity and lift split. Products never promoted
// are left out.
inline std::vector<ProductTruthScore> score_uplift(const GeneratedData& g, const PromoModel& m) {
  std::vector<ProductTruthScore> out;
  for (const PromoProductModel& pm : m.products) {
    const ProductTruth& t = g.truth.products[static_cast<size_t>(pm.product)];
    ProductTruthScore s;
    s.product = pm.product;
    for (const Promotion& pr : g.data.promotions) {
      if (std::find(pr.products.begin(), pr.products.end(), pm.product) == pr.products.end())
        continue;
      const double d = pr.depth, f = pr.feature ? 1.0 : 0.0, x = pr.display ? 1.0 : 0.0;
      s.uplift += promotion_uplift(pm.elasticity.estimate, pm.lift_per_depth.estimate,
                                   pm.feature.estimate, pm.display.estimate, d, f, x,
                                   pm.depth_hinge.estimate * std::max(0.0, d - m.depth_threshold));
      s.uplift_truth +=
          promotion_uplift(t.elasticity, t.promo_lift_per_depth, std::log(t.feature_multiplier),
                           std::log(t.display_multiplier), d, f, x);
      ++s.promotions;
    }
    if (s.promotions == 0) continue;
    s.uplift /= s.promotions;
    s.uplift_truth /= s.promotions;
    s.elasticity = pm.elasticity.estimate;
    s.elasticity_truth = t.elasticity;
    s.lift_per_depth = pm.lift_per_depth.estimate;
    s.lift_per_depth_truth = t.promo_lift_per_depth;
    out.push_back(s);
  }
  return out;
}

// What the model says about one promoted product's siblings and its own dip, beside the truth.
struct ShareTruthScore {
  int32_t product = 0;
  double share = 0.0;        // units taken from the modelled siblings per extra unit
  double share_truth = 0.0;  // the generator's: the sum of those siblings' shares
  double dip = 0.0;          // 1 - exp(post_week)
  double dip_truth = 0.0;
  double dip_log = 0.0, dip_log_se = 0.0;  // post_week and its standard error
};

// Promoting each product that ran a promotion at 25% off for one week in every store (week: after
// the panel), the model's units taken from the modelled siblings per extra unit of the promoted
// product against the truth's sum of those siblings' shares (the generator takes from each
// non-promoted product a fixed share of its promoted siblings' extra units; slow movers are not
// modelled and their shares are left out of the truth too); and its post-promotion dip.
inline std::vector<ShareTruthScore> score_shares(const GeneratedData& g, const PromoModel& m,
                                                 int32_t week) {
  std::vector<ShareTruthScore> out;
  for (const PromoProductModel& pm : m.products) {
    const ProductTruth& t = g.truth.products[static_cast<size_t>(pm.product)];
    bool ran = false;
    for (const Promotion& pr : g.data.promotions)
      ran |= std::find(pr.products.begin(), pr.products.end(), pm.product) != pr.products.end();
    if (!ran) continue;
    ShareTruthScore s;
    s.product = pm.product;
    PromoPlan plan;
    for (const PromoProductModel& other : m.products) {
      plan.products.push_back({other.product, "", 1.0, 0.5});
      if (other.product != pm.product)
        s.share_truth += g.truth.products[static_cast<size_t>(other.product)].cannibalization_share;
    }
    PlannedPromotion pr;
    pr.products = {pm.product};
    pr.start_week = pr.end_week = week;
    pr.depth = 0.25;
    plan.promotions = {pr};
    plan.draws = 0;
    plan.detail = PromoDetail::kProductWeeks;
    Result<PromoSimulation> sim = simulate_promo(m, plan);
    if (!sim.is_ok()) continue;
    double lift = 0.0, taken = 0.0;
    for (const PromoProductWeek& r : sim->product_weeks) {
      if (r.week != week) continue;
      if (r.product == pm.product)
        lift += r.figures.lift;
      else
        taken += r.figures.cannibalized;
    }
    s.share = lift > 0.0 ? taken / lift : 0.0;
    s.dip = 1.0 - std::exp(pm.post_week.estimate);
    s.dip_truth = t.post_promo_dip;
    s.dip_log = pm.post_week.estimate;
    s.dip_log_se = pm.post_week.se;
    out.push_back(s);
  }
  return out;
}

}  // namespace shelfcast::testing
