// `shelfcast safety-stock`: safety stock and reorder point of one item from its demand and lead
// time (INTERFACES.md), with optional fill-rate target and periodic review.

#include <charconv>
#include <cmath>
#include <map>
#include <string>

#include "cli/commands.h"
#include "cli/common.h"
#include "shelfcast/json.h"
#include "shelfcast/replenish.h"

namespace shelfcast::server {
namespace {

const char* const kSafetyStockUsage =
    "usage: shelfcast safety-stock --mean-demand D --sd-demand S --lead-time L [--lead-time-sd "
    "LS]\n"
    "                              --service-level P [--target cycle_service_level|fill_rate]\n"
    "                              [--order-qty Q] [--review-period R] [--output FILE]\n"
    "  Normal-approximation safety stock with lead-time variability: demand per period (mean D,\n"
    "  sd S), lead time L periods (sd LS, default 0), reviewed every R periods (default 0 =\n"
    "  continuous). sigma = sqrt((L + R) S^2 + D^2 LS^2); SS = k sigma; reorder point = D L + SS;\n"
    "  order-up-to = D (L + R) + SS. --target cycle_service_level (default): k = z(P), P the\n"
    "  probability of no stockout per cycle. --target fill_rate: P is the share of demand served\n"
    "  from stock and k solves G(k) = (1 - P) Q / sigma, with Q = --order-qty (default D R).\n"
    "  Writes JSON {\"safety_stock\",\"reorder_point\",\"order_up_to\",\"safety_factor\",\n"
    "  \"sd_lead_time_demand\",\"mean_lead_time_demand\",\"cycle_service_level\",\"fill_rate\"}\n"
    "  (fill_rate null without Q) to FILE or stdout. Bad values exit 1 naming the field.\n";

// The option behind each core field, for error messages.
const std::map<std::string, std::string>& option_of_field() {
  static const std::map<std::string, std::string> m = {
      {"mean_demand", "--mean-demand"},     {"sd_demand", "--sd-demand"},
      {"lead_time", "--lead-time"},         {"lead_time_sd", "--lead-time-sd"},
      {"service_level", "--service-level"}, {"order_quantity", "--order-qty"},
      {"review_period", "--review-period"}};
  return m;
}

// A number option; false with a usage error when it does not parse.
bool number_option(const Args& args, const std::string& name, double fallback, double* out,
                   int* exit_code) {
  *out = fallback;
  if (!args.has(name)) return true;
  const std::string text = args.get(name);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    *exit_code =
        usage_error("--" + name + " expects a number, got \"" + text + "\"", kSafetyStockUsage);
    return false;
  }
  *out = v;
  return true;
}

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

}  // namespace

int cmd_safety_stock(int argc, char** argv) {
  Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 2,
                     {"mean-demand", "sd-demand", "lead-time", "lead-time-sd", "service-level",
                      "target", "order-qty", "review-period", "output"},
                     {}, kSafetyStockUsage,
                     {"mean-demand", "sd-demand", "lead-time", "service-level"}, &args,
                     &exit_code)) {
    return exit_code;
  }
  SafetyStockInput in;
  if (!number_option(args, "mean-demand", 0.0, &in.mean_demand_per_period, &exit_code) ||
      !number_option(args, "sd-demand", 0.0, &in.sd_demand_per_period, &exit_code) ||
      !number_option(args, "lead-time", 0.0, &in.lead_time_periods, &exit_code) ||
      !number_option(args, "lead-time-sd", 0.0, &in.lead_time_sd_periods, &exit_code) ||
      !number_option(args, "service-level", 0.0, &in.service_level, &exit_code) ||
      !number_option(args, "order-qty", 0.0, &in.order_quantity, &exit_code) ||
      !number_option(args, "review-period", 0.0, &in.review_periods, &exit_code)) {
    return exit_code;
  }
  if (args.has("target")) {
    Result<ServiceTarget> target = parse_service_target(args.get("target"));
    if (!target.is_ok())
      return usage_error("--target: " + target.status().message(), kSafetyStockUsage);
    in.target = *target;
  }
  Result<SafetyStockResult> ss = safety_stock(in);
  if (!ss.is_ok()) {
    const Status& st = ss.status();
    const auto it = option_of_field().find(st.field());
    const std::string where = it == option_of_field().end() ? "" : it->second + ": ";
    return input_error(where + "field '" + st.field() + "': " + st.message());
  }
  Json out;
  out["safety_stock"] = ss->safety_stock;
  out["reorder_point"] = ss->reorder_point;
  out["order_up_to"] = ss->order_up_to;
  out["safety_factor"] = ss->safety_factor;
  out["mean_lead_time_demand"] = ss->mean_protection_demand;
  out["sd_lead_time_demand"] = ss->sd_protection_demand;
  out["cycle_service_level"] = ss->cycle_service_level;
  out["fill_rate"] = number_or_null(ss->fill_rate);
  out["target"] = std::string(to_string(in.target));
  Status written = write_output(args.get("output"), dump_json(out) + "\n");
  if (!written.is_ok()) return input_error(written.message());
  return kExitOk;
}

}  // namespace shelfcast::server
