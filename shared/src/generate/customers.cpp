// Loyalty customers of the generator: BG/NBD purchase occasions, planted co-purchase pairs and
// the baskets themselves (Gamma-Gamma spend). See shelfcast/generate.h for the model.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "detail/rng.h"
#include "generate/generator.h"

namespace shelfcast::detail {
namespace {

constexpr size_t kAffinityPoolPerPair = 4;  // planted pairs come from the top 4 * n candidates

std::string hex16(uint64_t v) {
  static const char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[static_cast<size_t>(i)] = kHex[v & 15u];
    v >>= 4;
  }
  return s;
}

}  // namespace

void Generator::make_customers() {
  truth_.bgnbd_r = cfg_.bgnbd_r;
  truth_.bgnbd_alpha = cfg_.bgnbd_alpha_days;
  truth_.bgnbd_a = cfg_.bgnbd_a;
  truth_.bgnbd_b = cfg_.bgnbd_b;
  truth_.gg_p = cfg_.gg_p;
  truth_.gg_q = cfg_.gg_q;
  truth_.gg_gamma = cfg_.gg_gamma;
  truth_.basket_mean_picks = cfg_.basket_mean_picks;
  picks_non_empty_ = 1.0 - exp_portable(-cfg_.basket_mean_picks);
  truth_.baseline_pair_lift = picks_non_empty_;

  Rng rng(cfg_.seed, kStreamCustomers);
  const uint64_t pseudonym_key = Rng(cfg_.seed, kStreamPseudonyms).next_u64();
  const AliasTable home_table(store_size_);
  const int32_t window = std::min(cfg_.acquisition_days, n_days_);
  const Date last{cfg_.start.days + n_days_ - 1};
  const auto n_customers = static_cast<size_t>(cfg_.n_customers);
  truth_.customers.resize(n_customers);
  data_.customers.resize(n_customers);
  for (size_t c = 0; c < n_customers; ++c) {
    // mix64 is a bijection, so distinct customers get distinct pseudonyms.
    data_.customers[c].pseudonym = "gen-" + hex16(mix64(pseudonym_key + c));
    CustomerTruth& ct = truth_.customers[c];
    ct.home_store = home_table.sample(&rng);
    const auto day0 = static_cast<int32_t>(rng.below(static_cast<uint64_t>(window)));
    ct.acquired = Date{cfg_.start.days + day0};
    ct.purchase_rate_per_day = rng.gamma(cfg_.bgnbd_r, 1.0 / cfg_.bgnbd_alpha_days);
    ct.dropout_probability = rng.beta(cfg_.bgnbd_a, cfg_.bgnbd_b);
    ct.spend_rate = rng.gamma(cfg_.gg_q, 1.0 / cfg_.gg_gamma);
    ct.mean_spend_per_order = ct.spend_rate > 0.0 ? cfg_.gg_p / ct.spend_rate : 0.0;
    ct.alive_until = last;
    const auto customer = static_cast<int32_t>(c);
    int32_t seq = 1;
    occasions_.push_back(Occasion{day0, ct.home_store, customer, seq});
    // Repeat purchases: Poisson(lambda) events while alive; dropout after each with prob. p.
    double tau = day0;
    if (ct.purchase_rate_per_day > 0.0) {
      for (;;) {
        tau += rng.exponential() / ct.purchase_rate_per_day;
        if (!(tau < n_days_)) break;
        const auto day = static_cast<int32_t>(tau);
        occasions_.push_back(Occasion{day, ct.home_store, customer, ++seq});
        if (rng.bernoulli(ct.dropout_probability)) {
          ct.churned = true;
          ct.alive_until = Date{cfg_.start.days + day};
          break;
        }
      }
    }
    ct.n_orders = seq;
  }
  // (day, store, customer, seq) is unique, so any sort gives this one order.
  std::sort(occasions_.begin(), occasions_.end(), [](const Occasion& a, const Occasion& b) {
    if (a.day != b.day) return a.day < b.day;
    if (a.store != b.store) return a.store < b.store;
    if (a.customer != b.customer) return a.customer < b.customer;
    return a.seq < b.seq;
  });
}

void Generator::make_affinities() {
  pair_of_anchor_.assign(np_, -1);
  in_pair_.assign(np_, 0);
  Rng rng(cfg_.seed, kStreamAffinity);
  double base_total = 0.0;
  for (const ProductTruth& t : truth_.products) base_total += t.base_units_per_day;
  // Candidates: regular products whose day-0 basket inclusion leaves room for the largest lift.
  std::vector<int32_t> candidates;
  for (size_t i = 0; i < np_; ++i) {
    const ProductTruth& t = truth_.products[i];
    if (t.intermittent) continue;
    const double inclusion =
        (1.0 - exp_portable(-cfg_.basket_mean_picks * t.base_units_per_day / base_total)) /
        picks_non_empty_;
    if (cfg_.affinity_lift_max * inclusion <= cfg_.affinity_max_anchor_load) {
      candidates.push_back(static_cast<int32_t>(i));
    }
  }
  // Pairs come from the most popular candidates (so that they are visible in the baskets),
  // shuffled within a pool of four products per wanted pair.
  std::stable_sort(candidates.begin(), candidates.end(), [&](int32_t x, int32_t y) {
    return truth_.products[static_cast<size_t>(x)].base_units_per_day >
           truth_.products[static_cast<size_t>(y)].base_units_per_day;
  });
  const size_t pool = std::min(candidates.size(),
                               kAffinityPoolPerPair * static_cast<size_t>(cfg_.n_affinity_pairs));
  candidates.resize(pool);
  for (size_t k = 0; k < candidates.size(); ++k) {
    const size_t j = k + static_cast<size_t>(rng.below(candidates.size() - k));
    std::swap(candidates[k], candidates[j]);
  }
  std::vector<uint8_t> used(np_, 0);
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (static_cast<int32_t>(truth_.affinities.size()) >= cfg_.n_affinity_pairs) break;
    const int32_t a = candidates[k];
    if (used[static_cast<size_t>(a)]) continue;
    for (size_t j = k + 1; j < candidates.size(); ++j) {  // the next free one of another category
      const int32_t b = candidates[j];
      if (used[static_cast<size_t>(b)]) continue;
      if (cfg_.n_categories > 1 &&
          product_category_[static_cast<size_t>(a)] == product_category_[static_cast<size_t>(b)]) {
        continue;
      }
      used[static_cast<size_t>(a)] = used[static_cast<size_t>(b)] = 1;
      in_pair_[static_cast<size_t>(a)] = in_pair_[static_cast<size_t>(b)] = 1;
      pair_of_anchor_[static_cast<size_t>(a)] = static_cast<int32_t>(truth_.affinities.size());
      GeneratorTruth::Affinity pair;
      pair.a = a;
      pair.b = b;
      pair.conditional_lift = rng.uniform(cfg_.affinity_lift_min, cfg_.affinity_lift_max);
      truth_.affinities.push_back(pair);
      break;
    }
  }
  const size_t n_pairs = truth_.affinities.size();
  pair_kappa_.assign(n_pairs, 0.0);
  expected_a_.assign(n_pairs, 0.0);
  expected_b_.assign(n_pairs, 0.0);
  expected_ab_.assign(n_pairs, 0.0);
}

void Generator::draw_baskets(int32_t t, int32_t s) {
  size_t n_here = 0;
  while (next_occasion_ + n_here < occasions_.size() &&
         occasions_[next_occasion_ + n_here].day == t &&
         occasions_[next_occasion_ + n_here].store == s) {
    ++n_here;
  }
  if (n_here == 0) return;
  const size_t end = next_occasion_ + n_here;
  double total = 0.0;
  for (size_t i = 0; i < np_; ++i) {
    total += mu_[i];
    cumulative_[i] = total;
  }
  if (!(total > 0.0)) {
    next_occasion_ = end;
    return;
  }
  // Planted pairs: with A = P(a), B0 = P(b) and J0 = P(a and b) from the picks alone, adding b
  // with probability kappa when a is in and b is not gives P(b | a) = lift * B0 for
  // kappa = (lift A B0 - J0) / (A - J0), capped at 1. The expected counts of this store-day's
  // baskets feed the pooled truth lift.
  const auto inclusion = [&](int32_t i) {  // P(i in basket | N >= 1) before affinity
    return (1.0 - exp_portable(-cfg_.basket_mean_picks * mu_[static_cast<size_t>(i)] / total)) /
           picks_non_empty_;
  };
  for (size_t p = 0; p < truth_.affinities.size(); ++p) {
    const GeneratorTruth::Affinity& pair = truth_.affinities[p];
    const double pa = inclusion(pair.a);
    const double pb = inclusion(pair.b);
    const double joint = pa * pb * picks_non_empty_;
    double kappa = 0.0;
    if (pa > joint) {
      kappa =
          std::min(1.0, std::max(0.0, (pair.conditional_lift * pa * pb - joint) / (pa - joint)));
    }
    pair_kappa_[p] = kappa;
    const double added = (pa - joint) * kappa;
    const double weight = static_cast<double>(n_here);
    expected_a_[p] += weight * pa;
    expected_b_[p] += weight * (pb + added);
    expected_ab_[p] += weight * (joint + added);
  }
  expected_baskets_ += static_cast<double>(n_here);
  for (; next_occasion_ < end; ++next_occasion_) {
    draw_basket(occasions_[next_occasion_], t, s);
  }
}

void Generator::draw_basket(const Occasion& occasion, int32_t t, int32_t s) {
  Rng& rng = basket_rng_;
  const size_t row = static_cast<size_t>(s) * np_;
  // N >= 1 picks in proportion to today's means; a repeated pick adds a unit.
  int64_t n_picks = 0;
  while (n_picks == 0) n_picks = rng.poisson(cfg_.basket_mean_picks);
  picks_.clear();
  for (int64_t k = 0; k < n_picks; ++k) {
    const int32_t i = sample_cumulative(cumulative_, &rng);
    if (in_basket_[static_cast<size_t>(i)]) {
      for (Pick& p : picks_) {
        if (p.product == i) ++p.qty;
      }
    } else {
      in_basket_[static_cast<size_t>(i)] = 1;
      picks_.push_back(Pick{i, 1});
    }
  }
  // Planted partners of the anchors picked.
  const size_t n_chosen = picks_.size();
  for (size_t k = 0; k < n_chosen; ++k) {
    const int32_t p = pair_of_anchor_[static_cast<size_t>(picks_[k].product)];
    if (p < 0) continue;
    const int32_t partner = truth_.affinities[static_cast<size_t>(p)].b;
    if (in_basket_[static_cast<size_t>(partner)]) continue;
    if (rng.uniform() < pair_kappa_[static_cast<size_t>(p)]) {
      in_basket_[static_cast<size_t>(partner)] = 1;
      picks_.push_back(Pick{partner, 1});
    }
  }
  // Spend: the basket's value moves towards the Gamma-Gamma target.
  pick_price_.resize(picks_.size());
  double value = 0.0;
  for (size_t k = 0; k < picks_.size(); ++k) {
    const int32_t promo = cell_promo_[row + static_cast<size_t>(picks_[k].product)];
    const double depth = promo >= 0 ? data_.promotions[static_cast<size_t>(promo)].depth : 0.0;
    pick_price_[k] = regular_[static_cast<size_t>(picks_[k].product)] * (1.0 - depth);
    value += static_cast<double>(picks_[k].qty) * pick_price_[k];
  }
  const CustomerTruth& ct = truth_.customers[static_cast<size_t>(occasion.customer)];
  const double target = ct.spend_rate > 0.0 ? rng.gamma(cfg_.gg_p, 1.0 / ct.spend_rate) : value;
  // Over target: drop lines (never planted-pair lines, never the last one) while that brings the
  // value closer to the target, then surplus units.
  for (size_t k = picks_.size(); k-- > 0 && value > target && picks_.size() > 1;) {
    const double line_value = static_cast<double>(picks_[k].qty) * pick_price_[k];
    if (in_pair_[static_cast<size_t>(picks_[k].product)] || value - target <= line_value / 2.0) {
      continue;
    }
    value -= line_value;
    in_basket_[static_cast<size_t>(picks_[k].product)] = 0;
    picks_.erase(picks_.begin() + static_cast<std::ptrdiff_t>(k));
    pick_price_.erase(pick_price_.begin() + static_cast<std::ptrdiff_t>(k));
  }
  for (size_t k = 0; k < picks_.size() && value > target; ++k) {
    while (picks_[k].qty > 1 && value - target > pick_price_[k] / 2.0) {
      --picks_[k].qty;
      value -= pick_price_[k];
    }
  }
  // Under target: add units evenly by value, with randomized rounding.
  if (target > value) {
    const double share = (target - value) / static_cast<double>(picks_.size());
    for (size_t k = 0; k < picks_.size(); ++k) {
      picks_[k].qty += static_cast<int64_t>(std::floor(share / pick_price_[k] + rng.uniform()));
    }
  }
  const std::string order_ref =
      "C" + std::to_string(occasion.customer) + "-" + std::to_string(occasion.seq);
  const Date date{cfg_.start.days + t};
  for (const Pick& p : picks_) {
    in_basket_[static_cast<size_t>(p.product)] = 0;
    const int32_t promo = cell_promo_[row + static_cast<size_t>(p.product)];
    SalesLine line;
    line.date = date;
    line.store = s;
    line.product = p.product;
    line.customer = occasion.customer;
    line.promotion = promo;
    line.qty = static_cast<double>(p.qty);
    line.unit_price = regular_[static_cast<size_t>(p.product)];
    line.discount = promo >= 0 ? data_.promotions[static_cast<size_t>(promo)].depth : 0.0;
    line.order_ref = order_ref;
    data_.lines.push_back(std::move(line));
  }
}

}  // namespace shelfcast::detail
