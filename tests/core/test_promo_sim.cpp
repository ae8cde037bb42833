// Promotion plan simulation: hand-computed cells, drivers that add up, mechanics, stock risk,
// Monte Carlo determinism, the bad-plan table, and known truth through a fitted model.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "detail/rng.h"
#include "promo/pressure.h"
#include "promo_panel.h"
#include "shelfcast/promo.h"
#include "shelfcast/promo_sim.h"

namespace {

using shelfcast::PlannedPromotion;
using shelfcast::PromoMechanic;
using shelfcast::PromoModel;
using shelfcast::PromoPlan;

shelfcast::PromoEffect eff(double v) { return shelfcast::PromoEffect{v, 0.05}; }

// Two products in two stores with exact levels (sigma 0, c = 1): baselines 100 and 50 units.
PromoModel hand_model() {
  PromoModel m;
  m.model_version = "test/promo-panel-5";
  m.category = "juice";
  m.log_offset = 1.0;
  shelfcast::PromoProductModel a;
  a.product = 1;
  a.elasticity = eff(-2.0);
  a.lift_per_depth = eff(1.0);
  a.feature = eff(0.3);
  a.display = eff(0.2);
  a.cross_depth = eff(-0.5);
  a.pre_week = eff(std::log(0.9));
  a.post_week = eff(std::log(0.8));
  shelfcast::PromoProductModel b;
  b.product = 2;
  b.elasticity = eff(-1.5);
  b.lift_per_depth = eff(0.5);
  b.feature = eff(0.1);
  b.display = eff(0.0);
  b.cross_depth = eff(-0.4);
  b.pre_week = eff(0.0);
  b.post_week = eff(std::log(0.85));
  m.products = {a, b};
  for (int32_t store : {10, 20}) {
    m.levels.push_back({1, store, std::log(101.0), {}});
    m.levels.push_back({2, store, std::log(51.0), {}});
  }
  m.n_stores = 2;
  return m;
}

PromoPlan hand_plan() {
  PromoPlan plan;
  PlannedPromotion p;
  p.id = "Juice week";
  p.products = {1};
  p.start_week = 10;
  p.end_week = 11;
  p.depth = 0.25;
  p.feature = 1.0;
  plan.promotions = {p};
  plan.products = {{1, "Brand A", 4.0, 2.0}, {2, "Brand B", 3.0, 1.5}};
  plan.detail = shelfcast::PromoDetail::kCells;
  plan.draws = 100;
  plan.seed = 7;
  return plan;
}

const shelfcast::PromoCell* find_cell(const shelfcast::PromoSimulation& s, int32_t product,
                                      int32_t store, int32_t week) {
  for (const auto& c : s.cells)
    if (c.product == product && c.store == store && c.week == week) return &c;
  return nullptr;
}

// A plan that takes every fast path of the simulator: stores in two groups, small levels (cells
// clamped at zero units, some even at baseline), strong cannibalization, halo, pull-forward and
// dip, and stock with deliveries at several lead times.
struct MediumCase {
  PromoModel model;
  PromoPlan plan;
};

MediumCase medium_case() {
  MediumCase mc;
  shelfcast::detail::Rng rng(2024);
  PromoModel& m = mc.model;
  m.model_version = "test/promo-medium-1";
  m.category = "medium";
  m.log_offset = 1.0;
  constexpr int32_t kProducts = 12, kStores = 8;
  for (int32_t p = 0; p < kProducts; ++p) {
    shelfcast::PromoProductModel pm;
    pm.product = 100 + p;
    pm.elasticity = {rng.uniform(-3.0, -1.0), 0.2};
    pm.lift_per_depth = {rng.uniform(0.5, 1.5), 0.2};
    pm.feature = {rng.uniform(0.1, 0.4), 0.05};
    pm.display = {rng.uniform(0.05, 0.3), 0.05};
    pm.cross_depth = {rng.uniform(-0.9, -0.3), 0.05};
    pm.pre_week = {rng.uniform(-0.1, 0.0), 0.03};
    pm.post_week = {rng.uniform(-0.3, -0.05), 0.03};
    pm.sigma = rng.uniform(0.2, 0.5);
    m.products.push_back(pm);
    for (int32_t s = 0; s < kStores; ++s)
      if (p != 3 || s != 2)  // one product without a level in one store
        m.levels.push_back({100 + p, s, rng.uniform(-0.8, 2.5), {}});
  }
  m.n_stores = kStores;
  PromoPlan& plan = mc.plan;
  plan.clusters["east"] = {0, 1, 2};
  for (int32_t k = 0; k < 6; ++k) {
    PlannedPromotion pr;
    pr.id = "promo " + std::to_string(k);
    pr.products = {100 + 2 * k, 100 + 2 * k + 1};
    pr.start_week = 3 + 2 * k;
    pr.end_week = pr.start_week + (k % 2);
    pr.depth = 0.2 + 0.05 * k;
    pr.feature = k % 3 == 0 ? 1.0 : 0.0;
    pr.display = k % 2 == 0 ? 1.0 : 0.0;
    if (k % 2 == 1) pr.cluster = "east";
    plan.promotions.push_back(pr);
  }
  for (int32_t p = 0; p < kProducts; ++p) {
    const double price = rng.uniform(1.0, 10.0);
    plan.products.push_back({100 + p, "", price, price * 0.6});
    for (int32_t s = 0; s < kStores; ++s)
      plan.stock.push_back({100 + p, s, rng.uniform(5.0, 120.0), rng.uniform(0.0, 80.0),
                            static_cast<int32_t>(rng.below(6))});
  }
  plan.affinity = {{100, 107, 0.3, 2.0}, {102, 107, 0.2, 1.5}, {104, 109, 0.4, 3.0}};
  plan.draws = 20;
  plan.seed = 3;
  return mc;
}

}  // namespace

TEST_CASE("promo sim: every cell matches the model's arithmetic and the drivers add up") {
  const auto sim = shelfcast::simulate_promo(hand_model(), hand_plan());
  REQUIRE(sim.is_ok());
  const auto& s = sim.value();
  CHECK(s.model_version == "test/promo-panel-5+promo-sim-5");
  CHECK(s.first_week == 9);
  CHECK(s.last_week == 12);
  REQUIRE(s.cells.size() == 2 * 2 * 4);
  const double log_m = -2.0 * std::log(0.75) + 0.25 + 0.3;
  const double promoted = 101.0 * std::exp(log_m) - 1.0;
  const auto* a10 = find_cell(s, 1, 10, 10);
  REQUIRE(a10 != nullptr);
  CHECK(a10->promoted);
  CHECK(a10->figures.baseline == doctest::Approx(100.0));
  CHECK(a10->figures.units == doctest::Approx(promoted).epsilon(1e-9));
  CHECK(a10->net_price == doctest::Approx(3.0));
  // The lift splits into discount and feature by their shares of the log multiplier.
  CHECK(a10->figures.lift == doctest::Approx(promoted - 100.0));
  CHECK(a10->figures.incremental_margin ==
        doctest::Approx(promoted * (3.0 - 2.0) - 100.0 * (4.0 - 2.0)));
  // Week before: pull-forward 10%; week after: dip 20%.
  CHECK(find_cell(s, 1, 20, 9)->figures.pull_forward == doctest::Approx(10.1));
  CHECK(find_cell(s, 1, 20, 12)->figures.dip == doctest::Approx(20.2));
  // Brand B loses 0.4 X of B while A runs, and nothing outside; X = A's extra units over the
  // category's baseline units (both stores are one group): 202 (m - 1) / 300.
  const double pressure = 202.0 * (std::exp(log_m) - 1.0) / 300.0;
  REQUIRE(1.0 - 0.4 * pressure > 0.2);  // above the floor
  const double b_units = 51.0 * (1.0 - 0.4 * pressure) - 1.0;
  CHECK(find_cell(s, 2, 10, 11)->figures.cannibalized == doctest::Approx(50.0 - b_units));
  CHECK(find_cell(s, 2, 10, 12)->figures.cannibalized == doctest::Approx(0.0));
  CHECK(find_cell(s, 2, 10, 12)->figures.dip == doctest::Approx(0.0));

  // Totals = sum of cells = sum of product-weeks = sum of drivers.
  double cell_inc = 0.0, cell_margin = 0.0;
  for (const auto& c : s.cells) {
    cell_inc += c.figures.incremental;
    cell_margin += c.figures.incremental_margin;
    const auto& f = c.figures;
    CHECK(f.incremental ==
          doctest::Approx(f.lift - f.cannibalized + f.halo - f.pull_forward - f.dip));
  }
  const double expected_inc =
      4.0 * (promoted - 100.0) - 2.0 * 10.1 - 2.0 * 20.2 - 4.0 * (50.0 - b_units);
  CHECK(s.totals.incremental == doctest::Approx(expected_inc));
  CHECK(cell_inc == doctest::Approx(s.totals.incremental));
  CHECK(cell_margin == doctest::Approx(s.totals.incremental_margin));
  double driver_units = 0.0, driver_margin = 0.0, discount = 0.0, feature = 0.0;
  bool names_brand_b = false;
  for (const auto& d : s.drivers) {
    driver_units += d.units;
    driver_margin += d.margin;
    if (d.name == "discount") discount = d.units;
    if (d.name == "feature") feature = d.units;
    if (d.label == "taken from Brand B") names_brand_b = true;
  }
  CHECK(driver_units == doctest::Approx(s.totals.incremental));
  CHECK(driver_margin == doctest::Approx(s.totals.incremental_margin));
  CHECK(discount / feature == doctest::Approx((-2.0 * std::log(0.75) + 0.25) / 0.3));
  CHECK(names_brand_b);
  REQUIRE(s.sentences.size() >= 2);
  CHECK(s.sentences[0].find("from the 25% discount (Juice week)") != std::string::npos);
  CAPTURE(s.sentences[0]);
  CHECK(s.sentences[0].find("taken from Brand B") != std::string::npos);
  CHECK(s.sentences[1].find("Margin") == 0);
  // The hand plan numbers its weeks its own way: the sentence quotes them. A plan in calendar
  // weeks names its dates instead (week 9 is the Monday 1970-03-09 .. 15; week 12 ends 04-05).
  CHECK(s.sentences[0].find(" in weeks 9\u201312") != std::string::npos);
  PromoPlan dated = hand_plan();
  dated.calendar_weeks = true;
  const auto d = shelfcast::simulate_promo(hand_model(), dated);
  REQUIRE(d.is_ok());
  CAPTURE(d->sentences[0]);
  CHECK(d->sentences[0].find(" between 1970-03-09 and 1970-04-05") != std::string::npos);
  CHECK(d->sentences[0].find("weeks") == std::string::npos);
  // Product-weeks sum the stores.
  double pw_inc = 0.0;
  for (const auto& r : s.product_weeks) pw_inc += r.figures.incremental;
  CHECK(pw_inc == doctest::Approx(s.totals.incremental));
  // Monte Carlo bands bracket the point estimate.
  CHECK(s.incremental_margin.p10 <= s.incremental_margin.p50);
  CHECK(s.incremental_margin.p50 <= s.incremental_margin.p90);
  CHECK(s.incremental_units.p10 < s.totals.incremental);
  CHECK(s.incremental_units.p90 > s.totals.incremental);
}

TEST_CASE("promo sim: mechanics map to their effective depth") {
  const auto base = shelfcast::simulate_promo(hand_model(), hand_plan());
  REQUIRE(base.is_ok());
  struct Row {
    const char* name;
    PromoMechanic mechanic;
    double price_point;
    int32_t buy, pay;
    double same_as_depth;
  };
  const Row rows[] = {{"price point 3.00 of 4.00", PromoMechanic::kPricePoint, 3.0, 0, 0, 0.25},
                      {"4 for 3", PromoMechanic::kMultiBuy, 0.0, 4, 3, 0.25},
                      {"bogo", PromoMechanic::kBogo, 0.0, 0, 0, 0.5}};
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      PromoPlan plan = hand_plan();
      plan.promotions[0].mechanic = row.mechanic;
      plan.promotions[0].price_point = row.price_point;
      plan.promotions[0].buy = row.buy;
      plan.promotions[0].pay = row.pay;
      PromoPlan ref = hand_plan();
      ref.promotions[0].depth = row.same_as_depth;
      const auto a = shelfcast::simulate_promo(hand_model(), plan);
      const auto b = shelfcast::simulate_promo(hand_model(), ref);
      REQUIRE(a.is_ok());
      REQUIRE(b.is_ok());
      CHECK(a->totals.incremental == doctest::Approx(b->totals.incremental));
      CHECK(a->totals.incremental_margin == doctest::Approx(b->totals.incremental_margin));
    }
  }
  SUBCASE("a targeted segment reaches only its share of buyers") {
    PromoPlan plan = hand_plan();
    plan.promotions[0].segment = "loyal";
    plan.promotions[0].segment_share = 0.4;
    const auto a = shelfcast::simulate_promo(hand_model(), plan);
    REQUIRE(a.is_ok());
    CHECK(find_cell(*a, 1, 10, 10)->figures.lift ==
          doctest::Approx(0.4 * (find_cell(*base, 1, 10, 10)->figures.lift)));
  }
}

TEST_CASE("promo sim: stock cover and stockout risk follow the stock and the delivery") {
  PromoPlan plan = hand_plan();
  plan.stock = {{1, 10, 150.0, 0.0, 0}, {1, 20, 5000.0, 0.0, 0}};
  auto sim = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(sim.is_ok());
  // Store 10 holds 150 units against ~ 90 + 2 x 300 + 80 of demand: it runs out in week 10.
  CHECK(find_cell(*sim, 1, 10, 9)->stockout_probability < 0.01);
  CHECK(find_cell(*sim, 1, 10, 10)->stockout_probability > 0.99);
  CHECK(find_cell(*sim, 1, 20, 12)->stockout_probability < 1e-6);
  CHECK(find_cell(*sim, 1, 20, 9)->cover_weeks == doctest::Approx(5000.0 / 89.9));
  CHECK(find_cell(*sim, 1, 10, 9)->cover_weeks == doctest::Approx(150.0 / 89.9));
  CHECK(find_cell(*sim, 2, 10, 9)->stockout_probability == -1.0);
  CHECK(sim->max_stockout_probability > 0.99);
  CHECK(sim->expected_stockouts == doctest::Approx(1.0).epsilon(0.01));
  bool warns = false;
  for (const auto& s : sim->sentences) warns = warns || s.find("Stock risk") == 0;
  CHECK(warns);
  // A delivery of 2,000 in week 10 (lead time 1 from week 9) removes the risk after it lands.
  plan.stock[0].on_order = 2000.0;
  plan.stock[0].lead_time_weeks = 1;
  sim = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(sim.is_ok());
  CHECK(find_cell(*sim, 1, 10, 10)->stock_available == doctest::Approx(2150.0));
  CHECK(find_cell(*sim, 1, 10, 12)->stockout_probability < 1e-6);
}

TEST_CASE("promo sim: the same seed gives the same bands, the depth ranking is by margin") {
  PromoPlan plan = hand_plan();
  plan.detail = shelfcast::PromoDetail::kTotals;
  const auto a = shelfcast::simulate_promo(hand_model(), plan);
  const auto b = shelfcast::simulate_promo(hand_model(), plan);
  plan.seed = 8;
  const auto c = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  REQUIRE(c.is_ok());
  CHECK(a->incremental_margin.p10 == b->incremental_margin.p10);
  CHECK(a->incremental_margin.p90 == b->incremental_margin.p90);
  CHECK(a->incremental_margin.p10 != c->incremental_margin.p10);
  CHECK(a->cells.empty());
  CHECK(a->product_weeks.empty());
  REQUIRE(a->depth_options.size() == 5);
  for (size_t i = 0; i + 1 < a->depth_options.size(); ++i)
    CHECK(a->depth_options[i].incremental_margin >= a->depth_options[i + 1].incremental_margin);
  CHECK(a->depth_options[0].rank == 1);
  // Deeper discounts sell more: units rise with depth.
  double units_at_10 = 0.0, units_at_50 = 0.0;
  for (const auto& o : a->depth_options) {
    if (o.depth == 0.1) units_at_10 = o.incremental_units;
    if (o.depth == 0.5) units_at_50 = o.incremental_units;
  }
  CHECK(units_at_50 > units_at_10);
  // The option at the plan's own depth (25%) agrees with the simulation itself.
  plan.alternative_depths = {0.25};
  plan.seed = 7;
  const auto d = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(d.is_ok());
  CHECK(d->depth_options[0].incremental_units == doctest::Approx(d->totals.incremental));
  CHECK(d->depth_options[0].incremental_margin == doctest::Approx(d->totals.incremental_margin));
  // Regression: without draws the margin sentence quoted a P10-P90 range collapsed onto the
  // point ("P10-P90 -140 to -140"); now it quotes none, while the figures stay the same.
  CHECK(a->sentences[1].find("P10") != std::string::npos);
  plan.draws = 0;
  plan.alternative_depths.clear();
  const auto e = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(e.is_ok());
  REQUIRE(e->sentences.size() >= 2);
  CAPTURE(e->sentences[1]);
  CHECK(e->sentences[1].find("P10") == std::string::npos);
  CHECK(e->sentences[1].back() == '.');
  CHECK(e->totals.incremental_margin == doctest::Approx(d->totals.incremental_margin));
}

TEST_CASE("promo sim: the depth ranking equals fresh simulations, also where B keeps its floor") {
  // Brand B loses 0.9 X of its units, at least 20% kept (pressure.h): A's promotion takes it to
  // the floor from about 25% off (X = 202 (m - 1) / 300). The ranking sums B's weeks from two
  // moments where no week is at the floor, else week by week; each depth must give what a
  // simulation at that depth gives.
  PromoModel model = hand_model();
  model.products[1].cross_depth = eff(-0.9);
  PromoPlan plan = hand_plan();
  plan.detail = shelfcast::PromoDetail::kTotals;
  plan.draws = 0;
  const auto ranked = shelfcast::simulate_promo(model, plan);
  REQUIRE(ranked.is_ok());
  REQUIRE(ranked->depth_options.size() == 5);
  int floored = 0;
  for (const auto& o : ranked->depth_options) {
    PromoPlan at = plan;
    at.promotions[0].depth = o.depth;
    at.alternative_depths.clear();
    at.detail = shelfcast::PromoDetail::kCells;
    const auto fresh = shelfcast::simulate_promo(model, at);
    REQUIRE(fresh.is_ok());
    CAPTURE(o.depth);
    CHECK(o.incremental_units == doctest::Approx(fresh->totals.incremental).epsilon(1e-9));
    CHECK(o.incremental_margin == doctest::Approx(fresh->totals.incremental_margin).epsilon(1e-9));
    const auto* b = find_cell(*fresh, 2, 10, 10);
    REQUIRE(b != nullptr);
    floored += b->figures.units == doctest::Approx(0.2 * 51.0 - 1.0) ? 1 : 0;
  }
  CHECK(floored >= 2);  // the case reaches the floor
  CHECK(floored <= 4);  // and the moments
}

TEST_CASE("promo sim: halo through basket affinity adds to the partner") {
  PromoPlan plan = hand_plan();
  plan.affinity = {{1, 2, 0.5, 2.0}};  // half of A's extra buyers take B; half of those caused
  const auto with = shelfcast::simulate_promo(hand_model(), plan);
  const auto without = shelfcast::simulate_promo(hand_model(), hand_plan());
  REQUIRE(with.is_ok());
  REQUIRE(without.is_ok());
  const double lift = find_cell(*without, 1, 10, 10)->figures.lift;
  CHECK(find_cell(*with, 2, 10, 10)->figures.halo == doctest::Approx(0.25 * lift));
  CHECK(with->totals.halo == doctest::Approx(4 * 0.25 * lift));
  double halo_driver = 0.0;
  for (const auto& d : with->drivers)
    if (d.name == "halo") halo_driver += d.units;
  CHECK(halo_driver == doctest::Approx(with->totals.halo));
}

TEST_CASE("promo sim: bad plans get a clear error naming the field") {
  struct Row {
    const char* name;
    void (*edit)(PromoPlan*);
    const char* field;
  };
  const Row rows[] = {
      {"no promotions", [](PromoPlan* p) { p->promotions.clear(); }, "plan.promotions"},
      {"unknown product", [](PromoPlan* p) { p->promotions[0].products = {99}; },
       "plan.promotions[0].products[0]"},
      {"unknown store", [](PromoPlan* p) { p->promotions[0].stores = {99}; },
       "plan.promotions[0].stores"},
      {"unknown cluster", [](PromoPlan* p) { p->promotions[0].cluster = "north"; },
       "plan.promotions[0].cluster"},
      {"depth 0.96", [](PromoPlan* p) { p->promotions[0].depth = 0.96; },
       "plan.promotions[0].depth"},
      {"depth 0", [](PromoPlan* p) { p->promotions[0].depth = 0.0; }, "plan.promotions[0].depth"},
      {"price point above regular",
       [](PromoPlan* p) {
         p->promotions[0].mechanic = PromoMechanic::kPricePoint;
         p->promotions[0].price_point = 4.5;
       },
       "plan.promotions[0].price_point"},
      {"multi-buy pay >= buy",
       [](PromoPlan* p) {
         p->promotions[0].mechanic = PromoMechanic::kMultiBuy;
         p->promotions[0].buy = 2;
         p->promotions[0].pay = 2;
       },
       "plan.promotions[0].pay"},
      {"end before start", [](PromoPlan* p) { p->promotions[0].end_week = 9; },
       "plan.promotions[0].end_week"},
      {"overlapping promotions",
       [](PromoPlan* p) {
         PlannedPromotion q = p->promotions[0];
         q.start_week = 11;
         q.end_week = 13;
         p->promotions.push_back(q);
       },
       "plan.promotions[1].products[0]"},
      {"no price for a promoted product",
       [](PromoPlan* p) {
         p->products.pop_back();
         p->products.pop_back();
       },
       "plan.products"},
      {"too many draws", [](PromoPlan* p) { p->draws = 100000; }, "plan.draws"},
      {"segment share 0", [](PromoPlan* p) { p->promotions[0].segment_share = 0.0; },
       "plan.promotions[0].segment_share"},
      {"stock negative",
       [](PromoPlan* p) {
         p->stock = {{1, 10, -5.0, 0.0, 0}};
       },
       "plan.stock[0].on_hand"},
      {"affinity to itself",
       [](PromoPlan* p) {
         p->affinity = {{1, 1, 0.5, 2.0}};
       },
       "plan.affinity[0]"},
      {"a plan of three years",
       [](PromoPlan* p) { p->promotions[0].end_week = p->promotions[0].start_week + 200; },
       "plan.promotions"},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      PromoPlan plan = hand_plan();
      row.edit(&plan);
      const auto sim = shelfcast::simulate_promo(hand_model(), plan);
      REQUIRE_FALSE(sim.is_ok());
      CHECK(sim.status().code() == shelfcast::ErrorCode::kInvalidArgument);
      CHECK(sim.status().field() == row.field);
    }
  }
  SUBCASE("a promoted product fitted on too little variation is flagged") {
    PromoModel m = hand_model();
    m.products[0].low_confidence = true;
    const auto sim = shelfcast::simulate_promo(m, hand_plan());
    REQUIRE(sim.is_ok());
    CHECK(sim->low_confidence);
    CHECK(sim->sentences.back().find("Low confidence") == 0);
  }
}

TEST_CASE("promo sim: the plan reads from JSON, errors name the field; results write JSON") {
  const std::string text = R"({"promotions":[{"id":"Juice week","products":[1],"start_week":10,
    "end_week":11,"mechanic":"percent_off","depth":0.25,"feature":true}],
    "products":[{"product":1,"name":"Brand A","regular_price":4,"unit_cost":2},
                {"product":2,"name":"Brand B","regular_price":3,"unit_cost":1.5}],
    "draws":100,"seed":7,"detail":"cells"})";
  const auto plan = shelfcast::promo_plan_from_json(text);
  REQUIRE(plan.is_ok());
  const auto a = shelfcast::simulate_promo(hand_model(), plan.value());
  const auto b = shelfcast::simulate_promo(hand_model(), hand_plan());
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(shelfcast::promo_simulation_to_json(*a) == shelfcast::promo_simulation_to_json(*b));
  struct Row {
    const char* name;
    std::string text;
    const char* field;
  };
  const Row rows[] = {
      {"not json", "{", "plan"},
      {"promotions not a list", R"({"promotions":{}})", "plan.promotions"},
      {"mechanic",
       R"({"promotions":[{"products":[1],"start_week":1,"end_week":1,"mechanic":"x"}]})",
       "plan.promotions[0].mechanic"},
      {"depth text",
       R"({"promotions":[{"products":[1],"start_week":1,"end_week":1,"depth":"25%"}]})",
       "plan.promotions[0].depth"},
      {"product id text",
       R"({"promotions":[{"products":["a"],"start_week":1,"end_week":1,"depth":0.2}]})",
       "plan.promotions[0].products[0]"},
      {"detail", R"({"promotions":[],"detail":"all"})", "plan.detail"},
      {"calendar weeks text", R"({"promotions":[],"calendar_weeks":"yes"})", "plan.calendar_weeks"},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      const auto bad = shelfcast::promo_plan_from_json(row.text);
      REQUIRE_FALSE(bad.is_ok());
      CHECK(bad.status().field() == row.field);
    }
  }
}

TEST_CASE("promo sim: the result's JSON reads back to the same values, names escaped, -1 as null") {
  // The simulation's JSON is written straight into a string (no nlohmann tree): every number must
  // read back to the same double, every string to the same bytes, "no stock" (-1) to null.
  auto plan = hand_plan();
  plan.detail = shelfcast::PromoDetail::kCells;
  plan.products[0].name = "Brand \"A\" \\ 100%\tjuice\n\x01 \xc3\xa9t\xc3\xa9";
  const auto sim = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(sim.is_ok());
  REQUIRE(!sim->cells.empty());
  const nlohmann::json j = nlohmann::json::parse(shelfcast::promo_simulation_to_json(*sim));
  CHECK(j.at("model_version") == sim->model_version);
  CHECK(j.at("first_week") == sim->first_week);
  CHECK(j.at("totals").at("incremental_margin").get<double>() == sim->totals.incremental_margin);
  CHECK(j.at("totals").at("units").get<double>() == sim->totals.units);
  CHECK(j.at("incremental_margin").at("p10").get<double>() == sim->incremental_margin.p10);
  REQUIRE(j.at("weeks").size() == sim->weeks.size());
  for (size_t i = 0; i < sim->weeks.size(); ++i) {
    CHECK(j.at("weeks")[i].at("week") == sim->weeks[i].week);
    CHECK(j.at("weeks")[i].at("revenue").get<double>() == sim->weeks[i].figures.revenue);
    CHECK(j.at("weeks")[i].at("cannibalized").get<double>() == sim->weeks[i].figures.cannibalized);
  }
  REQUIRE(j.at("drivers").size() == sim->drivers.size());
  for (size_t i = 0; i < sim->drivers.size(); ++i) {
    CHECK(j.at("drivers")[i].at("label") == sim->drivers[i].label);
    CHECK(j.at("drivers")[i].at("units").get<double>() == sim->drivers[i].units);
    CHECK(j.at("drivers")[i].at("product").is_null() == (sim->drivers[i].product < 0));
  }
  CHECK(j.at("sentences") == sim->sentences);
  bool named = false;
  for (size_t i = 0; i < sim->products.size(); ++i) {
    CHECK(j.at("products")[i].at("name") == sim->products[i].name);
    named = named || sim->products[i].name == plan.products[0].name;
  }
  CHECK(named);
  REQUIRE(j.at("cells").size() == sim->cells.size());
  int nulls = 0;
  for (size_t i = 0; i < sim->cells.size(); ++i) {
    const auto& c = sim->cells[i];
    const auto& r = j.at("cells")[i];
    CHECK(r.at("store") == c.store);
    CHECK(r.at("promoted") == c.promoted);
    CHECK(r.at("net_price").get<double>() == c.net_price);
    CHECK(r.at("halo").get<double>() == c.figures.halo);
    if (c.stockout_probability < 0.0) {
      CHECK(r.at("stockout_probability").is_null());
      ++nulls;
    } else {
      CHECK(r.at("stockout_probability").get<double>() == c.stockout_probability);
    }
  }
  CHECK(nulls > 0);
  REQUIRE(j.at("depth_options").size() == sim->depth_options.size());
  for (size_t i = 0; i < sim->depth_options.size(); ++i)
    CHECK(j.at("depth_options")[i].at("rank") == sim->depth_options[i].rank);
}

TEST_CASE("promo sim: known truth: lift, cannibalization share and dip within 10% after a fit") {
  using shelfcast::testing::Truth;
  const std::vector<Truth> truth = {
      {-2.5, 1.0, 0.30, 0.15, -0.40, 0.10, 0.25},
      {-1.2, 0.6, 0.20, 0.10, -0.25, 0.05, 0.10},
      {-3.0, 1.5, 0.40, 0.25, -0.60, 0.12, 0.20},
  };
  std::vector<std::vector<double>> levels;  // [store][product]
  const auto fit = shelfcast::fit_promo_model(
      shelfcast::testing::make_panel(truth, 30, 104, 0.1, 7, true, nullptr, &levels), "juice");
  REQUIRE(fit.is_ok());
  // Promote product 0 at 30% off with a feature for two weeks everywhere.
  PromoPlan plan;
  PlannedPromotion p;
  p.products = {0};
  p.start_week = 200;
  p.end_week = 201;
  p.depth = 0.3;
  p.feature = 1.0;
  plan.promotions = {p};
  plan.products = {{0, "A", 2.0, 1.0}, {1, "B", 2.0, 1.0}, {2, "C", 2.0, 1.0}};
  plan.draws = 0;
  const auto sim = shelfcast::simulate_promo(*fit, plan);
  REQUIRE(sim.is_ok());
  // True ratios to the baseline (B m - c over B - c ~ m for ~100-unit levels: compare against
  // units + c on both sides).
  const Truth& t = truth[0];
  const double true_lift =
      std::exp(t.elasticity * std::log(0.7) + t.lift_per_depth * 0.3 + t.feature) - 1.0;
  // Each store's pressure is A's extra units over the store's units; B and C lose -cross X of
  // their units there (their shares of A's extra units; pressure.h).
  const double growth = shelfcast::testing::promotion_multiplier(t, 0.3, 1.0, 0.0) - 1.0;
  double b_units = 0.0, b_lost = 0.0, c_units = 0.0, c_lost = 0.0;
  for (const std::vector<double>& l : levels) {
    const double x = std::exp(l[0]) * growth / (std::exp(l[0]) + std::exp(l[1]) + std::exp(l[2]));
    b_units += std::exp(l[1]);
    b_lost += std::exp(l[1]) * (1.0 - shelfcast::detail::pressure_factor(truth[1].cross, x));
    c_units += std::exp(l[2]);
    c_lost += std::exp(l[2]) * (1.0 - shelfcast::detail::pressure_factor(truth[2].cross, x));
  }
  const double true_cannib_b = b_lost / b_units, true_cannib_c = c_lost / c_units;
  double base_a = 0, lift_a = 0, base_b = 0, cann_b = 0, base_c = 0, cann_c = 0, dip_a = 0,
         pre_a = 0;
  for (const auto& r : sim->product_weeks) {
    const double n = 30.0;  // stores: add c back per cell
    if (r.product == 0 && (r.week == 200 || r.week == 201)) {
      base_a += r.figures.baseline + n;
      lift_a += r.figures.lift;
    }
    if (r.product == 0 && r.week == 202) dip_a = r.figures.dip / (r.figures.baseline + n);
    if (r.product == 0 && r.week == 199) pre_a = r.figures.pull_forward / (r.figures.baseline + n);
    if (r.product == 1 && (r.week == 200 || r.week == 201)) {
      base_b += r.figures.baseline + n;
      cann_b += r.figures.cannibalized;
    }
    if (r.product == 2 && (r.week == 200 || r.week == 201)) {
      base_c += r.figures.baseline + n;
      cann_c += r.figures.cannibalized;
    }
  }
  CAPTURE(lift_a / base_a);
  CAPTURE(true_lift);
  CHECK(std::fabs(lift_a / base_a / true_lift - 1.0) < 0.10);
  CAPTURE(cann_b / base_b);
  CAPTURE(true_cannib_b);
  CHECK(std::fabs(cann_b / base_b / true_cannib_b - 1.0) < 0.10);
  CAPTURE(cann_c / base_c);
  CAPTURE(true_cannib_c);
  CHECK(std::fabs(cann_c / base_c / true_cannib_c - 1.0) < 0.10);
  CAPTURE(dip_a);
  CHECK(std::fabs(dip_a / t.dip - 1.0) < 0.10);
  CAPTURE(pre_a);
  CHECK(std::fabs(pre_a / t.pull_forward - 1.0) < 0.10);
}

TEST_CASE("promo sim: the fast paths agree with the cell-by-cell computation") {
  // Regression for the speed work: group units from prefix sums of B (clamped cells), closed-form
  // stock risk with the halo summed over the partners' promoted weeks, and the powers table of the
  // Monte Carlo's moments must give what the per-store, per-week loop of the cell table gives.
  MediumCase mc = medium_case();
  mc.plan.detail = shelfcast::PromoDetail::kCells;
  const auto cells = shelfcast::simulate_promo(mc.model, mc.plan);
  mc.plan.detail = shelfcast::PromoDetail::kTotals;
  const auto totals = shelfcast::simulate_promo(mc.model, mc.plan);
  mc.plan.detail = shelfcast::PromoDetail::kProductWeeks;
  const auto weeks = shelfcast::simulate_promo(mc.model, mc.plan);
  REQUIRE(cells.is_ok());
  REQUIRE(totals.is_ok());
  REQUIRE(weeks.is_ok());

  // The case reaches the paths: clamped cells, halo, risks strictly between 0 and 1.
  int clamped = 0, partial_risk = 0;
  double units = 0.0, halo = 0.0, baseline = 0.0, margin = 0.0;
  for (const auto& c : cells->cells) {
    units += c.figures.units;
    halo += c.figures.halo;
    baseline += c.figures.baseline;
    margin += c.figures.incremental_margin;
    if (c.figures.units - c.figures.halo == 0.0) ++clamped;
    if (c.stockout_probability > 0.01 && c.stockout_probability < 0.99) ++partial_risk;
  }
  CHECK(clamped > 10);
  CHECK(halo > 0.0);
  CHECK(partial_risk > 10);
  for (const auto* s : {&cells.value(), &totals.value(), &weeks.value()}) {
    CHECK(s->totals.units == doctest::Approx(units).epsilon(1e-12));
    CHECK(s->totals.halo == doctest::Approx(halo).epsilon(1e-12));
    CHECK(s->totals.baseline == doctest::Approx(baseline).epsilon(1e-12));
    CHECK(s->totals.incremental_margin == doctest::Approx(margin).epsilon(1e-12));
  }

  // Stock risk of a pair: the larger of the week before its delivery and the last week, as the
  // cell table gives them week by week; the plan's expected stockouts sum the promoted products'.
  std::vector<int32_t> promoted_products;
  for (const auto& pr : mc.plan.promotions)
    promoted_products.insert(promoted_products.end(), pr.products.begin(), pr.products.end());
  double expected = 0.0, worst = -1.0;
  for (const auto& st : mc.plan.stock) {
    if (std::find(promoted_products.begin(), promoted_products.end(), st.product) ==
        promoted_products.end())
      continue;
    double risk = -1.0;
    for (int32_t week : {cells->last_week, cells->first_week + st.lead_time_weeks - 1}) {
      if (week < cells->first_week) continue;
      const auto* c = find_cell(*cells, st.product, st.store, week);
      if (c != nullptr) risk = std::max(risk, c->stockout_probability);
    }
    if (risk < 0.0) continue;  // the pair has no level (it sells nothing)
    expected += risk;
    worst = std::max(worst, risk);
  }
  CAPTURE(expected);
  CHECK(totals->expected_stockouts == doctest::Approx(expected).epsilon(1e-9));
  CHECK(totals->max_stockout_probability == doctest::Approx(worst).epsilon(1e-9));

  // The Monte Carlo and the depth ranking see the same summaries whatever the detail.
  CHECK(totals->incremental_units.p10 == doctest::Approx(cells->incremental_units.p10));
  CHECK(totals->incremental_margin.p90 == doctest::Approx(cells->incremental_margin.p90));
  REQUIRE(totals->depth_options.size() == cells->depth_options.size());
  for (size_t i = 0; i < totals->depth_options.size(); ++i)
    CHECK(totals->depth_options[i].incremental_margin ==
          doctest::Approx(cells->depth_options[i].incremental_margin).epsilon(1e-12));
  // The three largest cannibalization victims are named, the rest summed, in both details.
  REQUIRE(totals->drivers.size() == cells->drivers.size());
  for (size_t i = 0; i < totals->drivers.size(); ++i) {
    CHECK(totals->drivers[i].label == cells->drivers[i].label);
    CHECK(totals->drivers[i].units == doctest::Approx(cells->drivers[i].units).epsilon(1e-12));
  }

  // Without draws, a totals answer skips the stock of products it neither promotes nor lists:
  // what it shows is the same (two products left unpromoted, listed for their cannibalization).
  {
    PromoPlan fewer = mc.plan;
    fewer.promotions.pop_back();
    fewer.detail = shelfcast::PromoDetail::kTotals;
    const auto with_draws = shelfcast::simulate_promo(mc.model, fewer);
    fewer.draws = 0;
    const auto slider = shelfcast::simulate_promo(mc.model, fewer);
    REQUIRE(with_draws.is_ok());
    REQUIRE(slider.is_ok());
    CHECK(slider->expected_stockouts == with_draws->expected_stockouts);
    CHECK(slider->max_stockout_probability == with_draws->max_stockout_probability);
    REQUIRE(slider->products.size() == with_draws->products.size());
    int unpromoted_with_stock = 0;
    for (size_t i = 0; i < slider->products.size(); ++i) {
      CHECK(slider->products[i].product == with_draws->products[i].product);
      CHECK(slider->products[i].max_stockout_probability ==
            with_draws->products[i].max_stockout_probability);
      if (!slider->products[i].promoted && slider->products[i].max_stockout_probability >= 0.0)
        ++unpromoted_with_stock;
    }
    CHECK(unpromoted_with_stock == 2);

    // The slider's answer (totals, no draws, no ranking: plain cells go straight to the week and
    // product sums) against the cell-by-cell path of a product-weeks answer.
    PromoPlan drag = fewer;
    drag.alternative_depths.clear();
    const auto quick = shelfcast::simulate_promo(mc.model, drag);
    drag.detail = shelfcast::PromoDetail::kProductWeeks;
    const auto full = shelfcast::simulate_promo(mc.model, drag);
    REQUIRE(quick.is_ok());
    REQUIRE(full.is_ok());
    const auto same = [](const shelfcast::PromoFigures& a, const shelfcast::PromoFigures& b) {
      CHECK(a.units == doctest::Approx(b.units).epsilon(1e-12));
      CHECK(a.baseline == doctest::Approx(b.baseline).epsilon(1e-12));
      CHECK(a.cannibalized == doctest::Approx(b.cannibalized).epsilon(1e-12));
      CHECK(a.halo == doctest::Approx(b.halo).epsilon(1e-12));
      CHECK(a.revenue == doctest::Approx(b.revenue).epsilon(1e-12));
      CHECK(a.incremental_margin == doctest::Approx(b.incremental_margin).epsilon(1e-12));
    };
    same(quick->totals, full->totals);
    REQUIRE(quick->weeks.size() == full->weeks.size());
    for (size_t w = 0; w < quick->weeks.size(); ++w)
      same(quick->weeks[w].figures, full->weeks[w].figures);
    REQUIRE(quick->drivers.size() == full->drivers.size());
    for (size_t i = 0; i < quick->drivers.size(); ++i) {
      CHECK(quick->drivers[i].label == full->drivers[i].label);
      CHECK(quick->drivers[i].units == doctest::Approx(full->drivers[i].units).epsilon(1e-12));
      CHECK(quick->drivers[i].margin == doctest::Approx(full->drivers[i].margin).epsilon(1e-12));
    }
    for (const auto& qp : quick->products)
      for (const auto& fp : full->products)
        if (qp.product == fp.product) same(qp.figures, fp.figures);
  }

  // One simulator answers a scenario as a fresh one does (nothing carries over between calls).
  const auto simulator = shelfcast::PromoSimulator::create(mc.model, mc.plan);
  REQUIRE(simulator.is_ok());
  PromoPlan other = mc.plan;
  other.promotions[0].depth = 0.45;
  REQUIRE(simulator->simulate(other).is_ok());
  const auto again = simulator->simulate(mc.plan);
  REQUIRE(again.is_ok());
  CHECK(again->totals.units == weeks->totals.units);
  CHECK(again->expected_stockouts == weeks->expected_stockouts);
  CHECK(again->incremental_margin.p50 == weeks->incremental_margin.p50);
}

TEST_CASE("promo sim: a memo recomputes only the changed weeks and answers to the bit as afresh") {
  // The slider's path (wasm/adapters.cpp keeps a PromoMemo per session): every answer through one
  // memo must equal, byte for byte in JSON, a simulation without it, through depth, feature and
  // share edits, rankings, draws, other details, new weeks, an error, and another simulator.
  MediumCase mc = medium_case();
  const auto simulator = shelfcast::PromoSimulator::create(mc.model, mc.plan);
  REQUIRE(simulator.is_ok());
  shelfcast::PromoMemo memo;
  CHECK(memo.weeks_computed() == 0);
  PromoPlan plan = mc.plan;
  plan.detail = shelfcast::PromoDetail::kTotals;
  plan.draws = 0;
  plan.alternative_depths.clear();
  int step = 0;
  const auto same_as_fresh = [&](const shelfcast::PromoSimulator& sim, const PromoPlan& pl) {
    CAPTURE(step);
    const auto kept = sim.simulate(pl, &memo);
    const auto fresh = sim.simulate(pl);
    REQUIRE(kept.is_ok());
    REQUIRE(fresh.is_ok());
    CHECK(shelfcast::promo_simulation_to_json(*kept) ==
          shelfcast::promo_simulation_to_json(*fresh));
    ++step;
    return memo.weeks_computed();
  };
  const int32_t all = 14;  // weeks 2..15: promotions in weeks 3..14 and the weeks either side
  CHECK(same_as_fresh(*simulator, plan) == all);
  CHECK(memo.weeks_total() == all);
  // A slider on promotion 1 (weeks 5-6): its two weeks only, again and again.
  for (double d : {0.3, 0.45, 0.6, 0.25}) {
    plan.promotions[1].depth = d;
    CHECK(same_as_fresh(*simulator, plan) == 2);
  }
  CHECK(same_as_fresh(*simulator, plan) == 0);  // nothing changed
  plan.promotions[2].feature = 0.5;             // promotion 2: week 7
  CHECK(same_as_fresh(*simulator, plan) == 1);
  plan.promotions[3].segment_share = 0.4;  // promotion 3: weeks 9-10
  CHECK(same_as_fresh(*simulator, plan) == 2);
  plan.promotions[0].mechanic = PromoMechanic::kBogo;  // promotion 0: week 3
  CHECK(same_as_fresh(*simulator, plan) == 1);
  // A depth ranking and draws visit every cell (and refill the memo), the slider goes on after.
  plan.alternative_depths = {0.1, 0.3};
  CHECK(same_as_fresh(*simulator, plan) == all);
  plan.alternative_depths.clear();
  plan.draws = 30;
  plan.promotions[1].depth = 0.35;
  CHECK(same_as_fresh(*simulator, plan) == all);
  plan.draws = 0;
  plan.promotions[1].depth = 0.4;
  CHECK(same_as_fresh(*simulator, plan) == 2);
  // Product-weeks: other sums (every cell one by one), kept between their own answers.
  plan.detail = shelfcast::PromoDetail::kProductWeeks;
  CHECK(same_as_fresh(*simulator, plan) == all);
  plan.promotions[4].depth = 0.15;  // promotion 4: week 11
  CHECK(same_as_fresh(*simulator, plan) == 1);
  plan.detail = shelfcast::PromoDetail::kCells;
  CHECK(same_as_fresh(*simulator, plan) == all);
  plan.detail = shelfcast::PromoDetail::kTotals;
  CHECK(same_as_fresh(*simulator, plan) == all);
  // New weeks or stores: a new layout.
  plan.promotions[5].end_week += 1;
  CHECK(same_as_fresh(*simulator, plan) == 15);
  plan.promotions[5].stores = {4, 5};
  CHECK(same_as_fresh(*simulator, plan) == 15);
  // An error leaves nothing to reuse.
  PromoPlan overlapping = plan;
  overlapping.promotions.push_back(plan.promotions[2]);
  CHECK_FALSE(simulator->simulate(overlapping, &memo).is_ok());
  CHECK(same_as_fresh(*simulator, plan) == 15);
  PromoPlan too_deep = plan;
  too_deep.promotions[1].depth = 0.99;
  CHECK_FALSE(simulator->simulate(too_deep, &memo).is_ok());
  CHECK(same_as_fresh(*simulator, plan) == 0);
  // Another simulator (other prices) with the same memo starts afresh.
  PromoPlan context = mc.plan;
  for (auto& pp : context.products) pp.regular_price *= 1.5;
  const auto other = shelfcast::PromoSimulator::create(mc.model, context);
  REQUIRE(other.is_ok());
  CHECK(same_as_fresh(*other, plan) == 15);
  plan.promotions[1].depth = 0.2;
  CHECK(same_as_fresh(*other, plan) == 2);
}

TEST_CASE("promo sim: products promoted together do not cannibalize each other") {
  // Regression (promo-panel-2): the cannibalization term covers a product's unpromoted weeks only,
  // as the panel is fitted; before, Brand A promoted with Brand B lost units to B's discount and
  // the fit made up for it with a larger lift.
  PromoPlan plan = hand_plan();
  plan.promotions[0].products = {1, 2};
  plan.draws = 0;
  const auto both = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(both.is_ok());
  for (const auto& c : both->cells) {
    CAPTURE(c.product);
    CAPTURE(c.week);
    if (c.promoted) CHECK(c.figures.cannibalized == 0.0);
  }
  // Promoted alone, A's lift is the same as with B beside it; B alone loses units to A.
  plan.promotions[0].products = {1};
  const auto alone = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(alone.is_ok());
  const auto a_both = find_cell(*both, 1, 10, 10);
  const auto a_alone = find_cell(*alone, 1, 10, 10);
  const auto b_alone = find_cell(*alone, 2, 10, 10);
  REQUIRE(a_both);
  REQUIRE(a_alone);
  REQUIRE(b_alone);
  CHECK(a_both->figures.units == doctest::Approx(a_alone->figures.units));
  CHECK(b_alone->figures.cannibalized > 0.0);
}

TEST_CASE("promo sim: in its dip week a product loses the same units to a sibling's promotion") {
  // Regression (promo-sim-5): the siblings' extra units a product loses are a fixed share of them
  // (promo.h), so in the week after its own promotion it loses as many as in any other week with
  // the same sibling promotion; the dip alone makes the difference. Before, the pressure was
  // scaled by the dip too (units times 0.8 (1 + g X) instead of 0.8 + g X).
  PromoPlan plan = hand_plan();  // Brand A (1) promoted in weeks 10-11: its dip week is 12
  plan.draws = 0;
  PlannedPromotion b;
  b.id = "B";
  b.products = {2};
  b.depth = 0.3;
  for (int32_t week : {12, 15}) {  // Brand B promoted in A's dip week, and in a plain one
    b.start_week = b.end_week = week;
    plan.promotions.push_back(b);
  }
  const auto sim = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(sim.is_ok());
  // B's extra units over the category's baseline units (both stores one group).
  const double x = 102.0 * (std::exp(-1.5 * std::log(0.7) + 0.5 * 0.3) - 1.0) / 300.0;
  REQUIRE(1.0 - 0.5 * x > 0.2);  // above the floor
  for (int32_t store : {10, 20}) {
    CAPTURE(store);
    const auto* dip_week = find_cell(*sim, 1, store, 12);
    const auto* plain_week = find_cell(*sim, 1, store, 15);
    REQUIRE(dip_week);
    REQUIRE(plain_week);
    CHECK(plain_week->figures.units == doctest::Approx(101.0 * (1.0 - 0.5 * x) - 1.0));
    CHECK(dip_week->figures.units == doctest::Approx(101.0 * (0.8 - 0.5 * x) - 1.0));
    // The cell's drivers still add up, dip and cannibalization both named.
    const auto& f = dip_week->figures;
    CHECK(f.dip > 0.0);
    CHECK(f.cannibalized > 0.0);
    CHECK(f.incremental ==
          doctest::Approx(f.lift - f.cannibalized + f.halo - f.pull_forward - f.dip));
  }
  // The Monte Carlo and the depth ranking read the same weeks (their summaries): a plan with
  // draws gives the same point totals.
  PromoPlan drawn = plan;
  drawn.draws = 50;
  drawn.alternative_depths = {0.1, 0.3};
  const auto with_draws = shelfcast::simulate_promo(hand_model(), drawn);
  REQUIRE(with_draws.is_ok());
  CHECK(with_draws->totals.incremental == doctest::Approx(sim->totals.incremental));
  CHECK(with_draws->incremental_units.p10 < sim->totals.incremental);
  CHECK(with_draws->incremental_units.p90 > sim->totals.incremental);
}

TEST_CASE("promo sim: a plan of many promotions names five and sums the rest, still adding up") {
  PromoPlan plan = hand_plan();
  plan.promotions.clear();
  for (int k = 0; k < 8; ++k) {
    PlannedPromotion p;
    p.id = "P" + std::to_string(k);
    p.products = {k % 2 == 0 ? 1 : 2};
    p.start_week = p.end_week = 10 + 4 * k;
    p.depth = 0.1 + 0.05 * k;
    p.feature = k == 7 ? 1.0 : 0.0;
    plan.promotions.push_back(p);
  }
  plan.draws = 0;
  plan.detail = shelfcast::PromoDetail::kTotals;
  const auto s = shelfcast::simulate_promo(hand_model(), plan);
  REQUIRE(s.is_ok());
  double units = 0.0, margin = 0.0;
  int named_discounts = 0, folded = 0;
  for (const auto& d : s->drivers) {
    CAPTURE(d.label);
    units += d.units;
    margin += d.margin;
    if (d.name == "discount" && d.label.find("other promotions") == std::string::npos) {
      ++named_discounts;
      CHECK(d.label.find("(P") != std::string::npos);
      CHECK(d.label.find("(P0)") == std::string::npos);  // the two shallowest are summed
      CHECK(d.label.find("(P1)") == std::string::npos);
    }
    if (d.label.find("3 other promotions") != std::string::npos) ++folded;
  }
  CHECK(named_discounts == 5);
  CHECK(folded >= 2);  // the discounts and the discount on baseline units of P0..P2
  bool feature_named = false;
  for (const auto& d : s->drivers) feature_named |= d.label == "the leaflet feature (P7)";
  CHECK(feature_named);
  CHECK(units == doctest::Approx(s->totals.incremental).epsilon(1e-9));
  CHECK(margin == doctest::Approx(s->totals.incremental_margin).epsilon(1e-9));
}
