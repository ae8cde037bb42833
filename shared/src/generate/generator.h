#pragma once
// Internals of the synthetic data generator (shelfcast/generate.h documents the model). One
// Generator runs the stages in a fixed order; each stage draws from its own random stream, so the
// output depends only on the config, bit for bit.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/generate.h"

namespace shelfcast::detail {

inline constexpr double kDaysPerYear = 365.25;  // time base of the trend and the yearly cycle
inline constexpr int32_t kDaysPerWeek = 7;

/// One random stream per stage, so that changing one stage (say, the number of customers)
/// leaves the draws of every other stage unchanged.
enum Stream : uint64_t {
  kStreamStores = 1,
  kStreamCategories = 2,
  kStreamProducts = 3,
  kStreamPromotions = 4,
  kStreamPrices = 5,
  kStreamDemand = 6,
  kStreamCustomers = 7,
  kStreamBaskets = 8,
  kStreamAffinity = 9,
  kStreamInventory = 10,
  kStreamPseudonyms = 11,
};

/// Monday-based week blocks over the period: day t lies in block (t + offset) / 7.
struct Weeks {
  int32_t offset = 0;      ///< weekday of day 0
  int32_t n_blocks = 0;    ///< blocks touching the period
  int32_t first_full = 0;  ///< first block with all seven days inside the period
  int32_t end_full = 0;    ///< one past the last such block
  /// The block of day index t.
  int32_t block_of(int32_t t) const { return (t + offset) / kDaysPerWeek; }
  /// Day index of the Monday of block b (negative for a partial first block).
  int32_t first_day(int32_t b) const { return b * kDaysPerWeek - offset; }
};

/// A promotion as the daily loop sees it.
struct PromoPlan {
  int32_t first_block = 0;         ///< block of the first day
  int32_t last_block = 0;          ///< block of the last day
  std::vector<double> multiplier;  ///< promo_i(s,t) for each product of the promotion
};

/// A customer purchase occasion.
struct Occasion {
  int32_t day = 0;       ///< day index
  int32_t store = 0;     ///< the customer's home store
  int32_t customer = 0;  ///< index into Dataset::customers
  int32_t seq = 0;       ///< 1 = first purchase
};

/// A basket line under construction.
struct Pick {
  int32_t product = 0;  ///< index into Dataset::products
  int64_t qty = 0;      ///< units
};

/// Rounds to whole cents.
double round_cents(double x);
/// "Charm" shelf price: up to the next 0.10, minus a cent (3.42 -> 3.49), never below floor.
double charm_price(double x, double floor);

/// Runs the model of shelfcast/generate.h for one validated config.
class Generator {
 public:
  /// Keeps a reference to config, which must outlive the Generator and be valid.
  explicit Generator(const GeneratorConfig& config);
  /// Runs every stage once and hands over the result.
  GeneratedData run();

 private:
  // Stages, in the order run() calls them (generate.cpp, customers.cpp, daily.cpp).
  void make_stores();
  void make_categories();
  void make_products();
  void make_promotions();
  void make_price_changes();
  void make_calendar();
  void make_customers();
  void make_affinities();
  void simulate_days();
  void make_inventory();

  // The daily loop's pieces (daily.cpp).
  void build_block(int32_t block);
  void compute_day_base(int32_t t);
  void compute_store_day_means(int32_t s);
  void draw_walk_in(int32_t t, int32_t s);
  void draw_baskets(int32_t t, int32_t s);
  void draw_basket(const Occasion& occasion, int32_t t, int32_t s);
  void reserve_lines();

  const GeneratorConfig& cfg_;
  GeneratedData out_;
  Dataset& data_;
  GeneratorTruth& truth_;
  size_t ns_ = 0, nc_ = 0, np_ = 0, nb_ = 0;  // stores, categories, products, week blocks
  int32_t n_days_ = 0;
  double years_ = 0.0;
  Weeks weeks_;

  // Catalog.
  std::vector<double> store_size_;
  std::vector<int32_t> store_region_;
  int32_t n_regions_ = 1;
  std::vector<double> category_price_;
  std::vector<double> category_phase_days_;
  std::vector<double> category_cannibalization_;
  std::vector<int32_t> product_category_;
  std::vector<int32_t> category_begin_;  // products of category c: [begin[c], begin[c + 1])

  // Promotions and prices.
  std::vector<uint8_t> promoted_block_;  // product x block: a promotion runs
  std::vector<PromoPlan> plans_;         // parallel to Dataset::promotions
  /// Per product: (first day index, regular price), starting with the reference price on day 0.
  std::vector<std::vector<std::pair<int32_t, double>>> price_path_;
  std::vector<uint8_t> is_holiday_;  // per day index

  // Customers and baskets.
  std::vector<Occasion> occasions_;      // sorted by day, store, customer, seq
  std::vector<int32_t> pair_of_anchor_;  // product -> index into truth.affinities, or -1
  std::vector<uint8_t> in_pair_;         // product is the anchor or partner of a planted pair
  double picks_non_empty_ = 1.0;         // P(N >= 1) of the Poisson picks

  // Daily state.
  Rng demand_rng_;
  Rng basket_rng_;
  size_t next_occasion_ = 0;
  std::vector<double> price_effect_;    // (regular / reference)^elasticity today, per product
  std::vector<double> regular_;         // regular price today, per product
  std::vector<size_t> next_change_;     // next entry of price_path_, per product
  std::vector<int32_t> cell_promo_;     // store x product: promotion index this week, or -1
  std::vector<int32_t> cell_slot_;      // store x product: position in its promotion's products
  std::vector<double> cell_dip_;        // store x product: pull-forward / post-promotion factor
  std::vector<double> day_base_;        // per product: mean before store, promotion and dips
  std::vector<double> mu_;              // per product: today's mean in the current store
  std::vector<double> cumulative_;      // running sums of mu_ (basket picks)
  std::vector<double> category_extra_;  // per category: promoted siblings' extra units
  std::vector<uint8_t> in_basket_;      // per product, while a basket is built
  std::vector<Pick> picks_;
  std::vector<double> pick_price_;
  std::vector<double> pair_kappa_;  // per pair: P(add partner | anchor in, partner out) today
  std::vector<double> expected_a_, expected_b_, expected_ab_;  // per pair, summed over baskets
  double expected_baskets_ = 0.0;
};

}  // namespace shelfcast::detail
