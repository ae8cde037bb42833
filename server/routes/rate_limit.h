#pragma once
// Per-caller token buckets (Turner's token bucket, as in most API gateways): `rate` requests per
// second on average with bursts of up to `burst`; a caller is a token (by hash) or, before
// authentication, a remote address.

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace shelfcast::server {

class RateLimiter {
 public:
  RateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

  /// Takes one request from `caller`'s bucket; false (and the seconds until one is free) when it
  /// is empty. A rate <= 0 means no limit.
  bool take(const std::string& caller, double* retry_after_seconds) {
    if (rate_ <= 0.0) return true;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, fresh] = buckets_.try_emplace(caller, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
      const double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
      b.last = now;
    }
    if (b.tokens >= 1.0) {
      b.tokens -= 1.0;
      return true;
    }
    *retry_after_seconds = (1.0 - b.tokens) / rate_;
    return false;
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace shelfcast::server
