#include "store/batch_store.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "shelfcast/json.h"

namespace shelfcast::server {

Result<std::vector<JobRow>> list_jobs_of_kind(Database& db, const std::string& kind,
                                              const std::string& status, int64_t limit) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("SELECT id FROM jobs WHERE kind = ?1 AND (?2 = '' OR status = ?2) "
                               "ORDER BY id DESC LIMIT ?3"));
  st.bind(1, kind).bind(2, status).bind(3, limit);
  std::vector<int64_t> ids;
  while (st.step()) ids.push_back(st.int64(0));
  SHELFCAST_RETURN_IF_ERROR(st.status());
  std::vector<JobRow> out;
  for (int64_t id : ids) {
    SHELFCAST_ASSIGN_OR_RETURN(JobRow job, get_job(db, id));
    out.push_back(std::move(job));
  }
  return out;
}

Status save_basket_rules(Database& db, int64_t job_id, const BasketReport& report) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement rule,
      db.prepare("INSERT INTO basket_rules(job_id, rank, antecedent, consequent, support, "
                 "confidence, lift, leverage, conviction, count) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  int64_t rank = 0;
  for (const NamedRule& r : report.rules) {
    rule.reset();
    rule.bind(1, job_id).bind(2, ++rank).bind(3, dump_json(Json(r.antecedent)));
    rule.bind(4, r.consequent).bind(5, r.support).bind(6, r.confidence).bind(7, r.lift);
    rule.bind(8, r.leverage);
    if (std::isfinite(r.conviction)) {
      rule.bind(9, r.conviction);
    } else {
      rule.bind_null(9);
    }
    rule.bind(10, r.count);
    SHELFCAST_RETURN_IF_ERROR(rule.run());
  }
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement pair,
      db.prepare("INSERT INTO basket_pairs(job_id, rank, item_a, item_b, count, support, "
                 "confidence_ab, confidence_ba, lift) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  rank = 0;
  for (const NamedAffinity& a : report.affinity) {
    pair.reset();
    pair.bind(1, job_id).bind(2, ++rank).bind(3, a.item_a).bind(4, a.item_b).bind(5, a.count);
    pair.bind(6, a.support).bind(7, a.confidence_ab).bind(8, a.confidence_ba).bind(9, a.lift);
    SHELFCAST_RETURN_IF_ERROR(pair.run());
  }
  return Status::ok();
}

Result<BasketReport> stored_basket_rules(Database& db, int64_t job_id) {
  BasketReport report;
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement rules,
      db.prepare("SELECT antecedent, consequent, support, confidence, lift, leverage, conviction, "
                 "count FROM basket_rules WHERE job_id = ? ORDER BY rank"));
  rules.bind(1, job_id);
  while (rules.step()) {
    NamedRule r;
    SHELFCAST_ASSIGN_OR_RETURN(Json antecedent, parse_json(rules.text(0)));
    if (!antecedent.is_array()) return Status(ErrorCode::kDataLoss, "bad stored antecedent");
    for (const Json& item : antecedent) {
      if (!item.is_string()) return Status(ErrorCode::kDataLoss, "bad stored antecedent");
      r.antecedent.push_back(item.get<std::string>());
    }
    r.consequent = rules.text(1);
    r.support = rules.real(2);
    r.confidence = rules.real(3);
    r.lift = rules.real(4);
    r.leverage = rules.real(5);
    r.conviction = rules.is_null(6) ? std::numeric_limits<double>::infinity() : rules.real(6);
    r.count = rules.int64(7);
    report.rules.push_back(std::move(r));
  }
  SHELFCAST_RETURN_IF_ERROR(rules.status());
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement pairs,
      db.prepare("SELECT item_a, item_b, count, support, confidence_ab, confidence_ba, lift "
                 "FROM basket_pairs WHERE job_id = ? ORDER BY rank"));
  pairs.bind(1, job_id);
  while (pairs.step()) {
    NamedAffinity a;
    a.item_a = pairs.text(0);
    a.item_b = pairs.text(1);
    a.count = pairs.int64(2);
    a.support = pairs.real(3);
    a.confidence_ab = pairs.real(4);
    a.confidence_ba = pairs.real(5);
    a.lift = pairs.real(6);
    report.affinity.push_back(std::move(a));
  }
  SHELFCAST_RETURN_IF_ERROR(pairs.status());
  return report;
}

Status save_monitor_snapshot(Database& db, int64_t job_id, int64_t forecast_job_id,
                             int64_t weeks_with_actuals, const std::string& report_json) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("INSERT INTO monitor_snapshots(job_id, forecast_job_id, weeks_with_actuals, "
                 "report_json, created_at) VALUES (?, ?, ?, ?, ?)"));
  st.bind(1, job_id).bind(2, forecast_job_id).bind(3, weeks_with_actuals).bind(4, report_json);
  st.bind(5, utc_now());
  return st.run();
}

Result<std::string> monitor_snapshot(Database& db, int64_t job_id) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("SELECT report_json FROM monitor_snapshots WHERE job_id = ?"));
  st.bind(1, job_id);
  if (!st.step()) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return Status(ErrorCode::kNotFound, "job " + std::to_string(job_id) + " stored no report",
                  "id");
  }
  return st.text(0);
}

}  // namespace shelfcast::server
