#include "governance/approvals.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "governance/audit.h"

namespace shelfcast::server {
namespace {

struct RuleField {
  const char* name;
  double ApprovalRules::*member;
  double lo, hi;
};

const RuleField kRuleFields[] = {
    {"max_discount_depth", &ApprovalRules::max_discount_depth, 0.0, 0.95},
    {"min_incremental_margin", &ApprovalRules::min_incremental_margin, -1e12, 1e12},
    {"max_override_fraction", &ApprovalRules::max_override_fraction, 0.0, 100.0},
    {"max_stockout_risk", &ApprovalRules::max_stockout_risk, 0.0, 1.0},
    {"tracking_signal_limit", &ApprovalRules::tracking_signal_limit, 0.1, 1000.0},
    {"min_uplift_ratio", &ApprovalRules::min_uplift_ratio, 0.0, 1.0},
};

const char* const kKinds[] = {"promotion", "forecast_override", "replenishment"};

// A number field of `object`: absent -> nullopt-like NaN; present but not a finite number in
// [lo, hi] -> kInvalidArgument naming `field`.
Result<double> number_field(const Json& object, const char* key, const std::string& field,
                            double lo, double hi, bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return invalid_argument("is required", field);
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (!it->is_number() || !(it->get<double>() >= lo && it->get<double>() <= hi)) {
    return invalid_argument("expected a number from " + Json(lo).dump() + " to " + Json(hi).dump() +
                                ", got " + it->dump(),
                            field);
  }
  return it->get<double>();
}

Result<std::string> text_field(const Json& object, const char* key, const std::string& field,
                               bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return invalid_argument("is required", field);
    return std::string();
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    return invalid_argument("expected a non-empty string", field);
  }
  return it->get<std::string>();
}

Status date_field(const Json& object, const char* key, const std::string& field) {
  SHELFCAST_ASSIGN_OR_RETURN(std::string text, text_field(object, key, field, true));
  Result<Date> d = parse_date(text);
  if (!d.is_ok())
    return invalid_argument("expected a date YYYY-MM-DD, got \"" + text + "\"", field);
  return Status::ok();
}

Status check_purchase_line(const Json& l, const std::string& at) {
  SHELFCAST_RETURN_IF_ERROR(text_field(l, "product_id", at + "product_id", true).status());
  // The vendor may still be open ("" or absent): the approver or Odoo's buyer picks it.
  if (l.contains("partner_id") && !l["partner_id"].is_string()) {
    return invalid_argument("expected the vendor's name", at + "partner_id");
  }
  SHELFCAST_RETURN_IF_ERROR(
      number_field(l, "product_qty", at + "product_qty", 1e-9, 1e9, true).status());
  return date_field(l, "date_planned", at + "date_planned");
}

Status check_transfer(const Json& t, const std::string& at) {
  for (const char* k : {"product_id", "location_id", "location_dest_id"}) {
    SHELFCAST_RETURN_IF_ERROR(text_field(t, k, at + k, true).status());
  }
  SHELFCAST_RETURN_IF_ERROR(
      number_field(t, "product_uom_qty", at + "product_uom_qty", 1e-9, 1e9, true).status());
  return date_field(t, "scheduled_date", at + "scheduled_date");
}

Status check_orderpoint(const Json& o, const std::string& at) {
  for (const char* k : {"product_id", "location"}) {
    SHELFCAST_RETURN_IF_ERROR(text_field(o, k, at + k, true).status());
  }
  SHELFCAST_ASSIGN_OR_RETURN(
      double lo, number_field(o, "product_min_qty", at + "product_min_qty", 0.0, 1e9, true));
  SHELFCAST_ASSIGN_OR_RETURN(
      double hi, number_field(o, "product_max_qty", at + "product_max_qty", 0.0, 1e9, true));
  if (hi < lo) return invalid_argument("expected max >= min", at + "product_max_qty");
  return Status::ok();
}

// The lines of a replenishment proposal, checked for the fields Odoo needs.
Status check_replenishment(const Json& p) {
  size_t records = 0;
  const auto list = [&p](const char* key) -> Result<const Json*> {
    auto it = p.find(key);
    if (it == p.end()) return static_cast<const Json*>(nullptr);
    if (!it->is_array())
      return invalid_argument("expected an array", std::string("payload.") + key);
    return &*it;
  };
  SHELFCAST_ASSIGN_OR_RETURN(const Json* purchases, list("purchase_lines"));
  SHELFCAST_ASSIGN_OR_RETURN(const Json* transfers, list("transfers"));
  SHELFCAST_ASSIGN_OR_RETURN(const Json* orderpoints, list("orderpoints"));
  const auto each = [&records](const Json* arr, const std::string& name,
                               const auto& check) -> Status {
    if (arr == nullptr) return Status::ok();
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string at = "payload." + name + "[" + std::to_string(i) + "].";
      if (!(*arr)[i].is_object()) return invalid_argument("expected an object", at);
      SHELFCAST_RETURN_IF_ERROR(check((*arr)[i], at));
      ++records;
    }
    return Status::ok();
  };
  SHELFCAST_RETURN_IF_ERROR(each(purchases, "purchase_lines", check_purchase_line));
  SHELFCAST_RETURN_IF_ERROR(each(transfers, "transfers", check_transfer));
  SHELFCAST_RETURN_IF_ERROR(each(orderpoints, "orderpoints", check_orderpoint));
  if (records == 0) {
    return invalid_argument("expected at least one of purchase_lines, transfers, orderpoints",
                            "payload");
  }
  return Status::ok();
}

// The stockout risk of a payload: given, or from a replenishment plan's store summaries (the
// largest share of a store's demand its available stock does not cover); NaN when unknown.
Result<double> stockout_risk(const Json& p) {
  SHELFCAST_ASSIGN_OR_RETURN(
      double given, number_field(p, "stockout_risk", "payload.stockout_risk", 0, 1, false));
  if (std::isfinite(given)) return given;
  auto stores = p.find("stores");
  if (stores == p.end() || !stores->is_array()) return given;
  double risk = std::numeric_limits<double>::quiet_NaN();
  for (const Json& s : *stores) {
    if (!s.is_object()) continue;
    const auto number = [&s](const char* key) {
      auto it = s.find(key);
      return it != s.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    const double demand = number("demand_to_end_units");
    const double shortage = number("shortage_before_units");
    if (demand > 0.0) {
      const double r = std::clamp(shortage / demand, 0.0, 1.0);
      risk = std::isfinite(risk) ? std::max(risk, r) : r;
    }
  }
  return risk;
}

struct Evaluation {
  Json rules = Json::array();
  std::vector<std::string> reasons;
  void add(const std::string& rule, double value, double threshold, bool tripped,
           const std::string& reason) {
    rules.push_back({{"rule", rule},
                     {"value", std::isfinite(value) ? Json(value) : Json()},
                     {"threshold", threshold},
                     {"tripped", tripped},
                     {"reason", reason}});
    if (tripped) reasons.push_back(reason);
  }
  void not_applicable(const std::string& rule, double threshold) {
    rules.push_back({{"rule", rule}, {"threshold", threshold}, {"applies", false}});
  }
};

std::string pct(double fraction) {
  std::ostringstream s;
  s.precision(3);
  s << fraction * 100.0 << "%";
  return s.str();
}

// An amount for a reason a person reads: thousands grouped, at most two decimals, none when
// whole: -2000.049 -> "-2,000.05", 150 -> "150", 0.5 -> "0.5".
std::string num(double v) {
  if (!std::isfinite(v)) return v != v ? "n/a" : (v > 0 ? "inf" : "-inf");
  const double cents = std::round(std::fabs(v) * 100.0);
  const double whole = std::floor(cents / 100.0);
  const int frac = static_cast<int>(cents - whole * 100.0);
  std::string digits = std::to_string(static_cast<long long>(whole));
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  if (frac != 0) {
    grouped += '.';
    grouped += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) grouped += static_cast<char>('0' + frac % 10);
  }
  return (v < 0 && cents > 0 ? "-" : "") + grouped;
}

// Checks the payload of its kind, fills in what the server knows (a forecast override's model
// forecast from the named job) and evaluates every rule that applies.
Result<Evaluation> evaluate(Database& db, const ApprovalRules& rules, Submission* sub) {
  Json& p = sub->payload;
  Evaluation ev;
  if (sub->kind == "promotion") {
    SHELFCAST_RETURN_IF_ERROR(text_field(p, "product", "payload.product", true).status());
    double depth = std::numeric_limits<double>::quiet_NaN();
    if (p.contains("promotion")) {
      if (!p["promotion"].is_object()) {
        return invalid_argument("expected {start, end, depth}", "payload.promotion");
      }
      SHELFCAST_ASSIGN_OR_RETURN(
          depth, number_field(p["promotion"], "depth", "payload.promotion.depth", 0, 0.95, true));
    } else {
      SHELFCAST_ASSIGN_OR_RETURN(depth, number_field(p, "depth", "payload.depth", 0, 0.95, true));
    }
    ev.add("discount_depth", depth, rules.max_discount_depth, depth > rules.max_discount_depth,
           "discount depth " + pct(depth) + " is above " + pct(rules.max_discount_depth));
    SHELFCAST_ASSIGN_OR_RETURN(
        double margin,
        number_field(p, "incremental_margin", "payload.incremental_margin", -1e12, 1e12, false));
    if (std::isfinite(margin)) {
      ev.add(
          "incremental_margin", margin, rules.min_incremental_margin,
          margin < rules.min_incremental_margin,
          "incremental margin " + num(margin) + " is below " + num(rules.min_incremental_margin));
    } else {
      ev.add("incremental_margin", margin, rules.min_incremental_margin, true,
             "incremental margin not given: an approver checks it");
    }
  } else if (sub->kind == "forecast_override") {
    SHELFCAST_ASSIGN_OR_RETURN(std::string product,
                               text_field(p, "product", "payload.product", true));
    SHELFCAST_ASSIGN_OR_RETURN(std::string store, text_field(p, "store", "payload.store", true));
    SHELFCAST_RETURN_IF_ERROR(date_field(p, "week", "payload.week"));
    const Date week = week_start(*parse_date(p["week"].get<std::string>()));
    p["week"] = format_date(week);
    SHELFCAST_ASSIGN_OR_RETURN(
        double override_units,
        number_field(p, "override_units", "payload.override_units", 0, 1e12, true));
    SHELFCAST_ASSIGN_OR_RETURN(
        double model_units, number_field(p, "model_units", "payload.model_units", 0, 1e12, false));
    if (p.contains("job")) {
      if (!p["job"].is_number_integer() || p["job"].get<int64_t>() < 1) {
        return invalid_argument("expected a job id", "payload.job");
      }
      const int64_t job = p["job"].get<int64_t>();
      SHELFCAST_ASSIGN_OR_RETURN(std::vector<StoredForecast> rows,
                                 job_forecasts(db, job, product, store, 1000, 0));
      auto it = std::find_if(rows.begin(), rows.end(),
                             [&week](const StoredForecast& f) { return f.week == week; });
      if (it == rows.end()) {
        return invalid_argument("job " + std::to_string(job) + " has no forecast of " + product +
                                    " in " + store + " for the week of " + format_date(week),
                                "payload.week");
      }
      model_units = it->mean;  // the model's own number, never the submitter's
      p["model_units"] = model_units;
    } else if (!std::isfinite(model_units)) {
      return invalid_argument("is required when no job is named", "payload.model_units");
    }
    const double change = model_units > 0.0 ? std::fabs(override_units - model_units) / model_units
                          : override_units > 0.0 ? std::numeric_limits<double>::infinity()
                                                 : 0.0;
    ev.add("override_fraction", change, rules.max_override_fraction,
           change > rules.max_override_fraction,
           std::isfinite(change)
               ? "override " + num(override_units) + " is " + pct(change) + " from the model's " +
                     num(model_units) + ", above " + pct(rules.max_override_fraction)
               : "override " + num(override_units) + " where the model forecasts 0");
  } else if (sub->kind == "replenishment") {
    SHELFCAST_RETURN_IF_ERROR(check_replenishment(p));
  } else {
    return invalid_argument("expected promotion, forecast_override or replenishment", "kind");
  }
  SHELFCAST_ASSIGN_OR_RETURN(double risk, stockout_risk(p));
  if (std::isfinite(risk)) {
    ev.add("stockout_risk", risk, rules.max_stockout_risk, risk > rules.max_stockout_risk,
           "stockout risk " + pct(risk) + " is above " + pct(rules.max_stockout_risk));
  } else {
    ev.not_applicable("stockout_risk", rules.max_stockout_risk);
  }
  return ev;
}

// The outbox records of an approved replenishment proposal, in Odoo's field names.
Status queue_for_odoo(Database& db, int64_t approval_id, const Json& payload) {
  const std::pair<const char*, const char*> kinds[] = {
      {"purchase_lines", "purchase.order.line"},
      {"transfers", "stock.picking"},
      {"orderpoints", "stock.warehouse.orderpoint"}};
  for (const auto& [key, model] : kinds) {
    for (const Json& line : payload.value(key, Json::array())) {
      Json values = line;
      values.erase("model");
      values["state"] = "draft";
      SHELFCAST_RETURN_IF_ERROR(insert_outbox(db, approval_id, model, dump_json(values)));
    }
  }
  return Status::ok();
}

Json parsed(const std::string& text, Json fallback) {
  Result<Json> j = parse_json(text);
  return j.is_ok() ? *j : fallback;
}

Result<std::string> comment_of(const std::string& body, bool required) {
  if (body.empty()) {
    if (required) return invalid_argument("a comment is required", "comment");
    return std::string();
  }
  SHELFCAST_ASSIGN_OR_RETURN(Json j, parse_json(body));
  if (!j.is_object()) return invalid_argument("expected {\"comment\": \"...\"}");
  auto it = j.find("comment");
  if (it == j.end() || it->is_null()) {
    if (required) return invalid_argument("a comment is required", "comment");
    return std::string();
  }
  if (!it->is_string()) return invalid_argument("expected a string", "comment");
  std::string c = it->get<std::string>();
  const bool blank = c.find_first_not_of(" \t\r\n") == std::string::npos;
  if (required && blank) return invalid_argument("a comment is required", "comment");
  if (c.size() > 4000) return invalid_argument("expected at most 4000 characters", "comment");
  return c;
}

}  // namespace

Json approval_rules_json(const ApprovalRules& rules) {
  Json out = Json::object();
  for (const RuleField& f : kRuleFields) out[f.name] = rules.*(f.member);
  return out;
}

Result<ApprovalRules> parse_approval_rules(const std::string& text) {
  Result<Json> j = parse_json(text);
  if (!j.is_ok()) return invalid_argument("not JSON: " + j.status().message());
  if (!j->is_object()) return invalid_argument("expected a JSON object of thresholds");
  ApprovalRules rules;
  for (auto it = j->begin(); it != j->end(); ++it) {
    const auto f = std::find_if(std::begin(kRuleFields), std::end(kRuleFields),
                                [&it](const RuleField& r) { return it.key() == r.name; });
    if (f == std::end(kRuleFields)) {
      std::string known;
      for (const RuleField& r : kRuleFields)
        known += (known.empty() ? "" : ", ") + std::string(r.name);
      return invalid_argument("unknown field (known: " + known + ")", it.key());
    }
    SHELFCAST_ASSIGN_OR_RETURN(rules.*(f->member),
                               number_field(*j, f->name, f->name, f->lo, f->hi, true));
  }
  return rules;
}

Result<ApprovalRules> load_approval_rules(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return invalid_argument(path + ": cannot read the approval rules file", "approval-rules");
  std::stringstream s;
  s << in.rdbuf();
  Result<ApprovalRules> rules = parse_approval_rules(s.str());
  if (!rules.is_ok()) {
    const Status& e = rules.status();
    return invalid_argument(
        path + ": " + (e.field().empty() ? "" : "field '" + e.field() + "': ") + e.message(),
        e.field());
  }
  return rules;
}

Result<std::vector<Submission>> decode_submissions(const std::string& body) {
  SHELFCAST_ASSIGN_OR_RETURN(Json j, parse_json(body.empty() ? "null" : body));
  if (!j.is_object()) {
    return invalid_argument(
        "expected {\"submissions\":[{kind, title?, payload}]} or one submission");
  }
  std::vector<Json> items;
  std::string prefix;
  if (j.contains("submissions")) {
    if (!j["submissions"].is_array() || j["submissions"].empty() || j["submissions"].size() > 500) {
      return invalid_argument("expected an array of 1 to 500 submissions", "submissions");
    }
    items = j["submissions"].get<std::vector<Json>>();
    prefix = "submissions[";
  } else {
    items = {j};
  }
  std::vector<Submission> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = prefix.empty() ? "" : prefix + std::to_string(i) + "].";
    const Json& item = items[i];
    if (!item.is_object()) return invalid_argument("expected an object", at.empty() ? "" : at);
    Submission s;
    SHELFCAST_ASSIGN_OR_RETURN(s.kind, text_field(item, "kind", at + "kind", true));
    if (std::none_of(std::begin(kKinds), std::end(kKinds),
                     [&s](const char* k) { return s.kind == k; })) {
      return invalid_argument("expected promotion, forecast_override or replenishment",
                              at + "kind");
    }
    SHELFCAST_ASSIGN_OR_RETURN(s.title, text_field(item, "title", at + "title", false));
    auto payload = item.find("payload");
    if (payload == item.end() || !payload->is_object()) {
      return invalid_argument("expected an object", at + "payload");
    }
    s.payload = *payload;
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (it.key() != "kind" && it.key() != "title" && it.key() != "payload") {
        return invalid_argument("unknown field", at + it.key());
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

Json approval_json(const ApprovalRow& a) {
  Json out = {{"id", a.id},
              {"kind", a.kind},
              {"status", a.status},
              {"title", a.title},
              {"payload", parsed(a.payload_json, Json::object())},
              {"evaluation", parsed(a.evaluation_json, Json::array())},
              {"reasons", parsed(a.reasons_json, Json::array())},
              {"submitted_by", a.submitted_by},
              {"submitted_at", a.submitted_at}};
  if (!a.decided_at.empty()) {
    out["decided_by"] = a.decided_by;
    out["decided_at"] = a.decided_at;
    out["comment"] = a.comment;
  }
  if (a.exception_id > 0) out["exception"] = a.exception_id;
  return out;
}

Json outbox_json(const OutboxRow& r) {
  Json out = {{"id", r.id},         {"approval", r.approval_id},
              {"model", r.model},   {"values", parsed(r.values_json, Json::object())},
              {"status", r.status}, {"created_at", r.created_at}};
  if (!r.sent_at.empty()) out["sent_at"] = r.sent_at;
  if (!r.odoo_ref.empty()) out["odoo"] = parsed(r.odoo_ref, Json(r.odoo_ref));
  if (!r.error.empty()) out["error"] = r.error;
  return out;
}

Json exception_json(const ExceptionRow& e) {
  Json out = {{"id", e.id},
              {"agent", e.agent},
              {"product", e.product},
              {"store", e.store},
              {"message", e.message},
              {"evidence", parsed(e.evidence_json, Json::object())},
              {"suggested_action", parsed(e.suggested_action_json, Json::object())},
              {"status", e.status},
              {"created_at", e.created_at}};
  if (!e.decided_at.empty()) {
    out["decided_by"] = e.decided_by;
    out["decided_at"] = e.decided_at;
    out["comment"] = e.comment;
  }
  if (e.approval_id > 0) out["approval"] = e.approval_id;
  return out;
}

Result<Json> submit_in_transaction(Database& db, const ApprovalRules& rules,
                                   const std::vector<Submission>& submissions,
                                   const Decider& submitter, int64_t exception_id) {
  Json out = Json::array();
  for (size_t i = 0; i < submissions.size(); ++i) {
    Submission sub = submissions[i];
    Result<Evaluation> ev = evaluate(db, rules, &sub);
    if (!ev.is_ok()) {
      // Name the submission in a batch.
      const Status& e = ev.status();
      if (submissions.size() == 1) return e;
      return Status(e.code(), e.message(), "submissions[" + std::to_string(i) + "]." + e.field());
    }
    ApprovalRow row;
    row.kind = sub.kind;
    row.title = sub.title;
    row.status = ev->reasons.empty() ? "auto_approved" : "pending";
    row.payload_json = dump_json(sub.payload);
    row.evaluation_json = dump_json(ev->rules);
    row.reasons_json = dump_json(Json(ev->reasons));
    row.submitted_by = submitter.actor;
    row.submitter_token_id = submitter.token_id;
    row.exception_id = exception_id;
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, insert_approval(db, row));
    if (sub.kind == "forecast_override") {
      OverrideRow o;
      o.approval_id = id;
      o.product = sub.payload["product"].get<std::string>();
      o.store = sub.payload["store"].get<std::string>();
      o.week = sub.payload["week"].get<std::string>();
      o.job_id = sub.payload.value("job", int64_t{0});
      o.model_units = sub.payload["model_units"].get<double>();
      o.override_units = sub.payload["override_units"].get<double>();
      SHELFCAST_RETURN_IF_ERROR(insert_override(db, o));
    }
    if (sub.kind == "replenishment" && row.status == "auto_approved") {
      SHELFCAST_RETURN_IF_ERROR(queue_for_odoo(db, id, sub.payload));
    }
    SHELFCAST_RETURN_IF_ERROR(
        record_audit(db, submitter.actor,
                     sub.kind == "forecast_override" ? "forecast.override" : "approval.submit",
                     "approval:" + std::to_string(id),
                     dump_json(Json{{"kind", sub.kind},
                                    {"status", row.status},
                                    {"reasons", ev->reasons},
                                    {"title", sub.title}})));
    SHELFCAST_ASSIGN_OR_RETURN(ApprovalRow stored, get_approval(db, id));
    out.push_back(approval_json(stored));
  }
  return out;
}

Result<Json> submit_approvals(Database& db, const ApprovalRules& rules, const std::string& body,
                              const Decider& submitter) {
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<Submission> subs, decode_submissions(body));
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_ASSIGN_OR_RETURN(Json out, submit_in_transaction(db, rules, subs, submitter));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return out;
}

Result<Json> decide_submission(Database& db, int64_t id, bool approve, const std::string& body,
                               const Decider& decider) {
  SHELFCAST_ASSIGN_OR_RETURN(std::string comment, comment_of(body, !approve));
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_ASSIGN_OR_RETURN(ApprovalRow row, get_approval(db, id));
  if (row.status != "pending") {
    return Status(ErrorCode::kAlreadyExists,
                  "approval " + std::to_string(id) + " is " + row.status + ", not pending");
  }
  if (row.submitter_token_id == decider.token_id) {
    return Status(ErrorCode::kPermissionDenied,
                  "nobody approves or rejects their own submission: approval " +
                      std::to_string(id) + " was submitted with this token");
  }
  const std::string status = approve ? "approved" : "rejected";
  SHELFCAST_RETURN_IF_ERROR(
      decide_approval(db, id, status, decider.actor, decider.token_id, comment));
  if (approve && row.kind == "replenishment") {
    SHELFCAST_RETURN_IF_ERROR(queue_for_odoo(db, id, parsed(row.payload_json, Json::object())));
  }
  SHELFCAST_RETURN_IF_ERROR(record_audit(
      db, decider.actor, approve ? "approval.approve" : "approval.reject",
      "approval:" + std::to_string(id), dump_json(Json{{"kind", row.kind}, {"comment", comment}})));
  SHELFCAST_ASSIGN_OR_RETURN(ApprovalRow stored, get_approval(db, id));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return approval_json(stored);
}

Result<Json> act_on_exception(Database& db, const ApprovalRules& rules, int64_t id,
                              const std::string& body, const Decider& caller) {
  SHELFCAST_ASSIGN_OR_RETURN(std::string comment, comment_of(body, false));
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_ASSIGN_OR_RETURN(ExceptionRow e, get_exception(db, id));
  if (e.status != "open") {
    return Status(ErrorCode::kAlreadyExists,
                  "exception " + std::to_string(id) + " is " + e.status + ", not open");
  }
  const Json action = parsed(e.suggested_action_json, Json::object());
  if (!action.contains("submission") || !action["submission"].is_object()) {
    return Status(ErrorCode::kFailedPrecondition,
                  "exception " + std::to_string(id) + " has no suggested action to submit");
  }
  Submission sub;
  sub.kind = action["submission"].value("kind", std::string());
  sub.title = action["submission"].value("title", std::string());
  sub.payload = action["submission"].value("payload", Json::object());
  SHELFCAST_ASSIGN_OR_RETURN(Json approvals, submit_in_transaction(db, rules, {sub}, caller, id));
  const int64_t approval_id = approvals[0]["id"].get<int64_t>();
  SHELFCAST_RETURN_IF_ERROR(close_exception(db, id, "acted", caller.actor, comment, approval_id));
  SHELFCAST_RETURN_IF_ERROR(
      record_audit(db, caller.actor, "exception.act", "exception:" + std::to_string(id),
                   dump_json(Json{{"approval", approval_id}, {"comment", comment}})));
  SHELFCAST_ASSIGN_OR_RETURN(ExceptionRow closed, get_exception(db, id));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return Json{{"exception", exception_json(closed)}, {"approval", approvals[0]}};
}

Result<Json> dismiss_exception(Database& db, int64_t id, const std::string& body,
                               const Decider& caller) {
  SHELFCAST_ASSIGN_OR_RETURN(std::string comment, comment_of(body, true));
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_RETURN_IF_ERROR(close_exception(db, id, "dismissed", caller.actor, comment, 0));
  SHELFCAST_RETURN_IF_ERROR(record_audit(db, caller.actor, "exception.dismiss",
                                         "exception:" + std::to_string(id),
                                         dump_json(Json{{"comment", comment}})));
  SHELFCAST_ASSIGN_OR_RETURN(ExceptionRow closed, get_exception(db, id));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return Json{{"exception", exception_json(closed)}};
}

}  // namespace shelfcast::server
