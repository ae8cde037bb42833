// Markdown optimization: the dynamic program against an independent brute-force expectimax and
// against every monotone price path on tiny cases, baselines, the margin rule, and edge cases.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "shelfcast/pricing.h"

using namespace shelfcast;

namespace {

MarkdownInput tiny_case() {
  MarkdownInput in;
  in.stock_units = 6.0;
  in.weeks_left = 3;
  in.price_ladder = {10.0, 8.0, 6.0, 4.0};
  in.base_weekly_demand_units = 1.5;
  in.elasticity = -2.0;
  in.unit_cost = 3.0;
  in.salvage_per_unit = 1.0;
  in.max_markdowns = 3;
  return in;
}

// Poisson or NB probabilities with std::exp / std::lgamma: independent of the core's code.
double pmf(const MarkdownInput& in, double mean, int d) {
  if (mean <= 0.0) return d == 0 ? 1.0 : 0.0;
  if (in.distribution == WeeklyDemandDistribution::kPoisson) {
    return std::exp(d * std::log(mean) - mean - std::lgamma(d + 1.0));
  }
  const double k = in.nb_size;
  return std::exp(std::lgamma(d + k) - std::lgamma(k) - std::lgamma(d + 1.0) +
                  k * std::log(k / (k + mean)) + d * std::log(mean / (k + mean)));
}

double mean_at(const MarkdownInput& in, int week, int j) {
  const double season = in.seasonality.empty() ? 1.0 : in.seasonality[static_cast<size_t>(week)];
  const auto uj = static_cast<size_t>(j);
  if (!in.demand_by_price.empty()) return in.demand_by_price[uj] * season;
  return in.base_weekly_demand_units *
         std::pow(in.price_ladder[uj] / in.price_ladder[0], in.elasticity) * season;
}

// Expectimax by plain recursion over every decision and every demand outcome.
double brute_force(const MarkdownInput& in, int week, int stock, int price, int used) {
  if (week == in.weeks_left) return (in.salvage_per_unit - in.unit_cost) * stock;
  double best = -1e300;
  const int n = static_cast<int>(in.price_ladder.size());
  for (int j = price; j < n; ++j) {
    const int used2 = used + (j > price ? 1 : 0);
    if (used2 > in.max_markdowns) break;
    if (in.price_ladder[static_cast<size_t>(j)] < in.unit_cost + in.min_margin_per_unit) break;
    const double mean = mean_at(in, week, j);
    double value = 0.0, cum = 0.0;
    for (int d = 0; d < stock; ++d) {
      const double p = pmf(in, mean, d);
      cum += p;
      value += p * ((in.price_ladder[static_cast<size_t>(j)] - in.unit_cost) * d +
                    brute_force(in, week + 1, stock - d, j, used2));
    }
    const double tail = 1.0 - cum;
    value += tail * ((in.price_ladder[static_cast<size_t>(j)] - in.unit_cost) * stock +
                     brute_force(in, week + 1, 0, j, used2));
    best = std::max(best, value);
  }
  return best;
}

// Every non-decreasing path of ladder indices with at most max_markdowns changes.
void all_paths(const MarkdownInput& in, std::vector<int32_t>* path,
               const std::function<void(const std::vector<int32_t>&)>& visit) {
  if (path->size() == static_cast<size_t>(in.weeks_left)) {
    visit(*path);
    return;
  }
  const int32_t prev = path->empty() ? in.current_price_index : path->back();
  int32_t changes = 0;
  int32_t last = in.current_price_index;
  for (int32_t j : *path) {
    changes += j > last ? 1 : 0;
    last = j;
  }
  for (int32_t j = prev; j < static_cast<int32_t>(in.price_ladder.size()); ++j) {
    if (changes + (j > prev ? 1 : 0) > in.max_markdowns) break;
    path->push_back(j);
    all_paths(in, path, visit);
    path->pop_back();
  }
}

}  // namespace

TEST_CASE("pricing: the dynamic program equals brute-force expectimax on tiny cases") {
  struct Row {
    const char* name;
    double stock;
    int max_markdowns;
    bool nb;
    double min_margin;
  };
  const Row rows[] = {{"poisson, free markdowns", 6.0, 3, false, 0.0},
                      {"poisson, one markdown", 6.0, 1, false, 0.0},
                      {"negative binomial", 5.0, 2, true, 0.0},
                      {"minimum margin excludes 4", 6.0, 3, false, 2.0},
                      {"scarce stock", 2.0, 3, false, 0.0}};
  for (const Row& r : rows) {
    SUBCASE(r.name) {
      CAPTURE(r.stock);
      CAPTURE(r.max_markdowns);
      CAPTURE(r.nb);
      MarkdownInput in = tiny_case();
      in.stock_units = r.stock;
      in.max_markdowns = r.max_markdowns;
      in.min_margin_per_unit = r.min_margin;
      if (r.nb) {
        in.distribution = WeeklyDemandDistribution::kNegativeBinomial;
        in.nb_size = 1.5;
      }
      const Result<MarkdownResult> res = optimize_markdown(in);
      REQUIRE(res.is_ok());
      const double brute = brute_force(in, 0, static_cast<int>(r.stock), 0, 0);
      CHECK(res->dp_value == doctest::Approx(brute).epsilon(1e-9));
      // The forward pass of the policy reproduces the recursion's value.
      CHECK(res->optimal.expected_total == doctest::Approx(res->dp_value).epsilon(1e-9));
      // A closed-loop policy is at least as good as every fixed monotone path (and the best path
      // is what a planner without the state would do).
      double best_path = -1e300;
      std::vector<int32_t> path;
      MarkdownInput paths_in = in;
      if (r.min_margin > 0.0) paths_in.price_ladder.pop_back();  // 4 < cost + 2
      all_paths(paths_in, &path, [&](const std::vector<int32_t>& p) {
        const Result<MarkdownPlan> plan = evaluate_price_path(in, p);
        REQUIRE(plan.is_ok());
        best_path = std::max(best_path, plan->expected_total);
      });
      CHECK(res->dp_value >= best_path - 1e-9);
      CHECK(res->dp_value >= res->no_markdown.expected_total - 1e-9);
      CHECK(res->dp_value >= res->mid_season_markdown.expected_total - 1e-9);
      if (r.min_margin > 0.0) {
        CHECK(res->allowed_prices.size() == 3);
        for (const MarkdownWeek& w : res->optimal.weeks) CHECK(w.mean_price >= 5.0 - 1e-12);
      }
    }
  }
}

TEST_CASE("pricing: with stock that never binds the best fixed path is optimal") {
  // Stock far above any demand outcome: the state carries no information, so the optimal policy
  // is open-loop and equals the best enumerated path.
  MarkdownInput in = tiny_case();
  in.stock_units = 80.0;
  in.seasonality = {1.0, 0.5, 1.5};
  const Result<MarkdownResult> res = optimize_markdown(in);
  REQUIRE(res.is_ok());
  double best_path = -1e300;
  std::vector<int32_t> path, best;
  all_paths(in, &path, [&](const std::vector<int32_t>& p) {
    const Result<MarkdownPlan> plan = evaluate_price_path(in, p);
    REQUIRE(plan.is_ok());
    if (plan->expected_total > best_path) {
      best_path = plan->expected_total;
      best = p;
    }
  });
  CHECK(res->dp_value == doctest::Approx(best_path).epsilon(1e-9));
  for (size_t t = 0; t < best.size(); ++t) {
    CAPTURE(t);
    CHECK(res->optimal.weeks[t].price == in.price_ladder[static_cast<size_t>(best[t])]);
    CHECK(res->optimal.weeks[t].mean_price == doctest::Approx(res->optimal.weeks[t].price));
  }
}

TEST_CASE("pricing: a fixed path's week-by-week numbers match a hand calculation") {
  // One week, stock 2, Poisson(1) at price 10, cost 3, salvage 1: E[min(D, 2)] =
  // P(D >= 1) + P(D >= 2) = (1 - e^-1) + (1 - 2 e^-1) = 2 - 3 e^-1 = 0.896362.
  MarkdownInput in;
  in.stock_units = 2.0;
  in.weeks_left = 1;
  in.price_ladder = {10.0};
  in.base_weekly_demand_units = 1.0;
  in.unit_cost = 3.0;
  in.salvage_per_unit = 1.0;
  const Result<MarkdownPlan> plan = evaluate_price_path(in, {0});
  REQUIRE(plan.is_ok());
  const double units = 2.0 - 3.0 * std::exp(-1.0);
  CHECK(plan->expected_units == doctest::Approx(units).epsilon(1e-12));
  CHECK(plan->expected_leftover == doctest::Approx(2.0 - units).epsilon(1e-12));
  CHECK(plan->expected_margin == doctest::Approx(7.0 * units).epsilon(1e-12));
  CHECK(plan->expected_salvage_value == doctest::Approx(2.0 - units).epsilon(1e-12));
  CHECK(plan->expected_total == doctest::Approx(7.0 * units - 2.0 * (2.0 - units)).epsilon(1e-12));
}

TEST_CASE("pricing: more stock means earlier and deeper markdowns") {
  MarkdownInput in;
  in.weeks_left = 8;
  in.price_ladder = {50.0, 40.0, 35.0, 30.0, 25.0};
  in.base_weekly_demand_units = 10.0;
  in.elasticity = -2.5;
  in.unit_cost = 20.0;
  in.salvage_per_unit = 5.0;
  in.max_markdowns = 3;
  double previous_markdown_share = -1.0;
  for (double stock : {40.0, 120.0, 250.0}) {
    CAPTURE(stock);
    in.stock_units = stock;
    const Result<MarkdownResult> res = optimize_markdown(in);
    REQUIRE(res.is_ok());
    double share = 0.0;
    for (const MarkdownWeek& w : res->optimal.weeks) share += w.markdown_probability;
    CHECK(share >= previous_markdown_share);
    previous_markdown_share = share;
    CHECK(res->optimal.expected_total >= res->no_markdown.expected_total - 1e-9);
    CHECK(res->optimal.expected_total >= res->mid_season_markdown.expected_total - 1e-9);
    // The baseline marks down 30% (to 35) from week 4.
    CHECK(res->mid_season_markdown.weeks[3].price == 50.0);
    CHECK(res->mid_season_markdown.weeks[4].price == 35.0);
  }
}

TEST_CASE("pricing: bad input names the field") {
  struct Row {
    const char* name;
    std::function<void(MarkdownInput*)> change;
    const char* field;
  };
  const Row rows[] = {
      {"stock zero", [](MarkdownInput* m) { m->stock_units = 0.0; }, "stock_units"},
      {"fractional stock", [](MarkdownInput* m) { m->stock_units = 2.5; }, "stock_units"},
      {"no weeks", [](MarkdownInput* m) { m->weeks_left = 0; }, "weeks_left"},
      {"empty ladder", [](MarkdownInput* m) { m->price_ladder.clear(); }, "price_ladder"},
      {"rising ladder",
       [](MarkdownInput* m) {
         m->price_ladder = {5.0, 6.0};
       },
       "price_ladder"},
      {"zero price",
       [](MarkdownInput* m) {
         m->price_ladder = {5.0, 0.0};
       },
       "price_ladder"},
      {"negative demand", [](MarkdownInput* m) { m->base_weekly_demand_units = -1.0; },
       "base_weekly_demand_units"},
      {"negative table demand",
       [](MarkdownInput* m) {
         m->demand_by_price = {1.0, 2.0, -3.0, 4.0};
       },
       "demand_by_price"},
      {"table size", [](MarkdownInput* m) { m->demand_by_price = {1.0}; }, "demand_by_price"},
      {"positive elasticity", [](MarkdownInput* m) { m->elasticity = 1.0; }, "elasticity"},
      {"NB without size",
       [](MarkdownInput* m) { m->distribution = WeeklyDemandDistribution::kNegativeBinomial; },
       "nb_size"},
      {"seasonality size", [](MarkdownInput* m) { m->seasonality = {1.0}; }, "seasonality"},
      {"negative salvage", [](MarkdownInput* m) { m->salvage_per_unit = -1.0; },
       "salvage_per_unit"},
      {"full price under the margin floor", [](MarkdownInput* m) { m->min_margin_per_unit = 8.0; },
       "min_margin_per_unit"},
      {"negative markdowns", [](MarkdownInput* m) { m->max_markdowns = -1; }, "max_markdowns"},
      {"bad current index", [](MarkdownInput* m) { m->current_price_index = 4; },
       "current_price_index"},
  };
  for (const Row& r : rows) {
    SUBCASE(r.name) {
      MarkdownInput in = tiny_case();
      r.change(&in);
      const Result<MarkdownResult> res = optimize_markdown(in);
      REQUIRE_FALSE(res.is_ok());
      CHECK(res.status().code() == ErrorCode::kInvalidArgument);
      CHECK(res.status().field() == r.field);
    }
  }
  SUBCASE("stock zero has a clear message") {
    MarkdownInput in = tiny_case();
    in.stock_units = 0.0;
    CHECK(optimize_markdown(in).status().message().find("nothing to mark down") !=
          std::string::npos);
  }
  SUBCASE("paths must not go back up") {
    const MarkdownInput in = tiny_case();
    CHECK(evaluate_price_path(in, {1, 0, 0}).status().field() == "price_index_by_week");
    CHECK(evaluate_price_path(in, {0, 0}).status().field() == "price_index_by_week");
  }
  SUBCASE("zero demand keeps everything for salvage") {
    MarkdownInput in = tiny_case();
    in.base_weekly_demand_units = 0.0;
    const Result<MarkdownResult> res = optimize_markdown(in);
    REQUIRE(res.is_ok());
    CHECK(res->optimal.expected_units == 0.0);
    CHECK(res->optimal.expected_leftover == 6.0);
    CHECK(res->dp_value == doctest::Approx(6.0 * (1.0 - 3.0)));
  }
  SUBCASE("parse") {
    CHECK(parse_weekly_demand_distribution("nb").is_ok());
    CHECK(parse_weekly_demand_distribution("normal").status().field() == "distribution");
  }
}

TEST_CASE("pricing: the same bits natively and in WebAssembly") {
  // The recursion uses only +, -, *, /, sqrt and the core's portable exp / log / lgamma, so the
  // value is bit-identical on every platform (recorded from the native build).
  MarkdownInput in;
  in.stock_units = 40.0;
  in.weeks_left = 6;
  in.price_ladder = {50.0, 40.0, 35.0, 30.0};
  in.base_weekly_demand_units = 6.0;
  in.elasticity = -2.5;
  in.unit_cost = 20.0;
  in.salvage_per_unit = 5.0;
  in.max_markdowns = 2;
  in.distribution = WeeklyDemandDistribution::kNegativeBinomial;
  in.nb_size = 3.0;
  const Result<MarkdownResult> res = optimize_markdown(in);
  REQUIRE(res.is_ok());
  CHECK(res->dp_value == 0x1.e293a6dc9a3a1p+9);
  CHECK(res->mid_season_markdown.expected_total == 0x1.aad753e03e852p+9);
}
