// Load benchmark: a mix of API reads at a fixed arrival rate against a running `shelfcast serve`
// on loopback; prints p50/p99 latency and the throughput achieved.
//
//   bench_load URL TOKEN [--rate 500] [--seconds 10] [--threads 8] [--product CODE --store CODE]
//
// Arrivals are scheduled open-loop (request i is due at start + i / rate, whatever the latency of
// the others), so a slow server shows as latency, not as a silently lower rate.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const auto k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: bench_load URL TOKEN [--rate R] [--seconds S] [--threads T] "
                 "[--product CODE --store CODE]\n");
    return 2;
  }
  const std::string url = argv[1], token = argv[2];
  double rate = 500.0, seconds = 10.0;
  int threads = 8;
  std::string product, store;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--rate")
      rate = std::atof(value.c_str());
    else if (flag == "--seconds")
      seconds = std::atof(value.c_str());
    else if (flag == "--threads")
      threads = std::atoi(value.c_str());
    else if (flag == "--product")
      product = value;
    else if (flag == "--store")
      store = value;
  }
  // The read mix a planner's page and a dashboard generate.
  std::vector<std::string> paths = {"/api/v1/health", "/api/v1/whoami", "/api/v1/stores",
                                    "/api/v1/products", "/api/v1/jobs"};
  if (!product.empty() && !store.empty()) {
    paths.push_back("/api/v1/series?product=" + product + "&store=" + store);
  }
  const auto total = static_cast<int64_t>(rate * seconds);
  std::atomic<int64_t> next{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<int64_t> errors{0};
  const auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      httplib::Client client(url);
      client.set_keep_alive(true);
      const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
      std::vector<double> mine;
      for (int64_t i = next++; i < total; i = next++) {
        const auto due = start + std::chrono::microseconds(static_cast<int64_t>(1e6 * i / rate));
        std::this_thread::sleep_until(due);
        const std::string& path = paths[static_cast<size_t>(i) % paths.size()];
        auto res = client.Get(path.c_str(), auth);
        const auto done = std::chrono::steady_clock::now();
        // Latency from when the request was due: waiting for a free connection counts too.
        mine.push_back(std::chrono::duration<double, std::milli>(done - due).count());
        if (!res || res->status != 200) ++errors;
      }
      std::lock_guard<std::mutex> lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : pool) t.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("BENCH load_target_rate %.0f requests/s\n", rate);
  std::printf("BENCH load_achieved_rate %.0f requests/s\n",
              static_cast<double>(latencies_ms.size()) / elapsed);
  std::printf("BENCH load_requests %zu count\n", latencies_ms.size());
  std::printf("BENCH load_errors %lld count\n", static_cast<long long>(errors.load()));
  std::printf("BENCH load_latency_p50 %.2f ms\n", percentile(latencies_ms, 0.50));
  std::printf("BENCH load_latency_p99 %.2f ms\n", percentile(latencies_ms, 0.99));
  std::printf("BENCH load_latency_max %.2f ms\n", percentile(latencies_ms, 1.0));
  return errors.load() == 0 ? 0 : 1;
}
