#pragma once
// Domain-level persistence: loading data sets, listings, series and tokens. Built on db.h; the
// rest of the server never sees SQL.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shelfcast/result.h"
#include "shelfcast/series.h"
#include "shelfcast/types.h"
#include "store/db.h"

namespace shelfcast::server {

/// Where a load came from, for the ingest_batches table.
struct LoadSource {
  std::string source;          ///< file name, or "demo"
  std::string format;          ///< odoo-sale, odoo-pos, canonical, demo
  std::string content_sha256;  ///< of the input bytes (or of the generator config)
  int64_t rows_rejected = 0;
};

/// What a load added.
struct LoadReport {
  int64_t batch_id = 0;
  int64_t lines_added = 0;
  int64_t products_added = 0;
  int64_t stores_added = 0;
  int64_t customers_added = 0;
};

/// Writes a data set in ONE transaction: master data upserted by code (a non-empty name or price
/// updates the stored one), customers by pseudonym, then lines, inventory and promotions; totals
/// refreshed. On any error nothing is written.
Result<LoadReport> load_dataset(Database& db, const Dataset& data, const LoadSource& source);

/// Saves the generator's config and truth beside the data it made.
Status save_generator_run(Database& db, uint64_t seed, const std::string& config_json,
                          const std::string& truth_json);

/// A store as listed by the API.
struct StoreRow {
  std::string code, name, region;
};
/// A product as listed by the API, with its total units sold.
struct ProductRow {
  std::string code, name, category;
  double cost = 0.0, list_price = 0.0, units = 0.0;
};

Result<std::vector<StoreRow>> list_stores(Database& db);
/// Best sellers first.
Result<std::vector<ProductRow>> list_products(Database& db);
/// Total number of sales lines (health, metrics).
Result<int64_t> count_sales_lines(Database& db);

/// The weekly series of one product in one store over the whole data period;
/// kNotFound for an unknown product or store code.
Result<std::vector<WeeklyPoint>> weekly_series(Database& db, const std::string& product_code,
                                               const std::string& store_code);

/// API roles (INTERFACES.md).
enum class Role { kPlanner, kExecutive, kApprover, kAdmin, kBatch };
std::string to_string(Role role);
Result<Role> parse_role(const std::string& text);

/// A token as the server knows it.
struct TokenInfo {
  int64_t id = 0;
  std::string name;
  Role role = Role::kPlanner;
};

/// Stores SHA-256(token) with its role and name; the caller shows the token once.
Status save_token(Database& db, const std::string& token_sha256_hex, Role role,
                  const std::string& name);
/// kUnauthenticated when no live token has this hash.
Result<TokenInfo> find_token(Database& db, const std::string& token_sha256_hex);

}  // namespace shelfcast::server
