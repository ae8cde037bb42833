// Wire format of the generator's config (round-trips; every field optional on input, defaulting
// to the demo data set) and of its truth (written beside the demo data for validation).
#include "shelfcast/json.h"

namespace shelfcast {
namespace {

// Lists every field of the config once, for the encoder and the decoder alike.
template <typename Config, typename Visitor>
void visit_fields(Config& c, Visitor&& v) {
  v("seed", c.seed);
  v("n_stores", c.n_stores);
  v("n_categories", c.n_categories);
  v("n_products", c.n_products);
  v("n_days", c.n_days);
  v("start", c.start);
  v("n_customers", c.n_customers);
  v("max_store_product_days", c.max_store_product_days);
  v("store_size_log_sd", c.store_size_log_sd);
  v("category_popularity_log_sd", c.category_popularity_log_sd);
  v("base_median_units_per_day", c.base_median_units_per_day);
  v("base_log_sd", c.base_log_sd);
  v("intermittent_share", c.intermittent_share);
  v("intermittent_base_min_units_per_day", c.intermittent_base_min_units_per_day);
  v("intermittent_base_max_units_per_day", c.intermittent_base_max_units_per_day);
  v("nb_size_min", c.nb_size_min);
  v("nb_size_max", c.nb_size_max);
  v("intermittent_nb_size_min", c.intermittent_nb_size_min);
  v("intermittent_nb_size_max", c.intermittent_nb_size_max);
  v("price_median_per_unit", c.price_median_per_unit);
  v("category_price_log_sd", c.category_price_log_sd);
  v("product_price_log_sd", c.product_price_log_sd);
  v("price_min_per_unit", c.price_min_per_unit);
  v("gross_margin_min", c.gross_margin_min);
  v("gross_margin_max", c.gross_margin_max);
  v("price_change_rate_per_year", c.price_change_rate_per_year);
  v("price_change_log_mean", c.price_change_log_mean);
  v("price_change_log_sd", c.price_change_log_sd);
  v("elasticity_min", c.elasticity_min);
  v("elasticity_max", c.elasticity_max);
  v("promo_lift_per_depth_min", c.promo_lift_per_depth_min);
  v("promo_lift_per_depth_max", c.promo_lift_per_depth_max);
  v("feature_multiplier_min", c.feature_multiplier_min);
  v("feature_multiplier_max", c.feature_multiplier_max);
  v("display_multiplier_min", c.display_multiplier_min);
  v("display_multiplier_max", c.display_multiplier_max);
  v("trend_per_year_min", c.trend_per_year_min);
  v("trend_per_year_max", c.trend_per_year_max);
  v("yearly_amplitude_max", c.yearly_amplitude_max);
  v("yearly_phase_jitter_days", c.yearly_phase_jitter_days);
  v("cannibalization_total_min", c.cannibalization_total_min);
  v("cannibalization_total_max", c.cannibalization_total_max);
  v("cannibalization_floor", c.cannibalization_floor);
  v("pull_forward_min", c.pull_forward_min);
  v("pull_forward_max", c.pull_forward_max);
  v("post_promo_dip_min", c.post_promo_dip_min);
  v("post_promo_dip_max", c.post_promo_dip_max);
  v("weekly_profile", c.weekly_profile);
  v("holiday_multiplier", c.holiday_multiplier);
  v("promo_rate_per_product_year", c.promo_rate_per_product_year);
  v("promo_depth_min", c.promo_depth_min);
  v("promo_depth_max", c.promo_depth_max);
  v("promo_weeks_min", c.promo_weeks_min);
  v("promo_weeks_max", c.promo_weeks_max);
  v("promo_gap_weeks", c.promo_gap_weeks);
  v("promo_max_products", c.promo_max_products);
  v("promo_all_stores_share", c.promo_all_stores_share);
  v("promo_feature_share", c.promo_feature_share);
  v("promo_display_share", c.promo_display_share);
  v("promo_mechanic_weights", c.promo_mechanic_weights);
  v("bgnbd_r", c.bgnbd_r);
  v("bgnbd_alpha_days", c.bgnbd_alpha_days);
  v("bgnbd_a", c.bgnbd_a);
  v("bgnbd_b", c.bgnbd_b);
  v("acquisition_days", c.acquisition_days);
  v("gg_p", c.gg_p);
  v("gg_q", c.gg_q);
  v("gg_gamma", c.gg_gamma);
  v("basket_mean_picks", c.basket_mean_picks);
  v("n_affinity_pairs", c.n_affinity_pairs);
  v("affinity_lift_min", c.affinity_lift_min);
  v("affinity_lift_max", c.affinity_lift_max);
  v("affinity_max_anchor_load", c.affinity_max_anchor_load);
  v("lead_time_mean_min_days", c.lead_time_mean_min_days);
  v("lead_time_mean_max_days", c.lead_time_mean_max_days);
  v("lead_time_cv_min", c.lead_time_cv_min);
  v("lead_time_cv_max", c.lead_time_cv_max);
  v("review_period_days", c.review_period_days);
  v("stock_cover_min", c.stock_cover_min);
  v("stock_cover_max", c.stock_cover_max);
  v("on_order_share", c.on_order_share);
}

// Reads one optional config field, keeping the default when absent; remembers the first error.
struct FieldReader {
  const Json& j;
  Status status;

  template <typename Int>
  Status read_integer(const Json& e, Int* out) {
    if (!e.is_number_integer()) return invalid_argument("expected an integer, got " + e.dump());
    if (e.is_number_unsigned()) {
      const auto u = e.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
        return invalid_argument("integer out of range: " + e.dump());
      }
      *out = static_cast<Int>(u);
      return Status::ok();
    }
    const auto s = e.get<int64_t>();
    if (s < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
        (s > 0 &&
         static_cast<uint64_t>(s) > static_cast<uint64_t>(std::numeric_limits<Int>::max()))) {
      return invalid_argument("integer out of range: " + e.dump());
    }
    *out = static_cast<Int>(s);
    return Status::ok();
  }
  Status read(const Json& e, uint64_t* out) { return read_integer(e, out); }
  Status read(const Json& e, int64_t* out) { return read_integer(e, out); }
  Status read(const Json& e, int32_t* out) { return read_integer(e, out); }
  Status read(const Json& e, double* out) {
    if (!e.is_number()) return invalid_argument("expected a number, got " + e.dump());
    *out = e.get<double>();
    return Status::ok();
  }
  Status read(const Json& e, Date* out) {
    Result<Date> d = decode<Date>(e);
    if (!d.is_ok()) return d.status();
    *out = *d;
    return Status::ok();
  }
  template <size_t N>
  Status read(const Json& e, std::array<double, N>* out) {
    if (!e.is_array() || e.size() != N) {
      return invalid_argument("expected an array of " + std::to_string(N) + " numbers");
    }
    for (size_t i = 0; i < N; ++i) SHELFCAST_RETURN_IF_ERROR(read(e[i], &(*out)[i]));
    return Status::ok();
  }

  template <typename T>
  void operator()(const char* name, T& field) {
    if (!status.is_ok()) return;
    auto it = j.find(name);
    if (it == j.end()) return;
    Status s = read(*it, &field);
    if (!s.is_ok()) status = invalid_argument(s.message(), name);
  }
};

}  // namespace

void to_json(Json& j, const GeneratorConfig& v) {
  j = Json::object();
  visit_fields(v, [&j](const char* name, const auto& field) { j[name] = field; });
}

void to_json(Json& j, const ProductTruth& v) {
  j = Json{{"base_units_per_day", v.base_units_per_day},
           {"reference_price_per_unit", v.reference_price_per_unit},
           {"elasticity", v.elasticity},
           {"promo_lift_per_depth", v.promo_lift_per_depth},
           {"feature_multiplier", v.feature_multiplier},
           {"display_multiplier", v.display_multiplier},
           {"trend_per_year", v.trend_per_year},
           {"yearly_amplitude", v.yearly_amplitude},
           {"yearly_phase_days", v.yearly_phase_days},
           {"cannibalization_share", v.cannibalization_share},
           {"post_promo_dip", v.post_promo_dip},
           {"pull_forward", v.pull_forward},
           {"intermittent", v.intermittent},
           {"nb_dispersion", v.nb_dispersion}};
}

void to_json(Json& j, const GeneratorTruth& v) {
  Json affinities = Json::array();
  for (const GeneratorTruth::Affinity& a : v.affinities) {
    affinities.push_back(
        Json{{"a", a.a}, {"b", a.b}, {"lift", a.lift}, {"conditional_lift", a.conditional_lift}});
  }
  Json price_changes = Json::array();
  for (const PriceChange& c : v.price_changes) {
    price_changes.push_back(Json{{"product", c.product},
                                 {"date", c.date},
                                 {"regular_price_per_unit", c.regular_price_per_unit}});
  }
  Json customers = Json::array();
  for (const CustomerTruth& c : v.customers) {
    customers.push_back(Json{{"home_store", c.home_store},
                             {"acquired", c.acquired},
                             {"purchase_rate_per_day", c.purchase_rate_per_day},
                             {"dropout_probability", c.dropout_probability},
                             {"spend_rate", c.spend_rate},
                             {"mean_spend_per_order", c.mean_spend_per_order},
                             {"churned", c.churned},
                             {"alive_until", c.alive_until},
                             {"n_orders", c.n_orders}});
  }
  j = Json{{"products", v.products},
           {"store_size", v.store_size},
           {"category_popularity", v.category_popularity},
           {"weekly_profile", v.weekly_profile},
           {"holiday_multiplier", v.holiday_multiplier},
           {"cannibalization_floor", v.cannibalization_floor},
           {"price_changes", price_changes},
           {"bgnbd",
            {{"r", v.bgnbd_r},
             {"alpha", v.bgnbd_alpha},
             {"a", v.bgnbd_a},
             {"b", v.bgnbd_b},
             {"time_unit", "day"}}},
           {"gamma_gamma", {{"p", v.gg_p}, {"q", v.gg_q}, {"gamma", v.gg_gamma}}},
           {"customers", customers},
           {"basket_mean_picks", v.basket_mean_picks},
           {"baseline_pair_lift", v.baseline_pair_lift},
           {"affinities", affinities}};
}

template <>
Result<GeneratorConfig> decode<GeneratorConfig>(const Json& j) {
  if (!j.is_object()) return invalid_argument("expected an object");
  GeneratorConfig v;
  FieldReader reader{j, Status::ok()};
  visit_fields(v, reader);
  if (!reader.status.is_ok()) return reader.status;
  return v;
}

}  // namespace shelfcast
