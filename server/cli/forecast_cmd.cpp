#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "ingest/series_csv.h"
#include "shelfcast/backtest.h"
#include "shelfcast/forecast.h"

namespace shelfcast::server {
namespace {

const char* const kForecastUsage =
    "usage: shelfcast forecast --input FILE --horizon H [--season-length M] [--levels 80,95]\n"
    "                          [--method M] [--output FILE]\n"
    "  Forecasts every series of a long CSV `series_id,period,value` (optional regressor columns\n"
    "  price,promo_depth,feature,display,holiday; rows after a series' last value are its planned\n"
    "  periods). Writes CSV `series_id,step,mean,lo80,hi80,lo95,hi95,model` (a lo/hi pair per\n"
    "  level) to FILE or stdout. --season-length defaults to 1 (no season); use 52 for weeks.\n"
    "  --method auto (default) picks SBA for intermittent series, the retail regression when the\n"
    "  drivers vary, else ETS by AICc; or one of naive, snaive, ses, ets, drift, croston, sba,\n"
    "  tsb, regression. Drivers: price = net price paid per unit (an empty cell keeps the\n"
    "  previous price); promo_depth = fraction off in [0, 1); feature, display in [0, 1];\n"
    "  holiday >= 0; empty = none. Planned periods without a row assume the last price and no\n"
    "  promotion.\n";

const char* const kBacktestUsage =
    "usage: shelfcast backtest --input FILE --horizon H --origins K [--season-length M] [--step "
    "S]\n"
    "                          [--levels 80,95] [--method M] [--output FILE]\n"
    "  Rolling-origin evaluation: the last origin leaves exactly H periods, earlier ones step "
    "back\n"
    "  by S (default 1). Writes CSV `series_id,points,mase,rmsse,smape,wape,bias,coverage80,...,\n"
    "  models` with one row per series and a last row `ALL` pooling every forecast point. MASE\n"
    "  uses the seasonal naive scale (M4), RMSSE the lag-1 scale (M5); sMAPE is in percent, WAPE,\n"
    "  bias and coverage are fractions; an undefined metric is empty.\n";

// Shortest text that reads back as the same double; empty for NaN.
std::string num(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "";
}

std::string level_name(double level) { return num(level); }

Result<std::vector<double>> parse_levels(const std::string& text) {
  std::vector<double> levels;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    double v = 0.0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || end != item.data() + item.size() || !(v > 0.0 && v < 100.0)) {
      return invalid_argument(
          "--levels expects numbers between 0 and 100 separated by commas, "
          "got \"" +
          text + "\"");
    }
    levels.push_back(v);
  }
  if (levels.empty()) return invalid_argument("--levels needs at least one level");
  return levels;
}

// The options both commands share, read into a ForecastInput template.
bool common_options(const Args& args, const char* usage, ForecastInput* input, int* exit_code) {
  Result<long long> horizon = int_option(args, "horizon", 0, 1, 10000);
  Result<long long> season = int_option(args, "season-length", 1, 1, 10000);
  for (const Result<long long>* r : {&horizon, &season}) {
    if (!r->is_ok()) {
      *exit_code = usage_error(r->status().message(), usage);
      return false;
    }
  }
  input->horizon = static_cast<int32_t>(*horizon);
  input->season_length = static_cast<int32_t>(*season);
  Result<std::vector<double>> levels = parse_levels(args.get("levels", "80,95"));
  if (!levels.is_ok()) {
    *exit_code = usage_error(levels.status().message(), usage);
    return false;
  }
  input->levels = *levels;
  Result<ForecastMethod> method = parse_forecast_method(args.get("method", "auto"));
  if (!method.is_ok()) {
    *exit_code = usage_error("--method: " + method.status().message(), usage);
    return false;
  }
  input->method = *method;
  return true;
}

Result<LongSeriesFile> read_series(const std::string& path) {
  Result<std::string> content = read_whole_file(path);
  if (!content.is_ok()) return content.status();
  return parse_long_series(path, *content);
}

// The series' driver columns as the model's drivers (regression.h). Price becomes the ratio to
// the median observed price of the history (the reference only shifts the level). An empty cell
// means "the previous price" for price and "none" for the others; planned periods missing from
// the file (fewer rows after the last value than the horizon) are filled the same way and
// counted in *padded. `future_periods` = 0 reads history only (backtest: the file's future rows
// play no part).
void attach_drivers(const LongSeries& s, int32_t future_periods, ForecastInput* input,
                    int64_t* padded) {
  const size_t n = s.values.size();
  const size_t total = n + static_cast<size_t>(future_periods);
  if (future_periods > s.future_rows) *padded += future_periods - s.future_rows;
  for (size_t r = 0; r < s.regressor_names.size(); ++r) {
    const std::string& name = s.regressor_names[r];
    const std::vector<double>& column = s.regressors[r];
    std::vector<double> v(total, name == "price" ? std::nan("") : 0.0);
    for (size_t t = 0; t < total && t < column.size(); ++t) {
      if (!std::isnan(column[t])) v[t] = column[t];
    }
    if (name == "price") {
      std::vector<double> seen;
      for (size_t t = 0; t < n; ++t) {
        if (!std::isnan(v[t])) seen.push_back(v[t]);
      }
      if (seen.empty()) continue;  // no price ever observed: the driver is not used
      std::nth_element(seen.begin(), seen.begin() + static_cast<long>(seen.size() / 2), seen.end());
      const double reference = seen[seen.size() / 2];
      double last = std::nan("");
      for (double x : v) {
        if (!std::isnan(x)) {
          last = x;
          break;
        }
      }
      for (double& x : v) {
        if (std::isnan(x)) x = last;
        last = x;
        x /= reference;
      }
    }
    std::vector<double>* history = nullptr;
    std::vector<double>* future = nullptr;
    RetailRegressors& h = input->history_drivers;
    RetailRegressors& f = input->future_drivers;
    if (name == "price")
      history = &h.price_ratio, future = &f.price_ratio;
    else if (name == "promo_depth")
      history = &h.promo_depth, future = &f.promo_depth;
    else if (name == "feature")
      history = &h.feature, future = &f.feature;
    else if (name == "display")
      history = &h.display, future = &f.display;
    else
      history = &h.holiday, future = &f.holiday;
    history->assign(v.begin(), v.begin() + static_cast<long>(n));
    future->assign(v.begin() + static_cast<long>(n), v.end());
  }
}

// Notes go out only after a successful run, so a failure stays a single line on stderr.
int finish(const std::string& output, const std::string& bytes, const LongSeriesFile& file,
           int64_t padded) {
  Status written = write_output(output, bytes);
  if (!written.is_ok()) return input_error(written.message());
  if (!file.ignored_columns.empty()) {
    std::cerr << "shelfcast: note: ignored columns:";
    for (const std::string& c : file.ignored_columns) std::cerr << " " << c;
    std::cerr << "\n";
  }
  if (padded > 0) {
    std::cerr << "shelfcast: note: " << padded
              << " planned period(s) had no row after the last value; assumed the last price, "
                 "no promotion and no holiday\n";
  }
  return kExitOk;
}

}  // namespace

int cmd_forecast(int argc, char** argv) {
  Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 2,
                     {"input", "horizon", "season-length", "levels", "method", "output"}, {},
                     kForecastUsage, {"input", "horizon"}, &args, &exit_code)) {
    return exit_code;
  }
  ForecastInput base;
  if (!common_options(args, kForecastUsage, &base, &exit_code)) return exit_code;
  Result<LongSeriesFile> file = read_series(args.get("input"));
  if (!file.is_ok()) return input_error(file.status().message());

  int64_t padded = 0;
  std::string out = "series_id,step,mean";
  for (double level : base.levels) out += ",lo" + level_name(level) + ",hi" + level_name(level);
  out += ",model\n";
  for (const LongSeries& series : file->series) {
    ForecastInput input = base;
    input.values = series.values;
    attach_drivers(series, input.horizon, &input, &padded);
    Result<ForecastResult> result = forecast(input);
    if (!result.is_ok()) {
      return input_error(args.get("input") + ": series \"" + series.id +
                         "\": " + result.status().to_string());
    }
    for (size_t h = 0; h < result->mean.size(); ++h) {
      out += series.id + "," + std::to_string(h + 1) + "," + num(result->mean[h]);
      for (const ForecastInterval& iv : result->intervals) {
        out += "," + num(iv.lower[h]) + "," + num(iv.upper[h]);
      }
      out += "," + result->model + "\n";
    }
  }
  return finish(args.get("output"), out, *file, padded);
}

int cmd_backtest(int argc, char** argv) {
  Args args;
  int exit_code = 0;
  if (!parse_or_exit(
          argc, argv, 2,
          {"input", "horizon", "origins", "season-length", "step", "levels", "method", "output"},
          {}, kBacktestUsage, {"input", "horizon", "origins"}, &args, &exit_code)) {
    return exit_code;
  }
  ForecastInput base;
  if (!common_options(args, kBacktestUsage, &base, &exit_code)) return exit_code;
  Result<long long> origins = int_option(args, "origins", 1, 1, 100000);
  Result<long long> step = int_option(args, "step", 1, 1, 100000);
  for (const Result<long long>* r : {&origins, &step}) {
    if (!r->is_ok()) return usage_error(r->status().message(), kBacktestUsage);
  }
  BacktestOptions options;
  options.horizon = base.horizon;
  options.origins = static_cast<int32_t>(*origins);
  options.step = static_cast<int32_t>(*step);
  Result<LongSeriesFile> file = read_series(args.get("input"));
  if (!file.is_ok()) return input_error(file.status().message());

  std::string out = "series_id,points,mase,rmsse,smape,wape,bias";
  for (double level : base.levels) out += ",coverage" + level_name(level);
  out += ",models\n";
  auto row = [&out](const std::string& id, const AccuracyMetrics& m, const std::string& models) {
    out += id + "," + std::to_string(m.n) + "," + num(m.mase) + "," + num(m.rmsse) + "," +
           num(m.smape) + "," + num(m.wape) + "," + num(m.bias);
    for (double c : m.coverage) out += "," + num(c);
    out += "," + models + "\n";
  };
  AccuracyAccumulator all;
  std::set<std::string> all_models;
  const Forecaster core = [](const ForecastInput& in) { return forecast(in); };
  for (const LongSeries& series : file->series) {
    ForecastInput input = base;
    input.values = series.values;
    int64_t unused = 0;
    attach_drivers(series, 0, &input, &unused);
    Result<BacktestResult> result = backtest(input, options, core);
    if (!result.is_ok()) {
      return input_error(args.get("input") + ": series \"" + series.id +
                         "\": " + result.status().to_string());
    }
    std::set<std::string> models(result->models.begin(), result->models.end());
    std::string joined;
    for (const std::string& m : models) joined += (joined.empty() ? "" : "|") + m;
    row(series.id, result->metrics, joined);
    all.merge(result->accumulator);
    all_models.insert(models.begin(), models.end());
  }
  std::string joined;
  for (const std::string& m : all_models) joined += (joined.empty() ? "" : "|") + m;
  row("ALL", all.metrics(), joined);
  return finish(args.get("output"), out, *file, 0);
}

}  // namespace shelfcast::server
