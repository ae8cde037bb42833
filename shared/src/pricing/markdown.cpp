// Markdown optimization by backward induction over (week, stock, price index, markdowns used),
// with exact weekly Poisson / negative-binomial demand probabilities; the forward pass turns the
// policy into week-by-week expectations. See shelfcast/pricing.h.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "detail/format.h"
#include "detail/rng.h"
#include "shelfcast/pricing.h"

namespace shelfcast {
namespace {

// Guard on (weeks x stock x prices x markdowns) decisions kept for the forward pass.
constexpr double kMaxDecisions = 5e7;

std::string got(double v) { return ", got " + detail::format_number(v); }

// The problem after validation: allowed prices, means per (week, price), pmfs built lazily.
struct Model {
  int32_t weeks = 0;
  int32_t stock = 0;
  int32_t n_prices = 0;  // allowed ladder prefix
  int32_t max_md = 0;    // markdowns that can still matter
  std::vector<double> price;
  std::vector<double> mean;  // [t * n_prices + j]
  double cost = 0.0;
  double salvage = 0.0;
  const MarkdownInput* input = nullptr;
  const MarkdownParams* params = nullptr;
};

// Weekly demand probabilities P(D = d), d = 0..size-1, truncated where the rest is negligible
// (and at the stock: selling more than the stock is impossible).
std::vector<double> demand_pmf(const Model& m, double mean) {
  if (!(mean > 0.0)) return {1.0};
  const bool nb = m.input->distribution == WeeklyDemandDistribution::kNegativeBinomial;
  const double k = m.input->nb_size;
  const double var = nb ? mean + mean * mean / k : mean;
  const double upper =
      std::min(static_cast<double>(m.stock),
               std::ceil(mean + m.params->tail_sd * std::sqrt(var) + m.params->tail_slack));
  const auto n = static_cast<size_t>(upper) + 1;
  std::vector<double> p(n);
  const double log_mean = detail::log_portable(mean);
  const double log_k_share = nb ? detail::log_portable(k / (k + mean)) : 0.0;
  const double log_m_share = nb ? detail::log_portable(mean / (k + mean)) : 0.0;
  const double lg_k = nb ? detail::log_gamma(k) : 0.0;
  for (size_t d = 0; d < n; ++d) {
    const double dd = static_cast<double>(d);
    const double lg_d1 = detail::log_gamma(dd + 1.0);
    const double lp =
        nb ? detail::log_gamma(dd + k) - lg_k - lg_d1 + k * log_k_share + dd * log_m_share
           : dd * log_mean - mean - lg_d1;
    p[d] = detail::exp_portable(lp);
  }
  return p;
}

// Expected sales and E[V(x - min(D, x))] for every stock level x, given next-week values vn
// (index x).
void expect(const std::vector<double>& pmf, const std::vector<double>& vn,
            std::vector<double>* sales, std::vector<double>* value) {
  const size_t nx = vn.size();
  sales->assign(nx, 0.0);
  value->assign(nx, 0.0);
  for (size_t x = 0; x < nx; ++x) {
    const size_t lim = std::min(x, pmf.size());
    double cum = 0.0, s = 0.0, v = 0.0;
    for (size_t d = 0; d < lim; ++d) {
      cum += pmf[d];
      s += static_cast<double>(d) * pmf[d];
      v += pmf[d] * vn[x - d];
    }
    const double tail = std::max(0.0, 1.0 - cum);
    (*sales)[x] = s + static_cast<double>(x) * tail;
    (*value)[x] = v + tail * vn[0];
  }
}

Status validate(const MarkdownInput& in, const MarkdownParams& params) {
  if (!(std::isfinite(in.stock_units) && in.stock_units >= 1.0)) {
    return invalid_argument(
        "expected stock of at least 1 unit (nothing to mark down)" + got(in.stock_units),
        "stock_units");
  }
  if (in.stock_units != std::floor(in.stock_units) || in.stock_units > params.max_stock_units) {
    return invalid_argument("expected whole units up to " +
                                detail::format_number(params.max_stock_units) + got(in.stock_units),
                            "stock_units");
  }
  if (in.weeks_left < 1 || in.weeks_left > params.max_weeks) {
    return invalid_argument("expected weeks_left from 1 to " + std::to_string(params.max_weeks) +
                                ", got " + std::to_string(in.weeks_left),
                            "weeks_left");
  }
  if (in.price_ladder.empty()) {
    return invalid_argument("expected at least one price", "price_ladder");
  }
  for (size_t j = 0; j < in.price_ladder.size(); ++j) {
    const double p = in.price_ladder[j];
    if (!(std::isfinite(p) && p > 0.0)) {
      return invalid_argument("expected prices > 0" + got(p), "price_ladder");
    }
    if (j > 0 && !(p < in.price_ladder[j - 1])) {
      return invalid_argument("expected strictly decreasing prices (full price first)",
                              "price_ladder");
    }
  }
  const auto n_ladder = static_cast<int32_t>(in.price_ladder.size());
  if (in.current_price_index < 0 || in.current_price_index >= n_ladder) {
    return invalid_argument("expected an index into the price ladder", "current_price_index");
  }
  if (in.demand_by_price.empty()) {
    if (!(std::isfinite(in.base_weekly_demand_units) && in.base_weekly_demand_units >= 0.0)) {
      return invalid_argument("expected demand >= 0" + got(in.base_weekly_demand_units),
                              "base_weekly_demand_units");
    }
    if (!(std::isfinite(in.elasticity) && in.elasticity <= 0.0)) {
      return invalid_argument("expected an elasticity <= 0" + got(in.elasticity), "elasticity");
    }
  } else {
    if (in.demand_by_price.size() != in.price_ladder.size()) {
      return invalid_argument("expected one mean per ladder price", "demand_by_price");
    }
    for (double d : in.demand_by_price) {
      if (!(std::isfinite(d) && d >= 0.0)) {
        return invalid_argument("expected demand >= 0" + got(d), "demand_by_price");
      }
    }
  }
  if (!in.seasonality.empty()) {
    if (in.seasonality.size() != static_cast<size_t>(in.weeks_left)) {
      return invalid_argument("expected one multiplier per week left", "seasonality");
    }
    for (double s : in.seasonality) {
      if (!(std::isfinite(s) && s >= 0.0)) {
        return invalid_argument("expected multipliers >= 0" + got(s), "seasonality");
      }
    }
  }
  if (in.distribution == WeeklyDemandDistribution::kNegativeBinomial &&
      !(std::isfinite(in.nb_size) && in.nb_size > 0.0)) {
    return invalid_argument("expected nb_size > 0 for negative binomial demand" + got(in.nb_size),
                            "nb_size");
  }
  if (!(std::isfinite(in.unit_cost) && in.unit_cost >= 0.0)) {
    return invalid_argument("expected a unit cost >= 0" + got(in.unit_cost), "unit_cost");
  }
  if (!(std::isfinite(in.salvage_per_unit) && in.salvage_per_unit >= 0.0)) {
    return invalid_argument("expected a salvage value >= 0" + got(in.salvage_per_unit),
                            "salvage_per_unit");
  }
  if (!std::isfinite(in.min_margin_per_unit)) {
    return invalid_argument("expected a finite minimum margin", "min_margin_per_unit");
  }
  if (in.max_markdowns < 0) {
    return invalid_argument("expected max_markdowns >= 0", "max_markdowns");
  }
  const double floor_price = in.unit_cost + in.min_margin_per_unit;
  if (in.price_ladder[static_cast<size_t>(in.current_price_index)] < floor_price) {
    return invalid_argument("the current price is below unit cost + minimum margin (" +
                                detail::format_number(floor_price) + ")",
                            "min_margin_per_unit");
  }
  if (!(params.tail_sd > 0.0 && params.tail_slack >= 0.0 && params.baseline_markdown_depth > 0.0 &&
        params.baseline_markdown_depth < 1.0 && params.baseline_markdown_week_fraction >= 0.0 &&
        params.baseline_markdown_week_fraction <= 1.0)) {
    return invalid_argument(
        "expected tail_sd > 0, tail_slack >= 0 and a baseline depth and week "
        "fraction in range",
        "params");
  }
  return Status::ok();
}

Model build_model(const MarkdownInput& in, const MarkdownParams& params) {
  Model m;
  m.input = &in;
  m.params = &params;
  m.weeks = in.weeks_left;
  m.stock = static_cast<int32_t>(in.stock_units);
  m.cost = in.unit_cost;
  m.salvage = in.salvage_per_unit;
  const double floor_price = in.unit_cost + in.min_margin_per_unit;
  for (double p : in.price_ladder) {
    if (p < floor_price) break;  // decreasing ladder: the allowed prices are a prefix
    m.price.push_back(p);
  }
  m.n_prices = static_cast<int32_t>(m.price.size());
  m.max_md = std::min(in.max_markdowns, m.n_prices - 1 - in.current_price_index);
  m.mean.resize(static_cast<size_t>(m.weeks) * m.price.size());
  for (int32_t t = 0; t < m.weeks; ++t) {
    const double season = in.seasonality.empty() ? 1.0 : in.seasonality[static_cast<size_t>(t)];
    for (size_t j = 0; j < m.price.size(); ++j) {
      const double base =
          in.demand_by_price.empty()
              ? in.base_weekly_demand_units *
                    detail::pow_portable(m.price[j] / in.price_ladder[0], in.elasticity)
              : in.demand_by_price[j];
      m.mean[static_cast<size_t>(t) * m.price.size() + j] = base * season;
    }
  }
  return m;
}

// Forward pass of a decision rule decide(t, x, i, used) -> j into a plan.
template <typename Decide>
MarkdownPlan forward(const Model& m, const std::string& name, Decide decide) {
  const auto nx = static_cast<size_t>(m.stock) + 1;
  const auto np = static_cast<size_t>(m.n_prices);
  const auto nm = static_cast<size_t>(m.max_md) + 1;
  auto at = [&](size_t x, size_t j, size_t u) { return (x * np + j) * nm + u; };
  std::vector<double> prob(nx * np * nm, 0.0), next(prob.size(), 0.0);
  const auto i0 = static_cast<size_t>(m.input->current_price_index);
  prob[at(nx - 1, i0, 0)] = 1.0;
  MarkdownPlan plan;
  plan.name = name;
  std::vector<std::vector<double>> pmfs(np);
  for (int32_t t = 0; t < m.weeks; ++t) {
    for (size_t j = 0; j < np; ++j)
      pmfs[j] = demand_pmf(m, m.mean[static_cast<size_t>(t) * np + j]);
    std::fill(next.begin(), next.end(), 0.0);
    std::vector<double> price_prob(np, 0.0);
    MarkdownWeek w;
    w.week = t;
    for (size_t x = 0; x < nx; ++x) {
      for (size_t i = 0; i < np; ++i) {
        for (size_t u = 0; u < nm; ++u) {
          const double pr = prob[at(x, i, u)];
          if (pr == 0.0) continue;
          const auto j = static_cast<size_t>(
              decide(t, static_cast<int32_t>(x), static_cast<int32_t>(i), static_cast<int32_t>(u)));
          const size_t u2 = std::min(nm - 1, u + (j > i ? 1 : 0));
          price_prob[j] += pr;
          const std::vector<double>& pmf = pmfs[j];
          const size_t lim = std::min(x, pmf.size());
          double cum = 0.0, sold = 0.0;
          for (size_t d = 0; d < lim; ++d) {
            cum += pmf[d];
            sold += static_cast<double>(d) * pmf[d];
            next[at(x - d, j, u2)] += pr * pmf[d];
          }
          const double tail = std::max(0.0, 1.0 - cum);
          next[at(0, j, u2)] += pr * tail;
          sold += static_cast<double>(x) * tail;
          w.expected_units += pr * sold;
          w.expected_margin += pr * sold * (m.price[j] - m.cost);
        }
      }
    }
    size_t mode = 0;
    for (size_t j = 0; j < np; ++j) {
      w.mean_price += price_prob[j] * m.price[j];
      if (price_prob[j] > price_prob[mode]) mode = j;
      if (j > i0) w.markdown_probability += price_prob[j];
    }
    w.price = m.price[mode];
    prob.swap(next);
    for (size_t x = 0; x < nx; ++x) {
      double px = 0.0;
      for (size_t k = 0; k < np * nm; ++k) px += prob[x * np * nm + k];
      w.expected_leftover += static_cast<double>(x) * px;
    }
    plan.expected_units += w.expected_units;
    plan.expected_margin += w.expected_margin;
    plan.weeks.push_back(w);
  }
  plan.expected_leftover = plan.weeks.back().expected_leftover;
  plan.expected_salvage_value = m.salvage * plan.expected_leftover;
  plan.expected_total = plan.expected_margin + (m.salvage - m.cost) * plan.expected_leftover;
  return plan;
}

}  // namespace

std::string_view to_string(WeeklyDemandDistribution distribution) {
  return distribution == WeeklyDemandDistribution::kNegativeBinomial ? "negative_binomial"
                                                                     : "poisson";
}

Result<WeeklyDemandDistribution> parse_weekly_demand_distribution(std::string_view text) {
  if (text == "poisson") return WeeklyDemandDistribution::kPoisson;
  if (text == "negative_binomial" || text == "nb") {
    return WeeklyDemandDistribution::kNegativeBinomial;
  }
  return invalid_argument(
      "expected poisson or negative_binomial, got \"" + std::string(text) + "\"", "distribution");
}

Result<MarkdownPlan> evaluate_price_path(const MarkdownInput& input,
                                         const std::vector<int32_t>& price_index_by_week,
                                         const MarkdownParams& params) {
  SHELFCAST_RETURN_IF_ERROR(validate(input, params));
  if (price_index_by_week.size() != static_cast<size_t>(input.weeks_left)) {
    return invalid_argument("expected one price index per week left", "price_index_by_week");
  }
  // The path may use any ladder price (baselines and checks are not bound by the margin rule).
  MarkdownInput open = input;
  open.min_margin_per_unit = -open.unit_cost - 1.0;
  const Model m = build_model(open, params);
  int32_t prev = input.current_price_index;
  int32_t changes = 0;
  for (int32_t j : price_index_by_week) {
    if (j < prev || j >= m.n_prices) {
      return invalid_argument("expected non-decreasing ladder indices from current_price_index",
                              "price_index_by_week");
    }
    changes += j > prev ? 1 : 0;
    prev = j;
  }
  Model path_model = m;
  path_model.max_md = std::max(changes, 0);
  return forward(path_model, "path", [&](int32_t t, int32_t, int32_t, int32_t) {
    return price_index_by_week[static_cast<size_t>(t)];
  });
}

Result<MarkdownResult> optimize_markdown(const MarkdownInput& input, const MarkdownParams& params) {
  SHELFCAST_RETURN_IF_ERROR(validate(input, params));
  const Model m = build_model(input, params);
  const auto nx = static_cast<size_t>(m.stock) + 1;
  const auto np = static_cast<size_t>(m.n_prices);
  const auto nm = static_cast<size_t>(m.max_md) + 1;
  const auto nt = static_cast<size_t>(m.weeks);
  if (static_cast<double>(nx) * static_cast<double>(np) * static_cast<double>(nm) *
          static_cast<double>(nt) >
      kMaxDecisions) {
    return Status(ErrorCode::kResourceExhausted,
                  "stock x weeks x prices x markdowns is too large for the dynamic program",
                  "stock_units");
  }
  auto at = [&](size_t x, size_t j, size_t u) { return (x * np + j) * nm + u; };
  // Terminal value: leftovers are salvaged (their cost is sunk in every policy alike).
  std::vector<double> v(nx * np * nm), w(v.size());
  for (size_t x = 0; x < nx; ++x) {
    for (size_t k = 0; k < np * nm; ++k) {
      v[x * np * nm + k] = (m.salvage - m.cost) * static_cast<double>(x);
    }
  }
  std::vector<int32_t> decision(nt * v.size(), 0);
  std::vector<double> vn(nx), sales, value;
  for (size_t t = nt; t-- > 0;) {
    // W(x, j, u): value of pricing at j this week with u markdowns used afterwards.
    for (size_t j = 0; j < np; ++j) {
      const std::vector<double> pmf = demand_pmf(m, m.mean[t * np + j]);
      for (size_t u = 0; u < nm; ++u) {
        for (size_t x = 0; x < nx; ++x) vn[x] = v[at(x, j, u)];
        expect(pmf, vn, &sales, &value);
        for (size_t x = 0; x < nx; ++x) {
          w[at(x, j, u)] = (m.price[j] - m.cost) * sales[x] + value[x];
        }
      }
    }
    // V(x, i, u) = max over staying at i or marking down to j > i (one more markdown).
    for (size_t x = 0; x < nx; ++x) {
      for (size_t i = 0; i < np; ++i) {
        for (size_t u = 0; u < nm; ++u) {
          size_t best_j = i;
          double best = w[at(x, i, u)];
          if (u + 1 < nm) {
            for (size_t j = i + 1; j < np; ++j) {
              const double cand = w[at(x, j, u + 1)];
              if (cand > best) {
                best = cand;
                best_j = j;
              }
            }
          }
          v[at(x, i, u)] = best;
          decision[t * v.size() + at(x, i, u)] = static_cast<int32_t>(best_j);
        }
      }
    }
  }

  MarkdownResult out;
  out.allowed_prices = m.price;
  out.dp_value = v[at(nx - 1, static_cast<size_t>(input.current_price_index), 0)];
  const size_t state_count = v.size();
  out.optimal = forward(m, "optimal", [&](int32_t t, int32_t x, int32_t i, int32_t u) {
    return decision[static_cast<size_t>(t) * state_count +
                    at(static_cast<size_t>(x), static_cast<size_t>(i), static_cast<size_t>(u))];
  });

  const std::vector<int32_t> stay(nt, input.current_price_index);
  SHELFCAST_ASSIGN_OR_RETURN(out.no_markdown, evaluate_price_path(input, stay, params));
  out.no_markdown.name = "no_markdown";
  // The allowed ladder price closest to the baseline depth off full price.
  const double target = input.price_ladder[0] * (1.0 - params.baseline_markdown_depth);
  auto md_index = static_cast<size_t>(input.current_price_index);
  for (size_t j = md_index; j < np; ++j) {
    if (std::fabs(m.price[j] - target) < std::fabs(m.price[md_index] - target)) md_index = j;
  }
  std::vector<int32_t> mid = stay;
  const auto from_week = static_cast<size_t>(
      std::floor(static_cast<double>(nt) * params.baseline_markdown_week_fraction));
  for (size_t t = std::min(from_week, nt - 1); t < nt; ++t) mid[t] = static_cast<int32_t>(md_index);
  SHELFCAST_ASSIGN_OR_RETURN(out.mid_season_markdown, evaluate_price_path(input, mid, params));
  out.mid_season_markdown.name = "mid_season_markdown";
  return out;
}

}  // namespace shelfcast
