// Promotion plan simulation (see promo_sim.h for the arithmetic).
//
// Speed: a 1,000-product x 50-store x 26-week plan must recompute within one animation frame in
// WebAssembly. Stores that the same promotions cover form a group; inside a group every product
// has the same multiplier m in a week, so the group's units are m * sum(B) - c * n whenever no
// cell is clamped at zero (checked per group with the smallest B). Per-store work is left only
// where it is per store by nature: stock cover and stockout risk, halo partners, and the cell
// table when asked for. The Monte Carlo and the depth ranking run on each product's few distinct
// "states" (promoted at depth d with feature..., cannibalized by X, week before, week after).
// What does not depend on the scenario is built once per session (PromoSimulator::create) and
// only read afterwards, so concurrent simulate() calls on one simulator are safe: the normal
// tables, the Taylor orders' reach, and each product's stores sorted by B, which turn a group's
// clamped units sum max(0, B m - c) into m times a prefix sum of B. Without a per-week table the
// stock risk of a store-product pair is closed form even with halo and clamped weeks (the halo
// summed over the partners' promoted weeks only), and one pass over (product, group, week)
// computes units, parts, figures and the Monte Carlo's summaries together. Its sums are kept by
// week (per week, per product-week, per promoted cell) and added up week by week in order, so a
// session's PromoMemo can keep the weeks a slider event does not touch: a drag of one promotion's
// depth recomputes that promotion's weeks only, and the answer is the same to the bit.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "detail/format.h"
#include "detail/normal.h"
#include "detail/rng.h"
#include "promo/pressure.h"
#include "shelfcast/promo_sim.h"
#include "shelfcast/types.h"

namespace shelfcast {
namespace {

constexpr int32_t kMaxPlanWeeks = 104;
constexpr int32_t kMaxDraws = 5000;
constexpr double kMaxDepth = 0.95;
constexpr double kCoverCap = 99.0;

// Log-multiplier terms, in this order everywhere.
enum Term {
  kPriceTerm = 0,
  kDepthTerm,
  kFeatureTerm,
  kDisplayTerm,
  kCrossTerm,
  kPreTerm,
  kPostTerm,
  kHingeTerm
};
constexpr int kTerms = 8;

// Promotions named one by one in the drivers; the rest are summed per driver kind.
constexpr size_t kNamedPromotions = 5;

std::string where_promo(size_t k) { return "plan.promotions[" + std::to_string(k) + "]"; }

// What applies to one product in one store group and week.
struct CellState {
  int32_t promo = -1;     // index of the promotion running, -1 = none
  double depth = 0.0;     // effective depth while promoted
  double log_keep = 0.0;  // log(1 - depth)
  double hinge = 0.0;     // max(0, depth - the model's depth threshold)
  double feature = 0.0;
  double display = 0.0;
  double share = 1.0;
  double cross = 0.0;  // X: the (group, week)'s cannibalization pressure (0 while promoted)
  bool pre = false;
  bool post = false;
  double price = 0.0;  // net price paid
};

bool same_state(const CellState& a, const CellState& b) {
  return a.promo == b.promo && a.depth == b.depth && a.feature == b.feature &&
         a.display == b.display && a.share == b.share && a.cross == b.cross && a.pre == b.pre &&
         a.post == b.post && a.price == b.price;
}

// Coefficients of a product in Term order.
struct Coefs {
  double b[kTerms] = {};
};

Coefs point_coefs(const PromoProductModel& p) {
  Coefs c;
  c.b[kPriceTerm] = p.elasticity.estimate;
  c.b[kDepthTerm] = p.lift_per_depth.estimate;
  c.b[kFeatureTerm] = p.feature.estimate;
  c.b[kDisplayTerm] = p.display.estimate;
  c.b[kCrossTerm] = p.cross_depth.estimate;
  c.b[kPreTerm] = p.pre_week.estimate;
  c.b[kPostTerm] = p.post_week.estimate;
  c.b[kHingeTerm] = p.depth_hinge.estimate;
  return c;
}

// The terms of a state and its multiplier (the depth ranking and the Monte Carlo need the
// multiplier alone: multiplier_only).
struct Multiplier {
  double term[kTerms] = {};
  double m = 1.0;    // units + c = B * m
  double phi = 1.0;  // (m - 1) / sum(term): each term's part of B (m - 1) is B * phi * term
};

Multiplier multiplier(const CellState& s, const Coefs& c) {
  Multiplier out;
  out.term[kCrossTerm] = detail::pressure_log(c.b[kCrossTerm], s.cross);
  if (s.promo >= 0) {
    out.term[kPriceTerm] = c.b[kPriceTerm] * s.log_keep;
    out.term[kDepthTerm] = c.b[kDepthTerm] * s.depth;
    out.term[kHingeTerm] = c.b[kHingeTerm] * s.hinge;
    out.term[kFeatureTerm] = c.b[kFeatureTerm] * s.feature;
    out.term[kDisplayTerm] = c.b[kDisplayTerm] * s.display;
  } else {
    out.term[kPreTerm] = s.pre ? c.b[kPreTerm] : 0.0;
    out.term[kPostTerm] = s.post ? c.b[kPostTerm] : 0.0;
  }
  double sum = 0.0;
  for (double t : out.term) sum += t;
  const double share = s.promo >= 0 ? s.share : 1.0;
  const double grow = detail::exp_portable(std::min(sum, 50.0)) - 1.0;
  out.m = 1.0 + share * grow;
  out.phi = std::fabs(sum) < 1e-12 ? share : share * grow / sum;
  return out;
}

// One depth for every promotion (the depth ranking), with its log(1 - d) and bend; depth < 0 =
// each state's own.
struct DepthOverride {
  double depth = -1.0;
  double log_keep = 0.0;
  double hinge = 0.0;
};

// The multiplier m alone (the Monte Carlo's and the ranking's inner loop).
double multiplier_only(const CellState& s, const Coefs& c, const DepthOverride& o) {
  const bool alt = o.depth >= 0.0;
  double sum = detail::pressure_log(c.b[kCrossTerm], s.cross);
  if (s.promo >= 0) {
    const double d = alt ? o.depth : s.depth;
    sum += c.b[kPriceTerm] * (alt ? o.log_keep : s.log_keep) + c.b[kDepthTerm] * d +
           c.b[kHingeTerm] * (alt ? o.hinge : s.hinge) + c.b[kFeatureTerm] * s.feature +
           c.b[kDisplayTerm] * s.display;
    return 1.0 + s.share * (detail::exp_portable(std::min(sum, 50.0)) - 1.0);
  }
  if (s.pre) sum += c.b[kPreTerm];
  if (s.post) sum += c.b[kPostTerm];
  return detail::exp_portable(std::min(sum, 50.0));
}

// Standard normal upper tail by table lookup: 1 - Phi(z) on [-8, 8] in steps of 1/64.
class NormalTail {
 public:
  NormalTail() : table_(kSize + 1) {
    for (int i = 0; i <= kSize; ++i)
      table_[static_cast<size_t>(i)] = 1.0 - detail::normal_cdf(-8.0 + i / 64.0);
  }
  double operator()(double z) const {
    if (!(z > -8.0)) return 1.0;
    if (z >= 8.0) return 0.0;
    const double x = (z + 8.0) * 64.0;
    const int i = static_cast<int>(x);
    const double f = x - i;
    return table_[static_cast<size_t>(i)] * (1.0 - f) + table_[static_cast<size_t>(i) + 1] * f;
  }

 private:
  static constexpr int kSize = 16 * 64;
  std::vector<double> table_;
};

// P(cumulative demand > available) for demand of mean `mean` and variance `var`, normal:
// tail((available - mean) / sqrt(max(var, 1e-12))). A gap beyond sqrt(65) > 8 standard
// deviations, where the table returns 0, is found without the square root and the division.
double stockout_risk(const NormalTail& tail, double available, double mean, double var) {
  const double gap = available - mean;
  const double v = std::max(var, 1e-12);
  if (gap > 0.0 && gap * gap > 65.0 * v) return 0.0;
  return tail(gap / std::sqrt(v));
}

// Standard normal deviates for the Monte Carlo by table: the quantile at the centre of one of
// 8,192 equal-probability cells picked by 13 random bits (so draws reach +-3.8 sd). Four times
// cheaper than the polar method and exact in distribution up to that discretisation.
class NormalDraws {
 public:
  NormalDraws() : table_(kCells) {
    for (size_t i = 0; i < kCells; ++i)
      table_[i] = detail::normal_quantile((static_cast<double>(i) + 0.5) / kCells);
  }
  double operator()(detail::Rng& rng) const { return table_[rng.next_u64() >> 51]; }

 private:
  static constexpr size_t kCells = 8192;
  std::vector<double> table_;
};

void add(PromoFigures* to, const PromoFigures& f) {
  to->baseline += f.baseline;
  to->units += f.units;
  to->lift += f.lift;
  to->cannibalized += f.cannibalized;
  to->halo += f.halo;
  to->pull_forward += f.pull_forward;
  to->dip += f.dip;
  to->incremental += f.incremental;
  to->revenue += f.revenue;
  to->baseline_revenue += f.baseline_revenue;
  to->margin += f.margin;
  to->baseline_margin += f.baseline_margin;
  to->incremental_margin += f.incremental_margin;
}

// Sums over cells that are plain (not promoted, no neighbouring promotion, no halo) at their
// product's regular price: their figures are linear in their units and baselines (no lift, dip
// or halo; every change is cannibalization), so a totals answer adds these six sums per week
// and two per product instead of a PromoFigures per cell.
struct PlainSums {
  double units = 0.0, units_regular = 0.0, units_cost = 0.0;
  double base = 0.0, base_regular = 0.0, base_cost = 0.0;
};

// The figures of plain cells from their sums (PlainSums).
PromoFigures plain_figures(const PlainSums& s) {
  PromoFigures f;
  f.baseline = s.base;
  f.units = s.units;
  f.incremental = s.units - s.base;
  f.cannibalized = -f.incremental;
  f.revenue = s.units_regular;
  f.baseline_revenue = s.base_regular;
  f.margin = s.units_regular - s.units_cost;
  f.baseline_margin = s.base_regular - s.base_cost;
  f.incremental_margin = f.margin - f.baseline_margin;
  return f;
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

std::string signed_count(double v) {
  const std::string s = detail::format_count(std::fabs(v));
  if (s == "0") return "0";
  return (v < 0 ? "\u2212" : "+") + s;
}

}  // namespace

// What a simulator keeps between plans: the model indexed, B of every product in every store,
// prices, stock positions, clusters and affinity of the context, all checked once.
struct PromoSimulator::Prepared {
  PromoModel model;
  double c = 1.0;
  int32_t n_products = 0, n_stores = 0;
  std::map<int32_t, int32_t> product_index;  // product id -> index
  std::map<int32_t, int32_t> store_index;    // store id -> index
  std::vector<int32_t> product_ids;          // model order
  std::vector<int32_t> store_ids;            // sorted
  std::vector<Coefs> coefs;                  // per product
  std::vector<double> sigma;                 // per product
  std::vector<double> big_b;                 // per (product, store): B, or -1 without a level
  // Per product: the stores with a level, largest B first (ties by store index), so that a
  // group's clamped units max(0, B m - c) summed over its stores are a prefix sum.
  std::vector<std::vector<int32_t>> stores_by_b;
  std::vector<double> regular, cost;  // per product; regular < 0 = no price given
  std::vector<std::string> names;     // per product
  std::vector<PlanStock> stock;
  std::vector<int32_t> stock_of;  // per (product, store): index into stock, or -1
  std::map<std::string, std::vector<int32_t>> clusters;
  std::vector<std::pair<std::pair<int32_t, int32_t>, double>> halo_pairs;  // (from, to), share
  std::vector<std::vector<std::pair<int32_t, double>>> halo_in;            // per partner
  // Tables that depend on nothing: built once per session, read-only afterwards (so concurrent
  // simulate() calls on one simulator stay safe).
  NormalTail tail;
  NormalDraws normal;

  size_t ps(int32_t p, int32_t s) const {
    return static_cast<size_t>(p) * static_cast<size_t>(n_stores) + static_cast<size_t>(s);
  }
};

namespace {

// One plan's layout on top of the prepared simulator.
struct Sim {
  const PromoSimulator::Prepared* pre = nullptr;
  double c = 1.0;
  int32_t n_products = 0, n_stores = 0, n_groups = 0, n_weeks = 0, first_week = 0;
  std::vector<int32_t> covered;              // indexes of the stores the plan touches
  std::vector<int32_t> store_group;          // per store: group, or -1 when not covered
  std::vector<std::vector<int32_t>> groups;  // store indexes of each group
  // Per (product, group, week): the promotion running (-1 none) and the product's place in it; a
  // cell's full state is state() (written on demand: most cells are plain, see simulate()).
  std::vector<int32_t> promo_of, promo_slot;
  // Per promotion and product: its promoted state (X 0, its net price).
  std::vector<std::vector<CellState>> promo_state;
  // Per (product, group): sum of B, number of cells with a level, sum of baselines, smallest B.
  std::vector<double> sum_b, n_cells, sum_base, min_b;
  std::vector<std::vector<int32_t>> group_promotions;  // per group: the promotions covering it
  std::vector<double> group_base;  // per group: the category's baseline units there
  std::vector<double> cross;       // per (group, week): X of a non-promoted product
  // Per (product, group): its promoted weeks, promoted_weeks[promoted_start[pg] ..
  // promoted_start[pg + 1]), in order.
  std::vector<int32_t> promoted_start, promoted_weeks;

  size_t pgw(int32_t p, int32_t g, int32_t w) const {
    return (static_cast<size_t>(p) * static_cast<size_t>(n_groups) + static_cast<size_t>(g)) *
               static_cast<size_t>(n_weeks) +
           static_cast<size_t>(w);
  }
  size_t pg(int32_t p, int32_t g) const {
    return static_cast<size_t>(p) * static_cast<size_t>(n_groups) + static_cast<size_t>(g);
  }
  size_t ps(int32_t p, int32_t s) const { return pre->ps(p, s); }
  size_t n_states() const { return promo_of.size(); }
  bool promoted(size_t i) const { return promo_of[i] >= 0; }
  // Not promoted, in the week before / after a promotion of the product (same group).
  bool pre_week(size_t i, int32_t w) const {
    return promo_of[i] < 0 && w + 1 < n_weeks && promo_of[i + 1] >= 0;
  }
  bool post_week(size_t i, int32_t w) const {
    return promo_of[i] < 0 && w > 0 && promo_of[i - 1] >= 0;
  }
  // What applies to product p in group g and week w.
  CellState state(int32_t p, int32_t g, int32_t w) const {
    const size_t i = pgw(p, g, w);
    if (promo_of[i] >= 0)
      return promo_state[static_cast<size_t>(promo_of[i])][static_cast<size_t>(promo_slot[i])];
    CellState st;
    st.cross =
        cross[static_cast<size_t>(g) * static_cast<size_t>(n_weeks) + static_cast<size_t>(w)];
    st.pre = pre_week(i, w);
    st.post = post_week(i, w);
    // In its pull-forward or dip week a product sells less, and the siblings' extra units it
    // loses are a larger share of what it sells (promo.h: X over the product's factor that week).
    if (st.cross != 0.0 && (st.pre || st.post)) {
      const Coefs& cf = pre->coefs[static_cast<size_t>(p)];
      st.cross *= detail::exp_portable(
          -((st.pre ? cf.b[kPreTerm] : 0.0) + (st.post ? cf.b[kPostTerm] : 0.0)));
    }
    st.price = std::max(0.0, pre->regular[static_cast<size_t>(p)]);
    return st;
  }
};

// A plan's promotions, checked: each one's products (indexes), effective depths and stores, and
// the first and last promoted weeks.
struct CheckedPlan {
  std::vector<std::vector<int32_t>> products;
  std::vector<std::vector<double>> depths;
  std::vector<std::vector<bool>> stores;  // per promotion, per store index
  int32_t first = 0, last = 0;
};

// Checks the plan's settings and promotions (all but their overlaps: lay_out). With `known_cells`,
// `out` holds the products and stores of promotions that cover the same cells (same_layout; they
// were checked then): only the depths are checked and recomputed.
Status check_plan(const PromoSimulator::Prepared& pre, const PromoPlan& plan, bool known_cells,
                  CheckedPlan* out) {
  const PromoModel& model = pre.model;
  const auto& product_index = pre.product_index;
  if (plan.promotions.empty())
    return invalid_argument("plan.promotions must hold at least one promotion", "plan.promotions");
  if (plan.draws < 0 || plan.draws > kMaxDraws)
    return invalid_argument("plan.draws must be in 0.." + std::to_string(kMaxDraws), "plan.draws");
  for (size_t i = 0; i < plan.alternative_depths.size(); ++i) {
    const double d = plan.alternative_depths[i];
    if (!(d > 0.0 && d <= kMaxDepth))
      return invalid_argument(
          "plan.alternative_depths[" + std::to_string(i) + "] must be in (0, 0.95]",
          "plan.alternative_depths[" + std::to_string(i) + "]");
  }

  // Promotions: products, stores, weeks, effective depths.
  int32_t& first = out->first;
  int32_t& last = out->last;
  std::vector<std::vector<int32_t>>& promo_products = out->products;
  std::vector<std::vector<bool>>& promo_stores = out->stores;
  if (!known_cells) {
    promo_products.assign(plan.promotions.size(), {});
    promo_stores.assign(plan.promotions.size(), {});
  }
  out->depths.resize(plan.promotions.size());
  for (size_t k = 0; k < plan.promotions.size(); ++k) {
    const PlannedPromotion& pr = plan.promotions[k];
    // (the field names are built only for an error: a slider event checks every promotion)
    const auto where_is = [k] { return where_promo(k); };
    if (pr.products.empty()) {
      const std::string where = where_is();
      return invalid_argument(where + ".products must name at least one product",
                              where + ".products");
    }
    if (pr.end_week < pr.start_week)
      return invalid_argument(where_is() + ".end_week must be >= start_week",
                              where_is() + ".end_week");
    if (!(pr.feature >= 0.0 && pr.feature <= 1.0))
      return invalid_argument(where_is() + ".feature must be in [0, 1]", where_is() + ".feature");
    if (!(pr.display >= 0.0 && pr.display <= 1.0))
      return invalid_argument(where_is() + ".display must be in [0, 1]", where_is() + ".display");
    if (!(pr.segment_share > 0.0 && pr.segment_share <= 1.0))
      return invalid_argument(where_is() + ".segment_share must be in (0, 1]",
                              where_is() + ".segment_share");
    if (k == 0 || pr.start_week < first) first = pr.start_week;
    if (k == 0 || pr.end_week > last) last = pr.end_week;
    out->depths[k].clear();
    for (size_t j = 0; j < pr.products.size(); ++j) {
      const auto w = [&] { return where_is() + ".products[" + std::to_string(j) + "]"; };
      int32_t p = 0;
      if (known_cells) {
        p = promo_products[k][j];
      } else {
        const auto it = product_index.find(pr.products[j]);
        if (it == product_index.end())
          return invalid_argument(w() + ": product " + std::to_string(pr.products[j]) +
                                      " is not in the model of " + model.category,
                                  w());
        p = it->second;
        if (std::find(promo_products[k].begin(), promo_products[k].end(), p) !=
            promo_products[k].end())
          return invalid_argument(
              w() + ": product " + std::to_string(pr.products[j]) + " is listed twice", w());
      }
      const double reg = pre.regular[static_cast<size_t>(p)];
      if (reg < 0.0)
        return invalid_argument(w() + ": promoted product " + std::to_string(pr.products[j]) +
                                    " needs a regular_price and unit_cost in plan.products "
                                    "(or a model fitted with prices and costs)",
                                "plan.products");
      double d = 0.0;
      const char* field = ".depth";
      switch (pr.mechanic) {
        case PromoMechanic::kPercentOff:
          d = pr.depth;
          break;
        case PromoMechanic::kPricePoint:
          field = ".price_point";
          if (!(pr.price_point > 0.0 && pr.price_point < reg))
            return invalid_argument(
                where_is() + field + " must be > 0 and below the regular price " +
                    detail::format_number(reg) + " of product " + std::to_string(pr.products[j]),
                where_is() + field);
          d = 1.0 - pr.price_point / reg;
          break;
        case PromoMechanic::kMultiBuy:
          field = ".pay";
          if (!(pr.buy >= 2 && pr.pay >= 1 && pr.pay < pr.buy))
            return invalid_argument(where_is() + ": a multi-buy needs buy >= 2 and 1 <= pay < buy",
                                    where_is() + field);
          d = 1.0 - static_cast<double>(pr.pay) / static_cast<double>(pr.buy);
          break;
        case PromoMechanic::kBogo:
          d = 0.5;
          break;
      }
      if (!(d > 0.0 && d <= kMaxDepth))
        return invalid_argument(where_is() + field + ": the effective depth " +
                                    detail::format_number(d) + " must be in (0, 0.95]",
                                where_is() + field);
      if (!known_cells) promo_products[k].push_back(p);
      out->depths[k].push_back(d);
    }
    if (known_cells) continue;
    std::vector<int32_t> stores = pr.stores;
    if (!pr.cluster.empty()) {
      const auto it = pre.clusters.find(pr.cluster);
      if (it == pre.clusters.end())
        return invalid_argument(
            where_is() + ".cluster: no cluster named '" + pr.cluster + "' in plan.clusters",
            where_is() + ".cluster");
      stores.insert(stores.end(), it->second.begin(), it->second.end());
    }
    promo_stores[k].assign(static_cast<size_t>(pre.n_stores), stores.empty());
    for (int32_t store : stores) {
      const auto it = pre.store_index.find(store);
      if (it == pre.store_index.end())
        return invalid_argument(where_is() + ".stores: store " + std::to_string(store) +
                                    " is not in the model of " + model.category,
                                where_is() + ".stores");
      promo_stores[k][static_cast<size_t>(it->second)] = true;
    }
  }
  if (last - first + 1 > kMaxPlanWeeks)
    return invalid_argument("plan: promotions span " + std::to_string(last - first + 1) +
                                " weeks; at most " + std::to_string(kMaxPlanWeeks),
                            "plan.promotions");
  return Status::ok();
}

// Whether two plans' promotions lay out the same cells: the same products, stores and weeks, in
// the same order (their depths, mechanics and features may differ).
bool same_layout(const std::vector<PlannedPromotion>& a, const std::vector<PlannedPromotion>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k].products != b[k].products || a[k].stores != b[k].stores ||
        a[k].cluster != b[k].cluster || a[k].start_week != b[k].start_week ||
        a[k].end_week != b[k].end_week)
      return false;
  }
  return true;
}

// Lays out a checked plan: stores, groups, the cells each promotion marks (overlapping
// promotions are an error here) and each (product, group)'s promoted weeks.
Status lay_out(const PromoSimulator::Prepared& pre, const PromoPlan& plan,
               const CheckedPlan& checked, Sim* sim) {
  const std::vector<std::vector<int32_t>>& promo_products = checked.products;
  const std::vector<std::vector<bool>>& promo_stores = checked.stores;
  *sim = Sim();
  sim->pre = &pre;
  sim->c = pre.c;
  sim->n_products = pre.n_products;
  sim->n_stores = pre.n_stores;
  sim->first_week = checked.first - 1;
  sim->n_weeks = checked.last - checked.first + 3;

  // Stores the plan touches, grouped by the set of promotions covering them.
  std::map<std::vector<bool>, int32_t> signature_group;
  sim->store_group.assign(static_cast<size_t>(pre.n_stores), -1);
  for (int32_t st = 0; st < pre.n_stores; ++st) {
    std::vector<bool> sig(plan.promotions.size());
    bool any = false;
    for (size_t k = 0; k < plan.promotions.size(); ++k) {
      sig[k] = promo_stores[k][static_cast<size_t>(st)];
      any = any || sig[k];
    }
    if (!any) continue;
    sim->covered.push_back(st);
    const auto ins = signature_group.emplace(sig, static_cast<int32_t>(sim->groups.size()));
    if (ins.second) sim->groups.emplace_back();
    sim->store_group[static_cast<size_t>(st)] = ins.first->second;
    sim->groups[static_cast<size_t>(ins.first->second)].push_back(st);
  }
  sim->n_groups = static_cast<int32_t>(sim->groups.size());

  const size_t n_pg = static_cast<size_t>(sim->n_products) * static_cast<size_t>(sim->n_groups);
  sim->sum_b.assign(n_pg, 0.0);
  sim->n_cells.assign(n_pg, 0.0);
  sim->sum_base.assign(n_pg, 0.0);
  sim->min_b.assign(n_pg, HUGE_VAL);
  for (int32_t p = 0; p < sim->n_products; ++p) {
    for (int32_t st : sim->covered) {
      const double b = pre.big_b[pre.ps(p, st)];
      if (b < 0.0) continue;
      const size_t i = sim->pg(p, sim->store_group[static_cast<size_t>(st)]);
      sim->sum_b[i] += b;
      sim->n_cells[i] += 1.0;
      sim->sum_base[i] += std::max(0.0, b - sim->c);
      sim->min_b[i] = std::min(sim->min_b[i], b);
    }
  }

  // The promotions mark their cells (promotion and its product's position in it); overlapping
  // promotions are an error.
  const size_t n_states = n_pg * static_cast<size_t>(sim->n_weeks);
  std::vector<int32_t>& promo_of = sim->promo_of;
  std::vector<int32_t>& promo_slot = sim->promo_slot;
  promo_of.assign(n_states, -1);
  promo_slot.assign(n_states, -1);
  sim->group_promotions.assign(static_cast<size_t>(sim->n_groups), {});
  sim->group_base.assign(static_cast<size_t>(sim->n_groups), 0.0);
  for (int32_t g = 0; g < sim->n_groups; ++g) {
    const int32_t store0 = sim->groups[static_cast<size_t>(g)][0];
    for (size_t k = 0; k < plan.promotions.size(); ++k) {
      if (!promo_stores[k][static_cast<size_t>(store0)]) continue;
      sim->group_promotions[static_cast<size_t>(g)].push_back(static_cast<int32_t>(k));
      const PlannedPromotion& pr = plan.promotions[k];
      for (int32_t week = pr.start_week; week <= pr.end_week; ++week) {
        const int32_t w = week - sim->first_week;
        for (size_t j = 0; j < promo_products[k].size(); ++j) {
          const int32_t p = promo_products[k][j];
          const size_t i = sim->pgw(p, g, w);
          if (promo_of[i] >= 0) {
            const std::string where = where_promo(k);
            return invalid_argument(
                where + ": product " + std::to_string(pre.product_ids[static_cast<size_t>(p)]) +
                    " is already in " + where_promo(static_cast<size_t>(promo_of[i])) + " ('" +
                    plan.promotions[static_cast<size_t>(promo_of[i])].id + "') in store " +
                    std::to_string(pre.store_ids[static_cast<size_t>(store0)]) + " in week " +
                    std::to_string(week) + "; promotions of one item may not overlap",
                where + ".products[" + std::to_string(j) + "]");
          }
          promo_of[i] = static_cast<int32_t>(k);
          promo_slot[i] = static_cast<int32_t>(j);
        }
      }
    }
    double baseline = 0.0;
    for (int32_t p = 0; p < sim->n_products; ++p) baseline += sim->sum_base[sim->pg(p, g)];
    sim->group_base[static_cast<size_t>(g)] = baseline;
  }
  // Each (product, group)'s promoted weeks, in order.
  sim->promoted_start.assign(n_pg + 1, 0);
  sim->promoted_weeks.clear();
  for (size_t ipg = 0; ipg < n_pg; ++ipg) {
    const size_t i0 = ipg * static_cast<size_t>(sim->n_weeks);
    for (int32_t w = 0; w < sim->n_weeks; ++w)
      if (promo_of[i0 + static_cast<size_t>(w)] >= 0) sim->promoted_weeks.push_back(w);
    sim->promoted_start[ipg + 1] = static_cast<int32_t>(sim->promoted_weeks.size());
  }
  return Status::ok();
}

// The terms of a laid-out plan: each promoted product's state in its promotion, and the pressure X
// of every (group, week) (promo.h): its promoted products' extra units at the point coefficients,
// B (m - 1) summed over the group's stores, over the category's baseline units there. A
// promotion's multiplier of a product is the same in every store and week.
void set_terms(const PromoSimulator::Prepared& pre, const PromoPlan& plan,
               const CheckedPlan& checked, Sim* sim) {
  const std::vector<std::vector<int32_t>>& promo_products = checked.products;
  std::vector<std::vector<CellState>>& promo_state = sim->promo_state;
  promo_state.assign(plan.promotions.size(), {});
  std::vector<std::vector<double>> promo_growth(plan.promotions.size());
  for (size_t k = 0; k < plan.promotions.size(); ++k) {
    const PlannedPromotion& pr = plan.promotions[k];
    for (size_t j = 0; j < promo_products[k].size(); ++j) {
      const double d = checked.depths[k][j];
      CellState st;
      st.promo = static_cast<int32_t>(k);
      st.depth = d;
      st.log_keep = detail::log_portable(1.0 - d);
      st.hinge = std::max(0.0, d - pre.model.depth_threshold);
      st.feature = pr.feature;
      st.display = pr.display;
      st.share = pr.segment_share;
      st.price = pre.regular[static_cast<size_t>(promo_products[k][j])] * (1.0 - d);
      promo_state[k].push_back(st);
      promo_growth[k].push_back(
          multiplier_only(st, pre.coefs[static_cast<size_t>(promo_products[k][j])], {}) - 1.0);
    }
  }
  std::vector<double>& cross = sim->cross;
  cross.assign(static_cast<size_t>(sim->n_groups * sim->n_weeks), 0.0);
  for (int32_t g = 0; g < sim->n_groups; ++g) {
    for (int32_t k : sim->group_promotions[static_cast<size_t>(g)]) {
      const PlannedPromotion& pr = plan.promotions[static_cast<size_t>(k)];
      for (int32_t week = pr.start_week; week <= pr.end_week; ++week) {
        const int32_t w = week - sim->first_week;
        for (size_t j = 0; j < promo_products[static_cast<size_t>(k)].size(); ++j) {
          const int32_t p = promo_products[static_cast<size_t>(k)][j];
          cross[static_cast<size_t>(g * sim->n_weeks + w)] +=
              sim->sum_b[sim->pg(p, g)] * promo_growth[static_cast<size_t>(k)][j];
        }
      }
    }
    const double baseline = sim->group_base[static_cast<size_t>(g)];
    for (int32_t w = 0; w < sim->n_weeks; ++w) {
      double& x = cross[static_cast<size_t>(g * sim->n_weeks + w)];
      x = baseline > 0.0 ? x / baseline : 0.0;
    }
  }
}

// Parts of a (product, group, week)'s incremental units by term, from its multiplier.
struct Parts {
  double term[kTerms] = {};
};

// Driver sums: units and their margin.
struct Sum {
  double units = 0.0, margin = 0.0;
  void add(double u, double unit_margin) {
    units += u;
    margin += u * unit_margin;
  }
};
enum PromoDriverKind { kDiscount = 0, kFeature, kDisplay, kGiven, kPromoDrivers };

// A simulation's sums are taken week by week, so that a memo (PromoMemo) can keep the weeks a
// slider event does not touch. One product's cells of one week, over the groups:
struct ProductWeekPiece {
  double plain_units = 0.0, plain_base = 0.0;  // its plain cells (a totals answer)
  Sum cannib, halo;                            // its other cells' cannibalization and halo
  int32_t promoted_stores = 0;
  int32_t figures = -1;  // its other cells' figures: WeekPiece::figures[figures]; -1 = none
};

// One week's cells over products and groups.
struct WeekPiece {
  PromoFigures cells;  // the cells summed one by one
  PlainSums plain;     // the plain cells of a totals answer
  Sum pull, dip;
  bool missing_price = false;
  std::vector<PromoFigures> figures;  // per product with other than plain cells
};

// One promoted (product, group, week)'s discount, feature, display and discount given.
struct PromotedPiece {
  Sum sum[kPromoDrivers];
};

}  // namespace

// What a simulation leaves for the next one of its session (PromoMemo): the layout and terms, the
// cells' multipliers and halo, and the sums by week, by product-week and by promoted cell.
struct PromoMemo::State {
  std::shared_ptr<const PromoSimulator::Prepared> pre;  // the simulator that filled it
  bool valid = false;                                   // filled by a simulation that succeeded
  bool plain_sums = false;  // its sums are a totals answer's (plain cells summed)
  std::vector<PlannedPromotion> promotions;
  CheckedPlan checked;  // the promotions' products, stores and depths
  Sim sim;
  std::vector<double> mult, halo;               // per (product, group, week)
  std::vector<ProductWeekPiece> pieces;         // per (product, week)
  std::vector<WeekPiece> weeks;                 // per week
  std::vector<PromotedPiece> promoted;          // per promoted cell, in Sim::promoted_weeks order
  int32_t weeks_computed = 0, weeks_total = 0;  // by the last simulation
};

PromoMemo::PromoMemo() = default;
PromoMemo::~PromoMemo() = default;
PromoMemo::PromoMemo(PromoMemo&&) noexcept = default;
PromoMemo& PromoMemo::operator=(PromoMemo&&) noexcept = default;
int32_t PromoMemo::weeks_computed() const { return state_ ? state_->weeks_computed : 0; }
int32_t PromoMemo::weeks_total() const { return state_ ? state_->weeks_total : 0; }

namespace {

// ---- the uncertainty and depth-ranking summaries --------------------------------------------
// The Monte Carlo redraws every product's coefficients 100s of times per slider event, so it
// cannot revisit 50,000 (product, group, week) states per draw. A product's weeks reduce to:
//  * its promoted states (few: depth, feature, display, share), evaluated exactly;
//  * its other weeks, whose multiplier is (1 + g X) exp(p pre + d post): per (pre, post) combo
//    M_0 = sum_w B (1 + g X) and M_1 = sum_w B X, so that the sum under g' = g + delta is
//    M_0 + delta M_1, exactly while no week is held at the floor (pressure.h) under g or g'
//    (beyond, summed week by week).
//    The pressure X follows the promoted products' extra units: under drawn coefficients, or
//    with every promotion at one depth (the ranking), every X is scaled by kappa = the plan's
//    promoted extra units then / at the point (exact when the promoted products' extra units move
//    in proportion; the moments then serve with g' = g_drawn kappa).

// A group of weeks of one product with the same multiplier, weighted by their B.
struct StateWeight {
  CellState state;
  double sum_b = 0.0;     // sum over (group, week) of the group's sum of B
  double n_cells = 0.0;   // cells
  double sum_base = 0.0;  // baseline units
  double clamp = 0.0;     // units at the point estimate minus the unclamped m * sum_b - c * n
};

struct Combo {
  double moment[2] = {};  // M_0, M_1
  double n_cells = 0.0, sum_base = 0.0, clamp = 0.0, x_max = 0.0;
};

struct ProductSummary {
  std::vector<StateWeight> promoted;  // distinct promoted states
  Combo combo[4];                     // other weeks by (pre, post)
  bool ever_promoted = false;
};

// Adds one (product, group, week) to its product's summary: a promoted state by its B, another
// week by `term` = its B times 1 + g X, and (with `moments`) its B times X.
void summarize(const CellState& st, double sum_b, double term, double n, double sum_base,
               double clamp, bool moments, ProductSummary* ps) {
  const auto into = [&](std::vector<StateWeight>* list,
                        bool (*same)(const CellState&, const CellState&)) {
    for (auto it = list->rbegin(); it != list->rend() && it - list->rbegin() < 64; ++it) {
      if (same(it->state, st)) {
        it->sum_b += sum_b;
        it->n_cells += n;
        it->sum_base += sum_base;
        it->clamp += clamp;
        return;
      }
    }
    list->push_back(StateWeight{st, sum_b, n, sum_base, clamp});
  };
  if (st.promo >= 0) {
    ps->ever_promoted = true;
    into(&ps->promoted, same_state);
    return;
  }
  Combo& cb = ps->combo[(st.pre ? 1 : 0) + (st.post ? 2 : 0)];
  cb.moment[0] += term;
  if (moments && st.cross > 0.0) cb.moment[1] += sum_b * st.cross;
  cb.n_cells += n;
  cb.sum_base += sum_base;
  cb.clamp += clamp;
  cb.x_max = std::max(cb.x_max, st.cross);
}

struct Totals {
  double units = 0.0, revenue = 0.0, margin = 0.0;
};

// Adds `units` at `price` against the baseline to the totals (and to the product's promoted lift).
void account(double units, double sum_base, double price, double regular, double cost, Totals* t) {
  t->units += units - sum_base;
  t->revenue += units * price - sum_base * regular;
  t->margin += units * (price - cost) - sum_base * (regular - cost);
}

// Whether the summaries need M_1: for the draws and the depth ranking, not for the point figures.
bool need_moments(const PromoPlan& plan) {
  return plan.draws > 0 || !plan.alternative_depths.empty();
}

// Incremental units, revenue and margin of the plan's promoted states under drawn coefficients
// (depth < 0) or under `coefs` with every promotion at one depth (depth >= 0); `lift` receives
// each product's promoted extra units.
Totals evaluate_promoted(const Sim& sim, const std::vector<ProductSummary>& summary,
                         const std::vector<Coefs>& coefs, double depth, std::vector<double>* lift) {
  Totals t;
  const PromoSimulator::Prepared& pre = *sim.pre;
  const bool alt = depth >= 0.0;
  DepthOverride o;
  if (alt)
    o = DepthOverride{depth, detail::log_portable(1.0 - depth),
                      std::max(0.0, depth - pre.model.depth_threshold)};
  lift->assign(static_cast<size_t>(sim.n_products), 0.0);
  for (int32_t p = 0; p < sim.n_products; ++p) {
    const ProductSummary& ps = summary[static_cast<size_t>(p)];
    const Coefs& cf = coefs[static_cast<size_t>(p)];
    const double reg = std::max(0.0, pre.regular[static_cast<size_t>(p)]);
    const double cost = pre.cost[static_cast<size_t>(p)];
    for (const StateWeight& sw : ps.promoted) {
      const double m = multiplier_only(sw.state, cf, o);
      const double units =
          std::max(0.0, m * sw.sum_b - sim.c * sw.n_cells + (alt ? 0.0 : sw.clamp));
      const double price = alt ? reg * (1.0 - depth) : sw.state.price;
      (*lift)[static_cast<size_t>(p)] += units - sw.sum_base;
      account(units, sw.sum_base, price, reg, cost, &t);
    }
  }
  return t;
}

// Incremental units, revenue and margin of the whole plan (evaluate_promoted's arguments), with
// the other weeks' pressure scaled by the promoted extra units against `point_extra`, theirs at
// the point coefficients; halo through affinity follows the promoted products' lift.
Totals evaluate(const Sim& sim, const std::vector<ProductSummary>& summary,
                const std::vector<Coefs>& coefs, double depth, double point_extra,
                const std::vector<std::pair<std::pair<int32_t, int32_t>, double>>& halo_pairs,
                std::vector<double>* lift) {
  const PromoSimulator::Prepared& pre = *sim.pre;
  Totals t = evaluate_promoted(sim, summary, coefs, depth, lift);
  double extra = 0.0;
  for (double l : *lift) extra += l;
  const double kappa = std::fabs(point_extra) > 1e-9 ? extra / point_extra : 1.0;
  for (int32_t p = 0; p < sim.n_products; ++p) {
    const ProductSummary& ps = summary[static_cast<size_t>(p)];
    const Coefs& cf = coefs[static_cast<size_t>(p)];
    const double reg = std::max(0.0, pre.regular[static_cast<size_t>(p)]);
    const double cost = pre.cost[static_cast<size_t>(p)];
    const Coefs& point = pre.coefs[static_cast<size_t>(p)];
    const double g = cf.b[kCrossTerm] * kappa;
    const double delta = g - point.b[kCrossTerm];
    const double e_pre = ps.ever_promoted ? detail::exp_portable(cf.b[kPreTerm]) : 1.0;
    const double e_post = ps.ever_promoted ? detail::exp_portable(cf.b[kPostTerm]) : 1.0;
    for (int k = 0; k < 4; ++k) {
      const Combo& cb = ps.combo[k];
      if (cb.n_cells == 0.0) continue;
      double sum = 0.0;
      // No week at the floor under the point's g or under g: the moments are exact.
      const auto above_floor = [&](double gg) {
        return 1.0 + gg * cb.x_max >= detail::kPressureFloor;
      };
      if (delta == 0.0) {
        sum = cb.moment[0];
      } else if (above_floor(point.b[kCrossTerm]) && above_floor(g)) {
        sum = cb.moment[0] + delta * cb.moment[1];
      } else {
        // Week by week, over the product's weeks of this combo.
        for (int32_t gr = 0; gr < sim.n_groups; ++gr) {
          const double sum_b = sim.sum_b[sim.pg(p, gr)];
          if (sum_b == 0.0) continue;
          for (int32_t w = 0; w < sim.n_weeks; ++w) {
            const CellState st = sim.state(p, gr, w);
            if (st.promo >= 0 || (st.pre ? 1 : 0) + (st.post ? 2 : 0) != k) continue;
            sum += sum_b * detail::pressure_factor(g, st.cross);
          }
        }
      }
      const double lag = ((k & 1) ? e_pre : 1.0) * ((k & 2) ? e_post : 1.0);
      const double units = std::max(0.0, sum * lag - sim.c * cb.n_cells + cb.clamp);
      account(units, cb.sum_base, reg, reg, cost, &t);
    }
  }
  for (const auto& hp : halo_pairs) {
    const double h = hp.second * std::max(0.0, (*lift)[static_cast<size_t>(hp.first.first)]);
    const size_t j = static_cast<size_t>(hp.first.second);
    const double reg = std::max(0.0, pre.regular[j]);
    t.units += h;
    t.revenue += h * reg;
    t.margin += h * (reg - pre.cost[j]);
  }
  return t;
}

std::string depth_label(const PlannedPromotion& pr, double depth) {
  switch (pr.mechanic) {
    case PromoMechanic::kPercentOff:
      return "the " + detail::format_percent(depth, false) + " discount";
    case PromoMechanic::kPricePoint:
      return "the " + detail::format_number(pr.price_point) + " price point";
    case PromoMechanic::kMultiBuy:
      return "the " + std::to_string(pr.buy) + "-for-" + std::to_string(pr.pay) + " offer";
    case PromoMechanic::kBogo:
      return "buy-one-get-one";
  }
  return "the discount";
}

}  // namespace

Result<PromoSimulator> PromoSimulator::create(const PromoModel& model, const PromoPlan& context) {
  auto pre = std::make_shared<Prepared>();
  pre->model = model;
  pre->c = model.log_offset;
  if (!(std::isfinite(pre->c) && pre->c >= 0.0))
    return invalid_argument("model.log_offset must be >= 0", "model.log_offset");
  for (const PromoProductModel& p : model.products) {
    if (!pre->product_index.emplace(p.product, static_cast<int32_t>(pre->product_ids.size()))
             .second)
      return invalid_argument("model: product " + std::to_string(p.product) + " appears twice",
                              "model.products");
    pre->product_ids.push_back(p.product);
    pre->coefs.push_back(point_coefs(p));
    pre->sigma.push_back(p.sigma);
  }
  pre->n_products = static_cast<int32_t>(pre->product_ids.size());
  for (const PromoLevel& l : model.levels) pre->store_index.emplace(l.store, 0);
  for (auto& kv : pre->store_index) {
    kv.second = static_cast<int32_t>(pre->store_ids.size());
    pre->store_ids.push_back(kv.first);
  }
  pre->n_stores = static_cast<int32_t>(pre->store_ids.size());
  const size_t n_ps = static_cast<size_t>(pre->n_products) * static_cast<size_t>(pre->n_stores);
  pre->big_b.assign(n_ps, -1.0);
  for (size_t i = 0; i < model.levels.size(); ++i) {
    const PromoLevel& l = model.levels[i];
    const auto p = pre->product_index.find(l.product);
    if (p == pre->product_index.end() || !std::isfinite(l.log_level))
      return invalid_argument(
          "model.levels[" + std::to_string(i) + "]: a finite level of a product of the model",
          "model.levels[" + std::to_string(i) + "]");
    const double sg = pre->sigma[static_cast<size_t>(p->second)];
    pre->big_b[pre->ps(p->second, pre->store_index.at(l.store))] =
        detail::exp_portable(std::min(l.log_level + 0.5 * sg * sg, 700.0));
  }

  pre->stores_by_b.resize(static_cast<size_t>(pre->n_products));
  for (int32_t p = 0; p < pre->n_products; ++p) {
    std::vector<int32_t>& order = pre->stores_by_b[static_cast<size_t>(p)];
    for (int32_t s = 0; s < pre->n_stores; ++s)
      if (pre->big_b[pre->ps(p, s)] >= 0.0) order.push_back(s);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      const double ba = pre->big_b[pre->ps(p, a)], bb = pre->big_b[pre->ps(p, b)];
      return ba > bb || (ba == bb && a < b);
    });
  }

  // Prices and names.
  pre->regular.assign(static_cast<size_t>(pre->n_products), -1.0);
  pre->cost.assign(static_cast<size_t>(pre->n_products), 0.0);
  pre->names.resize(static_cast<size_t>(pre->n_products));
  for (int32_t p = 0; p < pre->n_products; ++p)
    pre->names[static_cast<size_t>(p)] =
        "product " + std::to_string(pre->product_ids[static_cast<size_t>(p)]);
  // The model's own price table first (when it was fitted with prices), the plan's on top.
  for (const PromoProductPrice& mp : model.prices) {
    const auto it = pre->product_index.find(mp.product);
    if (it == pre->product_index.end() || !(mp.regular_price > 0.0) || !(mp.unit_cost >= 0.0))
      continue;
    pre->regular[static_cast<size_t>(it->second)] = mp.regular_price;
    pre->cost[static_cast<size_t>(it->second)] = mp.unit_cost;
  }
  for (size_t i = 0; i < context.products.size(); ++i) {
    const PlanProduct& pp = context.products[i];
    const std::string where = "plan.products[" + std::to_string(i) + "]";
    const auto it = pre->product_index.find(pp.product);
    if (it == pre->product_index.end())
      return invalid_argument(where + ".product: product " + std::to_string(pp.product) +
                                  " is not in the model of " + model.category,
                              where + ".product");
    if (!(std::isfinite(pp.regular_price) && pp.regular_price > 0.0))
      return invalid_argument(where + ".regular_price must be > 0", where + ".regular_price");
    if (!(std::isfinite(pp.unit_cost) && pp.unit_cost >= 0.0))
      return invalid_argument(where + ".unit_cost must be >= 0", where + ".unit_cost");
    const size_t p = static_cast<size_t>(it->second);
    pre->regular[p] = pp.regular_price;
    pre->cost[p] = pp.unit_cost;
    if (!pp.name.empty()) pre->names[p] = pp.name;
  }

  // Stock positions (of stores outside the model: ignored, they sell nothing of the category).
  pre->stock = context.stock;
  pre->stock_of.assign(n_ps, -1);
  for (size_t i = 0; i < context.stock.size(); ++i) {
    const PlanStock& ps = context.stock[i];
    const std::string where = "plan.stock[" + std::to_string(i) + "]";
    const auto p = pre->product_index.find(ps.product);
    if (p == pre->product_index.end())
      return invalid_argument(
          where + ".product: product " + std::to_string(ps.product) + " is not in the model",
          where + ".product");
    if (!(std::isfinite(ps.on_hand) && ps.on_hand >= 0.0))
      return invalid_argument(where + ".on_hand must be >= 0", where + ".on_hand");
    if (!(std::isfinite(ps.on_order) && ps.on_order >= 0.0))
      return invalid_argument(where + ".on_order must be >= 0", where + ".on_order");
    if (ps.lead_time_weeks < 0)
      return invalid_argument(where + ".lead_time_weeks must be >= 0", where + ".lead_time_weeks");
    const auto s = pre->store_index.find(ps.store);
    if (s == pre->store_index.end()) continue;
    pre->stock_of[pre->ps(p->second, s->second)] = static_cast<int32_t>(i);
  }

  // Clusters must name stores of the model.
  for (const auto& kv : context.clusters) {
    for (int32_t store : kv.second)
      if (!pre->store_index.count(store))
        return invalid_argument("plan.clusters." + kv.first + ": store " + std::to_string(store) +
                                    " is not in the model of " + model.category,
                                "plan.clusters." + kv.first);
  }
  pre->clusters = context.clusters;

  // Affinity: the share of a promoted product's extra units its partner gains.
  pre->halo_in.resize(static_cast<size_t>(pre->n_products));
  for (size_t i = 0; i < context.affinity.size(); ++i) {
    const PlanAffinity& a = context.affinity[i];
    const std::string where = "plan.affinity[" + std::to_string(i) + "]";
    const auto from = pre->product_index.find(a.from);
    const auto to = pre->product_index.find(a.to);
    if (from == pre->product_index.end() || to == pre->product_index.end() || a.from == a.to)
      return invalid_argument(where + ": from and to must be two different products of the model",
                              where);
    if (!(a.confidence >= 0.0 && a.confidence <= 1.0))
      return invalid_argument(where + ".confidence must be in [0, 1]", where + ".confidence");
    if (!(std::isfinite(a.lift) && a.lift > 0.0))
      return invalid_argument(where + ".lift must be > 0", where + ".lift");
    const double h = a.confidence * std::max(0.0, 1.0 - 1.0 / a.lift);
    if (h <= 0.0) continue;
    pre->halo_pairs.push_back({{from->second, to->second}, h});
    pre->halo_in[static_cast<size_t>(to->second)].push_back({from->second, h});
  }
  return PromoSimulator(std::move(pre));
}

const std::string& PromoSimulator::model_version() const { return prepared_->model.model_version; }

Result<PromoSimulation> simulate_promo(const PromoModel& model, const PromoPlan& plan) {
  Result<PromoSimulator> simulator = PromoSimulator::create(model, plan);
  if (!simulator.is_ok()) return simulator.status();
  return simulator->simulate(plan);
}

Result<PromoSimulation> PromoSimulator::simulate(const PromoPlan& plan) const {
  PromoMemo fresh;
  return simulate(plan, &fresh);
}

Result<PromoSimulation> PromoSimulator::simulate(const PromoPlan& plan, PromoMemo* memo) const {
  const Prepared& pre = *prepared_;
  const PromoModel& model = pre.model;
  const auto& halo_pairs = pre.halo_pairs;
  const auto& halo_in = pre.halo_in;
  if (!memo->state_) memo->state_ = std::make_unique<PromoMemo::State>();
  PromoMemo::State& kept = *memo->state_;
  // What the memo may give: the checked products and stores and the layout while the promotions
  // cover the same cells; the sums of unchanged weeks when the previous answer summed them the
  // same way and this one needs no visit of every cell (summaries, cell table).
  const bool reuse_layout =
      kept.valid && kept.pre.get() == &pre && same_layout(kept.promotions, plan.promotions);
  CheckedPlan& checked = kept.checked;
  const Status valid_plan = check_plan(pre, plan, reuse_layout, &checked);
  // (a plan refused with known cells changed only depths, which the next one checks afresh)
  if (!valid_plan.is_ok()) {
    if (!reuse_layout) kept.valid = false;
    return valid_plan;
  }
  kept.valid = false;  // until this simulation has filled it
  const bool per_week = plan.detail != PromoDetail::kTotals;
  const bool want_cells = plan.detail == PromoDetail::kCells;
  // The product summaries serve only the Monte Carlo and the depth ranking.
  const bool need_summary = plan.draws > 0 || !plan.alternative_depths.empty();
  // A totals answer sums its plain cells (PlainSums; a product without a price keeps the cell by
  // cell path, which notices the missing price).
  const bool sum_plain = !per_week && !want_cells;
  const bool reuse_weeks =
      reuse_layout && kept.plain_sums == sum_plain && !need_summary && !want_cells;
  if (!reuse_layout) {
    kept.pre = prepared_;
    SHELFCAST_RETURN_IF_ERROR(lay_out(pre, plan, checked, &kept.sim));
  }
  Sim& sim = kept.sim;
  std::vector<std::vector<CellState>> old_state;
  if (reuse_weeks) old_state.swap(sim.promo_state);
  set_terms(pre, plan, checked, &sim);
  const int32_t P = sim.n_products, G = sim.n_groups, W = sim.n_weeks;
  const double c = sim.c;
  const size_t n_pw = static_cast<size_t>(P) * static_cast<size_t>(W);
  if (!reuse_layout) {
    kept.mult.assign(sim.n_states(), 1.0);
    kept.halo.assign(sim.n_states(), 0.0);
    kept.pieces.assign(n_pw, ProductWeekPiece());
    kept.weeks.assign(static_cast<size_t>(W), WeekPiece());
    kept.promoted.assign(sim.promoted_weeks.size(), PromotedPiece());
  }
  // The weeks to compute: all of them, or the weeks of the promotions whose terms changed (a week's
  // cells, halo and sums depend on nothing else: its pressure X is set_terms' sum over the states
  // of the promotions running in it).
  std::vector<char> dirty(static_cast<size_t>(W), reuse_weeks ? 0 : 1);
  if (reuse_weeks) {
    for (size_t k = 0; k < plan.promotions.size(); ++k) {
      const std::vector<CellState>& now = sim.promo_state[k];
      bool same = now.size() == old_state[k].size();
      for (size_t j = 0; same && j < now.size(); ++j) same = same_state(now[j], old_state[k][j]);
      if (same) continue;
      for (int32_t week = plan.promotions[k].start_week; week <= plan.promotions[k].end_week;
           ++week)
        dirty[static_cast<size_t>(week - sim.first_week)] = 1;
    }
  }
  std::vector<int32_t> dirty_weeks;
  for (int32_t w = 0; w < W; ++w)
    if (dirty[static_cast<size_t>(w)]) dirty_weeks.push_back(w);
  for (int32_t w : dirty_weeks) {
    WeekPiece& wk = kept.weeks[static_cast<size_t>(w)];
    wk.cells = PromoFigures();
    wk.plain = PlainSums();
    wk.pull = Sum();
    wk.dip = Sum();
    wk.missing_price = false;
    wk.figures.clear();
    for (int32_t p = 0; p < P; ++p) {
      kept.pieces[static_cast<size_t>(p) * static_cast<size_t>(W) + static_cast<size_t>(w)] =
          ProductWeekPiece();
      for (int32_t g = 0; g < G; ++g) kept.halo[sim.pgw(p, g, w)] = 0.0;
    }
  }

  PromoSimulation out;
  out.model_version = model.model_version + "+promo-sim-5";
  out.first_week = sim.first_week;
  out.last_week = sim.first_week + W - 1;
  out.n_products = P;
  out.n_stores = static_cast<int32_t>(sim.covered.size());

  // ---- halo, then one pass over (product, group, week): multiplier, units, parts, figures ----
  const std::vector<int32_t>& promoted_start = sim.promoted_start;
  const std::vector<int32_t>& promoted_weeks = sim.promoted_weeks;
  std::vector<double>& mult = kept.mult;  // m
  // Parts are kept only for the cell table (which splits them over the stores).
  std::vector<Parts> parts(want_cells ? sim.n_states() : 0);
  std::vector<double> units(want_cells ? sim.n_states() : 0);  // over the group's stores
  std::vector<double>& halo = kept.halo;
  // Halo: each partner j of a promoted i gains h x i's extra units in the stores where j sells
  // (only i's promoted weeks give any; its multiplier there is the point pass's).
  for (int32_t j = 0; j < P; ++j) {
    for (const auto& in : halo_in[static_cast<size_t>(j)]) {
      const int32_t i = in.first;
      const Coefs& cf = pre.coefs[static_cast<size_t>(i)];
      for (int32_t g = 0; g < G; ++g) {
        const size_t ipg = sim.pg(i, g);
        for (int32_t q = promoted_start[ipg]; q < promoted_start[ipg + 1]; ++q) {
          const int32_t w = promoted_weeks[static_cast<size_t>(q)];
          if (!dirty[static_cast<size_t>(w)]) continue;
          const double m = multiplier(sim.state(i, g, w), cf).m;
          double gain = 0.0;
          for (int32_t s : sim.groups[static_cast<size_t>(g)]) {
            const double bi = pre.big_b[sim.ps(i, s)];
            if (bi < 0.0 || pre.big_b[sim.ps(j, s)] < 0.0) continue;
            gain += std::max(0.0, std::max(0.0, bi * m - c) - std::max(0.0, bi - c));
          }
          halo[sim.pgw(j, g, w)] += in.second * gain;
        }
      }
    }
  }

  std::vector<ProductSummary> summary(need_summary ? static_cast<size_t>(P) : 0);
  const bool moments = need_moments(plan);
  // A group's B, largest first, and their running sums (built when a week clamps a store).
  std::vector<double> top_b, top_sum;

  out.weeks.resize(static_cast<size_t>(W));
  for (int32_t w = 0; w < W; ++w) out.weeks[static_cast<size_t>(w)].week = sim.first_week + w;
  for (int32_t p = 0; p < P; ++p) {
    const Coefs& cf = pre.coefs[static_cast<size_t>(p)];
    const double reg = std::max(0.0, pre.regular[static_cast<size_t>(p)]);
    const double cost = pre.cost[static_cast<size_t>(p)];
    const bool plain_sums = sum_plain && pre.regular[static_cast<size_t>(p)] >= 0.0;
    ProductWeekPiece* row = &kept.pieces[static_cast<size_t>(p) * static_cast<size_t>(W)];
    for (int32_t g = 0; g < G; ++g) {
      const size_t ipg = sim.pg(p, g);
      const double sum_b = sim.sum_b[ipg], n = sim.n_cells[ipg];
      if (n == 0.0) continue;
      const double sum_base = sim.sum_base[ipg];
      bool have_top = false;
      // The group's units at multiplier m: sum over its stores of max(0, B m - c).
      const auto group_units = [&](double m) {
        if (sim.min_b[ipg] * m >= c) return m * sum_b - c * n;
        // The stores with B m > c are the largest Bs (m > 0), so the sum is m times a prefix sum
        // of B less c per store.
        if (!have_top) {
          top_b.clear();
          top_sum.assign(1, 0.0);
          for (int32_t s : pre.stores_by_b[static_cast<size_t>(p)]) {
            if (sim.store_group[static_cast<size_t>(s)] != g) continue;
            const double b = pre.big_b[sim.ps(p, s)];
            top_b.push_back(b);
            top_sum.push_back(top_sum.back() + b);
          }
          have_top = true;
        }
        const size_t k =
            static_cast<size_t>(std::partition_point(top_b.begin(), top_b.end(),
                                                     [&](double b) { return b * m - c > 0.0; }) -
                                top_b.begin());
        return std::max(0.0, m * top_sum[k] - c * static_cast<double>(k));
      };
      const double gp = cf.b[kCrossTerm];
      const double* x = &sim.cross[static_cast<size_t>(g) * static_cast<size_t>(W)];
      const double base_regular = sum_base * reg, base_cost = sum_base * cost;
      // A product without a promotion in the group has no neighbouring one either.
      const bool row_unpromoted = promoted_start[ipg] == promoted_start[ipg + 1];
      const bool row_halo = !halo_in[static_cast<size_t>(p)].empty();
      int32_t q = promoted_start[ipg];  // the next promoted cell's place in promoted_weeks
      for (int32_t w : dirty_weeks) {
        const size_t i = sim.pgw(p, g, w);
        ProductWeekPiece& piece = row[w];
        WeekPiece& wk = kept.weeks[static_cast<size_t>(w)];
        // Most cells are plain: not promoted, not next to a promotion; their only term is the
        // pressure, and all of their change is cannibalization. Only the others need their full
        // state.
        const bool plain =
            row_unpromoted || (!sim.promoted(i) && !sim.pre_week(i, w) && !sim.post_week(i, w));
        if (plain_sums && plain && (!row_halo || halo[i] == 0.0)) {
          // A plain cell of a totals answer: its multiplier, units, summary and the plain sums
          // (no cell state unless a summary needs one, no term split).
          const double m = detail::pressure_factor(gp, x[w]);
          mult[i] = m;
          const double u = group_units(m);
          if (need_summary) {
            CellState st;
            st.cross = x[w];
            st.price = reg;
            summarize(st, sum_b, sum_b * m, n, sum_base, u - (m * sum_b - c * n), moments,
                      &summary[static_cast<size_t>(p)]);
          }
          PlainSums& ws = wk.plain;
          ws.units += u;
          ws.units_regular += u * reg;
          ws.units_cost += u * cost;
          ws.base += sum_base;
          ws.base_regular += base_regular;
          ws.base_cost += base_cost;
          piece.plain_units += u;
          piece.plain_base += sum_base;
          continue;
        }
        CellState st;
        if (plain) {
          st.cross = x[w];
          st.price = reg;
        } else {
          st = sim.state(p, g, w);
        }
        Multiplier mu;
        if (plain)
          mu.m = detail::pressure_factor(gp, st.cross);
        else
          mu = multiplier(st, cf);
        mult[i] = mu.m;
        const double u = group_units(mu.m);
        // Parts: B * phi * term, scaled to the clamped total; the rounding rest to the largest.
        const double actual = u - sum_base;
        Parts pt;
        if (plain) {
          pt.term[kCrossTerm] = actual;
        } else {
          const double unclamped = sum_b * (mu.m - 1.0);
          const double ratio = std::fabs(unclamped) > 1e-9 ? actual / unclamped : 1.0;
          double total = 0.0;
          for (int k = 0; k < kTerms; ++k) {
            pt.term[k] = sum_b * mu.phi * mu.term[k] * ratio;
            total += pt.term[k];
          }
          if (actual != total) {
            int largest = 0;
            for (int k = 1; k < kTerms; ++k)
              if (std::fabs(pt.term[k]) > std::fabs(pt.term[largest])) largest = k;
            pt.term[largest] += actual - total;
          }
        }
        if (want_cells) {
          parts[i] = pt;
          units[i] = u;
        }
        if (need_summary) {
          const double term =
              st.promo >= 0
                  ? 0.0
                  : sum_b * (st.pre || st.post ? detail::pressure_factor(gp, st.cross) : mu.m);
          summarize(st, sum_b, term, n, sum_base, u - (mu.m * sum_b - c * n), moments,
                    &summary[static_cast<size_t>(p)]);
        }

        // Figures of the (product, group, week) into its week and product-week; the drivers'
        // parts into the product-week, the week and the promoted cell.
        PromoFigures f;
        f.baseline = sum_base;
        f.lift = pt.term[kPriceTerm] + pt.term[kDepthTerm] + pt.term[kHingeTerm] +
                 pt.term[kFeatureTerm] + pt.term[kDisplayTerm];
        f.cannibalized = -pt.term[kCrossTerm];
        f.pull_forward = -pt.term[kPreTerm];
        f.dip = -pt.term[kPostTerm];
        f.halo = halo[i];
        f.units = u + halo[i];
        f.incremental = f.units - f.baseline;
        const double unit_margin = st.price - cost;
        f.revenue = f.units * st.price;
        f.baseline_revenue = f.baseline * reg;
        f.margin = f.units * unit_margin;
        f.baseline_margin = f.baseline * (reg - cost);
        f.incremental_margin = f.margin - f.baseline_margin;
        if (pre.regular[static_cast<size_t>(p)] < 0.0 && std::fabs(f.incremental) > 1e-9)
          wk.missing_price = true;
        add(&wk.cells, f);
        if (piece.figures < 0) {
          piece.figures = static_cast<int32_t>(wk.figures.size());
          wk.figures.push_back(f);
        } else {
          add(&wk.figures[static_cast<size_t>(piece.figures)], f);
        }
        if (st.promo >= 0) {
          piece.promoted_stores += static_cast<int32_t>(sim.groups[static_cast<size_t>(g)].size());
          while (promoted_weeks[static_cast<size_t>(q)] != w) ++q;
          PromotedPiece& pp = kept.promoted[static_cast<size_t>(q)];
          pp = PromotedPiece();
          pp.sum[kDiscount].add(pt.term[kPriceTerm] + pt.term[kDepthTerm] + pt.term[kHingeTerm],
                                unit_margin);
          pp.sum[kFeature].add(pt.term[kFeatureTerm], unit_margin);
          pp.sum[kDisplay].add(pt.term[kDisplayTerm], unit_margin);
          pp.sum[kGiven].margin = -(f.baseline * (reg - st.price));
        }
        piece.cannib.add(pt.term[kCrossTerm], unit_margin);
        wk.pull.add(pt.term[kPreTerm], unit_margin);
        wk.dip.add(pt.term[kPostTerm], unit_margin);
        piece.halo.add(halo[i], unit_margin);
      }
    }
  }

  // ---- the sums, week by week in order (a memo's kept weeks and the new ones alike) -----------
  // Driver sums (units, margin): per promotion discount / feature / display / discount given on
  // baseline units; per product cannibalization and halo; pull-forward and dip overall.
  std::vector<Sum> promo_sum(plan.promotions.size() * kPromoDrivers);
  std::vector<Sum> cannib_sum(static_cast<size_t>(P)), halo_sum(static_cast<size_t>(P));
  Sum pull_sum, dip_sum;
  std::vector<PromoFigures> product_figs(static_cast<size_t>(P));
  std::vector<bool> product_promoted(static_cast<size_t>(P), false);
  bool missing_price = false;
  for (int32_t w = 0; w < W; ++w) {
    const WeekPiece& wk = kept.weeks[static_cast<size_t>(w)];
    PromoFigures& f = out.weeks[static_cast<size_t>(w)].figures;
    f = wk.cells;
    if (sum_plain) add(&f, plain_figures(wk.plain));
    pull_sum.units += wk.pull.units;
    pull_sum.margin += wk.pull.margin;
    dip_sum.units += wk.dip.units;
    dip_sum.margin += wk.dip.margin;
    missing_price = missing_price || wk.missing_price;
  }
  for (int32_t p = 0; p < P; ++p) {
    const ProductWeekPiece* row = &kept.pieces[static_cast<size_t>(p) * static_cast<size_t>(W)];
    PromoFigures& pf = product_figs[static_cast<size_t>(p)];
    Sum& cs = cannib_sum[static_cast<size_t>(p)];
    Sum& hs = halo_sum[static_cast<size_t>(p)];
    double plain_units = 0.0, plain_base = 0.0;
    for (int32_t w = 0; w < W; ++w) {
      const ProductWeekPiece& piece = row[w];
      if (piece.figures >= 0)
        add(&pf, kept.weeks[static_cast<size_t>(w)].figures[static_cast<size_t>(piece.figures)]);
      plain_units += piece.plain_units;
      plain_base += piece.plain_base;
      cs.units += piece.cannib.units;
      cs.margin += piece.cannib.margin;
      hs.units += piece.halo.units;
      hs.margin += piece.halo.margin;
    }
    if (sum_plain && pre.regular[static_cast<size_t>(p)] >= 0.0) {
      const double reg = pre.regular[static_cast<size_t>(p)];
      const double cost = pre.cost[static_cast<size_t>(p)];
      add(&pf, plain_figures(PlainSums{plain_units, plain_units * reg, plain_units * cost,
                                       plain_base, plain_base * reg, plain_base * cost}));
      cs.add(plain_units - plain_base, reg - cost);
    }
    for (int32_t g = 0; g < G; ++g) {
      const size_t ipg = sim.pg(p, g);
      if (sim.n_cells[ipg] == 0.0) continue;
      for (int32_t q = promoted_start[ipg]; q < promoted_start[ipg + 1]; ++q) {
        product_promoted[static_cast<size_t>(p)] = true;
        const int32_t k = sim.promo_of[sim.pgw(p, g, promoted_weeks[static_cast<size_t>(q)])];
        const PromotedPiece& pp = kept.promoted[static_cast<size_t>(q)];
        Sum* ds = &promo_sum[static_cast<size_t>(k) * kPromoDrivers];
        for (int d = 0; d < kPromoDrivers; ++d) {
          ds[d].units += pp.sum[d].units;
          ds[d].margin += pp.sum[d].margin;
        }
      }
    }
  }
  for (int32_t p = 0; p < P; ++p) add(&out.totals, product_figs[static_cast<size_t>(p)]);
  kept.promotions = plan.promotions;
  kept.plain_sums = sum_plain;
  kept.weeks_computed = static_cast<int32_t>(dirty_weeks.size());
  kept.weeks_total = W;
  kept.valid = true;

  // ---- the products listed: every product the plan moves, or with totals only the twenty most
  // affected (by index: the summaries are large, and a category has a thousand products) -------
  std::vector<int32_t> listed;
  for (int32_t p = 0; p < P; ++p) {
    const PromoFigures& pf = product_figs[static_cast<size_t>(p)];
    if (product_promoted[static_cast<size_t>(p)] || std::fabs(pf.incremental) >= 1e-9 ||
        std::fabs(pf.cannibalized) >= 1e-9)
      listed.push_back(p);
  }
  if (plan.detail == PromoDetail::kTotals) {
    // The twenty largest, ties by index (as a stable sort of the whole list would order them).
    const size_t top = std::min<size_t>(listed.size(), 20);
    std::partial_sort(
        listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(top), listed.end(),
        [&](int32_t a, int32_t b) {
          const double fa = std::fabs(product_figs[static_cast<size_t>(a)].incremental);
          const double fb = std::fabs(product_figs[static_cast<size_t>(b)].incremental);
          return fa != fb ? fa > fb : a < b;
        });
    listed.resize(top);
  }

  // ---- stock: cover and stockout risk per cell, the cell table when asked ----------------------
  // The stock of a product neither promoted nor listed shows nowhere in a totals-only answer
  // without draws (the slider's): its pairs are skipped (with draws their variance is the
  // Monte Carlo's demand noise).
  std::vector<bool> stock_needed(static_cast<size_t>(P), true);
  if (!per_week && plan.draws == 0) {
    stock_needed.assign(static_cast<size_t>(P), false);
    for (int32_t p = 0; p < P; ++p)
      stock_needed[static_cast<size_t>(p)] = product_promoted[static_cast<size_t>(p)];
    for (int32_t p : listed) stock_needed[static_cast<size_t>(p)] = true;
  }
  const NormalTail& tail = pre.tail;
  // Per (group, week) of the product at hand: running sums of m and m^2 over the weeks, and per
  // group the smallest m, so a store's cumulative demand and variance up to any week are O(1)
  // when no cell is clamped. (Built product by product: a few KB that stay in the cache while
  // its stores are visited.)
  std::vector<double> cum_m(static_cast<size_t>(G) * static_cast<size_t>(W));
  std::vector<double> cum_m2(cum_m.size());
  std::vector<double> min_m(static_cast<size_t>(G));
  std::vector<double> pw_risk(per_week ? n_pw : 0, 0.0);
  std::vector<int32_t> risk_count(static_cast<size_t>(P), 0);
  std::vector<double> product_risk(static_cast<size_t>(P), -1.0);
  double total_var = 0.0;
  std::vector<double> halo_cell(static_cast<size_t>(W), 0.0);
  for (int32_t p = 0; p < P; ++p) {
    if (!stock_needed[static_cast<size_t>(p)]) continue;
    const double sg = pre.sigma[static_cast<size_t>(p)];
    const double spread = detail::exp_portable(sg * sg) - 1.0;
    const double reg = std::max(0.0, pre.regular[static_cast<size_t>(p)]);
    const double cost = pre.cost[static_cast<size_t>(p)];
    const bool has_halo = !halo_in[static_cast<size_t>(p)].empty();
    if (!per_week) {
      for (int32_t g = 0; g < G; ++g) {
        double a1 = 0.0, a2 = 0.0, lowest = HUGE_VAL;
        const double* m = &mult[sim.pgw(p, g, 0)];
        double* c1 = &cum_m[static_cast<size_t>(g) * static_cast<size_t>(W)];
        double* c2 = &cum_m2[static_cast<size_t>(g) * static_cast<size_t>(W)];
        for (int32_t w = 0; w < W; ++w) {
          a1 += m[w];
          a2 += m[w] * m[w];
          c1[w] = a1;
          c2[w] = a2;
          lowest = std::min(lowest, m[w]);
        }
        min_m[static_cast<size_t>(g)] = lowest;
      }
    }
    for (int32_t s : sim.covered) {
      const double b = pre.big_b[sim.ps(p, s)];
      if (b < 0.0) continue;
      const int32_t g = sim.store_group[static_cast<size_t>(s)];
      const int32_t k = pre.stock_of[sim.ps(p, s)];
      const PlanStock* stock = k >= 0 ? &pre.stock[static_cast<size_t>(k)] : nullptr;
      double pair_risk = -1.0;
      if (!per_week) {
        // Closed form: demand and variance up to week w from the running sums (units
        // max(0, B m - c) = B m - c + max(0, c - B m): the second part only where a week clamps),
        // plus the halo gained up to the week before the delivery and up to the last week
        // (summed over the partners' promoted weeks only: elsewhere a partner adds nothing).
        const size_t i0 = static_cast<size_t>(g) * static_cast<size_t>(W);  // in cum_m
        const int32_t before = stock ? stock->lead_time_weeks - 1 : -1;
        double extra_before = 0.0, extra_all = 0.0;
        if (b * min_m[static_cast<size_t>(g)] < c) {
          const double* m = &mult[sim.pgw(p, g, 0)];
          for (int32_t w = 0; w < W; ++w) {
            const double fill = std::max(0.0, c - b * m[w]);
            extra_all += fill;
            if (w <= before) extra_before += fill;
          }
        }
        if (has_halo) {
          for (const auto& in : halo_in[static_cast<size_t>(p)]) {
            const double bi = pre.big_b[sim.ps(in.first, s)];
            if (bi < 0.0) continue;
            const size_t ipg = sim.pg(in.first, g);
            for (int32_t q = promoted_start[ipg]; q < promoted_start[ipg + 1]; ++q) {
              const int32_t w = promoted_weeks[static_cast<size_t>(q)];
              const size_t ii = sim.pgw(in.first, g, w);
              const double gain = in.second * std::max(0.0, std::max(0.0, bi * mult[ii] - c) -
                                                                std::max(0.0, bi - c));
              extra_all += gain;
              if (w <= before) extra_before += gain;
            }
          }
        }
        const double b2_spread = b * b * spread;
        const size_t last = i0 + static_cast<size_t>(W - 1);
        const double cum_last = b * cum_m[last] - c * static_cast<double>(W) + extra_all;
        const double var_last = cum_last + b2_spread * cum_m2[last];
        total_var += var_last;
        if (stock) {
          // P(stockout by w) grows between deliveries: check the week before the delivery and
          // the last week.
          pair_risk = stockout_risk(
              tail, stock->on_hand + (W - 1 >= stock->lead_time_weeks ? stock->on_order : 0.0),
              cum_last, var_last);
          if (before >= 0 && before < W - 1) {
            const size_t ib = i0 + static_cast<size_t>(before);
            const double cum_b = b * cum_m[ib] - c * static_cast<double>(before + 1) + extra_before;
            const double var_b = cum_b + b2_spread * cum_m2[ib];
            // (before < lead_time_weeks: the order has not arrived)
            pair_risk = std::max(pair_risk, stockout_risk(tail, stock->on_hand, cum_b, var_b));
          }
        }
      } else {
        if (has_halo) {
          for (int32_t w = 0; w < W; ++w) {
            double h = 0.0;
            for (const auto& in : halo_in[static_cast<size_t>(p)]) {
              const size_t ii = sim.pgw(in.first, g, w);
              const double bi = pre.big_b[sim.ps(in.first, s)];
              if (!sim.promoted(ii) || bi < 0.0) continue;
              h += in.second *
                   std::max(0.0, std::max(0.0, bi * mult[ii] - c) - std::max(0.0, bi - c));
            }
            halo_cell[static_cast<size_t>(w)] = h;
          }
        }
        const double* m = &mult[sim.pgw(p, g, 0)];
        double cum = 0.0, var = 0.0;
        const double base = std::max(0.0, b - c);
        for (int32_t w = 0; w < W; ++w) {
          const double bm = b * m[w];
          const double h = has_halo ? halo_cell[static_cast<size_t>(w)] : 0.0;
          const double u = std::max(0.0, bm - c) + h;
          const double v = u + bm * bm * spread;
          total_var += v;
          double available = -1.0, cover = -1.0, risk = -1.0;
          if (stock) {
            available = stock->on_hand + (w >= stock->lead_time_weeks ? stock->on_order : 0.0);
            if (want_cells)
              cover = u > 0.0 ? std::min(kCoverCap, std::max(0.0, available - cum) / u) : kCoverCap;
            cum += u;
            var += v;
            // Without a per-week table only the week before the delivery and the last count.
            if (per_week || w == W - 1 || w == stock->lead_time_weeks - 1)
              risk = stockout_risk(tail, available, cum, var);
            if (per_week)
              pw_risk[static_cast<size_t>(p) * static_cast<size_t>(W) + static_cast<size_t>(w)] +=
                  risk;
            pair_risk = std::max(pair_risk, risk);
          }
          if (want_cells) {
            const size_t i = sim.pgw(p, g, w);
            const CellState st = sim.state(p, g, w);
            PromoCell cell;
            cell.product = pre.product_ids[static_cast<size_t>(p)];
            cell.store = pre.store_ids[static_cast<size_t>(s)];
            cell.week = sim.first_week + w;
            cell.promoted = st.promo >= 0;
            cell.net_price = st.price;
            PromoFigures& f = cell.figures;
            f.baseline = base;
            f.halo = h;
            f.units = u;
            // The cell's share of its group-week's parts.
            const double agg = units[i] - sim.sum_base[sim.pg(p, g)];
            const double scale = std::fabs(agg) > 1e-12 ? (u - h - base) / agg : 0.0;
            const Parts& pt = parts[i];
            f.lift = (pt.term[kPriceTerm] + pt.term[kDepthTerm] + pt.term[kHingeTerm] +
                      pt.term[kFeatureTerm] + pt.term[kDisplayTerm]) *
                     scale;
            f.cannibalized = -pt.term[kCrossTerm] * scale;
            f.pull_forward = -pt.term[kPreTerm] * scale;
            f.dip = -pt.term[kPostTerm] * scale;
            f.incremental = u - base;
            f.revenue = u * st.price;
            f.baseline_revenue = base * reg;
            f.margin = u * (st.price - cost);
            f.baseline_margin = base * (reg - cost);
            f.incremental_margin = f.margin - f.baseline_margin;
            cell.stock_available = available;
            cell.cover_weeks = cover;
            cell.stockout_probability = risk;
            out.cells.push_back(cell);
          }
        }
      }
      if (stock) {
        ++risk_count[static_cast<size_t>(p)];
        product_risk[static_cast<size_t>(p)] =
            std::max(product_risk[static_cast<size_t>(p)], pair_risk);
        if (product_promoted[static_cast<size_t>(p)]) {
          out.max_stockout_probability = std::max(out.max_stockout_probability, pair_risk);
          out.expected_stockouts += pair_risk;
        }
      }
    }
  }

  // ---- product-weeks and products ---------------------------------------------------------------
  if (plan.detail != PromoDetail::kTotals) {
    for (int32_t p = 0; p < P; ++p) {
      const PromoFigures& pf = product_figs[static_cast<size_t>(p)];
      if (!product_promoted[static_cast<size_t>(p)] && std::fabs(pf.incremental) < 1e-9 &&
          std::fabs(pf.cannibalized) < 1e-9)
        continue;
      for (int32_t w = 0; w < W; ++w) {
        const size_t i = static_cast<size_t>(p) * static_cast<size_t>(W) + static_cast<size_t>(w);
        PromoProductWeek row;
        row.product = pre.product_ids[static_cast<size_t>(p)];
        row.week = sim.first_week + w;
        const ProductWeekPiece& piece = kept.pieces[i];
        row.promoted_stores = piece.promoted_stores;
        if (piece.figures >= 0)
          row.figures =
              kept.weeks[static_cast<size_t>(w)].figures[static_cast<size_t>(piece.figures)];
        row.stockout_probability =
            risk_count[static_cast<size_t>(p)] > 0
                ? pw_risk[i] / static_cast<double>(risk_count[static_cast<size_t>(p)])
                : -1.0;
        out.product_weeks.push_back(row);
      }
    }
  }
  for (int32_t p : listed) {
    const PromoFigures& pf = product_figs[static_cast<size_t>(p)];
    const bool promoted = product_promoted[static_cast<size_t>(p)];
    PromoProductSummary ps;
    ps.product = pre.product_ids[static_cast<size_t>(p)];
    ps.name = pre.names[static_cast<size_t>(p)];
    ps.promoted = promoted;
    ps.low_confidence = model.products[static_cast<size_t>(p)].low_confidence;
    ps.figures = pf;
    ps.max_stockout_probability = product_risk[static_cast<size_t>(p)];
    out.products.push_back(ps);
  }
  for (int32_t p = 0; p < P; ++p) {
    if (!product_promoted[static_cast<size_t>(p)] ||
        !model.products[static_cast<size_t>(p)].low_confidence)
      continue;
    out.low_confidence = true;
    out.notes.push_back(pre.names[static_cast<size_t>(p)] +
                        ": low confidence, the model saw too few rows or too little price " +
                        "variation; its response rests on the category prior");
  }
  if (missing_price)
    out.notes.push_back(
        "products without a price in plan.products count for units but not for revenue or "
        "margin");

  // ---- drivers
  // ------------------------------------------------------------------------------------
  {
    // Promotions by driver kind first, then cannibalization by victim (largest three, the rest
    // together), halo by partner (likewise), pull-forward, dip, discount on baseline units.
    // Products' cannibalization and halo as (units, margin, product index): only the three
    // largest get a label, so the strings are built after sorting.
    struct ProductDriver {
      double units = 0.0, margin = 0.0;
      int32_t p = 0;
    };
    std::vector<ProductDriver> cannib, halo_d;
    const auto driver = [](const char* name, std::string label, int32_t product, const Sum& sum) {
      PromoDriver d;
      d.name = name;
      d.label = std::move(label);
      d.product = product;
      d.units = sum.units;
      d.margin = sum.margin;
      return d;
    };
    // The kNamedPromotions promotions that move the most units are named, kind by kind; the
    // others are summed per kind ("the discounts of 145 other promotions"), so a category plan
    // of many promotions reads (and travels) as a handful of drivers that still add up.
    const char* names[kPromoDrivers] = {"discount", "feature", "display", "discount_on_baseline"};
    std::vector<size_t> order(plan.promotions.size());
    std::vector<double> weight(plan.promotions.size(), 0.0);
    for (size_t k = 0; k < order.size(); ++k) {
      order[k] = k;
      for (int kind = 0; kind < kPromoDrivers; ++kind)
        weight[k] += std::fabs(promo_sum[k * kPromoDrivers + static_cast<size_t>(kind)].units);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return weight[x] > weight[y]; });
    std::vector<bool> named(order.size(), false);
    for (size_t r = 0; r < order.size() && r < kNamedPromotions; ++r) named[order[r]] = true;
    Sum folded[kPromoDrivers];
    int32_t n_folded[kPromoDrivers] = {};
    for (size_t k = 0; k < plan.promotions.size(); ++k) {
      if (!named[k]) {
        for (int kind = 0; kind < kPromoDrivers; ++kind) {
          const Sum& d = promo_sum[k * kPromoDrivers + static_cast<size_t>(kind)];
          if (d.units == 0.0 && d.margin == 0.0) continue;
          folded[kind].units += d.units;
          folded[kind].margin += d.margin;
          n_folded[kind] += 1;
        }
        continue;
      }
      const PlannedPromotion& pr = plan.promotions[k];
      const std::string of = pr.id.empty() ? "" : " (" + pr.id + ")";
      const Sum* ds = &promo_sum[k * kPromoDrivers];
      for (int kind = 0; kind < kPromoDrivers; ++kind) {
        if (ds[kind].units == 0.0 && ds[kind].margin == 0.0) continue;
        std::string label;
        switch (kind) {
          case kDiscount:
            label = depth_label(pr, checked.depths[k][0]) + of;
            break;
          case kFeature:
            label = "the leaflet feature" + of;
            break;
          case kDisplay:
            label = "the secondary display" + of;
            break;
          default:
            label = "the discount on units that would have sold anyway" + of;
            break;
        }
        out.drivers.push_back(driver(names[kind], std::move(label), -1, ds[kind]));
      }
    }
    {
      const char* labels[kPromoDrivers] = {"the discounts of", "the leaflet features of",
                                           "the secondary displays of",
                                           "the discount on units that would have sold anyway in"};
      for (int kind = 0; kind < kPromoDrivers; ++kind) {
        if (n_folded[kind] == 0) continue;
        const std::string label = std::string(labels[kind]) + " " + std::to_string(n_folded[kind]) +
                                  " other promotion" + (n_folded[kind] == 1 ? "" : "s");
        out.drivers.push_back(driver(names[kind], label, -1, folded[kind]));
      }
    }
    for (int32_t p = 0; p < P; ++p) {
      const Sum& cs = cannib_sum[static_cast<size_t>(p)];
      if (cs.units != 0.0) cannib.push_back(ProductDriver{cs.units, cs.margin, p});
      const Sum& hs = halo_sum[static_cast<size_t>(p)];
      if (hs.units != 0.0) halo_d.push_back(ProductDriver{hs.units, hs.margin, p});
    }
    if (pull_sum.units != 0.0)
      out.drivers.push_back(
          driver("pull_forward", "pulled forward from the week before", -1, pull_sum));
    if (dip_sum.units != 0.0)
      out.drivers.push_back(driver("dip", "in the post-promotion dip", -1, dip_sum));
    const auto top = [&](std::vector<ProductDriver>& v, const char* name, const char* rest) {
      // The three largest, ties by product order, so every platform picks the same three; the
      // others are summed in product order (a category has a thousand: no full sort).
      const size_t n_named = std::min<size_t>(3, v.size());
      std::vector<size_t> rank(v.size());
      for (size_t i = 0; i < rank.size(); ++i) rank[i] = i;
      std::partial_sort(rank.begin(), rank.begin() + static_cast<std::ptrdiff_t>(n_named),
                        rank.end(), [&v](size_t a, size_t b) {
                          const double ua = std::fabs(v[a].units), ub = std::fabs(v[b].units);
                          return ua != ub ? ua > ub : a < b;
                        });
      const bool is_halo = rest[0] == '\0';
      for (size_t r = 0; r < n_named; ++r) {
        const ProductDriver& pd = v[rank[r]];
        const std::string& product_name = pre.names[static_cast<size_t>(pd.p)];
        PromoDriver d;
        d.name = name;
        d.label = is_halo ? product_name + " bought alongside"
                          : (pd.units < 0 ? "taken from " : "gained by ") + product_name;
        d.product = pre.product_ids[static_cast<size_t>(pd.p)];
        d.units = pd.units;
        d.margin = pd.margin;
        out.drivers.push_back(std::move(d));
      }
      PromoDriver other;
      other.name = name;
      int32_t n_other = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        if (std::find(rank.begin(), rank.begin() + static_cast<std::ptrdiff_t>(n_named), i) !=
            rank.begin() + static_cast<std::ptrdiff_t>(n_named))
          continue;
        other.units += v[i].units;
        other.margin += v[i].margin;
        ++n_other;
      }
      if (n_other > 0) {
        const std::string others = std::to_string(n_other) + " other products";
        other.label = rest[0] == '\0' ? others + " bought alongside" : rest + (" " + others);
        out.drivers.push_back(other);
      }
    };
    top(cannib, "cannibalization", "taken from");
    top(halo_d, "halo", "");
    std::stable_sort(out.drivers.begin(), out.drivers.end(),
                     [](const PromoDriver& a, const PromoDriver& b) {
                       return std::fabs(a.units) > std::fabs(b.units);
                     });
  }

  // ---- Monte Carlo and depth ranking on the product summaries
  // -------------------------------------
  {
    std::vector<double> mc_units, mc_revenue, mc_margin;
    const double noise_sd = std::sqrt(total_var);
    const double margin_per_unit =
        out.totals.units > 0.0 ? out.totals.margin / out.totals.units : 0.0;
    const double revenue_per_unit =
        out.totals.units > 0.0 ? out.totals.revenue / out.totals.units : 0.0;
    detail::Rng rng(plan.seed, 0x70726f6d6fULL);
    const NormalDraws& normal = pre.normal;
    std::vector<Coefs> draw;  // the drawn coefficients (a copy of the point's, with draws only)
    if (plan.draws > 0) draw = pre.coefs;
    std::vector<double> lift;
    double point_extra = 0.0;  // the promoted states' extra units at the point coefficients
    if (need_summary) {
      evaluate_promoted(sim, summary, pre.coefs, -1.0, &lift);
      for (double l : lift) point_extra += l;
    }
    for (int32_t r = 0; r < plan.draws; ++r) {
      for (int32_t p = 0; p < P; ++p) {
        // Only the coefficients a product's weeks use are drawn: the pressure's always, the
        // rest when the plan promotes it.
        const PromoProductModel& pm = model.products[static_cast<size_t>(p)];
        Coefs& d = draw[static_cast<size_t>(p)];
        d.b[kCrossTerm] = pm.cross_depth.estimate + pm.cross_depth.se * normal(rng);
        if (!summary[static_cast<size_t>(p)].ever_promoted) continue;
        d.b[kPriceTerm] = std::min(0.0, pm.elasticity.estimate + pm.elasticity.se * normal(rng));
        d.b[kDepthTerm] = pm.lift_per_depth.estimate + pm.lift_per_depth.se * normal(rng);
        d.b[kFeatureTerm] = pm.feature.estimate + pm.feature.se * normal(rng);
        d.b[kDisplayTerm] = pm.display.estimate + pm.display.se * normal(rng);
        d.b[kPreTerm] = pm.pre_week.estimate + pm.pre_week.se * normal(rng);
        d.b[kPostTerm] = pm.post_week.estimate + pm.post_week.se * normal(rng);
        d.b[kHingeTerm] = pm.depth_hinge.estimate + pm.depth_hinge.se * normal(rng);
      }
      const Totals t = evaluate(sim, summary, draw, -1.0, point_extra, halo_pairs, &lift);
      const double noise = noise_sd * normal(rng);
      mc_units.push_back(t.units + noise);
      mc_revenue.push_back(t.revenue + noise * revenue_per_unit);
      mc_margin.push_back(t.margin + noise * margin_per_unit);
    }
    const auto q3 = [](const std::vector<double>& v, double point) {
      if (v.empty()) return PromoQuantiles{point, point, point};
      return PromoQuantiles{quantile(v, 0.1), quantile(v, 0.5), quantile(v, 0.9)};
    };
    out.incremental_units = q3(mc_units, out.totals.incremental);
    out.incremental_revenue = q3(mc_revenue, out.totals.revenue - out.totals.baseline_revenue);
    out.incremental_margin = q3(mc_margin, out.totals.incremental_margin);

    for (double d : plan.alternative_depths) {
      const Totals t = evaluate(sim, summary, pre.coefs, d, point_extra, halo_pairs, &lift);
      PromoDepthOption o;
      o.depth = d;
      o.incremental_units = t.units;
      o.incremental_revenue = t.revenue;
      o.incremental_margin = t.margin;
      o.margin_per_incremental_unit = std::fabs(t.units) > 1e-9 ? t.margin / t.units : 0.0;
      out.depth_options.push_back(o);
    }
    std::stable_sort(out.depth_options.begin(), out.depth_options.end(),
                     [](const PromoDepthOption& a, const PromoDepthOption& b) {
                       return a.incremental_margin > b.incremental_margin;
                     });
    for (size_t i = 0; i < out.depth_options.size(); ++i)
      out.depth_options[i].rank = static_cast<int32_t>(i + 1);
  }

  // ---- sentences ------------------------------------------------------------------------------
  {
    const PromoFigures& t = out.totals;
    std::string s = "Expected " + signed_count(t.incremental) + " units";
    if (t.baseline > 0.0)
      s += " (" + detail::format_percent(t.incremental / t.baseline, true) + ")";
    if (plan.calendar_weeks)  // from the first week's Monday to the last week's Sunday
      s += " between " + format_date(Date{out.first_week * 7 + 4}) + " and " +
           format_date(Date{out.last_week * 7 + 10});
    else
      s += " in weeks " + std::to_string(out.first_week) + "\u2013" + std::to_string(out.last_week);
    std::vector<std::string> bits;
    for (const PromoDriver& d : out.drivers) {
      if (d.name == "discount_on_baseline" || std::fabs(d.units) < 0.5) continue;
      if (bits.size() == 5) break;
      const bool from = d.name == "discount" || d.name == "feature" || d.name == "display";
      bits.push_back(signed_count(d.units) + (from ? " from " : " ") + d.label);
    }
    for (size_t i = 0; i < bits.size(); ++i) s += (i == 0 ? ": " : ", ") + bits[i];
    out.sentences.push_back(s + ".");
    double given = 0.0, earned = 0.0;
    for (const PromoDriver& d : out.drivers) {
      if (d.name == "discount_on_baseline")
        given -= d.margin;
      else
        earned += d.margin;
    }
    std::string m = t.incremental_margin < 0.0 ? "Margin falls " : "Margin rises ";
    if (std::fabs(t.baseline_margin) > 0.0)
      m += detail::format_percent(std::fabs(t.incremental_margin / t.baseline_margin), false) +
           " (" + signed_count(t.incremental_margin) + ")";
    else
      m += signed_count(t.incremental_margin);
    if (t.incremental_margin < 0.0) {
      m += " because the discount gives away " + detail::format_count(given) +
           " on units that would have sold anyway";
      m += earned > 0.0
               ? ", more than the " + detail::format_count(earned) + " earned on the extra units"
               : ", and the extra units earn nothing after cannibalization";
    } else {
      m += ": the extra units earn " + detail::format_count(earned) + ", more than the " +
           detail::format_count(given) + " given away on units that would have sold anyway";
    }
    // Without draws there is no interval to quote (q3 collapses onto the point).
    if (plan.draws > 0)
      m += "; P10\u2013P90 " + signed_count(out.incremental_margin.p10) + " to " +
           signed_count(out.incremental_margin.p90);
    m += ".";
    out.sentences.push_back(m);
    if (out.max_stockout_probability >= 0.2)
      out.sentences.push_back(
          "Stock risk: a promoted item may run out before its delivery (" +
          detail::format_percent(out.max_stockout_probability, false) + " in the worst store; " +
          detail::format_count(out.expected_stockouts) + " product-store pairs expected out).");
    if (out.low_confidence)
      out.sentences.push_back(
          "Low confidence: at least one promoted product has too little price history for a "
          "reliable response.");
  }
  return out;
}

}  // namespace shelfcast
