#pragma once
// Deterministic random numbers for the core. The same seed gives the same stream, bit for bit,
// with libstdc++, libc++ and Emscripten: <random> is banned in shared/ because its distributions
// are implementation-defined, so every sampler here is written out and uses only +, -, *, /,
// sqrt and the portable exp / log / pow below (no trigonometry).
//
// Engine: xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
// 2018) seeded through splitmix64 (Steele, Lea & Flood, OOPSLA 2014).

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace shelfcast::detail {

// ---- portable math ------------------------------------------------------------------------------
// glibc (which picks FMA code paths at run time) and musl (Emscripten) may round exp, log, pow,
// cos and sin differently in the last bit, which would break bit-identical output. These versions
// use only IEEE +, -, *, / and exact operations, so every platform computes the same bits, as long
// as the compiler does not contract a * b + c into an FMA (do not build the core with
// -ffp-contract=fast on an FMA target). Accuracy is about 1 ulp for exp and log.

/// 2^k as a double for -1022 <= k <= 1023.
inline double pow2i(int k) {
  const uint64_t bits = static_cast<uint64_t>(k + 1023) << 52;
  double out = 0.0;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

/// e^x (fdlibm's e_exp.c algorithm).
inline double exp_portable(double x) {
  if (x != x) return x;  // NaN
  if (x > 709.782712893383973096) return HUGE_VAL;
  if (x < -745.133219101941108420) return 0.0;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // trailing zeros: k * kLn2Hi is exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double kP1 = 1.66666666666666019037e-01, kP2 = -2.77777777770155933842e-03,
                   kP3 = 6.61375632143793436117e-05, kP4 = -1.65339022054652515390e-06,
                   kP5 = 4.13813679705723846039e-08;
  // floor(v) for |v| < 1100 without a libm call (std::floor is not inlined without SSE4.1).
  const double v = kInvLn2 * x + 0.5;
  int k = static_cast<int>(v);
  if (static_cast<double>(k) > v) --k;
  const double hi = x - k * kLn2Hi;
  const double lo = k * kLn2Lo;
  const double r = hi - lo;
  const double rr = r * r;
  const double c = r - rr * (kP1 + rr * (kP2 + rr * (kP3 + rr * (kP4 + rr * kP5))));
  const double y = 1.0 + (r * c / (2.0 - c) - lo + hi);
  if (k > 1023) return y * pow2i(1023) * pow2i(k - 1023);
  if (k < -1021) return y * pow2i(k + 1000) * pow2i(-1000);
  return y * pow2i(k);
}

/// Natural logarithm (fdlibm's e_log.c algorithm); NaN below 0, -inf at 0.
inline double log_portable(double x) {
  if (x != x || x < 0.0) return x != x ? x : std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return -HUGE_VAL;
  if (x == HUGE_VAL) return x;
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kLg1 = 6.666666666666735130e-01, kLg2 = 3.999999999940941908e-01,
                   kLg3 = 2.857142874366239149e-01, kLg4 = 2.222219843214978396e-01,
                   kLg5 = 1.818357216161805012e-01, kLg6 = 1.531383769920937332e-01,
                   kLg7 = 1.479819860511658591e-01;
  int k = 0;
  if (x < 2.2250738585072014e-308) {  // subnormal: scale up exactly
    x *= 18014398509481984.0;         // 2^54
    k = -54;
  }
  uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  k += static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;  // mantissa in [1, 2)
  double m = 0.0;
  std::memcpy(&m, &bits, sizeof m);
  if (m > 1.41421356237309504880) {  // into [sqrt(1/2), sqrt(2))
    m *= 0.5;
    ++k;
  }
  const double f = m - 1.0;
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double dk = k;
  return s * (hfsq + t1 + t2) + dk * kLn2Lo - hfsq + f + dk * kLn2Hi;
}

/// x^y for x >= 0 as exp(y log x) (relative error grows with |y log x|; fine for sampling).
inline double pow_portable(double x, double y) {
  if (y == 0.0) return 1.0;
  if (x == 0.0) return y > 0.0 ? 0.0 : HUGE_VAL;
  return exp_portable(y * log_portable(x));
}

/// cos(2 pi turns) and sin(2 pi turns): exact reduction to an octant, then Taylor polynomials.
void cos_sin_turns(double turns, double* cos_out, double* sin_out);

/// Advances a splitmix64 state and returns its next output.
inline uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// The splitmix64 finalizer: a bijection on 64-bit words, so distinct inputs give distinct outputs.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// log(Gamma(x)) for x > 0 by the Stirling series (as in NumPy's legacy sampler), ~1e-15 relative.
double log_gamma(double x);

/// A seeded stream of random numbers and the samplers built on it. Cheap to copy; not thread-safe.
class Rng {
 public:
  /// The stream for a seed and a stream id; different ids give unrelated streams.
  explicit Rng(uint64_t seed, uint64_t stream = 0) {
    uint64_t sm = mix64(seed) ^ mix64(stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL);
    for (uint64_t& word : s_) word = splitmix64(&sm);
  }

  /// The next raw 64-bit output (xoshiro256**).
  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform on (0, 1): never 0, so log() of it is finite.
  double uniform_open() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
  /// Uniform on [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  /// Uniform integer in [0, n) without modulo bias (rejection); 0 when n == 0.
  uint64_t below(uint64_t n) {
    if (n == 0) return 0;
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    uint64_t x = next_u64();
    while (x < threshold) x = next_u64();
    return x % n;
  }
  /// Uniform int32 in [lo, hi], inclusive; lo when hi < lo.
  int32_t between(int32_t lo, int32_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int32_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }

  /// True with probability p.
  bool bernoulli(double p) { return uniform() < p; }

  /// Standard normal by Marsaglia's polar method; the second value of each pair is kept.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0.0, v = 0.0, s = 0.0;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * log_portable(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
  /// exp(N(log_mean, log_sd)).
  double lognormal(double log_mean, double log_sd) {
    return exp_portable(log_mean + log_sd * normal());
  }
  /// Exponential with mean 1.
  double exponential() { return -log_portable(uniform_open()); }

  /// Gamma with the given shape and scale (mean shape * scale); Marsaglia & Tsang (2000), with
  /// Gamma(k) = Gamma(k + 1) * U^(1/k) for shape k < 1. Returns 0 for non-positive arguments.
  double gamma(double shape, double scale);
  /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
  double beta(double a, double b);

  /// Poisson(mean): inversion below mean 10, Hoermann's PTRS (1993) above; exact, no normal
  /// approximation. Returns 0 for a non-positive or non-finite mean.
  int64_t poisson(double mean) {
    if (!(mean > 0.0) || !(mean < 1e15)) return 0;
    if (mean < kPoissonInversionMax) return poisson_inversion(mean);
    return poisson_ptrs(mean);
  }
  /// Negative binomial with the given mean and size k (variance mean + mean^2 / k), as the
  /// Gamma(k, mean / k) - Poisson mixture; size <= 0 means Poisson(mean).
  int64_t negative_binomial(double mean, double size) {
    if (!(mean > 0.0)) return 0;
    if (!(size > 0.0)) return poisson(mean);
    return poisson(gamma(size, mean / size));
  }

 private:
  static constexpr double kPoissonInversionMax = 10.0;

  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  int64_t poisson_inversion(double mean) {
    const double u = uniform();
    double p = exp_portable(-mean);
    double cdf = p;
    int64_t k = 0;
    // mean < 10: the tail beyond 200 is far below the 2^-53 resolution of u.
    while (u > cdf && k < 200) {
      ++k;
      p *= mean / static_cast<double>(k);
      cdf += p;
    }
    return k;
  }
  int64_t poisson_ptrs(double mean);

  uint64_t s_[4] = {0, 0, 0, 0};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// Walker's alias table (Vose's construction): O(1) draws from a fixed discrete distribution.
class AliasTable {
 public:
  AliasTable() = default;
  /// Builds from non-negative weights; all-zero or empty weights give a uniform table.
  explicit AliasTable(const std::vector<double>& weights);
  /// An index in [0, size()) drawn with probability proportional to its weight.
  int32_t sample(Rng* rng) const {
    const double x = rng->uniform() * static_cast<double>(prob_.size());
    size_t i = static_cast<size_t>(x);
    if (i >= prob_.size()) i = prob_.size() - 1;
    return (x - static_cast<double>(i)) < prob_[i] ? static_cast<int32_t>(i) : alias_[i];
  }
  /// Number of outcomes.
  size_t size() const { return prob_.size(); }

 private:
  std::vector<double> prob_;
  std::vector<int32_t> alias_;
};

/// Index of the first cumulative weight above u * total: a draw from the distribution whose
/// running sums are `cumulative` (non-decreasing, last element = total > 0).
int32_t sample_cumulative(const std::vector<double>& cumulative, Rng* rng);

}  // namespace shelfcast::detail
