#pragma once
// Customer and basket analytics over the loyalty data (issue 5): per-customer scores stay in the
// database keyed by the pseudonymous customer; what the API returns is aggregated and
// k-anonymous (a segment or rule backed by fewer than k customers or baskets is suppressed).

#include <string>

#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

/// The smallest k the API accepts: cells under it never leave the server.
constexpr int64_t kMinCustomersPerCell = 10;

/// Scores every loyalty customer (BG/NBD, Gamma-Gamma, CLV, churn and RFM segments) as of the
/// last sales day, stores the scores and returns the k-anonymous summary. Body: {horizon_weeks?
/// (1-260, default 52), annual_discount_rate? (0-1, 0.10), margin? (0-1, 1), min_customers?
/// (>= 10, default 10)}.
Result<Json> run_customer_analytics(Database& db, const std::string& body,
                                    const std::string& created_by);

/// The summary of the latest run; kNotFound before the first.
Result<Json> latest_customer_analytics(Database& db);

/// Association rules and pair affinity of the loyalty baskets at product or category level;
/// rules and pairs seen in fewer than kMinCustomersPerCell baskets are left out.
Result<Json> basket_affinity(Database& db, const std::string& level, double min_support,
                             double min_confidence, int32_t max_rules);

}  // namespace shelfcast::server
