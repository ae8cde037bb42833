#include "jobs/analytics.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "shelfcast/basket.h"
#include "shelfcast/customer.h"
#include "store/batch_store.h"
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

Result<Json> decode_customer_analytics(const std::string& body) {
  SHELFCAST_ASSIGN_OR_RETURN(Json j, parse_json(body.empty() ? "{}" : body));
  if (!j.is_object()) return invalid_argument("expected a JSON object");
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
  return Json{{"horizon_weeks", j.value("horizon_weeks", 52)},
              {"annual_discount_rate", j.value("annual_discount_rate", 0.10)},
              {"margin", j.value("margin", 1.0)},
              {"min_customers", j.value("min_customers", kMinCustomersPerCell)}};
}

Result<Json> run_customer_analytics(Database& db, const std::string& body,
                                    const std::string& created_by) {
  SHELFCAST_ASSIGN_OR_RETURN(Json j, decode_customer_analytics(body));
  CustomerScoringOptions options;
  options.horizon_periods = j["horizon_weeks"].get<int32_t>();
  options.annual_discount_rate = j["annual_discount_rate"].get<double>();
  options.margin = j["margin"].get<double>();
  const int64_t k = j["min_customers"].get<int64_t>();

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

Result<BasketJobSpec> decode_basket_job(const std::string& body) {
  SHELFCAST_ASSIGN_OR_RETURN(Json j, parse_json(body.empty() ? "{}" : body));
  if (!j.is_object()) return invalid_argument("expected a JSON object");
  BasketJobSpec spec;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "level") {
      if (!it->is_string() || (*it != "product" && *it != "category")) {
        return invalid_argument("expected product or category, got " + it->dump(), key);
      }
      spec.level = it->get<std::string>();
    } else if (key == "min_support" || key == "min_confidence") {
      const double lo = key == "min_support" ? 1e-6 : 0.0;
      if (!it->is_number() || !(it->get<double>() >= lo && it->get<double>() <= 1.0)) {
        return invalid_argument(
            "expected a number from " + Json(lo).dump() + " to 1, got " + it->dump(), key);
      }
      (key == "min_support" ? spec.min_support : spec.min_confidence) = it->get<double>();
    } else if (key == "max_len" || key == "max_rules") {
      const int64_t lo = key == "max_len" ? 2 : 1, hi = key == "max_len" ? 10 : 100000;
      if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi) {
        return invalid_argument("expected an integer from " + std::to_string(lo) + " to " +
                                    std::to_string(hi) + ", got " + it->dump(),
                                key);
      }
      (key == "max_len" ? spec.max_len : spec.max_rules) = static_cast<int32_t>(it->get<int64_t>());
    } else {
      return invalid_argument("unknown field", key);
    }
  }
  return spec;
}

std::string encode_basket_job(const BasketJobSpec& spec) {
  return dump_json(Json{{"level", spec.level},
                        {"min_support", spec.min_support},
                        {"min_confidence", spec.min_confidence},
                        {"max_len", spec.max_len},
                        {"max_rules", spec.max_rules}});
}

Result<BasketReport> k_anonymous_basket_report(Database& db, const BasketJobSpec& spec,
                                               int64_t* suppressed) {
  if (spec.level != "product" && spec.level != "category") {
    return invalid_argument("expected product or category, got \"" + spec.level + "\"", "level");
  }
  SHELFCAST_ASSIGN_OR_RETURN(auto baskets, loyalty_baskets(db, spec.level == "category"));
  if (baskets.empty()) return failed_precondition("no loyalty baskets (order references) yet");
  BasketRequest request;
  request.baskets = std::move(baskets);
  request.options.min_support = spec.min_support;
  request.options.min_confidence = spec.min_confidence;
  request.options.max_len = spec.max_len;
  request.affinity_min_support = spec.min_support;
  request.max_rules = 0;  // cut after the k filter
  SHELFCAST_ASSIGN_OR_RETURN(BasketReport report, basket_report(request));
  *suppressed = 0;
  const auto small = [suppressed](int64_t count) {
    const bool s = count < kMinCustomersPerCell;
    *suppressed += s ? 1 : 0;
    return s;
  };
  report.rules.erase(std::remove_if(report.rules.begin(), report.rules.end(),
                                    [&](const NamedRule& r) { return small(r.count); }),
                     report.rules.end());
  report.affinity.erase(std::remove_if(report.affinity.begin(), report.affinity.end(),
                                       [&](const NamedAffinity& a) { return small(a.count); }),
                        report.affinity.end());
  if (spec.max_rules > 0 && report.rules.size() > static_cast<size_t>(spec.max_rules)) {
    report.rules.resize(static_cast<size_t>(spec.max_rules));
  }
  return report;
}

namespace {

// The latest finished basket job of `level` mined at thresholds at or below the requested ones,
// its rules and pairs filtered by them; nullopt when there is none.
Result<std::optional<Json>> stored_affinity(Database& db, const std::string& level,
                                            double min_support, double min_confidence,
                                            int32_t max_rules) {
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<JobRow> jobs,
                             list_jobs_of_kind(db, "basket", "done", 100));
  for (const JobRow& job : jobs) {
    Result<BasketJobSpec> spec = decode_basket_job(job.params_json);
    if (!spec.is_ok() || spec->level != level || spec->min_support > min_support ||
        spec->min_confidence > min_confidence) {
      continue;
    }
    SHELFCAST_ASSIGN_OR_RETURN(BasketReport report, stored_basket_rules(db, job.id));
    report.rules.erase(std::remove_if(report.rules.begin(), report.rules.end(),
                                      [&](const NamedRule& r) {
                                        return r.support < min_support ||
                                               r.confidence < min_confidence;
                                      }),
                       report.rules.end());
    report.affinity.erase(
        std::remove_if(report.affinity.begin(), report.affinity.end(),
                       [&](const NamedAffinity& a) { return a.support < min_support; }),
        report.affinity.end());
    Result<Json> parsed = parse_json(job.summary_json);
    const Json summary = parsed.is_ok() && parsed->is_object() ? *parsed : Json::object();
    report.n_transactions = summary.value("transactions", int64_t{0});
    report.n_items = summary.value("items", int64_t{0});
    report.n_itemsets = summary.value("itemsets", int64_t{0});
    report.n_rules = static_cast<int64_t>(report.rules.size());
    if (report.rules.size() > static_cast<size_t>(max_rules)) {
      report.rules.resize(static_cast<size_t>(max_rules));
    }
    Json out = report;
    out["level"] = level;
    out["suppressed_under_k"] = summary.value("suppressed_under_k", int64_t{0});
    out["min_count"] = kMinCustomersPerCell;
    out["source"] = "job";
    out["job"] = job.id;
    out["model_version"] = job.model_version;
    out["max_len"] = spec->max_len;
    out["mined_at"] = job.finished_at;
    return std::optional<Json>(std::move(out));
  }
  return std::optional<Json>();
}

}  // namespace

Result<Json> basket_affinity(Database& db, const std::string& level, double min_support,
                             double min_confidence, int32_t max_rules, const std::string& source) {
  if (level != "product" && level != "category") {
    return invalid_argument("expected product or category, got \"" + level + "\"", "level");
  }
  if (source != "auto" && source != "job" && source != "live") {
    return invalid_argument("expected auto, job or live, got \"" + source + "\"", "source");
  }
  if (source != "live") {
    SHELFCAST_ASSIGN_OR_RETURN(std::optional<Json> stored,
                               stored_affinity(db, level, min_support, min_confidence, max_rules));
    if (stored) return std::move(*stored);
    if (source == "job") {
      return not_found("no finished " + level +
                       "-level basket job mined at these thresholds or below; POST "
                       "/api/v1/jobs/basket");
    }
  }
  BasketJobSpec spec;
  spec.level = level;
  spec.min_support = min_support;
  spec.min_confidence = min_confidence;
  spec.max_len = 4;
  spec.max_rules = max_rules;
  int64_t suppressed = 0;
  SHELFCAST_ASSIGN_OR_RETURN(BasketReport report, k_anonymous_basket_report(db, spec, &suppressed));
  Json out = report;
  out["level"] = level;
  out["suppressed_under_k"] = suppressed;
  out["min_count"] = kMinCustomersPerCell;
  out["source"] = "live";
  out["model_version"] = core_model_version();
  out["max_len"] = spec.max_len;
  return out;
}

}  // namespace shelfcast::server
