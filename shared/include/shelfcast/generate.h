#pragma once
// Seeded synthetic retail data with known truth: the demo data set and the ground-truth fixture for
// every model. Same config and seed => the same data, bit for bit, natively and in WebAssembly.
//
// THE MODEL (what GeneratedData::truth describes; days t = 0 .. n_days-1 from config.start)
//
// Walk-in demand. Every store s x product i x day t gets one draw
//   units(s,i,t) ~ NegBin(mean mu(s,i,t), size k_i)   (Gamma(k, mu/k)-Poisson; k = 0: Poisson)
// and one SalesLine (customer -1, empty order_ref, channel kPos) when units > 0. With
//   m(s,i,t) = base_i * store_size_s * exp(trend_i * t / 365.25
//                                          + A_i * cos(2 pi (doy(t) - phase_i) / 365.25))
//              * weekly[weekday(t)] * (holiday(t) ? holiday_multiplier : 1)
//              * (regular_i(t) / reference_price_i)^elasticity_i
//              * promo_i(s,t) * dip_i(s,t)
//   promo_i(s,t) = (1 - depth)^elasticity_i * exp(promo_lift_per_depth_i * depth)
//                  * feature_multiplier_i^[feature] * display_multiplier_i^[display]
//                  while a promotion of i runs in s (else 1)
//   dip_i(s,t)   = (1 - pull_forward_i) in the 7 days before a promotion of i in s starts,
//                  (1 - post_promo_dip_i) in the 7 days after it ends (both multiply if both
//                  apply); 1 while promoted
// the mean is m for a promoted product and, for a product that is not promoted,
//   mu(s,i,t) = max(m(s,i,t) - cannibalization_share_i * X(s,c,t), cannibalization_floor * m)
//   X(s,c,t)  = sum over promoted siblings j in i's category c of m(s,j,t) * (1 - 1/promo_j(s,t))
// i.e. a non-promoted product loses a fixed share of each promoted sibling's extra units.
// doy = day_of_year (1..366); weekday 0 = Monday; regular_i(t) is the same in every store, starts
// at reference_price_i and changes only at truth.price_changes (on Mondays, never during a
// promotion of i or in the week after; cost stays, list_price_per_unit is the last regular
// price). Promotions start on Mondays and last whole weeks; the paid price is regular * (1 -
// depth), written as unit_price = regular, discount = depth. Intermittent products (slow movers,
// tiny base and small k) are never promoted. Lines are sorted by date, then store; within a
// store-day the walk-in lines (by product) come before the loyalty lines (by customer, order).
//
// Customer (loyalty) lines come ON TOP of the walk-in draw: the walk-in line of (s,i,t) is the
// full draw above, and total units = walk-in + sum of customer lines. Customers draw from their
// own random streams, so the walk-in lines do not change with n_customers. Each customer has a
// home store (chosen in proportion to store size) and buys only there. Dataset::customers holds
// only pseudonyms, "gen-" + 16 hex digits derived from the seed (distinct for distinct customers).
//   BG/NBD (Fader, Hardie & Lee 2005), time in days: first purchase on day `acquired` (uniform in
//   the first min(acquisition_days, n_days) days); then purchases at the events of a Poisson
//   process with rate lambda ~ Gamma(shape r, rate alpha) while alive; after each repeat purchase
//   the customer drops out for good with probability p ~ Beta(a, b).
//   Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): per customer nu ~ Gamma(shape q,
//   rate gamma); per order a target spend z ~ Gamma(shape p, rate nu).
//   Basket: N ~ Poisson(basket_mean_picks) conditioned on N >= 1 picks, each pick product j with
//   probability w_j = mu(s,j,t) / sum_k mu(s,k,t) (so loyalty units follow the same price, promo
//   and season effects); repeated picks add quantity. Within a store-day two products are then
//   independent up to the N >= 1 conditioning (lift 1 - exp(-basket_mean_picks), truth.
//   baseline_pair_lift). For each planted pair (anchor a -> partner b): if a is in the basket and
//   b is not, b is added with the probability that makes P(b | a) = conditional_lift * P(b from
//   picks) in that store-day; Affinity::lift is the resulting pooled lift over all baskets.
//   Spend: if the basket is worth more than z, non-pair lines and then surplus units are dropped
//   while that brings it closer to z (never below one line); if it is worth less, units are added
//   to its lines (evenly by value, randomized rounding) until it reaches z. So the order value is
//   z up to half a unit's price, except that one line, or the planted-pair lines, can exceed z.
//   Lines: customer index, order_ref "C<customer>-<n>" (n = 1 for the first purchase),
//   unit_price = regular, discount / promotion as for walk-in lines.
//
// Stock: one InventoryPosition per store x product, "as of" the day after the last day. Lead
// times ~ Normal(lead_time_mean_days, lead_time_sd_days) per product (same in every store);
// on_hand covers (lead time + review period) of regular demand times U[stock_cover_min,max].
// Demand is never censored by stock: sales = demand.
//
// Holidays: retail_holidays() over the generated period (fixed dates plus Easter-based days,
// Mother's Day and Black Friday); all of them multiply demand by holiday_multiplier.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/result.h"
#include "shelfcast/types.h"

namespace shelfcast {

/// What to generate. Defaults are the demo data set (issue 2): realistic in scale, fast to make.
/// Ranges "x_min/x_max" are uniform draws per product (or per category / customer where noted).
struct GeneratorConfig {
  // ---- size --------------------------------------------------------------------------------
  uint64_t seed = 42;         ///< same seed and config => identical output everywhere
  int32_t n_stores = 20;      ///< shops, >= 1
  int32_t n_categories = 20;  ///< flat category list, 1 <= n_categories <= n_products
  int32_t n_products = 500;   ///< spread over the categories, each category gets >= 1
  int32_t n_days = 730;       ///< two years of daily sales
  Date start = date_from_civil(2024, 1, 1);  ///< first day of sales
  int32_t n_customers = 3000;  ///< loyalty-card customers with BG/NBD purchasing, >= 1
  /// Guard: n_stores * n_products * n_days above this is kResourceExhausted (each store-day-
  /// product costs ~30 bytes of output on average).
  int64_t max_store_product_days = 100000000;

  // ---- stores, categories, products ----------------------------------------------------------
  double store_size_log_sd = 0.35;          ///< log-sd of store size; sizes are scaled to mean 1
  double category_popularity_log_sd = 0.5;  ///< log-sd of category demand level, scaled to mean 1
  /// Median base demand of a regular product (units per day in an average store, at the
  /// reference price, before category popularity); chosen so the default set has ~3M lines.
  double base_median_units_per_day = 0.8;
  double base_log_sd = 0.9;         ///< log-sd of base demand across regular products
  double intermittent_share = 0.2;  ///< slow movers: exactly round(share * n_products) of them
  double intermittent_base_min_units_per_day = 0.02;  ///< slow-mover base demand, lower bound
  double intermittent_base_max_units_per_day = 0.2;   ///< slow-mover base demand, upper bound
  double nb_size_min = 3.0;   ///< negative-binomial size k of regular products, lower bound
  double nb_size_max = 30.0;  ///< upper bound; 0/0 makes regular products Poisson
  double intermittent_nb_size_min = 0.3;    ///< k of slow movers, lower bound (overdispersed)
  double intermittent_nb_size_max = 1.0;    ///< k of slow movers, upper bound
  double price_median_per_unit = 3.5;       ///< median reference price over categories
  double category_price_log_sd = 0.6;       ///< log-sd of category price levels
  double product_price_log_sd = 0.35;       ///< log-sd of product prices within a category
  double price_min_per_unit = 0.49;         ///< floor of every regular price
  double gross_margin_min = 0.2;            ///< cost = price * (1 - margin), margin lower bound
  double gross_margin_max = 0.45;           ///< margin upper bound (so cost < price always)
  double price_change_rate_per_year = 0.8;  ///< permanent regular-price changes per product-year
  double price_change_log_mean = 0.03;      ///< mean log change of a permanent change (inflation)
  double price_change_log_sd = 0.05;        ///< sd of the log change

  // ---- demand response (per product unless noted) ----------------------------------------------
  double elasticity_min = -3.0;           ///< own-price elasticity, most elastic
  double elasticity_max = -0.8;           ///< least elastic; must be <= 0
  double promo_lift_per_depth_min = 0.5;  ///< log-lift per unit depth beyond the price effect
  double promo_lift_per_depth_max = 2.0;  ///< upper bound
  double feature_multiplier_min = 1.1;    ///< leaflet effect, >= 1
  double feature_multiplier_max = 1.5;    ///< upper bound
  double display_multiplier_min = 1.05;   ///< end-cap effect, >= 1
  double display_multiplier_max = 1.35;   ///< upper bound
  double trend_per_year_min = -0.1;       ///< log-growth per year, lower bound
  double trend_per_year_max = 0.15;       ///< upper bound
  double yearly_amplitude_max = 0.3;      ///< log-amplitude of the yearly cycle is U[0, max]
  /// A product's peak day is its category's (uniform over the year) +- U[0, jitter] days.
  double yearly_phase_jitter_days = 30.0;
  double cannibalization_total_min = 0.2;  ///< per category: share of a promoted product's extra
  double cannibalization_total_max = 0.5;  ///< units lost by its siblings together, U[min, max]
  double cannibalization_floor = 0.2;      ///< a cannibalized mean never drops below floor * m
  double pull_forward_min = 0.0;           ///< dip in the week before a promotion, lower bound
  double pull_forward_max = 0.15;          ///< upper bound
  double post_promo_dip_min = 0.05;        ///< dip in the week after a promotion, lower bound
  double post_promo_dip_max = 0.3;         ///< upper bound
  /// Day-of-week multipliers, Monday first; scaled to mean 1 (truth.weekly_profile).
  std::array<double, 7> weekly_profile = {{0.9, 0.85, 0.9, 0.95, 1.1, 1.4, 0.9}};
  double holiday_multiplier = 1.5;  ///< demand multiplier on every retail holiday

  // ---- promotions --------------------------------------------------------------------------
  double promo_rate_per_product_year = 4.0;  ///< promotions per promotable product per year
  double promo_depth_min = 0.1;              ///< shallowest fraction off
  double promo_depth_max = 0.5;              ///< deepest fraction off
  int32_t promo_weeks_min = 1;               ///< shortest promotion in weeks (Monday to Sunday)
  int32_t promo_weeks_max = 2;               ///< longest promotion in weeks
  int32_t promo_gap_weeks = 2;     ///< weeks between two promotions of the same product, >= 1
  int32_t promo_max_products = 3;  ///< a promotion covers 1..max products of one category
  /// Share of promotions run in every store; the others run in the stores of one region (stores
  /// are dealt round-robin to min(4, n_stores) regions: North, South, East, West).
  double promo_all_stores_share = 0.5;
  double promo_feature_share = 0.3;   ///< share featured in the leaflet
  double promo_display_share = 0.25;  ///< share with a secondary display
  /// Weights of percent-off, price-point, multi-buy (3 for 2, depth 1/3) and BOGO (depth 0.5);
  /// a fixed depth outside [promo_depth_min, promo_depth_max] falls back to percent-off.
  std::array<double, 4> promo_mechanic_weights = {{0.55, 0.2, 0.15, 0.1}};

  // ---- customers -----------------------------------------------------------------------------
  double bgnbd_r = 0.9;            ///< Gamma shape of the purchase rate lambda (per day)
  double bgnbd_alpha_days = 6.0;   ///< Gamma rate of lambda, in days: mean lambda = r / alpha
  double bgnbd_a = 1.5;            ///< Beta a of the dropout probability p
  double bgnbd_b = 40.0;           ///< Beta b: mean p = a / (a + b)
  int32_t acquisition_days = 365;  ///< first purchases are spread over the first this-many days
  double gg_p = 6.0;               ///< Gamma-Gamma: shape of the per-order spend
  double gg_q = 4.0;               ///< shape of the per-customer spend rate nu, > 1
  double gg_gamma = 15.0;          ///< rate of nu: mean spend per order = p * gamma / (q - 1)
  double basket_mean_picks = 4.0;  ///< Poisson mean of product picks per basket (before N >= 1)
  int32_t n_affinity_pairs = 20;   ///< planted co-purchase pairs (disjoint, across categories)
  double affinity_lift_min = 2.0;  ///< planted pair conditional lift, lower bound (>= 1)
  double affinity_lift_max = 4.0;  ///< upper bound
  /// A product may be in a pair only if lift_max * (its day-0 basket inclusion probability) is
  /// at most this, so that the planted lift is reachable; pairs come from the most popular such
  /// products.
  double affinity_max_anchor_load = 0.5;

  // ---- stock -------------------------------------------------------------------------------
  double lead_time_mean_min_days = 2.0;   ///< per product, lower bound (rounded to half days)
  double lead_time_mean_max_days = 14.0;  ///< upper bound
  double lead_time_cv_min = 0.1;          ///< lead-time sd / mean, lower bound
  double lead_time_cv_max = 0.4;          ///< upper bound
  double review_period_days = 7.0;        ///< order cycle used to size stock
  double stock_cover_min = 0.3;           ///< on hand = demand over (lead + review) * U[min, max]
  double stock_cover_max = 1.5;           ///< upper bound
  double on_order_share = 0.4;  ///< share of positions with an open order of one review cycle
};

/// Demand truth of one product; see the model at the top of this file.
struct ProductTruth {
  /// base_i of the model: daily units in a store of size 1 at the reference price, before
  /// trend, season, weekday and holiday (category popularity is already in it).
  double base_units_per_day = 0.0;
  double reference_price_per_unit = 0.0;  ///< regular price on day 0: the price-effect reference
  double elasticity = 0.0;                ///< own-price elasticity, <= 0
  double promo_lift_per_depth = 0.0;      ///< log-lift per unit of depth beyond the price effect
  double feature_multiplier = 1.0;        ///< multiplies demand while featured
  double display_multiplier = 1.0;        ///< multiplies demand while on display
  double trend_per_year = 0.0;            ///< log-growth per year (365.25 days)
  double yearly_amplitude = 0.0;          ///< log-amplitude of the yearly cycle
  double yearly_phase_days = 0.0;         ///< day of year of the yearly peak
  double cannibalization_share = 0.0;     ///< share of a promoted sibling's extra units lost
  double post_promo_dip = 0.0;            ///< fractional drop in the week after a promotion ends
  double pull_forward = 0.0;              ///< fractional drop in the week before a promotion starts
  bool intermittent = false;              ///< slow mover: tiny base, small k, never promoted
  double nb_dispersion = 0.0;  ///< negative-binomial size k (variance mu + mu^2/k), 0 = Poisson
};

/// A permanent change of a product's regular price (chain-wide, effective on a Monday).
struct PriceChange {
  int32_t product = -1;                 ///< index into Dataset::products
  Date date;                            ///< first day at the new price
  double regular_price_per_unit = 0.0;  ///< the new regular price
};

/// Truth of one loyalty customer, parallel to Dataset::customers.
struct CustomerTruth {
  int32_t home_store = -1;             ///< the only store the customer buys in
  Date acquired;                       ///< day of the first purchase (BG/NBD time 0)
  double purchase_rate_per_day = 0.0;  ///< BG/NBD lambda while alive
  double dropout_probability = 0.0;    ///< BG/NBD p, applied after each repeat purchase
  double spend_rate = 0.0;             ///< Gamma-Gamma nu (per currency unit)
  double mean_spend_per_order = 0.0;   ///< Gamma-Gamma p / nu: expected target spend
  bool churned = false;                ///< dropped out before the end of the period
  Date alive_until;                    ///< last alive day: day of dropout, or the last day
  int32_t n_orders = 0;                ///< orders placed (first purchase included)
};

/// The truth behind a generated data set: what every model should recover.
struct GeneratorTruth {
  std::vector<ProductTruth> products;       ///< parallel to Dataset::products
  std::vector<double> store_size;           ///< parallel to Dataset::stores, multiplies demand
  std::vector<double> category_popularity;  ///< parallel to Dataset::categories (in base already)
  std::vector<double> weekly_profile;       ///< 7 multipliers, Monday first, mean 1
  double holiday_multiplier = 1.0;          ///< demand multiplier on Dataset::holidays
  double cannibalization_floor = 0.0;       ///< see the model: mu >= floor * m
  std::vector<PriceChange> price_changes;   ///< sorted by product, then date
  // Customers: BG/NBD population (time in days) and Gamma-Gamma spend.
  double bgnbd_r = 0.0;                  ///< Gamma shape of lambda
  double bgnbd_alpha = 0.0;              ///< Gamma rate of lambda, days
  double bgnbd_a = 0.0;                  ///< Beta a of the dropout probability
  double bgnbd_b = 0.0;                  ///< Beta b of the dropout probability
  double gg_p = 0.0;                     ///< Gamma-Gamma p
  double gg_q = 0.0;                     ///< Gamma-Gamma q
  double gg_gamma = 0.0;                 ///< Gamma-Gamma gamma
  std::vector<CustomerTruth> customers;  ///< parallel to Dataset::customers
  double basket_mean_picks = 0.0;        ///< Poisson mean of picks per basket (before N >= 1)
  /// Lift of two products not in a planted pair within a store-day, 1 - exp(-basket_mean_picks);
  /// pooled over store-days it comes out close to this.
  double baseline_pair_lift = 1.0;
  /// A planted co-purchase pair: anchor a pulls partner b into baskets.
  struct Affinity {
    int32_t a = -1;  ///< anchor product index
    int32_t b = -1;  ///< partner product index
    /// Design: within a store-day, P(b in basket | a in basket) = conditional_lift * P(b) from
    /// the picks alone (capped so that the probability stays <= 1).
    double conditional_lift = 1.0;
    /// P(a and b) / (P(a) P(b)) pooled over all customer baskets, in expectation over the
    /// generated store-days: what a basket model should recover (sampling error aside).
    double lift = 1.0;
  };
  std::vector<Affinity> affinities;  ///< planted pairs, disjoint, anchor and partner in different
                                     ///< categories when there are two or more
};

/// A generated data set and the truth that made it.
struct GeneratedData {
  Dataset data;          ///< what an ingest would have produced
  GeneratorTruth truth;  ///< the parameters that made it
};

/// Checks a config: kInvalidArgument naming the field for bad values, kResourceExhausted when
/// the size exceeds max_store_product_days.
Status validate(const GeneratorConfig& config);

/// Generates the data set (see the model above); fails as validate() does.
Result<GeneratedData> generate(const GeneratorConfig& config);

/// Western Easter Sunday of a Gregorian year (anonymous Gregorian algorithm).
Date easter_sunday(int year);

/// The retail holidays the generator uses, in [first, last], sorted by date: New Year's Day,
/// Valentine's Day, Good Friday, Easter Sunday, Easter Monday, Ascension Day, Mother's Day (second
/// Sunday of May), Whit Monday, Halloween, Black Friday (the day after the fourth Thursday of
/// November), Christmas Eve, Christmas Day, Boxing Day and New Year's Eve.
std::vector<Holiday> retail_holidays(Date first, Date last);

}  // namespace shelfcast
