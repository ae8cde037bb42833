#pragma once
// Markdown optimization: a stochastic dynamic program over an allowed price ladder (markdowns
// only: the price never goes back up), with Poisson or negative-binomial weekly demand, compared
// against "no markdown" and "one 30% markdown at mid-season" under the same demand model.
//
// State at the start of a week: (week, units in stock, current price index, markdowns used).
// Objective (stock is sunk, so this ranks policies like revenue + salvage does):
//   sum over weeks of (price - unit cost) * units sold + (salvage - unit cost) * units left.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shelfcast/result.h"

namespace shelfcast {

/// Distribution of one week's demand around its mean.
enum class WeeklyDemandDistribution : uint8_t { kPoisson = 0, kNegativeBinomial = 1 };
/// "poisson" or "negative_binomial".
std::string_view to_string(WeeklyDemandDistribution distribution);
/// Parses "poisson" or "negative_binomial" / "nb".
Result<WeeklyDemandDistribution> parse_weekly_demand_distribution(std::string_view text);

/// One item's end-of-season problem.
struct MarkdownInput {
  double stock_units = 0.0;  ///< whole units on hand now, >= 1
  int32_t weeks_left = 0;    ///< weeks to sell before salvage, >= 1
  /// Allowed prices, full price first, strictly decreasing (markdown steps).
  std::vector<double> price_ladder;
  int32_t current_price_index = 0;  ///< where the item is priced now
  /// Demand response, option 1: mean weekly units at full price (ladder[0]) and a constant
  /// elasticity (<= 0): mean(p) = base * (p / ladder[0])^elasticity.
  double base_weekly_demand_units = 0.0;
  double elasticity = 0.0;
  /// Option 2 (used when not empty): mean weekly units at each ladder price.
  std::vector<double> demand_by_price;
  /// Multiplier of the mean per week (empty = 1 for every week; else weeks_left values > = 0).
  std::vector<double> seasonality;
  WeeklyDemandDistribution distribution = WeeklyDemandDistribution::kPoisson;
  double nb_size = 0.0;    ///< NB size k (variance mean + mean^2 / k), > 0 for kNegativeBinomial
  double unit_cost = 0.0;  ///< >= 0
  double salvage_per_unit = 0.0;  ///< value of a leftover unit after the season, >= 0
  /// Prices below unit cost + this are not allowed (the policy never goes there).
  double min_margin_per_unit = 0.0;
  int32_t max_markdowns = 1;  ///< price changes allowed, >= 0
};

/// Tunables of the markdown model.
struct MarkdownParams {
  /// Weekly demand probabilities are summed to mean + tail_sd * sd + tail_slack units; the mass
  /// beyond is below 1e-15 for Poisson and NB means up to stock sizes handled here.
  double tail_sd = 12.0;
  double tail_slack = 20.0;
  /// The baseline markdown: this fraction off full price (the ladder price closest to it among
  /// allowed prices) from week floor(weeks_left * baseline_markdown_week_fraction).
  double baseline_markdown_depth = 0.3;
  double baseline_markdown_week_fraction = 0.5;
  double max_stock_units = 100000.0;  ///< guard on the state space
  int32_t max_weeks = 104;            ///< guard on the horizon
};

/// One week of a plan, in expectation over demand (and, for the optimal policy, over the prices
/// it would choose in the states it may reach).
struct MarkdownWeek {
  int32_t week = 0;                   ///< 0 = this week
  double price = 0.0;                 ///< the most likely price this week
  double mean_price = 0.0;            ///< probability-weighted price
  double markdown_probability = 0.0;  ///< P(price below the starting price)
  double expected_units = 0.0;        ///< units sold
  double expected_leftover = 0.0;     ///< units in stock at the end of the week
  double expected_margin = 0.0;       ///< (price - cost) * units sold
};

/// A plan evaluated under the demand model.
struct MarkdownPlan {
  std::string name;  ///< "optimal", "no_markdown", "mid_season_markdown"
  std::vector<MarkdownWeek> weeks;
  double expected_units = 0.0;
  double expected_margin = 0.0;         ///< on units sold
  double expected_leftover = 0.0;       ///< at season end
  double expected_salvage_value = 0.0;  ///< salvage * leftover
  /// margin + (salvage - cost) * leftover: the objective.
  double expected_total = 0.0;
};

/// The optimal policy and the two baselines.
struct MarkdownResult {
  std::vector<double> allowed_prices;  ///< the ladder prices the minimum margin allows
  double dp_value = 0.0;               ///< the objective at the start, from the recursion
  MarkdownPlan optimal;
  MarkdownPlan no_markdown;
  MarkdownPlan mid_season_markdown;
};

/// Solves the dynamic program and evaluates the baselines. Bad input (zero stock, empty ladder,
/// negative demand, ...) is kInvalidArgument naming the field.
Result<MarkdownResult> optimize_markdown(const MarkdownInput& input,
                                         const MarkdownParams& params = {});

/// Evaluates a fixed price path (one ladder index per week, non-decreasing) exactly under the
/// demand model: the open-loop counterpart of the policy, used for baselines and checks.
Result<MarkdownPlan> evaluate_price_path(const MarkdownInput& input,
                                         const std::vector<int32_t>& price_index_by_week,
                                         const MarkdownParams& params = {});

}  // namespace shelfcast
