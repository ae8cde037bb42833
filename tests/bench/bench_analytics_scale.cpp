// Issue 5's scale proof: 1 million generated baskets through FP-growth, rules and pair affinity,
// and 1 million generated customers through the BG/NBD and Gamma-Gamma fits, P(alive) and CLV,
// with time and peak memory (Linux ru_maxrss) printed after each stage. Native only.
// Baskets: 2,000 items with Zipf-like popularity, 1-8 items each, 50 planted pairs. Customers:
// drawn from BG/NBD (r 0.25, alpha 4, a 0.8, b 2.5) over 39 weeks and Gamma-Gamma spend
// (p 6, q 4, gamma 15), so the fits can be checked against the truth.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/basket.h"
#include "shelfcast/customer.h"

namespace {

double peak_mb() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main() {
  constexpr int32_t kBaskets = 1000000, kItems = 2000, kCustomers = 1000000;
  shelfcast::detail::Rng rng(2026);

  // ---- baskets ---------------------------------------------------------------------------------
  std::vector<double> cumulative(kItems);
  double total = 0.0;
  for (int32_t i = 0; i < kItems; ++i)
    cumulative[static_cast<size_t>(i)] = total += 1.0 / (i + 10.0);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::vector<int32_t>> baskets(kBaskets);
  for (auto& b : baskets) {
    const int32_t n = 1 + static_cast<int32_t>(rng.below(8));
    for (int32_t k = 0; k < n; ++k) {
      const double u = rng.uniform() * total;
      const int32_t item = static_cast<int32_t>(
          std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
      b.push_back(std::min(item, kItems - 1));
      if (item < 50 && rng.bernoulli(0.7)) b.push_back(1000 + item);  // planted partner
    }
  }
  auto tx = shelfcast::make_transactions(baskets);
  if (!tx.is_ok()) return 1;
  baskets.clear();
  baskets.shrink_to_fit();
  std::printf("BENCH scale_baskets_generated %d baskets, %.1f s\n", kBaskets, seconds_since(t0));
  t0 = std::chrono::steady_clock::now();
  shelfcast::BasketOptions options;
  options.min_support = 0.001;
  options.min_confidence = 0.5;
  options.max_len = 4;
  auto analysis = shelfcast::analyze_baskets(*tx, options);
  if (!analysis.is_ok()) return 1;
  const double mine_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  auto affinity = shelfcast::product_affinity(*tx, 0.001);
  if (!affinity.is_ok()) return 1;
  const double affinity_s = seconds_since(t0);
  int32_t planted_found = 0;
  const auto id = [&](int32_t item) { return std::stoi(tx->items[static_cast<size_t>(item)]); };
  for (const auto& rule : analysis->rules)
    if (rule.antecedent.size() == 1 && id(rule.consequent) == id(rule.antecedent[0]) + 1000)
      ++planted_found;
  std::printf("BENCH scale_baskets_itemsets %zu itemsets at support 0.001\n",
              analysis->itemsets.itemsets.size());
  std::printf("BENCH scale_baskets_rules %zu rules at confidence 0.5 (%d of the planted pairs)\n",
              analysis->rules.size(), planted_found);
  std::printf("BENCH scale_baskets_fpgrowth_rules %.2f s\n", mine_s);
  std::printf("BENCH scale_baskets_affinity %.2f s (%zu pairs)\n", affinity_s, affinity->size());
  std::printf("BENCH scale_baskets_peak_rss %.0f MB (the baskets themselves: %.0f MB as ids)\n",
              peak_mb(), static_cast<double>(kBaskets) * 4.5 * 4.0 / 1e6);

  // ---- customers -------------------------------------------------------------------------------
  t0 = std::chrono::steady_clock::now();
  const double r = 0.25, alpha = 4.0, a = 0.8, b = 2.5, T = 39.0;
  std::vector<shelfcast::RfmInput> rfm(kCustomers);
  std::vector<shelfcast::SpendInput> spend(kCustomers);
  for (int32_t c = 0; c < kCustomers; ++c) {
    const double lambda = rng.gamma(r, 1.0 / alpha);
    const double p = rng.beta(a, b);
    double t = 0.0, last = 0.0;
    int32_t x = 0;
    while (true) {
      t += rng.exponential() / std::max(lambda, 1e-12);
      if (t > T) break;
      ++x;
      last = t;
      if (rng.bernoulli(p)) break;  // dies after this purchase
    }
    shelfcast::RfmInput& in = rfm[static_cast<size_t>(c)];
    in.frequency = x;
    in.recency = x > 0 ? last : 0.0;
    in.age = T;
    // Gamma-Gamma: nu ~ Gamma(q = 4, rate gamma = 15), each amount ~ Gamma(p = 6, rate nu).
    const double nu = rng.gamma(4.0, 1.0 / 15.0);
    double sum = 0.0;
    for (int32_t k = 0; k < std::max(x, 1); ++k) sum += rng.gamma(6.0, 1.0 / nu);
    spend[static_cast<size_t>(c)] = {static_cast<double>(x), sum / std::max(x, 1)};
  }
  std::printf("BENCH scale_customers_generated %d customers, %.1f s\n", kCustomers,
              seconds_since(t0));
  t0 = std::chrono::steady_clock::now();
  auto fit = shelfcast::fit_bgnbd(rfm);
  if (!fit.is_ok()) return 1;
  const double bgnbd_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  auto gg = shelfcast::fit_gamma_gamma(spend);
  const double gg_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  double clv_total = 0.0, alive = 0.0;
  for (int32_t c = 0; c < kCustomers; ++c) {
    const auto pa = shelfcast::bgnbd_p_alive(*fit, rfm[static_cast<size_t>(c)]);
    if (pa.is_ok()) alive += *pa;
    if (gg.is_ok()) {
      const auto v = shelfcast::customer_lifetime_value(*fit, *gg, rfm[static_cast<size_t>(c)],
                                                        spend[static_cast<size_t>(c)]);
      if (v.is_ok() && std::isfinite(*v)) clv_total += *v;
    }
  }
  const double score_s = seconds_since(t0);
  std::printf(
      "BENCH scale_customers_bgnbd r %.3f alpha %.3f a %.3f b %.3f (truth 0.25 4 0.8 2.5)\n",
      fit->r, fit->alpha, fit->a, fit->b);
  std::printf("BENCH scale_customers_bgnbd_fit %.2f s\n", bgnbd_s);
  if (gg.is_ok())
    std::printf(
        "BENCH scale_customers_gamma_gamma p %.2f q %.2f gamma %.2f (truth 6 4 15), fit %.2f s\n",
        gg->p, gg->q, gg->gamma, gg_s);
  std::printf("BENCH scale_customers_p_alive_clv %.2f s (mean P(alive) %.3f, total CLV %.0f)\n",
              score_s, alive / kCustomers, clv_total);
  std::printf("BENCH scale_customers_peak_rss %.0f MB\n", peak_mb());
  return 0;
}
