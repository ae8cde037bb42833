#include "jobs/batch_jobs.h"

#include <nlohmann/json.hpp>

#include "jobs/analytics.h"
#include "jobs/monitor.h"
#include "jobs/retention.h"
#include "promo/promo_fit.h"
#include "shelfcast/forecast.h"
#include "store/batch_store.h"

namespace shelfcast::server {
namespace {

Status cancelled_status() { return failed_precondition("cancelled"); }

// An integer field of a job body, required, in [lo, hi].
Result<int64_t> required_integer(const Json& j, const char* name, int64_t lo, int64_t hi) {
  const auto it = j.find(name);
  if (it == j.end()) return invalid_argument("is required", name);
  if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi) {
    return invalid_argument("expected an integer from " + std::to_string(lo) + " to " +
                                std::to_string(hi) + ", got " + it->dump(),
                            name);
  }
  return it->get<int64_t>();
}

// A body that may hold only `field`.
Result<Json> single_field_body(const std::string& body, const char* field) {
  SHELFCAST_ASSIGN_OR_RETURN(Json j, parse_json(body.empty() ? "{}" : body));
  if (!j.is_object()) return invalid_argument("expected a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != field) return invalid_argument("unknown field", it.key());
  }
  return j;
}

// Registers a finished analytics job in the model registry beside the forecast jobs.
Status register_analytics_model(Database& db, const JobRow& job, const Json& metrics,
                                const Json& models) {
  SHELFCAST_ASSIGN_OR_RETURN(std::string hash, data_hash(db));
  RegistryEntry e;
  e.job_id = job.id;
  e.kind = job.kind;
  e.model_version = job.model_version;
  e.data_hash = hash;
  e.params_json = job.params_json;
  e.metrics_json = dump_json(metrics);
  e.models_json = dump_json(models);
  return register_model(db, e).status();
}

// Customer analytics: the scores stay in customer_scores by pseudonym; the summary carries the
// fit and how many segments were shown or suppressed, not the segment tables (those leave the
// server only through the audited GET /api/v1/analytics/customers).
Result<Json> run_customers(Database& db, const JobRow& job, const JobControl& control) {
  SHELFCAST_RETURN_IF_ERROR(control.progress(0, 2));
  if (control.cancelled()) return cancelled_status();
  SHELFCAST_ASSIGN_OR_RETURN(Json run, run_customer_analytics(db, job.params_json, job.created_by));
  SHELFCAST_RETURN_IF_ERROR(control.progress(1, 2));
  Json summary = {{"run", run["run"]},
                  {"calibration_end", run["calibration_end"]},
                  {"customers", run["customers"]},
                  {"min_customers", run["min_customers"]},
                  {"bgnbd", run["bgnbd"]},
                  {"model_version", run["model_version"]},
                  {"segments", "GET /api/v1/analytics/customers"}};
  if (run.contains("gamma_gamma")) summary["gamma_gamma"] = run["gamma_gamma"];
  for (const char* table : {"churn_segments", "rfm_segments"}) {
    int64_t shown = 0, suppressed = 0;
    for (const Json& s : run[table]) ++(s.value("suppressed", false) ? suppressed : shown);
    summary[table] = {{"shown", shown}, {"suppressed", suppressed}};
  }
  Json models = {{"bgnbd", run["bgnbd"]}};
  if (run.contains("gamma_gamma")) models["gamma_gamma"] = run["gamma_gamma"];
  SHELFCAST_RETURN_IF_ERROR(
      register_analytics_model(db, job, Json{{"bgnbd_loglik", run["bgnbd"]["loglik"]}}, models));
  return summary;
}

// Basket affinity: rules and pairs that pass the k filter, stored with the job.
Result<Json> run_basket(Database& db, const JobRow& job, const JobControl& control) {
  SHELFCAST_ASSIGN_OR_RETURN(BasketJobSpec spec, decode_basket_job(job.params_json));
  SHELFCAST_RETURN_IF_ERROR(control.progress(0, 2));
  if (control.cancelled()) return cancelled_status();
  int64_t suppressed = 0;
  SHELFCAST_ASSIGN_OR_RETURN(BasketReport report, k_anonymous_basket_report(db, spec, &suppressed));
  SHELFCAST_RETURN_IF_ERROR(control.progress(1, 2));
  if (control.cancelled()) return cancelled_status();
  const Json summary = {{"level", spec.level},
                        {"min_support", spec.min_support},
                        {"min_confidence", spec.min_confidence},
                        {"max_len", spec.max_len},
                        {"transactions", report.n_transactions},
                        {"items", report.n_items},
                        {"itemsets", report.n_itemsets},
                        {"rules_mined", report.n_rules},
                        {"rules_stored", static_cast<int64_t>(report.rules.size())},
                        {"pairs_stored", static_cast<int64_t>(report.affinity.size())},
                        {"suppressed_under_k", suppressed},
                        {"min_count", kMinCustomersPerCell},
                        {"model_version", job.model_version},
                        {"rules", "GET /api/v1/analytics/affinity?level=" + spec.level}};
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_RETURN_IF_ERROR(save_basket_rules(db, job.id, report));
  SHELFCAST_RETURN_IF_ERROR(register_analytics_model(
      db, job, Json::object(),
      Json{{"fp_growth", {{"rules", report.rules.size()}, {"pairs", report.affinity.size()}}}}));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return summary;
}

// Retention: the purge of run_retention, audited as done by whoever submitted the job.
Result<Json> run_retention_job(Database& db, const JobRow& job, const JobControl& control) {
  SHELFCAST_ASSIGN_OR_RETURN(Json params, parse_json(job.params_json));
  SHELFCAST_ASSIGN_OR_RETURN(int64_t keep_days, required_integer(params, "keep_days", 7, 36500));
  SHELFCAST_RETURN_IF_ERROR(control.progress(0, 1));
  if (control.cancelled()) return cancelled_status();
  SHELFCAST_ASSIGN_OR_RETURN(Json summary, run_retention(db, keep_days, job.created_by));
  summary["keep_days"] = keep_days;
  return summary;
}

// Monitoring: the monitor figures of a forecast job as of now, stored.
Result<Json> run_monitoring(Database& db, const JobRow& job, const JobControl& control) {
  SHELFCAST_ASSIGN_OR_RETURN(Json params, parse_json(job.params_json));
  SHELFCAST_ASSIGN_OR_RETURN(int64_t forecast_job, required_integer(params, "job", 1, INT64_MAX));
  SHELFCAST_RETURN_IF_ERROR(control.progress(0, 1));
  if (control.cancelled()) return cancelled_status();
  SHELFCAST_ASSIGN_OR_RETURN(Json report, monitor_job(db, forecast_job));
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_RETURN_IF_ERROR(save_monitor_snapshot(
      db, job.id, forecast_job, report["weeks_with_actuals"].get<int64_t>(), dump_json(report)));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return report;
}

// Promotion-model fit of one category (issue 4), stored as the synchronous route stores it.
Result<Json> run_promo_fit(Database& db, const JobRow& job, const JobControl& control) {
  SHELFCAST_ASSIGN_OR_RETURN(Json params, parse_json(job.params_json));
  const std::string category = params.value("category", "");
  SHELFCAST_RETURN_IF_ERROR(control.progress(0, 1));
  if (control.cancelled()) return cancelled_status();
  SHELFCAST_ASSIGN_OR_RETURN(PromoModelRecord r,
                             fit_category_promo_model(db, category, job.created_by));
  return Json{{"category", category},
              {"promo_model", r.id},
              {"model_version", r.model_version},
              {"data_hash", r.data_hash},
              {"n_observations", r.n_observations},
              {"model", "GET /api/v1/promo/models/" + category}};
}

}  // namespace

bool is_batch_job_kind(const std::string& kind) {
  return kind == "customers" || kind == "basket" || kind == "retention" || kind == "monitoring" ||
         kind == "promo_fit";
}

Result<std::string> decode_batch_job(Database& db, const std::string& kind,
                                     const std::string& body) {
  if (kind == "customers") {
    SHELFCAST_ASSIGN_OR_RETURN(Json params, decode_customer_analytics(body));
    return dump_json(params);
  }
  if (kind == "basket") {
    SHELFCAST_ASSIGN_OR_RETURN(BasketJobSpec spec, decode_basket_job(body));
    return encode_basket_job(spec);
  }
  if (kind == "retention") {
    SHELFCAST_ASSIGN_OR_RETURN(Json j, single_field_body(body, "keep_days"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t keep_days, required_integer(j, "keep_days", 7, 36500));
    return dump_json(Json{{"keep_days", keep_days}});
  }
  if (kind == "monitoring") {
    SHELFCAST_ASSIGN_OR_RETURN(Json j, single_field_body(body, "job"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, required_integer(j, "job", 1, INT64_MAX));
    Result<JobRow> target = get_job(db, id);
    if (!target.is_ok()) {
      if (target.status().code() != ErrorCode::kNotFound) return target.status();
      return invalid_argument("no job " + std::to_string(id), "job");
    }
    if (target->kind != "forecast" || target->status != "done") {
      return invalid_argument("job " + std::to_string(id) + " is a " + target->status + " " +
                                  target->kind + " job, not a finished forecast job",
                              "job");
    }
    return dump_json(Json{{"job", id}});
  }
  if (kind == "promo_fit") {
    SHELFCAST_ASSIGN_OR_RETURN(Json j, single_field_body(body, "category"));
    if (!j.contains("category") || !j.at("category").is_string() ||
        j.at("category").get<std::string>().empty())
      return invalid_argument("expected a category code", "category");
    const std::string category = j.at("category").get<std::string>();
    Status exists = check_category_exists(db, category);
    if (!exists.is_ok()) return invalid_argument(exists.message(), "category");
    return dump_json(Json{{"category", category}});
  }
  return invalid_argument("unknown job kind \"" + kind + "\"", "kind");
}

Result<Json> run_batch_job(Database& db, const JobRow& job, const JobControl& control) {
  if (job.kind == "customers") return run_customers(db, job, control);
  if (job.kind == "basket") return run_basket(db, job, control);
  if (job.kind == "retention") return run_retention_job(db, job, control);
  if (job.kind == "monitoring") return run_monitoring(db, job, control);
  if (job.kind == "promo_fit") return run_promo_fit(db, job, control);
  return internal_error("no runner for job kind \"" + job.kind + "\"");
}

}  // namespace shelfcast::server
