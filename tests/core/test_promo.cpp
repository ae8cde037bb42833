// Promotion panel model: known truth on a synthetic log-linear panel, the sign constraint,
// low-confidence flags and the edge-case table.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "detail/rng.h"
#include "promo_panel.h"
#include "shelfcast/promo.h"

using shelfcast::PromoObservation;
using shelfcast::testing::make_panel;
using shelfcast::testing::promotion_multiplier;
using shelfcast::testing::Truth;

namespace {

// Two products' weeks in one store drawn from promo.h's model: their log levels, weekly depths and
// regular-price ratios, noise of sd 0.05 on the log scale. `pressure`, when given, gets each of
// product 0's weeks' cannibalization pressure X (0 in its promoted weeks).
void two_product_weeks(const std::vector<Truth>& truth, int32_t store, const double level[2],
                       const std::vector<double> depth[2], const std::vector<double> regular[2],
                       shelfcast::detail::Rng* rng, std::vector<PromoObservation>* panel,
                       std::vector<double>* pressure = nullptr) {
  const double category = std::exp(level[0]) + std::exp(level[1]);
  for (size_t t = 0; t < depth[0].size(); ++t) {
    double extra[2] = {0.0, 0.0};
    for (int j = 0; j < 2; ++j)
      if (depth[j][t] > 0.0)
        extra[j] = std::exp(level[j]) * std::pow(regular[j][t], truth[j].elasticity) *
                   (promotion_multiplier(truth[j], depth[j][t], 0.0, 0.0) - 1.0);
    for (int i = 0; i < 2; ++i) {
      const Truth& tr = truth[static_cast<size_t>(i)];
      const bool on = depth[i][t] > 0.0;
      const bool pre = !on && t + 1 < depth[i].size() && depth[i][t + 1] > 0.0;
      const bool post = !on && t > 0 && depth[i][t - 1] > 0.0;
      const double lag = (pre ? 1.0 - tr.pull_forward : 1.0) * (post ? 1.0 - tr.dip : 1.0);
      const double own = std::pow(regular[i][t], tr.elasticity) * lag;
      const double x = on ? 0.0 : extra[1 - i] / category / own;
      if (i == 0 && pressure) pressure->push_back(x);
      const double ratio = regular[i][t] * (1.0 - depth[i][t]);
      PromoObservation r;
      r.store = store;
      r.product = i;
      r.week = static_cast<int32_t>(t);
      r.price_ratio = ratio;
      r.promo_depth = depth[i][t];
      r.units = std::exp(level[i] + tr.elasticity * std::log(ratio) +
                         tr.lift_per_depth * depth[i][t] + std::log(lag) +
                         shelfcast::detail::pressure_log(tr.cross, x) + 0.05 * rng->normal());
      panel->push_back(r);
    }
  }
}

}  // namespace

TEST_CASE("promo: known truth on a synthetic panel (elasticity, lift, cannibalization, dip)") {
  const std::vector<Truth> truth = {
      {-2.5, 1.0, 0.30, 0.15, -0.40, 0.10, 0.25},
      {-1.2, 0.6, 0.20, 0.10, -0.25, 0.05, 0.10},
      {-3.0, 1.5, 0.40, 0.25, -0.60, 0.12, 0.20},
  };
  const auto panel = make_panel(truth, 30, 104, 0.1, 7);
  const auto fit = shelfcast::fit_promo_model(panel, "juice");
  REQUIRE(fit.is_ok());
  const shelfcast::PromoModel& m = fit.value();
  CHECK(m.model_version.find("promo-panel-10") != std::string::npos);
  REQUIRE(m.products.size() == truth.size());
  // Tolerances measured on this panel (30 stores x 104 weeks, noise sd 0.1; see report), with
  // headroom: absolute errors on the log scale.
  for (size_t i = 0; i < truth.size(); ++i) {
    const auto& p = m.products[i];
    const Truth& t = truth[i];
    CAPTURE(i);
    CAPTURE(p.elasticity.estimate);
    CAPTURE(p.lift_per_depth.estimate);
    CAPTURE(p.cross_depth.estimate);
    CAPTURE(p.pre_week.estimate);
    CAPTURE(p.post_week.estimate);
    CHECK(std::abs(p.elasticity.estimate - t.elasticity) < 0.1 * std::abs(t.elasticity));
    CHECK(std::abs(p.lift_per_depth.estimate - t.lift_per_depth) < 0.15);
    // (promo-panel-10, by quasi-likelihood: feature and display 0.026 and 0.030 off at worst, 3
    // se; promo-panel-9, on the log scale, which suits these log-normal units: 0.019 and 0.029)
    CHECK(std::abs(p.feature.estimate - t.feature) < 0.04);
    CHECK(std::abs(p.display.estimate - t.display) < 0.04);
    CHECK(std::abs(p.cross_depth.estimate - t.cross) < 0.1 * std::abs(t.cross) + 0.02);
    CHECK(std::abs(p.pre_week.estimate - std::log(1.0 - t.pull_forward)) < 0.03);
    CHECK(std::abs(p.post_week.estimate - std::log(1.0 - t.dip)) < 0.03);
    // Every effect has a positive, finite standard error that covers the error at ~4 se.
    for (const auto* e : {&p.elasticity, &p.lift_per_depth, &p.feature, &p.display, &p.cross_depth,
                          &p.pre_week, &p.post_week}) {
      CHECK(e->se > 0.0);
      CHECK(std::isfinite(e->se));
    }
    CHECK(std::abs(p.elasticity.estimate - t.elasticity) < 4.0 * p.elasticity.se + 1e-3);
    CHECK_FALSE(p.low_confidence);
    CHECK_FALSE(p.elasticity_at_bound);
  }
}

TEST_CASE("promo: holiday weeks get their own multiplier and leave the dip alone") {
  // The synthetic panel with every 13th week a holiday week selling 25% more (log 0.223),
  // several of them the week after a promotion: with the holiday column the multiplier is
  // recovered and the dips stay where they were; without it the holiday weeks leak into them.
  const std::vector<Truth> truth = {
      {-2.5, 1.0, 0.30, 0.15, -0.40, 0.10, 0.25},
      {-1.2, 0.6, 0.20, 0.10, -0.25, 0.05, 0.10},
      {-3.0, 1.5, 0.40, 0.25, -0.60, 0.12, 0.20},
  };
  auto panel = make_panel(truth, 30, 104, 0.1, 7);
  auto unflagged = panel;
  std::map<std::tuple<int32_t, int32_t, int32_t>, double> depth;
  for (const PromoObservation& r : panel) depth[{r.product, r.store, r.week}] = r.promo_depth;
  int holiday_post_weeks = 0;
  for (size_t i = 0; i < panel.size(); ++i) {
    PromoObservation& r = panel[i];
    // Holidays every 13 weeks, and in the week after each of product 0's promotions in store 0
    // (the weeks a dip is measured in).
    const auto before = depth.find({r.product, r.store, r.week - 1});
    const bool after_promo = r.store == 0 && r.product == 0 && r.promo_depth == 0.0 &&
                             before != depth.end() && before->second > 0.0;
    if (r.week % 13 != 5 && !after_promo) continue;
    holiday_post_weeks += after_promo ? 1 : 0;
    r.units = (r.units + 1.0) * std::exp(0.223) - 1.0;
    unflagged[i].units = r.units;
    r.holiday = 1.0;
  }
  REQUIRE(holiday_post_weeks > 3);
  const auto with = shelfcast::fit_promo_model(panel, "juice");
  const auto without = shelfcast::fit_promo_model(unflagged, "juice");
  REQUIRE(with.is_ok());
  REQUIRE(without.is_ok());
  for (size_t i = 0; i < truth.size(); ++i) {
    CAPTURE(i);
    const auto& p = with->products[i];
    CHECK(std::abs(p.holiday.estimate - 0.223) < 0.03);
    CHECK(p.holiday.se > 0.0);
    CHECK(std::abs(p.post_week.estimate - std::log(1.0 - truth[i].dip)) < 0.03);
  }
  // Without the column product 0's dip in store 0 absorbs part of the holiday: the fit moves.
  CHECK(without->products[0].holiday.estimate == 0.0);
  CHECK(std::abs(without->products[0].post_week.estimate - with->products[0].post_week.estimate) >
        0.005);
  // The column round-trips through the artifact, and an artifact without it reads as no effect.
  const auto back = shelfcast::promo_model_from_json(shelfcast::promo_model_to_json(*with));
  REQUIRE(back.is_ok());
  CHECK(back->products[0].holiday.estimate == with->products[0].holiday.estimate);
}

TEST_CASE("promo: a product selling a few units a week shows its full elasticity") {
  // Poisson sales of 4-6 a week at the reference price in 80 stores, regular price moving
  // between 0.8, 1 and 1.25 of it every 13 weeks, elasticity -2, four seeds: log(units + 1) has
  // slope about mu / (mu + 1) in log mu, and a fit of it read -1.86 on average (promo-panel-8,
  // whose predictions came to 1.7% more than the sales); promo-panel-9's working response
  // (log(units + 1) less its Poisson moments) read -2.05, its predicted units within 0.4% of the
  // sales; the quasi-likelihood fit (promo.h) reads -2.04, and its predicted units add up to the
  // sales (its levels' estimating equations are the sales' sums).
  const double truth = -2.0;
  const double prices[] = {1.0, 1.25, 0.8, 1.0, 0.8, 1.25, 1.0, 1.25};
  double mean = 0.0;
  for (const uint64_t seed : {43, 44, 45, 46}) {
    CAPTURE(seed);
    shelfcast::detail::Rng rng(seed);
    std::vector<PromoObservation> panel;
    double sold = 0.0;
    for (int32_t store = 0; store < 80; ++store) {
      for (int32_t week = 0; week < 104; ++week) {
        PromoObservation r;
        r.store = store;
        r.product = 0;
        r.week = week;
        r.price_ratio = prices[week / 13];
        r.units = static_cast<double>(
            rng.poisson(6.0 * (0.7 + 0.0075 * store) * std::pow(r.price_ratio, truth)));
        sold += r.units;
        panel.push_back(r);
      }
    }
    const auto m = shelfcast::fit_promo_model(panel, "juice");
    REQUIRE(m.is_ok());
    CHECK(m->log_offset == 0.0);
    const auto& e = m->products[0].elasticity;
    mean += e.estimate / 4.0;
    const auto predicted = shelfcast::predict_promo(*m, panel);
    REQUIRE(predicted.is_ok());
    double total = 0.0;
    for (const double u : *predicted) total += u;
    MESSAGE("elasticity " << e.estimate << " (se " << e.se << "); predicted " << total
                          << " units against " << sold << " sold");
    CHECK(std::abs(total / sold - 1.0) < 0.001);
  }
  MESSAGE("mean elasticity " << mean << " (truth " << truth << ")");
  CHECK(std::abs(mean - truth) < 0.08);
}

TEST_CASE("promo: a product sold in counts is fitted by quasi-likelihood, a large seller on logs") {
  // Poisson counts of a few units a week owe most of log(units + 1)'s spread to counting: fitted
  // by quasi-likelihood. Units of about 100 a week spread log-normally with sd 0.8 owe it 2%:
  // fitted on the log scale (PromoFitOptions::counts_share, 5%). The fit says which in a note.
  const auto note_of = [](const shelfcast::PromoModel& m) {
    for (const std::string& n : m.notes)
      if (n.find("quasi-likelihood") != std::string::npos) return n;
    return std::string();
  };
  shelfcast::detail::Rng rng(47);
  std::vector<PromoObservation> counted;
  for (int32_t store = 0; store < 20; ++store)
    for (int32_t week = 0; week < 104; ++week) {
      PromoObservation r;
      r.store = store;
      r.week = week;
      r.price_ratio = week < 52 ? 1.0 : 1.2;
      r.units = static_cast<double>(rng.poisson(5.0 * std::pow(r.price_ratio, -2.0)));
      counted.push_back(r);
    }
  const auto by_counts = shelfcast::fit_promo_model(counted, "c");
  REQUIRE(by_counts.is_ok());
  CHECK(note_of(*by_counts) ==
        "fitted by quasi-likelihood (sold in counts): 0; on the log scale (spread in proportion "
        "to the units): none");
  const std::vector<Truth> truth = {{-2.5, 1.0, 0.30, 0.15, -0.40, 0.10, 0.25},
                                    {-1.2, 0.6, 0.20, 0.10, -0.25, 0.05, 0.10}};
  const auto spread = shelfcast::fit_promo_model(make_panel(truth, 10, 104, 0.8, 5), "c");
  REQUIRE(spread.is_ok());
  CHECK(note_of(*spread) ==
        "fitted by quasi-likelihood (sold in counts): none; on the log scale (spread in "
        "proportion to the units): 0, 1");
  // Forced the other way, each is still fitted (the choice is about bias and robustness).
  shelfcast::PromoFitOptions all_counts;
  all_counts.counts_share = 0.0;
  const auto forced =
      shelfcast::fit_promo_model(make_panel(truth, 10, 104, 0.8, 5), "c", all_counts);
  REQUIRE(forced.is_ok());
  CHECK(note_of(*forced).find("sold in counts): 0, 1;") != std::string::npos);
}

TEST_CASE("promo: the yearly season turns once in 365.25 days, not in 52 weeks") {
  // One product in 10 stores over three years with a calendar season of +-35% (the generator's
  // largest: its year is 365.25 days) and three regular-price moves of 10%, noise of sd 0.01:
  // read against a 52-week year the season drifts a day and a quarter a year off the calendar,
  // and what it leaves behind goes into the price (elasticity -1.9 came out -1.878 here, 4 se
  // off; on the generator's expected units without noise two products of 65 missed theirs by
  // 14%). Some 3,000
  // units a week, so that log(units + 1) is log units.
  shelfcast::detail::Rng rng(41);
  const double truth = -1.9, amplitude = 0.3;
  std::vector<PromoObservation> panel;
  for (int32_t store = 0; store < 10; ++store) {
    for (int32_t week = 0; week < 156; ++week) {
      const double price = week < 40 ? 1.0 : week < 80 ? 1.1 : week < 120 ? 1.0 : 0.9;
      const double turns = (7.0 * week + 50.0) / 365.25;
      PromoObservation r;
      r.store = store;
      r.product = 0;
      r.week = week;
      r.price_ratio = price;
      r.units = std::exp(8.0 + 0.1 * store + amplitude * std::cos(2.0 * M_PI * turns) +
                         truth * std::log(price) + 0.01 * rng.normal());
      panel.push_back(r);
    }
  }
  const auto m = shelfcast::fit_promo_model(panel, "juice");
  REQUIRE(m.is_ok());
  MESSAGE("elasticity " << m->products[0].elasticity.estimate << " (se "
                        << m->products[0].elasticity.se << ", truth " << truth << ")");
  CHECK(std::abs(m->products[0].elasticity.estimate - truth) < 0.01);
}

TEST_CASE("promo: holidays counted in average days fit the busy-day holidays too") {
  // The generator's holidays lift their day by half, so a holiday week sells 1 + 0.5 s more, s
  // the holiday's weekday share of the week (two holidays: their shares add). Every 9th week
  // here has a holiday on a different weekday: s from 0.08 (a quiet Tuesday) to 0.45 (Christmas
  // and Boxing Day on a Friday and Saturday). As holiday_days = 7 s (WeeklyPoint::holiday_days)
  // the lift is a slope and every holiday week is predicted; as a 0/1 flag it is one average,
  // about +11%, and the Christmas weeks' other +10% stays in their residuals, or, in the
  // generator's data where promotions run in every store at once, in the promotions that ran in
  // them (bench_promo_truth: elasticities within 2 se for 55 of 65 products with the flag, 58
  // with the days).
  const std::vector<Truth> truth = {
      {-2.5, 1.0, 0.30, 0.15, -0.40, 0.10, 0.25},
      {-1.2, 0.6, 0.20, 0.10, -0.25, 0.05, 0.10},
      {-3.0, 1.5, 0.40, 0.25, -0.60, 0.12, 0.20},
  };
  const double shares[] = {0.08, 0.45, 0.12, 0.30, 0.20, 0.40, 0.10};
  auto days = make_panel(truth, 30, 104, 0.05, 17);
  auto flag = days;
  std::vector<double> lift(days.size(), 0.0);  // the holiday's true lift of each row's units + 1
  for (size_t i = 0; i < days.size(); ++i) {
    PromoObservation& r = days[i];
    if (r.week % 9 != 4) continue;
    const double s = shares[(r.week / 9) % 7];
    lift[i] = 1.0 + 0.5 * s;
    r.units = (r.units + 1.0) * lift[i] - 1.0;
    r.holiday = 7.0 * s;
    flag[i].units = r.units;
    flag[i].holiday = 1.0;
  }
  const auto with_days = shelfcast::fit_promo_model(days, "juice");
  const auto with_flag = shelfcast::fit_promo_model(flag, "juice");
  REQUIRE(with_days.is_ok());
  REQUIRE(with_flag.is_ok());
  for (size_t i = 0; i < truth.size(); ++i) {
    CAPTURE(i);
    // log(1 + 0.5 s) over 7 s for s from 0.08 to 0.45: 0.063-0.071 per average day.
    CHECK(std::abs(with_days->products[i].holiday.estimate - 0.067) < 0.01);
    CHECK(with_days->products[i].holiday.se > 0.0);
  }
  // Each holiday week's units against the prediction, by its share: the model's log error,
  // averaged over products and stores (the noise of sd 0.05 averages out to about 0.005).
  const auto predicted_days = shelfcast::predict_promo(*with_days, days);
  const auto predicted_flag = shelfcast::predict_promo(*with_flag, flag);
  REQUIRE(predicted_days.is_ok());
  REQUIRE(predicted_flag.is_ok());
  for (const double s : shares) {
    CAPTURE(s);
    double error_days = 0.0, error_flag = 0.0;
    int n = 0;
    for (size_t i = 0; i < days.size(); ++i) {
      if (lift[i] != 1.0 + 0.5 * s) continue;
      error_days += std::log((days[i].units + 1.0) / ((*predicted_days)[i] + 1.0));
      error_flag += std::log((days[i].units + 1.0) / ((*predicted_flag)[i] + 1.0));
      ++n;
    }
    REQUIRE(n > 0);
    error_days /= n;
    error_flag /= n;
    MESSAGE("holiday share " << s << ": log error " << error_days << " as days, " << error_flag
                             << " as a flag");
    CHECK(std::abs(error_days) < 0.02);
    if (s == 0.45) CHECK(error_flag > 0.06);   // Christmas: +22.5% against the flag's ~+11%
    if (s == 0.08) CHECK(error_flag < -0.04);  // a quiet Tuesday: +4% against ~+11%
  }
}

TEST_CASE("promo: a dip week with a sibling's promotion is read as the dip plus cannibalization") {
  // Regression (promo-panel-5): a product loses a fixed share of its siblings' extra units, also
  // in the week after its own promotion, where it sells fewer; the pressure is over its units that
  // week. Here the sibling (1) runs its promotion in half of product 0's dip weeks. Reading the
  // pressure against product 0's usual units (promo-panel-4) made those weeks look like a deeper
  // dip: post_week -0.351 against the truth's -0.288 (measured; promo-panel-6 -0.278), its g
  // -0.55 (now -0.497; truth -0.50).
  const std::vector<Truth> truth = {
      {-2.0, 1.0, 0.0, 0.0, -0.5, 0.05, 0.25},
      {-2.5, 1.2, 0.0, 0.0, -0.3, 0.10, 0.20},
  };
  shelfcast::detail::Rng rng(11);
  constexpr int32_t kStores = 20, kWeeks = 104;
  std::vector<PromoObservation> panel;
  for (int32_t s = 0; s < kStores; ++s) {
    const double level[2] = {std::log(100.0) + rng.uniform(-0.3, 0.3),
                             std::log(60.0) + rng.uniform(-0.3, 0.3)};
    std::vector<double> depth[2], regular[2];
    for (int i = 0; i < 2; ++i) {
      depth[i].assign(kWeeks, 0.0);
      regular[i].assign(kWeeks, 1.0);
      double reg = 1.0;
      for (int32_t w = 0; w < kWeeks; ++w) {
        if (rng.bernoulli(0.08)) reg = rng.uniform(0.85, 1.15);
        regular[i][static_cast<size_t>(w)] = reg;
      }
    }
    for (int32_t k = 0; 8 * k + 10 < kWeeks; ++k) {
      const int32_t w0 = 3 + 8 * k + static_cast<int32_t>(rng.below(2));
      depth[0][static_cast<size_t>(w0)] = rng.uniform(0.15, 0.35);
      // The sibling: in product 0's dip week every other time, else three weeks later.
      depth[1][static_cast<size_t>(w0 + (k % 2 == 0 ? 1 : 4))] = rng.uniform(0.15, 0.35);
    }
    two_product_weeks(truth, s, level, depth, regular, &rng, &panel);
  }
  const auto fit = shelfcast::fit_promo_model(panel, "juice");
  REQUIRE(fit.is_ok());
  REQUIRE(fit->products.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const auto& p = fit->products[i];
    CAPTURE(i);
    CAPTURE(p.post_week.estimate);
    CAPTURE(p.pre_week.estimate);
    CAPTURE(p.cross_depth.estimate);
    MESSAGE("product " << i << ": dip log " << p.post_week.estimate << " (truth "
                       << std::log(1.0 - truth[i].dip) << "), g " << p.cross_depth.estimate);
    CHECK(std::abs(p.post_week.estimate - std::log(1.0 - truth[i].dip)) < 0.02);
    CHECK(std::abs(p.pre_week.estimate - std::log(1.0 - truth[i].pull_forward)) < 0.02);
    CHECK(std::abs(p.cross_depth.estimate - truth[i].cross) < 0.1 * std::abs(truth[i].cross));
  }
}

TEST_CASE("promo: a product cannibalized down to its floor in many weeks keeps its full g") {
  // Regression (promo-panel-6): a small product next to a big one whose promotions take it down
  // to kPressureFloor in about half of the weeks they run. Regressing on log(max(0.2, 1 + g X))
  // / g at the previous pass's g (promo-panel-5), the floored weeks held g where the pass before
  // left it, and the passes settled at g = -0.96 against the truth's -1.2 (measured); the
  // least-squares g of the model with its floor is -1.16 (the rest: log(units + 1) reads the
  // ~10 units a floored week keeps as relatively more than they are).
  const std::vector<Truth> truth = {
      {-2.0, 1.0, 0.0, 0.0, -1.2, 0.05, 0.10},
      {-2.5, 1.2, 0.0, 0.0, -0.3, 0.05, 0.10},
  };
  shelfcast::detail::Rng rng(5);
  constexpr int32_t kStores = 20, kWeeks = 104;
  std::vector<PromoObservation> panel;
  std::vector<double> pressure;  // product 0's
  for (int32_t s = 0; s < kStores; ++s) {
    const double level[2] = {std::log(50.0) + rng.uniform(-0.3, 0.3),
                             std::log(300.0) + rng.uniform(-0.3, 0.3)};
    std::vector<double> depth[2], regular[2];
    for (int i = 0; i < 2; ++i) {
      depth[i].assign(kWeeks, 0.0);
      regular[i].assign(kWeeks, 1.0);
    }
    for (int32_t k = 0; 6 * k + 8 < kWeeks; ++k) {
      const int32_t w0 = 2 + 6 * k + static_cast<int32_t>(rng.below(2));
      depth[1][static_cast<size_t>(w0)] = rng.uniform(0.05, 0.3);
      if (k % 3 == 0) depth[0][static_cast<size_t>(w0 + 3)] = rng.uniform(0.1, 0.3);
    }
    two_product_weeks(truth, s, level, depth, regular, &rng, &panel, &pressure);
  }
  int floored = 0, pressured = 0;
  for (const double x : pressure) {
    pressured += x > 0.0 ? 1 : 0;
    floored += x > 0.0 && 1.0 + truth[0].cross * x <= shelfcast::detail::kPressureFloor ? 1 : 0;
  }
  MESSAGE("product 0 at its floor in " << floored << " of its " << pressured
                                       << " pressured store-weeks");
  REQUIRE(floored > pressured / 3);
  REQUIRE(floored < 2 * pressured / 3);
  const auto fit = shelfcast::fit_promo_model(panel, "c");
  REQUIRE(fit.is_ok());
  REQUIRE(fit->products.size() == 2);
  const auto& p = fit->products[0];
  MESSAGE("product 0: g " << p.cross_depth.estimate << " (se " << p.cross_depth.se << ", truth "
                          << truth[0].cross << ")");
  CHECK(std::abs(p.cross_depth.estimate - truth[0].cross) < 0.05 * std::abs(truth[0].cross));
}

TEST_CASE("promo: without regular-price moves the pooled elasticities keep honest errors") {
  // Regression: with no regular-price moves a product's promotions cannot tell its elasticity
  // from its lift per depth, and the maximum-likelihood category spread of one of them collapsed
  // to PoolingOptions::min_spread_sd: every product's elasticity then came out with a standard
  // error of 0.063-0.069 near the category's, and the truth (-0.9 to -3.0 here) was within 2 of
  // them for 2 of 8 products (measured). A prior worth one product on the spread
  // (PromoFitOptions::pooling_spread_prior_weight): se 0.37, the truth within 2 for 7 of 8.
  std::vector<Truth> truth;
  for (int i = 0; i < 8; ++i) {
    const double e = -0.9 - 0.3 * i;
    truth.push_back({e, 0.6 + 0.15 * ((i * 3) % 8), 0.3, 0.1, -0.3, 0.05, 0.1});
  }
  const auto panel = make_panel(truth, 24, 104, 0.15, 91, /*price_moves=*/false);
  for (const double weight : {0.0, 1.0}) {
    shelfcast::PromoFitOptions o;
    o.pooling_spread_prior_weight = weight;
    const auto fit = shelfcast::fit_promo_model(panel, "c", o);
    REQUIRE(fit.is_ok());
    REQUIRE(fit->products.size() == truth.size());
    int within = 0;
    double se_low = HUGE_VAL, se_high = 0.0;
    for (size_t i = 0; i < truth.size(); ++i) {
      const auto& p = fit->products[i];
      within += std::abs(p.elasticity.estimate - truth[i].elasticity) < 2.0 * p.elasticity.se;
      se_low = std::min(se_low, p.elasticity.se);
      se_high = std::max(se_high, p.elasticity.se);
    }
    MESSAGE("spread prior weight " << weight << ": truth within 2 se for " << within << " of "
                                   << truth.size() << ", se " << se_low << "-" << se_high);
    if (weight > 0.0) CHECK(within >= 7);
  }
}

TEST_CASE("promo: a bent depth response (saturation, threshold) is recovered beyond 30% off") {
  std::vector<Truth> truth = {
      {-2.0, 1.2, 0.3, 0.1, -0.3, 0.05, 0.1},
      {-2.0, 0.8, 0.3, 0.1, -0.3, 0.05, 0.1},
      {-1.5, 1.0, 0.2, 0.1, -0.2, 0.05, 0.1},
  };
  truth[0].hinge = -2.0;  // saturates: deeper cuts beyond 30% add little
  truth[1].hinge = 1.5;   // a threshold: cuts beyond 30% wake up shoppers
  const auto fit = shelfcast::fit_promo_model(make_panel(truth, 40, 104, 0.1, 21), "c");
  REQUIRE(fit.is_ok());
  for (size_t i = 0; i < truth.size(); ++i) {
    const auto& p = fit->products[i];
    CAPTURE(i);
    CAPTURE(p.depth_hinge.estimate);
    CAPTURE(p.depth_hinge.se);
    // Measured: -1.92 for -2.0 and 1.46 for 1.5 (se ~0.1); within 10% of the true bend, or 4 se
    // of 0 when there is none.
    if (truth[i].hinge != 0.0)
      CHECK(std::abs(p.depth_hinge.estimate - truth[i].hinge) < 0.1 * std::abs(truth[i].hinge));
    else
      CHECK(std::abs(p.depth_hinge.estimate) < 4.0 * p.depth_hinge.se);
    CHECK(p.depth_hinge.se < 0.5);
    CHECK(std::abs(p.elasticity.estimate - truth[i].elasticity) <
          0.1 * std::abs(truth[i].elasticity));
  }
  CHECK(fit->products[0].depth_hinge.estimate < -1.0);
  CHECK(fit->products[1].depth_hinge.estimate > 0.5);
  CHECK(fit->depth_threshold == 0.3);
}

TEST_CASE("promo: store elasticity shifts are recovered and shrunk toward the product") {
  std::vector<Truth> truth = {
      {-2.5, 1.0, 0.3, 0.1, -0.3, 0.05, 0.1},
      {-2.0, 1.0, 0.3, 0.1, -0.3, 0.05, 0.1},
  };
  truth[0].store_elasticity_sd = 0.6;  // stores differ; product 1's do not
  std::vector<std::vector<double>> shifts;
  const auto fit =
      shelfcast::fit_promo_model(make_panel(truth, 40, 156, 0.1, 33, true, &shifts), "c");
  REQUIRE(fit.is_ok());
  // tau: measured 0.48 for a true 0.6 (40 stores drawn); product 1: 0.02.
  CAPTURE(fit->products[0].heterogeneity_sd);
  CAPTURE(fit->products[1].heterogeneity_sd);
  CHECK(std::abs(fit->products[0].heterogeneity_sd / 0.6 - 1.0) < 0.25);
  CHECK(fit->products[1].heterogeneity_sd < 0.1);
  // Per store, the shifted elasticity is closer to the store's truth than the pooled one.
  double err_pooled = 0.0, err_shifted = 0.0, dot = 0.0, nn = 0.0, tt = 0.0;
  for (const auto& l : fit->levels) {
    if (l.product != 0) continue;
    const double truth_store = truth[0].elasticity + shifts[static_cast<size_t>(l.store)][0];
    const double pooled = fit->products[0].elasticity.estimate;
    err_pooled += (pooled - truth_store) * (pooled - truth_store);
    err_shifted += (pooled + l.elasticity_shift.estimate - truth_store) *
                   (pooled + l.elasticity_shift.estimate - truth_store);
    dot += l.elasticity_shift.estimate * shifts[static_cast<size_t>(l.store)][0];
    nn += l.elasticity_shift.estimate * l.elasticity_shift.estimate;
    tt += shifts[static_cast<size_t>(l.store)][0] * shifts[static_cast<size_t>(l.store)][0];
    CHECK(l.elasticity_shift.se > 0.0);
    CHECK(pooled + l.elasticity_shift.estimate <= 0.0);
  }
  CAPTURE(err_pooled);
  CAPTURE(err_shifted);
  CHECK(err_shifted < 0.25 * err_pooled);
  CHECK(dot / std::sqrt(nn * tt) > 0.9);  // shifts line up with the truth
  // The round trip keeps the shifts.
  const auto back = shelfcast::promo_model_from_json(shelfcast::promo_model_to_json(*fit));
  REQUIRE(back.is_ok());
  CHECK(back->levels[3].elasticity_shift.estimate == fit->levels[3].elasticity_shift.estimate);
  CHECK(back->products[0].heterogeneity_sd == fit->products[0].heterogeneity_sd);
}

TEST_CASE("promo: own-price elasticity is constrained <= 0") {
  const std::vector<Truth> truth = {{0.8, 0.5, 0.2, 0.1, 0.0, 0.0, 0.0},
                                    {-2.0, 0.5, 0.2, 0.1, 0.0, 0.0, 0.0}};
  const auto panel = make_panel(truth, 10, 80, 0.1, 11);
  const auto fit = shelfcast::fit_promo_model(panel, "c");
  REQUIRE(fit.is_ok());
  CHECK(fit->products[0].elasticity.estimate == 0.0);
  CHECK(fit->products[0].elasticity_at_bound);
  CHECK(fit->products[1].elasticity.estimate < -1.5);
  CHECK_FALSE(fit->products[1].elasticity_at_bound);
}

TEST_CASE("promo: too little price variation is flagged low-confidence") {
  std::vector<PromoObservation> panel;
  for (int32_t w = 0; w < 30; ++w) {
    PromoObservation r;
    r.week = w;
    r.units = 10.0 + (w % 3);
    panel.push_back(r);
  }
  const auto fit = shelfcast::fit_promo_model(panel, "c");
  REQUIRE(fit.is_ok());
  CHECK(fit->products[0].low_confidence);
  CHECK(fit->products[0].elasticity.estimate == doctest::Approx(-1.76));
  CHECK_FALSE(fit->notes.empty());
}

TEST_CASE("promo: edge-case table of bad panels") {
  struct Row {
    const char* name;
    double units, price_ratio, depth, feature;
    bool duplicate;
    shelfcast::ErrorCode code;
  };
  const double nan = std::nan("");
  const Row rows[] = {
      {"negative units", -1.0, 1.0, 0.0, 0.0, false, shelfcast::ErrorCode::kInvalidArgument},
      {"NaN units", nan, 1.0, 0.0, 0.0, false, shelfcast::ErrorCode::kInvalidArgument},
      {"zero price", 1.0, 0.0, 0.0, 0.0, false, shelfcast::ErrorCode::kInvalidArgument},
      {"NaN price", 1.0, nan, 0.0, 0.0, false, shelfcast::ErrorCode::kInvalidArgument},
      {"depth 0.96", 1.0, 1.0, 0.96, 0.0, false, shelfcast::ErrorCode::kInvalidArgument},
      {"negative depth", 1.0, 1.0, -0.1, 0.0, false, shelfcast::ErrorCode::kInvalidArgument},
      {"feature 2", 1.0, 1.0, 0.0, 2.0, false, shelfcast::ErrorCode::kInvalidArgument},
      {"duplicate row", 1.0, 1.0, 0.0, 0.0, true, shelfcast::ErrorCode::kInvalidArgument},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      CAPTURE(row.name);
      std::vector<PromoObservation> panel(2);
      panel[0].week = 0;
      panel[0].units = 5.0;
      panel[1].week = row.duplicate ? 0 : 1;
      panel[1].units = row.units;
      panel[1].price_ratio = row.price_ratio;
      panel[1].promo_depth = row.depth;
      panel[1].feature = row.feature;
      const auto fit = shelfcast::fit_promo_model(panel, "c");
      REQUIRE_FALSE(fit.is_ok());
      CHECK(fit.status().code() == row.code);
      CHECK(fit.status().message().find("panel[1]") != std::string::npos);
    }
  }
  SUBCASE("empty panel") {
    const auto fit = shelfcast::fit_promo_model({}, "c");
    REQUIRE_FALSE(fit.is_ok());
    CHECK(fit.status().code() == shelfcast::ErrorCode::kFailedPrecondition);
  }
  SUBCASE("all zeros: fits, effects finite") {
    std::vector<PromoObservation> panel(25);
    for (int32_t w = 0; w < 25; ++w) panel[static_cast<size_t>(w)].week = w;
    const auto fit = shelfcast::fit_promo_model(panel, "c");
    REQUIRE(fit.is_ok());
    CHECK(std::isfinite(fit->products[0].elasticity.estimate));
    CHECK(fit->products[0].low_confidence);
  }
  SUBCASE("no log offset: zero sales would have no log") {
    std::vector<PromoObservation> panel(25);
    for (int32_t w = 0; w < 25; ++w) panel[static_cast<size_t>(w)].week = w;
    shelfcast::PromoFitOptions o;
    o.log_offset = 0.0;
    const auto fit = shelfcast::fit_promo_model(panel, "c", o);
    REQUIRE_FALSE(fit.is_ok());
    CHECK(fit.status().code() == shelfcast::ErrorCode::kInvalidArgument);
    CHECK(fit.status().field() == "log_offset");
  }
  SUBCASE("a negative counts share") {
    std::vector<PromoObservation> panel(25);
    for (int32_t w = 0; w < 25; ++w) panel[static_cast<size_t>(w)].week = w;
    shelfcast::PromoFitOptions o;
    o.counts_share = -0.1;
    const auto fit = shelfcast::fit_promo_model(panel, "c", o);
    REQUIRE_FALSE(fit.is_ok());
    CHECK(fit.status().code() == shelfcast::ErrorCode::kInvalidArgument);
    CHECK(fit.status().field() == "counts_share");
  }
}

TEST_CASE("promo: predict reproduces the panel and rejects unknown products") {
  const std::vector<Truth> truth = {{-2.0, 1.0, 0.3, 0.15, -0.3, 0.1, 0.2},
                                    {-1.5, 0.8, 0.2, 0.10, -0.2, 0.05, 0.1}};
  const auto panel = make_panel(truth, 8, 80, 0.1, 3);
  const auto fit = shelfcast::fit_promo_model(panel, "c");
  REQUIRE(fit.is_ok());
  CHECK(fit->levels.size() == 16);
  const auto pred = shelfcast::predict_promo(fit.value(), panel);
  REQUIRE(pred.is_ok());
  REQUIRE(pred->size() == panel.size());
  // With lognormal noise of sd 0.1 the total predicted mean matches the total within 2%.
  double actual = 0.0, predicted = 0.0, log_err2 = 0.0;
  for (size_t i = 0; i < panel.size(); ++i) {
    actual += panel[i].units;
    predicted += (*pred)[i];
    const double e = std::log(((*pred)[i] + 1.0) / (panel[i].units + 1.0));
    log_err2 += e * e;
  }
  CAPTURE(actual);
  CAPTURE(predicted);
  CHECK(std::abs(predicted / actual - 1.0) < 0.02);
  CHECK(std::sqrt(log_err2 / static_cast<double>(panel.size())) < 0.13);
  SUBCASE("unknown product") {
    std::vector<PromoObservation> rows(1);
    rows[0].product = 99;
    const auto bad = shelfcast::predict_promo(fit.value(), rows);
    REQUIRE_FALSE(bad.is_ok());
    CHECK(bad.status().code() == shelfcast::ErrorCode::kNotFound);
  }
  SUBCASE("unknown store") {
    std::vector<PromoObservation> rows(1);
    rows[0].store = 99;
    const auto bad = shelfcast::predict_promo(fit.value(), rows);
    REQUIRE_FALSE(bad.is_ok());
    CHECK(bad.status().code() == shelfcast::ErrorCode::kNotFound);
  }
}

TEST_CASE("promo: the model artifact round-trips through JSON; bad artifacts are named") {
  const std::vector<Truth> truth = {{-2.0, 1.0, 0.3, 0.15, -0.3, 0.1, 0.2},
                                    {-1.5, 0.8, 0.2, 0.10, -0.2, 0.05, 0.1}};
  const auto fit = shelfcast::fit_promo_model(make_panel(truth, 4, 60, 0.1, 5), "c");
  REQUIRE(fit.is_ok());
  const std::string text = shelfcast::promo_model_to_json(fit.value());
  const auto back = shelfcast::promo_model_from_json(text);
  REQUIRE(back.is_ok());
  CHECK(shelfcast::promo_model_to_json(back.value()) == text);
  CHECK(back->model_version == fit->model_version);
  REQUIRE(back->products.size() == fit->products.size());
  CHECK(back->products[1].cross_depth.se == fit->products[1].cross_depth.se);
  CHECK(back->levels.size() == fit->levels.size());
  struct Row {
    const char* name;
    std::string text;
    const char* field;
  };
  // The artifact as if an earlier version had written it.
  const std::string current = "/promo-panel-10";
  const auto as_version = [&](const char* version) {
    std::string t = text;
    t.replace(t.find(current), current.size(), version);
    return t;
  };
  std::string no_products = text;
  no_products.replace(no_products.find("\"products\""), 10, "\"producs\"");
  std::string bad_version = text;
  bad_version.replace(bad_version.find("\"schema_version\":1"), 18, "\"schema_version\":9");
  // An artifact of promo-panel-2, whose cross_depth meant log units per unit of the siblings'
  // summed depth, would be simulated as if it were per unit of pressure: refused.
  const std::string panel_2 = as_version("/promo-panel-2");
  // So would one of promo-panel-3, whose cross_depth was a log effect (units times exp(g X)).
  const std::string panel_3 = as_version("/promo-panel-3");
  // And one of promo-panel-4, whose pressure ignored the product's own dip weeks (its g was read
  // against its usual units there, not the fewer it sells in them).
  const std::string panel_4 = as_version("/promo-panel-4");
  const Row rows[] = {
      {"not json", "{", "model"},
      {"array", "[]", "model"},
      {"no products", no_products, "model.products"},
      {"future version", bad_version, "model.schema_version"},
      {"a promo-panel-1 artifact", as_version("/promo-panel-1"), "model.model_version"},
      {"a promo-panel-2 artifact", panel_2, "model.model_version"},
      {"a promo-panel-3 artifact", panel_3, "model.model_version"},
      {"a promo-panel-4 artifact", panel_4, "model.model_version"}};
  // Read: promo-panel-5, whose g means the same (only estimated less well where the floor held);
  // promo-panel-6, whose holiday coefficient was fitted on a 0/1 flag (the effect of a week with a
  // holiday, which a flagged week, 1 average day, still gets); promo-panel-7, whose season turned
  // in 52 weeks (read against a year of 365.25 days its terms move by at most a day and a half
  // from the panel's middle week); promo-panel-8, whose levels and effects were of log(units + 1)
  // (its log_offset, 1, says so, and predictions and simulations take it off as before);
  // promo-panel-9, which fitted every product on the log scale (its artifacts mean the same).
  for (const char* old :
       {"/promo-panel-5", "/promo-panel-6", "/promo-panel-7", "/promo-panel-8", "/promo-panel-9"}) {
    CAPTURE(old);
    CHECK(shelfcast::promo_model_from_json(as_version(old)).is_ok());
  }
  // The panel's whole number is read: "/promo-panel-1" is also how "/promo-panel-10" begins.
  CHECK_FALSE(shelfcast::promo_model_version_readable("0.1.0/promo-panel-1"));
  CHECK(shelfcast::promo_model_version_readable("0.1.0/promo-panel-10"));
  CHECK(shelfcast::promo_model_version_readable("0.1.0/promo-panel-15"));
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      CAPTURE(row.name);
      const auto bad = shelfcast::promo_model_from_json(row.text);
      REQUIRE_FALSE(bad.is_ok());
      CHECK(bad.status().code() == shelfcast::ErrorCode::kInvalidArgument);
      CHECK(bad.status().field() == row.field);
    }
  }
}
