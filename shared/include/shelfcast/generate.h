#pragma once
// Seeded synthetic retail data with known truth: the demo data set and the ground-truth fixture for
// every model. Same config and seed => the same data, bit for bit, natively and in WebAssembly.

#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/result.h"
#include "shelfcast/types.h"

namespace shelfcast {

/// What to generate. Defaults are the demo data set (issue 2): realistic in scale, fast to make.
struct GeneratorConfig {
  uint64_t seed = 42;
  int32_t n_stores = 20;
  int32_t n_categories = 20;
  int32_t n_products = 500;        ///< spread over the categories
  int32_t n_days = 730;            ///< two years
  Date start = date_from_civil(2024, 1, 1);
  int32_t n_customers = 3000;      ///< loyalty-card customers with BG/NBD purchasing
  double intermittent_share = 0.2; ///< share of products that are slow movers
  double promo_rate_per_product_year = 4.0;  ///< promotions per product per year, on average
};

/// Demand truth of one product: the parameters of the daily mean
///   mu(store, product, day) = base * store_size * trend * yearly * weekly * holiday
///                             * (price / regular)^elasticity * promo_lift * feature * display
///                             * cannibalization * pull_forward_dip
struct ProductTruth {
  double base_units_per_day = 0.0;  ///< mean daily units in an average store at regular price
  double elasticity = 0.0;          ///< own-price elasticity, <= 0
  double promo_lift_per_depth = 0.0;///< log-lift per unit of depth beyond the price effect
  double feature_multiplier = 1.0;
  double display_multiplier = 1.0;
  double trend_per_year = 0.0;      ///< log-growth per year
  double yearly_amplitude = 0.0;    ///< log-amplitude of the yearly cycle
  double yearly_phase_days = 0.0;   ///< day of year of the yearly peak
  double cannibalization_share = 0.0; ///< share of a promoted sibling's extra units taken from this product
  double post_promo_dip = 0.0;      ///< fractional drop in the week after a promotion ends
  double pull_forward = 0.0;        ///< fractional drop in the week before a promotion starts
  bool intermittent = false;
  double nb_dispersion = 0.0;       ///< negative-binomial size (0 = Poisson)
};

/// The truth behind a generated data set: what every model should recover.
struct GeneratorTruth {
  std::vector<ProductTruth> products;     ///< parallel to Dataset::products
  std::vector<double> store_size;         ///< parallel to Dataset::stores, multiplies base demand
  std::vector<double> weekly_profile;     ///< 7 multipliers, Monday first, mean 1
  double holiday_multiplier = 1.0;
  // Customers: BG/NBD population and Gamma-Gamma spend.
  double bgnbd_r = 0.0, bgnbd_alpha = 0.0, bgnbd_a = 0.0, bgnbd_b = 0.0;
  double gg_p = 0.0, gg_q = 0.0, gg_gamma = 0.0;
  /// Pairs of products bought together more than chance: (a, b, lift).
  struct Affinity {
    int32_t a = -1;
    int32_t b = -1;
    double lift = 1.0;
  };
  std::vector<Affinity> affinities;
};

/// A generated data set and the truth that made it.
struct GeneratedData {
  Dataset data;
  GeneratorTruth truth;
};

/// Generates the data set; invalid configs (non-positive sizes, ...) get kInvalidArgument.
Result<GeneratedData> generate(const GeneratorConfig& config);

}  // namespace shelfcast
