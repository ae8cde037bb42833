#pragma once
// The one timing helper of the benches: the median of `repeats` runs of `work`, in milliseconds
// (medians, because these machines are shared and noisy).
#include <algorithm>
#include <chrono>
#include <vector>

namespace shelfcast::bench {

template <typename F>
double median_ms(int repeats, F&& work) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    const auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace shelfcast::bench
