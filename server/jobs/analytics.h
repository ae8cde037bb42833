#pragma once
// Customer and basket analytics over the loyalty data (issue 5): per-customer scores stay in the
// database keyed by the pseudonymous customer; what the API returns is aggregated and
// k-anonymous (a segment or rule backed by fewer than k customers or baskets is suppressed).

#include <string>

#include "shelfcast/basket.h"
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

/// Checks a customer analytics body (as run_customer_analytics does) and returns it with every
/// default filled in: what a customers job stores as its parameters. kInvalidArgument naming the
/// field.
Result<Json> decode_customer_analytics(const std::string& body);

/// The summary of the latest run; kNotFound before the first.
Result<Json> latest_customer_analytics(Database& db);

/// What a basket job mines: loyalty baskets at product or category level.
struct BasketJobSpec {
  std::string level = "product";  ///< "product" or "category"
  double min_support = 0.01;      ///< inclusive, in (0, 1]
  double min_confidence = 0.2;    ///< inclusive, in [0, 1]
  int32_t max_len = 4;            ///< items per rule, antecedent and consequent, 2-10
  int32_t max_rules = 10000;      ///< the strongest rules by lift kept after the k filter
};
/// Decodes a basket job body; kInvalidArgument naming the field.
Result<BasketJobSpec> decode_basket_job(const std::string& body);
/// The spec as stored in jobs.params_json.
std::string encode_basket_job(const BasketJobSpec& spec);

/// Mines the loyalty baskets and leaves out the rules and pairs seen in fewer than
/// kMinCustomersPerCell baskets (counted in *suppressed); kFailedPrecondition without baskets.
Result<BasketReport> k_anonymous_basket_report(Database& db, const BasketJobSpec& spec,
                                               int64_t* suppressed);

/// Association rules and pair affinity of the loyalty baskets at product or category level;
/// rules and pairs seen in fewer than kMinCustomersPerCell baskets are left out. `source`:
/// "job" serves the latest finished basket job of the level whose thresholds are at or below the
/// requested ones (its rules filtered by them; kNotFound when there is none), "live" mines on
/// request (max_len 4), "auto" the first when it can, else the second.
Result<Json> basket_affinity(Database& db, const std::string& level, double min_support,
                             double min_confidence, int32_t max_rules,
                             const std::string& source = "auto");

}  // namespace shelfcast::server
