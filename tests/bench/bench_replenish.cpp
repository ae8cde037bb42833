// Replenishment and markdown figures, each beside its reference from the same run:
//  - a portfolio of items simulated for one year (several seeded replications): the fill rate the
//    safety-stock policy achieves against its target, Odoo's min/max at its usual factor 1, and
//    the average stock of min/max with ONE common factor calibrated to reach the same aggregate
//    fill rate (how a min/max user would tune it) against the per-item safety-stock policy;
//  - markdown: expected margin + salvage of the optimal policy against "no markdown" and "one 30%
//    markdown at mid-season" under the same demand model.
// Prints `BENCH name value unit` lines.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "shelfcast/pricing.h"
#include "shelfcast/replenish.h"

using namespace shelfcast;

namespace {

void bench(const std::string& name, double value, const char* unit) {
  std::printf("BENCH %s %.4f %s\n", name.c_str(), value, unit);
}

struct Item {
  double mean, nb_size, lead, lead_sd;
};

// Slow to fast movers, Poisson to overdispersed, short to long and steady to erratic lead times.
std::vector<Item> portfolio() {
  std::vector<Item> items;
  const double means[] = {2.0, 8.0, 25.0, 60.0};
  const double sizes[] = {0.0, 1.5, 6.0};
  const double leads[][2] = {{3.0, 0.0}, {7.0, 1.0}, {14.0, 3.0}};
  for (double m : means) {
    for (double k : sizes) {
      for (const auto& l : leads) items.push_back({m, k, l[0], l[1]});
    }
  }
  return items;
}

struct Totals {
  double demand = 0.0, served = 0.0, on_hand = 0.0;
  double fill() const { return demand > 0.0 ? served / demand : 1.0; }
};

// Per item (pooled over replications): the safety-stock policy and min/max.
struct ItemTotals {
  Totals ss, mm;
};

constexpr int kReplications = 5;
constexpr double kTarget = 0.95;
constexpr double kMissPoints = 0.01;  // an item "misses" when more than one point off target

// Runs every item and replication with a min/max factor.
std::vector<ItemTotals> run_all(double factor, int* failures) {
  const std::vector<Item> items = portfolio();
  std::vector<ItemTotals> out(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    for (int r = 0; r < kReplications; ++r) {
      ReplenishmentSimulationInput in;
      in.seed = 1000 * (i + 1) + static_cast<uint64_t>(r);
      in.days = 364;
      in.mean_demand_per_day = items[i].mean;
      in.nb_size = items[i].nb_size;
      in.lead_time_days = items[i].lead;
      in.lead_time_sd_days = items[i].lead_sd;
      in.fill_rate_target = kTarget;
      in.minmax_factor = factor;
      const Result<ReplenishmentSimulationResult> sim = simulate_replenishment(in);
      if (!sim.is_ok()) {
        ++*failures;
        continue;
      }
      for (int p = 0; p < 2; ++p) {
        const PolicyOutcome& o = p == 0 ? sim->safety_stock_policy : sim->minmax_policy;
        Totals& t = p == 0 ? out[i].ss : out[i].mm;
        t.demand += o.demand_units;
        t.served += o.served_units;
        t.on_hand += o.average_on_hand_units / kReplications;
      }
    }
  }
  return out;
}

struct Summary {
  Totals all;
  double mean_abs_gap = 0.0, worst_gap = 0.0;
  int misses = 0;
};

Summary summarize(const std::vector<ItemTotals>& items, bool safety_stock_policy) {
  Summary s;
  for (const ItemTotals& it : items) {
    const Totals& t = safety_stock_policy ? it.ss : it.mm;
    s.all.demand += t.demand;
    s.all.served += t.served;
    s.all.on_hand += t.on_hand / static_cast<double>(items.size());
    const double gap = std::fabs(t.fill() - kTarget);
    s.mean_abs_gap += gap / static_cast<double>(items.size());
    s.worst_gap = std::max(s.worst_gap, gap);
    s.misses += gap > kMissPoints ? 1 : 0;
  }
  return s;
}

void report(const std::string& prefix, const Summary& s) {
  bench(prefix + "_fill_rate", 100.0 * s.all.fill(), "%");
  bench(prefix + "_avg_on_hand", s.all.on_hand, "units/item");
  bench(prefix + "_fill_gap_mean_abs_per_item", 100.0 * s.mean_abs_gap, "points");
  bench(prefix + "_fill_gap_worst_item", 100.0 * s.worst_gap, "points");
  bench(prefix + "_items_off_target_by_1pt", s.misses, "items");
}

void bench_replenishment() {
  int failures = 0;
  const std::vector<ItemTotals> base = run_all(1.0, &failures);
  const Summary ss = summarize(base, true);
  const Summary mm1 = summarize(base, false);
  // One common min/max factor reaching the same aggregate fill rate (bisection; the fill rate
  // rises with the factor, and the draws are the same in every run).
  double lo = 0.5, hi = 4.0;
  for (int it = 0; it < 30; ++it) {
    const double mid = 0.5 * (lo + hi);
    const Summary t = summarize(run_all(mid, &failures), false);
    if (t.all.fill() < ss.all.fill()) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const Summary matched = summarize(run_all(hi, &failures), false);
  bench("replenish_items", static_cast<double>(base.size()), "items");
  bench("replenish_fill_rate_target", 100.0 * kTarget, "%");
  report("replenish_safety_stock", ss);
  report("replenish_minmax_factor1", mm1);
  bench("replenish_minmax_matched_factor", hi, "x");
  report("replenish_minmax_matched", matched);
  bench("replenish_avg_on_hand_ratio_safety_stock_vs_minmax_matched",
        ss.all.on_hand / matched.all.on_hand, "ratio");
  bench("replenish_simulation_failures", failures, "runs");
}

void bench_markdown() {
  struct Scenario {
    const char* name;
    double stock, base, elasticity;
    int32_t weeks, max_markdowns;
    bool nb;
  };
  const Scenario scenarios[] = {{"overstocked", 300.0, 12.0, -2.5, 10, 3, false},
                                {"balanced", 120.0, 12.0, -2.5, 10, 3, false},
                                {"lumpy_overstocked", 300.0, 12.0, -2.0, 10, 2, true},
                                {"inelastic", 200.0, 12.0, -1.0, 10, 3, false}};
  for (const Scenario& s : scenarios) {
    MarkdownInput in;
    in.stock_units = s.stock;
    in.weeks_left = s.weeks;
    in.price_ladder = {60.0, 50.0, 42.0, 36.0, 30.0, 24.0};
    in.base_weekly_demand_units = s.base;
    in.elasticity = s.elasticity;
    in.unit_cost = 22.0;
    in.salvage_per_unit = 6.0;
    in.max_markdowns = s.max_markdowns;
    if (s.nb) {
      in.distribution = WeeklyDemandDistribution::kNegativeBinomial;
      in.nb_size = 2.0;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const Result<MarkdownResult> res = optimize_markdown(in);
    const auto t1 = std::chrono::steady_clock::now();
    const std::string p = std::string("markdown_") + s.name + "_";
    if (!res.is_ok()) {
      std::printf("markdown %s failed: %s\n", s.name, res.status().to_string().c_str());
      continue;
    }
    bench(p + "policy_total", res->optimal.expected_total, "currency");
    bench(p + "no_markdown_total", res->no_markdown.expected_total, "currency");
    bench(p + "mid_season_30_total", res->mid_season_markdown.expected_total, "currency");
    bench(p + "gain_vs_no_markdown", res->optimal.expected_total - res->no_markdown.expected_total,
          "currency");
    bench(p + "gain_vs_mid_season_30",
          res->optimal.expected_total - res->mid_season_markdown.expected_total, "currency");
    bench(p + "policy_leftover", res->optimal.expected_leftover, "units");
    bench(p + "no_markdown_leftover", res->no_markdown.expected_leftover, "units");
    bench(p + "solve_time", std::chrono::duration<double, std::milli>(t1 - t0).count(), "ms");
  }
}

}  // namespace

int main() {
  bench_replenishment();
  bench_markdown();
  return 0;
}
