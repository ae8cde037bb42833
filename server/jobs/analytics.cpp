#include "jobs/analytics.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "shelfcast/basket.h"
#include "shelfcast/customer.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

Json segments_json(const std::vector<SegmentSummary>& rows) {
  Json out = Json::array();
  for (const SegmentSummary& r : rows) {
    Json j = {{"segment", r.segment}, {"suppressed", r.suppressed}};
    if (!r.action.empty()) j["action"] = r.action;
    if (!r.suppressed) {
      j["customers"] = r.customers;
      j["mean_p_alive"] = r.mean_p_alive;
      j["expected_purchases"] = r.expected_purchases;
      j["clv"] = r.clv;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

Result<Json> run_customer_analytics(Database& db, const std::string& body,
                                    const std::string& created_by) {
  SHELFCAST_ASSIGN_OR_RETURN(Json j, parse_json(body.empty() ? "{}" : body));
  if (!j.is_object()) return invalid_argument("expected a JSON object");
  CustomerScoringOptions options;
  int64_t k = kMinCustomersPerCell;
  struct Field {
    const char* name;
    double lo, hi;
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const Field kFields[] = {
        {"horizon_weeks", 1, 260},
        {"annual_discount_rate", 0, 1},
        {"margin", 0, 1},
        {"min_customers", static_cast<double>(kMinCustomersPerCell), 1e9}};
    const Field* f = std::find_if(std::begin(kFields), std::end(kFields),
                                  [&it](const Field& x) { return it.key() == x.name; });
    if (f == std::end(kFields)) return invalid_argument("unknown field", it.key());
    if (!it->is_number() || !(it->get<double>() >= f->lo && it->get<double>() <= f->hi)) {
      return invalid_argument("expected a number from " + Json(f->lo).dump() + " to " +
                                  Json(f->hi).dump() + ", got " + it->dump(),
                              it.key());
    }
  }
  options.horizon_periods = j.value("horizon_weeks", 52);
  options.annual_discount_rate = j.value("annual_discount_rate", 0.10);
  options.margin = j.value("margin", 1.0);
  k = j.value("min_customers", kMinCustomersPerCell);

  SHELFCAST_ASSIGN_OR_RETURN(std::vector<CustomerDayRow> rows, customer_day_rows(db));
  std::vector<CustomerTransaction> purchases;
  Date last_day{0};
  for (const CustomerDayRow& r : rows) {
    const std::string id = std::to_string(r.customer_id);
    if (!purchases.empty() && purchases.back().customer_id == id &&
        purchases.back().date == r.day) {
      purchases.back().amount += r.amount;  // one purchase per customer and day
    } else {
      purchases.push_back({id, r.day, r.amount});
    }
    last_day = std::max(last_day, r.day);
  }
  if (purchases.empty()) {
    return failed_precondition("no loyalty sales (lines with a customer) to analyse");
  }
  options.summary.calibration_end = last_day;
  options.summary.holdout_end = last_day;
  SHELFCAST_ASSIGN_OR_RETURN(CustomerScoring scoring, score_customers(purchases, options));

  const Json params = {{"horizon_weeks", options.horizon_periods},
                       {"annual_discount_rate", options.annual_discount_rate},
                       {"margin", options.margin},
                       {"min_customers", k},
                       {"calibration_end", format_date(last_day)}};
  Json summary = {{"calibration_end", format_date(last_day)},
                  {"customers", static_cast<int64_t>(scoring.customers.size())},
                  {"min_customers", k},
                  {"bgnbd",
                   {{"r", scoring.bgnbd.r},
                    {"alpha", scoring.bgnbd.alpha},
                    {"a", scoring.bgnbd.a},
                    {"b", scoring.bgnbd.b},
                    {"loglik", scoring.bgnbd.log_likelihood}}},
                  {"churn_segments", segments_json(summarize_segments(scoring, k, false))},
                  {"rfm_segments", segments_json(summarize_segments(scoring, k, true))},
                  {"model_version", core_model_version()}};
  if (scoring.has_spend_model) {
    summary["gamma_gamma"] = {{"p", scoring.gamma_gamma.p},
                              {"q", scoring.gamma_gamma.q},
                              {"gamma", scoring.gamma_gamma.gamma}};
  }
  if (!scoring.spend_model_note.empty()) summary["spend_model_note"] = scoring.spend_model_note;
  SHELFCAST_ASSIGN_OR_RETURN(
      int64_t run,
      save_customer_run(db, dump_json(params), dump_json(summary), created_by, scoring));
  summary["run"] = run;
  return summary;
}

Result<Json> latest_customer_analytics(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(auto run, latest_customer_run(db));
  SHELFCAST_ASSIGN_OR_RETURN(Json summary, parse_json(run.second));
  summary["run"] = run.first;
  return summary;
}

Result<Json> basket_affinity(Database& db, const std::string& level, double min_support,
                             double min_confidence, int32_t max_rules) {
  if (level != "product" && level != "category") {
    return invalid_argument("expected product or category, got \"" + level + "\"", "level");
  }
  SHELFCAST_ASSIGN_OR_RETURN(auto baskets, loyalty_baskets(db, level == "category"));
  if (baskets.empty()) return failed_precondition("no loyalty baskets (order references) yet");
  BasketRequest request;
  request.baskets = std::move(baskets);
  request.options.min_support = min_support;
  request.options.min_confidence = min_confidence;
  request.options.max_len = 4;
  request.affinity_min_support = min_support;
  request.max_rules = 0;  // cut after the k filter
  SHELFCAST_ASSIGN_OR_RETURN(BasketReport report, basket_report(request));
  int64_t suppressed = 0;
  const auto small = [&suppressed](int64_t count) {
    const bool s = count < kMinCustomersPerCell;
    suppressed += s ? 1 : 0;
    return s;
  };
  report.rules.erase(std::remove_if(report.rules.begin(), report.rules.end(),
                                    [&](const NamedRule& r) { return small(r.count); }),
                     report.rules.end());
  report.affinity.erase(std::remove_if(report.affinity.begin(), report.affinity.end(),
                                       [&](const NamedAffinity& a) { return small(a.count); }),
                        report.affinity.end());
  if (max_rules > 0 && report.rules.size() > static_cast<size_t>(max_rules)) {
    report.rules.resize(static_cast<size_t>(max_rules));
  }
  Json out = report;
  out["level"] = level;
  out["suppressed_under_k"] = suppressed;
  out["min_count"] = kMinCustomersPerCell;
  return out;
}

}  // namespace shelfcast::server
