#pragma once
// What the batch jobs besides forecasts store (migration 009): a basket job's k-anonymous rules
// and pair affinity, and a monitoring job's figures.

#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/basket.h"
#include "shelfcast/result.h"
#include "store/db.h"
#include "store/store.h"

namespace shelfcast::server {

/// Jobs of one kind and status ("" = any status), newest first.
Result<std::vector<JobRow>> list_jobs_of_kind(Database& db, const std::string& kind,
                                              const std::string& status, int64_t limit);

/// Stores a basket job's rules and pairs in their order (call inside a transaction).
Status save_basket_rules(Database& db, int64_t job_id, const BasketReport& report);
/// A basket job's stored rules and pairs in their order (the counts of the report stay 0).
Result<BasketReport> stored_basket_rules(Database& db, int64_t job_id);

/// Stores a monitoring job's report on forecast job `forecast_job_id`.
Status save_monitor_snapshot(Database& db, int64_t job_id, int64_t forecast_job_id,
                             int64_t weeks_with_actuals, const std::string& report_json);
/// The report a monitoring job stored; kNotFound when it stored none.
Result<std::string> monitor_snapshot(Database& db, int64_t job_id);

}  // namespace shelfcast::server
