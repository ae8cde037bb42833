#pragma once
// Background jobs: a queue and one worker thread with its own database connection. A job stores
// its progress as it goes and its results with the model version that made them; it can be
// cancelled; jobs left running by a stopped server are marked failed on the next start. Kinds:
// forecast (here), customers, basket, retention and monitoring (jobs/batch_jobs.h).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/result.h"
#include "store/store.h"

namespace shelfcast::server {

/// What a forecast job forecasts: every product-store series with sales, or those of the given
/// product and store codes, weekly, `horizon` weeks ahead; reconciled with the levels above them
/// (total, region, category, category x region, SKU x channel) unless reconcile = "none".
struct ForecastJobSpec {
  std::vector<std::string> products;  ///< empty = all
  std::vector<std::string> stores;    ///< empty = all
  int32_t horizon = 13;
  int32_t season_length = 52;
  std::vector<double> levels = {80.0, 95.0};
  ForecastMethod method = ForecastMethod::kAuto;
  /// "mint_shrink" (default), "bottom_up", "ols", "wls_struct", "wls_var", or "none" (each series
  /// on its own, streamed: memory per batch instead of the whole estate).
  std::string reconcile = "mint_shrink";
  int32_t backtest_origins = 0;  ///< rolling origins of the per-level backtest; 0 = none
  int32_t backtest_step = 4;     ///< weeks between backtest origins
  /// k-anonymity of the customer-segment forecasts: a segment with fewer loyalty customers joins
  /// "other", and customers of a still-smaller "other" are left out (issue 5's default k = 10).
  int32_t min_customers = 10;
};

/// Decodes a job request body; kInvalidArgument naming the field.
Result<ForecastJobSpec> decode_forecast_job(const std::string& body);
/// The spec as stored in jobs.params_json.
std::string encode_forecast_job(const ForecastJobSpec& spec);

/// Runs queued jobs on one worker thread.
class JobRunner {
 public:
  /// Recovers interrupted jobs and starts the worker.
  static Result<std::unique_ptr<JobRunner>> start(const std::string& db_path);
  ~JobRunner();  ///< stops the worker after the current series
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Queues a forecast job; returns its id.
  Result<int64_t> submit_forecast(const ForecastJobSpec& spec, const std::string& created_by);
  /// Queues a job of a batch kind (customers, basket, retention, monitoring) after checking its
  /// body (decode_batch_job: kInvalidArgument naming the field); returns its id.
  Result<int64_t> submit_batch(const std::string& kind, const std::string& body,
                               const std::string& created_by);
  /// Asks a queued or running job to stop; kNotFound / kFailedPrecondition otherwise.
  Status cancel(int64_t id);

 private:
  explicit JobRunner(std::string db_path) : db_path_(std::move(db_path)) {}
  void work();
  Result<int64_t> enqueue(Database& db, const std::string& kind, const std::string& params_json,
                          const std::string& created_by);
  Status run_job(int64_t id);
  Status run_batch(Database& db, const JobRow& job);
  Status run_forecast_job(int64_t id);
  /// The reconciled path of run_forecast_job: every series in memory, then the hierarchy.
  Status run_reconciled_job(Database& db, int64_t id, const ForecastJobSpec& spec,
                            const std::vector<SeriesKey>& keys);
  bool cancelled(int64_t id);

  std::string db_path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<int64_t> queue_;
  std::set<int64_t> cancel_requests_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace shelfcast::server
