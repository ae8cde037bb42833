#pragma once
// Approval routing (issue 7): routing rules with thresholds, the evaluation of a submission
// (promotion scenario, forecast override, replenishment/purchase proposal) against them, and the
// submit / approve / reject workflow with its audit entries and the Odoo outbox.

#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/approval_store.h"
#include "store/db.h"
#include "store/store.h"

namespace shelfcast::server {

/// The routing thresholds; `shelfcast serve --approval-rules FILE` overrides any of them with a
/// JSON object of the same field names (README "Approval routing").
struct ApprovalRules {
  /// A promotion deeper than this fraction off goes to an approver (30%: deeper discounts are
  /// where promotions usually lose money, e.g. Blattberg & Neslin 1990).
  double max_discount_depth = 0.30;
  /// A promotion whose incremental margin (currency) is below this goes to an approver; a
  /// promotion submitted without its incremental margin does too.
  double min_incremental_margin = 0.0;
  /// A forecast override further than this fraction from the model's forecast goes to an
  /// approver (|override - model| / model).
  double max_override_fraction = 0.20;
  /// A submission whose stockout risk (share of demand not covered before the next delivery,
  /// 0..1) is above this goes to an approver.
  double max_stockout_risk = 0.10;
  /// |tracking signal| above this serves a series' forecast from the robust baseline instead of
  /// the model (Brown; 4 is the usual alarm limit for a MAD-based signal).
  double tracking_signal_limit = 4.0;
  /// Agents: actual units below this share of the forecast (promotion weeks included) raise a
  /// "below forecast" exception.
  double min_uplift_ratio = 0.70;
};

/// The rules as JSON (the format of the rules file).
Json approval_rules_json(const ApprovalRules& rules);
/// Parses a rules file's text over the defaults; kInvalidArgument naming the field.
Result<ApprovalRules> parse_approval_rules(const std::string& text);
/// Reads and parses a rules file; the message names the file and the field.
Result<ApprovalRules> load_approval_rules(const std::string& path);

/// One submission of a batch: kind promotion, forecast_override or replenishment.
struct Submission {
  std::string kind, title;
  Json payload = Json::object();
};
/// A body `{"submissions":[{kind, title?, payload}, ...]}` or one `{kind, title?, payload}`.
Result<std::vector<Submission>> decode_submissions(const std::string& body);

/// The caller of a workflow step.
struct Decider {
  std::string actor;  ///< "token name (role)"
  int64_t token_id = 0;
};

/// Evaluates, stores and audits submissions in the caller's Transaction: auto_approved when no
/// rule trips, pending with the reasons otherwise; forecast overrides are recorded for their
/// frequency; approved replenishment proposals go to the Odoo outbox. Returns the approvals.
Result<Json> submit_in_transaction(Database& db, const ApprovalRules& rules,
                                   const std::vector<Submission>& submissions,
                                   const Decider& submitter, int64_t exception_id = 0);
/// submit_in_transaction in its own transaction.
Result<Json> submit_approvals(Database& db, const ApprovalRules& rules, const std::string& body,
                              const Decider& submitter);
/// Approves or rejects a pending submission: kInvalidArgument without a comment on reject,
/// kPermissionDenied when the decider submitted it, kAlreadyExists when it is not pending.
Result<Json> decide_submission(Database& db, int64_t id, bool approve, const std::string& body,
                               const Decider& decider);

/// An approval as the API shows it.
Json approval_json(const ApprovalRow& row);
/// An outbox record as the API shows it.
Json outbox_json(const OutboxRow& row);
/// An exception as the API shows it.
Json exception_json(const ExceptionRow& row);

/// Turns an open exception's suggested action into a submission (so acting goes through
/// approval) and closes it as acted; or dismisses it with a required comment. Audited.
Result<Json> act_on_exception(Database& db, const ApprovalRules& rules, int64_t id,
                              const std::string& body, const Decider& caller);
Result<Json> dismiss_exception(Database& db, int64_t id, const std::string& body,
                               const Decider& caller);

}  // namespace shelfcast::server
