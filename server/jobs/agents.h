#pragma once
// Exception agents (issue 7): rules over the data the server already has — the latest finished
// forecast job's stored forecasts (promotion weeks included), stock on hand and on order with
// lead times, and the actuals loaded since — that post exceptions with a suggested action to the
// inbox. They never act: acting on an exception submits its action for approval.
//
//   stockout_before_delivery  forecast demand over the lead time exceeds stock on hand (what is on
//                             order arrives with the next delivery, not before it) -> a transfer
//                             from a store with surplus and/or a purchase order, with quantities.
//   promotion_stockout        a promotion planned in the next 13 weeks, run through the
//                             replenishment planner (forecast with and without it, stock, lead
//                             time): a store short before the next delivery -> the planner's
//                             purchase lines and transfers for that store.
//   below_forecast            actual units since the forecast below min_uplift_ratio x forecast
//                             (a running promotion selling under its expected uplift, or demand
//                             far below forecast) -> markdown timing when stock would be left,
//                             else a substitute offer (feature and display) while the promotion
//                             runs, else a forecast override to the run rate.

#include <string>

#include "governance/approvals.h"
#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

/// Runs every agent; posts new exceptions (an open exception with the same agent, product and
/// store is not posted again) and audits the run. Returns what was found and posted.
Result<Json> run_agents(Database& db, const ApprovalRules& rules, const std::string& actor);

}  // namespace shelfcast::server
