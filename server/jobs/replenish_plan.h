#pragma once
// The replenishment plan of a promotion scenario (POST /api/v1/replenishment/plan): forecasts of
// every store with and without the promotion, stock from the database, and the core's proposals
// in Odoo's terms (replenish.h). Proposals only: nothing is sent to Odoo here.

#include <string>

#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

/// Decodes the scenario, forecasts, plans; kInvalidArgument names the field of the body,
/// kNotFound an unknown product or store.
Result<Json> replenishment_plan(Database& db, const std::string& body);

}  // namespace shelfcast::server
