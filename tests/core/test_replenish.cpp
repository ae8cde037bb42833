// Replenishment: safety stock against hand calculations and a seeded Monte Carlo, the fill-rate
// safety factor, the newsvendor textbook example, the intermittent count-model version, promotion
// proposals, the policy simulator, and the edge-case table.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "detail/normal.h"
#include "detail/rng.h"
#include "shelfcast/replenish.h"

using namespace shelfcast;

namespace {

bool within_rel(double actual, double expected, double rel) {
  return std::fabs(actual - expected) <= rel * std::fabs(expected);
}

}  // namespace

TEST_CASE("replenish: safety stock matches the hand calculation") {
  struct Row {
    const char* name;
    double mu, sigma, lead, lead_sd, review, level;
    double expected_ss, expected_rop, expected_s;  // hand-computed
  };
  // z(0.95) = 1.644854, z(0.99) = 2.326348, z(0.90) = 1.281552.
  // Row 1: sqrt(4 * 25^2 + 100^2 * 1^2) = sqrt(2500 + 10000) = 111.8034; SS = 183.900.
  // Row 2: sqrt(9 * 16) = 12; SS = 27.916; ROP = 20 * 9 + 27.916.
  // Row 3: P = 2 + 5 = 7; sqrt(7 * 100 + 400 * 4) = sqrt(2300) = 47.9583; SS = 61.461;
  //        ROP = 20 * 5 + SS, S = 20 * 7 + SS.
  const Row rows[] = {
      {"lead-time variability", 100.0, 25.0, 4.0, 1.0, 0.0, 0.95, 183.900, 583.900, 583.900},
      {"fixed lead time", 20.0, 4.0, 9.0, 0.0, 0.0, 0.99, 27.916, 207.916, 207.916},
      {"periodic review", 20.0, 10.0, 5.0, 2.0, 2.0, 0.90, 61.461, 161.461, 201.461},
  };
  for (const Row& r : rows) {
    SUBCASE(r.name) {
      CAPTURE(r.mu);
      CAPTURE(r.sigma);
      CAPTURE(r.lead);
      CAPTURE(r.lead_sd);
      CAPTURE(r.level);
      SafetyStockInput in;
      in.mean_demand_per_period = r.mu;
      in.sd_demand_per_period = r.sigma;
      in.lead_time_periods = r.lead;
      in.lead_time_sd_periods = r.lead_sd;
      in.review_periods = r.review;
      in.service_level = r.level;
      const Result<SafetyStockResult> ss = safety_stock(in);
      REQUIRE(ss.is_ok());
      CHECK(within_rel(ss->safety_stock, r.expected_ss, 0.005));
      CHECK(within_rel(ss->reorder_point, r.expected_rop, 0.005));
      CHECK(within_rel(ss->order_up_to, r.expected_s, 0.005));
      CHECK(ss->cycle_service_level == doctest::Approx(r.level).epsilon(1e-9));
    }
  }
}

TEST_CASE("replenish: safety stock against a seeded Monte Carlo of lead-time demand") {
  // Whole-period lead times uniform on {3..7} (mean 5, variance 2) and normal daily demand: the
  // lead-time total has variance E[L] sigma^2 + mu^2 Var(L) exactly, and the reorder point should
  // cover the target share of cycles (the total is not exactly normal: within one point).
  struct Row {
    const char* name;
    double mu, sigma, level;
    bool check_coverage;  // a total dominated by 5 lead-time values is far from normal
  };
  const Row rows[] = {{"demand-driven", 50.0, 20.0, 0.95, true},
                      {"lead-time-driven", 50.0, 5.0, 0.90, false}};
  for (const Row& r : rows) {
    SUBCASE(r.name) {
      CAPTURE(r.mu);
      CAPTURE(r.sigma);
      CAPTURE(r.level);
      SafetyStockInput in;
      in.mean_demand_per_period = r.mu;
      in.sd_demand_per_period = r.sigma;
      in.lead_time_periods = 5.0;
      in.lead_time_sd_periods = std::sqrt(2.0);
      in.service_level = r.level;
      const Result<SafetyStockResult> ss = safety_stock(in);
      REQUIRE(ss.is_ok());
      detail::Rng rng(20261126);
      const int n = 200000;
      double sum = 0.0, sum2 = 0.0, covered = 0.0;
      for (int i = 0; i < n; ++i) {
        const int lead = 3 + static_cast<int>(rng.below(5));
        double total = 0.0;
        for (int t = 0; t < lead; ++t) total += r.mu + r.sigma * rng.normal();
        sum += total;
        sum2 += total * total;
        covered += total <= ss->reorder_point ? 1.0 : 0.0;
      }
      const double mean = sum / n;
      const double sd = std::sqrt((sum2 - n * mean * mean) / (n - 1));
      CAPTURE(sd);
      CHECK(within_rel(mean, ss->mean_protection_demand, 0.005));
      CHECK(within_rel(sd, ss->sd_protection_demand, 0.005));
      if (r.check_coverage) CHECK(std::fabs(covered / n - r.level) < 0.01);
    }
  }
}

TEST_CASE("replenish: fill-rate safety factor solves the normal loss equation") {
  // Published table values of G(k) (Silver, Pyke & Peterson 1998, Table B.1).
  struct Row {
    double k, g;
  };
  const Row table[] = {
      {0.0, 0.3989}, {0.5, 0.1978}, {1.0, 0.08332}, {1.5, 0.02931}, {2.0, 0.008491}};
  for (const Row& r : table) {
    CAPTURE(r.k);
    CHECK(within_rel(normal_loss(r.k), r.g, 0.005));
    const Result<double> k = safety_factor_for_loss(r.g);
    REQUIRE(k.is_ok());
    CHECK(std::fabs(*k - r.k) < 2e-3);
  }
  // Fill rate 0.98, Q = 200, sigma_L = 50: G(k) = 0.02 * 200 / 50 = 0.08 -> k = 1.0212.
  SafetyStockInput in;
  in.mean_demand_per_period = 100.0;
  in.sd_demand_per_period = 25.0;
  in.lead_time_periods = 4.0;
  in.target = ServiceTarget::kFillRate;
  in.service_level = 0.98;
  in.order_quantity = 200.0;
  const Result<SafetyStockResult> ss = safety_stock(in);
  REQUIRE(ss.is_ok());
  CHECK(ss->sd_protection_demand == doctest::Approx(50.0));
  CHECK(normal_loss(ss->safety_factor) == doctest::Approx(0.08).epsilon(1e-9));
  CHECK(ss->fill_rate == doctest::Approx(0.98).epsilon(1e-9));
  CHECK(within_rel(ss->safety_factor, 1.0212, 0.005));
  // An easy target would need k < 0: floored at 0 by default, allowed when asked.
  in.service_level = 0.5;
  const Result<SafetyStockResult> floored = safety_stock(in);
  REQUIRE(floored.is_ok());
  CHECK(floored->safety_stock == 0.0);
  SafetyStockParams free;
  free.min_safety_factor = -8.0;
  const Result<SafetyStockResult> negative = safety_stock(in, free);
  REQUIRE(negative.is_ok());
  CHECK(negative->safety_factor < 0.0);
  CHECK(negative->fill_rate == doctest::Approx(0.5).epsilon(1e-9));
}

TEST_CASE("replenish: newsvendor reproduces the published O'Neill example") {
  // Cachon & Terwiesch, "Matching Supply with Demand", ch. 12 (Hammer 3/2 wetsuit): price 180,
  // cost 110, salvage 90, demand N(3192, 1181). Critical ratio 70/90 = 0.7778, z = 0.77 (table),
  // Q = 3192 + 0.77 * 1181 = 4101 (published). At Q = 4101: expected lost sales
  // 1181 * L(0.77) = 1181 * 0.1267 = 149.6, sales 3042.4, leftover 1058.6, profit
  // 70 * 3042.4 - 20 * 1058.6 = 191,797.
  const NewsvendorEconomics econ{180.0, 110.0, 90.0};
  const Result<NewsvendorResult> opt = newsvendor_normal(3192.0, 1181.0, econ);
  REQUIRE(opt.is_ok());
  CHECK(opt->critical_ratio == doctest::Approx(70.0 / 90.0));
  CHECK(within_rel(opt->quantity, 4101.0, 0.005));
  const Result<NewsvendorResult> at = evaluate_newsvendor_normal(3192.0, 1181.0, 4101.0, econ);
  REQUIRE(at.is_ok());
  CHECK(within_rel(at->expected_lost_sales, 149.6, 0.005));
  CHECK(within_rel(at->expected_sales, 3042.4, 0.005));
  CHECK(within_rel(at->expected_leftover, 1058.6, 0.005));
  CHECK(within_rel(at->expected_profit, 191797.0, 0.005));
  // The optimum beats its neighbours.
  for (double dq : {-200.0, 200.0}) {
    const Result<NewsvendorResult> other =
        evaluate_newsvendor_normal(3192.0, 1181.0, opt->quantity + dq, econ);
    REQUIRE(other.is_ok());
    CHECK(other->expected_profit < opt->expected_profit);
  }
}

TEST_CASE("replenish: newsvendor from empirical and negative-binomial demand") {
  const NewsvendorEconomics econ{10.0, 6.0, 1.0};  // ratio 4/9 = 0.444
  // Empirical: 9 samples, the 4th smallest (4/9 >= 0.444) is the answer.
  const std::vector<double> samples = {12, 5, 9, 20, 7, 15, 3, 11, 8};
  const Result<NewsvendorResult> emp = newsvendor_empirical(samples, econ);
  REQUIRE(emp.is_ok());
  CHECK(emp->quantity == 8.0);
  // Sales at 8: min(x, 8) summed = 8+5+8+8+7+8+3+8+8 = 63 -> 7.
  CHECK(emp->expected_sales == doctest::Approx(7.0));

  // Poisson(4): P(D <= 3) = 0.4335 < 0.444 <= P(D <= 4) = 0.6288 -> Q = 4.
  const Result<NewsvendorResult> pois = newsvendor_negative_binomial(4.0, 0.0, econ);
  REQUIRE(pois.is_ok());
  CHECK(pois->quantity == 4.0);
  // E[min(D, 4)] = sum_{j<4} P(D > j) = 0.98168 + 0.90842 + 0.76190 + 0.56653 = 3.21853.
  CHECK(pois->expected_sales == doctest::Approx(3.21853).epsilon(1e-4));
  // NB against a seeded Monte Carlo of the same distribution.
  const Result<NewsvendorResult> nb = newsvendor_negative_binomial(30.0, 2.0, econ);
  REQUIRE(nb.is_ok());
  detail::Rng rng(7);
  std::vector<double> draws(100000);
  for (double& d : draws) d = static_cast<double>(rng.negative_binomial(30.0, 2.0));
  const Result<NewsvendorResult> mc = newsvendor_empirical(draws, econ);
  REQUIRE(mc.is_ok());
  CHECK(std::fabs(mc->quantity - nb->quantity) <= 1.0);
  CHECK(within_rel(mc->expected_profit, nb->expected_profit, 0.01));
}

TEST_CASE("replenish: intermittent items use the count-model lead-time quantile") {
  const std::vector<double> y = {0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 4, 0, 0, 1, 0, 0, 0,
                                 0, 2, 0, 0, 0, 3, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 0};
  const Result<IntermittentFit> fit = fit_intermittent(y);
  REQUIRE(fit.is_ok());
  const Result<SafetyStockResult> ss = safety_stock_intermittent(*fit, 4, 1, 0.9);
  REQUIRE(ss.is_ok());
  const Result<double> q = lead_time_quantile(*fit, 5, 0.9);
  REQUIRE(q.is_ok());
  CHECK(ss->order_up_to == *q);
  CHECK(ss->order_up_to == std::floor(ss->order_up_to));  // whole units
  CHECK(ss->cycle_service_level >= 0.9);
  CHECK(ss->safety_stock == doctest::Approx(*q - 5.0 * fit->rate));
  CHECK(ss->reorder_point == doctest::Approx(*q - fit->rate));
}

TEST_CASE("replenish: promotion proposals transfer, order and update orderpoints") {
  PromotionReplenishmentInput in;
  in.product = "SKU-1";
  in.vendor = "Acme";
  in.week0_start = date_from_civil(2026, 3, 2);  // a Monday
  in.promotion_start_week = 3;
  in.promotion_end_week = 4;
  in.lead_time_weeks = 2.0;
  in.lead_time_sd_weeks = 0.0;
  in.service_level = 0.95;
  in.pack_size_units = 12.0;
  in.min_order_qty_units = 24.0;
  StorePromotionInput a;  // short: promotion doubles demand
  a.location = "WH-A";
  a.on_hand_units = 40.0;
  a.on_order = {{20.0, 1}};
  a.baseline_units_per_week = {10, 10, 10, 10, 10};
  a.lift_units_per_week = {0, 0, 0, 40, 40};
  a.forecast_sd_units_per_week = 10.0;
  StorePromotionInput b;  // long
  b.location = "WH-B";
  b.on_hand_units = 300.0;
  b.baseline_units_per_week = {10, 10, 10, 10, 10};
  b.lift_units_per_week = {0, 0, 0, 10, 10};
  b.forecast_sd_units_per_week = 5.0;
  in.stores = {a, b};
  const Result<PromotionReplenishmentPlan> plan = plan_promotion_replenishment(in);
  REQUIRE(plan.is_ok());
  REQUIRE(plan->stores.size() == 2);
  const StorePromotionSummary& sa = plan->stores[0];
  const StorePromotionSummary& sb = plan->stores[1];
  // A: demand to end 50 + 80 = 130; SS = 1.645 * sqrt(2 * 100) = 23.26; need 153.26; available
  // 60 -> short 93.26.
  CHECK(sa.demand_to_end_units == doctest::Approx(130.0));
  CHECK(sa.safety_stock_units == doctest::Approx(1.6448536 * std::sqrt(200.0)).epsilon(1e-6));
  CHECK(sa.shortage_before_units == doctest::Approx(130.0 + sa.safety_stock_units - 60.0));
  // B: need 70 + 1.645 * sqrt(50) = 81.63; reorder point 20 * 2 + 11.63 = 51.63; gives
  // floor(300 - 81.63) = 218 >= A's shortage: one transfer of ceil(93.26) = 94, no purchase.
  REQUIRE(plan->transfers.size() == 1);
  CHECK(plan->transfers[0].from_location == "WH-B");
  CHECK(plan->transfers[0].to_location == "WH-A");
  CHECK(plan->transfers[0].quantity == 94.0);
  CHECK(plan->transfers[0].scheduled_date < date_from_civil(2026, 3, 23));
  CHECK(plan->transfers[0].reason.find("short 93") != std::string::npos);
  CHECK(plan->purchase_lines.empty());
  CHECK(300.0 - sb.transfer_out_units >= sb.reorder_point_units);
  REQUIRE(plan->orderpoints.size() == 2);
  CHECK(plan->orderpoints[0].product_min_qty == std::ceil(50.0 * 2.0 + sa.safety_stock_units));
  CHECK(plan->orderpoints[0].product_max_qty == plan->orderpoints[0].product_min_qty + 50.0);

  SUBCASE("without a donor the shortage is bought, timed by the lead time, in packs") {
    in.stores[1].on_hand_units = 80.0;  // B keeps all of it (need 81.6)
    const Result<PromotionReplenishmentPlan> p2 = plan_promotion_replenishment(in);
    REQUIRE(p2.is_ok());
    CHECK(p2->transfers.empty());
    REQUIRE(p2->purchase_lines.size() == 2);
    const PurchaseOrderProposal& po = p2->purchase_lines[0];
    CHECK(po.vendor == "Acme");
    CHECK(po.location == "WH-A");
    CHECK(po.quantity == 96.0);                           // ceil(93.26 / 12) * 12
    CHECK(po.date_order == date_from_civil(2026, 3, 9));  // launch 03-23 - 14 days
    CHECK(po.date_planned == date_from_civil(2026, 3, 23));
    CHECK(po.reason.find("ordered 96") != std::string::npos);
    // B is short by 1.6 units: the MOQ (24) applies.
    CHECK(p2->purchase_lines[1].quantity == 24.0);
  }
}

TEST_CASE("replenish: simulated fill rate meets the target; min/max needs a factor") {
  struct Row {
    const char* name;
    double mean, nb_size, lead, lead_sd, target;
  };
  const Row rows[] = {{"poisson, fixed lead", 20.0, 0.0, 7.0, 0.0, 0.95},
                      {"overdispersed, variable lead", 10.0, 4.0, 5.0, 1.5, 0.97}};
  for (const Row& r : rows) {
    SUBCASE(r.name) {
      CAPTURE(r.mean);
      CAPTURE(r.nb_size);
      CAPTURE(r.target);
      ReplenishmentSimulationInput in;
      in.seed = 11;
      in.days = 364 * 3;
      in.mean_demand_per_day = r.mean;
      in.nb_size = r.nb_size;
      in.lead_time_days = r.lead;
      in.lead_time_sd_days = r.lead_sd;
      in.fill_rate_target = r.target;
      const Result<ReplenishmentSimulationResult> sim = simulate_replenishment(in);
      REQUIRE(sim.is_ok());
      CAPTURE(sim->safety_stock_policy.fill_rate);
      CAPTURE(sim->safety_stock_policy.reorder_point_units);
      CAPTURE(sim->undershoot_units);
      CAPTURE(sim->minmax_policy.fill_rate);
      CHECK(std::fabs(sim->safety_stock_policy.fill_rate - r.target) < 0.015);
      // Odoo's min = demand x lead time (factor 1) has no safety stock and misses the target.
      CHECK(sim->minmax_policy.fill_rate < sim->safety_stock_policy.fill_rate);
      // Same seed, same numbers.
      const Result<ReplenishmentSimulationResult> again = simulate_replenishment(in);
      REQUIRE(again.is_ok());
      CHECK(again->safety_stock_policy.average_on_hand_units ==
            sim->safety_stock_policy.average_on_hand_units);
    }
  }
}

TEST_CASE("replenish: the simulator gives the same bits natively and in WebAssembly") {
  // Seeded draws and +, -, *, / only on the min/max side (recorded from the native build).
  ReplenishmentSimulationInput in;
  in.seed = 5;
  in.nb_size = 2.0;
  in.lead_time_sd_days = 1.0;
  const Result<ReplenishmentSimulationResult> sim = simulate_replenishment(in);
  REQUIRE(sim.is_ok());
  CHECK(sim->minmax_policy.fill_rate == 0x1.b8bbcecfee1d1p-1);
  CHECK(sim->minmax_policy.average_on_hand_units == 0x1.58p+5);
}

TEST_CASE("replenish: bad input names the field") {
  struct Row {
    const char* name;
    double mu, sigma, lead, lead_sd, level;
    const char* field;
  };
  const Row rows[] = {
      {"lead time zero", 10, 2, 0, 0, 0.95, "lead_time"},
      {"lead time negative", 10, 2, -1, 0, 0.95, "lead_time"},
      {"service level 1", 10, 2, 3, 0, 1.0, "service_level"},
      {"service level 0", 10, 2, 3, 0, 0.0, "service_level"},
      {"service level NaN", 10, 2, 3, 0, std::nan(""), "service_level"},
      {"negative demand", -1, 2, 3, 0, 0.95, "mean_demand"},
      {"negative sd", 10, -2, 3, 0, 0.95, "sd_demand"},
      {"negative lead-time sd", 10, 2, 3, -1, 0.95, "lead_time_sd"},
      {"infinite demand", HUGE_VAL, 2, 3, 0, 0.95, "mean_demand"},
  };
  for (const Row& r : rows) {
    SUBCASE(r.name) {
      CAPTURE(r.mu);
      CAPTURE(r.lead);
      CAPTURE(r.level);
      SafetyStockInput in;
      in.mean_demand_per_period = r.mu;
      in.sd_demand_per_period = r.sigma;
      in.lead_time_periods = r.lead;
      in.lead_time_sd_periods = r.lead_sd;
      in.service_level = r.level;
      const Result<SafetyStockResult> ss = safety_stock(in);
      REQUIRE_FALSE(ss.is_ok());
      CHECK(ss.status().code() == ErrorCode::kInvalidArgument);
      CHECK(ss.status().field() == r.field);
    }
  }
  SUBCASE("zero demand gives zero safety stock") {
    SafetyStockInput in;
    in.lead_time_periods = 3.0;
    const Result<SafetyStockResult> ss = safety_stock(in);
    REQUIRE(ss.is_ok());
    CHECK(ss->safety_stock == 0.0);
    CHECK(ss->reorder_point == 0.0);
  }
  SUBCASE("fill rate without an order quantity") {
    SafetyStockInput in;
    in.mean_demand_per_period = 5.0;
    in.lead_time_periods = 3.0;
    in.target = ServiceTarget::kFillRate;
    CHECK(safety_stock(in).status().field() == "order_quantity");
  }
  SUBCASE("newsvendor economics") {
    CHECK(critical_ratio({10.0, 12.0, 1.0}).status().field() == "cost_per_unit");
    CHECK(critical_ratio({10.0, 6.0, 7.0}).status().field() == "salvage_per_unit");
    CHECK(newsvendor_empirical({}, {10.0, 6.0, 1.0}).status().field() == "demand_samples");
    CHECK(newsvendor_empirical({1.0, -2.0}, {10.0, 6.0, 1.0}).status().field() == "demand_samples");
  }
  SUBCASE("promotion input") {
    PromotionReplenishmentInput in;
    in.product = "p";
    in.promotion_start_week = 1;
    in.promotion_end_week = 1;
    StorePromotionInput s;
    s.location = "A";
    s.baseline_units_per_week = {1.0, -1.0};
    in.stores = {s};
    CHECK(plan_promotion_replenishment(in).status().field() == "stores[0].baseline_units_per_week");
    in.lead_time_weeks = 0.0;
    CHECK(plan_promotion_replenishment(in).status().field() == "lead_time_weeks");
  }
  SUBCASE("simulation input") {
    ReplenishmentSimulationInput in;
    in.lead_time_days = 0.0;
    CHECK(simulate_replenishment(in).status().field() == "lead_time_days");
    in.lead_time_days = 3.0;
    in.fill_rate_target = 1.0;
    CHECK(simulate_replenishment(in).status().field() == "fill_rate_target");
    in.fill_rate_target = 0.9;
    in.mean_demand_per_day = -1.0;
    CHECK(simulate_replenishment(in).status().field() == "mean_demand_per_day");
  }
}
