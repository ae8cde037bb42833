#include "odoo/outbox.h"

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "governance/audit.h"
#include "store/approval_store.h"

namespace shelfcast::server {

Result<Json> push_outbox(Database& db, OdooClient& odoo, const std::string& actor) {
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<OutboxRow> ready, list_outbox(db, "ready", 100000));
  std::map<int64_t, std::vector<OutboxRow>> by_approval;
  for (OutboxRow& r : ready) by_approval[r.approval_id].push_back(std::move(r));
  int64_t sent = 0, failed = 0;
  Json approvals = Json::array();
  for (const auto& [approval, rows] : by_approval) {
    Json plan = {{"purchase_lines", Json::array()},
                 {"transfers", Json::array()},
                 {"orderpoints", Json::array()}};
    std::vector<int64_t> ids;
    for (const OutboxRow& r : rows) {
      Result<Json> values = parse_json(r.values_json);
      if (!values.is_ok()) return values.status();
      const char* key = r.model == "purchase.order.line" ? "purchase_lines"
                        : r.model == "stock.picking"     ? "transfers"
                                                         : "orderpoints";
      plan[key].push_back(*values);
      ids.push_back(r.id);
    }
    Result<Json> created = write_back_proposals(odoo, plan);
    Transaction tx(db);
    SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
    const std::string target = "approval:" + std::to_string(approval);
    if (created.is_ok()) {
      SHELFCAST_RETURN_IF_ERROR(mark_outbox(db, ids, "sent", dump_json(*created), ""));
      SHELFCAST_RETURN_IF_ERROR(record_audit(db, actor, "odoo.push", target, dump_json(*created)));
      sent += static_cast<int64_t>(ids.size());
      approvals.push_back({{"approval", approval}, {"status", "sent"}, {"odoo", *created}});
    } else {
      const std::string error = created.status().to_string();
      SHELFCAST_RETURN_IF_ERROR(mark_outbox(db, ids, "failed", "", error));
      SHELFCAST_RETURN_IF_ERROR(
          record_audit(db, actor, "odoo.push_failed", target, dump_json(Json{{"error", error}})));
      failed += static_cast<int64_t>(ids.size());
      approvals.push_back({{"approval", approval}, {"status", "failed"}, {"error", error}});
    }
    SHELFCAST_RETURN_IF_ERROR(tx.commit());
  }
  return Json{{"sent", sent}, {"failed", failed}, {"approvals", approvals}};
}

}  // namespace shelfcast::server
