#pragma once
// Write-back of the Odoo outbox (approved replenishment proposals, store/approval_store.h): the
// ready records of each approval go to Odoo as drafts through write_back_proposals — one draft
// purchase.order per vendor, internal stock.picking transfers, orderpoint min/max updates.

#include <string>

#include "odoo/jsonrpc.h"
#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

/// Sends every ready outbox record, one approval at a time; marks its records sent with what
/// Odoo created (or failed with Odoo's error, and goes on with the next approval) and audits
/// each approval's push. Returns {"sent": n, "failed": n, "approvals": [...]}.
Result<Json> push_outbox(Database& db, OdooClient& odoo, const std::string& actor);

}  // namespace shelfcast::server
