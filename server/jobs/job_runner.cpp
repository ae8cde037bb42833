#include "jobs/job_runner.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "shelfcast/json.h"
#include "shelfcast/series.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

using nlohmann::json;

// How many series' forecasts are written per transaction: bounds memory and lock time.
constexpr int64_t kSeriesPerCommit = 200;

}  // namespace

Result<ForecastJobSpec> decode_forecast_job(const std::string& body) {
  Result<Json> parsed = parse_json(body.empty() ? "{}" : body);
  if (!parsed.is_ok()) return parsed.status();
  const Json& j = *parsed;
  if (!j.is_object()) return invalid_argument("expected a JSON object");
  ForecastJobSpec spec;
  for (const char* key : {"products", "stores"}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_array()) return invalid_argument("expected an array of codes", key);
    std::vector<std::string>& out = std::string(key) == "products" ? spec.products : spec.stores;
    for (const Json& e : *it) {
      if (!e.is_string()) return invalid_argument("expected an array of codes", key);
      out.push_back(e.get<std::string>());
    }
  }
  struct IntField {
    const char* name;
    int32_t* target;
    int32_t lo, hi;
  };
  for (const IntField& f : {IntField{"horizon", &spec.horizon, 1, 104},
                            IntField{"season_length", &spec.season_length, 1, 365}}) {
    auto it = j.find(f.name);
    if (it == j.end()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < f.lo || it->get<int64_t>() > f.hi) {
      return invalid_argument("expected an integer from " + std::to_string(f.lo) + " to " +
                                  std::to_string(f.hi) + ", got " + it->dump(),
                              f.name);
    }
    *f.target = static_cast<int32_t>(it->get<int64_t>());
  }
  if (auto it = j.find("levels"); it != j.end()) {
    if (!it->is_array() || it->empty()) return invalid_argument("expected levels", "levels");
    spec.levels.clear();
    for (const Json& e : *it) {
      if (!e.is_number() || !(e.get<double>() > 0.0 && e.get<double>() < 100.0)) {
        return invalid_argument("expected numbers in (0, 100), got " + e.dump(), "levels");
      }
      spec.levels.push_back(e.get<double>());
    }
  }
  if (auto it = j.find("method"); it != j.end()) {
    if (!it->is_string()) return invalid_argument("expected a method name", "method");
    SHELFCAST_ASSIGN_OR_RETURN(spec.method, parse_forecast_method(it->get<std::string>()));
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const std::set<std::string> kKnown = {"products",      "stores", "horizon",
                                                 "season_length", "levels", "method"};
    if (!kKnown.count(it.key())) return invalid_argument("unknown field", it.key());
  }
  return spec;
}

std::string encode_forecast_job(const ForecastJobSpec& spec) {
  return dump_json(Json{{"products", spec.products},
                        {"stores", spec.stores},
                        {"horizon", spec.horizon},
                        {"season_length", spec.season_length},
                        {"levels", spec.levels},
                        {"method", std::string(to_string(spec.method))}});
}

Result<std::unique_ptr<JobRunner>> JobRunner::start(const std::string& db_path) {
  std::unique_ptr<JobRunner> runner(new JobRunner(db_path));
  SHELFCAST_ASSIGN_OR_RETURN(auto db, Database::open(db_path, Database::Mode::kReadWrite));
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<int64_t> queued, recover_jobs(*db));
  runner->queue_.assign(queued.begin(), queued.end());
  runner->worker_ = std::thread([r = runner.get()] { r->work(); });
  return runner;
}

JobRunner::~JobRunner() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Result<int64_t> JobRunner::submit_forecast(const ForecastJobSpec& spec,
                                           const std::string& created_by) {
  SHELFCAST_ASSIGN_OR_RETURN(auto db, Database::open(db_path_, Database::Mode::kReadWrite));
  SHELFCAST_ASSIGN_OR_RETURN(int64_t id, create_job(*db, "forecast", encode_forecast_job(spec),
                                                    core_model_version(), created_by));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(id);
  }
  wake_.notify_all();
  return id;
}

Status JobRunner::cancel(int64_t id) {
  SHELFCAST_ASSIGN_OR_RETURN(auto db, Database::open(db_path_, Database::Mode::kReadWrite));
  SHELFCAST_ASSIGN_OR_RETURN(JobRow job, get_job(*db, id));
  if (job.status != "queued" && job.status != "running") {
    return failed_precondition("job " + std::to_string(id) + " is already " + job.status);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  cancel_requests_.insert(id);
  return Status::ok();
}

bool JobRunner::cancelled(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_ || cancel_requests_.count(id) > 0;
}

void JobRunner::work() {
  for (;;) {
    int64_t id = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
    }
    Status s = run_forecast_job(id);
    if (!s.is_ok()) {
      // The job could not even record its failure: the database is gone or broken.
      std::cerr << "shelfcast: job " << id << ": " << s.to_string() << "\n";
    }
  }
}

Status JobRunner::run_forecast_job(int64_t id) {
  SHELFCAST_ASSIGN_OR_RETURN(auto db, Database::open(db_path_, Database::Mode::kReadWrite));
  SHELFCAST_ASSIGN_OR_RETURN(JobRow job, get_job(*db, id));
  Result<ForecastJobSpec> spec = decode_forecast_job(job.params_json);
  if (!spec.is_ok()) return finish_job(*db, id, "failed", "{}", spec.status().to_string());
  if (cancelled(id)) return finish_job(*db, id, "cancelled", "{}", "cancelled before it started");

  Result<std::vector<SeriesKey>> keys = list_series_keys(*db, spec->products, spec->stores);
  if (!keys.is_ok()) return finish_job(*db, id, "failed", "{}", keys.status().to_string());
  const auto total = static_cast<int64_t>(keys->size());
  SHELFCAST_RETURN_IF_ERROR(update_job_progress(*db, id, 0, total));

  std::map<std::string, int64_t> models;
  int64_t done = 0, skipped = 0;
  std::string last_skip;
  while (done < total) {
    if (cancelled(id)) {
      return finish_job(
          *db, id, "cancelled", dump_json(Json{{"series_done", done}}),
          "cancelled after " + std::to_string(done) + " of " + std::to_string(total) + " series");
    }
    Transaction tx(*db);
    SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
    const int64_t batch_end = std::min(total, done + kSeriesPerCommit);
    for (; done < batch_end; ++done) {
      const SeriesKey& key = (*keys)[static_cast<size_t>(done)];
      Result<std::vector<WeeklyPoint>> points =
          weekly_series(*db, key.product_code, key.store_code);
      if (!points.is_ok()) return finish_job(*db, id, "failed", "{}", points.status().to_string());
      // Edge weeks the data covers only partly would drag the forecast down: leave them out.
      size_t first = 0, last = points->size();
      while (first < last && !(*points)[first].complete) ++first;
      while (last > first && !(*points)[last - 1].complete) --last;
      WeeklyForecastRequest request;
      request.history.assign(points->begin() + static_cast<long>(first),
                             points->begin() + static_cast<long>(last));
      request.season_length = spec->season_length;
      request.horizon = spec->horizon;
      request.levels = spec->levels;
      request.method = spec->method;
      Result<ForecastInput> input = weekly_forecast_input(request);
      if (!input.is_ok()) {
        ++skipped;
        last_skip = key.product_code + "@" + key.store_code + ": " + input.status().message();
        continue;
      }
      Result<ForecastResult> result = forecast(*input);
      if (!result.is_ok()) {
        ++skipped;
        last_skip = key.product_code + "@" + key.store_code + ": " + result.status().message();
        continue;
      }
      ++models[result->model];
      const Date next_week{(*points)[last - 1].week.days + 7};
      SHELFCAST_RETURN_IF_ERROR(save_forecast(*db, id, key, next_week, *result));
    }
    SHELFCAST_RETURN_IF_ERROR(tx.commit());
    SHELFCAST_RETURN_IF_ERROR(update_job_progress(*db, id, done, total));
  }
  Json summary = {{"series", total},
                  {"series_skipped", skipped},
                  {"models", models},
                  {"model_version", core_model_version()}};
  if (!last_skip.empty()) summary["last_skip_reason"] = last_skip;
  return finish_job(*db, id, "done", dump_json(summary), "");
}

}  // namespace shelfcast::server
