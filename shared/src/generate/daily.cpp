// The generator's daily loop: for each day and store, the documented mean of every product
// (shelfcast/generate.h), its walk-in draw, then the loyalty baskets of that store-day.

#include <algorithm>
#include <cmath>
#include <vector>

#include "detail/rng.h"
#include "generate/generator.h"

namespace shelfcast::detail {
namespace {

constexpr double kReserveSlack = 1.1;  // lines.reserve() headroom over the day-0 estimate

}  // namespace

void Generator::reserve_lines() {
  // A day-0 estimate of the non-zero share of store x product x days, plus the loyalty lines.
  double expected = 0.0;
  for (size_t i = 0; i < np_; ++i) {
    const ProductTruth& t = truth_.products[i];
    for (size_t s = 0; s < ns_; ++s) {
      const double mu = t.base_units_per_day * store_size_[s];
      const double k = t.nb_dispersion;
      expected += 1.0 - (k > 0.0 ? pow_portable(k / (k + mu), k) : exp_portable(-mu));
    }
  }
  expected =
      expected * n_days_ + static_cast<double>(occasions_.size()) * (cfg_.basket_mean_picks + 1.0);
  data_.lines.reserve(static_cast<size_t>(expected * kReserveSlack));
}

void Generator::simulate_days() {
  reserve_lines();
  regular_.resize(np_);
  price_effect_.assign(np_, 1.0);
  next_change_.assign(np_, 1);
  for (size_t i = 0; i < np_; ++i) regular_[i] = truth_.products[i].reference_price_per_unit;
  cell_promo_.assign(ns_ * np_, -1);
  cell_slot_.assign(ns_ * np_, 0);
  cell_dip_.assign(ns_ * np_, 1.0);
  day_base_.assign(np_, 0.0);
  mu_.assign(np_, 0.0);
  cumulative_.assign(np_, 0.0);
  category_extra_.assign(nc_, 0.0);
  in_basket_.assign(np_, 0);

  int32_t current_block = -1;
  for (int32_t t = 0; t < n_days_; ++t) {
    const int32_t block = weeks_.block_of(t);
    if (block != current_block) {
      build_block(block);
      current_block = block;
    }
    compute_day_base(t);
    for (int32_t s = 0; s < cfg_.n_stores; ++s) {
      compute_store_day_means(s);
      draw_walk_in(t, s);
      draw_baskets(t, s);  // on top of the walk-in lines
    }
  }

  for (size_t p = 0; p < truth_.affinities.size(); ++p) {  // pooled over the generated baskets
    const double denominator = expected_a_[p] * expected_b_[p];
    truth_.affinities[p].lift =
        denominator > 0.0 ? expected_baskets_ * expected_ab_[p] / denominator : 1.0;
  }
}

void Generator::build_block(int32_t block) {
  // Calls fn(cell, slot) for every store x product cell of promotion k.
  const auto for_promo_cells = [&](size_t k, auto&& fn) {
    const Promotion& promo = data_.promotions[k];
    const auto visit_store = [&](int32_t s) {
      for (size_t j = 0; j < promo.products.size(); ++j) {
        fn(static_cast<size_t>(s) * np_ + static_cast<size_t>(promo.products[j]), j);
      }
    };
    if (promo.stores.empty()) {
      for (int32_t s = 0; s < cfg_.n_stores; ++s) visit_store(s);
    } else {
      for (int32_t s : promo.stores) visit_store(s);
    }
  };
  std::fill(cell_promo_.begin(), cell_promo_.end(), -1);
  std::fill(cell_dip_.begin(), cell_dip_.end(), 1.0);
  for (size_t k = 0; k < plans_.size(); ++k) {
    if (block < plans_[k].first_block || block > plans_[k].last_block) continue;
    for_promo_cells(k, [&](size_t cell, size_t j) {
      cell_promo_[cell] = static_cast<int32_t>(k);
      cell_slot_[cell] = static_cast<int32_t>(j);
    });
  }
  // Dips only where the product is not promoted this week; two neighbours multiply.
  for (size_t k = 0; k < plans_.size(); ++k) {
    const bool before = block == plans_[k].first_block - 1;
    const bool after = block == plans_[k].last_block + 1;
    if (!before && !after) continue;
    for_promo_cells(k, [&](size_t cell, size_t j) {
      if (cell_promo_[cell] >= 0) return;
      const ProductTruth& t = truth_.products[static_cast<size_t>(data_.promotions[k].products[j])];
      if (before) cell_dip_[cell] *= 1.0 - t.pull_forward;
      if (after) cell_dip_[cell] *= 1.0 - t.post_promo_dip;
    });
  }
}

void Generator::compute_day_base(int32_t t) {
  for (size_t i = 0; i < np_; ++i) {  // permanent price changes effective today
    if (next_change_[i] < price_path_[i].size() && price_path_[i][next_change_[i]].first == t) {
      const ProductTruth& pt = truth_.products[i];
      regular_[i] = price_path_[i][next_change_[i]].second;
      price_effect_[i] = pow_portable(regular_[i] / pt.reference_price_per_unit, pt.elasticity);
      ++next_change_[i];
    }
  }
  const Date date{cfg_.start.days + t};
  const double doy = static_cast<double>(day_of_year(date));
  const double day_multiplier =
      truth_.weekly_profile[static_cast<size_t>(weekday(date))] *
      (is_holiday_[static_cast<size_t>(t)] ? cfg_.holiday_multiplier : 1.0);
  const double t_years = static_cast<double>(t) / kDaysPerYear;
  for (size_t i = 0; i < np_; ++i) {
    const ProductTruth& pt = truth_.products[i];
    double cycle = 0.0, unused_sin = 0.0;
    if (pt.yearly_amplitude != 0.0) {
      cos_sin_turns((doy - pt.yearly_phase_days) / kDaysPerYear, &cycle, &unused_sin);
    }
    day_base_[i] = pt.base_units_per_day *
                   exp_portable(pt.trend_per_year * t_years + pt.yearly_amplitude * cycle) *
                   price_effect_[i] * day_multiplier;
  }
}

void Generator::compute_store_day_means(int32_t s) {
  const size_t row = static_cast<size_t>(s) * np_;
  const double size = store_size_[static_cast<size_t>(s)];
  bool any_promo = false;
  for (size_t i = 0; i < np_; ++i) {
    const size_t cell = row + i;
    double m = day_base_[i] * size;
    const int32_t k = cell_promo_[cell];
    if (k >= 0) {
      const double lift =
          plans_[static_cast<size_t>(k)].multiplier[static_cast<size_t>(cell_slot_[cell])];
      if (!any_promo) std::fill(category_extra_.begin(), category_extra_.end(), 0.0);
      any_promo = true;
      m *= lift;
      category_extra_[static_cast<size_t>(product_category_[i])] += m * (1.0 - 1.0 / lift);
    } else {
      m *= cell_dip_[cell];
    }
    mu_[i] = m;
  }
  if (!any_promo) return;
  // Cannibalization of the products that are not promoted themselves.
  for (size_t i = 0; i < np_; ++i) {
    if (cell_promo_[row + i] >= 0) continue;
    const double extra = category_extra_[static_cast<size_t>(product_category_[i])];
    if (!(extra > 0.0)) continue;
    const double m = mu_[i];
    mu_[i] = std::max(m - truth_.products[i].cannibalization_share * extra,
                      cfg_.cannibalization_floor * m);
  }
}

void Generator::draw_walk_in(int32_t t, int32_t s) {
  const size_t row = static_cast<size_t>(s) * np_;
  const Date date{cfg_.start.days + t};
  for (size_t i = 0; i < np_; ++i) {
    const int64_t units = demand_rng_.negative_binomial(mu_[i], truth_.products[i].nb_dispersion);
    if (units <= 0) continue;
    const int32_t k = cell_promo_[row + i];
    SalesLine line;
    line.date = date;
    line.store = s;
    line.product = static_cast<int32_t>(i);
    line.promotion = k;
    line.qty = static_cast<double>(units);
    line.unit_price = regular_[i];
    line.discount = k >= 0 ? data_.promotions[static_cast<size_t>(k)].depth : 0.0;
    data_.lines.push_back(std::move(line));
  }
}

}  // namespace shelfcast::detail
