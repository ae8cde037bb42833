#include "store/approval_store.h"

#include "store/store.h"

namespace shelfcast::server {
namespace {

constexpr const char* kApprovalColumns =
    "SELECT id, kind, status, title, payload_json, evaluation_json, reasons_json, submitted_by, "
    "submitter_token_id, submitted_at, decided_by, coalesce(decider_token_id, 0), decided_at, "
    "comment, coalesce(exception_id, 0) FROM approvals ";

ApprovalRow read_approval(const Statement& st) {
  ApprovalRow a;
  a.id = st.int64(0);
  a.kind = st.text(1);
  a.status = st.text(2);
  a.title = st.text(3);
  a.payload_json = st.text(4);
  a.evaluation_json = st.text(5);
  a.reasons_json = st.text(6);
  a.submitted_by = st.text(7);
  a.submitter_token_id = st.int64(8);
  a.submitted_at = st.text(9);
  a.decided_by = st.text(10);
  a.decider_token_id = st.int64(11);
  a.decided_at = st.text(12);
  a.comment = st.text(13);
  a.exception_id = st.int64(14);
  return a;
}

constexpr const char* kExceptionColumns =
    "SELECT id, agent, dedupe_key, product, store, message, evidence_json, "
    "suggested_action_json, status, created_at, decided_by, decided_at, comment, "
    "coalesce(approval_id, 0) FROM exceptions ";

ExceptionRow read_exception(const Statement& st) {
  ExceptionRow e;
  e.id = st.int64(0);
  e.agent = st.text(1);
  e.dedupe_key = st.text(2);
  e.product = st.text(3);
  e.store = st.text(4);
  e.message = st.text(5);
  e.evidence_json = st.text(6);
  e.suggested_action_json = st.text(7);
  e.status = st.text(8);
  e.created_at = st.text(9);
  e.decided_by = st.text(10);
  e.decided_at = st.text(11);
  e.comment = st.text(12);
  e.approval_id = st.int64(13);
  return e;
}

}  // namespace

Result<int64_t> insert_approval(Database& db, const ApprovalRow& row) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("INSERT INTO approvals (kind, status, title, payload_json, evaluation_json, "
                 "reasons_json, submitted_by, submitter_token_id, submitted_at, exception_id) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st.bind(1, row.kind)
      .bind(2, row.status)
      .bind(3, row.title)
      .bind(4, row.payload_json)
      .bind(5, row.evaluation_json)
      .bind(6, row.reasons_json)
      .bind(7, row.submitted_by)
      .bind(8, row.submitter_token_id)
      .bind(9, row.submitted_at.empty() ? utc_now() : row.submitted_at);
  if (row.exception_id > 0) {
    st.bind(10, row.exception_id);
  } else {
    st.bind_null(10);
  }
  SHELFCAST_RETURN_IF_ERROR(st.run());
  return db.last_insert_id();
}

Result<ApprovalRow> get_approval(Database& db, int64_t id) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare(std::string(kApprovalColumns) + "WHERE id = ?"));
  st.bind(1, id);
  if (!st.step()) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return Status(ErrorCode::kNotFound, "no approval " + std::to_string(id), "id");
  }
  return read_approval(st);
}

Result<std::vector<ApprovalRow>> list_approvals(Database& db, const std::string& status,
                                                int64_t limit) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare(std::string(kApprovalColumns) +
                                        "WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?"));
  st.bind(1, status).bind(2, status).bind(3, limit);
  std::vector<ApprovalRow> out;
  while (st.step()) out.push_back(read_approval(st));
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Status decide_approval(Database& db, int64_t id, const std::string& status,
                       const std::string& decided_by, int64_t decider_token_id,
                       const std::string& comment) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("UPDATE approvals SET status = ?, decided_by = ?, decider_token_id = ?, "
                 "decided_at = ?, comment = ? WHERE id = ? AND status = 'pending'"));
  st.bind(1, status)
      .bind(2, decided_by)
      .bind(3, decider_token_id)
      .bind(4, utc_now())
      .bind(5, comment)
      .bind(6, id);
  SHELFCAST_RETURN_IF_ERROR(st.run());
  if (db.changes() == 0) {
    SHELFCAST_ASSIGN_OR_RETURN(ApprovalRow row, get_approval(db, id));
    return Status(ErrorCode::kAlreadyExists,
                  "approval " + std::to_string(id) + " is " + row.status + ", not pending");
  }
  return Status::ok();
}

Result<std::vector<std::pair<std::string, int64_t>>> approval_counts(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT status, count(*) FROM approvals GROUP BY status ORDER BY status"));
  std::vector<std::pair<std::string, int64_t>> out;
  while (st.step()) out.emplace_back(st.text(0), st.int64(1));
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Status insert_override(Database& db, const OverrideRow& row) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("INSERT INTO forecast_overrides (approval_id, product, store, week, job_id, "
                 "model_units, override_units, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  st.bind(1, row.approval_id).bind(2, row.product).bind(3, row.store).bind(4, row.week);
  if (row.job_id > 0) {
    st.bind(5, row.job_id);
  } else {
    st.bind_null(5);
  }
  st.bind(6, row.model_units).bind(7, row.override_units).bind(8, utc_now());
  return st.run();
}

Result<std::vector<OverrideFrequency>> override_frequency(Database& db, int64_t limit) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT o.product, o.store, count(*), "
                 "sum(a.status = 'pending'), sum(a.status IN ('approved','auto_approved')), "
                 "sum(a.status = 'rejected'), "
                 "coalesce(avg(CASE WHEN o.model_units > 0 THEN "
                 "abs(o.override_units - o.model_units) / o.model_units END), 0), "
                 "max(o.created_at) FROM forecast_overrides o JOIN approvals a ON "
                 "a.id = o.approval_id GROUP BY o.product, o.store "
                 "ORDER BY count(*) DESC, o.product, o.store LIMIT ?"));
  st.bind(1, limit);
  std::vector<OverrideFrequency> out;
  while (st.step()) {
    OverrideFrequency f;
    f.product = st.text(0);
    f.store = st.text(1);
    f.overrides = st.int64(2);
    f.pending = st.int64(3);
    f.approved = st.int64(4);
    f.rejected = st.int64(5);
    f.mean_abs_change = st.real(6);
    f.last_at = st.text(7);
    out.push_back(std::move(f));
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Status insert_outbox(Database& db, int64_t approval_id, const std::string& model,
                     const std::string& values_json) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("INSERT INTO odoo_outbox (approval_id, model, values_json, "
                                        "created_at) VALUES (?, ?, ?, ?)"));
  st.bind(1, approval_id).bind(2, model).bind(3, values_json).bind(4, utc_now());
  return st.run();
}

Result<std::vector<OutboxRow>> list_outbox(Database& db, const std::string& status, int64_t limit) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT id, approval_id, model, values_json, status, odoo_ref, error, "
                 "created_at, sent_at FROM odoo_outbox WHERE (? = '' OR status = ?) "
                 "ORDER BY id LIMIT ?"));
  st.bind(1, status).bind(2, status).bind(3, limit);
  std::vector<OutboxRow> out;
  while (st.step()) {
    out.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5),
                   st.text(6), st.text(7), st.text(8)});
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Status mark_outbox(Database& db, const std::vector<int64_t>& ids, const std::string& status,
                   const std::string& odoo_ref, const std::string& error) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("UPDATE odoo_outbox SET status = ?, odoo_ref = ?, error = ?, "
                               "sent_at = ? WHERE id = ?"));
  const std::string now = utc_now();
  for (int64_t id : ids) {
    st.bind(1, status).bind(2, odoo_ref).bind(3, error).bind(4, now).bind(5, id);
    SHELFCAST_RETURN_IF_ERROR(st.run());
    st.reset();
  }
  return Status::ok();
}

Result<std::optional<int64_t>> post_exception(Database& db, const ExceptionRow& row) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("INSERT OR IGNORE INTO exceptions (agent, dedupe_key, product, store, message, "
                 "evidence_json, suggested_action_json, status, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)"));
  st.bind(1, row.agent)
      .bind(2, row.dedupe_key)
      .bind(3, row.product)
      .bind(4, row.store)
      .bind(5, row.message)
      .bind(6, row.evidence_json)
      .bind(7, row.suggested_action_json)
      .bind(8, utc_now());
  SHELFCAST_RETURN_IF_ERROR(st.run());
  if (db.changes() == 0) return std::optional<int64_t>();
  return std::optional<int64_t>(db.last_insert_id());
}

Result<ExceptionRow> get_exception(Database& db, int64_t id) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare(std::string(kExceptionColumns) + "WHERE id = ?"));
  st.bind(1, id);
  if (!st.step()) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return Status(ErrorCode::kNotFound, "no exception " + std::to_string(id), "id");
  }
  return read_exception(st);
}

Result<std::vector<ExceptionRow>> list_exceptions(Database& db, const std::string& status,
                                                  int64_t limit) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare(std::string(kExceptionColumns) +
                                        "WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?"));
  st.bind(1, status).bind(2, status).bind(3, limit);
  std::vector<ExceptionRow> out;
  while (st.step()) out.push_back(read_exception(st));
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Status close_exception(Database& db, int64_t id, const std::string& status,
                       const std::string& decided_by, const std::string& comment,
                       int64_t approval_id) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("UPDATE exceptions SET status = ?, decided_by = ?, decided_at = ?, comment = ?, "
                 "approval_id = ? WHERE id = ? AND status = 'open'"));
  st.bind(1, status).bind(2, decided_by).bind(3, utc_now()).bind(4, comment);
  if (approval_id > 0) {
    st.bind(5, approval_id);
  } else {
    st.bind_null(5);
  }
  st.bind(6, id);
  SHELFCAST_RETURN_IF_ERROR(st.run());
  if (db.changes() == 0) {
    SHELFCAST_ASSIGN_OR_RETURN(ExceptionRow row, get_exception(db, id));
    return Status(ErrorCode::kAlreadyExists,
                  "exception " + std::to_string(id) + " is " + row.status + ", not open");
  }
  return Status::ok();
}

Result<std::optional<Date>> last_sales_day(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("SELECT value FROM meta WHERE key = 'max_day'"));
  if (!st.step() || st.is_null(0)) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return std::optional<Date>();
  }
  return std::optional<Date>(Date{static_cast<int32_t>(st.int64(0))});
}

Result<std::vector<PlannedPromotion>> list_promotions_starting(Database& db, Date from, Date to) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT p.code, p.depth, p.start_day, p.end_day, p.feature, p.display, pr.code, "
                 "coalesce(s.code, '') FROM promotions p JOIN promotion_items i ON "
                 "i.promotion_id = p.id JOIN products pr ON pr.id = i.product_id LEFT JOIN "
                 "stores s ON s.id = i.store_id WHERE p.start_day BETWEEN ? AND ? "
                 "ORDER BY p.start_day, p.code, pr.code, s.code"));
  st.bind(1, static_cast<int64_t>(from.days)).bind(2, static_cast<int64_t>(to.days));
  std::vector<PlannedPromotion> out;
  while (st.step()) {
    if (out.empty() || out.back().code != st.text(0)) {
      PlannedPromotion p;
      p.code = st.text(0);
      p.depth = st.real(1);
      p.start = Date{static_cast<int32_t>(st.int64(2))};
      p.end = Date{static_cast<int32_t>(st.int64(3))};
      p.feature = st.int64(4) != 0;
      p.display = st.int64(5) != 0;
      out.push_back(std::move(p));
    }
    out.back().items.emplace_back(st.text(6), st.text(7));
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Result<std::vector<StockRow>> list_stock(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT p.code, s.code, i.on_hand, i.on_order, i.lead_time_mean_days, "
                 "i.lead_time_sd_days FROM inventory i JOIN products p ON p.id = i.product_id "
                 "JOIN stores s ON s.id = i.store_id ORDER BY p.code, s.code"));
  std::vector<StockRow> out;
  while (st.step()) {
    StockRow r;
    r.product = st.text(0);
    r.store = st.text(1);
    r.position.on_hand = st.real(2);
    r.position.on_order = st.real(3);
    r.position.lead_time_mean_days = st.real(4);
    r.position.lead_time_sd_days = st.real(5);
    out.push_back(std::move(r));
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

}  // namespace shelfcast::server
