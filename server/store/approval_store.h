#pragma once
// Approvals, forecast overrides, the Odoo outbox and the exception inbox at rest
// (migrations/008_approvals.sql). Only this file and approval_store.cpp know their layout.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shelfcast/result.h"
#include "shelfcast/types.h"
#include "store/db.h"

namespace shelfcast::server {

/// One submission as stored. status: pending, approved, rejected or auto_approved.
struct ApprovalRow {
  int64_t id = 0;
  std::string kind, status, title;
  std::string payload_json = "{}", evaluation_json = "[]", reasons_json = "[]";
  std::string submitted_by;
  int64_t submitter_token_id = 0;
  std::string submitted_at;
  std::string decided_by, decided_at, comment;
  int64_t decider_token_id = 0;
  int64_t exception_id = 0;  ///< 0 when not acted from an exception
};

/// Inserts a submission (id, decided_* ignored); returns its id. Call inside a Transaction.
Result<int64_t> insert_approval(Database& db, const ApprovalRow& row);
/// kNotFound for an unknown id.
Result<ApprovalRow> get_approval(Database& db, int64_t id);
/// Newest first, optionally of one status, at most `limit`.
Result<std::vector<ApprovalRow>> list_approvals(Database& db, const std::string& status,
                                                int64_t limit);
/// Moves a pending submission to approved or rejected; kAlreadyExists (409) when it is no longer
/// pending. Call inside a Transaction.
Status decide_approval(Database& db, int64_t id, const std::string& status,
                       const std::string& decided_by, int64_t decider_token_id,
                       const std::string& comment);
/// Submissions per status.
Result<std::vector<std::pair<std::string, int64_t>>> approval_counts(Database& db);

/// One forecast override as submitted.
struct OverrideRow {
  int64_t approval_id = 0;
  std::string product, store, week;
  int64_t job_id = 0;  ///< 0 when none was named
  double model_units = 0.0, override_units = 0.0;
};
Status insert_override(Database& db, const OverrideRow& row);
/// Override frequency of one product-store series.
struct OverrideFrequency {
  std::string product, store;
  int64_t overrides = 0, pending = 0, approved = 0, rejected = 0;
  double mean_abs_change = 0.0;  ///< mean |override - model| / model (model > 0 only)
  std::string last_at;
};
/// Most overridden first.
Result<std::vector<OverrideFrequency>> override_frequency(Database& db, int64_t limit);

/// One record ready for Odoo (model purchase.order.line, stock.picking or
/// stock.warehouse.orderpoint; values in Odoo's field names).
struct OutboxRow {
  int64_t id = 0, approval_id = 0;
  std::string model, values_json, status, odoo_ref, error, created_at, sent_at;
};
Status insert_outbox(Database& db, int64_t approval_id, const std::string& model,
                     const std::string& values_json);
/// Oldest first, optionally of one status.
Result<std::vector<OutboxRow>> list_outbox(Database& db, const std::string& status, int64_t limit);
/// Marks records sent (with what Odoo created) or failed (with the error).
Status mark_outbox(Database& db, const std::vector<int64_t>& ids, const std::string& status,
                   const std::string& odoo_ref, const std::string& error);

/// One exception in the inbox. status: open, acted or dismissed.
struct ExceptionRow {
  int64_t id = 0;
  std::string agent, dedupe_key, product, store, message;
  std::string evidence_json = "{}", suggested_action_json = "{}";
  std::string status, created_at, decided_by, decided_at, comment;
  int64_t approval_id = 0;
};
/// Posts an exception unless one with the same dedupe key is open; returns its id, or nullopt
/// when it was a duplicate.
Result<std::optional<int64_t>> post_exception(Database& db, const ExceptionRow& row);
Result<ExceptionRow> get_exception(Database& db, int64_t id);
/// Newest first, optionally of one status.
Result<std::vector<ExceptionRow>> list_exceptions(Database& db, const std::string& status,
                                                  int64_t limit);
/// Closes an open exception as acted (with the approval it became) or dismissed;
/// kAlreadyExists when it is not open. Call inside a Transaction.
Status close_exception(Database& db, int64_t id, const std::string& status,
                       const std::string& decided_by, const std::string& comment,
                       int64_t approval_id);

/// The last day with sales loaded; nullopt when there are none.
Result<std::optional<Date>> last_sales_day(Database& db);

/// A promotion as the agents plan for it.
struct PlannedPromotion {
  std::string code;
  double depth = 0.0;
  Date start, end;
  bool feature = false, display = false;
  /// (product code, store code) pairs; store "" = every store.
  std::vector<std::pair<std::string, std::string>> items;
};
/// Promotions starting in [from, to], by start.
Result<std::vector<PlannedPromotion>> list_promotions_starting(Database& db, Date from, Date to);

/// A stock position with the codes it belongs to.
struct StockRow {
  std::string product, store;
  InventoryPosition position;
};
/// Every stored stock position, by product then store code.
Result<std::vector<StockRow>> list_stock(Database& db);

}  // namespace shelfcast::server
