// Safety stock under the normal approximation with lead-time variability (Silver, Pyke & Peterson
// 1998, ch. 7; Chopra & Meindl), the fill-rate safety factor from the standard normal loss
// function, the intermittent count-model version, and the newsvendor quantity (Arrow, Harris &
// Marschak 1951; Cachon & Terwiesch, "Matching Supply with Demand", ch. 12).

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "detail/format.h"
#include "detail/normal.h"
#include "detail/rng.h"
#include "shelfcast/replenish.h"

namespace shelfcast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// 1 / sqrt(2 pi), for the standard normal density.
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

double normal_pdf(double x) { return kInvSqrt2Pi * detail::exp_portable(-0.5 * x * x); }

std::string got(double v) { return ", got " + detail::format_number(v); }

Status check_non_negative(double v, const char* field) {
  if (!(std::isfinite(v) && v >= 0.0)) {
    return invalid_argument(std::string("expected a finite number >= 0") + got(v), field);
  }
  return Status::ok();
}

Status check_probability(double v, const char* field) {
  if (!(v > 0.0 && v < 1.0)) {
    return invalid_argument(std::string("expected a level in (0, 1)") + got(v), field);
  }
  return Status::ok();
}

Status check_economics(const NewsvendorEconomics& e) {
  const double p = e.price_per_unit, c = e.cost_per_unit, s = e.salvage_per_unit;
  if (!(std::isfinite(p) && p > 0.0)) {
    return invalid_argument("expected a price > 0" + got(p), "price_per_unit");
  }
  if (!(std::isfinite(c) && c >= 0.0 && c < p)) {
    return invalid_argument("expected 0 <= cost < price" + got(c), "cost_per_unit");
  }
  if (!(std::isfinite(s) && s < c)) {
    return invalid_argument("expected salvage < cost" + got(s), "salvage_per_unit");
  }
  return Status::ok();
}

NewsvendorResult finish_newsvendor(double ratio, double q, double sales, double leftover,
                                   double lost, const NewsvendorEconomics& e) {
  NewsvendorResult r;
  r.critical_ratio = ratio;
  r.quantity = q;
  r.expected_sales = sales;
  r.expected_leftover = leftover;
  r.expected_lost_sales = lost;
  r.expected_profit =
      e.price_per_unit * sales + e.salvage_per_unit * leftover - e.cost_per_unit * q;
  return r;
}

}  // namespace

std::string_view to_string(ServiceTarget target) {
  return target == ServiceTarget::kFillRate ? "fill_rate" : "cycle_service_level";
}

Result<ServiceTarget> parse_service_target(std::string_view text) {
  if (text == "cycle_service_level" || text == "csl") return ServiceTarget::kCycleServiceLevel;
  if (text == "fill_rate" || text == "fill") return ServiceTarget::kFillRate;
  return invalid_argument(
      "expected cycle_service_level or fill_rate, got \"" + std::string(text) + "\"", "target");
}

double normal_loss(double k) { return normal_pdf(k) - k * (1.0 - detail::normal_cdf(k)); }

Result<double> safety_factor_for_loss(double target_loss, const SafetyStockParams& params) {
  if (!(std::isfinite(target_loss) && target_loss >= 0.0)) {
    return invalid_argument("expected a finite loss >= 0" + got(target_loss), "target_loss");
  }
  if (!(params.max_abs_safety_factor > 0.0) || params.bisection_iterations < 1) {
    return invalid_argument("expected max_abs_safety_factor > 0 and bisection_iterations >= 1",
                            "params");
  }
  // G is strictly decreasing: G(lo) >= target >= G(hi) brackets the root.
  double lo = -params.max_abs_safety_factor;
  double hi = params.max_abs_safety_factor;
  if (target_loss >= normal_loss(lo)) return std::max(lo, params.min_safety_factor);
  if (target_loss <= normal_loss(hi)) return std::max(hi, params.min_safety_factor);
  for (int32_t i = 0; i < params.bisection_iterations; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (normal_loss(mid) > target_loss) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return std::max(0.5 * (lo + hi), params.min_safety_factor);
}

Result<SafetyStockResult> safety_stock(const SafetyStockInput& input,
                                       const SafetyStockParams& params) {
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(input.mean_demand_per_period, "mean_demand"));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(input.sd_demand_per_period, "sd_demand"));
  if (!(std::isfinite(input.lead_time_periods) && input.lead_time_periods > 0.0)) {
    return invalid_argument("expected a lead time > 0" + got(input.lead_time_periods), "lead_time");
  }
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(input.lead_time_sd_periods, "lead_time_sd"));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(input.review_periods, "review_period"));
  SHELFCAST_RETURN_IF_ERROR(check_probability(input.service_level, "service_level"));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(input.order_quantity, "order_quantity"));

  const double mu = input.mean_demand_per_period;
  const double sigma = input.sd_demand_per_period;
  SafetyStockResult out;
  out.protection_periods = input.review_periods + input.lead_time_periods;
  out.mean_protection_demand = mu * out.protection_periods;
  out.sd_protection_demand =
      std::sqrt(out.protection_periods * sigma * sigma +
                mu * mu * input.lead_time_sd_periods * input.lead_time_sd_periods);
  double q = input.order_quantity;
  if (q == 0.0) q = mu * input.review_periods;

  if (input.target == ServiceTarget::kCycleServiceLevel) {
    out.safety_factor =
        std::max(detail::normal_quantile(input.service_level), params.min_safety_factor);
  } else {
    if (!(q > 0.0)) {
      return invalid_argument(
          "a fill-rate target needs an order quantity > 0 (or a review period > 0 with demand)",
          "order_quantity");
    }
    if (out.sd_protection_demand == 0.0) {
      out.safety_factor = std::max(0.0, params.min_safety_factor);
    } else {
      SHELFCAST_ASSIGN_OR_RETURN(
          out.safety_factor,
          safety_factor_for_loss((1.0 - input.service_level) * q / out.sd_protection_demand,
                                 params));
    }
  }
  out.safety_stock = out.safety_factor * out.sd_protection_demand;
  out.reorder_point = mu * input.lead_time_periods + out.safety_stock;
  out.order_up_to = out.mean_protection_demand + out.safety_stock;
  out.cycle_service_level = detail::normal_cdf(out.safety_factor);
  out.expected_shortage_per_cycle = out.sd_protection_demand * normal_loss(out.safety_factor);
  out.fill_rate = q > 0.0 ? 1.0 - out.expected_shortage_per_cycle / q : kNaN;
  return out;
}

Result<SafetyStockResult> safety_stock_intermittent(const IntermittentFit& fit,
                                                    int32_t lead_time_periods,
                                                    int32_t review_periods, double service_level) {
  if (lead_time_periods < 1) {
    return invalid_argument("expected a lead time >= 1 period" + got(lead_time_periods),
                            "lead_time");
  }
  if (review_periods < 0) {
    return invalid_argument("expected a review period >= 0" + got(review_periods), "review_period");
  }
  SHELFCAST_RETURN_IF_ERROR(check_probability(service_level, "service_level"));
  const int32_t protection = lead_time_periods + review_periods;
  SHELFCAST_ASSIGN_OR_RETURN(const double quantile,
                             lead_time_quantile(fit, protection, service_level));
  SafetyStockResult out;
  out.protection_periods = protection;
  out.mean_protection_demand = fit.rate * protection;
  // Variance of the count model over the protection interval (see intermittent.h).
  const double p = protection;
  double var = fit.rate * p + p * p * fit.rate_variance;
  if (fit.nb_size > 0.0) var += p * fit.rate * fit.rate / fit.nb_size;
  out.sd_protection_demand = std::sqrt(var);
  out.safety_stock = quantile - out.mean_protection_demand;
  out.safety_factor =
      out.sd_protection_demand > 0.0 ? out.safety_stock / out.sd_protection_demand : 0.0;
  out.reorder_point = quantile - fit.rate * review_periods;
  out.order_up_to = quantile;
  SHELFCAST_ASSIGN_OR_RETURN(out.cycle_service_level, lead_time_cdf(fit, protection, quantile));
  out.expected_shortage_per_cycle = kNaN;
  out.fill_rate = kNaN;
  return out;
}

Result<double> critical_ratio(const NewsvendorEconomics& economics) {
  SHELFCAST_RETURN_IF_ERROR(check_economics(economics));
  return (economics.price_per_unit - economics.cost_per_unit) /
         (economics.price_per_unit - economics.salvage_per_unit);
}

Result<NewsvendorResult> evaluate_newsvendor_normal(double mean_demand, double sd_demand,
                                                    double quantity,
                                                    const NewsvendorEconomics& economics) {
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(mean_demand, "mean_demand"));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(sd_demand, "sd_demand"));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(quantity, "quantity"));
  SHELFCAST_ASSIGN_OR_RETURN(const double ratio, critical_ratio(economics));
  double lost = std::max(0.0, mean_demand - quantity);
  if (sd_demand > 0.0) lost = sd_demand * normal_loss((quantity - mean_demand) / sd_demand);
  const double sales = mean_demand - lost;
  return finish_newsvendor(ratio, quantity, sales, quantity - sales, lost, economics);
}

Result<NewsvendorResult> newsvendor_normal(double mean_demand, double sd_demand,
                                           const NewsvendorEconomics& economics) {
  SHELFCAST_ASSIGN_OR_RETURN(const double ratio, critical_ratio(economics));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(mean_demand, "mean_demand"));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(sd_demand, "sd_demand"));
  const double q = std::max(0.0, mean_demand + sd_demand * detail::normal_quantile(ratio));
  return evaluate_newsvendor_normal(mean_demand, sd_demand, q, economics);
}

Result<NewsvendorResult> newsvendor_empirical(const std::vector<double>& demand_samples,
                                              const NewsvendorEconomics& economics) {
  SHELFCAST_ASSIGN_OR_RETURN(const double ratio, critical_ratio(economics));
  if (demand_samples.empty()) {
    return invalid_argument("expected at least one demand sample", "demand_samples");
  }
  std::vector<double> d = demand_samples;
  for (double v : d) SHELFCAST_RETURN_IF_ERROR(check_non_negative(v, "demand_samples"));
  std::sort(d.begin(), d.end());
  const double n = static_cast<double>(d.size());
  // Smallest order statistic d[i] with (i + 1) / n >= ratio.
  size_t i = static_cast<size_t>(std::ceil(ratio * n - 1e-12));
  i = i == 0 ? 0 : i - 1;
  i = std::min(i, d.size() - 1);
  const double q = d[i];
  double sales = 0.0, lost = 0.0;
  for (double v : d) {
    sales += std::min(v, q);
    lost += std::max(0.0, v - q);
  }
  sales /= n;
  lost /= n;
  return finish_newsvendor(ratio, q, sales, q - sales, lost, economics);
}

Result<NewsvendorResult> newsvendor_negative_binomial(double mean_demand, double nb_size,
                                                      const NewsvendorEconomics& economics) {
  SHELFCAST_ASSIGN_OR_RETURN(const double ratio, critical_ratio(economics));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(mean_demand, "mean_demand"));
  SHELFCAST_RETURN_IF_ERROR(check_non_negative(nb_size, "nb_size"));
  if (mean_demand == 0.0) return finish_newsvendor(ratio, 0.0, 0.0, 0.0, 0.0, economics);
  // The same count model as the intermittent module: NB(mean, k) over one period, no rate error.
  IntermittentFit fit;
  fit.rate = mean_demand;
  fit.nb_size = nb_size;
  SHELFCAST_ASSIGN_OR_RETURN(const double q, lead_time_quantile(fit, 1, ratio));
  // E[min(D, q)] = sum_{j=0}^{q-1} P(D > j).
  double sales = 0.0;
  for (double j = 0.0; j < q; j += 1.0) {
    SHELFCAST_ASSIGN_OR_RETURN(const double cdf, lead_time_cdf(fit, 1, j));
    sales += 1.0 - cdf;
  }
  return finish_newsvendor(ratio, q, sales, q - sales, mean_demand - sales, economics);
}

}  // namespace shelfcast
