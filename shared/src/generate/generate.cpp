// The seeded synthetic retail data generator: entry point, catalog, promotions, prices, calendar
// and stock. The model is documented, formula by formula, in shelfcast/generate.h; customers and
// baskets are in customers.cpp, the daily demand loop in daily.cpp.

#include "shelfcast/generate.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "detail/rng.h"
#include "generate/generator.h"

namespace shelfcast {

Result<GeneratedData> generate(const GeneratorConfig& config) {
  SHELFCAST_RETURN_IF_ERROR(validate(config));
  return detail::Generator(config).run();
}

namespace detail {
namespace {

constexpr int32_t kPlacementAttempts = 8;  // tries per wanted promotion before giving up
constexpr double kCent = 0.01;

const char* const kCategoryNames[] = {"Dairy",        "Bakery",        "Beverages", "Snacks",
                                      "Produce",      "Frozen Foods",  "Meat",      "Seafood",
                                      "Pasta & Rice", "Canned Goods",  "Breakfast", "Confectionery",
                                      "Household",    "Personal Care", "Baby",      "Pet Care",
                                      "Deli",         "Condiments",    "Health",    "Beer & Wine"};
constexpr int32_t kNamedCategories = 20;
const char* const kRegionNames[] = {"North", "South", "East", "West"};
constexpr int32_t kNamedRegions = 4;

std::string padded(int64_t value, size_t width) {
  std::string s = std::to_string(value);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

size_t digits(int64_t n) { return std::to_string(n).size(); }

void scale_to_mean_one(std::vector<double>* v) {
  double sum = 0.0;
  for (double x : *v) sum += x;
  if (!(sum > 0.0)) return;
  const double mean = sum / static_cast<double>(v->size());
  for (double& x : *v) x /= mean;
}

Weeks make_weeks(Date start, int32_t n_days) {
  Weeks w;
  w.offset = weekday(start);
  w.n_blocks = (w.offset + n_days + kDaysPerWeek - 1) / kDaysPerWeek;
  w.first_full = w.offset == 0 ? 0 : 1;
  w.end_full = (w.offset + n_days) / kDaysPerWeek;
  if (w.end_full < w.first_full) w.end_full = w.first_full;
  return w;
}

// Mechanic and depth of a new promotion.
Promotion draw_mechanic(const GeneratorConfig& cfg, Rng* rng, const AliasTable& mechanics) {
  Promotion p;
  const double kFixedDepth[] = {0.0, 0.0, 1.0 / 3.0, 0.5};  // multi-buy "3 for 2", BOGO
  p.mechanic = static_cast<PromoMechanic>(mechanics.sample(rng));
  const double u = rng->uniform(cfg.promo_depth_min, cfg.promo_depth_max);
  switch (p.mechanic) {
    case PromoMechanic::kPercentOff:
      p.depth = std::round(u * 20.0) / 20.0;  // 5% steps
      break;
    case PromoMechanic::kPricePoint:
      p.depth = std::round(u * 100.0) / 100.0;
      break;
    case PromoMechanic::kMultiBuy:
    case PromoMechanic::kBogo: {
      const double fixed = kFixedDepth[static_cast<int>(p.mechanic)];
      if (fixed >= cfg.promo_depth_min && fixed <= cfg.promo_depth_max) {
        p.depth = fixed;
      } else {
        p.mechanic = PromoMechanic::kPercentOff;
        p.depth = std::round(u * 20.0) / 20.0;
      }
      break;
    }
  }
  p.depth = std::min(std::max(p.depth, cfg.promo_depth_min), cfg.promo_depth_max);
  return p;
}

}  // namespace

double round_cents(double x) { return std::round(x * 100.0) / 100.0; }

double charm_price(double x, double floor) {
  const double p = round_cents(std::ceil(x * 10.0) / 10.0 - kCent);
  return std::max(p, floor);
}

Generator::Generator(const GeneratorConfig& config)
    : cfg_(config),
      data_(out_.data),
      truth_(out_.truth),
      ns_(static_cast<size_t>(config.n_stores)),
      nc_(static_cast<size_t>(config.n_categories)),
      np_(static_cast<size_t>(config.n_products)),
      n_days_(config.n_days),
      years_(static_cast<double>(config.n_days) / kDaysPerYear),
      weeks_(make_weeks(config.start, config.n_days)),
      demand_rng_(config.seed, kStreamDemand),
      basket_rng_(config.seed, kStreamBaskets) {
  nb_ = static_cast<size_t>(weeks_.n_blocks);
}

GeneratedData Generator::run() {
  make_stores();
  make_categories();
  make_products();
  make_promotions();
  make_price_changes();
  make_calendar();
  make_customers();
  make_affinities();
  simulate_days();
  make_inventory();
  return std::move(out_);
}

void Generator::make_stores() {
  store_size_.resize(ns_);
  store_region_.resize(ns_);
  n_regions_ = std::min(kNamedRegions, cfg_.n_stores);
  Rng rng(cfg_.seed, kStreamStores);
  for (double& x : store_size_) x = rng.lognormal(0.0, cfg_.store_size_log_sd);
  scale_to_mean_one(&store_size_);
  const size_t width = std::max<size_t>(2, digits(cfg_.n_stores));
  for (int32_t s = 0; s < cfg_.n_stores; ++s) {
    store_region_[static_cast<size_t>(s)] = s % n_regions_;
    Store store;
    store.code = "S" + padded(s + 1, width);
    store.name = "Store " + padded(s + 1, width);
    store.region = kRegionNames[s % n_regions_];
    data_.stores.push_back(std::move(store));
  }
  truth_.store_size = store_size_;
}

void Generator::make_categories() {
  std::vector<double> popularity(nc_);
  category_price_.resize(nc_);
  category_phase_days_.resize(nc_);
  category_cannibalization_.resize(nc_);
  Rng rng(cfg_.seed, kStreamCategories);
  for (size_t c = 0; c < nc_; ++c) {
    popularity[c] = rng.lognormal(0.0, cfg_.category_popularity_log_sd);
    category_price_[c] =
        rng.lognormal(log_portable(cfg_.price_median_per_unit), cfg_.category_price_log_sd);
    category_phase_days_[c] = rng.uniform(0.0, kDaysPerYear);
    category_cannibalization_[c] =
        rng.uniform(cfg_.cannibalization_total_min, cfg_.cannibalization_total_max);
  }
  scale_to_mean_one(&popularity);
  const size_t width = std::max<size_t>(2, digits(cfg_.n_categories));
  for (int32_t c = 0; c < cfg_.n_categories; ++c) {
    Category category;
    category.code = "C" + padded(c + 1, width);
    category.name =
        c < kNamedCategories ? std::string(kCategoryNames[c]) : "Category " + padded(c + 1, width);
    data_.categories.push_back(std::move(category));
  }
  truth_.category_popularity = popularity;
}

void Generator::make_products() {
  // Products are laid out category by category; each category has at least one.
  product_category_.resize(np_);
  category_begin_.assign(nc_ + 1, 0);
  truth_.products.resize(np_);
  Rng rng(cfg_.seed, kStreamProducts);
  std::vector<int32_t> count(nc_, 1);
  for (int32_t k = cfg_.n_categories; k < cfg_.n_products; ++k) {
    ++count[static_cast<size_t>(rng.below(nc_))];
  }
  for (size_t c = 0; c < nc_; ++c) category_begin_[c + 1] = category_begin_[c] + count[c];
  for (size_t c = 0; c < nc_; ++c) {
    for (int32_t i = category_begin_[c]; i < category_begin_[c + 1]; ++i) {
      product_category_[static_cast<size_t>(i)] = static_cast<int32_t>(c);
    }
  }
  // Slow movers: a uniformly random subset of exactly round(share * n) products.
  std::vector<int32_t> order(np_);
  for (size_t i = 0; i < np_; ++i) order[i] = static_cast<int32_t>(i);
  const auto n_slow = static_cast<size_t>(std::llround(cfg_.intermittent_share * cfg_.n_products));
  for (size_t k = 0; k < n_slow; ++k) {
    const size_t j = k + static_cast<size_t>(rng.below(np_ - k));
    std::swap(order[k], order[j]);
    truth_.products[static_cast<size_t>(order[k])].intermittent = true;
  }

  const size_t width = std::max<size_t>(4, digits(cfg_.n_products));
  for (size_t i = 0; i < np_; ++i) {
    const size_t c = static_cast<size_t>(product_category_[i]);
    ProductTruth& t = truth_.products[i];
    const double price =
        charm_price(category_price_[c] * rng.lognormal(0.0, cfg_.product_price_log_sd),
                    cfg_.price_min_per_unit);
    const double margin = rng.uniform(cfg_.gross_margin_min, cfg_.gross_margin_max);
    double cost = round_cents(price * (1.0 - margin));
    cost = std::min(std::max(cost, kCent), round_cents(price - kCent));
    t.reference_price_per_unit = price;
    if (t.intermittent) {
      t.base_units_per_day = rng.uniform(cfg_.intermittent_base_min_units_per_day,
                                         cfg_.intermittent_base_max_units_per_day);
      t.nb_dispersion = rng.uniform(cfg_.intermittent_nb_size_min, cfg_.intermittent_nb_size_max);
    } else {
      t.base_units_per_day =
          truth_.category_popularity[c] *
          rng.lognormal(log_portable(cfg_.base_median_units_per_day), cfg_.base_log_sd);
      t.nb_dispersion = rng.uniform(cfg_.nb_size_min, cfg_.nb_size_max);
    }
    t.elasticity = rng.uniform(cfg_.elasticity_min, cfg_.elasticity_max);
    t.promo_lift_per_depth =
        rng.uniform(cfg_.promo_lift_per_depth_min, cfg_.promo_lift_per_depth_max);
    t.feature_multiplier = rng.uniform(cfg_.feature_multiplier_min, cfg_.feature_multiplier_max);
    t.display_multiplier = rng.uniform(cfg_.display_multiplier_min, cfg_.display_multiplier_max);
    t.trend_per_year = rng.uniform(cfg_.trend_per_year_min, cfg_.trend_per_year_max);
    t.yearly_amplitude = rng.uniform(0.0, cfg_.yearly_amplitude_max);
    double phase = category_phase_days_[c] +
                   rng.uniform(-cfg_.yearly_phase_jitter_days, cfg_.yearly_phase_jitter_days);
    if (phase < 0.0) phase += kDaysPerYear;
    if (phase >= kDaysPerYear) phase -= kDaysPerYear;
    t.yearly_phase_days = phase;
    t.pull_forward = rng.uniform(cfg_.pull_forward_min, cfg_.pull_forward_max);
    t.post_promo_dip = rng.uniform(cfg_.post_promo_dip_min, cfg_.post_promo_dip_max);

    Product product;
    product.code = "P" + padded(static_cast<int64_t>(i) + 1, width);
    product.name = data_.categories[c].name + " " +
                   padded(static_cast<int64_t>(i) - category_begin_[c] + 1, 3);
    product.category = static_cast<int32_t>(c);
    product.cost_per_unit = cost;
    product.list_price_per_unit = price;  // becomes the last regular price in make_price_changes
    data_.products.push_back(std::move(product));
  }
  // Cannibalization: each category's total share split over its products by base demand.
  for (size_t c = 0; c < nc_; ++c) {
    const int32_t b = category_begin_[c], e = category_begin_[c + 1];
    if (e - b < 2) continue;
    double total = 0.0;
    for (int32_t i = b; i < e; ++i) {
      total += truth_.products[static_cast<size_t>(i)].base_units_per_day;
    }
    for (int32_t i = b; i < e; ++i) {
      ProductTruth& t = truth_.products[static_cast<size_t>(i)];
      t.cannibalization_share = category_cannibalization_[c] * t.base_units_per_day / total;
    }
  }
}

void Generator::make_promotions() {
  promoted_block_.assign(np_ * nb_, 0);
  Rng rng(cfg_.seed, kStreamPromotions);
  std::vector<std::vector<int32_t>> eligible_by_category(nc_);
  std::vector<int32_t> eligible;  // slow movers are never promoted
  for (size_t i = 0; i < np_; ++i) {
    if (truth_.products[i].intermittent) continue;
    eligible.push_back(static_cast<int32_t>(i));
    eligible_by_category[static_cast<size_t>(product_category_[i])].push_back(
        static_cast<int32_t>(i));
  }
  const int32_t n_full = weeks_.end_full - weeks_.first_full;
  std::vector<uint8_t> blocked(np_ * nb_, 0);  // promoted, or within the gap of a promotion
  const AliasTable mechanics(
      std::vector<double>(cfg_.promo_mechanic_weights.begin(), cfg_.promo_mechanic_weights.end()));
  const auto is_free = [&](int32_t product, int32_t b0, int32_t n_weeks) {
    for (int32_t b = b0; b < b0 + n_weeks; ++b) {
      if (blocked[static_cast<size_t>(product) * nb_ + static_cast<size_t>(b)]) return false;
    }
    return true;
  };
  if (!eligible.empty() && n_full >= cfg_.promo_weeks_min) {
    const double mean_products = (1.0 + cfg_.promo_max_products) / 2.0;
    const int64_t wanted = std::llround(cfg_.promo_rate_per_product_year * years_ *
                                        static_cast<double>(eligible.size()) / mean_products);
    int64_t made = 0;
    std::vector<int32_t> candidates;
    for (int64_t attempt = 0; attempt < wanted * kPlacementAttempts && made < wanted; ++attempt) {
      const int32_t anchor = eligible[static_cast<size_t>(rng.below(eligible.size()))];
      const int32_t n_weeks =
          rng.between(cfg_.promo_weeks_min, std::min(cfg_.promo_weeks_max, n_full));
      const int32_t b0 =
          weeks_.first_full +
          static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_full - n_weeks + 1)));
      if (!is_free(anchor, b0, n_weeks)) continue;
      Promotion promo = draw_mechanic(cfg_, &rng, mechanics);
      promo.products.push_back(anchor);
      const int32_t extra = rng.between(1, cfg_.promo_max_products) - 1;
      if (extra > 0) {  // free siblings of the anchor, in random order
        candidates = eligible_by_category[static_cast<size_t>(
            product_category_[static_cast<size_t>(anchor)])];
        for (size_t k = 0; k < candidates.size(); ++k) {
          const size_t j = k + static_cast<size_t>(rng.below(candidates.size() - k));
          std::swap(candidates[k], candidates[j]);
        }
        for (int32_t cand : candidates) {
          if (static_cast<int32_t>(promo.products.size()) > extra) break;
          if (cand != anchor && is_free(cand, b0, n_weeks)) promo.products.push_back(cand);
        }
      }
      std::sort(promo.products.begin(), promo.products.end());
      for (int32_t product : promo.products) {
        const size_t row = static_cast<size_t>(product) * nb_;
        const int32_t lo = std::max(0, b0 - cfg_.promo_gap_weeks);
        const int32_t hi = std::min(weeks_.n_blocks, b0 + n_weeks + cfg_.promo_gap_weeks);
        for (int32_t b = lo; b < hi; ++b) blocked[row + static_cast<size_t>(b)] = 1;
        for (int32_t b = b0; b < b0 + n_weeks; ++b) {
          promoted_block_[row + static_cast<size_t>(b)] = 1;
        }
      }
      promo.feature = rng.bernoulli(cfg_.promo_feature_share);
      promo.display = rng.bernoulli(cfg_.promo_display_share);
      if (!rng.bernoulli(cfg_.promo_all_stores_share) && n_regions_ > 1) {
        const auto region = static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_regions_)));
        for (int32_t s = 0; s < cfg_.n_stores; ++s) {
          if (store_region_[static_cast<size_t>(s)] == region) promo.stores.push_back(s);
        }
      }
      promo.start = Date{cfg_.start.days + weeks_.first_day(b0)};
      promo.end = Date{promo.start.days + n_weeks * kDaysPerWeek - 1};
      data_.promotions.push_back(std::move(promo));
      ++made;
    }
  }
  std::stable_sort(data_.promotions.begin(), data_.promotions.end(),
                   [](const Promotion& a, const Promotion& b) {
                     if (a.start != b.start) return a.start < b.start;
                     return a.products.front() < b.products.front();
                   });
  const size_t width = std::max<size_t>(4, digits(static_cast<int64_t>(data_.promotions.size())));
  for (size_t k = 0; k < data_.promotions.size(); ++k) {
    Promotion& promo = data_.promotions[k];
    promo.code = "PR" + padded(static_cast<int64_t>(k) + 1, width);
    PromoPlan plan;
    plan.first_block = weeks_.block_of(promo.start.days - cfg_.start.days);
    plan.last_block = weeks_.block_of(promo.end.days - cfg_.start.days);
    for (int32_t product : promo.products) {
      const ProductTruth& t = truth_.products[static_cast<size_t>(product)];
      double m = pow_portable(1.0 - promo.depth, t.elasticity) *
                 exp_portable(t.promo_lift_per_depth * promo.depth);
      if (promo.feature) m *= t.feature_multiplier;
      if (promo.display) m *= t.display_multiplier;
      plan.multiplier.push_back(m);
    }
    plans_.push_back(std::move(plan));
  }
}

void Generator::make_price_changes() {
  price_path_.resize(np_);
  Rng rng(cfg_.seed, kStreamPrices);
  const int32_t lo_block = std::max(weeks_.first_full, 1);
  const int32_t n_choices = weeks_.end_full - lo_block;
  std::vector<int32_t> blocks;
  for (size_t i = 0; i < np_; ++i) {
    price_path_[i].emplace_back(0, truth_.products[i].reference_price_per_unit);
    const int64_t n_changes = rng.poisson(cfg_.price_change_rate_per_year * years_);
    blocks.clear();
    for (int64_t k = 0; k < n_changes && n_choices > 0; ++k) {
      const int32_t b =
          lo_block + static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_choices)));
      const size_t row = i * nb_;
      // Never inside a promotion or in the week right after one.
      if (promoted_block_[row + static_cast<size_t>(b)] ||
          promoted_block_[row + static_cast<size_t>(b - 1)]) {
        continue;
      }
      blocks.push_back(b);
    }
    std::sort(blocks.begin(), blocks.end());
    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    // Cost stays; a price never drops below the minimum margin over it.
    const double min_price =
        round_cents(data_.products[i].cost_per_unit / (1.0 - cfg_.gross_margin_min));
    for (int32_t b : blocks) {
      const double old_price = price_path_[i].back().second;
      double price = charm_price(old_price * exp_portable(cfg_.price_change_log_mean +
                                                          cfg_.price_change_log_sd * rng.normal()),
                                 cfg_.price_min_per_unit);
      if (price < min_price) price = charm_price(min_price, cfg_.price_min_per_unit);
      if (price == old_price) continue;
      const int32_t day = weeks_.first_day(b);
      price_path_[i].emplace_back(day, price);
      truth_.price_changes.push_back(
          PriceChange{static_cast<int32_t>(i), Date{cfg_.start.days + day}, price});
    }
    data_.products[i].list_price_per_unit = price_path_[i].back().second;
  }
}

void Generator::make_calendar() {
  const Date last{cfg_.start.days + n_days_ - 1};
  data_.holidays = retail_holidays(cfg_.start, last);
  is_holiday_.assign(static_cast<size_t>(n_days_), 0);
  for (const Holiday& h : data_.holidays) {
    is_holiday_[static_cast<size_t>(h.date.days - cfg_.start.days)] = 1;
  }
  truth_.weekly_profile.assign(cfg_.weekly_profile.begin(), cfg_.weekly_profile.end());
  scale_to_mean_one(&truth_.weekly_profile);
  truth_.holiday_multiplier = cfg_.holiday_multiplier;
  truth_.cannibalization_floor = cfg_.cannibalization_floor;
}

void Generator::make_inventory() {
  // Positions as of the day after the last day, from the regular demand then (no season).
  Rng rng(cfg_.seed, kStreamInventory);
  data_.inventory.reserve(ns_ * np_);
  const double end_years = static_cast<double>(n_days_) / kDaysPerYear;
  for (size_t i = 0; i < np_; ++i) {
    const ProductTruth& pt = truth_.products[i];
    const double lead_mean = std::max(
        0.5,
        std::round(rng.uniform(cfg_.lead_time_mean_min_days, cfg_.lead_time_mean_max_days) * 2.0) /
            2.0);
    const double lead_sd =
        round_cents(lead_mean * rng.uniform(cfg_.lead_time_cv_min, cfg_.lead_time_cv_max));
    const double daily =
        pt.base_units_per_day * exp_portable(pt.trend_per_year * end_years) * price_effect_[i];
    for (size_t s = 0; s < ns_; ++s) {
      InventoryPosition pos;
      pos.store = static_cast<int32_t>(s);
      pos.product = static_cast<int32_t>(i);
      const double store_daily = daily * store_size_[s];
      pos.on_hand = std::round(store_daily * (lead_mean + cfg_.review_period_days) *
                               rng.uniform(cfg_.stock_cover_min, cfg_.stock_cover_max));
      if (rng.bernoulli(cfg_.on_order_share)) {
        pos.on_order = std::round(store_daily * cfg_.review_period_days *
                                  rng.uniform(cfg_.stock_cover_min, cfg_.stock_cover_max));
      }
      pos.lead_time_mean_days = lead_mean;
      pos.lead_time_sd_days = lead_sd;
      data_.inventory.push_back(pos);
    }
  }
  // Store-major order, like the lines.
  std::stable_sort(data_.inventory.begin(), data_.inventory.end(),
                   [](const InventoryPosition& a, const InventoryPosition& b) {
                     if (a.store != b.store) return a.store < b.store;
                     return a.product < b.product;
                   });
}

}  // namespace detail
}  // namespace shelfcast
