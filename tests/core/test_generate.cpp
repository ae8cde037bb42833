// The synthetic data generator: determinism, config validation, structure, and known-truth checks
// that recover the documented model (shelfcast/generate.h) from the generated lines.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

// The samplers live in the core's private detail/ directory; the test reaches them directly.
#include "detail/rng.h"
#include "shelfcast/generate.h"

using namespace shelfcast;

namespace {

constexpr double kPi = 3.14159265358979323846;

// ---- configs and a cache so each data set is generated once per run ----------------------------

// The small full-model config the tests share: every effect on.
GeneratorConfig small_config() {
  GeneratorConfig c;
  c.seed = 7;
  c.n_stores = 4;
  c.n_categories = 6;
  c.n_products = 30;
  c.n_days = 365;
  c.n_customers = 300;
  c.n_affinity_pairs = 3;
  c.affinity_lift_min = 1.5;
  c.affinity_lift_max = 2.5;
  c.base_median_units_per_day = 8.0;
  return c;
}

// Everything off but the price: elasticity is the only thing that moves demand.
GeneratorConfig price_only_config() {
  GeneratorConfig c = small_config();
  c.seed = 11;
  c.n_customers = 1;
  c.intermittent_share = 0.0;
  c.base_median_units_per_day = 15.0;
  c.base_log_sd = 0.3;
  c.category_popularity_log_sd = 0.0;
  c.nb_size_min = c.nb_size_max = 0.0;  // Poisson
  c.trend_per_year_min = c.trend_per_year_max = 0.0;
  c.yearly_amplitude_max = 0.0;
  c.weekly_profile = {{1, 1, 1, 1, 1, 1, 1}};
  c.holiday_multiplier = 1.0;
  c.promo_lift_per_depth_min = c.promo_lift_per_depth_max = 0.0;
  c.feature_multiplier_min = c.feature_multiplier_max = 1.0;
  c.display_multiplier_min = c.display_multiplier_max = 1.0;
  c.cannibalization_total_min = c.cannibalization_total_max = 0.0;
  c.pull_forward_min = c.pull_forward_max = 0.0;
  c.post_promo_dip_min = c.post_promo_dip_max = 0.0;
  c.price_change_rate_per_year = 3.0;
  c.price_change_log_sd = 0.12;
  c.promo_rate_per_product_year = 6.0;
  return c;
}

// Promotions with lift, feature, display and dips; no price changes or cannibalization.
GeneratorConfig promo_only_config() {
  GeneratorConfig c = price_only_config();
  c.seed = 13;
  c.price_change_rate_per_year = 0.0;
  c.promo_lift_per_depth_min = 0.5;
  c.promo_lift_per_depth_max = 2.0;
  c.feature_multiplier_min = 1.1;
  c.feature_multiplier_max = 1.5;
  c.display_multiplier_min = 1.05;
  c.display_multiplier_max = 1.35;
  c.pull_forward_min = 0.05;
  c.pull_forward_max = 0.2;
  c.post_promo_dip_min = 0.1;
  c.post_promo_dip_max = 0.3;
  c.promo_feature_share = 0.5;
  c.promo_display_share = 0.5;
  return c;
}

// Two years with only trend and the yearly cycle (stronger than default) moving demand.
GeneratorConfig season_config() {
  GeneratorConfig c = price_only_config();
  c.seed = 19;
  c.n_days = 730;
  c.price_change_rate_per_year = 0.0;
  c.promo_rate_per_product_year = 0.0;
  c.trend_per_year_min = -0.2;
  c.trend_per_year_max = 0.2;
  c.yearly_amplitude_max = 0.4;
  return c;
}

// Many customers in a small shop: BG/NBD, Gamma-Gamma and basket checks.
GeneratorConfig customer_config() {
  GeneratorConfig c = small_config();
  c.seed = 17;
  c.n_stores = 2;
  c.n_days = 240;
  c.n_customers = 2000;
  c.acquisition_days = 60;
  c.n_affinity_pairs = 4;
  return c;
}

const GeneratedData& cached(const GeneratorConfig& config, int slot) {
  static std::map<int, GeneratedData> cache;
  auto it = cache.find(slot);
  if (it == cache.end()) {
    Result<GeneratedData> r = generate(config);
    REQUIRE(r.is_ok());
    it = cache.emplace(slot, std::move(r).value()).first;
  }
  return it->second;
}
const GeneratedData& small_data() { return cached(small_config(), 0); }
const GeneratedData& price_only_data() { return cached(price_only_config(), 1); }
const GeneratedData& promo_only_data() { return cached(promo_only_config(), 2); }
const GeneratedData& customer_data() { return cached(customer_config(), 3); }
const GeneratedData& season_data() { return cached(season_config(), 4); }

// Solves the 4 x 4 normal equations a x = b by Gaussian elimination with partial pivoting.
std::vector<double> solve4(std::vector<std::vector<double>> a, std::vector<double> b) {
  const size_t n = b.size();
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r) {
      if (std::fabs(a[r][col]) > std::fabs(a[pivot][col])) pivot = r;
    }
    std::swap(a[col], a[pivot]);
    std::swap(b[col], b[pivot]);
    for (size_t r = col + 1; r < n; ++r) {
      const double f = a[r][col] / a[col][col];
      for (size_t k = col; k < n; ++k) a[r][k] -= f * a[col][k];
      b[r] -= f * b[col];
    }
  }
  std::vector<double> x(n, 0.0);
  for (size_t r = n; r-- > 0;) {
    double v = b[r];
    for (size_t k = r + 1; k < n; ++k) v -= a[r][k] * x[k];
    x[r] = v / a[r][r];
  }
  return x;
}

// ---- a bit-exact fingerprint of everything generated --------------------------------------------

struct Fnv {
  uint64_t h = 1469598103934665603ULL;
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) {
      h ^= b[i];
      h *= 1099511628211ULL;
    }
  }
  void i64(int64_t v) { bytes(&v, sizeof v); }
  void f64(double v) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    bytes(&bits, sizeof bits);
  }
  void str(const std::string& s) {
    i64(static_cast<int64_t>(s.size()));
    bytes(s.data(), s.size());
  }
};

uint64_t fingerprint(const GeneratedData& g) {
  Fnv f;
  const Dataset& d = g.data;
  for (const Store& s : d.stores) f.str(s.code + s.name + s.region);
  for (const Category& c : d.categories) f.str(c.code + c.name);
  for (const Product& p : d.products) {
    f.str(p.code + p.name);
    f.i64(p.category);
    f.f64(p.cost_per_unit);
    f.f64(p.list_price_per_unit);
  }
  for (const Customer& c : d.customers) f.str(c.pseudonym);
  for (const Promotion& p : d.promotions) {
    f.str(p.code);
    f.i64(static_cast<int64_t>(p.mechanic));
    f.f64(p.depth);
    f.i64(p.start.days);
    f.i64(p.end.days);
    f.i64(p.feature * 2 + p.display);
    for (int32_t x : p.products) f.i64(x);
    for (int32_t x : p.stores) f.i64(-x);
  }
  for (const Holiday& h : d.holidays) f.str(format_date(h.date) + h.name);
  for (const SalesLine& l : d.lines) {
    f.i64(l.date.days);
    f.i64(l.store);
    f.i64(l.product);
    f.i64(l.customer);
    f.i64(l.promotion);
    f.f64(l.qty);
    f.f64(l.unit_price);
    f.f64(l.discount);
    f.str(l.order_ref);
  }
  for (const InventoryPosition& p : d.inventory) {
    f.f64(p.on_hand);
    f.f64(p.on_order);
    f.f64(p.lead_time_mean_days);
    f.f64(p.lead_time_sd_days);
  }
  const GeneratorTruth& t = g.truth;
  for (const ProductTruth& p : t.products) {
    for (double v : {p.base_units_per_day, p.reference_price_per_unit, p.elasticity,
                     p.promo_lift_per_depth, p.feature_multiplier, p.display_multiplier,
                     p.trend_per_year, p.yearly_amplitude, p.yearly_phase_days,
                     p.cannibalization_share, p.post_promo_dip, p.pull_forward, p.nb_dispersion}) {
      f.f64(v);
    }
    f.i64(p.intermittent);
  }
  for (double v : t.store_size) f.f64(v);
  for (double v : t.category_popularity) f.f64(v);
  for (const PriceChange& c : t.price_changes) {
    f.i64(c.product);
    f.i64(c.date.days);
    f.f64(c.regular_price_per_unit);
  }
  for (const CustomerTruth& c : t.customers) {
    f.i64(c.home_store);
    f.i64(c.acquired.days);
    f.f64(c.purchase_rate_per_day);
    f.f64(c.dropout_probability);
    f.f64(c.spend_rate);
    f.i64(c.alive_until.days);
    f.i64(c.n_orders);
  }
  for (const GeneratorTruth::Affinity& a : t.affinities) {
    f.i64(a.a);
    f.i64(a.b);
    f.f64(a.conditional_lift);
    f.f64(a.lift);
  }
  return f.h;
}

// ---- the documented walk-in mean, re-derived here from the truth and the data -------------------

struct Oracle {
  int32_t n_stores = 0, n_products = 0, n_days = 0;
  std::vector<double> mu;        // (t * S + s) * P + i
  std::vector<double> regular;   // t * P + i
  std::vector<int32_t> promo;    // as mu: promotion index or -1
  std::vector<double> dip;       // as mu
  std::vector<double> cannibal;  // as mu: units lost to promoted siblings
  size_t cell(int32_t t, int32_t s, int32_t i) const {
    return (static_cast<size_t>(t) * static_cast<size_t>(n_stores) + static_cast<size_t>(s)) *
               static_cast<size_t>(n_products) +
           static_cast<size_t>(i);
  }
};

Oracle build_oracle(const GeneratedData& g, Date start) {
  const Dataset& d = g.data;
  const GeneratorTruth& tr = g.truth;
  Oracle o;
  o.n_stores = static_cast<int32_t>(d.stores.size());
  o.n_products = static_cast<int32_t>(d.products.size());
  int32_t n_days = 0;
  for (const SalesLine& l : d.lines) n_days = std::max(n_days, l.date.days - start.days + 1);
  o.n_days = n_days;
  const size_t n = static_cast<size_t>(n_days) * d.stores.size() * d.products.size();
  o.mu.assign(n, 0.0);
  o.promo.assign(n, -1);
  o.dip.assign(n, 1.0);
  o.cannibal.assign(n, 0.0);
  o.regular.assign(static_cast<size_t>(n_days) * d.products.size(), 0.0);
  for (int32_t i = 0; i < o.n_products; ++i) {
    for (int32_t t = 0; t < n_days; ++t) {
      o.regular[static_cast<size_t>(t * o.n_products + i)] =
          tr.products[static_cast<size_t>(i)].reference_price_per_unit;
    }
  }
  for (const PriceChange& c : tr.price_changes) {
    for (int32_t t = c.date.days - start.days; t < n_days; ++t) {
      o.regular[static_cast<size_t>(t * o.n_products + c.product)] = c.regular_price_per_unit;
    }
  }
  const auto stores_of = [&](const Promotion& p) {
    std::vector<int32_t> s = p.stores;
    if (s.empty()) {
      for (int32_t k = 0; k < o.n_stores; ++k) s.push_back(k);
    }
    return s;
  };
  for (size_t k = 0; k < d.promotions.size(); ++k) {
    const Promotion& p = d.promotions[k];
    for (int32_t s : stores_of(p)) {
      for (int32_t i : p.products) {
        for (int32_t t = p.start.days - start.days; t <= p.end.days - start.days; ++t) {
          o.promo[o.cell(t, s, i)] = static_cast<int32_t>(k);
        }
      }
    }
  }
  for (const Promotion& p : d.promotions) {
    for (int32_t s : stores_of(p)) {
      for (int32_t i : p.products) {
        const ProductTruth& pt = tr.products[static_cast<size_t>(i)];
        const int32_t t0 = p.start.days - start.days, t1 = p.end.days - start.days;
        for (int32_t t = t0 - 7; t < t0; ++t) {
          if (t >= 0 && o.promo[o.cell(t, s, i)] < 0)
            o.dip[o.cell(t, s, i)] *= 1.0 - pt.pull_forward;
        }
        for (int32_t t = t1 + 1; t <= t1 + 7; ++t) {
          if (t < n_days && o.promo[o.cell(t, s, i)] < 0) {
            o.dip[o.cell(t, s, i)] *= 1.0 - pt.post_promo_dip;
          }
        }
      }
    }
  }
  std::vector<uint8_t> holiday(static_cast<size_t>(n_days), 0);
  for (const Holiday& h : d.holidays) holiday[static_cast<size_t>(h.date.days - start.days)] = 1;
  std::vector<double> m(d.products.size());
  std::vector<double> extra(d.categories.size());
  for (int32_t t = 0; t < n_days; ++t) {
    const Date date{start.days + t};
    for (int32_t s = 0; s < o.n_stores; ++s) {
      std::fill(extra.begin(), extra.end(), 0.0);
      for (int32_t i = 0; i < o.n_products; ++i) {
        const ProductTruth& pt = tr.products[static_cast<size_t>(i)];
        const size_t c = o.cell(t, s, i);
        double v = pt.base_units_per_day * tr.store_size[static_cast<size_t>(s)] *
                   std::exp(pt.trend_per_year * t / 365.25 +
                            pt.yearly_amplitude *
                                std::cos(2.0 * kPi * (day_of_year(date) - pt.yearly_phase_days) /
                                         365.25)) *
                   tr.weekly_profile[static_cast<size_t>(weekday(date))] *
                   (holiday[static_cast<size_t>(t)] ? tr.holiday_multiplier : 1.0) *
                   std::pow(o.regular[static_cast<size_t>(t * o.n_products + i)] /
                                pt.reference_price_per_unit,
                            pt.elasticity);
        if (o.promo[c] >= 0) {
          const Promotion& p = d.promotions[static_cast<size_t>(o.promo[c])];
          double lift =
              std::pow(1.0 - p.depth, pt.elasticity) * std::exp(pt.promo_lift_per_depth * p.depth);
          if (p.feature) lift *= pt.feature_multiplier;
          if (p.display) lift *= pt.display_multiplier;
          v *= lift;
          extra[static_cast<size_t>(d.products[static_cast<size_t>(i)].category)] +=
              v * (1.0 - 1.0 / lift);
        } else {
          v *= o.dip[c];
        }
        m[static_cast<size_t>(i)] = v;
      }
      for (int32_t i = 0; i < o.n_products; ++i) {
        const size_t c = o.cell(t, s, i);
        const double v = m[static_cast<size_t>(i)];
        double mu = v;
        if (o.promo[c] < 0) {
          const double x = extra[static_cast<size_t>(d.products[static_cast<size_t>(i)].category)];
          mu = std::max(v - tr.products[static_cast<size_t>(i)].cannibalization_share * x,
                        tr.cannibalization_floor * v);
          o.cannibal[c] = v - mu;
        }
        o.mu[c] = mu;
      }
    }
  }
  return o;
}

// Walk-in units per oracle cell.
std::vector<double> walk_in_units(const GeneratedData& g, const Oracle& o, Date start) {
  std::vector<double> units(o.mu.size(), 0.0);
  for (const SalesLine& l : g.data.lines) {
    if (l.customer >= 0) continue;
    units[o.cell(l.date.days - start.days, l.store, l.product)] += l.qty;
  }
  return units;
}

double nb_variance(double mu, double size) { return size > 0.0 ? mu + mu * mu / size : mu; }

// Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 by its series.
double hyp2f1(double a, double b, double c, double z) {
  double term = 1.0, sum = 1.0;
  for (int k = 0; k < 200000; ++k) {
    term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
    sum += term;
    if (std::fabs(term) < 1e-15 * std::fabs(sum)) break;
  }
  return sum;
}

// Fader, Hardie & Lee (2005), eq. 7: expected repeat purchases in (0, t] after the first.
double bgnbd_expected(double r, double alpha, double a, double b, double t) {
  const double z = t / (alpha + t);
  return (a + b - 1.0) / (a - 1.0) *
         (1.0 - std::pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1.0, z));
}

}  // namespace

// ---- the samplers ------------------------------------------------------------------------------

TEST_CASE("generate: samplers have the right first two moments") {
  struct Row {
    const char* name;
    int kind;  // 0 uniform, 1 normal, 2 gamma, 3 beta, 4 poisson, 5 negbin
    double p1, p2, mean, var;
  };
  const Row rows[] = {
      {"uniform", 0, 0, 0, 0.5, 1.0 / 12.0},
      {"normal", 1, 0, 0, 0.0, 1.0},
      {"gamma k=0.3", 2, 0.3, 2.0, 0.6, 1.2},
      {"gamma k=4.5", 2, 4.5, 0.5, 2.25, 1.125},
      {"beta 2,5", 3, 2.0, 5.0, 2.0 / 7.0, 10.0 / (49.0 * 8.0)},
      {"poisson 0.05", 4, 0.05, 0, 0.05, 0.05},
      {"poisson 3.7", 4, 3.7, 0, 3.7, 3.7},
      {"poisson 9.99", 4, 9.99, 0, 9.99, 9.99},
      {"poisson 10", 4, 10.0, 0, 10.0, 10.0},
      {"poisson 250", 4, 250.0, 0, 250.0, 250.0},
      {"negbin 2, k=0.5", 5, 2.0, 0.5, 2.0, 2.0 + 8.0},
      {"negbin 40, k=10", 5, 40.0, 10.0, 40.0, 40.0 + 160.0},
  };
  constexpr int kDraws = 40000;
  for (const Row& row : rows) {
    CAPTURE(row.name);
    detail::Rng rng(99, 5);
    double sum = 0.0, sum2 = 0.0;
    for (int k = 0; k < kDraws; ++k) {
      double x = 0.0;
      switch (row.kind) {
        case 0:
          x = rng.uniform();
          break;
        case 1:
          x = rng.normal();
          break;
        case 2:
          x = rng.gamma(row.p1, row.p2);
          break;
        case 3:
          x = rng.beta(row.p1, row.p2);
          break;
        case 4:
          x = static_cast<double>(rng.poisson(row.p1));
          break;
        default:
          x = static_cast<double>(rng.negative_binomial(row.p1, row.p2));
          break;
      }
      sum += x;
      sum2 += x * x;
    }
    const double mean = sum / kDraws;
    const double var = sum2 / kDraws - mean * mean;
    CAPTURE(mean);
    CAPTURE(var);
    CHECK(std::fabs(mean - row.mean) < 5.0 * std::sqrt(row.var / kDraws));
    CHECK(var == doctest::Approx(row.var).epsilon(0.08));
  }
  // Streams: the same (seed, stream) repeats; another stream or seed does not.
  detail::Rng a(1, 2), b(1, 2), c(1, 3), d(2, 2);
  const uint64_t x = a.next_u64();
  CHECK(x == b.next_u64());
  CHECK(x != c.next_u64());
  CHECK(x != d.next_u64());
  // below() stays in range and hits every value.
  std::vector<int> seen(7, 0);
  for (int k = 0; k < 700; ++k) ++seen[static_cast<size_t>(a.below(7))];
  for (int v : seen) CHECK(v > 50);
  // The alias table follows its weights, and never picks a zero weight.
  const detail::AliasTable table({1.0, 0.0, 3.0, 6.0});
  std::vector<double> hits(4, 0.0);
  for (int k = 0; k < 20000; ++k) hits[static_cast<size_t>(table.sample(&a))] += 1.0;
  CHECK(hits[1] == 0.0);
  CHECK(hits[0] / 20000 == doctest::Approx(0.1).epsilon(0.1));
  CHECK(hits[3] / 20000 == doctest::Approx(0.6).epsilon(0.05));
}

TEST_CASE("generate: portable exp, log, pow and cos/sin agree with libm") {
  // The generator uses these instead of libm so that native and WebAssembly agree bit for bit.
  struct Row {
    double x;
  };
  const Row rows[] = {{-744.0},
                      {-700.5},
                      {-20.0},
                      {-1.0},
                      {-1e-300},
                      {0.0},
                      {1e-12},
                      {0.3465735902799726},
                      {0.5},
                      {1.0},
                      {2.302585092994046},
                      {88.7},
                      {709.7}};
  for (const Row& r : rows) {
    CAPTURE(r.x);
    CHECK(detail::exp_portable(r.x) == doctest::Approx(std::exp(r.x)).epsilon(1e-15));
    const double y = std::fabs(r.x) + 1e-310;
    CHECK(detail::log_portable(y) == doctest::Approx(std::log(y)).epsilon(1e-15));
    double c = 0.0, s = 0.0;
    detail::cos_sin_turns(r.x / 7.0, &c, &s);
    CHECK(std::fabs(c - std::cos(2.0 * kPi * (r.x / 7.0))) < 1e-12);
    CHECK(std::fabs(s - std::sin(2.0 * kPi * (r.x / 7.0))) < 1e-12);
  }
  CHECK(detail::exp_portable(0.0) == 1.0);
  CHECK(detail::log_portable(1.0) == 0.0);
  CHECK(detail::exp_portable(-800.0) == 0.0);
  CHECK(std::isinf(detail::exp_portable(710.0)));
  CHECK(std::isinf(detail::log_portable(0.0)));
  CHECK(std::isnan(detail::log_portable(-1.0)));
  CHECK(detail::pow_portable(0.7, -2.5) == doctest::Approx(std::pow(0.7, -2.5)).epsilon(1e-14));
  CHECK(detail::pow_portable(0.0, 2.0) == 0.0);
  CHECK(detail::pow_portable(3.0, 0.0) == 1.0);
  double c = 0.0, s = 0.0;
  for (double turns : {0.0, 0.25, 0.5, 0.75, 1.0, -0.25}) {
    CAPTURE(turns);
    detail::cos_sin_turns(turns, &c, &s);
    CHECK(c == doctest::Approx(std::cos(2.0 * kPi * turns)).epsilon(1e-15));
    CHECK(std::fabs(s - std::sin(2.0 * kPi * turns)) < 1e-15);
  }
}

// ---- determinism and validation -----------------------------------------------------------------

TEST_CASE("generate: same seed gives identical data, another seed different data") {
  const GeneratedData& first = small_data();
  Result<GeneratedData> again = generate(small_config());
  REQUIRE(again.is_ok());
  CHECK(again->data.lines == first.data.lines);
  CHECK(again->data.promotions == first.data.promotions);
  CHECK(again->data.products == first.data.products);
  CHECK(again->data.customers == first.data.customers);
  CHECK(again->data.inventory == first.data.inventory);
  CHECK(fingerprint(*again) == fingerprint(first));

  GeneratorConfig other = small_config();
  other.seed += 1;
  Result<GeneratedData> different = generate(other);
  REQUIRE(different.is_ok());
  CHECK_FALSE(different->data.lines == first.data.lines);
  CHECK(fingerprint(*different) != fingerprint(first));

  // Bit-exact across platforms: the same value natively and in WebAssembly (the WASM build runs
  // this same check under node). A deliberate model change updates this constant, and says so.
  CHECK(fingerprint(first) == 14174222311275348818ULL);
}

TEST_CASE("generate: invalid configs are rejected, naming the field") {
  struct Row {
    const char* field;
    void (*mutate)(GeneratorConfig*);
    ErrorCode code;
  };
  const Row rows[] = {
      {"n_stores", [](GeneratorConfig* c) { c->n_stores = 0; }, ErrorCode::kInvalidArgument},
      {"n_categories", [](GeneratorConfig* c) { c->n_categories = -3; },
       ErrorCode::kInvalidArgument},
      {"n_products", [](GeneratorConfig* c) { c->n_products = 0; }, ErrorCode::kInvalidArgument},
      {"n_products",
       [](GeneratorConfig* c) {
         c->n_categories = 10;
         c->n_products = 9;
       },
       ErrorCode::kInvalidArgument},
      {"n_days", [](GeneratorConfig* c) { c->n_days = 0; }, ErrorCode::kInvalidArgument},
      {"n_customers", [](GeneratorConfig* c) { c->n_customers = 0; }, ErrorCode::kInvalidArgument},
      {"intermittent_share", [](GeneratorConfig* c) { c->intermittent_share = 1.5; },
       ErrorCode::kInvalidArgument},
      {"intermittent_share", [](GeneratorConfig* c) { c->intermittent_share = std::nan(""); },
       ErrorCode::kInvalidArgument},
      {"promo_all_stores_share", [](GeneratorConfig* c) { c->promo_all_stores_share = -0.1; },
       ErrorCode::kInvalidArgument},
      {"elasticity_max", [](GeneratorConfig* c) { c->elasticity_max = 0.5; },
       ErrorCode::kInvalidArgument},
      {"elasticity_min",
       [](GeneratorConfig* c) {
         c->elasticity_min = -1.0;
         c->elasticity_max = -2.0;
       },
       ErrorCode::kInvalidArgument},
      {"promo_depth_max", [](GeneratorConfig* c) { c->promo_depth_max = 0.99; },
       ErrorCode::kInvalidArgument},
      {"promo_weeks_max", [](GeneratorConfig* c) { c->promo_weeks_max = 0; },
       ErrorCode::kInvalidArgument},
      {"weekly_profile", [](GeneratorConfig* c) { c->weekly_profile[3] = 0.0; },
       ErrorCode::kInvalidArgument},
      {"promo_mechanic_weights",
       [](GeneratorConfig* c) {
         c->promo_mechanic_weights = {{0.0, 0.0, 0.0, 0.0}};
       },
       ErrorCode::kInvalidArgument},
      {"feature_multiplier_min", [](GeneratorConfig* c) { c->feature_multiplier_min = 0.9; },
       ErrorCode::kInvalidArgument},
      {"cannibalization_floor", [](GeneratorConfig* c) { c->cannibalization_floor = 1.2; },
       ErrorCode::kInvalidArgument},
      {"nb_size_min", [](GeneratorConfig* c) { c->nb_size_min = 0.0; },
       ErrorCode::kInvalidArgument},
      {"bgnbd_r", [](GeneratorConfig* c) { c->bgnbd_r = 0.0; }, ErrorCode::kInvalidArgument},
      {"gg_q", [](GeneratorConfig* c) { c->gg_q = 1.0; }, ErrorCode::kInvalidArgument},
      {"basket_mean_picks", [](GeneratorConfig* c) { c->basket_mean_picks = 0.0; },
       ErrorCode::kInvalidArgument},
      {"n_affinity_pairs", [](GeneratorConfig* c) { c->n_affinity_pairs = -1; },
       ErrorCode::kInvalidArgument},
      {"lead_time_mean_min_days",
       [](GeneratorConfig* c) { c->lead_time_mean_min_days = c->lead_time_mean_max_days + 1; },
       ErrorCode::kInvalidArgument},
      {"max_store_product_days",
       [](GeneratorConfig* c) {
         c->n_stores = 1000;
         c->n_products = 100000;
         c->n_days = 3650;
       },
       ErrorCode::kResourceExhausted},
  };
  CHECK(validate(GeneratorConfig()).is_ok());
  CHECK(validate(small_config()).is_ok());
  for (const Row& row : rows) {
    CAPTURE(row.field);
    GeneratorConfig config = small_config();
    row.mutate(&config);
    const Status status = validate(config);
    CHECK(status.code() == row.code);
    CHECK(status.field() == row.field);
    const Result<GeneratedData> result = generate(config);
    REQUIRE_FALSE(result.is_ok());
    CHECK(result.status().code() == row.code);
  }
}

TEST_CASE("generate: edge-case configs still give valid data") {
  struct Row {
    const char* name;
    void (*mutate)(GeneratorConfig*);
  };
  const Row rows[] = {
      {"one of everything",
       [](GeneratorConfig* c) {
         c->n_stores = c->n_categories = c->n_products = c->n_days = c->n_customers = 1;
       }},
      {"ten days from a Wednesday",
       [](GeneratorConfig* c) {
         c->start = date_from_civil(2024, 3, 6);
         c->n_days = 10;
       }},
      {"across a year end and a leap day",
       [](GeneratorConfig* c) {
         c->start = date_from_civil(2023, 12, 28);
         c->n_days = 70;
       }},
      {"all slow movers", [](GeneratorConfig* c) { c->intermittent_share = 1.0; }},
      {"no slow movers, Poisson draws",
       [](GeneratorConfig* c) {
         c->intermittent_share = 0.0;
         c->nb_size_min = c->nb_size_max = 0.0;
       }},
      {"no promotions or price changes",
       [](GeneratorConfig* c) {
         c->promo_rate_per_product_year = 0.0;
         c->price_change_rate_per_year = 0.0;
       }},
      {"one category", [](GeneratorConfig* c) { c->n_categories = 1; }},
      {"deepest promotions",
       [](GeneratorConfig* c) { c->promo_depth_min = c->promo_depth_max = 0.95; }},
      {"more pairs than products allow", [](GeneratorConfig* c) { c->n_affinity_pairs = 1000; }},
      {"promotions back to back",
       [](GeneratorConfig* c) {
         c->promo_rate_per_product_year = 52.0;
         c->promo_gap_weeks = 1;
         c->promo_max_products = 12;
       }},
      {"one store, one region", [](GeneratorConfig* c) { c->n_stores = 1; }},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    GeneratorConfig config;
    config.seed = 3;
    config.n_stores = 2;
    config.n_categories = 4;
    config.n_products = 12;
    config.n_days = 120;
    config.n_customers = 50;
    config.n_affinity_pairs = 2;
    row.mutate(&config);
    const Result<GeneratedData> r = generate(config);
    REQUIRE(r.is_ok());
    const Dataset& d = r->data;
    const Date last{config.start.days + config.n_days - 1};
    CHECK(d.stores.size() == static_cast<size_t>(config.n_stores));
    CHECK(d.products.size() == static_cast<size_t>(config.n_products));
    CHECK(d.customers.size() == static_cast<size_t>(config.n_customers));
    CHECK(d.inventory.size() == d.stores.size() * d.products.size());
    std::set<std::string> orders;
    for (const SalesLine& l : d.lines) {
      REQUIRE((config.start <= l.date && l.date <= last));
      REQUIRE((l.store >= 0 && l.store < config.n_stores));
      REQUIRE((l.product >= 0 && l.product < config.n_products));
      REQUIRE(l.qty > 0.0);
      REQUIRE((l.discount >= 0.0 && l.discount <= 0.95));
      REQUIRE(l.promotion < static_cast<int32_t>(d.promotions.size()));
      if (l.customer >= 0) orders.insert(l.order_ref);
    }
    CHECK(orders.size() >= d.customers.size());  // everyone buys at least once
    for (const Promotion& p : d.promotions) {
      CHECK((config.start <= p.start && p.end <= last));
      CHECK(p.depth >= config.promo_depth_min - 1e-12);
      CHECK(p.depth <= config.promo_depth_max + 1e-12);
    }
    CHECK(r->truth.affinities.size() <= static_cast<size_t>(config.n_affinity_pairs));
    std::set<int32_t> paired;
    for (const GeneratorTruth::Affinity& a : r->truth.affinities) {
      CHECK(paired.insert(a.a).second);
      CHECK(paired.insert(a.b).second);
      CHECK(std::isfinite(a.lift));
    }
    for (const Product& p : d.products) CHECK(p.cost_per_unit < p.list_price_per_unit);
  }
}

// ---- structure ----------------------------------------------------------------------------------

TEST_CASE("generate: holidays include the movable feasts computed from the calendar") {
  struct Row {
    int year, month, day;
  };
  const Row easter[] = {{2000, 4, 23}, {2019, 4, 21}, {2024, 3, 31},
                        {2025, 4, 20}, {2038, 4, 25}, {2285, 3, 22}};
  for (const Row& r : easter) {
    CAPTURE(r.year);
    CHECK(easter_sunday(r.year) == date_from_civil(r.year, r.month, r.day));
  }
  const std::vector<Holiday> h =
      retail_holidays(date_from_civil(2024, 1, 1), date_from_civil(2025, 12, 30));
  const auto has = [&](int y, int m, int d, const char* name) {
    for (const Holiday& x : h) {
      if (x.date == date_from_civil(y, m, d) && x.name == name) return true;
    }
    return false;
  };
  CHECK(has(2024, 11, 29, "Black Friday"));
  CHECK(has(2025, 11, 28, "Black Friday"));
  CHECK(has(2024, 3, 29, "Good Friday"));
  CHECK(has(2024, 5, 12, "Mother's Day"));
  CHECK(has(2025, 6, 9, "Whit Monday"));
  CHECK(has(2024, 12, 25, "Christmas Day"));
  CHECK_FALSE(has(2025, 12, 31, "New Year's Eve"));  // after the last day
  CHECK(h.size() == 14 + 13);
  CHECK(std::is_sorted(h.begin(), h.end(),
                       [](const Holiday& a, const Holiday& b) { return a.date < b.date; }));
}

TEST_CASE("generate: tables are consistent and every line is well formed") {
  const GeneratorConfig config = small_config();
  const GeneratedData& g = small_data();
  const Dataset& d = g.data;
  const GeneratorTruth& tr = g.truth;
  const Date first = config.start, last{config.start.days + config.n_days - 1};
  REQUIRE(d.stores.size() == 4);
  REQUIRE(d.categories.size() == 6);
  REQUIRE(d.products.size() == 30);
  REQUIRE(d.customers.size() == 300);
  REQUIRE(tr.products.size() == 30);
  REQUIRE(tr.customers.size() == 300);
  REQUIRE(tr.store_size.size() == 4);
  REQUIRE(tr.weekly_profile.size() == 7);
  double weekly_sum = 0.0;
  for (double w : tr.weekly_profile) weekly_sum += w;
  CHECK(weekly_sum == doctest::Approx(7.0));

  std::set<std::string> codes;
  std::vector<int> per_category(6, 0);
  for (size_t i = 0; i < d.products.size(); ++i) {
    const Product& p = d.products[i];
    CAPTURE(p.code);
    CHECK(codes.insert(p.code).second);
    REQUIRE(p.category >= 0);
    REQUIRE(p.category < 6);
    ++per_category[static_cast<size_t>(p.category)];
    CHECK(p.cost_per_unit > 0.0);
    CHECK(p.cost_per_unit < p.list_price_per_unit);
    CHECK(p.cost_per_unit < tr.products[i].reference_price_per_unit);
    CHECK(tr.products[i].elasticity <= 0.0);
  }
  for (int n : per_category) CHECK(n >= 1);

  // Promotions: Monday to Sunday inside the period, depth in range, one category, never a slow
  // mover, and never two promotions of a product closer than the gap.
  REQUIRE(!d.promotions.empty());
  std::map<int32_t, std::vector<std::pair<int32_t, int32_t>>> spans;
  for (const Promotion& p : d.promotions) {
    CAPTURE(p.code);
    CHECK(codes.insert(p.code).second);
    CHECK(p.depth >= config.promo_depth_min - 1e-12);
    CHECK(p.depth <= config.promo_depth_max + 1e-12);
    CHECK(weekday(p.start) == 0);
    CHECK(weekday(p.end) == 6);
    CHECK(first <= p.start);
    CHECK(p.end <= last);
    if (p.mechanic == PromoMechanic::kBogo) CHECK(p.depth == 0.5);
    if (p.mechanic == PromoMechanic::kMultiBuy) CHECK(p.depth == doctest::Approx(1.0 / 3.0));
    REQUIRE(!p.products.empty());
    CHECK(std::is_sorted(p.stores.begin(), p.stores.end()));
    for (int32_t s : p.stores) CHECK((s >= 0 && s < 4));
    for (int32_t i : p.products) {
      REQUIRE((i >= 0 && i < 30));
      CHECK(d.products[static_cast<size_t>(i)].category ==
            d.products[static_cast<size_t>(p.products[0])].category);
      CHECK_FALSE(tr.products[static_cast<size_t>(i)].intermittent);
      spans[i].emplace_back(p.start.days, p.end.days);
    }
  }
  for (auto& kv : spans) {
    std::sort(kv.second.begin(), kv.second.end());
    for (size_t k = 1; k < kv.second.size(); ++k) {
      CHECK(kv.second[k].first - kv.second[k - 1].second > 7 * config.promo_gap_weeks);
    }
  }

  // Holidays of the period, sorted.
  REQUIRE(!d.holidays.empty());
  for (const Holiday& h : d.holidays) CHECK((first <= h.date && h.date <= last));

  // Customers: pseudonyms only, unique, derived from the seed.
  std::set<std::string> pseudonyms;
  for (const Customer& c : d.customers) {
    CAPTURE(c.pseudonym);
    REQUIRE(c.pseudonym.size() == 20);
    CHECK(c.pseudonym.compare(0, 4, "gen-") == 0);
    CHECK(c.pseudonym.find_first_not_of("0123456789abcdef", 4) == std::string::npos);
    CHECK(pseudonyms.insert(c.pseudonym).second);
  }

  // Lines.
  const Oracle o = build_oracle(g, first);
  std::set<std::tuple<int32_t, int32_t, int32_t>> walk_in_cells;
  std::map<std::string, std::tuple<int32_t, int32_t, int32_t>>
      orders;  // ref -> customer/date/store
  std::vector<int32_t> first_order(300, -1), last_order(300, -1);
  std::vector<std::set<std::string>> refs(300);
  REQUIRE(!d.lines.empty());
  for (size_t k = 0; k < d.lines.size(); ++k) {
    const SalesLine& l = d.lines[k];
    CAPTURE(k);
    REQUIRE((first <= l.date && l.date <= last));
    REQUIRE((l.store >= 0 && l.store < 4));
    REQUIRE((l.product >= 0 && l.product < 30));
    CHECK(l.qty > 0.0);
    CHECK(l.qty == std::floor(l.qty));
    CHECK(l.channel == Channel::kPos);
    const int32_t t = l.date.days - first.days;
    CHECK(l.unit_price == o.regular[static_cast<size_t>(t * 30 + l.product)]);
    CHECK(l.promotion == o.promo[o.cell(t, l.store, l.product)]);
    if (l.promotion >= 0) {
      CHECK(l.discount == d.promotions[static_cast<size_t>(l.promotion)].depth);
    } else {
      CHECK(l.discount == 0.0);
    }
    if (k > 0) {
      const SalesLine& prev = d.lines[k - 1];
      CHECK((prev.date < l.date || (prev.date == l.date && prev.store <= l.store)));
    }
    if (l.customer < 0) {
      CHECK(l.order_ref.empty());
      CHECK(walk_in_cells.emplace(t, l.store, l.product).second);  // one line per cell
    } else {
      REQUIRE(l.customer < 300);
      const CustomerTruth& ct = tr.customers[static_cast<size_t>(l.customer)];
      CHECK(l.store == ct.home_store);
      CHECK(l.order_ref.compare(0, std::to_string(l.customer).size() + 2,
                                "C" + std::to_string(l.customer) + "-") == 0);
      const auto key = std::make_tuple(l.customer, l.date.days, l.store);
      auto it = orders.emplace(l.order_ref, key).first;
      CHECK(it->second == key);  // one customer, day and store per order
      refs[static_cast<size_t>(l.customer)].insert(l.order_ref);
      int32_t& f = first_order[static_cast<size_t>(l.customer)];
      if (f < 0 || l.date.days < f) f = l.date.days;
      last_order[static_cast<size_t>(l.customer)] =
          std::max(last_order[static_cast<size_t>(l.customer)], l.date.days);
    }
  }
  for (size_t c = 0; c < 300; ++c) {
    CAPTURE(c);
    const CustomerTruth& ct = tr.customers[c];
    CHECK(first_order[c] == ct.acquired.days);
    CHECK(last_order[c] <= ct.alive_until.days);
    CHECK(static_cast<int32_t>(refs[c].size()) == ct.n_orders);
    CHECK(refs[c].count("C" + std::to_string(c) + "-1") == 1);
    CHECK(ct.acquired.days - first.days < config.acquisition_days);
    if (ct.churned) CHECK(last_order[c] == ct.alive_until.days);
  }

  // Inventory: one position per store x product.
  REQUIRE(d.inventory.size() == 4 * 30);
  std::set<std::pair<int32_t, int32_t>> positions;
  for (const InventoryPosition& p : d.inventory) {
    CHECK(positions.emplace(p.store, p.product).second);
    CHECK(p.on_hand >= 0.0);
    CHECK(p.on_order >= 0.0);
    CHECK(p.lead_time_mean_days >= config.lead_time_mean_min_days);
    CHECK(p.lead_time_mean_days <= config.lead_time_mean_max_days);
    CHECK(p.lead_time_sd_days >= 0.0);
    CHECK(p.lead_time_sd_days <= p.lead_time_mean_days * config.lead_time_cv_max + 0.01);
  }
}

// ---- known truth: demand ------------------------------------------------------------------------

TEST_CASE("generate: walk-in units follow the documented mean, effect by effect") {
  const GeneratorConfig config = small_config();
  const GeneratedData& g = small_data();
  const Oracle o = build_oracle(g, config.start);
  const std::vector<double> units = walk_in_units(g, o, config.start);
  std::vector<uint8_t> holiday(static_cast<size_t>(o.n_days), 0);
  for (const Holiday& h : g.data.holidays) {
    holiday[static_cast<size_t>(h.date.days - config.start.days)] = 1;
  }
  // Cells grouped by the effect acting on them; within each group observed units must match the
  // documented mean within sampling error. Each group is large enough that dropping its effect
  // from the generator would move the ratio by many standard errors.
  struct Group {
    const char* name;
    double observed = 0.0, expected = 0.0, variance = 0.0, effect = 0.0;
  };
  Group groups[] = {
      {"all"},          {"promoted"}, {"week before a promotion"}, {"week after a promotion"},
      {"cannibalized"}, {"holiday"}};
  for (int32_t t = 0; t < o.n_days; ++t) {
    for (int32_t s = 0; s < o.n_stores; ++s) {
      for (int32_t i = 0; i < o.n_products; ++i) {
        const size_t c = o.cell(t, s, i);
        const double mu = o.mu[c];
        const double var = nb_variance(mu, g.truth.products[static_cast<size_t>(i)].nb_dispersion);
        const auto add = [&](Group& grp, double effect) {
          grp.observed += units[c];
          grp.expected += mu;
          grp.variance += var;
          grp.effect += effect;
        };
        add(groups[0], 0.0);
        if (o.promo[c] >= 0) add(groups[1], 0.0);
        if (o.dip[c] < 1.0) {
          // Which week: look for the promotion a week ahead.
          const bool before = t + 7 < o.n_days && o.promo[o.cell(t + 7, s, i)] >= 0;
          add(groups[before ? 2 : 3], mu / o.dip[c] - mu);
        }
        if (o.cannibal[c] > 0.0) add(groups[4], o.cannibal[c]);
        if (holiday[static_cast<size_t>(t)]) add(groups[5], 0.0);
      }
    }
  }
  for (const Group& grp : groups) {
    CAPTURE(grp.name);
    CAPTURE(grp.observed);
    CAPTURE(grp.expected);
    REQUIRE(grp.expected > 100.0);
    const double sd = std::sqrt(grp.variance);
    CHECK(std::fabs(grp.observed - grp.expected) < 4.5 * sd);
    if (grp.effect > 0.0) {
      CAPTURE(grp.effect);
      CHECK(grp.effect > 4.0 * sd);  // the check above would notice the effect missing
    }
  }
  // Time structure (trend, yearly cycle, weekly profile): product x month x weekday cells must fit
  // the documented mean as well as sampling error allows, a chi-square per cell near 1.
  {
    std::vector<double> obs(static_cast<size_t>(o.n_products) * 12 * 7, 0.0);
    std::vector<double> mean(obs.size(), 0.0), var(obs.size(), 0.0);
    for (int32_t t = 0; t < o.n_days; ++t) {
      const Date date{config.start.days + t};
      int y = 0, month = 0, day = 0;
      civil_from_date(date, &y, &month, &day);
      for (int32_t i = 0; i < o.n_products; ++i) {
        const size_t k = (static_cast<size_t>(i) * 12 + static_cast<size_t>(month - 1)) * 7 +
                         static_cast<size_t>(weekday(date));
        for (int32_t s = 0; s < o.n_stores; ++s) {
          const size_t c = o.cell(t, s, i);
          obs[k] += units[c];
          mean[k] += o.mu[c];
          var[k] += nb_variance(o.mu[c], g.truth.products[static_cast<size_t>(i)].nb_dispersion);
        }
      }
    }
    // Fine cells (x weekday) catch the weekly profile; coarse ones (product x month) the slow
    // drifts of trend and season, which are too small to see in a fine cell.
    for (const bool fine : {true, false}) {
      const size_t group = fine ? 1 : 7;
      double chi2 = 0.0;
      for (size_t k = 0; k < obs.size(); k += group) {
        double ob = 0.0, me = 0.0, va = 0.0;
        for (size_t j = k; j < k + group; ++j) {
          ob += obs[j];
          me += mean[j];
          va += var[j];
        }
        chi2 += (ob - me) * (ob - me) / va;
      }
      const double per_cell = chi2 / static_cast<double>(obs.size() / group);
      CAPTURE(fine);
      CAPTURE(per_cell);
      CHECK(per_cell > 0.75);
      CHECK(per_cell < 1.25);
    }
    // Drift: per product, the weighted slope of observed / expected over the months is zero up to
    // noise (a missing or wrong trend shows as slopes): sum of z^2 ~ chi-square, n_products df.
    double z2_sum = 0.0;
    for (size_t i = 0; i < static_cast<size_t>(o.n_products); ++i) {
      double sw = 0.0, swx = 0.0, swy = 0.0, swxx = 0.0, swxy = 0.0;
      for (size_t m = 0; m < 12; ++m) {
        double ob = 0.0, me = 0.0, va = 0.0;
        for (size_t w = 0; w < 7; ++w) {
          ob += obs[(i * 12 + m) * 7 + w];
          me += mean[(i * 12 + m) * 7 + w];
          va += var[(i * 12 + m) * 7 + w];
        }
        const double x = (static_cast<double>(m) + 0.5) / 12.0, y = ob / me - 1.0;
        const double wt = me * me / va;
        sw += wt;
        swx += wt * x;
        swy += wt * y;
        swxx += wt * x * x;
        swxy += wt * x * y;
      }
      const double sxx = swxx - swx * swx / sw;
      const double slope = (swxy - swx * swy / sw) / sxx;
      z2_sum += slope * slope * sxx;  // (slope / se)^2 with se = 1 / sqrt(sxx)
    }
    CAPTURE(z2_sum);
    CHECK(z2_sum < o.n_products + 4.0 * std::sqrt(2.0 * o.n_products));
  }
  // Dispersion: squared deviations match the negative-binomial variance, for slow movers and the
  // rest (a Poisson draw would be too tight).
  for (const bool slow : {true, false}) {
    double dev2 = 0.0, expected_var = 0.0, spread = 0.0;
    for (size_t c = 0; c < o.mu.size(); ++c) {
      const int32_t i = static_cast<int32_t>(c % static_cast<size_t>(o.n_products));
      const ProductTruth& pt = g.truth.products[static_cast<size_t>(i)];
      if (pt.intermittent != slow) continue;
      const double d2 = (units[c] - o.mu[c]) * (units[c] - o.mu[c]);
      const double v = nb_variance(o.mu[c], pt.nb_dispersion);
      dev2 += d2;
      expected_var += v;
      spread += (d2 - v) * (d2 - v);
    }
    CAPTURE(slow);
    CAPTURE(dev2 / expected_var);
    CHECK(std::fabs(dev2 - expected_var) < 4.0 * std::sqrt(spread));
    const double poisson_var = [&] {
      double sum = 0.0;
      for (size_t c = 0; c < o.mu.size(); ++c) {
        const int32_t i = static_cast<int32_t>(c % static_cast<size_t>(o.n_products));
        if (g.truth.products[static_cast<size_t>(i)].intermittent == slow) sum += o.mu[c];
      }
      return sum;
    }();
    CHECK(expected_var - poisson_var > 4.0 * std::sqrt(spread));  // the check can tell
  }
  // And product by product.
  for (int32_t i = 0; i < o.n_products; ++i) {
    double observed = 0.0, expected = 0.0, variance = 0.0;
    for (int32_t t = 0; t < o.n_days; ++t) {
      for (int32_t s = 0; s < o.n_stores; ++s) {
        const size_t c = o.cell(t, s, i);
        observed += units[c];
        expected += o.mu[c];
        variance += nb_variance(o.mu[c], g.truth.products[static_cast<size_t>(i)].nb_dispersion);
      }
    }
    CAPTURE(i);
    CAPTURE(observed);
    CAPTURE(expected);
    CHECK(std::fabs(observed - expected) < 5.0 * std::sqrt(variance));
  }
}

TEST_CASE("generate: regression on log price recovers each product's elasticity") {
  const GeneratorConfig config = price_only_config();
  const GeneratedData& g = price_only_data();
  // Store x product x week totals and the (week-constant) paid price, full weeks only.
  const int32_t n_weeks = config.n_days / 7;
  const size_t np = g.data.products.size();
  std::vector<double> units(np * 4 * static_cast<size_t>(n_weeks), 0.0);
  std::vector<double> price(units.size(), 0.0);
  for (const SalesLine& l : g.data.lines) {
    if (l.customer >= 0) continue;
    const int32_t w = (l.date.days - config.start.days) / 7;
    if (w >= n_weeks) continue;
    const size_t k = (static_cast<size_t>(l.product) * 4 + static_cast<size_t>(l.store)) *
                         static_cast<size_t>(n_weeks) +
                     static_cast<size_t>(w);
    units[k] += l.qty;
    price[k] = l.unit_price * (1.0 - l.discount);
  }
  double abs_error_sum = 0.0;
  for (size_t i = 0; i < np; ++i) {
    // OLS of log(units) on log(price) with a fixed effect per store (within-store demeaning).
    double sxy = 0.0, sxx = 0.0;
    for (size_t s = 0; s < 4; ++s) {
      std::vector<double> x, y;
      for (int32_t w = 0; w < n_weeks; ++w) {
        const size_t k = (i * 4 + s) * static_cast<size_t>(n_weeks) + static_cast<size_t>(w);
        if (units[k] <= 0.0 || price[k] <= 0.0) continue;
        x.push_back(std::log(price[k]));
        y.push_back(std::log(units[k]));
      }
      double mx = 0.0, my = 0.0;
      for (size_t k = 0; k < x.size(); ++k) {
        mx += x[k];
        my += y[k];
      }
      mx /= static_cast<double>(x.size());
      my /= static_cast<double>(y.size());
      for (size_t k = 0; k < x.size(); ++k) {
        sxy += (x[k] - mx) * (y[k] - my);
        sxx += (x[k] - mx) * (x[k] - mx);
      }
    }
    REQUIRE(sxx > 0.0);
    const double estimate = sxy / sxx;
    const double truth = g.truth.products[i].elasticity;
    CAPTURE(i);
    CAPTURE(estimate);
    CAPTURE(truth);
    CHECK(std::fabs(estimate - truth) < 0.2);
    abs_error_sum += std::fabs(estimate - truth);
  }
  CHECK(abs_error_sum / static_cast<double>(np) < 0.07);
}

TEST_CASE("generate: regression recovers each product's trend and yearly cycle") {
  const GeneratorConfig config = season_config();
  const GeneratedData& g = season_data();
  const size_t np = g.data.products.size();
  std::vector<double> units(np * static_cast<size_t>(config.n_days), 0.0);
  for (const SalesLine& l : g.data.lines) {
    if (l.customer >= 0) continue;
    units[static_cast<size_t>(l.product) * static_cast<size_t>(config.n_days) +
          static_cast<size_t>(l.date.days - config.start.days)] += l.qty;
  }
  // OLS of log(daily units, all stores) on 1, t in years, cos and sin of 2 pi doy / 365.25.
  for (size_t i = 0; i < np; ++i) {
    std::vector<std::vector<double>> xtx(4, std::vector<double>(4, 0.0));
    std::vector<double> xty(4, 0.0);
    for (int32_t t = 0; t < config.n_days; ++t) {
      const double y = units[i * static_cast<size_t>(config.n_days) + static_cast<size_t>(t)];
      REQUIRE(y > 0.0);
      const double theta = 2.0 * kPi * day_of_year(Date{config.start.days + t}) / 365.25;
      const double x[4] = {1.0, t / 365.25, std::cos(theta), std::sin(theta)};
      for (size_t r = 0; r < 4; ++r) {
        xty[r] += x[r] * std::log(y);
        for (size_t c = 0; c < 4; ++c) xtx[r][c] += x[r] * x[c];
      }
    }
    const std::vector<double> beta = solve4(xtx, xty);
    const ProductTruth& pt = g.truth.products[i];
    const double amplitude = std::hypot(beta[2], beta[3]);
    CAPTURE(i);
    CAPTURE(beta[1]);
    CAPTURE(pt.trend_per_year);
    CAPTURE(amplitude);
    CAPTURE(pt.yearly_amplitude);
    CHECK(std::fabs(beta[1] - pt.trend_per_year) < 0.04);
    CHECK(std::fabs(amplitude - pt.yearly_amplitude) < 0.04);
    if (pt.yearly_amplitude > 0.1) {
      const double peak = std::atan2(beta[3], beta[2]) * 365.25 / (2.0 * kPi);
      double gap = std::fmod(std::fabs(peak - pt.yearly_phase_days), 365.25);
      gap = std::min(gap, 365.25 - gap);
      CAPTURE(peak);
      CAPTURE(pt.yearly_phase_days);
      CHECK(gap < 10.0);
    }
  }
}

TEST_CASE("generate: promoted weeks and their neighbours move by the documented factors") {
  const GeneratorConfig config = promo_only_config();
  const GeneratedData& g = promo_only_data();
  const Dataset& d = g.data;
  // Walk-in units per store x product x week; with no price changes, season or cannibalization, a
  // clean week's mean is base * size * 7, the same every week.
  const int32_t n_weeks = config.n_days / 7;
  const size_t np = d.products.size();
  const auto index = [&](size_t i, size_t s, int32_t w) {
    return (i * 4 + s) * static_cast<size_t>(n_weeks) + static_cast<size_t>(w);
  };
  std::vector<double> units(np * 4 * static_cast<size_t>(n_weeks), 0.0);
  std::vector<int> kind(units.size(), 0);  // 0 clean, 1 promoted, 2 before, 3 after
  std::vector<double> truth_factor(units.size(), 1.0);
  for (const SalesLine& l : d.lines) {
    if (l.customer >= 0) continue;
    const int32_t w = (l.date.days - config.start.days) / 7;
    if (w < n_weeks)
      units[index(static_cast<size_t>(l.product), static_cast<size_t>(l.store), w)] += l.qty;
  }
  for (const Promotion& p : d.promotions) {
    std::vector<int32_t> stores = p.stores;
    if (stores.empty()) stores = {0, 1, 2, 3};
    const int32_t w0 = (p.start.days - config.start.days) / 7;
    const int32_t w1 = (p.end.days - config.start.days) / 7;
    for (int32_t i : p.products) {
      const ProductTruth& pt = g.truth.products[static_cast<size_t>(i)];
      double lift =
          std::pow(1.0 - p.depth, pt.elasticity) * std::exp(pt.promo_lift_per_depth * p.depth);
      if (p.feature) lift *= pt.feature_multiplier;
      if (p.display) lift *= pt.display_multiplier;
      for (int32_t s : stores) {
        for (int32_t w = w0; w <= w1 && w < n_weeks; ++w) {
          kind[index(static_cast<size_t>(i), static_cast<size_t>(s), w)] = 1;
          truth_factor[index(static_cast<size_t>(i), static_cast<size_t>(s), w)] = lift;
        }
        if (w0 - 1 >= 0) {
          kind[index(static_cast<size_t>(i), static_cast<size_t>(s), w0 - 1)] = 2;
          truth_factor[index(static_cast<size_t>(i), static_cast<size_t>(s), w0 - 1)] =
              1.0 - pt.pull_forward;
        }
        if (w1 + 1 < n_weeks) {
          kind[index(static_cast<size_t>(i), static_cast<size_t>(s), w1 + 1)] = 3;
          truth_factor[index(static_cast<size_t>(i), static_cast<size_t>(s), w1 + 1)] =
              1.0 - pt.post_promo_dip;
        }
      }
    }
  }
  // Baseline per store x product from its clean weeks; then observed / (baseline * factor) per
  // kind.
  double observed[4] = {0, 0, 0, 0}, expected[4] = {0, 0, 0, 0}, naive[4] = {0, 0, 0, 0};
  int featured_weeks = 0;
  for (size_t i = 0; i < np; ++i) {
    for (size_t s = 0; s < 4; ++s) {
      double clean = 0.0;
      int n_clean = 0;
      for (int32_t w = 0; w < n_weeks; ++w) {
        if (kind[index(i, s, w)] == 0) {
          clean += units[index(i, s, w)];
          ++n_clean;
        }
      }
      REQUIRE(n_clean > 20);
      const double baseline = clean / n_clean;
      for (int32_t w = 0; w < n_weeks; ++w) {
        const int k = kind[index(i, s, w)];
        if (k == 0) continue;
        observed[k] += units[index(i, s, w)];
        expected[k] += baseline * truth_factor[index(i, s, w)];
        naive[k] += baseline;
      }
    }
  }
  for (const Promotion& p : d.promotions) featured_weeks += p.feature ? 1 : 0;
  CHECK(featured_weeks > 5);
  const char* names[] = {"", "promoted", "week before", "week after"};
  for (int k = 1; k <= 3; ++k) {
    CAPTURE(names[k]);
    CAPTURE(observed[k]);
    CAPTURE(expected[k]);
    CAPTURE(naive[k]);
    CHECK(observed[k] / expected[k] == doctest::Approx(1.0).epsilon(0.03));
    CHECK(std::fabs(naive[k] / expected[k] - 1.0) > 0.05);  // the effect is really there
  }
}

TEST_CASE("generate: intermittent products have the zero days their truth implies") {
  const GeneratorConfig config = small_config();
  const GeneratedData& g = small_data();
  const Oracle o = build_oracle(g, config.start);
  const std::vector<double> units = walk_in_units(g, o, config.start);
  double slow_zero = 0.0, slow_expected = 0.0, slow_var = 0.0, slow_cells = 0.0;
  double fast_zero = 0.0, fast_cells = 0.0;
  int n_slow = 0;
  for (int32_t i = 0; i < o.n_products; ++i) {
    const ProductTruth& pt = g.truth.products[static_cast<size_t>(i)];
    n_slow += pt.intermittent ? 1 : 0;
    for (int32_t t = 0; t < o.n_days; ++t) {
      for (int32_t s = 0; s < o.n_stores; ++s) {
        const size_t c = o.cell(t, s, i);
        const double zero = units[c] == 0.0 ? 1.0 : 0.0;
        if (pt.intermittent) {
          const double k = pt.nb_dispersion;
          const double p0 = std::pow(k / (k + o.mu[c]), k);
          slow_zero += zero;
          slow_expected += p0;
          slow_var += p0 * (1.0 - p0);
          slow_cells += 1.0;
        } else {
          fast_zero += zero;
          fast_cells += 1.0;
        }
      }
    }
  }
  CHECK(n_slow == 6);  // round(0.2 * 30)
  CAPTURE(slow_zero / slow_cells);
  CAPTURE(slow_expected / slow_cells);
  CAPTURE(fast_zero / fast_cells);
  CHECK(slow_zero / slow_cells > 0.75);
  CHECK(std::fabs(slow_zero - slow_expected) < 4.5 * std::sqrt(slow_var));
  CHECK(fast_zero / fast_cells < 0.5 * slow_zero / slow_cells);
}

TEST_CASE("generate: the weekly profile shows in day-of-week totals") {
  const GeneratorConfig config = small_config();
  const GeneratedData& g = small_data();
  std::vector<uint8_t> holiday(static_cast<size_t>(config.n_days), 0);
  for (const Holiday& h : g.data.holidays) {
    holiday[static_cast<size_t>(h.date.days - config.start.days)] = 1;
  }
  double units[7] = {0, 0, 0, 0, 0, 0, 0}, days[7] = {0, 0, 0, 0, 0, 0, 0};
  for (int32_t t = 0; t < config.n_days; ++t) {
    if (!holiday[static_cast<size_t>(t)]) days[weekday(Date{config.start.days + t})] += 1.0;
  }
  for (const SalesLine& l : g.data.lines) {
    if (l.customer >= 0 || holiday[static_cast<size_t>(l.date.days - config.start.days)]) continue;
    units[weekday(l.date)] += l.qty;
  }
  double mean = 0.0;
  for (int w = 0; w < 7; ++w) mean += units[w] / days[w] / 7.0;
  for (int w = 0; w < 7; ++w) {
    CAPTURE(w);
    CHECK(units[w] / days[w] / mean ==
          doctest::Approx(g.truth.weekly_profile[static_cast<size_t>(w)]).epsilon(0.04));
  }
}

// ---- known truth: customers ---------------------------------------------------------------------

TEST_CASE("generate: customer lines come on top of an unchanged walk-in draw") {
  GeneratorConfig few = small_config();
  few.n_customers = 20;
  Result<GeneratedData> a = generate(few);
  REQUIRE(a.is_ok());
  const GeneratedData& b = small_data();  // 300 customers, same seed
  std::vector<SalesLine> walk_a, walk_b;
  double customer_units_a = 0.0, customer_units_b = 0.0;
  for (const SalesLine& l : a->data.lines) {
    if (l.customer < 0)
      walk_a.push_back(l);
    else
      customer_units_a += l.qty;
  }
  for (const SalesLine& l : b.data.lines) {
    if (l.customer < 0)
      walk_b.push_back(l);
    else
      customer_units_b += l.qty;
  }
  CHECK(walk_a == walk_b);  // the walk-in draw ignores the loyalty programme
  CHECK(customer_units_b > 5.0 * customer_units_a);
  // So the total of a store x product x day is the walk-in draw plus the loyalty units, and it is
  // the loyalty units that grow with the number of customers.
  CHECK(a->data.promotions == b.data.promotions);
  CHECK(a->data.products == b.data.products);
}

TEST_CASE("generate: BG/NBD purchase counts match the model's expectation") {
  const GeneratorConfig config = customer_config();
  const GeneratedData& g = customer_data();
  // Repeat purchases within t days of each customer's first purchase (all inside the period).
  const double t = 180.0;
  REQUIRE(config.acquisition_days + t <= config.n_days);
  const size_t n = g.data.customers.size();
  std::vector<std::set<std::string>> repeats(n);
  for (const SalesLine& l : g.data.lines) {
    if (l.customer < 0) continue;
    const CustomerTruth& ct = g.truth.customers[static_cast<size_t>(l.customer)];
    if (l.date.days - ct.acquired.days < t &&
        l.order_ref != "C" + std::to_string(l.customer) + "-1") {
      repeats[static_cast<size_t>(l.customer)].insert(l.order_ref);
    }
  }
  double sum = 0.0, sum2 = 0.0, zeros = 0.0;
  for (const auto& r : repeats) {
    const double x = static_cast<double>(r.size());
    sum += x;
    sum2 += x * x;
    zeros += x == 0.0 ? 1.0 : 0.0;
  }
  const double nn = static_cast<double>(n);
  const double mean = sum / nn;
  const double se = std::sqrt((sum2 / nn - mean * mean) / nn);
  const GeneratorTruth& tr = g.truth;
  const double expected = bgnbd_expected(tr.bgnbd_r, tr.bgnbd_alpha, tr.bgnbd_a, tr.bgnbd_b, t);
  CAPTURE(mean);
  CAPTURE(expected);
  CAPTURE(se);
  CHECK(std::fabs(mean - expected) < 4.0 * se);
  // Without dropout the mean would be r t / alpha; the test can tell the difference.
  CHECK(tr.bgnbd_r * t / tr.bgnbd_alpha - expected > 8.0 * se);
  // P(no repeat purchase by t) = (alpha / (alpha + t))^r.
  const double p0 = std::pow(tr.bgnbd_alpha / (tr.bgnbd_alpha + t), tr.bgnbd_r);
  CAPTURE(zeros / nn);
  CAPTURE(p0);
  CHECK(std::fabs(zeros - nn * p0) < 4.0 * std::sqrt(nn * p0 * (1.0 - p0)));
  // The population truth is what the customers were drawn from.
  double lambda = 0.0, p = 0.0;
  for (const CustomerTruth& c : tr.customers) {
    lambda += c.purchase_rate_per_day;
    p += c.dropout_probability;
  }
  CHECK(lambda / nn == doctest::Approx(tr.bgnbd_r / tr.bgnbd_alpha).epsilon(0.1));
  CHECK(p / nn == doctest::Approx(tr.bgnbd_a / (tr.bgnbd_a + tr.bgnbd_b)).epsilon(0.1));
}

TEST_CASE("generate: order values follow the Gamma-Gamma spend") {
  const GeneratedData& g = customer_data();
  const GeneratorTruth& tr = g.truth;
  std::map<std::string, std::pair<int32_t, double>> orders;  // ref -> customer, value
  for (const SalesLine& l : g.data.lines) {
    if (l.customer < 0) continue;
    auto& o = orders[l.order_ref];
    o.first = l.customer;
    o.second += l.qty * l.unit_price * (1.0 - l.discount);
  }
  std::vector<double> value(tr.customers.size(), 0.0), count(tr.customers.size(), 0.0);
  double total = 0.0, expected = 0.0;
  for (const auto& kv : orders) {
    const size_t c = static_cast<size_t>(kv.second.first);
    value[c] += kv.second.second;
    count[c] += 1.0;
    total += kv.second.second;
    expected += tr.customers[c].mean_spend_per_order;
  }
  // The floor of one unit per line (documented) lifts small orders a little, never much.
  CAPTURE(total / expected);
  CHECK(total / expected > 0.98);
  CHECK(total / expected < 1.12);
  // Customer by customer, the mean order value tracks the truth's p / nu.
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0;
  for (size_t c = 0; c < tr.customers.size(); ++c) {
    if (count[c] < 5) continue;
    const double x = std::log(tr.customers[c].mean_spend_per_order);
    const double y = std::log(value[c] / count[c]);
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
    n += 1;
  }
  REQUIRE(n > 500);
  const double corr = (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
  CAPTURE(corr);
  CHECK(corr > 0.8);
  // Population mean spend p gamma / (q - 1).
  double nu_inverse = 0.0;
  for (const CustomerTruth& c : tr.customers) nu_inverse += 1.0 / c.spend_rate;
  CHECK(tr.gg_p * nu_inverse / static_cast<double>(tr.customers.size()) ==
        doctest::Approx(tr.gg_p * tr.gg_gamma / (tr.gg_q - 1.0)).epsilon(0.1));
}

TEST_CASE("generate: planted pairs co-occur in baskets with their truth lift") {
  const GeneratedData& g = customer_data();
  const GeneratorTruth& tr = g.truth;
  REQUIRE(tr.affinities.size() == 4);
  std::map<std::string, std::vector<int32_t>> baskets;
  for (const SalesLine& l : g.data.lines) {
    if (l.customer >= 0) baskets[l.order_ref].push_back(l.product);
  }
  const size_t np = g.data.products.size();
  std::vector<double> single(np, 0.0);
  std::vector<double> joint(np * np, 0.0);
  for (auto& kv : baskets) {
    std::vector<int32_t>& b = kv.second;
    std::sort(b.begin(), b.end());
    CHECK(std::adjacent_find(b.begin(), b.end()) == b.end());  // one line per product
    for (size_t x = 0; x < b.size(); ++x) {
      single[static_cast<size_t>(b[x])] += 1.0;
      for (size_t y = x + 1; y < b.size(); ++y) {
        joint[static_cast<size_t>(b[x]) * np + static_cast<size_t>(b[y])] += 1.0;
      }
    }
  }
  const double n = static_cast<double>(baskets.size());
  const auto lift = [&](int32_t a, int32_t b, double* count) {
    const size_t lo = static_cast<size_t>(std::min(a, b)), hi = static_cast<size_t>(std::max(a, b));
    *count = joint[lo * np + hi];
    return *count * n / (single[lo] * single[hi]);
  };
  std::set<int32_t> planted;
  for (const GeneratorTruth::Affinity& pair : tr.affinities) {
    planted.insert(pair.a);
    planted.insert(pair.b);
    double count = 0.0;
    const double observed = lift(pair.a, pair.b, &count);
    CAPTURE(pair.a);
    CAPTURE(pair.b);
    CAPTURE(pair.lift);
    CAPTURE(pair.conditional_lift);
    CAPTURE(observed);
    CAPTURE(count);
    CHECK(g.data.products[static_cast<size_t>(pair.a)].category !=
          g.data.products[static_cast<size_t>(pair.b)].category);
    CHECK(pair.lift > 1.3);
    // Relative sd of a lift estimated from `count` co-occurrences is about 1 / sqrt(count).
    CHECK(std::fabs(observed / pair.lift - 1.0) < 4.0 / std::sqrt(count));
  }
  // Pairs of the other products, pooled, sit near the baseline lift.
  double joint_sum = 0.0, expected_sum = 0.0;
  for (size_t a = 0; a < np; ++a) {
    for (size_t b = a + 1; b < np; ++b) {
      if (planted.count(static_cast<int32_t>(a)) || planted.count(static_cast<int32_t>(b)))
        continue;
      joint_sum += joint[a * np + b];
      expected_sum += single[a] * single[b] / n;
    }
  }
  CAPTURE(joint_sum / expected_sum);
  CHECK(joint_sum / expected_sum == doctest::Approx(tr.baseline_pair_lift).epsilon(0.05));
}
