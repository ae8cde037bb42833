#pragma once
// The batch job kinds beside forecasts (issues 5 and 7): "customers" (customer analytics),
// "basket" (affinity rules stored per job), "retention" (the purge, audited) and "monitoring" (a
// forecast job against the actuals that arrived, stored). They share the forecast jobs' queue,
// progress, cancel, stored summary and model version (server/jobs/job_runner.h).

#include <cstdint>
#include <functional>
#include <string>

#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"
#include "store/store.h"

namespace shelfcast::server {

/// What a running job may ask of its runner.
struct JobControl {
  std::function<bool()> cancelled;                              ///< a cancel was asked
  std::function<Status(int64_t done, int64_t total)> progress;  ///< stores the progress
};

/// True for "customers", "basket", "retention", "monitoring" and "promo_fit".
bool is_batch_job_kind(const std::string& kind);

/// Checks the submission body of a job of `kind` and returns the parameters as stored in
/// jobs.params_json, defaults filled in; kInvalidArgument naming the field. Bodies:
/// customers {horizon_weeks?, annual_discount_rate?, margin?, min_customers? (>= 10)};
/// basket {level?, min_support?, min_confidence?, max_len?, max_rules?};
/// retention {keep_days (>= 7, required)}; monitoring {job (a finished forecast job, required)};
/// promo_fit {category (an existing category code, required)}.
Result<std::string> decode_batch_job(Database& db, const std::string& kind,
                                     const std::string& body);

/// Runs a job of a batch kind and stores its result; returns the job's summary. After a failure,
/// control.cancelled() tells whether the job was cancelled.
Result<Json> run_batch_job(Database& db, const JobRow& job, const JobControl& control);

}  // namespace shelfcast::server
