#include "jobs/job_runner.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "jobs/batch_jobs.h"
#include "jobs/price_response.h"
#include "shelfcast/customer.h"
#include "shelfcast/hierarchy_forecast.h"
#include "shelfcast/json.h"
#include "shelfcast/series.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

using nlohmann::json;

// How many series' forecasts are written per transaction: bounds memory and lock time.
constexpr int64_t kSeriesPerCommit = 200;
// Progress is written every this many nodes (a write per node would slow the job down).
constexpr int64_t kNodesPerProgressWrite = 100;

// Hierarchy node names are attribute=value pairs joined by '|': keep those characters out.
std::string attribute_value(const std::string& text) {
  if (text.empty()) return "none";
  std::string out = text;
  for (char& c : out) {
    if (c == '|' || c == '=') c = '/';
  }
  return out;
}

// Forecasts of loyalty demand by RFM segment and category (segments as of the last history
// day), reconciled so categories add up to their segment, stored as levels "segment" and
// "segment,category". Segments under spec.min_customers customers merge into "other"; an "other"
// still under it is left out. Returns what the summary says about it.
Result<Json> forecast_segments(Database& db, int64_t id, const ForecastJobSpec& spec,
                               Date first_week, size_t periods,
                               const HierarchyForecastOptions& base_options) {
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<CustomerDayRow> rows, customer_day_rows(db));
  if (rows.empty()) return Json{{"customers", 0}};
  const Date grid_start{first_week.days - 7 * static_cast<int32_t>(periods)};
  const Date history_end{first_week.days - 1};
  std::vector<CustomerTransaction> purchases;
  for (const CustomerDayRow& r : rows) {
    if (r.day > history_end) continue;
    if (!purchases.empty() && purchases.back().customer_id == std::to_string(r.customer_id) &&
        purchases.back().date == r.day) {
      purchases.back().amount += r.amount;  // one purchase per customer and day
    } else {
      purchases.push_back({std::to_string(r.customer_id), r.day, r.amount});
    }
  }
  if (purchases.empty()) return Json{{"customers", 0}};
  SummaryOptions so;
  so.calibration_end = history_end;
  SHELFCAST_ASSIGN_OR_RETURN(CustomerSummaries summaries, summarize_customers(purchases, so));
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<RfmScore> scores, rfm_scores(summaries));
  std::map<std::string, std::string> segment_of;  // customer -> segment
  std::map<std::string, int64_t> size;
  for (size_t i = 0; i < scores.size(); ++i) {
    segment_of[summaries.customers[i].customer_id] = scores[i].segment;
    ++size[scores[i].segment];
  }
  int64_t merged = 0, left_out = 0;
  std::map<std::string, int64_t> final_size;
  for (auto& [customer, segment] : segment_of) {
    if (size[segment] < spec.min_customers) {
      segment = "other";
      ++merged;
    }
    ++final_size[segment];
  }
  for (auto& [customer, segment] : segment_of) {
    if (final_size[segment] < spec.min_customers) {
      segment.clear();
      ++left_out;
    }
  }
  // Weekly units per segment and category on the product-store grid.
  std::map<std::pair<std::string, std::string>, std::vector<double>> units;
  for (const CustomerDayRow& r : rows) {
    if (r.day < grid_start || r.day > history_end) continue;
    const auto it = segment_of.find(std::to_string(r.customer_id));
    if (it == segment_of.end() || it->second.empty()) continue;
    std::vector<double>& v = units[{it->second, attribute_value(r.category_code)}];
    v.resize(periods, 0.0);
    v[static_cast<size_t>((r.day.days - grid_start.days) / 7)] += r.units;
  }
  if (units.empty()) return Json{{"customers", 0}};
  HierarchyForecastInput input;
  for (const auto& [key, values] : units) {
    BottomSeries b;
    b.key = "segment=" + attribute_value(key.first) + "|category=" + key.second;
    b.attributes = {{"segment", attribute_value(key.first)}, {"category", key.second}};
    input.spec.bottom.push_back(std::move(b));
    ForecastInput in;
    in.values = values;
    in.season_length = spec.season_length;
    in.horizon = spec.horizon;
    in.levels = spec.levels;
    in.period_name = "week";
    input.bottom.push_back(std::move(in));
  }
  input.spec.levels = {{"segment"}};
  HierarchyForecastOptions options = base_options;
  options.bottom_level_name = "segment,category";
  options.progress = nullptr;
  SHELFCAST_ASSIGN_OR_RETURN(HierarchyForecast f, forecast_hierarchy(input, options));
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  for (size_t node = 0; node < f.base.size(); ++node) {
    SHELFCAST_RETURN_IF_ERROR(save_level_forecast(
        db, id, f.level_names[node], f.hierarchy.node_names[node], first_week,
        f.reconciled.mean[node], f.base[node].mean, f.reconciled.intervals[node],
        f.base[node].model, f.base[node].model_version));
  }
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  Json segments = Json::object();
  for (const auto& [segment, n] : final_size) {
    if (n >= spec.min_customers) segments[segment] = n;
  }
  return Json{{"customers", segment_of.size() - static_cast<size_t>(left_out)},
              {"segments", segments},
              {"customers_merged_into_other", merged},
              {"customers_left_out", left_out},
              {"min_customers", spec.min_customers}};
}

// Registers the finished job in the model registry: model version, data version, parameters,
// backtest metrics and the models chosen.
Status register_job_model(Database& db, int64_t id, const ForecastJobSpec& spec,
                          const Json& summary) {
  SHELFCAST_ASSIGN_OR_RETURN(std::string hash, data_hash(db));
  RegistryEntry e;
  e.job_id = id;
  e.kind = "forecast";
  e.model_version = core_model_version();
  e.data_hash = hash;
  e.params_json = encode_forecast_job(spec);
  e.metrics_json = dump_json(summary.value("accuracy", Json::object()));
  e.models_json = dump_json(summary.value("models", Json::object()));
  return register_model(db, e).status();
}

Json metrics_json(const AccuracyMetrics& m) {
  const auto num = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
  Json coverage = Json::object();
  for (size_t l = 0; l < m.levels.size() && l < m.coverage.size(); ++l) {
    coverage[std::to_string(static_cast<int>(m.levels[l]))] = num(m.coverage[l]);
  }
  return Json{{"n", m.n},
              {"mase", num(m.mase)},
              {"rmsse", num(m.rmsse)},
              {"smape", num(m.smape)},
              {"wape", num(m.wape)},
              {"bias", num(m.bias)},
              {"coverage", coverage}};
}

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
                            IntField{"season_length", &spec.season_length, 1, 365},
                            IntField{"backtest_origins", &spec.backtest_origins, 0, 12},
                            IntField{"backtest_step", &spec.backtest_step, 1, 52},
                            IntField{"min_customers", &spec.min_customers, 2, 100000}}) {
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
  if (auto it = j.find("reconcile"); it != j.end()) {
    if (!it->is_string() || (it->get<std::string>() != "none" &&
                             !parse_reconcile_method(it->get<std::string>()).is_ok())) {
      return invalid_argument(
          "expected none, bottom_up, ols, wls_struct, wls_var or mint_shrink, got " + it->dump(),
          "reconcile");
    }
    spec.reconcile = it->get<std::string>();
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const std::set<std::string> kKnown = {
        "products", "stores",    "horizon",          "season_length", "levels",
        "method",   "reconcile", "backtest_origins", "backtest_step", "min_customers"};
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
                        {"method", std::string(to_string(spec.method))},
                        {"reconcile", spec.reconcile},
                        {"backtest_origins", spec.backtest_origins},
                        {"backtest_step", spec.backtest_step},
                        {"min_customers", spec.min_customers}});
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
  return enqueue(*db, "forecast", encode_forecast_job(spec), created_by);
}

Result<int64_t> JobRunner::submit_batch(const std::string& kind, const std::string& body,
                                        const std::string& created_by) {
  if (!is_batch_job_kind(kind)) return invalid_argument("unknown job kind", "kind");
  SHELFCAST_ASSIGN_OR_RETURN(auto db, Database::open(db_path_, Database::Mode::kReadWrite));
  SHELFCAST_ASSIGN_OR_RETURN(std::string params, decode_batch_job(*db, kind, body));
  return enqueue(*db, kind, params, created_by);
}

Result<int64_t> JobRunner::enqueue(Database& db, const std::string& kind,
                                   const std::string& params_json, const std::string& created_by) {
  SHELFCAST_ASSIGN_OR_RETURN(int64_t id,
                             create_job(db, kind, params_json, core_model_version(), created_by));
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
    Status s = run_job(id);
    if (!s.is_ok()) {
      // The job could not even record its failure: the database is gone or broken.
      std::cerr << "shelfcast: job " << id << ": " << s.to_string() << "\n";
    }
  }
}

Status JobRunner::run_job(int64_t id) {
  SHELFCAST_ASSIGN_OR_RETURN(auto db, Database::open(db_path_, Database::Mode::kReadWrite));
  SHELFCAST_ASSIGN_OR_RETURN(JobRow job, get_job(*db, id));
  if (job.kind == "forecast") return run_forecast_job(id);
  return run_batch(*db, job);
}

Status JobRunner::run_batch(Database& db, const JobRow& job) {
  const int64_t id = job.id;
  if (cancelled(id)) return finish_job(db, id, "cancelled", "{}", "cancelled before it started");
  JobControl control;
  control.cancelled = [this, id] { return cancelled(id); };
  control.progress = [&db, id](int64_t done, int64_t total) {
    return update_job_progress(db, id, done, total);
  };
  Result<Json> summary = run_batch_job(db, job, control);
  if (!summary.is_ok()) {
    if (cancelled(id)) {
      return finish_job(db, id, "cancelled", "{}", "cancelled while running (" + job.kind + ")");
    }
    return finish_job(db, id, "failed", "{}", summary.status().to_string());
  }
  return finish_job(db, id, "done", dump_json(*summary), "");
}

Status JobRunner::run_forecast_job(int64_t id) {
  SHELFCAST_ASSIGN_OR_RETURN(auto db, Database::open(db_path_, Database::Mode::kReadWrite));
  SHELFCAST_ASSIGN_OR_RETURN(JobRow job, get_job(*db, id));
  Result<ForecastJobSpec> spec = decode_forecast_job(job.params_json);
  if (!spec.is_ok()) return finish_job(*db, id, "failed", "{}", spec.status().to_string());
  if (cancelled(id)) return finish_job(*db, id, "cancelled", "{}", "cancelled before it started");

  Result<std::vector<SeriesKey>> keys = list_series_keys(*db, spec->products, spec->stores);
  if (!keys.is_ok()) return finish_job(*db, id, "failed", "{}", keys.status().to_string());
  if (spec->reconcile != "none") return run_reconciled_job(*db, id, *spec, *keys);
  const auto total = static_cast<int64_t>(keys->size());
  SHELFCAST_RETURN_IF_ERROR(update_job_progress(*db, id, 0, total));

  std::map<std::string, int64_t> models;
  PriceResponseCollector price_response;
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
      price_response.add(key, *result);
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
  Result<Json> pooled = price_response.summary();
  if (!pooled.is_ok()) return finish_job(*db, id, "failed", "{}", pooled.status().to_string());
  summary["price_response"] = std::move(pooled).value();
  SHELFCAST_RETURN_IF_ERROR(register_job_model(*db, id, *spec, summary));
  return finish_job(*db, id, "done", dump_json(summary), "");
}

Status JobRunner::run_reconciled_job(Database& db, int64_t id, const ForecastJobSpec& spec,
                                     const std::vector<SeriesKey>& keys) {
  const auto fail = [&db, id](const std::string& why) {
    return finish_job(db, id, "failed", "{}", why);
  };
  Result<ReconcileMethod> method = parse_reconcile_method(spec.reconcile);
  if (!method.is_ok()) return fail(method.status().to_string());
  Result<std::map<int64_t, std::string>> channels = store_main_channels(db);
  if (!channels.is_ok()) return fail(channels.status().to_string());

  // Every series in memory, on one weekly grid (the data period, edge weeks trimmed alike).
  HierarchyForecastInput input;
  std::vector<const SeriesKey*> used;
  int64_t skipped = 0;
  std::string last_skip;
  Date first_week;
  size_t periods = 0;
  for (const SeriesKey& key : keys) {
    Result<std::vector<WeeklyPoint>> points = weekly_series(db, key.product_code, key.store_code);
    if (!points.is_ok()) return fail(points.status().to_string());
    size_t first = 0, last = points->size();
    while (first < last && !(*points)[first].complete) ++first;
    while (last > first && !(*points)[last - 1].complete) --last;
    WeeklyForecastRequest request;
    request.history.assign(points->begin() + static_cast<long>(first),
                           points->begin() + static_cast<long>(last));
    request.season_length = spec.season_length;
    request.horizon = spec.horizon;
    request.levels = spec.levels;
    request.method = spec.method;
    Result<ForecastInput> in = weekly_forecast_input(request);
    if (!in.is_ok() || (periods != 0 && in->values.size() != periods)) {
      ++skipped;
      last_skip = key.product_code + "@" + key.store_code + ": " +
                  (in.is_ok() ? "a different weekly grid" : in.status().message());
      continue;
    }
    periods = in->values.size();
    first_week = Date{request.history.back().week.days + 7};
    BottomSeries bottom;
    bottom.key =
        "sku=" + attribute_value(key.product_code) + "|store=" + attribute_value(key.store_code);
    const auto channel = channels->find(key.store_id);
    bottom.attributes = {{"sku", attribute_value(key.product_code)},
                         {"store", attribute_value(key.store_code)},
                         {"category", attribute_value(key.category_code)},
                         {"region", attribute_value(key.region)},
                         {"channel", channel == channels->end() ? "none" : channel->second}};
    input.spec.bottom.push_back(std::move(bottom));
    input.bottom.push_back(std::move(in).value());
    used.push_back(&key);
    if (cancelled(id)) return finish_job(db, id, "cancelled", "{}", "cancelled while loading");
  }
  if (input.bottom.empty()) {
    return fail(keys.empty() ? "no series with sales to forecast"
                             : "no series could be forecast; last: " + last_skip);
  }
  input.spec.levels = {{}, {"region"}, {"category"}, {"category", "region"}, {"sku", "channel"}};

  HierarchyForecastOptions options;
  options.method = *method;
  options.bottom_level_name = "sku,store";
  int64_t last_written = 0;
  options.progress = [this, &db, id, &last_written](int64_t done, int64_t total) {
    if (done - last_written >= kNodesPerProgressWrite || done == total) {
      last_written = done;
      if (!update_job_progress(db, id, done, total).is_ok()) return false;
    }
    return !cancelled(id);
  };
  Result<HierarchyForecast> f = forecast_hierarchy(input, options);
  if (!f.is_ok()) {
    if (cancelled(id)) return finish_job(db, id, "cancelled", "{}", "cancelled while forecasting");
    return fail(f.status().to_string());
  }

  // Store: bottoms with their reconciled numbers (parts + the reconciliation's adjustment add up
  // to the stored mean), then every aggregate node.
  const Hierarchy& h = f->hierarchy;
  std::map<std::string, int64_t> models;
  PriceResponseCollector price_response;
  for (size_t b0 = 0; b0 < used.size(); b0 += static_cast<size_t>(kSeriesPerCommit)) {
    Transaction tx(db);
    SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
    for (size_t b = b0; b < std::min(used.size(), b0 + static_cast<size_t>(kSeriesPerCommit));
         ++b) {
      const size_t node = static_cast<size_t>(h.num_aggregate) + b;
      ForecastResult stored = f->base[node];
      ++models[stored.model];
      price_response.add(*used[b], stored);
      const std::vector<double> base_mean = stored.mean;
      stored.mean = f->reconciled.mean[node];
      stored.intervals = f->reconciled.intervals[node];
      ForecastComponent adjust{"reconciliation", {}};
      for (size_t s = 0; s < stored.mean.size(); ++s) {
        adjust.values.push_back(stored.mean[s] - base_mean[s]);
      }
      stored.components.push_back(std::move(adjust));
      SHELFCAST_RETURN_IF_ERROR(save_forecast(db, id, *used[b], first_week, stored, base_mean));
    }
    SHELFCAST_RETURN_IF_ERROR(tx.commit());
  }
  {
    Transaction tx(db);
    SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
    for (size_t node = 0; node < static_cast<size_t>(h.num_aggregate); ++node) {
      SHELFCAST_RETURN_IF_ERROR(save_level_forecast(
          db, id, f->level_names[node], h.node_names[node], first_week, f->reconciled.mean[node],
          f->base[node].mean, f->reconciled.intervals[node], f->base[node].model,
          f->base[node].model_version));
    }
    SHELFCAST_RETURN_IF_ERROR(tx.commit());
  }

  Json accuracy = Json::object();
  if (spec.backtest_origins > 0) {
    BacktestOptions bt;
    bt.horizon = spec.horizon;
    bt.origins = spec.backtest_origins;
    bt.step = spec.backtest_step;
    last_written = 0;
    Result<std::vector<LevelAccuracy>> levels = backtest_hierarchy(input, bt, options);
    if (!levels.is_ok()) {
      if (cancelled(id)) {
        return finish_job(db, id, "cancelled", "{}", "cancelled while backtesting");
      }
      accuracy["error"] = levels.status().to_string();  // forecasts stand; say why no accuracy
    } else {
      Transaction tx(db);
      SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
      for (const LevelAccuracy& level : *levels) {
        const Json base = metrics_json(level.base.metrics());
        const Json rec = metrics_json(level.reconciled.metrics());
        SHELFCAST_RETURN_IF_ERROR(
            save_level_accuracy(db, id, {level.level, "base", level.nodes, dump_json(base)}));
        SHELFCAST_RETURN_IF_ERROR(
            save_level_accuracy(db, id, {level.level, "reconciled", level.nodes, dump_json(rec)}));
        accuracy[level.level] = {{"base_wape", base["wape"]},
                                 {"reconciled_wape", rec["wape"]},
                                 {"base_bias", base["bias"]},
                                 {"reconciled_bias", rec["bias"]}};
      }
      SHELFCAST_RETURN_IF_ERROR(tx.commit());
    }
  }

  // Customer segments: loyalty demand by RFM segment, reconciled on its own (it is a part of the
  // product-store total, not a level of it).
  Result<Json> segments = forecast_segments(db, id, spec, first_week, periods, options);
  if (!segments.is_ok() && cancelled(id)) {
    return finish_job(db, id, "cancelled", "{}", "cancelled while forecasting segments");
  }

  Json levels = Json::object();
  for (size_t node = 0; node < f->level_names.size(); ++node) {
    levels[f->level_names[node]] = levels.value(f->level_names[node], 0) + 1;
  }
  const ReconcileResult& r = f->reconciled;
  Json summary = {{"series", used.size()},
                  {"series_skipped", skipped},
                  {"models", models},
                  {"model_version", core_model_version()},
                  {"reconcile", r.method_name},
                  {"covariance", r.covariance_form},
                  {"shrinkage_lambda", r.shrinkage_lambda},
                  {"levels", levels},
                  {"nonnegative_steps_adjusted", r.nonneg_steps_adjusted}};
  if (!f->fallback_reason.empty()) summary["reconcile_fallback"] = f->fallback_reason;
  if (!last_skip.empty()) summary["last_skip_reason"] = last_skip;
  if (!accuracy.empty()) summary["accuracy"] = accuracy;
  Result<Json> pooled = price_response.summary();
  if (!pooled.is_ok()) return fail(pooled.status().to_string());
  summary["price_response"] = std::move(pooled).value();
  summary["customer_segments"] =
      segments.is_ok() ? *segments : Json{{"error", segments.status().to_string()}};
  SHELFCAST_RETURN_IF_ERROR(register_job_model(db, id, spec, summary));
  return finish_job(db, id, "done", dump_json(summary), "");
}

}  // namespace shelfcast::server
