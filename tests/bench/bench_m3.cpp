// M3 monthly benchmark of automatic ETS: 1,428 series, forecast h = 18 from the official training
// part, mean sMAPE against the test part (Makridakis & Hibon 2000). R's forecast::ets reaches
// 14.14 on the same data (tests/bench/m3_ets.R). Reads the uncompressed m3_long.csv (columns
// id,period,type,frequency,start,h,t,value,split) from a path, or from stdin when the path is "-".
// Usage: bench_m3 <m3_long.csv | -> [max_series] [two-starts]  ("two-starts": also descend from
// EtsOptions' second start, second_start = true)

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "shelfcast/ets.h"

namespace {

struct Series {
  std::vector<std::pair<int, double>> train, test;
};

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_m3 <m3_long.csv | -> [max_series] [two-starts]\n");
    return 2;
  }
  const long max_series = argc > 2 ? std::atol(argv[2]) : -1;
  shelfcast::EtsOptions options;
  if (argc > 3 && std::string(argv[3]) == "two-starts") options.second_start = true;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (std::string(argv[1]) != "-") {
    file.open(argv[1]);
    if (!file) {
      std::fprintf(stderr, "cannot open %s\n", argv[1]);
      return 2;
    }
    in = &file;
  }
  std::map<std::string, Series> series;
  std::vector<std::string> order;
  std::string line;
  std::getline(*in, line);  // header
  while (std::getline(*in, line)) {
    const std::vector<std::string> f = split_csv(line);
    if (f.size() < 9 || f[1] != "MONTHLY") continue;
    auto it = series.find(f[0]);
    if (it == series.end()) {
      order.push_back(f[0]);
      it = series.emplace(f[0], Series{}).first;
    }
    const int t = std::atoi(f[6].c_str());
    const double v = std::strtod(f[7].c_str(), nullptr);
    (f[8] == "test" ? it->second.test : it->second.train).emplace_back(t, v);
  }
  const int32_t h = 18;
  double smape_sum = 0.0, seconds = 0.0;
  long count = 0, failures = 0;
  std::map<std::string, int> chosen;
  for (const std::string& id : order) {
    if (max_series >= 0 && count >= max_series) break;
    Series& s = series[id];
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.test.begin(), s.test.end());
    std::vector<double> y, actual;
    for (const auto& p : s.train) y.push_back(p.second);
    for (const auto& p : s.test) actual.push_back(p.second);
    const auto t0 = std::chrono::steady_clock::now();
    shelfcast::Result<shelfcast::EtsFit> fit = shelfcast::ets_auto(y, 12, options);
    std::vector<double> mean;
    if (fit.is_ok()) {
      shelfcast::Result<shelfcast::EtsForecast> fc = shelfcast::ets_forecast(*fit, h, {}, options);
      if (fc.is_ok()) mean = fc->mean;
      ++chosen[shelfcast::to_string(fit->spec)];
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (mean.empty()) {
      ++failures;
      mean.assign(h, y.empty() ? 0.0 : y.back());
    }
    double sm = 0.0;
    const size_t hh = std::min(actual.size(), mean.size());
    for (size_t i = 0; i < hh; ++i) {
      sm += 200.0 * std::fabs(actual[i] - mean[i]) / (std::fabs(actual[i]) + std::fabs(mean[i]));
    }
    smape_sum += hh > 0 ? sm / static_cast<double>(hh) : 0.0;
    ++count;
  }
  if (count == 0) {
    std::fprintf(stderr, "no monthly series read\n");
    return 1;
  }
  std::printf("series %ld, failures %ld\n", count, failures);
  for (const auto& kv : chosen) std::printf("  %-12s %d\n", kv.first.c_str(), kv.second);
  std::printf("BENCH m3_monthly_smape_shelfcast %.3f percent\n",
              smape_sum / static_cast<double>(count));
  std::printf("BENCH m3_monthly_ms_per_series_shelfcast %.2f ms\n",
              1000.0 * seconds / static_cast<double>(count));
  return 0;
}
