// The promotion panel model against the project generator's known truth (issue 4: elasticities,
// lifts, cannibalization shares and dip sizes within 10%), on more data than the unit test's and on
// simpler data, to tell noise from bias:
//   unit        the unit test's data set (test_promo_truth.cpp): 6 stores, seed 2027
//   stores24    the same generator settings with 24 stores, seeds 2027-2031
//   stores96    the same with 96 stores: standard errors half those of stores24, so what still
//               misses is bias rather than noise
//   stores384   the same with 384 stores: enough data for the small dips (0.05-0.3) to be
//               measurable within 10%, and for a fit's own bias to show (promo-panel-9, on the
//               log scale, read a product selling a few units a day whose regular-price moves
//               follow its trend 0.68x as elastic, with Poisson counts too; promo.h)
//   thin96      96 stores selling a fifth of the units (median base 2 a day): the weeks without
//               sales matter; thin96_filled gives those weeks the price and promotion they had
//               (fill_unsold_weeks_from_truth), which the panel cannot see from sales lines alone
//   simple24    24 stores, seeds 2027-2031, and nothing but promotions and cannibalization: no
//               regular-price changes, season, trend or holidays; every promotion percent-off, of
//               one product, in every store, without feature or display (the largest pressures)
// Each line: how many products' figures are within 10% of the truth, and the ratios model / truth;
// for elasticities and dips also how many hold the truth within 2 standard errors, and how many
// would be within 10% if each estimate missed by a normal error of its own standard error (the
// count the data allow: below it, the model is biased; near it, more data is what would help).
// usage: bench_promo_truth
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "promo_truth.h"

namespace {

using shelfcast::GeneratorConfig;

struct Tally {
  std::vector<double> uplift, elasticity, share, dip, pressure;
  int dips_within_2se = 0, elasticities_within_2se = 0;
  // How many products would come within 10% if each estimate were the truth plus a normal error
  // of its own standard error: what the data allow.
  double elasticity_expected = 0.0, dip_expected = 0.0;
  int fits = 0, unsettled = 0;  // category fits, and those whose refits had not settled
};

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// P(low < Z se < high) for a standard normal Z (high > low; se > 0).
double probability_within(double high, double low, double se) {
  if (!(se > 0.0)) return low < 0.0 && high > 0.0 ? 1.0 : 0.0;
  const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  return cdf(high / se) - cdf(low / se);
}

int within_10(const std::vector<double>& ratios) {
  return static_cast<int>(std::count_if(ratios.begin(), ratios.end(),
                                        [](double r) { return std::fabs(r - 1.0) < 0.10; }));
}

bool run(const GeneratorConfig& config, bool fill_unsold, Tally* t) {
  shelfcast::Result<shelfcast::GeneratedData> g = shelfcast::generate(config);
  if (!g.is_ok()) {
    std::fprintf(stderr, "generate failed: %s\n", g.status().message().c_str());
    return false;
  }
  for (auto& [category, panel] : shelfcast::testing::promo_truth_panels(*g, config)) {
    if (fill_unsold) shelfcast::testing::fill_unsold_weeks_from_truth(*g, &panel);
    shelfcast::Result<shelfcast::PromoModel> m =
        shelfcast::fit_promo_model(panel, "c" + std::to_string(category));
    if (!m.is_ok()) {
      std::fprintf(stderr, "fit failed: %s\n", m.status().message().c_str());
      return false;
    }
    ++t->fits;
    for (const std::string& note : m->notes)
      t->unsettled += note.find("had not settled") != std::string::npos ? 1 : 0;
    for (const auto& s : shelfcast::testing::score_uplift(*g, *m)) {
      t->uplift.push_back(s.uplift / s.uplift_truth);
      t->elasticity.push_back(s.elasticity / s.elasticity_truth);
      for (const shelfcast::PromoProductModel& p : m->products)
        if (p.product == s.product) {
          t->elasticities_within_2se +=
              std::fabs(s.elasticity - s.elasticity_truth) < 2.0 * p.elasticity.se ? 1 : 0;
          t->elasticity_expected +=
              probability_within(0.1 * std::fabs(s.elasticity_truth),
                                 -0.1 * std::fabs(s.elasticity_truth), p.elasticity.se);
        }
    }
    // The category's total share C: the generator takes from a product C x its share of the
    // category's base (at reference prices) of the promoted siblings' extra units, and the model
    // -g x its share of the category's level, so -g / C is 1 for a product whose level is its
    // base (simple24) and spreads with regular-price moves (a product whose price rise cut its
    // sales to a quarter loses 4x as much relative to them: -g / C near 4).
    double total = 0.0;
    for (size_t i = 0; i < g->data.products.size(); ++i)
      if (g->data.products[i].category == category)
        total += g->truth.products[i].cannibalization_share;
    for (const shelfcast::PromoProductModel& p : m->products)
      t->pressure.push_back(-p.cross_depth.estimate / total);
    for (const auto& s : shelfcast::testing::score_shares(*g, *m, panel.back().week + 2)) {
      t->share.push_back(s.share / s.share_truth);
      t->dip.push_back(s.dip / s.dip_truth);
      const double true_log = std::log(1.0 - s.dip_truth);
      t->dips_within_2se += std::fabs(s.dip_log - true_log) < 2.0 * s.dip_log_se ? 1 : 0;
      // dip within 10%: post_week between log(1 - 0.9 dip) and log(1 - 1.1 dip)
      t->dip_expected +=
          probability_within(std::log(1.0 - 0.9 * s.dip_truth) - true_log,
                             std::log(1.0 - 1.1 * s.dip_truth) - true_log, s.dip_log_se);
    }
  }
  return true;
}

void print(const char* name, const Tally& t, int seeds) {
  const auto range = [](const std::vector<double>& v) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    char buf[96];
    std::snprintf(buf, sizeof buf, "median %.2f, %.2f-%.2f", median(v), *lo, *hi);
    return std::string(buf);
  };
  std::printf(
      "BENCH promo_truth_%s_uplift_within_10pct %d of %zu products (model / truth %s; %d "
      "seed%s)\n",
      name, within_10(t.uplift), t.uplift.size(), range(t.uplift).c_str(), seeds,
      seeds == 1 ? "" : "s");
  std::printf(
      "BENCH promo_truth_%s_elasticity_within_10pct %d of %zu products (model / truth %s; truth "
      "within 2 se: %d; expected within 10%% from the se: %.0f)\n",
      name, within_10(t.elasticity), t.elasticity.size(), range(t.elasticity).c_str(),
      t.elasticities_within_2se, t.elasticity_expected);
  std::printf("BENCH promo_truth_%s_share_within_10pct %d of %zu products (model / truth %s)\n",
              name, within_10(t.share), t.share.size(), range(t.share).c_str());
  std::printf(
      "BENCH promo_truth_%s_dip_within_10pct %d of %zu products (model / truth %s; truth within "
      "2 se: %d; expected within 10%% from the se: %.0f)\n",
      name, within_10(t.dip), t.dip.size(), range(t.dip).c_str(), t.dips_within_2se,
      t.dip_expected);
  std::printf("BENCH promo_truth_%s_pressure_over_share %.2f median of -g / C (%s)\n", name,
              median(t.pressure), range(t.pressure).c_str());
  std::printf("BENCH promo_truth_%s_fits_unsettled %d of %d category fits\n", name, t.unsettled,
              t.fits);
}

// The tallies of `seeds` data sets of `config` (seeds from config.seed on), printed as `name`.
bool run_seeds(GeneratorConfig config, int seeds, const char* name, bool fill_unsold = false) {
  const uint64_t first = config.seed;
  Tally t;
  for (int k = 0; k < seeds; ++k) {
    config.seed = first + static_cast<uint64_t>(k);
    if (!run(config, fill_unsold, &t)) return false;
  }
  print(name, t, seeds);
  return true;
}

}  // namespace

int main(int argc, char**) {
  if (argc != 1) {
    std::fprintf(stderr, "usage: bench_promo_truth\n");
    return 2;
  }
  const GeneratorConfig unit = shelfcast::testing::promo_truth_config();
  if (!run_seeds(unit, 1, "unit")) return 1;

  constexpr int kSeeds = 5;
  GeneratorConfig wide = unit;
  wide.n_stores = 24;
  if (!run_seeds(wide, kSeeds, "stores24")) return 1;
  GeneratorConfig widest = wide;
  widest.n_stores = 96;
  if (!run_seeds(widest, kSeeds, "stores96")) return 1;
  GeneratorConfig chain = widest;
  chain.n_stores = 384;
  if (!run_seeds(chain, kSeeds, "stores384")) return 1;
  GeneratorConfig thin = widest;
  thin.base_median_units_per_day /= 5.0;
  if (!run_seeds(thin, kSeeds, "thin96")) return 1;
  if (!run_seeds(thin, kSeeds, "thin96_filled", true)) return 1;

  GeneratorConfig simple = wide;
  simple.price_change_rate_per_year = 0.0;
  simple.yearly_amplitude_max = 0.0;
  simple.trend_per_year_min = simple.trend_per_year_max = 0.0;
  simple.holiday_multiplier = 1.0;
  simple.promo_max_products = 1;
  simple.promo_all_stores_share = 1.0;
  simple.promo_feature_share = simple.promo_display_share = 0.0;
  simple.promo_mechanic_weights = {{1.0, 0.0, 0.0, 0.0}};
  if (!run_seeds(simple, kSeeds, "simple24")) return 1;
  return 0;
}
