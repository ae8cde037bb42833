#pragma once
// Approval routing, the Odoo outbox and the exception inbox (issue 7). Registered from
// ApiServer::register_routes through its `route` wrapper, so authentication and the access
// matrix (auth/access.cpp) apply as to every other route.

#include <string>

#include "governance/approvals.h"
#include "routes/governance_routes.h"

namespace shelfcast::server {

/// Registers /api/v1/approvals*, /api/v1/odoo/outbox, /api/v1/agents/run and
/// /api/v1/exceptions*. Writes go through a read-write connection to `db_path`.
void register_approval_routes(const RouteRegistrar& route, const std::string& db_path,
                              const ApprovalRules& rules);

}  // namespace shelfcast::server
