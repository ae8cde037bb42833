#pragma once
// Retention: raw sales lines (and the pseudonymous customer ids on them) older than a configured
// age are purged; their weekly aggregates per product and store are kept first, so forecasts and
// the planner's series do not change. One transaction: all or nothing.

#include <string>

#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

/// Keeps the last `keep_days` days of lines (the cutoff is the Monday on or before max_day -
/// keep_days, so only whole weeks are aggregated); keep_days < 7 is kInvalidArgument. The purge is
/// audited in its transaction as done by `actor` ("cli", or a retention job's submitter).
Result<Json> run_retention(Database& db, int64_t keep_days, const std::string& actor = "cli");

}  // namespace shelfcast::server
