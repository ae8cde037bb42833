#pragma once
// Domain-level persistence: loading data sets, listings, series and tokens. Built on db.h; the
// rest of the server never sees SQL.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shelfcast/customer.h"
#include "shelfcast/forecast.h"
#include "shelfcast/result.h"
#include "shelfcast/series.h"
#include "shelfcast/types.h"
#include "store/db.h"

namespace shelfcast::server {

/// The current UTC time as ISO 8601 ("2026-11-26T21:43:00Z"), for created_at columns.
std::string utc_now();

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
  std::string category_code;  ///< the code the promotion routes take ("C01"); category is its name
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

// ---- jobs and stored forecasts ------------------------------------------------------------

/// A background job as stored.
struct JobRow {
  int64_t id = 0;
  std::string kind, status;
  double progress = 0.0;
  int64_t items_total = 0, items_done = 0;
  std::string params_json, summary_json, error, model_version, created_by;
  std::string created_at, started_at, finished_at;
};

/// Queues a job; returns its id.
Result<int64_t> create_job(Database& db, const std::string& kind, const std::string& params_json,
                           const std::string& model_version, const std::string& created_by);
/// Marks a job running (sets started_at once) with its progress.
Status update_job_progress(Database& db, int64_t id, int64_t items_done, int64_t items_total);
/// Ends a job: status done, failed or cancelled, with a summary or an error.
Status finish_job(Database& db, int64_t id, const std::string& status,
                  const std::string& summary_json, const std::string& error);
/// kNotFound for an unknown id.
Result<JobRow> get_job(Database& db, int64_t id);
/// Newest first.
Result<std::vector<JobRow>> list_jobs(Database& db, int64_t limit);
/// After a restart: jobs left running failed ("interrupted"); returns the ids still queued.
Result<std::vector<int64_t>> recover_jobs(Database& db);

/// A product-store pair that has sales.
struct SeriesKey {
  int64_t product_id = 0, store_id = 0;
  std::string product_code, store_code;
  std::string category_code;  ///< the product's category code, "" when it has none
  std::string region;         ///< the store's region, "" when none
};
/// Every product-store pair with sales, optionally only the given product and store codes
/// (empty = all); ordered by product then store code.
Result<std::vector<SeriesKey>> list_series_keys(Database& db,
                                                const std::vector<std::string>& products,
                                                const std::vector<std::string>& stores);

/// The channel that carries most of each store's units ("pos", "sales", "online"), by store id:
/// in Odoo a point-of-sale config sells through the till, a warehouse through sales orders and
/// the web shop.
Result<std::map<int64_t, std::string>> store_main_channels(Database& db);

/// SHA-256 (hex) over the content hashes of every ingest batch, in load order: the data version.
Result<std::string> data_hash(Database& db);

/// One model registry entry.
struct RegistryEntry {
  int64_t id = 0, job_id = 0;
  std::string kind, model_version, data_hash, params_json, metrics_json, models_json, created_at;
};
/// Registers a finished job's model; returns the entry id.
Result<int64_t> register_model(Database& db, const RegistryEntry& entry);
/// The latest `limit` entries, newest first.
Result<std::vector<RegistryEntry>> list_models(Database& db, int64_t limit);

/// Keeps the weekly aggregates of one series (retention): weekly_series reads them for weeks
/// whose lines are gone.
Status save_weekly_aggregates(Database& db, const SeriesKey& key,
                              const std::vector<WeeklyPoint>& weeks);
/// Deletes every sales line before `cutoff`; returns how many.
Result<int64_t> purge_lines_before(Database& db, Date cutoff);

/// Stores a job's forecast of one series: step h is the week `first_week + 7 (h - 1)`. `base_mean`
/// (empty or one per step) is the model's forecast before reconciliation; result.components are
/// stored per step as {"name": value}.
Status save_forecast(Database& db, int64_t job_id, const SeriesKey& key, Date first_week,
                     const ForecastResult& result, const std::vector<double>& base_mean = {});

/// One node of a level above the product-store series, as a job stores it.
struct LevelForecastRow {
  std::string level, node;
  int32_t step = 0;
  Date week;
  double mean = 0.0, base_mean = 0.0;
  std::string intervals_json;
  std::string model, model_version;
};
/// Stores the forecast of an aggregate node (one row per step).
Status save_level_forecast(Database& db, int64_t job_id, const std::string& level,
                           const std::string& node, Date first_week,
                           const std::vector<double>& mean, const std::vector<double>& base_mean,
                           const std::vector<ForecastInterval>& intervals, const std::string& model,
                           const std::string& model_version);
/// A job's level forecasts, optionally of one level and/or node, paged.
Result<std::vector<LevelForecastRow>> job_level_forecasts(Database& db, int64_t job_id,
                                                          const std::string& level,
                                                          const std::string& node, int64_t limit,
                                                          int64_t offset);

/// Stock of one product in one store (InventoryPosition with codes); kNotFound when none is stored.
Result<InventoryPosition> inventory_position(Database& db, const std::string& product_code,
                                             const std::string& store_code);

/// Loyalty purchases for customer analytics: one row per customer, day and product category.
/// `customer_id` is the internal row id of the pseudonymous customer; it never leaves the server.
struct CustomerDayRow {
  int64_t customer_id = 0;
  Date day;
  std::string category_code;  ///< "" when the product has none
  double units = 0.0;
  double amount = 0.0;  ///< net of discounts; negative for returns
};
/// Every loyalty line grouped by customer, day and category, ordered by customer and day.
Result<std::vector<CustomerDayRow>> customer_day_rows(Database& db);

/// The loyalty baskets (lines sharing an order reference), as product codes or, with
/// by_category, category codes ("" categories are "none"); duplicates inside a basket stay (the
/// miner merges them).
Result<std::vector<std::vector<std::string>>> loyalty_baskets(Database& db, bool by_category);

/// Stores a customer analytics run and its per-customer scores (customer_id = CustomerScore's
/// id, the customers row id); returns the run id.
Result<int64_t> save_customer_run(Database& db, const std::string& params_json,
                                  const std::string& summary_json, const std::string& created_by,
                                  const CustomerScoring& scoring);
/// The id and summary of the latest customer analytics run; kNotFound when there is none.
Result<std::pair<int64_t, std::string>> latest_customer_run(Database& db);

/// Backtest accuracy of one level, base or reconciled.
struct LevelAccuracyRow {
  std::string level, kind;
  int64_t nodes = 0;
  std::string metrics_json;
};
Status save_level_accuracy(Database& db, int64_t job_id, const LevelAccuracyRow& row);
/// A job's accuracy rows in the order they were stored.
Result<std::vector<LevelAccuracyRow>> job_accuracy(Database& db, int64_t job_id);

/// One stored forecast step.
struct StoredForecast {
  std::string product, store;
  int32_t step = 0;
  Date week;
  double mean = 0.0;
  double base_mean = 0.0;  ///< before reconciliation (NaN when the job did not reconcile)
  std::string intervals_json;
  std::string components_json;  ///< {"level_trend": x, ...}: parts that add up to mean
  std::string model, model_version;
};
/// A job's stored forecasts, optionally of one product and/or store, paged.
Result<std::vector<StoredForecast>> job_forecasts(Database& db, int64_t job_id,
                                                  const std::string& product,
                                                  const std::string& store, int64_t limit,
                                                  int64_t offset);

}  // namespace shelfcast::server
