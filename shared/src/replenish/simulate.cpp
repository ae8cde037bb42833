// A seeded day-by-day simulation of one item under (a) the (s, Q) policy whose reorder point comes
// from the fill-rate formula and (b) Odoo's min/max rule, on the same demand and lead-time draws.

#include <algorithm>
#include <cmath>
#include <vector>

#include "detail/format.h"
#include "detail/rng.h"
#include "shelfcast/replenish.h"

namespace shelfcast {
namespace {

// Stream ids of the seeded generator: demand, and the lead times of each order.
constexpr uint64_t kDemandStream = 1;
constexpr uint64_t kLeadTimeStream = 2;
constexpr int32_t kMaxDays = 100000;
// Default order quantity: a week of mean demand (a weekly delivery rhythm).
constexpr double kDefaultOrderCoverDays = 7.0;

enum class Rule { kReorderPointQ, kMinMax };

PolicyOutcome run_policy(Rule rule, double low, double q, const std::vector<double>& demand,
                         const ReplenishmentSimulationInput& in) {
  PolicyOutcome out;
  out.reorder_point_units = low;
  out.max_units = low + q;
  detail::Rng lead_rng(in.seed, kLeadTimeStream);
  std::vector<double> arrivals(demand.size() + 1, 0.0);  // units received at the end of day t
  double on_hand = low + q;
  double on_order = 0.0;
  double on_hand_sum = 0.0;
  const auto total_days = static_cast<int32_t>(demand.size());
  for (int32_t t = 0; t < total_days; ++t) {
    const auto ut = static_cast<size_t>(t);
    const double d = demand[ut];
    const double served = std::min(on_hand, d);  // lost sales: the rest is gone
    on_hand -= served;
    on_hand += arrivals[ut];
    on_order -= arrivals[ut];
    if (t >= in.warmup_days) {
      out.demand_units += d;
      out.served_units += served;
      out.stockout_days += served < d ? 1 : 0;
      on_hand_sum += on_hand;
    }
    // Review at the end of the day on the inventory position.
    const double position = on_hand + on_order;
    double order = 0.0;
    if (rule == Rule::kReorderPointQ) {
      while (position + order <= low) order += q;
    } else if (position < low) {
      order = low + q - position;
    }
    if (order > 0.0) {
      const double lead =
          std::max(1.0, std::round(in.lead_time_days + in.lead_time_sd_days * lead_rng.normal()));
      const auto due = static_cast<size_t>(t) + static_cast<size_t>(lead);
      if (due < arrivals.size()) arrivals[due] += order;  // beyond the horizon: never scored
      on_order += order;
      if (t >= in.warmup_days) ++out.orders;
    }
  }
  const double scored = static_cast<double>(total_days - in.warmup_days);
  out.fill_rate = out.demand_units > 0.0 ? out.served_units / out.demand_units : 1.0;
  out.average_on_hand_units = on_hand_sum / scored;
  return out;
}

}  // namespace

Result<ReplenishmentSimulationResult> simulate_replenishment(
    const ReplenishmentSimulationInput& in) {
  if (in.days < 1 || in.days > kMaxDays) {
    return invalid_argument("expected 1 to " + std::to_string(kMaxDays) + " days", "days");
  }
  if (in.warmup_days < 0 || in.warmup_days > kMaxDays) {
    return invalid_argument("expected warmup_days >= 0", "warmup_days");
  }
  if (!(std::isfinite(in.mean_demand_per_day) && in.mean_demand_per_day >= 0.0)) {
    return invalid_argument(
        "expected mean demand >= 0, got " + detail::format_number(in.mean_demand_per_day),
        "mean_demand_per_day");
  }
  if (!(std::isfinite(in.nb_size) && in.nb_size >= 0.0)) {
    return invalid_argument("expected nb_size >= 0 (0 = Poisson)", "nb_size");
  }
  if (!(std::isfinite(in.lead_time_days) && in.lead_time_days > 0.0)) {
    return invalid_argument(
        "expected a lead time > 0, got " + detail::format_number(in.lead_time_days),
        "lead_time_days");
  }
  if (!(std::isfinite(in.lead_time_sd_days) && in.lead_time_sd_days >= 0.0)) {
    return invalid_argument("expected a lead-time sd >= 0", "lead_time_sd_days");
  }
  if (!(std::isfinite(in.order_quantity_units) && in.order_quantity_units >= 0.0)) {
    return invalid_argument("expected an order quantity >= 0", "order_quantity_units");
  }
  if (!(in.fill_rate_target > 0.0 && in.fill_rate_target < 1.0)) {
    return invalid_argument(
        "expected a fill rate in (0, 1), got " + detail::format_number(in.fill_rate_target),
        "fill_rate_target");
  }
  if (std::isnan(in.min_safety_factor)) {
    return invalid_argument("expected a number", "min_safety_factor");
  }
  if (!(std::isfinite(in.minmax_factor) && in.minmax_factor >= 0.0)) {
    return invalid_argument("expected a min/max factor >= 0", "minmax_factor");
  }
  const double mu = in.mean_demand_per_day;
  double q = in.order_quantity_units;
  if (q == 0.0) q = std::max(1.0, std::ceil(mu * kDefaultOrderCoverDays));

  detail::Rng demand_rng(in.seed, kDemandStream);
  std::vector<double> demand(static_cast<size_t>(in.days + in.warmup_days));
  for (double& d : demand) d = static_cast<double>(demand_rng.negative_binomial(mu, in.nb_size));

  SafetyStockInput ss_in;
  ss_in.mean_demand_per_period = mu;
  ss_in.sd_demand_per_period = std::sqrt(mu + (in.nb_size > 0.0 ? mu * mu / in.nb_size : 0.0));
  ss_in.lead_time_periods = in.lead_time_days;
  ss_in.lead_time_sd_periods = in.lead_time_sd_days;
  ss_in.target = ServiceTarget::kFillRate;
  ss_in.service_level = in.fill_rate_target;
  ss_in.order_quantity = q;
  SafetyStockParams ss_params;
  ss_params.min_safety_factor = in.min_safety_factor;
  SHELFCAST_ASSIGN_OR_RETURN(const SafetyStockResult ss, safety_stock(ss_in, ss_params));

  ReplenishmentSimulationResult out;
  out.safety_stock = ss;
  if (in.undershoot_correction && mu > 0.0) {
    out.undershoot_units =
        (ss_in.sd_demand_per_period * ss_in.sd_demand_per_period + mu * mu) / (2.0 * mu);
  }
  out.safety_stock_policy =
      run_policy(Rule::kReorderPointQ, ss.reorder_point + out.undershoot_units, q, demand, in);
  out.minmax_policy =
      run_policy(Rule::kMinMax, mu * in.lead_time_days * in.minmax_factor, q, demand, in);
  return out;
}

}  // namespace shelfcast
