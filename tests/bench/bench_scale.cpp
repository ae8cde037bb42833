// Scale: N generated weekly series of 156 weeks, each generated, fitted and forecast (h = 13,
// automatic model choice) and then dropped, on T threads — memory follows the series in flight,
// not all of them. Prints `BENCH scale_* <value> <unit>`. Native only (the core has no threads;
// the bench brings its own). Usage: bench_scale [--series N] [--threads T]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/forecast.h"

namespace {

// One weekly unit series: seasonal level with trend, promotion spikes, negative-binomial noise.
std::vector<double> make_series(uint64_t index, int weeks) {
  shelfcast::detail::Rng rng(20261126, index);
  const double base = rng.lognormal(std::log(20.0), 1.0);
  const double amplitude = rng.uniform(0.0, 0.4);
  const double phase = rng.uniform(0.0, 52.0);
  const double trend = rng.uniform(-0.002, 0.004);
  std::vector<double> y;
  y.reserve(static_cast<size_t>(weeks));
  for (int t = 0; t < weeks; ++t) {
    double mean = base * std::exp(trend * t) *
                  (1.0 + amplitude * std::cos(6.283185307179586 * (t - phase) / 52.0));
    if (rng.uniform() < 0.06) mean *= 2.0;  // a promotion week
    y.push_back(static_cast<double>(rng.negative_binomial(mean, 8.0)));
  }
  return y;
}

}  // namespace

int main(int argc, char** argv) {
  long long n_series = 100000;
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--series") == 0)
      n_series = std::atoll(argv[i + 1]);
    else if (std::strcmp(argv[i], "--threads") == 0)
      threads = std::atoi(argv[i + 1]);
  }
  std::atomic<long long> next{0}, failed{0};
  std::atomic<double> checksum_bits{0.0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int w = 0; w < threads; ++w) {
    pool.emplace_back([&] {
      double local = 0.0;
      for (long long i = next++; i < n_series; i = next++) {
        shelfcast::ForecastInput in;
        in.values = make_series(static_cast<uint64_t>(i), 156);
        in.season_length = 52;
        in.horizon = 13;
        auto r = shelfcast::forecast(in);
        if (r.is_ok())
          local += r->mean[0];
        else
          ++failed;
      }
      double expected = checksum_bits.load();
      while (!checksum_bits.compare_exchange_weak(expected, expected + local)) {
      }
    });
  }
  for (std::thread& t : pool) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("BENCH scale_series %lld series\n", n_series);
  std::printf("BENCH scale_threads %d threads\n", threads);
  std::printf("BENCH scale_total_time %.1f s\n", seconds);
  std::printf("BENCH scale_target_time 120 s\n");
  std::printf("BENCH scale_series_per_second %.0f series/s\n",
              static_cast<double>(n_series) / seconds);
  std::printf("BENCH scale_peak_rss %.1f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  std::printf("BENCH scale_failed %lld series\n", failed.load());
  return failed.load() == 0 ? 0 : 1;
}
