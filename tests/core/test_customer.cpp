// Customer models: summaries, RFM, BG/NBD (published CDNOW figures, an independent likelihood,
// recovery of simulated parameters, expectations against simulated holdouts), Gamma-Gamma, CLV,
// churn rules, and their edge cases.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/customer.h"

namespace {

using shelfcast::BgNbdParams;
using shelfcast::CustomerTransaction;
using shelfcast::Date;
using shelfcast::GammaGammaParams;
using shelfcast::RfmInput;
using shelfcast::SpendInput;

// Pinned from a native run; the WASM run must reproduce them bit for bit.
constexpr double kPinnedR = 0x1.f0d47408b868p-3;
constexpr double kPinnedLogLik = -0x1.2b736f03ead3dp+13;

const char* const kCdnowDays =
#include "../fixtures/customer/cdnow_cbs_days.v1.inc"
    ;

std::vector<RfmInput> cdnow_weeks() {
  std::vector<RfmInput> out;
  std::stringstream in(kCdnowDays);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    double v[3] = {0, 0, 0};
    std::stringstream fields(line);
    std::string f;
    for (double& x : v) {
      std::getline(fields, f, ',');
      x = std::stod(f);
    }
    out.push_back({v[0], v[1] / 7.0, v[2] / 7.0});
  }
  return out;
}

// The BG/NBD likelihood written independently with the C library (FHL 2005, eq. 6).
double reference_ll(const BgNbdParams& p, const RfmInput& c) {
  const double x = c.frequency;
  const double a1 = std::lgamma(p.r + x) - std::lgamma(p.r) + p.r * std::log(p.alpha);
  const double a2 =
      std::lgamma(p.a + p.b) + std::lgamma(p.b + x) - std::lgamma(p.b) - std::lgamma(p.a + p.b + x);
  const double a3 = -(p.r + x) * std::log(p.alpha + c.age);
  const double a4 =
      x > 0 ? std::log(p.a) - std::log(p.b + x - 1.0) - (p.r + x) * std::log(p.alpha + c.recency)
            : -HUGE_VAL;
  return a1 + a2 + std::log(std::exp(a3) + std::exp(a4));
}

Date day(int32_t d) { return Date{d}; }

// One simulated BG/NBD customer observed from 0 to `age`, and then for `holdout` more periods.
struct Simulated {
  RfmInput rfm;
  int32_t holdout = 0;
  bool alive_at_age = true;
};

Simulated simulate_customer(const BgNbdParams& p, double age, double holdout,
                            shelfcast::detail::Rng* rng) {
  const double lambda = rng->gamma(p.r, 1.0 / p.alpha);
  const double dropout = rng->beta(p.a, p.b);
  Simulated s;
  s.rfm.age = age;
  double t = 0.0;
  bool alive = true;
  while (alive) {
    t += rng->exponential() / lambda;
    if (t > age + holdout) break;
    if (t <= age) {
      s.rfm.frequency += 1.0;
      s.rfm.recency = t;
    } else {
      ++s.holdout;
    }
    if (rng->bernoulli(dropout)) {
      alive = false;
      if (t <= age) s.alive_at_age = false;
    }
  }
  return s;
}

}  // namespace

// ---- BG/NBD ------------------------------------------------------------------------------------

TEST_CASE("BG/NBD: CDNOW sample reproduces Fader, Hardie & Lee (2005) Table 1") {
  const std::vector<RfmInput> customers = cdnow_weeks();
  REQUIRE(customers.size() == 2357);
  auto fit = shelfcast::fit_bgnbd(customers);
  REQUIRE(fit.is_ok());
  CAPTURE(fit->r);
  CAPTURE(fit->alpha);
  CAPTURE(fit->a);
  CAPTURE(fit->b);
  CAPTURE(fit->log_likelihood);
  // Published to three decimals: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426.
  CHECK(std::round(fit->r * 1000.0) / 1000.0 == doctest::Approx(0.243).epsilon(1e-12));
  CHECK(std::round(fit->alpha * 1000.0) / 1000.0 == doctest::Approx(4.414).epsilon(1e-12));
  CHECK(std::round(fit->a * 1000.0) / 1000.0 == doctest::Approx(0.793).epsilon(1e-12));
  CHECK(std::round(fit->b * 1000.0) / 1000.0 == doctest::Approx(2.426).epsilon(1e-12));
  CHECK(std::fabs(fit->log_likelihood - (-9582.43)) < 0.005);
  // The likelihood at R BTYD's estimates is the same to the published precision.
  auto at_btyd =
      shelfcast::bgnbd_log_likelihood(BgNbdParams{0.2426, 4.4137, 0.7930, 2.4262, 0}, customers);
  REQUIRE(at_btyd.is_ok());
  CHECK(std::fabs(*at_btyd - (-9582.43)) < 0.01);
  CHECK(*at_btyd <= fit->log_likelihood);
}

TEST_CASE("BG/NBD: fit is bit-identical on every platform (pinned values)") {
  auto fit = shelfcast::fit_bgnbd(cdnow_weeks());
  REQUIRE(fit.is_ok());
  std::ostringstream pinned;
  pinned << std::hexfloat << "r=" << fit->r << " loglik=" << fit->log_likelihood;
  CAPTURE(pinned.str());
  CHECK(fit->r == kPinnedR);
  CHECK(fit->log_likelihood == kPinnedLogLik);
}

TEST_CASE("BG/NBD: likelihood equals an independent implementation") {
  const std::vector<RfmInput> customers = cdnow_weeks();
  const BgNbdParams params[] = {
      {0.2426, 4.4137, 0.7930, 2.4262, 0}, {1.0, 1.0, 1.0, 1.0, 0}, {3.0, 0.5, 0.2, 8.0, 0}};
  for (const BgNbdParams& p : params) {
    CAPTURE(p.r);
    CAPTURE(p.alpha);
    double total = 0.0;
    for (size_t i = 0; i < customers.size(); i += 37) {
      auto ll = shelfcast::bgnbd_log_likelihood(p, customers[i]);
      REQUIRE(ll.is_ok());
      CHECK(*ll == doctest::Approx(reference_ll(p, customers[i])).epsilon(1e-11));
    }
    for (const RfmInput& c : customers) total += reference_ll(p, c);
    auto sum = shelfcast::bgnbd_log_likelihood(p, customers);
    REQUIRE(sum.is_ok());
    CHECK(*sum == doctest::Approx(total).epsilon(1e-11));
  }
}

TEST_CASE("BG/NBD: recovers the parameters that generated the data") {
  const BgNbdParams truth{0.6, 3.0, 0.9, 3.0, 0};
  shelfcast::detail::Rng rng(20260101);
  std::vector<RfmInput> customers;
  std::vector<Simulated> sims;
  for (int i = 0; i < 6000; ++i) {
    const double age = 30.0 + static_cast<double>(i % 49);  // staggered cohort: 30..78 weeks
    sims.push_back(simulate_customer(truth, age, 26.0, &rng));
    customers.push_back(sims.back().rfm);
  }
  auto fit = shelfcast::fit_bgnbd(customers);
  REQUIRE(fit.is_ok());
  CAPTURE(fit->r);
  CAPTURE(fit->alpha);
  CAPTURE(fit->a);
  CAPTURE(fit->b);
  CHECK(fit->r == doctest::Approx(truth.r).epsilon(0.10));
  CHECK(fit->alpha == doctest::Approx(truth.alpha).epsilon(0.12));
  CHECK(fit->a == doctest::Approx(truth.a).epsilon(0.20));
  CHECK(fit->b == doctest::Approx(truth.b).epsilon(0.25));
  // The fit beats the truth on its own data (it is the maximum).
  auto at_truth = shelfcast::bgnbd_log_likelihood(truth, customers);
  REQUIRE(at_truth.is_ok());
  CHECK(fit->log_likelihood >= *at_truth);

  // Under the true parameters, the expectations add up to what the simulation did.
  double expected_holdout = 0.0, actual_holdout = 0.0, expected_alive = 0.0, actual_alive = 0.0;
  for (const Simulated& s : sims) {
    auto e = shelfcast::bgnbd_conditional_expected_purchases(truth, s.rfm, 26.0);
    auto p = shelfcast::bgnbd_p_alive(truth, s.rfm);
    REQUIRE(e.is_ok());
    REQUIRE(p.is_ok());
    expected_holdout += *e;
    actual_holdout += s.holdout;
    expected_alive += *p;
    actual_alive += s.alive_at_age ? 1.0 : 0.0;
  }
  CAPTURE(expected_holdout);
  CAPTURE(actual_holdout);
  CAPTURE(expected_alive);
  CAPTURE(actual_alive);
  CHECK(expected_holdout == doctest::Approx(actual_holdout).epsilon(0.05));
  CHECK(expected_alive == doctest::Approx(actual_alive).epsilon(0.03));

  // E[X(t)] of a new customer against the simulated mean.
  double simulated = 0.0;
  const int n_new = 20000;
  for (int i = 0; i < n_new; ++i)
    simulated += simulate_customer(truth, 20.0, 0.0, &rng).rfm.frequency;
  auto expected_new = shelfcast::bgnbd_expected_purchases_new(truth, 20.0);
  REQUIRE(expected_new.is_ok());
  CHECK(*expected_new == doctest::Approx(simulated / n_new).epsilon(0.04));
}

TEST_CASE("BG/NBD: formulas against closed forms and each other") {
  const BgNbdParams p{0.2426, 4.4137, 0.7930, 2.4262, 0};
  // A customer seen for no time is a new customer: E[Y(t) | 0, 0, 0] = E[X(t)].
  for (double t : {1.0, 10.0, 39.0, 200.0}) {
    CAPTURE(t);
    auto cond = shelfcast::bgnbd_conditional_expected_purchases(p, RfmInput{0, 0, 0}, t);
    auto fresh = shelfcast::bgnbd_expected_purchases_new(p, t);
    REQUIRE(cond.is_ok());
    REQUIRE(fresh.is_ok());
    CHECK(*cond == doctest::Approx(*fresh).epsilon(1e-12));
  }
  // P(alive) by hand (FHL 2005): 1 / (1 + a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
  const RfmInput c{2, 30.43, 38.86};
  auto alive = shelfcast::bgnbd_p_alive(p, c);
  REQUIRE(alive.is_ok());
  const double by_hand =
      1.0 / (1.0 + p.a / (p.b + 1.0) * std::pow((p.alpha + 38.86) / (p.alpha + 30.43), p.r + 2));
  CHECK(*alive == doctest::Approx(by_hand).epsilon(1e-12));
  // a = 1 exactly is a removable singularity.
  BgNbdParams unit = p;
  unit.a = 1.0;
  auto near = shelfcast::bgnbd_conditional_expected_purchases(unit, c, 10.0);
  unit.a = 1.001;
  auto beside = shelfcast::bgnbd_conditional_expected_purchases(unit, c, 10.0);
  REQUIRE(near.is_ok());
  REQUIRE(beside.is_ok());
  CHECK(*near == doctest::Approx(*beside).epsilon(1e-2));
}

TEST_CASE("BG/NBD: hypergeometric 2F1 against closed forms") {
  struct Row {
    double a, b, c, z, expected;
  };
  const Row rows[] = {
      {1, 1, 2, 0.5, -std::log(0.5) / 0.5},
      {1, 1, 2, 0.9, -std::log(0.1) / 0.9},
      {0.7, 2.5, 2.5, 0.6, std::pow(0.4, -0.7)},
      {3.2, 4.0, 4.0, 0.95, std::pow(0.05, -3.2)},
      {2, 3, 5, 0.0, 1.0},
  };
  for (const Row& row : rows) {
    CAPTURE(row.a);
    CAPTURE(row.z);
    auto v = shelfcast::hypergeometric_2f1(row.a, row.b, row.c, row.z);
    REQUIRE(v.is_ok());
    CHECK(*v == doctest::Approx(row.expected).epsilon(1e-11));
  }
  CHECK_FALSE(shelfcast::hypergeometric_2f1(1, 1, 2, 1.0).is_ok());
  CHECK_FALSE(shelfcast::hypergeometric_2f1(1, 1, 0, 0.5).is_ok());
  CHECK_FALSE(shelfcast::hypergeometric_2f1(1, 1, 2, -0.1).is_ok());
}

TEST_CASE("BG/NBD: edge-case table") {
  const BgNbdParams good{0.5, 2.0, 0.8, 2.5, 0};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Row {
    const char* name;
    BgNbdParams params;
    RfmInput customer;
    bool ok;
    const char* field;
  };
  const Row rows[] = {
      {"one purchase (frequency 0)", good, {0, 0, 10}, true, ""},
      {"first purchase on calibration end (T = 0)", good, {0, 0, 0}, true, ""},
      {"repeat buyer", good, {3, 8, 10}, true, ""},
      {"recency above age", good, {3, 11, 10}, false, "recency"},
      {"negative recency", good, {3, -1, 10}, false, "recency"},
      {"fractional frequency", good, {1.5, 3, 10}, false, "frequency"},
      {"negative frequency", good, {-1, 0, 10}, false, "frequency"},
      {"NaN age", good, {0, 0, nan}, false, "age"},
      {"infinite age", good, {0, 0, inf}, false, "age"},
      {"recency without repeats", good, {0, 2, 10}, false, "recency"},
      {"zero r", {0, 2, 0.8, 2.5, 0}, {1, 2, 10}, false, "r"},
      {"negative alpha", {0.5, -2, 0.8, 2.5, 0}, {1, 2, 10}, false, "alpha"},
      {"NaN a", {0.5, 2, nan, 2.5, 0}, {1, 2, 10}, false, "a"},
      {"infinite b", {0.5, 2, 0.8, inf, 0}, {1, 2, 10}, false, "b"},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      const std::string name = row.name;
      CAPTURE(name);
      auto ll = shelfcast::bgnbd_log_likelihood(row.params, row.customer);
      auto alive = shelfcast::bgnbd_p_alive(row.params, row.customer);
      auto e = shelfcast::bgnbd_conditional_expected_purchases(row.params, row.customer, 5.0);
      CHECK(ll.is_ok() == row.ok);
      CHECK(alive.is_ok() == row.ok);
      CHECK(e.is_ok() == row.ok);
      if (row.ok) {
        CHECK(std::isfinite(*ll));
        CHECK(*ll <= 0.0);
        CHECK(*alive >= 0.0);
        CHECK(*alive <= 1.0);
        CHECK(*e >= 0.0);
        if (row.customer.frequency == 0) CHECK(*alive == 1.0);
      } else {
        CHECK(ll.status().field() == row.field);
      }
    }
  }
  auto zero_t = shelfcast::bgnbd_conditional_expected_purchases(good, {2, 3, 10}, 0.0);
  REQUIRE(zero_t.is_ok());
  CHECK(*zero_t == 0.0);
  CHECK_FALSE(shelfcast::bgnbd_conditional_expected_purchases(good, {2, 3, 10}, -1.0).is_ok());
  CHECK_FALSE(shelfcast::bgnbd_conditional_expected_purchases(good, {2, 3, 10}, nan).is_ok());
  // a + b <= 1: the expectation of a customer without repeats is undefined, not NaN.
  auto undefined =
      shelfcast::bgnbd_conditional_expected_purchases({0.5, 2.0, 0.3, 0.4, 0}, {0, 0, 10}, 5.0);
  REQUIRE_FALSE(undefined.is_ok());
  CHECK(undefined.status().code() == shelfcast::ErrorCode::kFailedPrecondition);
  CHECK_FALSE(shelfcast::bgnbd_expected_purchases_new({0.5, 2.0, 0.3, 0.4, 0}, 5.0).is_ok());
  // Fitting needs customers, and at least one repeat purchase.
  CHECK_FALSE(shelfcast::fit_bgnbd({}).is_ok());
  CHECK_FALSE(shelfcast::fit_bgnbd({{0, 0, 10}, {0, 0, 5}}).is_ok());
  CHECK_FALSE(shelfcast::fit_bgnbd({{1, 11, 10}}).is_ok());
  // A very long-gone customer: P(alive) underflows to 0 without NaN.
  auto gone = shelfcast::bgnbd_p_alive(BgNbdParams{5, 0.01, 5, 0.5, 0}, {200, 0.5, 5000});
  REQUIRE(gone.is_ok());
  CHECK(*gone == 0.0);
}

// ---- summaries
// -----------------------------------------------------------------------------------

TEST_CASE("customer: summaries follow the documented conventions") {
  const std::vector<CustomerTransaction> tx = {
      {"a", day(100), 10.0},  // first purchase
      {"a", day(100), 5.0},   // same day: merges (15)
      {"a", day(107), 20.0},  // repeat
      {"a", day(110), -8.0},  // a return: not a transaction, not spend
      {"a", day(114), 0.0},   // a zero-amount purchase still counts
      {"a", day(130), 30.0},  // after calibration end (120): holdout
      {"a", day(200), 40.0},  // after holdout end (150): ignored
      {"b", day(119), 12.0},  // one purchase: frequency 0
      {"c", day(125), 9.0},   // first purchase after calibration: not in the set
      {"d", day(105), -3.0},  // returns only: not a customer
  };
  shelfcast::SummaryOptions options;
  options.calibration_end = day(120);
  options.holdout_end = day(150);
  options.days_per_period = 7.0;
  auto s = shelfcast::summarize_customers(tx, options);
  REQUIRE(s.is_ok());
  CHECK(s->skipped_new == 1);
  CHECK(s->holdout_periods == doctest::Approx(30.0 / 7.0));
  REQUIRE(s->customers.size() == 2);
  const auto& a = s->customers[0];
  CHECK(a.customer_id == "a");
  CHECK(a.frequency == 2);
  CHECK(a.recency == doctest::Approx(14.0 / 7.0));
  CHECK(a.age == doctest::Approx(20.0 / 7.0));
  CHECK(a.monetary_value == doctest::Approx(10.0));  // (20 + 0) / 2
  CHECK(a.calibration_amount == doctest::Approx(35.0));
  CHECK(a.returns_amount == doctest::Approx(-8.0));
  CHECK(a.holdout_frequency == 1);
  CHECK(a.holdout_amount == doctest::Approx(30.0));
  const auto& b = s->customers[1];
  CHECK(b.frequency == 0);
  CHECK(b.recency == 0.0);
  CHECK(b.age == doctest::Approx(1.0 / 7.0));
  CHECK(b.monetary_value == 0.0);

  struct Row {
    const char* name;
    std::vector<CustomerTransaction> tx;
    double days_per_period;
    bool ok;
  };
  const Row rows[] = {
      {"empty", {}, 7.0, false},
      {"empty id", {{"", day(1), 1.0}}, 7.0, false},
      {"NaN amount", {{"x", day(1), std::numeric_limits<double>::quiet_NaN()}}, 7.0, false},
      {"zero period", {{"x", day(1), 1.0}}, 0.0, false},
      {"one line", {{"x", day(1), 1.0}}, 1.0, true},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      const std::string name = row.name;
      CAPTURE(name);
      shelfcast::SummaryOptions o = options;
      o.days_per_period = row.days_per_period;
      CHECK(shelfcast::summarize_customers(row.tx, o).is_ok() == row.ok);
    }
  }
}

TEST_CASE("customer: RFM quintiles and segments") {
  shelfcast::CustomerSummaries s;
  for (int i = 0; i < 10; ++i) {
    shelfcast::CustomerSummary c;
    c.customer_id = std::to_string(i);
    c.last_purchase = day(100 + i);   // later = more recent
    c.frequency = i;                  // more = better
    c.calibration_amount = 10.0 * i;  // more = better
    s.customers.push_back(c);
  }
  s.customers[9].frequency = 8;  // a tie with customer 8: both share the first rank's score
  auto scores = shelfcast::rfm_scores(s);
  REQUIRE(scores.is_ok());
  const int32_t expected[10] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
  for (int i = 0; i < 10; ++i) {
    CAPTURE(i);
    CHECK((*scores)[static_cast<size_t>(i)].recency_score == expected[i]);
    CHECK((*scores)[static_cast<size_t>(i)].monetary_score == expected[i]);
  }
  CHECK((*scores)[9].frequency_score == 5);
  CHECK((*scores)[9].segment == "champions");
  CHECK((*scores)[0].segment == "lost");
  CHECK((*scores)[4].segment == "loyal");  // R 3, F 3, M 3
  // A table that covers nothing is an error, not an empty segment.
  auto bad = shelfcast::rfm_scores(s, {{"only_best", 5, 5, 5, 5}});
  CHECK_FALSE(bad.is_ok());
  auto empty = shelfcast::rfm_scores(shelfcast::CustomerSummaries{});
  REQUIRE(empty.is_ok());
  CHECK(empty->empty());
}

// ---- Gamma-Gamma, CLV, churn -------------------------------------------------------------------

TEST_CASE("Gamma-Gamma: recovers the parameters that generated the data") {
  const GammaGammaParams truth{6.0, 4.0, 15.0, 0};
  shelfcast::detail::Rng rng(7);
  std::vector<SpendInput> customers;
  for (int i = 0; i < 4000; ++i) {
    const double nu = rng.gamma(truth.q, 1.0 / truth.gamma);
    const int64_t x = 1 + rng.poisson(3.0);
    double sum = 0.0;
    for (int64_t j = 0; j < x; ++j) sum += rng.gamma(truth.p, 1.0 / nu);
    customers.push_back({static_cast<double>(x), sum / static_cast<double>(x)});
  }
  customers.push_back({0.0, 0.0});  // skipped: no repeat purchase
  auto fit = shelfcast::fit_gamma_gamma(customers);
  REQUIRE(fit.is_ok());
  CAPTURE(fit->p);
  CAPTURE(fit->q);
  CAPTURE(fit->gamma);
  CHECK(fit->p == doctest::Approx(truth.p).epsilon(0.12));
  CHECK(fit->q == doctest::Approx(truth.q).epsilon(0.15));
  CHECK(fit->gamma == doctest::Approx(truth.gamma).epsilon(0.25));
  // Expected spend: shrinks a customer's mean toward the population mean p gamma / (q - 1).
  auto population = shelfcast::gamma_gamma_expected_spend(truth, {0, 0});
  REQUIRE(population.is_ok());
  CHECK(*population == doctest::Approx(6.0 * 15.0 / 3.0));
  auto heavy = shelfcast::gamma_gamma_expected_spend(truth, {10, 100.0});
  REQUIRE(heavy.is_ok());
  CHECK(*heavy == doctest::Approx((15.0 + 1000.0) * 6.0 / (60.0 + 3.0)));
  CHECK(*heavy < 100.0);
  CHECK(*heavy > *population);
}

TEST_CASE("Gamma-Gamma: edge-case table") {
  struct Row {
    const char* name;
    GammaGammaParams params;
    SpendInput spend;
    bool ok;
  };
  const Row rows[] = {
      {"typical", {6, 4, 15, 0}, {3, 20}, true},
      {"no repeat purchase", {6, 4, 15, 0}, {0, 0}, true},
      {"q <= 1: infinite mean", {6, 1, 15, 0}, {3, 20}, false},
      {"zero mean spend", {6, 4, 15, 0}, {3, 0}, false},
      {"negative transactions", {6, 4, 15, 0}, {-1, 20}, false},
      {"NaN p", {std::numeric_limits<double>::quiet_NaN(), 4, 15, 0}, {3, 20}, false},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      const std::string name = row.name;
      CAPTURE(name);
      CHECK(shelfcast::gamma_gamma_expected_spend(row.params, row.spend).is_ok() == row.ok);
    }
  }
  CHECK_FALSE(shelfcast::fit_gamma_gamma({{0, 0}, {0, 0}}).is_ok());
  CHECK_FALSE(shelfcast::gamma_gamma_log_likelihood({6, 4, 15, 0}, {0, 0}).is_ok());
}

TEST_CASE("CLV: discounted sum of expected purchases times expected spend") {
  const BgNbdParams p{0.2426, 4.4137, 0.7930, 2.4262, 0};
  const GammaGammaParams g{6.25, 3.74, 15.44, 0};
  const RfmInput c{4, 30, 38};
  const SpendInput s{4, 35.0};
  auto spend = shelfcast::gamma_gamma_expected_spend(g, s);
  REQUIRE(spend.is_ok());
  shelfcast::ClvOptions o;
  o.horizon_periods = 52;
  o.discount_rate = 0.0;
  o.margin = 0.3;
  auto undiscounted = shelfcast::customer_lifetime_value(p, g, c, s, o);
  auto purchases = shelfcast::bgnbd_conditional_expected_purchases(p, c, 52.0);
  REQUIRE(undiscounted.is_ok());
  REQUIRE(purchases.is_ok());
  CHECK(*undiscounted == doctest::Approx(*purchases * *spend * 0.3).epsilon(1e-10));
  o.discount_rate = 0.01;
  auto discounted = shelfcast::customer_lifetime_value(p, g, c, s, o);
  REQUIRE(discounted.is_ok());
  CHECK(*discounted < *undiscounted);
  CHECK(*discounted > *undiscounted / std::pow(1.01, 52.0));
  o.horizon_periods = 0;
  auto none = shelfcast::customer_lifetime_value(p, g, c, s, o);
  REQUIRE(none.is_ok());
  CHECK(*none == 0.0);
  o.horizon_periods = -1;
  CHECK_FALSE(shelfcast::customer_lifetime_value(p, g, c, s, o).is_ok());
  o.horizon_periods = 10;
  o.discount_rate = -1.0;
  CHECK_FALSE(shelfcast::customer_lifetime_value(p, g, c, s, o).is_ok());
}

TEST_CASE("customer: churn-risk rules map P(alive) to a segment and an action") {
  struct Row {
    double p_alive;
    const char* segment;
  };
  const Row rows[] = {{1.0, "active"},  {0.7, "active"},         {0.6999, "at_risk"},
                      {0.3, "at_risk"}, {0.2999, "likely_lost"}, {0.0, "likely_lost"}};
  for (const Row& row : rows) {
    CAPTURE(row.p_alive);
    auto rule = shelfcast::churn_segment(row.p_alive);
    REQUIRE(rule.is_ok());
    CHECK(rule->segment == row.segment);
    CHECK_FALSE(rule->action.empty());
  }
  CHECK_FALSE(shelfcast::churn_segment(1.1).is_ok());
  CHECK_FALSE(shelfcast::churn_segment(std::numeric_limits<double>::quiet_NaN()).is_ok());
  // A custom table: thresholds and actions are data, not code.
  const std::vector<shelfcast::ChurnRule> custom = {{"keep", 0.5, 1.0, "nothing"},
                                                    {"call", 0.0, 0.5, "phone them"}};
  auto call = shelfcast::churn_segment(0.2, custom);
  REQUIRE(call.is_ok());
  CHECK(call->action == "phone them");
  CHECK_FALSE(shelfcast::churn_segment(0.2, {{"keep", 0.5, 1.0, "nothing"}}).is_ok());
}
