// Config validation for the generator: every bad value is kInvalidArgument naming its field.

#include <cmath>
#include <string>

#include "shelfcast/generate.h"

namespace shelfcast {
namespace {

// Hard ceilings that keep index arithmetic inside int32 and dates inside the civil algorithms.
constexpr int32_t kMaxStores = 100000;
constexpr int32_t kMaxProducts = 10000000;
constexpr int32_t kMaxDays = 36600;
constexpr int32_t kMaxCustomers = 50000000;
constexpr int32_t kMaxAffinityPairs = 100000;
constexpr double kMaxPicks = 1000.0;
constexpr double kMaxDepth = 0.95;  // Promotion::depth domain

class Checker {
 public:
  Status status() const { return status_; }

  void count(int32_t value, int32_t lo, int32_t hi, const char* field) {
    if (!status_.is_ok()) return;
    if (value < lo || value > hi) {
      status_ = invalid_argument("must be an integer in [" + std::to_string(lo) + ", " +
                                     std::to_string(hi) + "], got " + std::to_string(value),
                                 field);
    }
  }
  // lo <= value <= hi, finite.
  void range(double value, double lo, double hi, const char* field) {
    if (!status_.is_ok()) return;
    if (!std::isfinite(value) || value < lo || value > hi) {
      status_ = invalid_argument(
          "must be a finite number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
          field);
    }
  }
  // value > 0, finite.
  void positive(double value, const char* field) {
    if (!status_.is_ok()) return;
    if (!std::isfinite(value) || !(value > 0.0)) {
      status_ = invalid_argument("must be a finite number > 0", field);
    }
  }
  // value >= 0, finite.
  void non_negative(double value, const char* field) {
    if (!status_.is_ok()) return;
    if (!std::isfinite(value) || value < 0.0) {
      status_ = invalid_argument("must be a finite number >= 0", field);
    }
  }
  void share(double value, const char* field) { range(value, 0.0, 1.0, field); }
  // Both checked by the caller for domain; here min <= max.
  void ordered(double lo, double hi, const char* field) {
    if (!status_.is_ok()) return;
    if (!(lo <= hi)) status_ = invalid_argument("must not exceed the matching _max", field);
  }
  void fail(const std::string& message, const char* field) {
    if (status_.is_ok()) status_ = invalid_argument(message, field);
  }

 private:
  Status status_;
};

}  // namespace

Status validate(const GeneratorConfig& c) {
  Checker k;
  k.count(c.n_stores, 1, kMaxStores, "n_stores");
  k.count(c.n_categories, 1, kMaxProducts, "n_categories");
  k.count(c.n_products, 1, kMaxProducts, "n_products");
  if (c.n_products < c.n_categories) k.fail("must be >= n_categories", "n_products");
  k.count(c.n_days, 1, kMaxDays, "n_days");
  k.count(c.start.days, -700000, 2900000, "start");  // years 0 .. 9900
  k.count(c.n_customers, 1, kMaxCustomers, "n_customers");
  if (k.status().is_ok()) {
    const double cells = static_cast<double>(c.n_stores) * static_cast<double>(c.n_products) *
                         static_cast<double>(c.n_days);
    if (c.max_store_product_days < 1) {
      k.fail("must be >= 1", "max_store_product_days");
    } else if (cells > static_cast<double>(c.max_store_product_days)) {
      return Status(ErrorCode::kResourceExhausted,
                    "n_stores * n_products * n_days = " + std::to_string(cells) +
                        " exceeds max_store_product_days",
                    "max_store_product_days");
    }
  }

  k.non_negative(c.store_size_log_sd, "store_size_log_sd");
  k.non_negative(c.category_popularity_log_sd, "category_popularity_log_sd");
  k.positive(c.base_median_units_per_day, "base_median_units_per_day");
  k.non_negative(c.base_log_sd, "base_log_sd");
  k.share(c.intermittent_share, "intermittent_share");
  k.positive(c.intermittent_base_min_units_per_day, "intermittent_base_min_units_per_day");
  k.positive(c.intermittent_base_max_units_per_day, "intermittent_base_max_units_per_day");
  k.ordered(c.intermittent_base_min_units_per_day, c.intermittent_base_max_units_per_day,
            "intermittent_base_min_units_per_day");
  k.non_negative(c.nb_size_min, "nb_size_min");
  k.non_negative(c.nb_size_max, "nb_size_max");
  k.ordered(c.nb_size_min, c.nb_size_max, "nb_size_min");
  if (c.nb_size_min == 0.0 && c.nb_size_max > 0.0) {
    k.fail("must be > 0 unless nb_size_max is 0 too (Poisson)", "nb_size_min");
  }
  k.positive(c.intermittent_nb_size_min, "intermittent_nb_size_min");
  k.positive(c.intermittent_nb_size_max, "intermittent_nb_size_max");
  k.ordered(c.intermittent_nb_size_min, c.intermittent_nb_size_max, "intermittent_nb_size_min");
  k.positive(c.price_median_per_unit, "price_median_per_unit");
  k.non_negative(c.category_price_log_sd, "category_price_log_sd");
  k.non_negative(c.product_price_log_sd, "product_price_log_sd");
  k.range(c.price_min_per_unit, 0.05, 1e6, "price_min_per_unit");
  k.range(c.gross_margin_min, 0.01, 0.99, "gross_margin_min");
  k.range(c.gross_margin_max, 0.01, 0.99, "gross_margin_max");
  k.ordered(c.gross_margin_min, c.gross_margin_max, "gross_margin_min");
  k.range(c.price_change_rate_per_year, 0.0, 52.0, "price_change_rate_per_year");
  k.range(c.price_change_log_mean, -1.0, 1.0, "price_change_log_mean");
  k.range(c.price_change_log_sd, 0.0, 1.0, "price_change_log_sd");

  k.range(c.elasticity_min, -20.0, 0.0, "elasticity_min");
  k.range(c.elasticity_max, -20.0, 0.0, "elasticity_max");
  k.ordered(c.elasticity_min, c.elasticity_max, "elasticity_min");
  k.range(c.promo_lift_per_depth_min, 0.0, 20.0, "promo_lift_per_depth_min");
  k.range(c.promo_lift_per_depth_max, 0.0, 20.0, "promo_lift_per_depth_max");
  k.ordered(c.promo_lift_per_depth_min, c.promo_lift_per_depth_max, "promo_lift_per_depth_min");
  k.range(c.feature_multiplier_min, 1.0, 100.0, "feature_multiplier_min");
  k.range(c.feature_multiplier_max, 1.0, 100.0, "feature_multiplier_max");
  k.ordered(c.feature_multiplier_min, c.feature_multiplier_max, "feature_multiplier_min");
  k.range(c.display_multiplier_min, 1.0, 100.0, "display_multiplier_min");
  k.range(c.display_multiplier_max, 1.0, 100.0, "display_multiplier_max");
  k.ordered(c.display_multiplier_min, c.display_multiplier_max, "display_multiplier_min");
  k.range(c.trend_per_year_min, -5.0, 5.0, "trend_per_year_min");
  k.range(c.trend_per_year_max, -5.0, 5.0, "trend_per_year_max");
  k.ordered(c.trend_per_year_min, c.trend_per_year_max, "trend_per_year_min");
  k.range(c.yearly_amplitude_max, 0.0, 5.0, "yearly_amplitude_max");
  k.range(c.yearly_phase_jitter_days, 0.0, 366.0, "yearly_phase_jitter_days");
  k.share(c.cannibalization_total_min, "cannibalization_total_min");
  k.share(c.cannibalization_total_max, "cannibalization_total_max");
  k.ordered(c.cannibalization_total_min, c.cannibalization_total_max, "cannibalization_total_min");
  k.share(c.cannibalization_floor, "cannibalization_floor");
  k.range(c.pull_forward_min, 0.0, 0.99, "pull_forward_min");
  k.range(c.pull_forward_max, 0.0, 0.99, "pull_forward_max");
  k.ordered(c.pull_forward_min, c.pull_forward_max, "pull_forward_min");
  k.range(c.post_promo_dip_min, 0.0, 0.99, "post_promo_dip_min");
  k.range(c.post_promo_dip_max, 0.0, 0.99, "post_promo_dip_max");
  k.ordered(c.post_promo_dip_min, c.post_promo_dip_max, "post_promo_dip_min");
  for (double w : c.weekly_profile) k.positive(w, "weekly_profile");
  k.positive(c.holiday_multiplier, "holiday_multiplier");

  k.range(c.promo_rate_per_product_year, 0.0, 52.0, "promo_rate_per_product_year");
  k.range(c.promo_depth_min, 0.01, kMaxDepth, "promo_depth_min");
  k.range(c.promo_depth_max, 0.01, kMaxDepth, "promo_depth_max");
  k.ordered(c.promo_depth_min, c.promo_depth_max, "promo_depth_min");
  k.count(c.promo_weeks_min, 1, 52, "promo_weeks_min");
  k.count(c.promo_weeks_max, c.promo_weeks_min, 52, "promo_weeks_max");
  k.count(c.promo_gap_weeks, 1, 52, "promo_gap_weeks");
  k.count(c.promo_max_products, 1, 1000, "promo_max_products");
  k.share(c.promo_all_stores_share, "promo_all_stores_share");
  k.share(c.promo_feature_share, "promo_feature_share");
  k.share(c.promo_display_share, "promo_display_share");
  double mechanic_total = 0.0;
  for (double w : c.promo_mechanic_weights) {
    k.non_negative(w, "promo_mechanic_weights");
    mechanic_total += w;
  }
  if (!(mechanic_total > 0.0)) k.fail("must not all be 0", "promo_mechanic_weights");

  k.range(c.bgnbd_r, 1e-3, 1e3, "bgnbd_r");
  k.range(c.bgnbd_alpha_days, 1e-3, 1e6, "bgnbd_alpha_days");
  k.range(c.bgnbd_a, 1e-3, 1e3, "bgnbd_a");
  k.range(c.bgnbd_b, 1e-3, 1e6, "bgnbd_b");
  k.count(c.acquisition_days, 1, kMaxDays, "acquisition_days");
  k.range(c.gg_p, 1e-3, 1e3, "gg_p");
  k.range(c.gg_q, 1.0 + 1e-6, 1e3, "gg_q");  // > 1: the mean spend p * gamma / (q - 1) exists
  k.range(c.gg_gamma, 1e-3, 1e9, "gg_gamma");
  k.range(c.basket_mean_picks, 0.1, kMaxPicks, "basket_mean_picks");
  k.count(c.n_affinity_pairs, 0, kMaxAffinityPairs, "n_affinity_pairs");
  k.range(c.affinity_lift_min, 1.0, 1000.0, "affinity_lift_min");
  k.range(c.affinity_lift_max, 1.0, 1000.0, "affinity_lift_max");
  k.ordered(c.affinity_lift_min, c.affinity_lift_max, "affinity_lift_min");
  k.range(c.affinity_max_anchor_load, 1e-6, 0.99, "affinity_max_anchor_load");

  k.range(c.lead_time_mean_min_days, 0.5, 3650.0, "lead_time_mean_min_days");
  k.range(c.lead_time_mean_max_days, 0.5, 3650.0, "lead_time_mean_max_days");
  k.ordered(c.lead_time_mean_min_days, c.lead_time_mean_max_days, "lead_time_mean_min_days");
  k.range(c.lead_time_cv_min, 0.0, 5.0, "lead_time_cv_min");
  k.range(c.lead_time_cv_max, 0.0, 5.0, "lead_time_cv_max");
  k.ordered(c.lead_time_cv_min, c.lead_time_cv_max, "lead_time_cv_min");
  k.range(c.review_period_days, 0.0, 3650.0, "review_period_days");
  k.non_negative(c.stock_cover_min, "stock_cover_min");
  k.non_negative(c.stock_cover_max, "stock_cover_max");
  k.ordered(c.stock_cover_min, c.stock_cover_max, "stock_cover_min");
  k.share(c.on_order_share, "on_order_share");
  return k.status();
}

}  // namespace shelfcast
