// Core benchmarks, built natively and for node: the same work timed on both sides of one run by
// scripts/bench, which prints the ratios. Prints `BENCH <name> <value> <unit>` lines.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/generate.h"
#include "timing.h"

namespace {

using shelfcast::bench::median_ms;

bool wanted(int argc, char** argv, const char* name) {
  if (argc < 2) return true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __EMSCRIPTEN__
  const char* side = "wasm";
#else
  const char* side = "native";
#endif
  if (wanted(argc, argv, "generate")) {
    shelfcast::GeneratorConfig config;  // the demo data set
    size_t lines = 0;
    const double ms = median_ms(3, [&] {
      auto data = shelfcast::generate(config);
      lines = data.is_ok() ? data->data.lines.size() : 0;
    });
    std::printf("BENCH generate_demo_%s %.1f ms\n", side, ms);
    std::printf("BENCH generate_demo_lines_%s %zu lines\n", side, lines);
  }
  if (wanted(argc, argv, "forecast")) {
    // 1,000 weekly series of three years, SES and the auto choice, h = 26.
    std::vector<shelfcast::ForecastInput> inputs(1000);
    for (size_t s = 0; s < inputs.size(); ++s) {
      auto& in = inputs[s];
      in.season_length = 52;
      in.horizon = 26;
      for (int t = 0; t < 156; ++t) {
        in.values.push_back(50.0 + 20.0 * std::sin(2 * 3.14159265 * t / 52.0) +
                            static_cast<double>((t * 7919 + static_cast<int>(s) * 104729) % 17) -
                            8);
      }
    }
    double sink = 0.0;
    const double ms = median_ms(5, [&] {
      for (const auto& in : inputs) {
        auto r = shelfcast::forecast(in);
        if (r.is_ok()) sink += r->mean[0];
      }
    });
    std::printf("BENCH forecast_1000_series_%s %.2f ms\n", side, ms);
    std::printf("BENCH forecast_per_series_%s %.1f us\n", side, ms);
    if (sink == 42.0) std::printf("\n");
  }
  return 0;
}
